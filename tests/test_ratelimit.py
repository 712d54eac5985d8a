"""The database-counted rate limit behind result creation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory

from decisionguide.results.models import RateLimitCounter
from decisionguide.results.ratelimit import Limit, hit, retry_after, window_start

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def request_from(address: str, forwarded: str = ""):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().post("/", REMOTE_ADDR=address, **headers)


def test_hit_allows_the_limit_then_refuses():
    limit = Limit("test", 3, HOUR)
    request = request_from("203.0.113.5")
    assert [hit(request, limit) for _ in range(5)] == [True, True, True, False, False]


def test_each_client_and_scope_counts_apart():
    limit = Limit("test", 1, HOUR)
    assert hit(request_from("203.0.113.5"), limit)
    assert not hit(request_from("203.0.113.5"), limit)
    assert hit(request_from("203.0.113.6"), limit)
    assert hit(request_from("203.0.113.5"), Limit("other", 1, HOUR))


def test_the_address_is_never_stored():
    hit(request_from("203.0.113.5"), Limit("test", 1, HOUR))
    counter = RateLimitCounter.objects.get()
    assert "203.0.113.5" not in counter.key
    assert counter.count == 1


@pytest.mark.parametrize("minute", [0, 1, 30, 59])
def test_retry_after_counts_to_the_end_of_the_window(minute):
    now = datetime(2026, 1, 1, 10, minute, 30, tzinfo=UTC)
    wait = retry_after(Limit("test", 1, HOUR), now)
    assert 0 < wait <= 3600
    assert window_start(now + timedelta(seconds=wait), HOUR) == window_start(now, HOUR) + HOUR
