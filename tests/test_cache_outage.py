"""Redis is a cache, not a dependency: stopped or frozen, pages still answer at once without
it, /readyz says the cache is degraded but stays ready, the log gets one line, not one
traceback per request, and the cache is used again when Redis is back (issue 21 item 3)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.urls import reverse

from decisionguide import pagecache
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from tests.redis_server import RedisServer, running_redis
from tests.servers import SITE_HOST, fetch, production_env, running_site, settings_under
from tests.stored_results import create, scenario_answers

# Availability, not speed: a page served without the cache comes well within this.
WITHIN_SECONDS = 1.0
RETRY_SECONDS = 1.0
UNAVAILABLE = "page cache unavailable"


def page_urls(doc: GuideDocument) -> list[str]:
    """A guide page, a question, a check page: what visitors ask for most."""
    answers = scenario_answers(doc)
    third = doc.questions[2]
    earlier = {q.slug: answers[q.slug] for q in doc.questions[:2]}
    return [
        reverse("guide-detail", args=[doc.slug]),
        reverse("questionnaire-question", args=[doc.slug, third.slug]) + f"?{urlencode(earlier)}",
        reverse("questionnaire-check", args=[doc.slug]) + f"?{urlencode(answers)}",
    ]


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with running_redis(tmp_path) as server:
        yield server


@pytest.fixture
def on_redis(redis: RedisServer, settings, tmp_path: Path, monkeypatch) -> RedisServer:
    """The page cache in `redis`, with CACHES as production's settings make them, and a
    worker that never failed before."""
    env = production_env(tmp_path, REDIS_URL=redis.url)
    settings.CACHES = settings_under(env, ["CACHES"])["CACHES"]
    settings.DECISIONGUIDE_REDIS_RETRY_SECONDS = RETRY_SECONDS
    monkeypatch.setattr(pagecache, "PAGES", pagecache.CacheGuard(pagecache.PAGE_CACHE))
    return redis


def timed_get(client: Client, url: str):
    started = time.monotonic()
    response = client.get(url)
    elapsed = time.monotonic() - started
    assert response.status_code == 200, (url, response.status_code)
    assert elapsed < WITHIN_SECONDS, (url, elapsed)
    return response


def cache_lines(caplog, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == pagecache.log.name and r.levelno == level]


def assert_served_from_the_cache_again(client: Client, url: str) -> None:
    """After the back-off, one request renders and stores the page, the next is a copy."""
    time.sleep(RETRY_SECONDS + 0.1)
    assert client.get(url).templates, "rendered: the cache was empty or unused"
    assert client.get(url).templates == [], "served from Redis again"


def assert_one_warning_without_traceback(caplog) -> None:
    warnings = cache_lines(caplog, logging.WARNING)
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert UNAVAILABLE in warnings[0].getMessage()
    assert warnings[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_pages_answer_without_a_stopped_redis(client, seed_guide: Guide, on_redis, caplog):
    caplog.set_level(logging.INFO)
    doc = seed_guide.published_document()
    urls = [*page_urls(doc), create(client, doc, scenario_answers(doc))]
    for url in urls:
        client.get(url)
    assert on_redis.dbsize() == len(urls)
    on_redis.stop()
    for _ in range(3):
        for url in urls:
            assert timed_get(client, url).templates, "rendered without the cache"
    ready = client.get(reverse("readyz"))
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "cache": "degraded"}
    assert_one_warning_without_traceback(caplog)
    on_redis.start()  # empty, on the same port
    assert_served_from_the_cache_again(client, urls[0])
    assert client.get(reverse("readyz")).json() == {"status": "ok"}
    assert len(cache_lines(caplog, logging.INFO)) == 1, "one line says it is back"


@pytest.mark.django_db
def test_pages_answer_without_a_frozen_redis(client, seed_guide: Guide, on_redis, caplog):
    caplog.set_level(logging.INFO)
    urls = page_urls(seed_guide.published_document())
    for url in urls:
        client.get(url)
    on_redis.freeze()  # connections are accepted, never answered
    for _ in range(3):
        for url in urls:
            timed_get(client, url)
    started = time.monotonic()
    ready = client.get(reverse("readyz"))
    assert time.monotonic() - started < WITHIN_SECONDS
    assert ready.json() == {"status": "ok", "cache": "degraded"}
    assert_one_warning_without_traceback(caplog)
    on_redis.thaw()
    time.sleep(RETRY_SECONDS + 0.1)
    assert client.get(urls[0]).templates == [], "the page kept before the freeze, served again"


@pytest.mark.django_db
def test_pages_answer_when_a_full_redis_refuses_writes(client, seed_guide: Guide, on_redis, caplog):
    # Redis's default policy, noeviction: over its memory limit every write is refused.
    on_redis.client().config_set("maxmemory", "1")
    for url in page_urls(seed_guide.published_document()):
        timed_get(client, url)
    assert_one_warning_without_traceback(caplog)
    assert "maxmemory" in cache_lines(caplog, logging.WARNING)[0].getMessage()
    assert on_redis.dbsize() == 0


@pytest.mark.django_db
def test_after_a_failure_the_worker_leaves_redis_alone_until_the_retry(
    client, seed_guide: Guide, on_redis, settings, monkeypatch
):
    settings.DECISIONGUIDE_REDIS_RETRY_SECONDS = 600  # every request below falls in it
    tries: list[str] = []
    get = RedisCache.get

    def counted(cache, key, *args, **kwargs):
        tries.append(key)
        return get(cache, key, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "get", counted)
    urls = page_urls(seed_guide.published_document())
    on_redis.freeze()
    for url in urls * 3:
        timed_get(client, url)
    assert client.get(reverse("readyz")).json()["cache"] == "degraded"
    assert len(tries) == 1, "one request waited for the frozen Redis, the others did not"


# ---------------------------------------------------------------------------
# The same through gunicorn, as production runs it


def get_within(port: int, path: str) -> dict:
    started = time.monotonic()
    reply = fetch(port, path, headers={"Host": SITE_HOST, "X-Forwarded-Proto": "https"})
    elapsed = time.monotonic() - started
    assert reply.status == 200, (path, reply.status, reply.body[:300])
    assert elapsed < WITHIN_SECONDS, (path, elapsed)
    return json.loads(reply.body) if path == "/readyz" else {}


def traffic(port: int, paths: list[str], seconds: float) -> None:
    """Visits for `seconds`: every page answers 200 within the bound; /readyz says degraded."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in paths:
            get_within(port, path)
        assert get_within(port, "/readyz") == {"status": "ok", "cache": "degraded"}


def until_cached(port: int, paths: list[str], redis: RedisServer) -> None:
    """Visit until the pages are stored in Redis again (after each worker's back-off)."""
    deadline = time.monotonic() + 15
    while redis.dbsize() == 0:
        assert time.monotonic() < deadline, "the cache was never used again"
        for path in paths:
            get_within(port, path)
        time.sleep(0.2)


def test_gunicorn_serves_pages_through_a_redis_outage(tmp_path: Path, seed_document):
    with running_redis(tmp_path) as redis:
        extra = {"REDIS_URL": redis.url, "DECISIONGUIDE_REDIS_RETRY_SECONDS": str(RETRY_SECONDS)}
        with running_site(tmp_path, **extra) as (server, _):
            paths = page_urls(seed_document)
            until_cached(server.port, paths, redis)
            redis.stop()
            traffic(server.port, paths, seconds=3)
            redis.start()
            until_cached(server.port, paths, redis)
            redis.freeze()
            traffic(server.port, paths, seconds=3)
            redis.thaw()
            redis.client().flushall()
            until_cached(server.port, paths, redis)
        log = server.log()
    # Two workers, two outages: at most one line each, and one when the cache is back.
    warnings = [line for line in log.splitlines() if UNAVAILABLE in line]
    assert 1 <= len(warnings) <= 4, warnings
    assert "still unavailable" not in log
    assert "available again" in log
    assert "Traceback" not in log
    assert " 500 " not in log
