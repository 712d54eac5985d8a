"""How the site goes out over HTTP: gunicorn's workers, and HEAD answered without a body.

gunicorn answers some requests itself, before Django sees them: a request line over
4,094 bytes (414), a bad method, version, header name or value (400), too many or too
large headers (431). Its stock page carries none of the site's security headers and
quotes the request line back, and its log line quotes it too: the query string, where
visitors' answers travel, went to the error log. The workers here answer those with a
fixed page that quotes nothing and carries the site's security headers, and log one
line naming only the kind of error, throttled like the site's own client errors
(decisionguide.errors). gunicorn.conf.py uses them for "sync" and "gthread".

Imported by gunicorn's master while it reads its configuration, before Django is set
up: Django is imported only inside the functions that need it.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Callable
from datetime import datetime
from typing import Any

from gunicorn import util
from gunicorn.http import errors as http_errors
from gunicorn.http.wsgi import Response, default_environ
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker
from gunicorn.workers.sync import SyncWorker as GunicornSyncWorker

# The page loads nothing, so its policy allows nothing; the other values are the site's
# (settings.py, decisionguide.ops.PERMISSIONS_POLICY). tests/test_gunicorn_errors.py
# compares them with a page's headers, so the two cannot drift apart.
SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)

# gunicorn's own answers to what it refuses, by the exception its parser raised (as its
# Worker.handle_error maps them); names, not classes, as older gunicorns lack some. Any
# other parse error is a 400.
STATUS_BY_ERROR = (
    ("LimitRequestLine", 414, "URI Too Long"),
    ("LimitRequestHeaders", 431, "Request Header Fields Too Large"),
    ("ExpectationFailed", 417, "Expectation Failed"),
    ("ForbiddenProxyRequest", 403, "Forbidden"),
    ("UnsupportedTransferCoding", 501, "Not Implemented"),
    # The server's fault, not the client's: a bad setting, a header the app sent.
    ("ConfigurationProblem", 500, "Internal Server Error"),
    ("InvalidResponseHeader", 500, "Internal Server Error"),
    ("InvalidResponseHeaderName", 500, "Internal Server Error"),
)


def status_for(exc: BaseException) -> tuple[int, str]:
    """The status and reason gunicorn answers `exc` with."""
    for name, status, reason in STATUS_BY_ERROR:
        error_class = getattr(http_errors, name, None)
        if error_class is not None and isinstance(exc, error_class):
            return status, reason
    if isinstance(exc, ssl.SSLError):
        return 403, "Forbidden"
    if isinstance(exc, http_errors.ParseException):
        return 400, "Bad Request"
    return 500, "Internal Server Error"


def error_response(status: int, reason: str) -> bytes:
    """The whole HTTP answer: a fixed page that quotes nothing from the request."""
    body = (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{status} {reason}</title></head>\n"
        f"<body><h1>{reason}</h1><p>The server could not handle this request.</p></body>"
        "</html>\n"
    ).encode()
    headers = [
        ("Connection", "close"),
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        *SECURITY_HEADERS,
    ]
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    return (head + "\r\n").encode("latin-1") + body


@functools.cache
def _throttle() -> Any:
    # The throttle the application's client errors use, for the same reason: a scanner
    # must not fill the disk. Imported late: Django is not set up when gunicorn reads this.
    from decisionguide.errors import Throttle

    return Throttle()


def log_refused(log: Any, status: int, reason: str, exc: BaseException) -> None:
    """One WARNING line for a request gunicorn refused: the kind of error, nothing sent."""
    message = f"gunicorn refused a request: {status} {reason} ({type(exc).__name__})"
    admitted, held = _throttle().admit(message)
    if admitted:
        log.warning(message + (f" ({held} more like it since the last one logged)" if held else ""))


class SiteErrorsMixin:
    """gunicorn's Worker.handle_error, answering and logging without the request's text."""

    log: Any
    cfg: Any

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        started = datetime.now()
        if req is None and isinstance(
            exc, (http_errors.InvalidHeader, http_errors.InvalidHeaderName)
        ):
            # A request whose headers failed still has a method and a path, for the access log
            # (the request-line errors' own `req` is the line itself, as text).
            req = getattr(exc, "req", None)
        if isinstance(exc, SystemExit) and req is None:
            # The worker timed out waiting for a request line: a silent or trickling client
            # (the arbiter's "WORKER TIMEOUT" line says so). No traceback: no code was stuck.
            status, reason = 408, "Request Timeout"
            self.log.warning("gunicorn gave up on a client that sent no complete request")
        else:
            status, reason = status_for(exc)
            if status >= 500:
                # A fault of the server: the traceback, with the path but not the query.
                self.log.exception("Error handling request %s", describe(req))
            else:
                log_refused(self.log, status, reason, exc)
        if req is not None:
            self._log_access(req, client, addr, status, reason, started)
        try:
            util.write_nonblock(client, error_response(status, reason))
        except Exception:
            self.log.debug("Failed to send error message.")
        if isinstance(exc, SystemExit):
            # gunicorn's timeout abort: the worker exits now, for the arbiter to replace. The
            # stock worker swallows it here and lingers two seconds on the silent client's
            # socket (close_graceful), long enough to be killed with SIGKILL instead.
            util.close(client)
            raise exc

    def _log_access(
        self, req: Any, client: Any, addr: Any, status: int, reason: str, started: datetime
    ) -> None:
        # As gunicorn does; the access log's format has the path but not the query.
        addr = addr or ("", -1)  # a unix socket
        environ = default_environ(req, client, self.cfg)
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = addr[0], str(addr[1])
        response = Response(req, client, self.cfg)
        response.status = f"{status} {reason}"
        response.response_length = 0
        self.log.access(response, req, environ, datetime.now() - started)


def describe(req: Any) -> str:
    """Method and path of a parsed request, without its query string."""
    if req is None or not hasattr(req, "path"):
        return "(no request line read)"
    return f"{getattr(req, 'method', '')} {req.path}".strip()


class SyncProcessWorker(SiteErrorsMixin, GunicornSyncWorker):
    """gunicorn's sync worker: one request at a time per process.

    Named so that gunicorn's "sync with threads means gthread" rule (which matches
    names ending in SyncWorker) cannot swap in its own worker behind our back.
    """


class ThreadWorker(SiteErrorsMixin, GunicornThreadWorker):
    """gunicorn's gthread worker: a pool of threads per process."""


# ---------------------------------------------------------------------------
# HEAD


class HeadWithoutBodyMiddleware:
    """The answer to HEAD is GET's status and headers, Content-Length included, and no body.

    Django leaves that to the server; gunicorn drops the body but logs a WARNING for
    every HEAD request. First in MIDDLEWARE, so every other middleware (compression
    included) has set its headers from the real body before it goes.
    """

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        if request.method == "HEAD":
            without_body(response)
        return response


def without_body(response: Any) -> None:
    if response.streaming:
        # A file stays in the response's closers: the server's close() still closes it.
        response.streaming_content = []
    else:
        response.content = b""
