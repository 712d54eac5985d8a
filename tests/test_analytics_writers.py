"""Two workers writing the same analytics counters at once, as at a graceful restart:
no deadlock, no error, every count written (decisionguide.analytics.counting).

Each writer is a buffer of its own flushed from a thread of its own, so on its own
database connection, as two gunicorn workers would. PostgreSQL only: it is where row
locks can deadlock (SQLite takes one write lock for the whole database).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.db.models import Sum
from django.utils import timezone

from decisionguide.analytics import counting
from decisionguide.analytics.models import AnswerCounter

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="row-lock deadlocks are PostgreSQL's",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 25
COUNTERS = 40  # per writer and round, every one shared with the other writer


def fill(buffer: counting.EventBuffer, guide_id: int, version: int, reverse: bool) -> None:
    """Every counter once, in ascending or descending order of first use."""
    slugs = [f"q{n:02d}" for n in range(COUNTERS)]
    for slug in reversed(slugs) if reverse else slugs:
        buffer.add(counting.Event(guide_id, version, AnswerCounter.Kind.SHOWN, slug, ""))


def flush_on_own_connection(buffer: counting.EventBuffer, start: threading.Barrier) -> None:
    try:
        start.wait()
        buffer.flush()  # raises what the writer would log
    finally:
        connections.close_all()  # this thread's connection, back to the pool


def test_two_writers_with_opposite_orders_write_every_count(small_guide, caplog):
    version = small_guide.published_version.version
    writers = [counting.EventBuffer(), counting.EventBuffer()]
    caplog.set_level(logging.WARNING)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(ROUNDS):
            for n, writer in enumerate(writers):
                fill(writer, small_guide.pk, version, reverse=n == 1)
            start = threading.Barrier(2)
            flushes = [pool.submit(flush_on_own_connection, w, start) for w in writers]
            for flush in flushes:
                flush.result()  # re-raises a writer's error: a deadlock not retried
    counters = AnswerCounter.objects.filter(guide=small_guide)
    assert counters.count() == COUNTERS
    assert counters.aggregate(total=Sum("count"))["total"] == 2 * ROUNDS * COUNTERS
    assert set(counters.values_list("count", flat=True)) == {2 * ROUNDS}
    assert all(w.pending() == 0 for w in writers)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_deadlock_is_tried_again_and_other_errors_are_not(small_guide, monkeypatch):
    from psycopg.errors import DeadlockDetected, UndefinedTable

    def failing(error: Exception, times: int):
        calls = []
        real = counting.write_counts

        def write_counts(*args):
            calls.append(args)
            if len(calls) <= times:
                # As Django raises it: its own error, psycopg's as the cause.
                raise OperationalError(str(error)) from error
            real(*args)

        monkeypatch.setattr(counting, "write_counts", write_counts)
        return calls

    version = small_guide.published_version.version
    counts = [(version, AnswerCounter.Kind.SHOWN, "q", "", timezone.now().date(), 3)]
    calls = failing(DeadlockDetected("deadlock detected"), times=2)
    counting.write_with_retries(small_guide.pk, counts)
    assert len(calls) == 3
    assert AnswerCounter.objects.get(guide=small_guide).count == 3
    calls = failing(UndefinedTable("no such table"), times=1)
    with pytest.raises(OperationalError):
        counting.write_with_retries(small_guide.pk, counts)
    assert len(calls) == 1
