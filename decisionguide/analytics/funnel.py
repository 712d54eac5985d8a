"""A guide's questionnaire funnel over a range of days: one version's, or several added up.

Everything comes from the anonymous daily counters (`analytics.report`), so the
figures describe page views, not people:

- a visit starts when the first question is shown (a reload or a Back to it
  counts again);
- the *Check your answers* step counts that page shown, once every question is
  answered;
- the completion rate is recommendations shown in visits that started, over
  visits started. Counts tell no visit from another, so a recommendation can't
  be traced to its start: those beyond the visits started (a check page opened
  from a shared link or a what-if, a questionnaire page bookmarked half-way)
  are left out, and the rate never passes 100%;
- the median number of questions answered is over the visits started, from the
  depth counters (how many answers each answer made), which exist since the day
  they were first counted: the median says which days it covers.

Versions are added question by question (matched by slug), in the newest
version's order, then questions only older versions asked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from decisionguide.analytics import report
from decisionguide.analytics.report import (
    RESULT,
    SHOWN,
    ChoiceShare,
    Days,
    QuestionStats,
    Totals,
)
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import next_question


@dataclass(frozen=True)
class MedianAnswered:
    """The median number of questions answered per visit started, and what it covers."""

    value: float | None
    visits: int = 0
    days: Days | None = None  # None: no depth counted on any of the days asked for


@dataclass
class Funnel:
    days: Days
    versions: list[int]  # newest first
    questions: list[QuestionStats]
    starts: int
    results: list[tuple[str, int]]  # (outcome name, count), in the document's order
    routes: list[tuple[str, str, int]]  # (page, question=choice, count), most taken first
    median: MedianAnswered = field(default_factory=lambda: MedianAnswered(None))
    # What-if views of stored results: not results shown, so not in the completion rate.
    whatifs: int = 0
    # The Check your answers page shown.
    checks: int = 0

    @property
    def results_total(self) -> int:
        return sum(count for _, count in self.results)

    @property
    def routed_total(self) -> int:
        return sum(count for _, _, count in self.routes)

    @property
    def completed(self) -> int:
        """Recommendations shown in visits that started: never more than started."""
        return min(self.results_total, self.starts)

    @property
    def results_unstarted(self) -> int:
        """Recommendations beyond the visits started: left out of the completion rate."""
        return self.results_total - self.completed

    @property
    def completion(self) -> float | None:
        """Visits started that got a recommendation, per hundred (None: no visit); at most 100."""
        return 100 * self.completed / self.starts if self.starts else None

    @property
    def checks_share(self) -> float | None:
        return 100 * min(self.checks, self.starts) / self.starts if self.starts else None

    @property
    def routed_share(self) -> float | None:
        return 100 * self.routed_total / self.starts if self.starts else None


def build_funnel(guide: Guide, docs: dict[int, GuideDocument], days: Days) -> Funnel:
    """The funnel of the versions in `docs` (number -> its document) over `days`."""
    newest_first = sorted(docs, reverse=True)
    counts = report.totals_by_version(guide, newest_first, days=days)
    per_version = [(docs[v], counts.get(v, {})) for v in newest_first]
    return Funnel(
        days=days,
        versions=newest_first,
        questions=merge_questions(
            [report.question_stats(totals, doc) for doc, totals in per_version]
        ),
        starts=sum(starts(doc, totals) for doc, totals in per_version),
        results=merge_results(per_version),
        routes=merge_routes([report.routes_taken(totals, doc) for doc, totals in per_version]),
        median=median_answered(guide, docs, days, counts),
        whatifs=sum(report.whatifs_shown(totals) for _, totals in per_version),
        checks=sum(report.checks_shown(totals) for _, totals in per_version),
    )


def starts(doc: GuideDocument, counts: Totals) -> int:
    """Visits started: the first question's pages shown."""
    first = next_question(doc, {})
    return counts.get((SHOWN, first.slug, ""), 0) if first is not None else 0


def merge_questions(per_version: list[list[QuestionStats]]) -> list[QuestionStats]:
    """Each question's counts added over the versions (newest first), shares worked out again."""
    merged: dict[str, QuestionStats] = {}
    for stats in per_version:
        for question in stats:
            have = merged.get(question.slug)
            if have is None:
                merged[question.slug] = replace(question, choices=list(question.choices))
                continue
            have.shown += question.shown
            have.answered += question.answered
            have.choices = merge_choices(have.choices, question.choices)
    for question in merged.values():
        question.choices = [
            replace(c, share=100 * c.count / question.answered if question.answered else 0.0)
            for c in question.choices
        ]
    return list(merged.values())


def merge_choices(newer: list[ChoiceShare], older: list[ChoiceShare]) -> list[ChoiceShare]:
    by_slug = {choice.slug: choice for choice in newer}
    kept = list(newer)
    for choice in older:
        if choice.slug in by_slug:
            index = kept.index(by_slug[choice.slug])
            kept[index] = replace(kept[index], count=kept[index].count + choice.count)
        else:
            kept.append(choice)
    return kept


def merge_results(per_version: list[tuple[GuideDocument, Totals]]) -> list[tuple[str, int]]:
    """(outcome name, count) over the versions; names and order from the newest that has it."""
    names: dict[str, str] = {}
    found: dict[str, int] = defaultdict(int)
    for doc, counts in per_version:
        for outcome in doc.outcomes:
            names.setdefault(outcome.slug, outcome.name)
        for (kind, _, slug), number in counts.items():
            if kind == RESULT and number:
                found[slug] += number
    order = [*names, *sorted(set(found) - set(names))]
    return [(names.get(slug, slug), found[slug]) for slug in order if found.get(slug)]


def merge_routes(per_version: list[list[tuple[str, str, int]]]) -> list[tuple[str, str, int]]:
    found: dict[tuple[str, str], int] = defaultdict(int)
    for routes in per_version:
        for page, answer, number in routes:
            found[page, answer] += number
    return sorted(
        ((page, answer, number) for (page, answer), number in found.items()),
        key=lambda item: -item[2],
    )


def median_answered(
    guide: Guide, docs: dict[int, GuideDocument], days: Days, counts: dict[int, Totals]
) -> MedianAnswered:
    """The median over the visits started on the days that have depth counters."""
    since = report.first_depth_day(guide)
    if since is None or since > days.last:
        return MedianAnswered(None)
    if since > days.first:
        days = Days(since, days.last)
        counts = report.totals_by_version(guide, docs, days=days)
    visits, at_least = 0, defaultdict(int)
    for number, doc in docs.items():
        totals = counts.get(number, {})
        visits += starts(doc, totals)
        for depth, answers in report.depths(totals).items():
            at_least[depth] += answers
    value = report.median(report.answered_histogram(visits, at_least))
    return MedianAnswered(value, visits, days)
