"""Anonymous questionnaire analytics, counted on the server.

`QuestionnaireCounterMiddleware` watches questionnaire responses on their way
out and counts events: a question page shown, a question answered (with which
choice). Events are buffered in the worker and written as daily counters in
one transaction every DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS events or
DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS seconds (and when the worker exits), so
a questionnaire page costs no extra query. No cookies, no scripts, nothing
about the visitor: only the guide, its published version, slugs, the day and
a count. Staff previews of a draft are
not counted. A failing counter write is logged and never breaks the page.

Add it to MIDDLEWARE (anywhere after AuthenticationMiddleware):
    "decisionguide.guides.analytics.QuestionnaireCounterMiddleware"

The rest of the module reads the counters (and stored results) back for the
admin's analytics page.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncWeek
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from decisionguide.decision.document import GuideDocument
from decisionguide.guides.models import AnswerCounter, Guide
from decisionguide.guides.publishing import PREVIEW_PARAM, asks_for_preview

logger = logging.getLogger(__name__)

QUESTION_URL = "questionnaire-question"
ANSWER_URL = "questionnaire-answer"
QUESTIONNAIRE_PREFIX = "questionnaire-"
PUSH_URL_HEADER = "HX-Push-Url"
SHOWN = AnswerCounter.Kind.SHOWN
ANSWERED = AnswerCounter.Kind.ANSWERED

Event = tuple[str, str, str]  # kind, question slug, choice slug ("" when shown)


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
    """Events counted in this worker, not yet written."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[tuple[str, str, str, str, dt.date]] = Counter()
        self._since = time.monotonic()

    def add(self, slug: str, events: list[Event]) -> None:
        day = timezone.now().date()
        with self._lock:
            for kind, question_slug, choice_slug in events:
                self._pending[(slug, kind, question_slug, choice_slug, day)] += 1
            due = sum(self._pending.values()) >= getattr(
                settings, "DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS", 1000
            ) or time.monotonic() - self._since >= getattr(
                settings, "DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS", 60
            )
        if due:
            self.flush()

    def discard(self) -> None:
        """Forget pending events without writing them (tests start from an empty buffer)."""
        with self._lock:
            self._pending.clear()
            self._since = time.monotonic()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._since = time.monotonic()
        by_guide: dict[str, list[tuple[str, str, str, dt.date, int]]] = defaultdict(list)
        for (slug, kind, question_slug, choice_slug, day), count in pending.items():
            by_guide[slug].append((kind, question_slug, choice_slug, day, count))
        for slug, counts in by_guide.items():
            write_counts(slug, counts)


buffer = EventBuffer()
# Gunicorn recycles workers gracefully: write what is pending on the way out.
atexit.register(lambda: _flush_quietly())


def _flush_quietly() -> None:
    try:
        buffer.flush()
    except Exception:  # at exit, a lost count must not hide the real shutdown
        logger.warning("questionnaire counters not written at exit", exc_info=True)


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
        try:
            record_response(request, response)
        except DatabaseError:
            logger.warning("questionnaire counters not updated", exc_info=True)
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


@dataclass
class WeeklyResults:
    weeks: list[dt.date]
    columns: list[str]  # outcome slugs, then "route: <page>" for routed results
    counts: dict[tuple[dt.date, str], int]

    def rows(self) -> list[tuple[dt.date, list[int], int]]:
        rows = []
        for week in self.weeks:
            cells = [self.counts.get((week, column), 0) for column in self.columns]
            rows.append((week, cells, sum(cells)))
        return rows


def weekly_results(guide: Guide, doc: GuideDocument, weeks: int = 12) -> WeeklyResults:
    """Stored results per recommended outcome per week (Monday), the last `weeks` weeks."""
    from decisionguide.results.models import Result

    since = timezone.now() - dt.timedelta(weeks=weeks)
    rows = (
        Result.objects.filter(guide_version__guide=guide, created__gte=since)
        .annotate(week=TruncWeek("created"))
        .values("week", "decision__outcome", "decision__route")
        .annotate(total=Count("pk"))
    )
    counts: dict[tuple[dt.date, str], int] = defaultdict(int)
    columns = [o.slug for o in doc.outcomes]
    for row in rows:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        outcome, route = row["decision__outcome"], row["decision__route"]
        column = str(outcome) if outcome else f"route: {route}"
        if column not in columns:
            columns.append(column)
        counts[week, column] += row["total"]
    return WeeklyResults(sorted({week for week, _ in counts}, reverse=True), columns, counts)
