"""The questionnaire counters read back, per published version, for the admin's analytics page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from decisionguide.analytics.models import AnswerCounter
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument

SHOWN = AnswerCounter.Kind.SHOWN
ANSWERED = AnswerCounter.Kind.ANSWERED
ROUTED = AnswerCounter.Kind.ROUTED
RESULT = AnswerCounter.Kind.RESULT

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


def counted_versions(guide: Guide) -> list[int]:
    """Published versions with counts, newest first."""
    versions = AnswerCounter.objects.filter(guide=guide).values_list("version", flat=True)
    return sorted(set(versions), reverse=True)


def totals(guide: Guide, version: int) -> Totals:
    """Every counter of one published version, summed over the days."""
    found: Totals = defaultdict(int)
    rows = (
        AnswerCounter.objects.filter(guide=guide, version=version)
        .values("kind", "question", "choice")
        .annotate(total=Sum("count"))
    )
    for row in rows:
        found[row["kind"], row["question"], row["choice"]] += row["total"]
    return found


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
