"""The questionnaire counters read back, per published version and range of days, for the
admin's analytics page (`analytics.funnel` puts them together)."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from decisionguide.analytics.models import AnswerCounter
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument

SHOWN = AnswerCounter.Kind.SHOWN
ANSWERED = AnswerCounter.Kind.ANSWERED
ROUTED = AnswerCounter.Kind.ROUTED
RESULT = AnswerCounter.Kind.RESULT
DEPTH = AnswerCounter.Kind.DEPTH
WHATIF = AnswerCounter.Kind.WHATIF
EMBEDDED = AnswerCounter.Kind.EMBEDDED
CHECK = AnswerCounter.Kind.CHECK

Totals = dict[tuple[str, str, str], int]  # (kind, question, choice) -> count


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


@dataclass(frozen=True)
class Days:
    """Whole days, both ends included, as the counters keep them (UTC)."""

    first: dt.date
    last: dt.date

    @classmethod
    def ending_today(cls, number: int) -> Days:
        today = timezone.now().date()
        return cls(today - dt.timedelta(days=number - 1), today)

    @property
    def count(self) -> int:
        return (self.last - self.first).days + 1

    def mondays(self) -> list[dt.date]:
        """The Monday of every week these days touch, oldest first."""
        monday = self.first - dt.timedelta(days=self.first.weekday())
        return [monday + dt.timedelta(weeks=n) for n in range((self.last - monday).days // 7 + 1)]


def counters(guide: Guide, days: Days | None = None) -> QuerySet[AnswerCounter]:
    rows = AnswerCounter.objects.filter(guide=guide)
    return rows if days is None else rows.filter(day__range=(days.first, days.last))


def counted_versions(guide: Guide, days: Days | None = None) -> list[int]:
    """Published versions with counts (on `days`, if given), newest first."""
    versions = counters(guide, days).order_by().values_list("version", flat=True).distinct()
    return sorted(set(versions), reverse=True)


def totals(guide: Guide, version: int, *, days: Days | None = None) -> Totals:
    """Every counter of one published version, summed over the days (all, or `days`)."""
    return totals_by_version(guide, [version], days=days).get(version, defaultdict(int))


def totals_by_version(
    guide: Guide, versions: Iterable[int] | None = None, *, days: Days | None = None
) -> dict[int, Totals]:
    """The counters of each version (all, or `versions`), summed over the days, in one query."""
    rows = counters(guide, days)
    if versions is not None:
        rows = rows.filter(version__in=list(versions))
    found: dict[int, Totals] = defaultdict(lambda: defaultdict(int))
    summed = rows.order_by().values("version", "kind", "question", "choice")
    for row in summed.annotate(total=Sum("count")):
        found[row["version"]][row["kind"], row["question"], row["choice"]] += row["total"]
    return dict(found)


def first_depth_day(guide: Guide) -> dt.date | None:
    """The first day answers were counted with their depth (older counters have none)."""
    return (
        AnswerCounter.objects.filter(guide=guide, kind=DEPTH)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )


def depths(counts: Totals) -> dict[int, int]:
    """N -> how many answers were a visit's Nth: the visits that answered at least N."""
    found: dict[int, int] = defaultdict(int)
    for (kind, _, choice), number in counts.items():
        if kind == DEPTH and choice.isdigit():
            found[int(choice)] += number
    return dict(found)


def answered_histogram(visits: int, at_least: dict[int, int]) -> list[int]:
    """How many of `visits` answered exactly 0, 1, 2... questions.

    `at_least[n]` visits answered n or more. Going back and answering again
    counts an answer twice, so the figures are kept in order (never more visits
    at n + 1 than at n, nor at 1 than started) before they are told apart.
    """
    reach = [visits]
    for number in range(1, max(at_least, default=0) + 1):
        reach.append(min(reach[-1], at_least.get(number, 0)))
    reach.append(0)
    return [reach[n] - reach[n + 1] for n in range(len(reach) - 1)]


def median(histogram: list[int]) -> float | None:
    """The median of values 0, 1, 2... counted `histogram[value]` times (None: no values)."""
    total = sum(histogram)
    if total == 0:
        return None

    def value_at(position: int) -> int:  # 0-based, in ascending order
        seen = 0
        for value, number in enumerate(histogram):
            seen += number
            if position < seen:
                return value
        raise AssertionError("position beyond the total")

    middle = total // 2
    if total % 2:
        return float(value_at(middle))
    return (value_at(middle - 1) + value_at(middle)) / 2


def question_stats(counts: Totals, doc: GuideDocument) -> list[QuestionStats]:
    """Shown and answered counts per question and choice, in the document's question order."""
    stats = []
    for question in doc.questions:
        answers = {
            c.slug: counts.get((ANSWERED, question.slug, c.slug), 0) for c in question.choices
        }
        answered = sum(answers.values())
        stats.append(
            QuestionStats(
                slug=question.slug,
                prompt=question.prompt,
                shown=counts.get((SHOWN, question.slug, ""), 0),
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


def routes_taken(counts: Totals, doc: GuideDocument) -> list[tuple[str, str, int]]:
    """(route page, question=choice, count): the route pages shown, most often first."""
    taken = [
        (choice.route, f"{question.slug}={choice.slug}", counts[ROUTED, question.slug, choice.slug])
        for question in doc.questions
        for choice in question.choices
        if choice.route is not None and counts.get((ROUTED, question.slug, choice.slug))
    ]
    return sorted(taken, key=lambda item: -item[2])


def results_shown(counts: Totals, doc: GuideDocument) -> list[tuple[str, int]]:
    """(outcome name, count): recommendations shown, in the document's outcome order."""
    return [
        (outcome.name, counts.get((RESULT, "", outcome.slug), 0))
        for outcome in doc.outcomes
        if counts.get((RESULT, "", outcome.slug))
    ]


def checks_shown(counts: Totals) -> int:
    """*Check your answers* pages shown (every question answered, before the result)."""
    return counts.get((CHECK, "", ""), 0)


def whatifs_shown(counts: Totals) -> int:
    """What-if views of stored results (one answer changed), counted apart from results."""
    return sum(number for (kind, _, _), number in counts.items() if kind == WHATIF)


def embedded_starts(counts: Iterable[Totals]) -> list[tuple[str, int]]:
    """(site's origin, visits started inside its pages), most first; "" for a framing site
    the request did not name."""
    found: dict[str, int] = defaultdict(int)
    for totals in counts:
        for (kind, _, choice), number in totals.items():
            if kind == EMBEDDED:
                found[choice] += number
    return sorted(found.items(), key=lambda item: (-item[1], item[0]))


def starts_and_results_since(
    first_questions: dict[int, str], since: dt.date
) -> dict[int, tuple[int, int]]:
    """Per guide id: visits started (its first question's pages shown, `first_questions`)
    and recommendations shown since `since`, every version together, in one query."""
    if not first_questions:
        return {}
    first_shown = functools.reduce(
        operator.or_, (Q(guide_id=pk, question=slug) for pk, slug in first_questions.items())
    )
    rows = (
        AnswerCounter.objects.filter(guide_id__in=list(first_questions), day__gte=since)
        .filter(
            Q(kind=AnswerCounter.Kind.RESULT) | (Q(kind=AnswerCounter.Kind.SHOWN) & first_shown)
        )
        .values("guide_id", "kind")
        .annotate(total=Sum("count"))
    )
    totals = {(row["guide_id"], row["kind"]): row["total"] for row in rows}
    return {
        pk: (
            totals.get((pk, AnswerCounter.Kind.SHOWN), 0),
            totals.get((pk, AnswerCounter.Kind.RESULT), 0),
        )
        for pk in first_questions
    }
