"""The question counter: "Question 12 of up to 13" while a follow-up may still appear.

The count rests on the answers *before* the question on screen: those are
settled, while this answer and every later one may still change (a visitor
who came back here can pick anything). Later questions are sorted into three
kinds by their `show_if`:

- certain: shown whatever the remaining answers are,
- possible: shown for some remaining answers, hidden for others,
- never: hidden whatever they are.

The total is exact when no later question is merely possible; otherwise it
is an upper bound ("of up to N"). Routing answers end the questionnaire on
another page; they are not counted as a way for questions to vanish.

Each condition is judged against the values every question could still take,
taken one question at a time (`_may_hold`, `_may_fail`). Those sets only ever
hold too much, never too little, so "certain" and "never" are always true and
"possible" is at worst too cautious: the counter may say "up to" where a
correlation between answers settles it, but never states an exact count that
a later answer could break.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from decisionguide.decision.document import Condition, GuideDocument, Question
from decisionguide.decision.engine import clean_answers, shown_questions

# The value of a question that is not shown (the engine finds no answer to it).
HIDDEN = None
Values = frozenset[str | None]
NOT_SHOWN: Values = frozenset({HIDDEN})


@dataclass(frozen=True)
class Count:
    """Where a question stands: its place, and how many questions there are or may be."""

    position: int
    total: int  # the most questions these answers can still lead to
    exact: bool  # no later question may still appear or vanish

    @property
    def caption(self) -> str:
        values = {"position": self.position, "total": self.total}
        if self.exact:
            return gettext("Question %(position)d of %(total)d") % values
        return gettext("Question %(position)d of up to %(total)d") % values


def _may_hold(condition: Condition | None, values: Mapping[str, Values]) -> bool:
    """Some of the values the questions may take make `condition` true."""
    if condition is None:
        return True
    allowed: dict[str, Values] = {}
    for clause in condition.all_:
        current = allowed.get(clause.question, values.get(clause.question, NOT_SHOWN))
        allowed[clause.question] = current & frozenset(clause.in_)
    if not all(allowed.values()):
        return False
    if not condition.any_:
        return True
    return any(
        allowed.get(clause.question, values.get(clause.question, NOT_SHOWN)) & set(clause.in_)
        for clause in condition.any_
    )


def _may_fail(condition: Condition | None, values: Mapping[str, Values]) -> bool:
    """Some of the values the questions may take make `condition` false."""
    if condition is None:
        return False
    if any(values.get(c.question, NOT_SHOWN) - set(c.in_) for c in condition.all_):
        return True
    if not condition.any_:
        return False
    # Every `any` clause fails at once: each question they look at can avoid all of them.
    wanted: dict[str, set[str]] = {}
    for clause in condition.any_:
        wanted.setdefault(clause.question, set()).update(clause.in_)
    return all(values.get(slug, NOT_SHOWN) - chosen for slug, chosen in wanted.items())


def staying_values(question: Question) -> Values:
    """The answers to `question` that keep the visitor in this guide."""
    return frozenset(c.slug for c in question.choices if c.route is None)


def count_questions(doc: GuideDocument, question: Question, answers: Mapping[str, str]) -> Count:
    """The counter for `question` (shown, every earlier shown question answered)."""
    place = next(i for i, q in enumerate(doc.questions) if q.slug == question.slug)
    before = {q.slug for q in doc.questions[:place]}
    settled = clean_answers(doc, {k: v for k, v in answers.items() if k in before})
    position = 1 + sum(1 for q in shown_questions(doc, settled) if q.slug in before)

    values: dict[str, Values] = {slug: frozenset({settled.get(slug)}) for slug in before}
    values[question.slug] = staying_values(question)
    certain = possible = 0
    for later in doc.questions[place + 1 :]:
        holds, fails = _may_hold(later.show_if, values), _may_fail(later.show_if, values)
        if holds:
            possible += 1
            certain += not fails
        shown_values = staying_values(later) if holds else frozenset()
        values[later.slug] = shown_values | (NOT_SHOWN if fails else frozenset())
    return Count(position, position + possible, exact=certain == possible)
