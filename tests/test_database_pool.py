"""A bounded number of PostgreSQL connections (decisionguide.database).

Each process has a pool of at most DECISIONGUIDE_DB_POOL_SIZE connections, keeps one,
and closes the others a few seconds after a burst; a request that finds the pool empty
for DECISIONGUIDE_DB_TIMEOUT gets the 503 page; a forked gunicorn worker never uses its
master's connections; gunicorn's start warns when the servers' pools can exceed
max_connections. PostgreSQL only: the bin/with-postgres server, real processes.
"""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from decisionguide.database import RESERVED_CONNECTIONS
from tests.servers import (
    fetch,
    production_env,
    production_subprocess_env,
    query,
    run_python,
    running_server,
    scratch_database,
)

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the pool is PostgreSQL's (bin/with-postgres runs these)",
)

WORKERS = 2
BURST_THREADS = 32
BURST_REQUESTS = 600
# max_idle is 5 s and the pool closes one extra connection per interval: two intervals,
# and a margin for a busy machine. An availability bound, not a speed measurement.
SETTLE_SECONDS = 20


COUNT_OTHERS = (
    "SELECT COUNT(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def connections_to(database_url: str) -> int:
    """Connections open to that database, apart from the one asking."""
    return query(database_url, COUNT_OTHERS)[0][0]


class Sampler:
    """The highest connection count seen, sampled every 50 ms while it runs, over one
    connection of its own: a new one per sample would leave the last one's server process
    in the count on a busy machine, as it exits (CI once read 5 for a bound of 4)."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.highest = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as connection:
            while not self._stop.wait(0.05):
                (count,) = connection.execute(COUNT_OTHERS).fetchone()
                self.highest = max(self.highest, count)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_a_burst_leaves_no_connections_behind(tmp_path, seed_document):
    first = seed_document.questions[0]
    pages = [
        reverse("guide-detail", args=[seed_document.slug]),
        reverse("questionnaire-question", args=[seed_document.slug, first.slug]),
        "/readyz",
    ]
    with scratch_database(tmp_path) as database_url:
        env = production_env(
            tmp_path,
            DATABASE_URL=database_url,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DECISIONGUIDE_LOAD_CONTENT="1",
            WEB_CONCURRENCY=str(WORKERS),
            # The serving setup docs/operations.md describes: sync workers, one request each.
            GUNICORN_WORKER_CLASS="sync",
            GUNICORN_THREADS="1",
            # The analytics writers run during the burst too, each on its own connection.
            DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS="20",
        )
        start = [str(Path(settings.BASE_DIR) / "bin" / "start")]
        with running_server(start, env, tmp_path) as server:
            headers = {"Host": f"127.0.0.1:{server.port}", "X-Forwarded-Proto": "https"}

            def visit(n: int) -> int:
                return fetch(server.port, pages[n % len(pages)], headers=headers).status

            with Sampler(database_url) as during, ThreadPoolExecutor(BURST_THREADS) as pool:
                statuses = list(pool.map(visit, range(BURST_REQUESTS)))
            burst_over = time.monotonic()
            settled = connections_to(database_url)
            while settled > WORKERS and time.monotonic() - burst_over < SETTLE_SECONDS:
                time.sleep(0.25)
                settled = connections_to(database_url)
            seconds = time.monotonic() - burst_over
        print(
            f"\n{BURST_REQUESTS} requests from {BURST_THREADS} threads, {WORKERS} sync workers: "
            f"at most {during.highest} connections, {settled} after {seconds:.1f}s"
        )
    assert set(statuses) == {200}, statuses
    # Each worker: its request and its analytics writer, never more.
    assert 0 < during.highest <= WORKERS * 2
    # Back to the one connection each worker keeps, within seconds.
    assert settled == WORKERS


# ---------------------------------------------------------------------------
# A pool that is all in use: the 503 page after DECISIONGUIDE_DB_TIMEOUT


ALL_IN_USE = """
import json, threading, time
import django
django.setup()
from django.db import OperationalError, connection, connections
from django.test import Client

taken, release = threading.Event(), threading.Event()

def hold_the_only_connection():
    connection.ensure_connection()
    taken.set()
    release.wait()
    connections.close_all()

holder = threading.Thread(target=hold_the_only_connection)
holder.start()
taken.wait()
started = time.monotonic()
try:
    connection.ensure_connection()
    error = None
except OperationalError as exc:
    error = [f"{type(exc).__module__}.{type(exc).__name__}", type(exc.__cause__).__name__]
waited = time.monotonic() - started
response = Client(raise_request_exception=False).get("/", secure=True)
release.set()
holder.join()
print(json.dumps({"error": error, "waited": waited, "status": response.status_code,
                  "retry_after": response.get("Retry-After"),
                  "body": response.content.decode()}))
"""


def test_a_request_that_finds_the_pool_in_use_gets_the_503_page(tmp_path):
    env = production_subprocess_env(
        tmp_path,
        DATABASE_URL=os.environ["DATABASE_URL"],
        DECISIONGUIDE_DB_POOL_SIZE="1",
        DECISIONGUIDE_DB_TIMEOUT="1",
        WHITENOISE_USE_FINDERS="1",
        DJANGO_MANIFEST_STATIC="0",
    )
    result = run_python(ALL_IN_USE, env)
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout.strip().splitlines()[-1])
    # psycopg's PoolTimeout, as Django's OperationalError: what the 503 middleware maps.
    assert reply["error"] == ["django.db.utils.OperationalError", "PoolTimeout"]
    assert 1 <= reply["waited"] < 5
    assert reply["status"] == 503
    assert reply["retry_after"]
    assert "try again in a few seconds" in reply["body"]
    assert "database unavailable for GET /: OperationalError" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


# ---------------------------------------------------------------------------
# gunicorn's hooks: after fork, and the budget at start


AFTER_FORK = """
import os, sys
import django
django.setup()
from django.db import connection
from decisionguide import database

def backend():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]

master = backend()  # the master used the database before forking: its pool is open
child = os.fork()
if child == 0:
    if sys.argv[-1] == "hook":
        database.after_fork()
    print("worker", backend(), flush=True)
    os._exit(0)
os.waitpid(child, 0)
print("master", master, backend(), flush=True)
"""


@pytest.mark.parametrize("hook", [True, False], ids=["after_fork", "no hook"])
def test_a_forked_worker_opens_its_own_connections(tmp_path, hook):
    env = production_subprocess_env(tmp_path, DATABASE_URL=os.environ["DATABASE_URL"])
    code = AFTER_FORK.replace("sys.argv[-1]", repr("hook" if hook else "none"))
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    worker = int(lines["worker"])
    master_before, master_after = map(int, lines["master"].split())
    # The master keeps its own session either way.
    assert master_before == master_after
    # With the hook the worker has a session of its own; without it, it shared the master's.
    assert (worker != master_before) is hook


BUDGET = """
import json
import django
django.setup()
from decisionguide import database
warnings = [database.check_connection_budget(workers) for workers in (2, {many})]
pools = database._pools()
print(json.dumps({{"warnings": warnings, "pools": len(pools)}}))
"""


def test_the_start_warns_when_the_servers_can_exceed_max_connections(tmp_path):
    url = os.environ["DATABASE_URL"]
    limit = int(query(url, "SHOW max_connections")[0][0])
    reserved = int(query(url, "SHOW superuser_reserved_connections")[0][0])
    servers, pool_size = 3, 2
    # Just over: one worker more than fits.
    fits = (limit - reserved - RESERVED_CONNECTIONS) // (servers * pool_size)
    env = production_subprocess_env(
        tmp_path,
        DATABASE_URL=url,
        DECISIONGUIDE_APP_SERVERS=str(servers),
        DECISIONGUIDE_DB_POOL_SIZE=str(pool_size),
    )
    result = run_python(BUDGET.format(many=fits + 1), env)
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout.strip().splitlines()[-1])
    small, over = reply["warnings"]
    assert small is None
    needed = servers * (fits + 1) * pool_size + RESERVED_CONNECTIONS
    assert f"= {needed}, over the {limit - reserved}" in over
    assert f"WARNING decisionguide.database {over}" in result.stdout
    # One short-lived connection of its own: no pool for the workers to inherit.
    assert reply["pools"] == 0
