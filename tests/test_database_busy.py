"""A database that is busy or down: a fast, clear 503, nothing half-written, reads carry on.

The lock test runs a real gunicorn (bin/start, production settings) on a database of the
kind the suite runs on: a SQLite file held with BEGIN EXCLUSIVE, or a PostgreSQL database
whose results table is held with LOCK TABLE ... IN ACCESS EXCLUSIVE MODE. Meanwhile one
visitor stores a result and another reads pages.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import IntegrityError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from decisionguide import urls as site_urls
from decisionguide.analytics.models import AnswerCounter
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.results import permalink
from decisionguide.results.models import RateLimitCounter, Result
from tests.answers import complete_answers, result_form, stored_result_url, with_query
from tests.servers import (
    Reply,
    fetch,
    manage,
    production_env,
    production_subprocess_env,
    query,
    run_python,
    running_server,
    scratch_database,
    settings_under,
)

# DECISIONGUIDE_DB_TIMEOUT is 4 s; the bounds are generous, for a busy CI machine.
CREATION_BOUND = 8.0
READ_BOUND = 2.0


def raise_locked(request: HttpRequest) -> HttpResponse:
    raise OperationalError("database is locked")


def raise_integrity(request: HttpRequest) -> HttpResponse:
    raise IntegrityError("a bug, not a busy database")


urlpatterns = [
    path("test-only/locked/", raise_locked),
    path("test-only/integrity/", raise_integrity),
    # Spread, not include()d: the site's i18n_patterns must stay at the top level.
    *site_urls.urlpatterns,
]


# ---------------------------------------------------------------------------
# The 503 page, in this process


def assert_busy_page(status: int, headers: dict[str, str], body: str) -> None:
    assert status == 503
    assert int(headers["Retry-After"]) > 0
    assert 'class="error-page"' in body
    assert "try again in a few seconds" in body
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_busy_database_is_a_503_page_with_retry_after(client: Client, caplog) -> None:
    response = client.get("/test-only/locked/")
    assert_busy_page(response.status_code, response.headers, response.content.decode())
    assert "503.html" in [t.name for t in response.templates]
    # One line for operators, without a traceback.
    assert [(r.name, r.levelname, r.getMessage(), r.exc_info) for r in caplog.records] == [
        (
            "decisionguide.ops",
            "WARNING",
            "database unavailable for GET /test-only/locked/: OperationalError: database is locked",
            None,
        )
    ]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_other_database_errors_stay_server_errors(client: Client) -> None:
    client.raise_request_exception = False
    assert client.get("/test-only/integrity/").status_code == 500


@pytest.mark.django_db
def test_a_failed_creation_leaves_neither_result_nor_counted_attempt(
    client: Client, seed_guide: Guide, monkeypatch
) -> None:
    doc = seed_guide.published_document()
    check = client.get(
        with_query(reverse("questionnaire-check", args=[doc.slug]), complete_answers(doc))
    )
    form = result_form(check.content.decode())

    def locked_while_storing(*args: object, **kwargs: object) -> Result:
        # The attempt has been counted by now, in the same transaction.
        assert RateLimitCounter.objects.count() == 1
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(permalink, "store_result", locked_while_storing)
    response = client.post(form.action, dict(form.fields), secure=True)
    assert_busy_page(response.status_code, response.headers, response.content.decode())
    assert RateLimitCounter.objects.count() == 0
    assert Result.objects.count() == 0
    # The attempt that failed did not use up the visitor's allowance: the next one stores.
    monkeypatch.undo()
    assert stored_result_url(client, seed_guide).startswith("/r/")
    assert list(RateLimitCounter.objects.values_list("count", flat=True)) == [1]


# ---------------------------------------------------------------------------
# How long a connection waits, for requests and for commands


def test_requests_wait_seconds_for_a_lock_and_commands_wait_longer(tmp_path) -> None:
    code = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    print("busy_timeout", cursor.execute("PRAGMA busy_timeout").fetchone()[0])
"""
    env = production_subprocess_env(tmp_path)
    request = run_python(code, env)
    assert request.returncode == 0, request.stderr
    assert "busy_timeout 4000" in request.stdout
    tuned = run_python(code, env | {"DECISIONGUIDE_DB_TIMEOUT": "2.5"})
    assert "busy_timeout 2500" in tuned.stdout
    command = manage(["shell", "-c", code.replace("import django\ndjango.setup()", "")], env)
    assert command.returncode == 0, command.stderr
    assert "busy_timeout 60000" in command.stdout


def test_postgresql_connections_give_up_on_locks_and_dead_servers(tmp_path) -> None:
    env = production_env(tmp_path, DATABASE_URL="postgres://guide@db.internal:5432/guide")
    options = settings_under(env, ["DATABASES"])["DATABASES"]["default"]["OPTIONS"]
    assert options["options"] == "-c lock_timeout=4000"
    assert options["connect_timeout"] == 4
    # Options given in DATABASE_URL are kept.
    env["DATABASE_URL"] += "?options=-c%20statement_timeout%3D9000"
    options = settings_under(env, ["DATABASES"])["DATABASES"]["default"]["OPTIONS"]
    assert options["options"] == "-c statement_timeout=9000 -c lock_timeout=4000"


# ---------------------------------------------------------------------------
# A database that is missing or down


PAGES_WITHOUT_A_DATABASE = """
import json, time
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
replies = {}
for path in ("/", "/guides/crm-pm-hybrid/", "/healthz", "/readyz"):
    started = time.monotonic()
    response = client.get(path, secure=True)
    replies[path] = {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "body": response.content.decode(),
        "seconds": time.monotonic() - started,
    }
print(json.dumps(replies))
"""


@pytest.mark.parametrize("database", ["sqlite-no-folder", "sqlite-not-migrated", "postgres-down"])
def test_pages_answer_503_while_the_database_is_missing_or_down(tmp_path, database) -> None:
    if database == "postgres-down":
        pytest.importorskip("psycopg")
        url = "postgres://guide@127.0.0.1:1/guide"  # nothing listens on port 1
    elif database == "sqlite-no-folder":
        url = f"sqlite:///{tmp_path / 'gone' / 'db.sqlite3'}"
    else:
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    env = production_subprocess_env(
        tmp_path, DATABASE_URL=url, WHITENOISE_USE_FINDERS="1", DJANGO_MANIFEST_STATIC="0"
    )
    result = run_python(PAGES_WITHOUT_A_DATABASE, env)
    assert result.returncode == 0, result.stderr
    replies = json.loads(result.stdout.strip().splitlines()[-1])
    for page in ("/", "/guides/crm-pm-hybrid/"):
        reply = replies[page]
        assert reply["status"] == 503, reply["body"][:300]
        assert reply["retry_after"]
        assert "try again in a few seconds" in reply["body"]
        assert reply["seconds"] < CREATION_BOUND
    assert replies["/healthz"]["status"] == 200
    assert replies["/readyz"]["status"] == 503
    assert "Traceback" not in result.stdout


# ---------------------------------------------------------------------------
# The lock test: a real server, a database held by another connection


@contextmanager
def database_locked(database_url: str) -> Iterator[None]:
    """Hold the database as a stuck writer would, until the block ends."""
    if database_url.startswith("sqlite:///"):
        holder = sqlite3.connect(
            database_url.removeprefix("sqlite:///"), isolation_level=None, timeout=30
        )
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    import psycopg

    with psycopg.connect(database_url) as holder:
        # Only the results table: the attempt's counter is updated first, then the insert
        # waits, so this also shows the counter is rolled back with the result.
        holder.execute(f"LOCK TABLE {Result._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            holder.rollback()


@dataclass
class Timed:
    reply: Reply
    seconds: float


def timed(request: Callable[[], Reply]) -> Timed:
    started = time.monotonic()
    reply = request()
    return Timed(reply, time.monotonic() - started)


@dataclass
class Visitor:
    """A visitor of the server behind a TLS proxy, holding a check page's form."""

    port: int
    host: str
    doc: GuideDocument

    def __post_init__(self) -> None:
        self.proxy = {"Host": f"{self.host}:{self.port}", "X-Forwarded-Proto": "https"}
        answers = complete_answers(self.doc)
        check_path = reverse("questionnaire-check", args=[self.doc.slug])
        check = self.get(f"{check_path}?{urlencode(answers)}")
        assert check.status == 200, check.body[:500]
        self.form = result_form(check.body.decode())
        self.csrf = SimpleCookie(check.headers["Set-Cookie"])[settings.CSRF_COOKIE_NAME].value
        first = self.doc.questions[0]
        self.pages = [
            reverse("guide-detail", args=[self.doc.slug]),
            reverse("questionnaire-question", args=[self.doc.slug, first.slug]),
            "/healthz",
            "/readyz",  # the database answers: only the results are held
        ]

    def get(self, path: str) -> Reply:
        return fetch(self.port, path, headers=self.proxy)

    def create_result(self) -> Reply:
        headers = self.proxy | {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{settings.CSRF_COOKIE_NAME}={self.csrf}",
            "Origin": f"https://{self.host}:{self.port}",
        }
        body = urlencode(self.form.fields).encode()
        return fetch(self.port, self.form.action, method="POST", body=body, headers=headers)

    def read_pages(self, rounds: int) -> list[tuple[str, Timed]]:
        return [
            (page, timed(lambda page=page: self.get(page)))
            for _ in range(rounds)
            for page in self.pages
        ]


def stored(database_url: str) -> tuple[int, int]:
    """Results stored, and attempts counted by the rate limit."""
    results = query(database_url, f"SELECT COUNT(*) FROM {Result._meta.db_table}")[0][0]
    attempts = query(database_url, f"SELECT SUM(count) FROM {RateLimitCounter._meta.db_table}")
    return results, attempts[0][0] or 0


def pages_counted(database_url: str) -> int:
    table = AnswerCounter._meta.db_table
    rows = query(database_url, f"SELECT SUM(count) FROM {table} WHERE kind = 'shown'")
    return rows[0][0] or 0


def test_while_the_database_is_locked_results_get_a_fast_503_and_reads_carry_on(
    tmp_path, seed_document: GuideDocument
) -> None:
    rounds = 3
    with scratch_database(tmp_path) as database_url:
        env = production_env(
            tmp_path,
            DATABASE_URL=database_url,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DECISIONGUIDE_LOAD_CONTENT="1",
            WEB_CONCURRENCY="4",
            # Every page view is due for writing at once: a write inside the request
            # would make the question page wait on the lock.
            DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS="1",
        )
        bin_start = [str(Path(settings.BASE_DIR) / "bin" / "start")]
        with running_server(bin_start, env, tmp_path) as server:
            visitor = Visitor(server.port, "127.0.0.1", seed_document)
            # Each page once first (every worker memoises what it rendered; this is about
            # the lock, not the first render).
            warm = visitor.read_pages(rounds=1)
            assert all(t.reply.status == 200 for _, t in warm)
            with database_locked(database_url), ThreadPoolExecutor(max_workers=2) as pool:
                creating = pool.submit(timed, visitor.create_result)
                time.sleep(0.5)  # the creation is waiting for the lock now
                reading = pool.submit(visitor.read_pages, rounds)
                creation, reads = creating.result(), reading.result()
            after_lock = stored(database_url)
            # Once the lock is gone the same server stores results again.
            again = visitor.create_result()
            after_again = stored(database_url)
            shown = 1 + rounds  # question page views: the warm-up's and one per round
            deadline = time.monotonic() + 30
            while pages_counted(database_url) < shown and time.monotonic() < deadline:
                time.sleep(0.5)
            counted = pages_counted(database_url)
        log = server.log()

    kind = database_url.split(":")[0]
    slowest = max(t.seconds for _, t in reads)
    print(
        f"\nlock test ({kind}): creation {creation.reply.status} after {creation.seconds:.2f}s; "
        f"{len(reads)} reads during the lock, slowest {slowest:.3f}s "
        + ", ".join(f"{page} {t.seconds * 1000:.0f}ms" for page, t in reads[: len(visitor.pages)])
    )
    assert_busy_page(creation.reply.status, creation.reply.headers, creation.reply.body.decode())
    assert creation.seconds < CREATION_BOUND
    assert [(page, t.reply.status) for page, t in reads] == [
        (p, 200) for p in visitor.pages
    ] * rounds
    assert slowest < READ_BOUND
    assert after_lock == (0, 0)  # neither the result nor the counted attempt
    assert again.status == 303
    assert after_again == (1, 1)
    # Page views during the lock were kept in memory and written once it was gone.
    assert counted == shown
    assert "Traceback" not in log
    assert server.process.returncode == 0
