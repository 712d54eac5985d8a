"""Anonymous questionnaire analytics, counted on the server.

The views that show and answer questions call this module with the page
they served (`pagecache.GuidePage`: the guide's published version):

    analytics.question_shown(page, question)
    analytics.question_answered(page, question, choice)
    analytics.answers_given(page, number)           # that answer was the visit's Nth
    analytics.route_taken(page, question, choice)   # a route page sent them elsewhere
    analytics.check_shown(page)                     # the Check your answers page
    analytics.result_shown(page, outcome_slug)      # their recommendation
    analytics.whatif_shown(source, guide_id, version, question, choice)
                                                    # a stored result, one answer changed

Each call registers the event with the page (`page.every_visit`), so a page
served again from the page cache counts again; staff previews of a draft and
HEAD requests are never counted.

A request only adds its events to the worker's buffer in memory: it never
runs a query for them, so no visitor waits on an analytics write, even while
the database is locked. A background thread of each worker writes the buffer
as daily counters, in one transaction per guide, every
DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS (so counts show within that time even on
a quiet site), sooner once DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS events have
gathered, and what is left when the worker exits (`flush_on_exit`, gunicorn's
worker_exit hook; atexit elsewhere). Every worker writes guides and counters in
one sorted order, so two writing at once (a graceful restart stops them all
together) wait for each other instead of deadlocking; a deadlock or
serialization failure PostgreSQL still reports is tried again at once. A write
that fails otherwise (a busy database) keeps the events for the next try, a few
seconds later; memory stays bounded by MAX_PENDING_COUNTERS. No cookies, no
scripts, nothing about the visitor: only the guide, its published version,
slugs, the day and a count.
The version is the one the page showed, fixed when the request looked the
guide up: a publish before the write never moves a count to the new version.

`decisionguide.analytics.report` reads the counters back for the admin.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import random
import threading
import time
from collections import Counter, defaultdict
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from decisionguide.analytics.models import AnswerCounter
from decisionguide.content.models import Guide
from decisionguide.decision.document import Choice, Question
from decisionguide.pagecache import GuidePage, PageSource

logger = logging.getLogger(__name__)

SHOWN = AnswerCounter.Kind.SHOWN
ANSWERED = AnswerCounter.Kind.ANSWERED
ROUTED = AnswerCounter.Kind.ROUTED
RESULT = AnswerCounter.Kind.RESULT
DEPTH = AnswerCounter.Kind.DEPTH
WHATIF = AnswerCounter.Kind.WHATIF
EMBEDDED = AnswerCounter.Kind.EMBEDDED
CHECK = AnswerCounter.Kind.CHECK

# Distinct counters a worker keeps while the database can't take them: far more than a
# day of any guide needs (the seed guide has about 80), a few megabytes at most. Events
# for counters beyond it are dropped, and the drop is logged.
MAX_PENDING_COUNTERS = 10_000
# After a failed write the thread tries again this many seconds later.
RETRY_SECONDS = 5.0
# A deadlock or serialization failure is tried again at once, a few times, after a
# pause of about RETRY_PAUSE_SECONDS, doubling (write_with_retries).
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})
WRITE_ATTEMPTS = 4
RETRY_PAUSE_SECONDS = 0.05
# A stopping worker's last write (flush_on_exit): tries, and the pause between them.
EXIT_ATTEMPTS = 3
EXIT_PAUSE_SECONDS = 1.0


class Event(NamedTuple):
    """Something that happened once in a published version's questionnaire."""

    guide_id: int
    version: int  # the published version's number
    kind: str
    question: str  # slug ("" for a result)
    choice: str  # slug ("" when shown; the outcome's for a result)


# guide id, version, kind, question slug, choice slug, day: one daily counter.
CounterKey = tuple[int, int, str, str, str, dt.date]


# ---------------------------------------------------------------------------
# What the views call


def question_shown(page: GuidePage, question: Question) -> None:
    """The page showed `question` (not when it came back with an error)."""
    _on_every_visit(page, SHOWN, question.slug, "")


def question_answered(page: GuidePage, question: Question, choice: Choice) -> None:
    """The visitor answered `question` with `choice` (a valid answer, moving on)."""
    _on_every_visit(page, ANSWERED, question.slug, choice.slug)


def answers_given(page: GuidePage, number: int) -> None:
    """The answer just taken was the visit's `number`th (its answers so far, in the URL).

    Counted per number, so the report knows how many visits answered at least N
    questions (hence the median) without telling one visitor from another.
    """
    if number > 0:
        _on_every_visit(page, DEPTH, "", str(number))


def route_taken(page: GuidePage, question: Question, choice: Choice) -> None:
    """`choice` sent the visitor to another page: the route page was shown."""
    _on_every_visit(page, ROUTED, question.slug, choice.slug)


def check_shown(page: GuidePage) -> None:
    """The *Check your answers* page was shown, every question answered."""
    _on_every_visit(page, CHECK, "", "")


def result_shown(page: GuidePage, outcome: str | None) -> None:
    """The visitor got their recommendation: `outcome` (None, as for a route: not counted)."""
    if outcome:
        _on_every_visit(page, RESULT, "", outcome)


def whatif_shown(
    source: PageSource, guide_id: int, version: int, question: str, choice: str
) -> None:
    """A stored result was shown with `question` answered `choice` instead (a what-if).

    Not a result shown: nothing was stored or recommended to anyone anew. `version` is
    the result's own, which the what-if runs on; `source` is the permalink's page source.
    """
    source.every_visit(count, guide_id, version, WHATIF, question, choice)


def embedded_visit(guide_id: int, version: int, origin: str) -> None:
    """The questionnaire was started inside a page of `origin` (an allowed origin, or "")."""
    count(guide_id, version, EMBEDDED, "", origin)


def _on_every_visit(page: GuidePage, kind: str, question: str, choice: str) -> None:
    if page.preview:
        return  # a staff member looking at the draft, not a visitor
    version = page.version
    # Plain values, not an Event: they are stored with a cached page and read on every visit.
    page.every_visit(count, version.guide_id, version.version, kind, question, choice)


def count(guide_id: int, version: int, kind: str, question: str, choice: str) -> None:
    """Add one event to this worker's buffer (in memory only: no query, no wait)."""
    buffer.add(Event(guide_id, version, kind, question, choice))


# ---------------------------------------------------------------------------
# Writing them


def bump(
    guide_id: int,
    version: int,
    question: str,
    choice: str,
    kind: str,
    day: dt.date,
    by: int = 1,
) -> None:
    """Add `by` to the day's counter (created on first use)."""
    key = {
        "guide_id": guide_id,
        "version": version,
        "question": question,
        "choice": choice,
        "day": day,
        "kind": kind,
    }
    try:
        with transaction.atomic():
            if AnswerCounter.objects.filter(**key).update(count=F("count") + by):
                return
            AnswerCounter.objects.create(**key, count=by)
    except IntegrityError:  # created by a concurrent request since our UPDATE
        AnswerCounter.objects.filter(**key).update(count=F("count") + by)


class EventBuffer:
    """Events counted in this worker and not written yet, and the thread that writes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the pending counts and the thread handle
        self._writing = threading.Lock()  # one write at a time: the thread, exit, tests
        self._pending: Counter[CounterKey] = Counter()
        self._events = 0
        self._dropped = 0
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._owner = 0  # the process the thread runs in: a forked worker starts its own

    def add(self, event: Event) -> None:
        """Count an event in memory; never touches the database."""
        key = (*event, timezone.now().date())
        with self._lock:
            if key in self._pending or len(self._pending) < MAX_PENDING_COUNTERS:
                self._pending[key] += 1
                self._events += 1
            else:
                self._dropped += 1
            due = self._events >= flush_events()
        if due:
            self._wake.set()
        self._start_writer()

    def pending(self) -> int:
        """Events waiting to be written."""
        with self._lock:
            return self._events

    def discard(self) -> None:
        """Forget pending events without writing them (tests start from an empty buffer)."""
        with self._lock:
            self._pending.clear()
            self._events = 0
            self._dropped = 0

    def flush(self) -> None:
        """Write what is pending now. On a database error the events not written yet are
        put back for the next try, and the error is raised."""
        with self._writing:
            with self._lock:
                pending, self._pending, self._events = self._pending, Counter(), 0
            # One order for every worker, guides and counters sorted: two workers writing
            # the same counters at once then lock them in the same order, so one waits
            # for the other instead of both deadlocking.
            by_guide: dict[int, list[tuple[CounterKey, int]]] = defaultdict(list)
            for key, number in sorted(pending.items()):
                by_guide[key[0]].append((key, number))
            unwritten = sorted(by_guide.items())
            try:
                while unwritten:
                    guide_id, counts = unwritten[0]
                    write_with_retries(guide_id, [(*key[1:], number) for key, number in counts])
                    unwritten.pop(0)  # written: its transaction committed
            finally:
                self._put_back([item for _, counts in unwritten for item in counts])

    def flush_quietly(self) -> bool:
        """flush(), logging instead of raising; True when everything pending was written."""
        try:
            self.flush()
        except Exception as exc:  # a busy or missing database must never stop the writer
            logger.warning(
                "questionnaire counters not written, kept for the next try (%d events): %s: %s",
                self.pending(),
                type(exc).__name__,
                " ".join(str(exc).split()),
            )
            return False
        finally:
            self._log_dropped()
        return True

    def _put_back(self, counts: list[tuple[CounterKey, int]]) -> None:
        with self._lock:
            for key, number in counts:
                if key in self._pending or len(self._pending) < MAX_PENDING_COUNTERS:
                    self._pending[key] += number
                    self._events += number
                else:
                    self._dropped += number

    def _log_dropped(self) -> None:
        with self._lock:
            dropped, self._dropped = self._dropped, 0
        if dropped:
            logger.warning(
                "%d questionnaire events dropped: over %d counters waiting to be written",
                dropped,
                MAX_PENDING_COUNTERS,
            )

    def _start_writer(self) -> None:
        if not getattr(settings, "DECISIONGUIDE_ANALYTICS_BACKGROUND", True):
            return
        pid = os.getpid()
        if self._owner == pid and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._owner == pid and self._thread is not None and self._thread.is_alive():
                return
            self._owner = pid
            self._thread = threading.Thread(
                target=self._write_in_background, name="analytics-writer", daemon=True
            )
            self._thread.start()

    def _write_in_background(self) -> None:
        """The worker's writer: on the timer or when woken, until the process ends."""
        while True:
            self._wake.wait(timeout=flush_seconds())
            self._wake.clear()
            while not self._flush_with_own_connection():
                # A pause, whatever arrives meanwhile: a busy database gets no stampede.
                time.sleep(min(RETRY_SECONDS, flush_seconds()))

    def _flush_with_own_connection(self) -> bool:
        # This thread's own connection, looked after as Django does between requests.
        close_old_connections()
        try:
            return self.flush_quietly()
        finally:
            close_old_connections()


def flush_events() -> int:
    return getattr(settings, "DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS", 1000)


def flush_seconds() -> float:
    # Never 0: the writer would spin.
    return max(0.1, getattr(settings, "DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS", 30))


buffer = EventBuffer()


def flush_on_exit() -> None:
    """Write what is still buffered: the worker is stopping (gunicorn's worker_exit hook,
    on a graceful restart or stop and on a recycle after max_requests).

    A few tries, a moment apart, within gunicorn's graceful timeout: a database busy at
    that moment must not cost the counts a whole worker gathered since its last write.
    """
    for attempt in range(EXIT_ATTEMPTS):
        if not buffer.pending():
            return  # nothing to write: no connection opened
        if attempt:
            time.sleep(EXIT_PAUSE_SECONDS)
        if buffer._flush_with_own_connection():
            return


# Under any other server too (runserver, a management command that counted, a plain WSGI
# server): the interpreter's normal exit writes the rest. After gunicorn's worker_exit it
# finds nothing left and touches no database.
atexit.register(flush_on_exit)


def write_with_retries(
    guide_id: int, counts: list[tuple[int, str, str, str, dt.date, int]]
) -> None:
    """write_counts(), run again after a short, jittered pause when PostgreSQL picked its
    transaction to fail a conflict it can resolve no other way: a deadlock (with a writer
    outside the fixed order, an editor deleting the guide say) or a serialization failure.
    Any other error, or the last attempt's, goes to the caller, which keeps the events."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            write_counts(guide_id, counts)
            return
        except DatabaseError as exc:
            # Inside a caller's transaction (a test's), that whole transaction is lost.
            retry = is_transient_conflict(exc) and not transaction.get_connection().in_atomic_block
            if not retry or attempt == WRITE_ATTEMPTS:
                raise
            logger.info("questionnaire counters: %s, trying again", type(exc.__cause__).__name__)
            time.sleep(RETRY_PAUSE_SECONDS * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))


def is_transient_conflict(exc: DatabaseError) -> bool:
    """A deadlock (40P01) or serialization failure (40001). psycopg raises them as
    DeadlockDetected and SerializationFailure, which Django passes on as
    django.db.OperationalError with psycopg's error as the cause."""
    for error in (exc, exc.__cause__):
        if getattr(error, "sqlstate", None) in TRANSIENT_SQLSTATES:
            return True
    return False


def write_counts(guide_id: int, counts: list[tuple[int, str, str, str, dt.date, int]]) -> None:
    """One guide's counts (version, kind, question, choice, day, count) in one transaction.

    The views only count slugs of the document they served; a guide deleted
    since is skipped (its counters went with it).
    """
    with transaction.atomic():
        if not Guide.objects.filter(pk=guide_id).exists():
            return
        for version, kind, question_slug, choice_slug, day, number in counts:
            bump(guide_id, version, question_slug, choice_slug, kind, day, number)
