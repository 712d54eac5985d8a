"""Answers posted from the check page, checked strictly before anything is stored.

The questionnaire quietly drops answers that don't fit, because they arrive
in links anyone can edit. A stored result is different: it must be exactly
what the visitor confirmed, so every problem is reported back on the check
page in plain words, with a link to where it can be fixed, and nothing is
stored until there are none.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext

from decisionguide.decision.document import GuideDocument, Question
from decisionguide.decision.engine import check_answers
from decisionguide.languages import quoted
from decisionguide.questionnaire.state import (
    State,
    question_url,
    raw_answers,
    read_state,
    route_url,
    routed_choice,
)

# The check page's list of answers; problems with no better place link here.
ANSWERS_ANCHOR = "#answers"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the posted answers, and the link to the place that fixes it."""

    message: str
    url: str


@dataclass(frozen=True)
class Submission:
    """The clean state the posted answers describe, and what was wrong with them."""

    state: State
    problems: tuple[Problem, ...]


def read_submission(doc: GuideDocument, data: QueryDict) -> Submission:
    """Check posted answers: complete, known, asked, one each, and not ending in a route."""
    state = read_state(doc, data)
    raw = raw_answers(doc, data)
    found: dict[str, Problem] = {}
    for question in doc.questions:
        if len(data.getlist(question.slug)) > 1:
            found[question.slug] = unknown_choice(doc, question, state)
    for problem in check_answers(doc, raw, complete=True):
        question = doc.question(problem.question)
        if question is None or question.slug in found:
            continue  # only parameters named after questions are read
        if question.slug not in raw:
            found[question.slug] = Problem(
                gettext("Answer the question %(question)s") % {"question": quoted(question.prompt)},
                question_url(doc, question, state),
            )
        elif not problem.allowed:
            found[question.slug] = Problem(
                gettext(
                    "Your answer to %(question)s was left out: that question is not asked "
                    "with your other answers"
                )
                % {"question": quoted(question.prompt)},
                ANSWERS_ANCHOR,
            )
        else:
            found[question.slug] = unknown_choice(doc, question, state)
    # A routing answer ends the questions: there is no recommendation to store.
    routed = routed_choice(doc, state.answers)
    if routed is not None and routed[0].slug not in found:
        question, _ = routed
        found[question.slug] = Problem(
            gettext(
                "With your answer to %(question)s, another page will help you more than a "
                "recommendation here"
            )
            % {"question": quoted(question.prompt)},
            route_url(doc, state),
        )
    # In question order, like the answers on the page.
    problems = tuple(found[q.slug] for q in doc.questions if q.slug in found)
    return Submission(state=state, problems=problems)


def unknown_choice(doc: GuideDocument, question: Question, state: State) -> Problem:
    return Problem(
        gettext("Choose one of the listed answers to %(question)s")
        % {"question": quoted(question.prompt)},
        question_url(doc, question, state),
    )
