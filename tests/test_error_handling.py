"""Requests Django refuses get the site's own 4xx page, with every security header.

Issue 13, reproduction 1: a form posted with a charset other than UTF-8 and
any well-formed CSRF cookie made Django's default error views run the CSRF
check again, which read the refused body again, and the visitor got a bare
500. Here each kind of refused request is sent through the test client with
CSRF checks on, as a browser or a scanner would send it; tests/test_gunicorn.py
sends the same through a real gunicorn. The log side (one WARNING line, no
traceback) runs the production settings in a subprocess.
"""

from __future__ import annotations

import io
import logging
import re
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import escape

from decisionguide import urls as site_urls
from decisionguide.errors import ClientErrorFilter, Throttle
from tests.security_headers import assert_security_headers
from tests.servers import production_subprocess_env, run_python

pytestmark = pytest.mark.django_db

# Any well-formed CSRF cookie (32 characters of the token alphabet), and an Origin
# that passes the HTTPS origin check, so the CSRF check goes on to read the body.
CSRF_COOKIE = {
    "HTTP_COOKIE": f"{settings.CSRF_COOKIE_NAME}={'A' * 32}",
    "HTTP_ORIGIN": "https://testserver",
}
LATIN_1_FORM = "application/x-www-form-urlencoded; charset=latin-1"
BOOM = "a view that fails, for the 500 page"


def raise_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(BOOM)


def raise_permission_denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


# Test-only URLconf (@pytest.mark.urls(__name__)): the site plus two views that fail.
urlpatterns = [
    path("test-only/boom/", raise_error),
    # The language comes from the prefix alone (decisionguide.locale), whatever the view.
    path("fr/test-only/boom/", raise_error),
    path("test-only/forbidden/", raise_permission_denied),
    # Spread, not include()d: the site's i18n_patterns must stay at the top level.
    *site_urls.urlpatterns,
]
# The site's error handlers, which a test URLconf must name itself.
handler400 = "decisionguide.errors.bad_request"
handler403 = "decisionguide.errors.permission_denied"
handler404 = "decisionguide.errors.page_not_found"
handler500 = "decisionguide.errors.server_error"


def strict_client() -> Client:
    """A client that checks CSRF as production does and gets 500s as responses."""
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def post(client: Client, url: str, body: bytes, content_type: str, **extra):
    """A POST of these very bytes (`Client.post` would re-encode them to the charset)."""
    return client.generic(
        "POST", url, body, content_type=content_type, secure=True, **CSRF_COOKIE, **extra
    )


def assert_error_page(response, status: int, template: str) -> None:
    assert response.status_code == status, response.content[:300]
    names = [t.name for t in response.templates]
    assert template in names and "base.html" in names
    assert 'class="error-page"' in response.content.decode()
    assert_security_headers(response)


def refused_paths(small_guide) -> list[str]:
    return [
        reverse("index"),
        reverse("admin:login"),
        reverse("result-create", args=[small_guide.slug]),
        "/no/such/page/",
    ]


# ---------------------------------------------------------------------------
# Reproduction 1: a form in another charset, with a CSRF cookie


def test_a_form_in_another_charset_gets_a_styled_4xx_on_every_kind_of_url(small_guide):
    client = strict_client()
    for url in refused_paths(small_guide):
        response = post(client, url, b"a=b", LATIN_1_FORM)
        assert response.status_code in {400, 404}, (url, response.status_code)
        template = "404.html" if response.status_code == 404 else "400.html"
        assert_error_page(response, response.status_code, template)


def test_the_refused_form_changes_nothing(small_guide):
    from decisionguide.results.models import Result

    url = reverse("result-create", args=[small_guide.slug])
    response = post(strict_client(), url, urlencode({"shoots": "few"}).encode(), LATIN_1_FORM)
    assert response.status_code == 400
    assert not Result.objects.exists()


@pytest.mark.parametrize(
    ("change", "body", "content_type"),
    [
        # More than DATA_UPLOAD_MAX_MEMORY_SIZE: RequestDataTooBig.
        (
            {"DATA_UPLOAD_MAX_MEMORY_SIZE": 100},
            b"a=" + b"x" * 200,
            "application/x-www-form-urlencoded",
        ),
        # More than DATA_UPLOAD_MAX_NUMBER_FIELDS: TooManyFieldsSent.
        (
            {"DATA_UPLOAD_MAX_NUMBER_FIELDS": 5},
            b"&".join(b"f%d=1" % n for n in range(20)),
            "application/x-www-form-urlencoded",
        ),
        # A multipart body without a boundary.
        ({}, b"--x\r\nbroken", "multipart/form-data; boundary="),
        # A charset Python doesn't know.
        ({}, b"a=b", "application/x-www-form-urlencoded; charset=no-such-charset"),
        ({}, "a=b".encode("utf-16"), "application/x-www-form-urlencoded; charset=utf-16"),
    ],
    ids=["too-big", "too-many-fields", "bad-multipart", "unknown-charset", "utf-16"],
)
def test_other_refused_bodies_get_a_styled_400(small_guide, settings, change, body, content_type):
    for name, value in change.items():
        setattr(settings, name, value)
    for url in refused_paths(small_guide)[:3]:
        response = post(strict_client(), url, body, content_type)
        assert response.status_code in {400, 403}, (url, response.status_code)
        if response.status_code == 400:
            assert_error_page(response, 400, "400.html")
        else:  # the CSRF check refused it first: still the site's own page
            assert_error_page(response, 403, "403_csrf.html")


class BrokenStream(io.RawIOBase):
    """A request body whose client went away half-way (UnreadablePostError)."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        raise OSError("connection reset by peer")


def test_a_body_that_cannot_be_read_gets_a_4xx(small_guide):
    response = post(
        strict_client(),
        reverse("result-create", args=[small_guide.slug]),
        b"shoots=few",
        "application/x-www-form-urlencoded",
        **{"wsgi.input": BrokenStream()},
    )
    assert response.status_code in {400, 403}
    assert_security_headers(response)


@pytest.mark.urls(__name__)
def test_a_failing_view_gets_the_styled_500_with_every_security_header():
    response = strict_client().get("/test-only/boom/", secure=True)
    assert_error_page(response, 500, "500.html")
    assert BOOM not in response.content.decode()


@pytest.mark.urls(__name__)
def test_the_500_page_speaks_the_language_of_the_failing_page():
    response = strict_client().get("/fr/test-only/boom/", secure=True)
    assert_error_page(response, 500, "500.html")
    html = response.content.decode()
    with translation.override("fr"):
        heading = translation.gettext("Something went wrong on our side")
    assert heading != "Something went wrong on our side"  # the catalogue has it
    assert '<html lang="fr"' in html and escape(heading) in html
    assert "Something went wrong" not in html and BOOM not in html


@pytest.mark.urls(__name__)
def test_permission_denied_gets_the_styled_403():
    assert_error_page(strict_client().get("/test-only/forbidden/", secure=True), 403, "403.html")


def test_a_refused_host_on_the_https_redirect_still_has_the_headers(settings):
    # The bad Host is met inside SecurityMiddleware while it builds the redirect,
    # so the 400 leaves without passing through it: the page adds them itself.
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get(reverse("index"), HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_500_page_never_raises_even_without_its_template(settings, rf):
    from decisionguide.errors import server_error

    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False}]
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert response["X-Content-Type-Options"] == "nosniff"


# ---------------------------------------------------------------------------
# Logging: one WARNING line per refused request, no traceback


LOGGED_REQUESTS = """
import django
django.setup()
from django.test import Client
client = Client(enforce_csrf_checks=True, raise_request_exception=False)
cookie = {"HTTP_COOKIE": "csrftoken=" + "A" * 32, "HTTP_ORIGIN": "https://testserver"}
form = "application/x-www-form-urlencoded"
def post(url, body, content_type=form):
    response = client.generic("POST", url, body, content_type=content_type, secure=True, **cookie)
    print("status", response.status_code, flush=True)
post("/admin/login/", b"a=b", form + "; charset=latin-1")
post("/", b"a=" + b"x" * 3_000_000)
post("/admin/login/", b"&".join(b"f%d=1" % n for n in range(2000)))
post("/no/such/page/", b"a=b", form + "; charset=latin-1")
print("status", client.get("/", HTTP_HOST="attacker.example").status_code, flush=True)
for _ in range(50):
    post("/admin/login/", b"a=b", form + "; charset=latin-1")
"""


def test_client_errors_are_logged_as_one_warning_line_each_without_traceback(tmp_path):
    env = production_subprocess_env(
        tmp_path, WHITENOISE_USE_FINDERS="1", DJANGO_MANIFEST_STATIC="0"
    )
    env["DJANGO_ALLOWED_HOSTS"] = "testserver"
    result = run_python(LOGGED_REQUESTS, env)
    assert result.returncode == 0, result.stderr
    statuses = re.findall(r"^status (\d+)$", result.stdout, re.MULTILINE)
    assert len(statuses) == 55
    assert set(statuses) <= {"400", "403", "404"}, statuses
    log_lines = [line for line in result.stdout.splitlines() if not line.startswith("status")]
    assert "Traceback" not in result.stdout + result.stderr
    assert all(" WARNING " in line for line in log_lines), log_lines
    # One line each for the first five; the fifty identical ones after the first
    # of their kind are held back (the throttle counts them for the next line).
    assert len(log_lines) == 5, log_lines
    assert "must be UTF-8 encoded" in log_lines[0] and "/admin/login/" in log_lines[0]
    assert "django.security.RequestDataTooBig" in log_lines[1] and log_lines[1].endswith(": /")
    assert "django.security.TooManyFieldsSent" in log_lines[2]
    assert "/no/such/page/" in log_lines[3]
    assert "django.security.DisallowedHost" in log_lines[4]
    assert "'attacker.example'" in log_lines[4]


def record(name: str, message: str, level: int = logging.ERROR, **extra) -> logging.LogRecord:
    item = logging.LogRecord(name, level, __file__, 1, message, (), None)
    item.__dict__.update(extra)
    return item


def test_identical_client_errors_are_throttled_and_counted():
    now = [0.0]
    log_filter = ClientErrorFilter(throttle=Throttle(window=60, clock=lambda: now[0]))

    def passes(message: str) -> logging.LogRecord | None:
        item = record("django.request", message, logging.WARNING, status_code=404)
        return item if log_filter.filter(item) else None

    assert passes("Not Found: /a") is not None
    assert passes("Not Found: /b") is not None  # another message: its own line
    assert all(passes("Not Found: /a") is None for _ in range(9))
    now[0] = 61.0
    again = passes("Not Found: /a")
    assert again is not None
    assert again.getMessage() == "Not Found: /a (9 more like it since the last one logged)"


def test_server_errors_keep_their_level_and_traceback():
    log_filter = ClientErrorFilter()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        item = record("django.request", "Internal Server Error: /x", exc_info=sys.exc_info())
    item.status_code = 500
    assert log_filter.filter(item)
    assert item.levelno == logging.ERROR and item.exc_info is not None
    # And a thousand of them are all logged: only client errors are throttled.
    assert all(
        log_filter.filter(record("django.request", "same", status_code=500)) for _ in range(1000)
    )


def test_a_refused_request_is_demoted_to_one_warning_with_an_escaped_path(rf):
    request = rf.get("/evil%0AFAKE LOG LINE")
    item = record(
        "django.security.DisallowedHost",
        "Invalid HTTP_HOST header: 'x'.",
        exc_info=(ValueError, ValueError("x"), None),
        request=request,
        status_code=400,
    )
    assert ClientErrorFilter().filter(item)
    assert item.levelname == "WARNING" and item.exc_info is None
    assert item.getMessage() == "Invalid HTTP_HOST header: 'x'.: /evil\\nFAKE LOG LINE"
    assert "\n" not in item.getMessage()


@pytest.mark.django_db
def test_a_database_error_outside_a_view_is_a_503_not_a_500(monkeypatch) -> None:
    # The session is loaded by middleware, before any view: its failure reaches handler500.
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    def locked(self):
        raise OperationalError("database is locked")

    monkeypatch.setattr(SessionStore, "load", locked)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    response = client.get("/admin/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "try again" in response.content.decode().lower()
