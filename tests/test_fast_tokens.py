"""The fast path's cheaper pieces do what Django's do: the CSRF token drawn in one system
call and the cookie from a line Django wrote (pagecache.csrf), and the page query on
SQLite's own cursor (pagecache.query)."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CsrfViewMiddleware,
    _check_token_format,
    _get_new_csrf_string,
    _unmask_cipher_token,
)
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from decisionguide.content.models import Guide
from decisionguide.pagecache import GUIDE_ROW
from decisionguide.pagecache.csrf import get_token, mask, random_chars, set_cookie


def test_a_masked_token_is_what_django_unmasks_and_new_each_time():
    for _ in range(500):
        secret = _get_new_csrf_string()
        token = mask(secret)
        _check_token_format(token)  # 64 allowed characters
        assert _unmask_cipher_token(token) == secret
    secret = random_chars()
    assert len({mask(secret) for _ in range(100)}) == 100


def test_random_characters_are_the_allowed_ones_drawn_evenly():
    drawn = "".join(random_chars() for _ in range(4000))  # 128,000 characters
    counts = Counter(drawn)
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    expected = len(drawn) / len(CSRF_ALLOWED_CHARS)  # about 2,065 each
    assert all(abs(n - expected) < 0.15 * expected for n in counts.values())
    assert len(random_chars(7)) == 7


def test_get_token_keeps_the_visitors_secret_and_renews_their_cookie():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret = _get_new_csrf_string()
    assert _unmask_cipher_token(get_token(request)) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    first = RequestFactory().get("/")
    token = get_token(first)
    assert _unmask_cipher_token(token) == first.META["CSRF_COOKIE"]
    assert first.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


@pytest.mark.django_db
def test_the_page_query_gives_djangos_row_on_the_drivers_cursor(seed_guide: Guide):
    Client().get(f"/guides/{seed_guide.slug}/")  # the query compiled and run once
    plain = GUIDE_ROW.first_row(seed_guide.slug)
    with CaptureQueriesContext(connection) as counted:  # Django's own cursor
        through_django = GUIDE_ROW.first_row(seed_guide.slug)
    assert len(counted) == 1
    assert plain == through_django and plain[0] == seed_guide.pk
    assert GUIDE_ROW.first_row("no-such-guide") is None


def cookie_lines(secret: str, *, needs_update: bool = True) -> tuple[list[str], list[str]]:
    """The Set-Cookie lines of Django's CsrfViewMiddleware and of set_cookie, for one secret,
    made within one second (the expiry date in them is to the second)."""
    for _ in range(3):
        second = int(time.time())
        lines = _cookie_lines(secret, needs_update)
        if int(time.time()) == second:
            break
    return lines


def _cookie_lines(secret: str, needs_update: bool) -> tuple[list[str], list[str]]:
    lines = []
    for set_it in (CsrfViewMiddleware(HttpResponse).process_response, set_cookie):
        request = RequestFactory().get("/")
        request.META.update(CSRF_COOKIE=secret, CSRF_COOKIE_NEEDS_UPDATE=needs_update)
        response = HttpResponse()
        set_it(request, response)
        assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is False
        lines.append([morsel.OutputString() for morsel in response.cookies.values()])
    return lines[0], lines[1]


def test_the_fast_cookie_is_djangos_line_for_the_visitors_secret():
    django_lines, fast_lines = cookie_lines(secret := _get_new_csrf_string())
    assert fast_lines == django_lines and secret in fast_lines[0]
    assert cookie_lines(secret, needs_update=False) == ([], [])


@override_settings(
    CSRF_COOKIE_NAME="guide-csrf",
    CSRF_COOKIE_DOMAIN="example.org",
    CSRF_COOKIE_HTTPONLY=True,
    CSRF_COOKIE_SAMESITE="Strict",
    CSRF_COOKIE_AGE=3600,
)
def test_the_fast_cookie_follows_changed_settings_at_once():
    cookie_lines(_get_new_csrf_string())  # the line of the settings before, forgotten
    with override_settings(CSRF_COOKIE_PATH="/guides/"):
        django_lines, fast_lines = cookie_lines(secret := _get_new_csrf_string())
    assert fast_lines == django_lines
    assert fast_lines[0].startswith(f"guide-csrf={secret};")
    assert "Path=/guides/" in fast_lines[0] and "HttpOnly" in fast_lines[0]
