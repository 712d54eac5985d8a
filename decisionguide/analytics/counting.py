"""Anonymous questionnaire analytics, counted on the server.

`QuestionnaireCounterMiddleware` watches questionnaire responses on their way
out and counts events: a question page shown, a question answered (with which
choice). A request only adds its events to the worker's buffer in memory: it
never runs a query for them, so no visitor waits on an analytics write, even
while the database is locked. A background thread of each worker writes the
buffer as daily counters, in one transaction per guide, every
DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS (so counts show within that time even on
a quiet site), sooner once DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS events have
gathered, and what is left when the worker exits. A write that fails (a busy
database) keeps the events for the next try, a few seconds later; memory stays
bounded by MAX_PENDING_COUNTERS. No cookies, no scripts, nothing about the
visitor: only the guide, its published version, slugs, the day and a count.
Staff previews of a draft are not counted.

Add it to MIDDLEWARE (anywhere after AuthenticationMiddleware):
    "decisionguide.analytics.counting.QuestionnaireCounterMiddleware"

The rest of the module reads the counters (and stored results) back for the
admin's analytics page.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import F, Sum
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from decisionguide.content.models import AnswerCounter, Guide
from decisionguide.content.preview import PREVIEW_PARAM, asks_for_preview
from decisionguide.decision.document import GuideDocument

logger = logging.getLogger(__name__)

QUESTION_URL = "questionnaire-question"
ANSWER_URL = "questionnaire-answer"
QUESTIONNAIRE_PREFIX = "questionnaire-"
PUSH_URL_HEADER = "HX-Push-Url"
SHOWN = AnswerCounter.Kind.SHOWN
ANSWERED = AnswerCounter.Kind.ANSWERED

Event = tuple[str, str, str]  # kind, question slug, choice slug ("" when shown)
# guide slug, kind, question slug, choice slug, day: one daily counter.
CounterKey = tuple[str, str, str, str, dt.date]

# Distinct counters a worker keeps while the database can't take them: far more than a
# day of any guide needs (the seed guide has about 80), a few megabytes at most. Events
# for counters beyond it are dropped, and the drop is logged.
MAX_PENDING_COUNTERS = 10_000
# After a failed write the thread tries again this many seconds later.
RETRY_SECONDS = 5.0


# ---------------------------------------------------------------------------
# Counting


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


def response_events(request: HttpRequest, response: HttpResponse) -> tuple[str, list[Event]]:
    """The guide slug and the events a questionnaire response stands for."""
    match = getattr(request, "resolver_match", None)
    if match is None or not str(match.url_name or "").startswith(QUESTIONNAIRE_PREFIX):
        return "", []
    if request.method != "GET" or (asks_for_preview(request) and PREVIEW_PARAM in request.GET):
        return "", []
    events: list[Event] = []
    status = response.status_code
    # With HTMX the next step's panel comes back at once (200) and this header
    # names the page it stands for; without, a redirect leads there.
    pushed = response.get(PUSH_URL_HEADER) if status == 200 else None
    if match.url_name == ANSWER_URL and (status == 303 or pushed):
        question = match.kwargs.get("question_slug", "")
        events.append((ANSWERED, question, request.GET.get(question, "")))
    if match.url_name == QUESTION_URL and status == 200 and not pushed:
        events.append((SHOWN, match.kwargs.get("question_slug", ""), ""))
    if pushed:
        try:
            target = resolve(urlsplit(pushed).path)
        except Resolver404:
            target = None
        if target is not None and target.url_name == QUESTION_URL:
            events.append((SHOWN, target.kwargs.get("question_slug", ""), ""))
    return match.kwargs.get("slug", ""), events


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

    def add(self, slug: str, events: list[Event]) -> None:
        """Count events in memory; never touches the database."""
        day = timezone.now().date()
        with self._lock:
            for kind, question_slug, choice_slug in events:
                key = (slug, kind, question_slug, choice_slug, day)
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
            by_guide: dict[str, list[tuple[CounterKey, int]]] = defaultdict(list)
            for key, count in pending.items():
                by_guide[key[0]].append((key, count))
            unwritten = list(by_guide.items())
            try:
                while unwritten:
                    slug, counts = unwritten[0]
                    write_counts(slug, [(*key[1:], count) for key, count in counts])
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
            for key, count in counts:
                if key in self._pending or len(self._pending) < MAX_PENDING_COUNTERS:
                    self._pending[key] += count
                    self._events += count
                else:
                    self._dropped += count

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
    return max(0.1, getattr(settings, "DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS", 60))


buffer = EventBuffer()
# Gunicorn stops and recycles workers gracefully (the interpreter exits normally), so
# this runs in every worker on its way out: what is still buffered gets written.
atexit.register(lambda: buffer.flush_quietly())


def record_response(request: HttpRequest, response: HttpResponse) -> None:
    slug, events = response_events(request, response)
    if events:
        buffer.add(slug, events)


def write_counts(slug: str, counts: list[tuple[str, str, str, dt.date, int]]) -> None:
    guide = (
        Guide.objects.published()
        .filter(slug=slug)
        .annotate(published_number=F("published_version__version"))
        .only("pk", "slug", "version", "updated", "is_published", "published_version_id")
        .first()
    )
    if guide is None:
        return
    doc = guide.document()  # memoised: the questionnaire view just read it
    with transaction.atomic():
        for kind, question_slug, choice_slug, day, count in counts:
            if is_known(doc, question_slug, choice_slug):
                bump(guide.pk, guide.published_number, question_slug, choice_slug, kind, day, count)


def is_known(doc: GuideDocument, question_slug: str, choice_slug: str) -> bool:
    """Only slugs of the guide are stored: a tampered URL can't write arbitrary text."""
    question = doc.question(question_slug)
    if question is None:
        return False
    return choice_slug == "" or question.choice(choice_slug) is not None


class QuestionnaireCounterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        record_response(request, response)  # in memory only: no query, no wait
        return response


# ---------------------------------------------------------------------------
# Reading them back


@dataclass
class ChoiceShare:
    slug: str
    label: str
    count: int
    share: float  # of this question's answers, 0..100
    route: str | None


@dataclass
class QuestionStats:
    slug: str
    prompt: str
    shown: int
    answered: int
    choices: list[ChoiceShare] = field(default_factory=list)

    @property
    def stopped(self) -> int:
        """Shown but not answered: visitors who left here (or came back later)."""
        return max(self.shown - self.answered, 0)

    @property
    def answer_rate(self) -> float | None:
        return 100 * self.answered / self.shown if self.shown else None


def counted_versions(guide: Guide) -> list[int]:
    """Published versions with counts, newest first."""
    versions = AnswerCounter.objects.filter(guide=guide).values_list("version", flat=True)
    return sorted(set(versions), reverse=True)


def question_stats(guide: Guide, version: int, doc: GuideDocument) -> list[QuestionStats]:
    """Shown and answered counts per question and choice, in the document's question order."""
    totals: dict[tuple[str, str, str], int] = defaultdict(int)
    rows = (
        AnswerCounter.objects.filter(guide=guide, version=version)
        .values("kind", "question", "choice")
        .annotate(total=Sum("count"))
    )
    for row in rows:
        totals[row["kind"], row["question"], row["choice"]] += row["total"]
    stats = []
    for question in doc.questions:
        answers = {c.slug: totals[ANSWERED, question.slug, c.slug] for c in question.choices}
        answered = sum(answers.values())
        stats.append(
            QuestionStats(
                slug=question.slug,
                prompt=question.prompt,
                shown=totals[SHOWN, question.slug, ""],
                answered=answered,
                choices=[
                    ChoiceShare(
                        slug=c.slug,
                        label=c.label,
                        count=answers[c.slug],
                        share=100 * answers[c.slug] / answered if answered else 0.0,
                        route=c.route,
                    )
                    for c in question.choices
                ],
            )
        )
    return stats


def routes_taken(stats: list[QuestionStats]) -> list[tuple[str, str, int]]:
    """(route page, question=choice, count) for every routing choice answered."""
    taken = [
        (choice.route, f"{question.slug}={choice.slug}", choice.count)
        for question in stats
        for choice in question.choices
        if choice.route is not None
    ]
    return sorted(taken, key=lambda item: -item[2])
