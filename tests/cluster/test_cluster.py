"""The reference deployment under load and in trouble (issue 21): nginx in front of two app
servers of two workers each, PostgreSQL and Redis, all started by deploy/cluster.py as
bin/cluster starts them. Each test prints what it measured (pytest's summary gathers it).

The tests run in this order and share one cluster; each leaves it running as it found it.
Only the last one visits questions[3:] of the site's first scenario, so its counts are its own.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from decisionguide import database
from deploy.cluster import Cluster
from deploy.services import get
from tests.cluster.conftest import report
from tests.cluster.traffic import (
    GUIDE,
    GUIDE_PAGE,
    ConnectionSampler,
    Site,
    Visitors,
    answer_url,
    question_slug,
    slowclients,
    summary,
    wrk,
)
from tests.conftest import SEED_FILE, read_document

pytestmark = pytest.mark.cluster

# Seconds the connections get to fall back to the idle figure after a burst: the pool
# closes an extra connection after POOL_MAX_IDLE_SECONDS, one per interval.
SETTLE_WITHIN = 4 * database.POOL_MAX_IDLE_SECONDS


def test_a_burst_of_64_connections_gets_no_error_and_stays_in_the_connection_budget(
    cluster: Cluster, site: Site, tmp_path: Path
) -> None:
    port, pages = cluster.nginx.port, site.busy_pages()
    for path in pages:  # each page rendered once: the burst measures the steady state
        assert get(port, path).status == 200, path
    per_worker = cluster.pool_size
    idle_per_worker = database.pool_options(cluster.pool_size, 1.0)["min_size"]
    workers = len(cluster.apps) * cluster.workers
    budget, idle = workers * per_worker, workers * idle_per_worker

    with ConnectionSampler(cluster) as sampler:
        burst = wrk(port, pages, connections=64, seconds=10, folder=tmp_path)
        during, ended = list(sampler.samples), time.monotonic()
        while cluster.app_connections() > idle and time.monotonic() - ended < SETTLE_WITHIN:
            time.sleep(0.2)
        settled = time.monotonic() - ended
    after = cluster.app_connections()

    report(f"burst, 64 connections for 10 s through nginx: {burst.line()}")
    report(
        f"burst: PostgreSQL connections peak {max(during)} (budget {budget}: {workers} workers"
        f" x {per_worker}), {len(during)} samples; {after} after {settled:.1f} s (idle {idle})"
    )
    assert burst.statuses["5xx"] == 0 and burst.statuses["4xx"] == 0
    assert burst.socket_errors == 0
    assert burst.requests > 1000  # the burst really ran
    assert max(during) <= budget
    assert after <= idle


def test_junk_query_strings_add_no_cache_entries(cluster: Cluster, site: Site) -> None:
    port = cluster.nginx.port
    later = question_slug(site.questions[5])  # a question none of these pages shows
    pages = [GUIDE_PAGE, site.questions[1], site.questions[2], site.check]
    for path in pages * 2:  # every page's own entry is made before counting
        assert get(port, path).status == 200, path

    def junk(number: int) -> str:
        page = pages[number % len(pages)]
        joiner = "&" if "?" in page else "?"
        extra = [f"utm_source=x{number}", f"junk{number}=1", f"{later}=nonsense{number}"]
        return f"{page}{joiner}{extra[number % 3]}"

    before = cluster.redis.dbsize()
    with ThreadPoolExecutor(8) as pool:
        statuses = Counter(pool.map(lambda path: get(port, path).status, map(junk, range(2000))))
    after = cluster.redis.dbsize()

    report(
        f"junk: 2,000 junk query strings answered {dict(statuses)}; Redis keys {before} -> {after}"
    )
    assert all(status < 500 for status in statuses)
    assert after <= before


def test_a_publish_on_one_server_shows_on_the_other_at_once(
    cluster: Cluster, tmp_path: Path
) -> None:
    marker = f"Cluster {secrets.token_hex(4)}"
    text = SEED_FILE.read_text(encoding="utf-8")
    changed = text.replace('\ntitle: "', f'\ntitle: "{marker}: ', 1)
    assert changed != text
    copy = tmp_path / f"{GUIDE}.yaml"
    copy.write_text(changed, encoding="utf-8")
    first, second = cluster.apps[0], cluster.apps[1]
    assert marker.encode() not in get(second.port, GUIDE_PAGE).body  # now cached on the second

    cluster.manage("loadguide", "--force", str(copy))  # with the first server's environment
    published = time.monotonic()
    seen = {app.name: marker.encode() in get(app.port, GUIDE_PAGE).body for app in (second, first)}
    took = (time.monotonic() - published) * 1000

    report(f"publish: seen on the first request to each server {seen} ({took:.0f} ms for both)")
    assert seen == {second.name: True, first.name: True}


def test_200_trickling_connections_through_nginx_leave_the_site_answering(
    cluster: Cluster,
) -> None:
    slow = slowclients()
    with slow.trickling(cluster.nginx.port, 200, 2.0):
        time.sleep(1)  # every connection opened and trickling
        probes = slow.probe(cluster.nginx.port, ["/healthz", GUIDE_PAGE], 12)
    for result in probes:
        report(f"200 trickling clients: {result.row().strip()}")
    assert all(result.latencies and not result.failed for result in probes)


def test_redis_stopped_then_frozen_costs_no_error_and_no_slow_page(
    cluster: Cluster, site: Site
) -> None:
    redis = cluster.redis
    try:
        with Visitors(cluster.nginx.port, site.busy_pages()) as visitors:
            visitors.during("redis up", 2)
            redis.stop()
            visitors.during("redis stopped (SIGTERM)", 4)
            redis.start()
            visitors.during("redis started again", 2)
            redis.freeze()
            visitors.during("redis frozen (SIGSTOP)", 4)
            redis.thaw()
            redis.client().flushall()  # so the next pages show whether the cache is used again
            # A worker leaves a failed Redis alone this long, then tries it again.
            visitors.during(
                "redis resumed (SIGCONT)", 2 * settings.DECISIONGUIDE_REDIS_RETRY_SECONDS
            )
    finally:
        redis.thaw()
    # The pages above are answered by each worker's fast path by now, which needs no Redis
    # (decisionguide/pagecache/fastpath.py): pages asked for the first time show whether
    # the cache is used again.
    fresh = [get(cluster.nginx.port, "/fr" + path) for path in site.busy_pages()]
    assert all(reply.status == 200 for reply in fresh)
    keys = redis.dbsize()

    for phase in dict.fromkeys(visit.phase for visit in visitors.visits):
        report(f"{phase}: {summary(visitors.of(phase))}")
    report(f"redis resumed: {keys} pages cached again")
    assert all(200 <= visit.status < 500 for visit in visitors.visits)
    assert max(visit.seconds for visit in visitors.visits) < 1.0
    assert keys > 0


def test_a_graceful_stop_writes_every_analytics_count(cluster: Cluster, site: Site) -> None:
    port, doc = cluster.nginx.port, read_document(SEED_FILE)
    shown_page = site.questions[3]
    shown = question_slug(shown_page)
    answered = question_slug(site.questions[4])
    choice = next(
        c.slug for c in doc.question(answered).choices if c.slug != site.answers[answered]
    )
    answer = answer_url(site.questions[4], answered, choice)
    before = (counter(cluster, "shown", shown, ""), counter(cluster, "answered", answered, choice))
    first, second = cluster.apps
    try:
        with Visitors(port, [shown_page, answer], threads=3) as visitors:
            visitors.during("both servers up", 3)
            started = time.monotonic()
            first.stop()
            stopped = time.monotonic() - started
            visitors.during("first server stopped", 2)
        second.stop()
        after = (
            counter(cluster, "shown", shown, ""),
            counter(cluster, "answered", answered, choice),
        )
    finally:
        cluster.restart_apps(first, second)

    visits = visitors.visits
    made = (
        sum(v.path == shown_page and v.status == 200 for v in visits),
        sum(v.path == answer and v.status == 303 for v in visits),
    )
    written = (after[0] - before[0], after[1] - before[1])
    report(f"graceful stop: visits {summary(visits)}; first server stopped in {stopped:.1f} s")
    report(f"graceful stop: {made[0]} questions shown and {made[1]} answered, {written} written")
    assert all(visit.status in (200, 303) for visit in visits)
    assert written == made


def counter(cluster: Cluster, kind: str, question: str, choice: str) -> int:
    """The guide's daily counters of one kind for one question (and choice), summed."""
    sql = (
        "SELECT coalesce(sum(c.count), 0) FROM guides_answercounter c"
        " JOIN guides_guide g ON g.id = c.guide_id"
        " WHERE g.slug = %s AND c.kind = %s AND c.question = %s AND c.choice = %s"
    )
    return cluster.postgres.query(sql, (GUIDE, kind, question, choice))[0][0]
