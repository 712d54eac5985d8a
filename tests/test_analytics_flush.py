"""Analytics flush on a real gunicorn (bin/start, production settings, two workers):
counts reach the database on a quiet site with no later visitor, and a graceful
restart (SIGHUP) or stop (SIGTERM) loses none of the events still in a worker's memory.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from tests import servers

BASE_DIR = Path(settings.BASE_DIR)
HOST = servers.SITE_HOST
VIA_PROXY = {"Host": HOST, "X-Forwarded-Proto": "https"}
SEED = yaml.safe_load((BASE_DIR / "content" / "crm-pm-hybrid.yaml").read_text())
FIRST = SEED["questions"][0]
QUESTION_PAGE = reverse("questionnaire-question", args=[SEED["slug"], FIRST["slug"]])
ANSWER_PAGE = reverse("questionnaire-answer", args=[SEED["slug"], FIRST["slug"]])
CHOICE = next(c["slug"] for c in FIRST["choices"] if not c.get("route"))
COUNTERS = "SELECT kind, question, choice, version, count FROM guides_answercounter"


def serve(tmp_path: Path, **flush: str) -> Iterator[tuple[servers.Server, str]]:
    with servers.running_site(tmp_path, **flush) as (server, env):
        yield server, env["DATABASE_URL"]


def visit(server: servers.Server, shown: int, answered: int) -> None:
    for _ in range(shown):
        assert servers.fetch(server.port, QUESTION_PAGE, headers=VIA_PROXY).status == 200
    for _ in range(answered):
        reply = servers.fetch(
            server.port, f"{ANSWER_PAGE}?{FIRST['slug']}={CHOICE}", headers=VIA_PROXY
        )
        assert reply.status == 303


def written(database: str) -> dict[tuple[str, str], int]:
    """(kind, choice) -> count, summed over days and versions: the first question's counters
    and the depth of its answers (each the visit's first)."""
    found: dict[tuple[str, str], int] = {}
    for kind, question, choice, _version, count in servers.query(database, COUNTERS):
        assert question == ("" if kind == "depth" else FIRST["slug"])
        found[kind, choice] = found.get((kind, choice), 0) + count
    return found


def expected(shown: int, answered: int) -> dict[tuple[str, str], int]:
    return {("shown", ""): shown, ("answered", CHOICE): answered, ("depth", "1"): answered}


def eventually(condition: Callable[[], bool], seconds: float = 45) -> bool:
    """Poll `condition` (the database) until it holds; no request is made meanwhile."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)
    return True


@pytest.fixture
def quiet_site(tmp_path) -> Iterator[tuple[servers.Server, str]]:
    yield from serve(tmp_path, DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS="1")


@pytest.fixture
def holding_site(tmp_path) -> Iterator[tuple[servers.Server, str]]:
    # The timer and the event threshold are out of reach: only a worker's exit writes.
    yield from serve(
        tmp_path,
        DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS="3600",
        DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS="1000000",
    )


def test_counts_reach_the_database_on_a_quiet_site_without_another_visitor(quiet_site):
    server, database = quiet_site
    visit(server, shown=3, answered=1)
    want = expected(shown=3, answered=1)
    # No other request: each worker's own timer writes what it holds.
    assert eventually(lambda: written(database) == want), written(database)
    versions = {row[3] for row in servers.query(database, COUNTERS)}
    published = servers.query(
        database,
        "SELECT v.version FROM guides_guide g JOIN guides_guideversion v "
        f"ON v.id = g.published_version_id WHERE g.slug = '{SEED['slug']}'",
    )
    assert versions == {published[0][0]}


def test_the_default_interval_shows_counts_within_a_minute(tmp_path):
    env = servers.production_env(tmp_path)
    interval = servers.settings_under(env, ["DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS"])
    # The writer waits one interval, then writes: well inside a minute on a quiet site.
    assert 0 < interval["DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS"] <= 30


def test_a_graceful_restart_and_stop_lose_no_buffered_event(holding_site):
    server, database = holding_site
    visit(server, shown=4, answered=2)
    # Held in the workers' memory: nothing is written while they run.
    assert written(database) == {}
    server.process.send_signal(signal.SIGHUP)  # new workers; the old ones stop gracefully
    assert eventually(lambda: written(database) == expected(shown=4, answered=2))
    assert server.process.poll() is None  # still serving
    visit(server, shown=1, answered=1)  # on the new workers
    assert written(database) == expected(shown=4, answered=2)
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=60) == 0
    assert written(database) == expected(shown=5, answered=3)
    assert "Traceback" not in server.log()
