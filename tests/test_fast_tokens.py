"""The fast path's cheaper pieces do what Django's do: the CSRF token drawn in one system
call (pagecache.csrf) and the page query on SQLite's own cursor (pagecache.query)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    _check_token_format,
    _get_new_csrf_string,
    _unmask_cipher_token,
)
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from decisionguide.content.models import Guide
from decisionguide.pagecache import GUIDE_ROW
from decisionguide.pagecache.csrf import get_token, mask, random_chars


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
