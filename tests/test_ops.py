"""Operations: health endpoints, error pages, logging and the database set-up.

Error pages are reached the way visitors reach them (a bad Host header, an
unknown guide, a form without its CSRF token, too many failed logins) or, for
403 and 500, through the test-only views in this module's URLconf.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.test import Client
from django.urls import path, reverse

from decisionguide import urls as site_urls
from tests.servers import production_subprocess_env, run_python

BASE_DIR = Path(settings.BASE_DIR)
BOOM = "deliberate failure for the error page test"


def raise_permission_denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def raise_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(BOOM)


# Test-only URLconf (@pytest.mark.urls(__name__)): the site plus two views that fail.
urlpatterns = [
    path("test-only/forbidden/", raise_permission_denied),
    path("test-only/boom/", raise_error),
    # Spread, not include()d: the site's i18n_patterns must stay at the top level.
    *site_urls.urlpatterns,
]


# ---------------------------------------------------------------------------
# Health endpoints


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["healthz", "readyz"])
def test_health_endpoints_answer_probes_by_address(client, name):
    # Load balancers and Docker probe by IP address, which ALLOWED_HOSTS rightly lacks.
    assert "10.1.2.3" not in settings.ALLOWED_HOSTS
    assert client.get(reverse("index"), HTTP_HOST="10.1.2.3:8000").status_code == 400
    assert client.get(reverse(name), HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.head(reverse(name), HTTP_HOST="10.1.2.3:8000").status_code == 200


@pytest.mark.django_db
def test_health_endpoints_refuse_writes(client):
    assert client.post(reverse("healthz")).status_code == 405
    assert client.post(reverse("readyz")).status_code == 405


@pytest.mark.django_db
def test_readyz_is_ready_when_every_migration_is_applied(client):
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_unavailable_while_a_migration_is_unapplied(client, monkeypatch):
    executor = MigrationExecutor(connection)
    last = executor.loader.graph.nodes[executor.loader.graph.leaf_nodes()[-1]]
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [(last, False)])
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "unapplied_migrations": 1}


@pytest.mark.django_db
def test_readyz_is_unavailable_when_the_database_is_unreachable(client, monkeypatch, caplog):
    secret_detail = "could not connect to server at db.internal"

    def unreachable(self) -> None:
        raise OperationalError(secret_detail)

    monkeypatch.setattr(type(connections["default"]), "ensure_connection", unreachable)
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    # The reason is logged for operators, not shown to whoever asked.
    assert secret_detail not in response.content.decode()
    assert secret_detail in caplog.text


# ---------------------------------------------------------------------------
# Error pages: their status, their template and the site's own layout


def assert_styled_error_page(response, status: int, template: str) -> None:
    assert response.status_code == status
    names = [t.name for t in response.templates]
    assert template in names
    assert "base.html" in names
    html = response.content.decode()
    assert f'href="{static("css/site.css")}"' in html
    assert html.count("<h1") == 1
    assert 'class="error-page"' in html
    # Error pages carry the same security headers as every other page.
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_400_page_for_a_host_the_site_does_not_serve(client):
    response = client.get(reverse("index"), HTTP_HOST="attacker.example")
    assert_styled_error_page(response, 400, "400.html")


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_403_page(client):
    response = client.get("/test-only/forbidden/")
    assert_styled_error_page(response, 403, "403.html")


@pytest.mark.django_db
def test_403_page_for_a_form_without_its_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "someone", "password": "x"})
    assert_styled_error_page(response, 403, "403_csrf.html")
    assert settings.CSRF_FAILURE_VIEW == "decisionguide.ops.csrf_failure"


@pytest.mark.django_db
def test_404_page_for_an_unknown_guide(client):
    response = client.get(reverse("guide-detail", args=["no-such-guide"]))
    assert_styled_error_page(response, 404, "404.html")


@pytest.mark.django_db
def test_429_page_when_admin_logins_are_locked_out(client):
    user = get_user_model().objects.create_user("editor", password="right-password-123")
    login_url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login_url, {"username": user.username, "password": "wrong"})
    # Locked out: even the right password is refused until the cool-off ends.
    response = client.post(login_url, {"username": user.username, "password": "right-password-123"})
    assert_styled_error_page(response, 429, "429.html")


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_500_page(client):
    client.raise_request_exception = False
    response = client.get("/test-only/boom/")
    assert_styled_error_page(response, 500, "500.html")
    assert BOOM not in response.content.decode()


# ---------------------------------------------------------------------------
# Logging: errors with their traceback on stdout, in production settings


def test_a_server_error_is_logged_with_its_traceback_on_stdout(tmp_path):
    code = f"""
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings
with override_settings(ROOT_URLCONF={__name__!r}):
    response = Client(raise_request_exception=False).get("/test-only/boom/", secure=True)
print("status", response.status_code)
"""
    env = production_subprocess_env(
        tmp_path, WHITENOISE_USE_FINDERS="1", DJANGO_MANIFEST_STATIC="0"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert "status 500" in result.stdout
    assert "ERROR django.request Internal Server Error: /test-only/boom/" in result.stdout
    assert "Traceback (most recent call last)" in result.stdout
    assert f"RuntimeError: {BOOM}" in result.stdout
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------
# Databases


def test_sqlite_is_set_up_for_several_writers(tmp_path):
    """WAL, a busy timeout, IMMEDIATE transactions and kept connections, read back."""
    code = """
import json
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    pragmas = {
        name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "busy_timeout", "synchronous")
    }
print(json.dumps({
    "vendor": connection.vendor,
    "pragmas": pragmas,
    "transaction_mode": connection.transaction_mode,
    "conn_max_age": connection.settings_dict["CONN_MAX_AGE"],
}))
"""
    result = run_python(code, production_subprocess_env(tmp_path))
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state["vendor"] == "sqlite"
    assert state["pragmas"]["journal_mode"] == "wal"
    assert state["pragmas"]["busy_timeout"] == 4000  # DECISIONGUIDE_DB_TIMEOUT: 4 s
    assert state["pragmas"]["synchronous"] == 2  # FULL
    assert state["transaction_mode"] == "IMMEDIATE"
    assert state["conn_max_age"] > 0


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_ci_asked_for():
    # .ci/run sets DECISIONGUIDE_EXPECT_DB for each of its two runs, so a
    # DATABASE_URL that was silently ignored can't pass as a PostgreSQL run.
    expected = os.environ.get("DECISIONGUIDE_EXPECT_DB")
    if not expected:
        pytest.skip("DECISIONGUIDE_EXPECT_DB is set by .ci/run only")
    assert connection.vendor == expected
