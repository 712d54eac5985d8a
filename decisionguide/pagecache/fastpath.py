"""The fast path: a cached page served again before the rest of the middleware and the URLs.

A page the cache serves still paid for everything around the view: fifteen middleware
(sessions, CSRF, auth, messages, locale, embed, ...) and URL resolving cost several times
the cache lookup itself (README, "Benchmark"). Once the cache has served a page through
the whole chain, FastPathMiddleware (second in MIDDLEWARE) remembers, in the worker,
what that chain answered for this request: the status, every header the middleware and
decorators set, and the cached entry. The next request that looks the same (method,
path, query, host, scheme, HTMX-ness) gets it from there, with:

- the same check the view would make first, run again (`PageSource.fast_check`: the
  guide's live version, the permalink's stamp): anything else now, and the request
  takes the whole chain, which renders, publishes a due schedule, or answers 404;
- the visitor's own CSRF token and cookie: their cookie read by Django's
  CsrfViewMiddleware, the token drawn as Django draws it in one system call, and the
  cookie's line as Django wrote it this second (pagecache.csrf);
- the analytics effects (`every_visit`) run, except for HEAD;
- compression by Django's GZipMiddleware itself, as the chain would; a page without a
  form (nothing secret in it, so BREACH has nothing to find) only the first time, as
  compressing took ten times as long as the rest of the fast answer: its answer, with
  gzip and without, is kept and served as it is. A page with a form is compressed for
  every visitor who asks; uncompressed, it takes the headers of its first answer.

Only anonymous visits take it: a request with a session cookie (staff, their previews),
a conditional request (If-None-Match), an embed page or anything but GET and HEAD goes
through the chain. A record is kept only when the chain served the page from the cache
(a hit, not the first render), so a fast answer is what the chain's hit would have been.
Records live in the worker (at most MAX_RECORDS, the oldest dropped), need no cache
server, and are never trusted without their check: a lost Redis costs nothing here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import Error as DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip

from decisionguide.pagecache import CSRF_PLACEHOLDER, CachedPage, wants_panel
from decisionguide.pagecache.csrf import get_token, set_cookie

# Pages a worker remembers; each holds its cached body (tens of kB for a guide page).
MAX_RECORDS = 500
# What GZipMiddleware rewrites: a record keeps these as they were before it ran.
COMPRESSION_HEADERS = frozenset({"content-encoding", "content-length", "vary", "etag"})

Signature = tuple[Any, ...]
# Response headers as Django's ResponseHeaders stores them: lowercase name -> (name, value).
Headers = dict[str, tuple[str, str]]


@dataclass
class Record:
    """What the whole chain answered to a request the cache served."""

    check: Callable[..., Any]
    args: tuple[Any, ...]
    expected: Any
    status: int
    headers: Headers
    entry: CachedPage
    # The page as GZipMiddleware answered it (its body and every header), by whether the
    # request accepted gzip; a page with a form, only uncompressed, for its headers.
    answers: dict[bool, tuple[bytes, Headers]] = field(default_factory=dict)
    # A page with a form, cut where its token goes: joining them round a token is cheaper
    # than searching the page for the placeholder again (CachedPage.with_token).
    parts: list[bytes] = field(default_factory=list)

    def body(self, request: HttpRequest) -> bytes:
        if not self.entry.has_form:
            return self.entry.content
        if not self.parts:
            self.parts = self.entry.content.split(CSRF_PLACEHOLDER.encode())
        return get_token(request).encode().join(self.parts)


RECORDS: dict[Signature, Record] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop every record (the test suite does, before each test)."""
    with _lock:
        RECORDS.clear()


def _drop(key: Signature) -> None:
    with _lock:
        RECORDS.pop(key, None)


def signature(request: HttpRequest) -> Signature | None:
    """What the chain's answer depends on, or None when this request must take the chain."""
    meta = request.META
    method = meta.get("REQUEST_METHOD")
    if method not in ("GET", "HEAD"):
        return None
    if "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta:
        return None
    if "HTTP_COOKIE" in meta and settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None  # a signed-in editor: previews, embed framing, unlisted guides
    return (
        request.path_info,
        meta.get("QUERY_STRING", ""),
        meta.get("HTTP_HOST"),
        meta.get("HTTP_X_FORWARDED_HOST"),
        meta.get("wsgi.url_scheme"),
        meta.get("HTTP_X_FORWARDED_PROTO"),
        wants_panel(request),
    )


class FastPathMiddleware:
    """Answer a request the cache served before, as the whole chain did (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)
        self.gzip = GZipMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = signature(request)
        if key is None:
            return self.get_response(request)
        record = RECORDS.get(key)
        if record is not None:
            response = self.serve(request, record)
            if response is not None:
                return response
            _drop(key)  # out of date: the chain's next hit makes a new one
        response = self.get_response(request)
        remember(key, request, response)
        return response

    def serve(self, request: HttpRequest, record: Record) -> HttpResponse | None:
        try:
            if record.check(*record.args) != record.expected:
                return None  # published, withdrawn, due: the chain knows what to do
        except DatabaseError:
            return None  # the chain answers with its 503 page
        entry = record.entry
        gzipped = bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
        # A page without a form holds nothing secret: answered once compressed and once not,
        # then served as it is. (A form's token changes per response: that page is made
        # every time, and compressed every time it is asked for compressed.)
        answer = record.answers.get(gzipped)
        if answer is not None and not entry.has_form:
            response = respond(answer[0], record.status, answer[1])
        else:
            # A form, uncompressed, takes the headers of its first such answer (compression
            # only added Vary: Accept-Encoding); any other answer is made as the chain's was.
            kept = answer[1] if answer is not None else None
            if entry.has_form:
                self.csrf.process_request(request)  # reads the visitor's CSRF cookie
            body = record.body(request)
            response = respond(body, record.status, kept or record.headers)
            response.headers["Content-Length"] = str(len(body))
            if kept is not None:
                set_cookie(request, response)  # Vary: Cookie is in the kept headers
            else:
                if entry.has_form:
                    self.csrf.process_response(request, response)  # cookie, Vary: Cookie
                response = self.gzip.process_response(request, response)
                if not entry.has_form:
                    record.answers[gzipped] = (response.content, stored(response.items()))
                elif not gzipped:
                    record.answers[gzipped] = (b"", stored(response.items()))  # no token kept
        if request.method != "HEAD":
            for effect, args in entry.effects:
                effect(*args)
        return response


def respond(body: bytes, status: int, headers: Headers) -> HttpResponse:
    response = HttpResponse(body, status=status)
    # Headers the chain set, each checked by ResponseHeaders then: copied as they were
    # stored (checking fifteen of them again cost a tenth of the fast answer).
    response.headers._store.update(headers)
    return response


def stored(headers: Iterable[tuple[str, str]]) -> Headers:
    return {name.lower(): (name, value) for name, value in headers}


def remember(key: Signature, request: HttpRequest, response: HttpResponseBase) -> None:
    """Keep what the chain answered, if the cache served it (cached_page marks the request)."""
    mark = getattr(request, "_fastpath", None)
    before = getattr(response, "_fastpath_headers", None)
    if mark is None or before is None or request.method != "GET" or response.streaming:
        return
    check, args, expected, entry = mark
    if response.status_code != entry.status or getattr(request, "embedded", False):
        return
    if set(response.cookies) - {settings.CSRF_COOKIE_NAME}:
        return  # a cookie of the visitor's own (a session): not for the next one
    if "nonce-" in response.get("Content-Security-Policy", ""):
        return  # a nonce is per response
    inner = {name.lower() for name, _ in before}
    headers = before + tuple(
        (name, value)
        for name, value in response.items()
        if name.lower() not in inner and name.lower() not in COMPRESSION_HEADERS
    )
    record = Record(check, args, expected, response.status_code, stored(headers), entry)
    with _lock:
        if len(RECORDS) >= MAX_RECORDS:
            RECORDS.pop(next(iter(RECORDS)), None)
        RECORDS[key] = record


class BeforeCompressionMiddleware:
    """Right inside GZipMiddleware: notes a cached page's headers before compression, for
    FastPathMiddleware to keep (it compresses each fast answer again, as the chain does)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if getattr(request, "_fastpath", None) is not None:
            response._fastpath_headers = tuple(response.items())  # type: ignore[attr-defined]
        return response
