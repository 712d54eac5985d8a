"""The page cache: rendered public pages, kept per version, URL, HTMX-ness, embed mode, host
and language.

A public page is a pure function of the frozen version it shows and of its
URL (the questionnaire's answers travel in the query string), so once
rendered it can be served again to anyone, until the version moves on:

    @require_safe
    @vary_on_headers("HX-Request")
    @guide_page          # finds the version this request sees (pagecache.GuidePage)
    @cached_page         # serves the page from the cache when it was rendered before
    def question_page(request, page, question_slug): ...

`cached_page` keys each response by the page source's `cache_key` (a frozen
version's stamp; None: never cached, as for a staff member's draft
preview), the URL (path and query), whether HTMX asked for the panel or the
whole page, and the language (guide pages link only by path; a permalink,
which shows its absolute address, puts the host in its `cache_key`). It
keeps redirects, and TemplateResponses, which it renders with
CSRF_PLACEHOLDER where a form's token goes, filling in `get_token(request)`
for every visitor; anything else a view returns (a response it rendered
itself, which may hold a visitor's token) is served as it is and not kept.

A view's side effects that must happen on every visit (the analytics
counters) are registered with `page.every_visit(...)`: they run now and
again whenever the cache serves the page, except for HEAD requests and
staff previews, which nobody visited.

Only the URL the site's own links use for a page is kept: a view names it
with `source.keep_for_query(...)` (the guide page and a permalink keep the
default, no query at all; a questionnaire step its answers' canonical query,
or None when they carry a visitor's typed text, which is theirs alone). Any
other query string (unknown parameters, reordered or invalid answers) gets
the same page, rendered and counted, but never stored: crafted URLs cannot
fill the cache, and a cache hit costs no more than before.

The backend is Django's cache (settings.CACHES["default"]): memory local to
each worker by default, Redis shared by every server with REDIS_URL. Keys
name an immutable version, so no entry is ever invalidated: a publish makes
pages look up new keys, and the old ones age out. Redis is a cache, not a
dependency: `PAGES` calls it with short timeouts, renders without it when it
fails, and leaves it alone for a few seconds after each failure (CacheGuard).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.functions import Now
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from decisionguide.content.models import Guide, GuideVersion
from decisionguide.content.preview import (
    PREVIEW_DRAFT,
    PREVIEW_PARAM,
    PreviewRefused,
    may_see_draft,
    preview_refused,
)
from decisionguide.content.schedule import publish_due
from decisionguide.decision.document import GuideDocument
from decisionguide.pagecache.csrf import get_token
from decisionguide.pagecache.languages import (
    document_in_language,
    is_translated,
    language_version,
    version_shown_in,
)
from decisionguide.pagecache.query import PageQuery

log = logging.getLogger(__name__)

PAGE_CACHE = "default"
# Stands in for the CSRF token in cached HTML; every response gets the visitor's own.
CSRF_PLACEHOLDER = "csrf-token-placeholder-not-a-token"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
REDIRECTS = frozenset({301, 302, 303, 307, 308})

Effect = tuple[Callable[..., None], tuple[Any, ...]]


def wants_panel(request: HttpRequest) -> bool:
    """An HTMX swap wants only the panel; a history restore after a cache miss wants the page.

    What django-htmx's `request.htmx and not request.htmx.history_restore_request`
    says, read from META: building `request.headers` for it cost a tenth of a cached page.
    """
    meta = request.META
    return (
        meta.get("HTTP_HX_REQUEST") == "true"
        and meta.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true"
    )


@dataclass(kw_only=True)
class PageSource:
    """What a cached page is rendered from.

    `cache_key` names it (None: never cache); `counts_visits` says whether
    this request is a visit whose effects run (not a HEAD, not a preview).
    """

    cache_key: str | None = None
    counts_visits: bool = False
    effects: list[Effect] = field(default_factory=list, repr=False)
    # The query string (without "?") under which the page may be stored; None: never.
    kept_query: str | None = ""
    # (function, args): what `cache_key` would be now, asked again before the fast path
    # (pagecache.fastpath) serves the page; None: only the whole chain serves it.
    fast_check: tuple[Callable[..., Any], tuple[Any, ...]] | None = field(default=None, repr=False)

    def keep_for_query(self, query: str | None) -> None:
        """Store the page only when the request's query string is exactly `query`: the
        one the site's own links use for what it shows (None: never, as for a visitor's
        typed text)."""
        self.kept_query = query

    def every_visit(self, effect: Callable[..., None], *args: Any) -> None:
        """Run `effect(*args)` for this visit and whenever the cache serves this page again.

        `effect` must be a module-level function and `args` plain values: both
        are stored with the page (pickled, when the cache is Redis).
        """
        self.effects.append((effect, args))
        if self.counts_visits:
            effect(*args)


@dataclass(frozen=True)
class CachedPage:
    """A response as the cache keeps it: the body holds CSRF_PLACEHOLDER for the token."""

    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]
    effects: tuple[Effect, ...] = ()
    has_form: bool = False  # the placeholder is in `content`: searched once, not per visit

    @classmethod
    def keep(cls, request: HttpRequest, response: HttpResponse, source: PageSource):
        """The entry for `response` (rendering it, with the token filled in), or None."""
        if response.cookies:
            return None  # never share one visitor's cookie with the next
        if isinstance(response, TemplateResponse) and not response.is_rendered:
            if response.status_code != 200:
                return None
            response.context_data = {
                **(response.context_data or {}),
                "csrf_token": CSRF_PLACEHOLDER,
            }
            content = response.render().content
        elif response.status_code in REDIRECTS:
            content = b""
        else:
            return None
        entry = cls(
            response.status_code,
            content,
            tuple(response.items()),
            tuple(source.effects),
            has_form=_PLACEHOLDER_BYTES in content,
        )
        if entry.has_form:
            response.content = entry.with_token(request)
        return entry

    def with_token(self, request: HttpRequest) -> bytes:
        """The page with this visitor's CSRF token where the placeholder is (and their cookie
        set); a page without a form gets neither."""
        if not self.has_form:
            return self.content
        return self.content.replace(_PLACEHOLDER_BYTES, get_token(request).encode())

    def replay(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(self.with_token(request), status=self.status)
        for name, value in self.headers:
            response[name] = value
        if request.method != "HEAD":
            for effect, args in self.effects:
                effect(*args)
        return response


def page_key(request: HttpRequest, source_key: str) -> str:
    """The cache key of this request's page, hashed: answers make URLs long."""
    panel = "panel" if wants_panel(request) else "page"
    url = f"{request.path}?{request.META.get('QUERY_STRING', '')}"
    # An embed page (decisionguide.embed) has its own layout; it and a guide page's oEmbed
    # link name absolute addresses, so the host is part of the key too.
    mode = "embed" if getattr(request, "embedded", False) else "site"
    named = f"{source_key}\n{panel}\n{mode}\n{request.get_host()}\n{page_language(request)}\n{url}"
    # 128 bits are plenty, and the cache checks every character of a key on every call.
    return f"page:{hashlib.blake2b(named.encode(), digest_size=16).hexdigest()}"


def page_language(request: HttpRequest) -> str:
    """The language the page is rendered in: the URL prefix's, as decisionguide.locale
    found it (cheaper than asking `get_language()` on every request), else LANGUAGE_CODE."""
    return getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve `view(request, source, ...)`'s page from the cache once it was rendered.

    `source` is a PageSource (usually the GuidePage `guide_page` found).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, source: PageSource, *args: Any, **kwargs: Any):
        if source.cache_key is None:
            return view(request, source, *args, **kwargs)
        key = page_key(request, source.cache_key)
        entry: CachedPage | None = PAGES.get(key)
        if entry is not None:
            if source.fast_check is not None:
                # Served by the cache: the fast path may answer the next such request.
                request._fastpath = (*source.fast_check, source.cache_key, entry)  # type: ignore[attr-defined]
            return entry.replay(request)
        response = view(request, source, *args, **kwargs)
        # Only the view knows the canonical query, so it is checked after the render: a
        # request with any other one is served like the rest but makes no entry.
        if source.kept_query == request.META.get("QUERY_STRING", ""):
            entry = CachedPage.keep(request, response, source)
            if entry is not None:
                PAGES.set(key, entry)
        return response

    return wrapper


# ---------------------------------------------------------------------------
# Redis is a cache, not a dependency


def _cache_errors() -> tuple[type[Exception], ...]:
    """What a cache server that is down, frozen, full or unreachable raises."""
    try:
        from redis.exceptions import RedisError
    except ImportError:  # the redis extra is not installed: only the local-memory cache
        return (OSError,)
    return (RedisError, OSError)


CACHE_ERRORS = _cache_errors()
WARN_EVERY_SECONDS = 60.0


class CacheGuard:
    """Get and set on a cache that may fail: a failure is a miss, never an error page.

    After a failure the worker leaves the cache alone for
    DECISIONGUIDE_REDIS_RETRY_SECONDS, then lets one request try again, so a
    frozen Redis costs one timeout (DECISIONGUIDE_REDIS_TIMEOUT) per worker per
    back-off, not one per request. One WARNING line says it failed, another at
    most once a minute while it lasts, and an INFO line when it is back: no
    traceback per request. While the cache is healthy a call costs one
    attribute read more than the cache's own.
    """

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self._lock = threading.Lock()
        self._down_since: float | None = None  # monotonic time of the first failure
        self._retry_at = 0.0
        self._warned_at = 0.0
        self._failures = 0

    @property
    def healthy(self) -> bool:
        return self._down_since is None

    def get(self, key: str) -> Any:
        if not self._may_try():
            return None
        try:
            value = caches[self.alias].get(key)
        except CACHE_ERRORS as exc:
            self._failed(exc)
            return None
        self._succeeded()
        return value

    def set(self, key: str, value: Any) -> None:
        if not self._may_try():
            return
        try:
            caches[self.alias].set(key, value)
        except CACHE_ERRORS as exc:
            self._failed(exc)
            return
        self._succeeded()

    def probe(self) -> bool:
        """Whether the cache answers now (a read of a key nobody writes), as /readyz asks."""
        self.get("page:probe")
        return self.healthy

    def _may_try(self) -> bool:
        if self._down_since is None:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._retry_at:
                return False
            # This request tries; the others keep going without the cache until it knows.
            self._retry_at = now + settings.DECISIONGUIDE_REDIS_RETRY_SECONDS
            return True

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            now = time.monotonic()
            self._retry_at = now + settings.DECISIONGUIDE_REDIS_RETRY_SECONDS
            self._failures += 1
            reason = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
            if self._down_since is None:
                self._down_since = now
                log.warning("page cache unavailable, rendering pages without it: %s", reason)
            elif now - self._warned_at >= WARN_EVERY_SECONDS:
                log.warning(
                    "page cache still unavailable after %.0f s (%d failed tries): %s",
                    now - self._down_since,
                    self._failures,
                    reason,
                )
            else:
                return
            self._warned_at = now

    def _succeeded(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            log.info("page cache available again after %.0f s", time.monotonic() - self._down_since)
            self._down_since = None
            self._failures = 0


PAGES = CacheGuard(PAGE_CACHE)


# ---------------------------------------------------------------------------
# The one query every public page runs (a PageQuery: pagecache/query.py)


GUIDE_ROW = PageQuery(
    Guide,
    lambda slug: (
        Guide.objects.filter(slug=slug)
        # `due`: a scheduled publish whose time has come (publish_at is NULL otherwise),
        # compared by the database's clock so the row needs no converter.
        .annotate(due=ExpressionWrapper(Q(publish_at__lte=Now()), output_field=BooleanField()))
        .values_list(
            "pk",
            "is_published",
            "published_version",
            "published_version__created",
            "due",
            "language_versions",
        )
        .order_by()[:1]
    ),
)


# ---------------------------------------------------------------------------
# Guide pages: which version a request sees


@dataclass(kw_only=True)
class GuidePage(PageSource):
    """The guide a public page shows, and which of its versions.

    Visitors see the published version; a staff member asking for
    `?preview=draft` sees the draft (`preview`), which is never cached. The
    rows behind `guide`, `version` and `document` are read on first use, so a
    page the cache serves reads none of them.
    """

    guide_id: int
    listed: bool
    published_version_id: int | None
    preview: bool = False
    # The URL's language, and the version it shows (pagecache.languages; None: the published).
    language: str = settings.LANGUAGE_CODE
    language_version_id: int | None = None

    @cached_property
    def guide(self) -> Guide:
        return Guide.objects.for_pages().get(pk=self.guide_id)

    @cached_property
    def version(self) -> GuideVersion:
        """The frozen row shown: results point at it, analytics count per its number."""
        if self.preview or self.published_version_id is None:
            return self.guide.draft_version()
        # The version the lookup found, even if an editor has published another since.
        shown = self.language_version_id or self.published_version_id
        return GuideVersion.objects.defer("document").get(pk=shown)

    @cached_property
    def document(self) -> GuideDocument:
        """`version`'s document: the published one, or the draft's in a preview, whose
        links to the guide's own pages stay in the preview."""
        doc = document_in_language(self.version, self.language)
        return doc.with_link_query(f"?{PREVIEW_PARAM}={PREVIEW_DRAFT}") if self.preview else doc


def find_guide_page(request: HttpRequest, slug: str, *, staff_see_unlisted: bool) -> GuidePage:
    """The page source for guide `slug`, or Http404 when this request may not see it.

    Visitors see listed guides; staff see drafts with `?preview=draft`, and, where
    `staff_see_unlisted`, a guide that is not listed (its published version, or the
    draft if it never had one).
    """
    row = GUIDE_ROW.first_row(slug)
    if row is not None and row[4] and _publish_due(row[0]):
        row = GUIDE_ROW.first_row(slug)  # the scheduled version is live now
    if row is None:
        raise Http404("No such guide")
    guide_id, is_published, version_id, created, _, shown = row
    listed = bool(is_published) and version_id is not None
    # A draft is only looked at: a form posted from a preview acts on the published guide.
    # Asked for without a staff login or a reviewer link: refused, never the live guide.
    draft = may_see_draft(request, guide_id, listed=listed)
    # Only an unlisted guide needs the user (and the session queries behind it).
    if not (listed or draft or (staff_see_unlisted and request.user.is_staff)):
        raise Http404("No such guide")
    visited = listed and not draft
    language, language_version_id = language_version(request, shown)
    if language_version_id is None and is_translated(language) and not draft:
        request.content_language = settings.LANGUAGE_CODE  # base.html: "not translated yet"
    return GuidePage(
        language=language,
        language_version_id=language_version_id,
        cache_key=f"{version_id}.{created}.{language_version_id}" if visited else None,
        fast_check=(live_cache_key, (slug, language)),
        counts_visits=visited and request.method != "HEAD",
        guide_id=guide_id,
        listed=listed,
        published_version_id=version_id,
        preview=draft,
    )


def live_cache_key(slug: str, language: str) -> str | None:
    """The `cache_key` a visitor's GuidePage for `slug` in `language` has now, for the fast
    path: None for a guide that is not listed or whose scheduled publish is due (the chain
    applies it)."""
    row = GUIDE_ROW.first_row(slug)
    if row is None or row[4]:
        return None
    _, is_published, version_id, created, _, shown = row
    if not is_published or version_id is None:
        return None
    return f"{version_id}.{created}.{version_shown_in(language, shown)}"


def _publish_due(guide_id: int) -> bool:
    """Apply a due schedule; a failure is logged and the visitor gets the live version."""
    try:
        return publish_due(guide_id)
    except Exception:
        log.exception("Scheduled publish of guide %s failed", guide_id)
        return False


def guide_page(
    view: Callable[..., HttpResponse] | None = None, *, staff_see_unlisted: bool = False
) -> Any:
    """Call `view(request, page, ...)` with the GuidePage of the URL's `slug` (or 404)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                page = find_guide_page(request, slug, staff_see_unlisted=staff_see_unlisted)
            except PreviewRefused:
                return preview_refused(request, slug)
            return view(request, page, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
