"""Error pages and how client errors are logged.

Django's default error views are wrapped in `requires_csrf_token`, which runs
the CSRF check again, which reads the request body again. A body Django has
already refused (a form posted with a charset other than UTF-8) then raises
inside the 400 view, then inside the 500 view, and the visitor gets the
server's bare 500 page. These views never look at the body, the session or
the user: they render the site's static error templates with no context.

A client error (a bad body, a refused host, a missing page) is the client's
doing: it is logged as one WARNING line without a traceback, and identical
lines are throttled so a scanner can't fill the disk.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader

log = logging.getLogger(__name__)

# Shown if even the 500 template can't be rendered (a broken static manifest, say).
BARE_500 = (
    b"<!doctype html><html lang=en><meta charset=utf-8><title>Server error</title>"
    b"<h1>Something went wrong on our side</h1><p>Please try again in a few minutes.</p></html>"
)


def error_page(template_name: str, status: int) -> HttpResponse:
    """The styled page, rendered without the request: nothing about it can fail."""
    html = loader.get_template(template_name).render()
    return with_security_headers(HttpResponse(html, status=status))


def with_security_headers(response: HttpResponse) -> HttpResponse:
    """The headers SecurityMiddleware adds, for an error raised before it had a chance.

    A bad Host header met while building the HTTPS redirect is raised inside
    SecurityMiddleware, so its response leaves without passing through it.
    """
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if settings.SECURE_REFERRER_POLICY:
        response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        response.headers.setdefault(
            "Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
        )
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a body, header or host Django refused."""
    return error_page("400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403."""
    return error_page("403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404."""
    return error_page("404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the styled page, or a bare one if the template itself fails.

    A database that is busy or down, met outside a view (the session or the user
    loaded by middleware), gets the same 503 "try again shortly" as inside one.
    """
    from decisionguide.ops import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS

    try:
        if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
            response = error_page("503.html", 503)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return error_page("500.html", 500)
    except Exception:  # the error page must never raise: there is nothing after it
        log.exception("the 500 page could not be rendered")
        return with_security_headers(HttpResponse(BARE_500, status=500))


# ---------------------------------------------------------------------------
# Logging client errors


# Logs its failures with the path already in the message.
CSRF_LOGGER = "django.security.csrf"


def is_client_error(record: logging.LogRecord) -> bool:
    """A refused request (django.security.*) or a 4xx answer (django.request)."""
    if record.name.startswith("django.security."):
        return True
    status = getattr(record, "status_code", None)
    return record.name == "django.request" and isinstance(status, int) and 400 <= status < 500


@dataclass
class _Run:
    since: float  # when the message was last logged
    held: int = 0  # identical ones held back since


class Throttle:
    """Lets the first of a run of identical messages through, then one a window.

    The line that ends a quiet spell says how many were held back, so
    nothing is hidden, only counted. Thread-safe (gunicorn runs threads).
    """

    def __init__(
        self,
        window: float = 60.0,
        size: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window
        self.size = size
        self.clock = clock
        self._runs: OrderedDict[str, _Run] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, message: str) -> tuple[bool, int]:
        """(log it?, how many identical messages were held back before it)."""
        now = self.clock()
        with self._lock:
            run = self._runs.get(message)
            if run is not None and now - run.since < self.window:
                run.held += 1
                return False, 0
            held = run.held if run is not None else 0
            self._runs[message] = _Run(since=now)
            self._runs.move_to_end(message)
            while len(self._runs) > self.size:
                self._runs.popitem(last=False)
            return True, held


class ClientErrorFilter(logging.Filter):
    """On the console handler: client errors as one WARNING line, throttled.

    Records of server errors (5xx) and everything else pass untouched, with
    their tracebacks.
    """

    def __init__(self, name: str = "", throttle: Throttle | None = None) -> None:
        super().__init__(name)
        self.throttle = throttle or Throttle()

    def filter(self, record: logging.LogRecord) -> bool:
        if not is_client_error(record):
            return True
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        if record.levelno > logging.WARNING:
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        message = record.getMessage()
        request = getattr(record, "request", None)
        refused = record.name.startswith("django.security.") and record.name != CSRF_LOGGER
        if refused and request is not None:
            # A SuspiciousOperation's message doesn't say which URL was asked for.
            # Escaped as Django escapes the paths it logs: no forged log lines.
            message += ": " + request.path.encode("unicode_escape").decode("ascii")
        admitted, held = self.throttle.admit(message)
        if admitted and held:
            message += f" ({held} more like it since the last one logged)"
        record.msg, record.args = message, ()
        return admitted
