"""Security headers, cookies and HTTPS handling on every kind of page.

Every page is fetched as it is in production (over HTTPS, so HSTS applies)
and checked for the same headers, and its HTML for anything the Content
Security Policy would block: inline scripts, inline styles, event handlers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from tests.answers import HTMX, complete_answers, routed_answers, stored_result_url, with_query
from tests.security_headers import assert_security_headers

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------------------
# Answers and URLs for each kind of page, worked out from the loaded guide


def page_requests(guide: Guide) -> dict[str, Callable[[Client], object]]:
    doc = guide.published_document()
    first = doc.questions[0]
    answers = complete_answers(doc)
    question = reverse("questionnaire-question", args=[doc.slug, first.slug])
    check = with_query(reverse("questionnaire-check", args=[doc.slug]), answers)
    linked = next(page for page in doc.linked_pages if not page.url)
    return {
        "index": lambda c: c.get(reverse("index"), secure=True),
        "guide": lambda c: c.get(reverse("guide-detail", args=[doc.slug]), secure=True),
        "linked page": lambda c: c.get(
            reverse("linked-page", args=[doc.slug, linked.slug]), secure=True
        ),
        "question": lambda c: c.get(question, secure=True),
        "question via htmx": lambda c: c.get(question, secure=True, **HTMX),
        "check": lambda c: c.get(check, secure=True),
        "check via htmx": lambda c: c.get(check, secure=True, **HTMX),
        "route": lambda c: c.get(
            with_query(reverse("questionnaire-route", args=[doc.slug]), routed_answers(doc)),
            secure=True,
        ),
        "result": lambda c: c.get(
            with_query(reverse("questionnaire-result", args=[doc.slug]), answers), secure=True
        ),
        "permalink": lambda c: c.get(stored_result_url(c, guide), secure=True),
        "admin login": lambda c: c.get(reverse("admin:login"), secure=True),
        "not found": lambda c: c.get(f"/guides/{doc.slug}/no-such-page/here/", secure=True),
    }


PAGE_KINDS = [
    "index",
    "guide",
    "linked page",
    "question",
    "question via htmx",
    "check",
    "check via htmx",
    "route",
    "result",
    "permalink",
    "admin login",
    "not found",
]


# ---------------------------------------------------------------------------
# What every page must carry


class InlineCodeFinder(HTMLParser):
    """Everything in a page that CSP without 'unsafe-inline'/'unsafe-eval' would block."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self.htmx_config: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and not values.get("src"):
            self.blocked.append("inline <script>")
        if tag == "style":
            self.blocked.append("<style> element")
        if tag == "meta" and values.get("name") == "htmx-config":
            self.htmx_config = json.loads(values["content"])
        for name, value in values.items():
            if name == "style":
                self.blocked.append(f"style attribute on <{tag}>")
            elif name.startswith("on") or name.startswith("hx-on"):
                self.blocked.append(f"{name} handler on <{tag}>")
            elif name in {"href", "src", "action"} and value.strip().lower().startswith(
                "javascript:"
            ):
                self.blocked.append(f"javascript: URL on <{tag}>")


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_every_kind_of_page_carries_the_security_headers(client, seed_guide, kind):
    response = page_requests(seed_guide)[kind](client)
    assert response.status_code == (404 if kind == "not found" else 200)
    assert_security_headers(response)


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_no_page_needs_inline_code_the_policy_would_block(client, seed_guide, kind):
    response = page_requests(seed_guide)[kind](client)
    finder = InlineCodeFinder()
    finder.feed(response.content.decode())
    assert finder.blocked == []


@pytest.mark.parametrize("kind", ["guide", "question", "check", "result", "permalink"])
def test_htmx_is_told_to_inject_no_styles_and_evaluate_nothing(client, seed_guide, kind):
    response = page_requests(seed_guide)[kind](client)
    finder = InlineCodeFinder()
    finder.feed(response.content.decode())
    assert finder.htmx_config is not None, "base.html must configure htmx"
    assert finder.htmx_config["includeIndicatorStyles"] is False
    assert finder.htmx_config["allowEval"] is False
    assert finder.htmx_config["allowScriptTags"] is False


# ---------------------------------------------------------------------------
# Cookies


def test_csrf_cookie_is_secure_and_same_site(client, seed_guide):
    response = page_requests(seed_guide)["check"](client)
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"


def test_session_cookie_after_login_is_secure_http_only_and_same_site(client):
    user = get_user_model().objects.create_superuser("admin", password="a-long-password-1")
    response = client.post(
        reverse("admin:login"),
        {"username": user.username, "password": "a-long-password-1"},
        secure=True,
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_permalink_sets_no_cookie(client, seed_guide):
    url = stored_result_url(client, seed_guide)
    response = Client().get(url, secure=True)
    assert response.status_code == 200
    assert not response.cookies


# ---------------------------------------------------------------------------
# HTTPS, proxies and hosts


def test_plain_http_is_redirected_to_https_but_probes_are_not(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # a new client loads the middleware with the setting
    response = client.get(reverse("index"))
    assert response.status_code == 301
    assert urlsplit(response["Location"]).scheme == "https"
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("readyz")).status_code == 200


def test_behind_a_proxy_x_forwarded_proto_counts_as_https(settings, seed_guide):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    response = client.get(reverse("index"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response
    assert client.get(reverse("index"), HTTP_X_FORWARDED_PROTO="http").status_code == 301


def test_unknown_host_is_refused(client):
    assert client.get(reverse("index"), HTTP_HOST="evil.example").status_code == 400


def fail_logins(client: Client, username: str, times: int, **headers: str) -> None:
    for _ in range(times):
        client.post(reverse("admin:login"), {"username": username, "password": "no"}, **headers)


def login_status(client: Client, username: str, password: str, **headers: str) -> int:
    data = {"username": username, "password": password}
    return client.post(reverse("admin:login"), data, **headers).status_code


def test_admin_lockout_follows_the_trusted_proxy_address(client, settings):
    settings.DECISIONGUIDE_TRUSTED_PROXIES = ["127.0.0.1/32"]  # the test client's address
    user = get_user_model().objects.create_superuser("admin", password="a-long-password-1")
    locked = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    other = {"HTTP_X_FORWARDED_FOR": "203.0.113.6"}
    fail_logins(client, user.username, settings.AXES_FAILURE_LIMIT, **locked)
    assert login_status(client, user.username, "a-long-password-1", **locked) == 429
    assert login_status(client, user.username, "a-long-password-1", **other) == 302


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_escape_lockout(client, settings):
    settings.DECISIONGUIDE_TRUSTED_PROXIES = []
    user = get_user_model().objects.create_superuser("admin", password="a-long-password-1")
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail_logins(client, user.username, 1, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    forged = {"HTTP_X_FORWARDED_FOR": "198.51.100.250"}
    assert login_status(client, user.username, "a-long-password-1", **forged) == 429


# --- The policy: django-csp's settings, middleware and decorators ---------------------------


def behind_the_csp_middleware(view):
    """`view` behind the CSP middleware the site runs (from settings.MIDDLEWARE)."""
    from django.utils.module_loading import import_string

    (name,) = [m for m in settings.MIDDLEWARE if "csp" in m.lower()]
    return lambda request: import_string(name)(view)(request)


def test_a_changed_policy_setting_is_used_at_once(client, settings, small_guide):
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}}
    settings.CONTENT_SECURITY_POLICY = policy
    response = client.get(reverse("guide-detail", args=[small_guide.slug]))
    directives = set(response["Content-Security-Policy"].split("; "))
    assert directives == {"default-src 'self'", "img-src 'self' data:"}


def test_django_csp_decorators_change_one_view_s_policy():
    from csp.decorators import csp_exempt, csp_update
    from django.http import HttpResponse
    from django.test import RequestFactory

    @csp_update({"img-src": ["https://images.example"]})
    def allows_images(request):
        return HttpResponse("ok")

    @csp_exempt()
    def exempt(request):
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    policy = behind_the_csp_middleware(allows_images)(request)["Content-Security-Policy"]
    assert "img-src 'self' data: https://images.example" in policy
    assert "frame-ancestors 'none'" in policy
    assert "Content-Security-Policy" not in behind_the_csp_middleware(exempt)(request)


def test_a_nonce_used_by_a_view_lands_in_the_header(settings):
    from csp.constants import NONCE
    from django.http import HttpResponse
    from django.test import RequestFactory

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    nonces = []

    def view(request):
        nonces.append(str(request.csp_nonce))
        return HttpResponse("ok")

    response = behind_the_csp_middleware(view)(RequestFactory().get("/"))
    assert f"script-src 'self' 'nonce-{nonces[0]}'" in response["Content-Security-Policy"]


def test_the_site_policy_header_is_django_csp_s_own(client, settings, small_guide):
    # The site's middleware builds the header once; it must read as django-csp builds it, on
    # a page, a probe and an error page alike, and follow EXCLUDE_URL_PREFIXES.
    from csp.utils import build_policy

    for url in (reverse("guide-detail", args=[small_guide.slug]), "/healthz", "/no-such-page/"):
        assert client.get(url)["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "EXCLUDE_URL_PREFIXES": ["/healthz"],
    }
    assert "Content-Security-Policy" not in client.get("/healthz")
    assert "Content-Security-Policy" in client.get("/no-such-page/")
