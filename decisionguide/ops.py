"""Operations: health checks, extra security headers, the CSRF failure page and the
503 page for a database that is busy or down."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER as CSP_HEADER
from csp.constants import HEADER_REPORT_ONLY as CSP_HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.migrations.executor import MigrationExecutor
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from decisionguide import pagecache

log = logging.getLogger(__name__)

# Browser features no page of this site uses; denying them limits injected content.
# Only features every current browser knows: unknown ones log console errors.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches no database and no template."""
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers and every migration is applied.

    A load balancer sends traffic only to servers that say yes, so a server
    started with newer code than the database schema waits for `migrate`. A page
    cache (Redis) that fails is reported as "degraded", still ready.
    """
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # any database failure means "not ready"
        # The reason goes to the log, not to whoever asked.
        log.warning("readyz: database unavailable: %s", exc)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    if pending:
        return JsonResponse(
            {"status": "unavailable", "unapplied_migrations": len(pending)}, status=503
        )
    # The page cache only speeds pages up: without it the server is still ready. Asked
    # with its short timeout, and not at all during the worker's back-off after a failure.
    if not pagecache.PAGES.probe():
        return JsonResponse({"status": "ok", "cache": "degraded"})
    return JsonResponse({"status": "ok"})


HEALTH_VIEWS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
}


class HealthCheckMiddleware:
    """Answers /healthz and /readyz before the Host header is validated.

    Load balancers and Docker's HEALTHCHECK call the server by its own address
    (http://10.0.0.5:8000/healthz), which is rightly not in ALLOWED_HOSTS; the
    answer contains nothing that depends on the host, so it is safe to give.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = HEALTH_VIEWS.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)


# Seconds a visitor is asked to wait after a 503: the database waits are a few seconds long.
RETRY_AFTER_SECONDS = 10
# What a database that is locked, too slow (PostgreSQL's lock_timeout or statement_timeout),
# down, unreachable or missing raises; anything else is a bug and stays a 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


class DatabaseUnavailableMiddleware:
    """A view whose database is busy or down answers 503 "try again shortly", not 500.

    The one place that maps these errors: whichever query failed (a result being stored,
    a page reading its guide), the transaction it was in has rolled back, so nothing was
    half-written. One warning line is logged, without a traceback: the cause is outside
    the code, and a stuck database under load would otherwise flood the log.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        log.warning(
            "database unavailable for %s %s: %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
            " ".join(str(exception).split()),
        )
        return database_unavailable(request)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 page, with Retry-After. Renders without touching the database."""
    response = render(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Logged once, by the middleware with its cause: not again by django.request.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


# Headers Django has no setting for.
EXTRA_HEADERS = (
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
)
# Response attributes django-csp's decorators set: any of them means "not the site's policy".
CSP_OVERRIDES = tuple(
    f"_csp_{kind}{suffix}"
    for kind in ("exempt", "config", "update", "replace")
    for suffix in ("", "_ro")
)


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the site-wide policy built once, plus the headers
    Django has no setting for (Cross-Origin-Resource-Policy, Permissions-Policy).

    Nearly every response carries the policy from settings unchanged, so its header is
    the same string every time; django-csp rebuilt it for each one, a sixth of a cached
    page's time. A response with a nonce, a `@csp_*` decorator or a debug error page
    goes through django-csp itself. The memo is dropped when a test changes a setting.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> Any:
        for name, value in EXTRA_HEADERS:
            response.headers.setdefault(name, value)
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in CSP_OVERRIDES)
        ):
            return super().process_response(request, response)
        for header, value in site_policy_headers(request.path_info):
            response.headers.setdefault(header, value)
        # As django-csp does: a nonce asked for once the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def _site_policies() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(header, policy, excluded path prefixes) for each policy the settings define."""
    policies = []
    for header, setting, report_only in (
        (CSP_HEADER, "CONTENT_SECURITY_POLICY", False),
        (CSP_HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
    ):
        policy = build_policy(report_only=report_only)
        if policy:
            config = getattr(settings, setting, None) or {}
            excluded = tuple(config.get("EXCLUDE_URL_PREFIXES", None) or ())
            policies.append((header, policy, excluded))
    return tuple(policies)


def site_policy_headers(path: str) -> list[tuple[str, str]]:
    """The site's policy headers for a request to `path`."""
    return [(h, p) for h, p, excluded in _site_policies() if not path.startswith(excluded)]


@receiver(setting_changed)
def _forget_site_policies(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policies.cache_clear()


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the site's own 403 page instead of Django's bare one.

    The technical reason is already logged by Django (django.security.csrf);
    the visitor gets plain advice instead.
    """
    return render(request, "403_csrf.html", status=403)
