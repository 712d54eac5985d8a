"""What if one answer of a stored result were different: worked out, compared, never stored.

A what-if runs the engine on the result's frozen guide version (the one its
permalink shows), with one answer changed and everything else as the visitor
answered. The change may

- bring a question that was not asked before (current_tools=both brings
  authority_after_signature): the view asks it, with the result each of its
  answers gives, and never works out a result without it;
- hide later questions: their answers are dropped, as the questionnaire would
  (`clean_answers`), and the view says which;
- end the questions (a routing answer): the view says where the guide would
  send the visitor instead.

URLs: `/r/<id>/what-if/?<question>=<choice>`, then the answers to the
questions the change brought, in question order (`answer_list.whatif_query`).
Parameters that name no question (`utm_source`, `fbclid`) are left out; anything
else (an unknown choice, a repeated or unchanged answer, no change or two, a
question not asked with the change) is a WhatIfError: a 400 page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext, pgettext

from decisionguide.decision.document import Choice, GuideDocument, LinkedPage, Outcome, Question
from decisionguide.decision.engine import clean_answers, evaluate, next_question
from decisionguide.decision.verdict import Decision
from decisionguide.languages import quoted
from decisionguide.questionnaire.state import clean_texts, routed_choice
from decisionguide.results.wording import join_all

# Parameter names and values echoed in an error message are cut to this length.
ECHO_LENGTH = 40


class WhatIfError(ValueError):
    """The what-if query can't be read; the message says why, for the 400 page."""


@dataclass(frozen=True)
class AnswerChange:
    question: Question
    before: Choice
    after: Choice


@dataclass(frozen=True)
class WhatIfAnswers:
    """The stored answers with one changed, cleaned as the questionnaire would."""

    change: AnswerChange
    follow_ups: tuple[tuple[Question, Choice], ...]  # answers to questions it brought
    answers: dict[str, str]
    texts: dict[str, str]
    dropped: tuple[tuple[Question, Choice], ...]  # stored answers it no longer asks

    def pairs(self) -> list[tuple[str, str]]:
        """The query's (question, choice) pairs: the change, then the follow-ups."""
        change = self.change
        return [
            (change.question.slug, change.after.slug),
            *((question.slug, choice.slug) for question, choice in self.follow_ups),
        ]


def _echo(value: str) -> str:
    value = " ".join(value.split())
    if len(value) <= ECHO_LENGTH:
        return value
    return value[: ECHO_LENGTH - 1] + "\N{HORIZONTAL ELLIPSIS}"


def read_whatif(
    doc: GuideDocument, answers: Mapping[str, str], texts: Mapping[str, str], params: QueryDict
) -> WhatIfAnswers:
    """The what-if a query asks for, against the stored `answers` (clean for `doc`)."""
    asked: dict[str, tuple[Question, Choice]] = {}
    for key in params:
        question = doc.question(key)
        if question is None:
            # A link shared with `utm_source=…` or `fbclid=…` added still works.
            continue
        values = params.getlist(key)
        if len(values) != 1:
            raise WhatIfError(
                gettext("%(question)s can have only one answer at a time.")
                % {"question": quoted(question.short)}
            )
        choice = question.choice(values[0])
        if choice is None:
            raise WhatIfError(
                gettext("%(question)s has no answer called %(answer)s.")
                % {"question": quoted(question.short), "answer": quoted(_echo(values[0]))}
            )
        asked[key] = (question, choice)
    changes = []
    for slug, (question, choice) in asked.items():
        if answers.get(slug) == choice.slug:
            raise WhatIfError(
                gettext("%(answer)s is already the answer to %(question)s in this result.")
                % {"answer": quoted(choice.label), "question": quoted(question.short)}
            )
        before = question.choice(answers.get(slug, ""))
        if before is not None:
            changes.append(AnswerChange(question, before, choice))
    if len(changes) != 1:
        raise WhatIfError(gettext("A what-if changes exactly one of this result's answers."))
    change = changes[0]
    changed = clean_answers(doc, {**answers, **{s: c.slug for s, (_, c) in asked.items()}})
    for slug, (question, choice) in asked.items():
        if changed.get(slug) != choice.slug:
            raise WhatIfError(
                gettext("%(question)s is not asked when %(other)s is answered %(answer)s.")
                % {
                    "question": quoted(question.short),
                    "other": quoted(change.question.short),
                    "answer": quoted(change.after.label),
                }
            )
    follow_ups = tuple(
        asked[question.slug]
        for question in doc.questions
        if question.slug in asked and question.slug != change.question.slug
    )
    dropped = []
    for question in doc.questions:
        choice = question.choice(answers.get(question.slug, ""))
        if choice is not None and question.slug not in changed:
            dropped.append((question, choice))
    return WhatIfAnswers(
        change=change,
        follow_ups=follow_ups,
        answers=changed,
        texts=clean_texts(doc, changed, texts),
        dropped=tuple(dropped),
    )


# ---------------------------------------------------------------------------
# A question the change brings


@dataclass(frozen=True)
class Option:
    """One answer to a follow-up question, and what it leads to."""

    choice: Choice
    url: str
    outcome: Outcome | None  # the recommendation with it
    route: LinkedPage | None  # or the page the guide would send the visitor to
    asks_more: bool  # or yet another question


@dataclass(frozen=True)
class FollowUp:
    question: Question
    options: tuple[Option, ...]


def follow_up(
    doc: GuideDocument, whatif: WhatIfAnswers, url_for: Callable[[list[tuple[str, str]]], str]
) -> FollowUp | None:
    """The question the change brings and is not answered yet, with each answer's result."""
    question = next_question(doc, whatif.answers)
    if question is None or routed_choice(doc, whatif.answers) is not None:
        return None
    options = []
    for choice in question.choices:
        answers = clean_answers(doc, {**whatif.answers, question.slug: choice.slug})
        routed = routed_choice(doc, answers)
        route = doc.linked_page(routed[1].route or "") if routed is not None else None
        asks_more = routed is None and next_question(doc, answers) is not None
        outcome = None
        if routed is None and not asks_more:
            outcome = doc.outcome(evaluate(doc, answers).outcome or "")
        url = url_for([*whatif.pairs(), (question.slug, choice.slug)])
        options.append(Option(choice, url, outcome, route, asks_more))
    return FollowUp(question, tuple(options))


# ---------------------------------------------------------------------------
# What moved


@dataclass(frozen=True)
class Move:
    """One thing compared with the stored result: `label`, in words, and whether it moved."""

    label: str
    text: str
    changed: bool


def _names(items: list[str]) -> str:
    return join_all([quoted(item) for item in items])


def _standing(context: Mapping[str, Any]) -> str:
    clarity, sentence = context.get("clarity") or "", context.get("clarity_sentence") or ""
    if clarity and sentence:
        return pgettext("clarity, then the standing sentence", "%(clarity)s: %(sentence)s") % {
            "clarity": clarity,
            "sentence": sentence,
        }
    return clarity or sentence


def moves(
    doc: GuideDocument,
    before: Decision,
    after: Decision,
    before_context: Mapping[str, Any],
    after_context: Mapping[str, Any],
) -> list[Move]:
    """What moved against the stored result: verdict, margin, notes, ruled out.

    `*_context` are the result pages' contexts (`presenter.build_result_context`),
    whose standing sentences the margin line quotes.
    """
    old, new = doc.outcome(before.outcome or ""), doc.outcome(after.outcome or "")
    found: list[Move] = []
    label = gettext("Recommendation")
    if old is None or new is None:
        name = new.name if new else "—"
        found.append(Move(label, gettext("It would be %(outcome)s.") % {"outcome": name}, True))
    elif old.slug == new.slug:
        found.append(Move(label, gettext("It stays %(outcome)s.") % {"outcome": new.name}, False))
    else:
        text = gettext("It changes from %(before)s to %(after)s.")
        found.append(Move(label, text % {"before": old.name, "after": new.name}, True))
    then, now = _standing(before_context), _standing(after_context)
    label = gettext("Margin")
    if then == now:
        found.append(Move(label, gettext("The same as before. %(now)s") % {"now": now}, False))
    else:
        text = gettext("Before: %(before)s Now: %(now)s") % {"before": then, "now": now}
        found.append(Move(label, text, True))
    found.append(_notes_move(doc, before, after))
    found.append(_ruled_out_move(doc, before, after))
    return found


def _notes_move(doc: GuideDocument, before: Decision, after: Decision) -> Move:
    titles = {note.slug: note.title for note in doc.notes}
    shown = [titles[s] for s in after.notes if s not in before.notes and s in titles]
    hidden = [titles[s] for s in before.notes if s not in after.notes and s in titles]
    parts = []
    if shown:
        parts.append(gettext("Now shown: %(notes)s.") % {"notes": _names(shown)})
    if hidden:
        parts.append(gettext("No longer shown: %(notes)s.") % {"notes": _names(hidden)})
    label = gettext("Notes")
    if parts:
        return Move(label, " ".join(parts), True)
    if after.notes:
        return Move(label, gettext("The same notes as before."), False)
    return Move(label, gettext("No note, before or now."), False)


def _ruled_out_move(doc: GuideDocument, before: Decision, after: Decision) -> Move:
    names = {outcome.slug: outcome.name for outcome in doc.outcomes}
    added = [names[s] for s in after.excluded if s not in before.excluded and s in names]
    removed = [names[s] for s in before.excluded if s not in after.excluded and s in names]
    parts = []
    if added:
        parts.append(gettext("Now ruled out: %(outcomes)s.") % {"outcomes": join_all(added)})
    if removed:
        parts.append(
            gettext("No longer ruled out: %(outcomes)s.") % {"outcomes": join_all(removed)}
        )
    label = gettext("Ruled out")
    if parts:
        return Move(label, " ".join(parts), True)
    if after.excluded:
        ruled = join_all([names.get(slug, slug) for slug in after.excluded])
        return Move(
            label, gettext("The same as before: %(outcomes)s.") % {"outcomes": ruled}, False
        )
    return Move(label, gettext("Nothing, before or now."), False)
