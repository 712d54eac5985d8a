"""Operations: health checks, extra security headers, the CSRF failure page and the
503 page for a database that is busy or down."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

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
    started with newer code than the database schema waits for `migrate`.
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


class SecurityHeadersMiddleware:
    """Headers Django has no setting for: Cross-Origin-Resource-Policy, Permissions-Policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the site's own 403 page instead of Django's bare one.

    The technical reason is already logged by Django (django.security.csrf);
    the visitor gets plain advice instead.
    """
    return render(request, "403_csrf.html", status=403)
