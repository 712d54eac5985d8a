"""The result's sentences about scores and changes, each one whole pattern in the catalogue.

The numbers and names are filled into translated patterns (`gettext(...) % {...}`), and
lists come from `decisionguide.languages.join_list`, so no language's word order is built in here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext

from decisionguide.decision.document import Choice, GuideDocument, Outcome, Question, Scenario
from decisionguide.decision.verdict import DECIDED_BY_DEFAULT, Decision
from decisionguide.languages import join_list, quoted
from decisionguide.results.wording import points_text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from decisionguide.results.presenter import Side

# The closest example names at most this many answers where it differs (or agrees).
DIFFERENCES_NAMED = 3


def standing_sentence(
    outcome: Outcome | None, runner_up: Outcome | None, decision: Decision
) -> str:
    """How far ahead the recommendation is, in words (and why a close call went its way)."""
    margin = decision.margin
    if outcome is None:
        return ""
    if runner_up is None or margin is None:
        return gettext("Your answers rule out the other options.")
    names = {"outcome": outcome.name, "runner_up": runner_up.name}
    if decision.close_call:
        if margin < 0:
            lead = gettext("%(runner_up)s scores %(points)s more than %(outcome)s") % {
                **names,
                "points": points_text(-margin),
            }
        elif margin == 0:
            lead = gettext("%(outcome)s and %(runner_up)s are level") % names
        else:
            lead = gettext("%(outcome)s scores %(points)s more than %(runner_up)s") % {
                **names,
                "points": points_text(margin),
            }
        if decision.decided_by and decision.decided_by != DECIDED_BY_DEFAULT:
            return gettext("%(lead)s, so one of your answers settled it (below).") % {"lead": lead}
        return gettext("%(lead)s, so the guide's default, %(outcome)s, applies.") % {
            "lead": lead,
            "outcome": outcome.name,
        }
    if margin == 0:
        return gettext("%(outcome)s and %(runner_up)s are level; %(outcome)s takes the tie.") % (
            names
        )
    return gettext("%(outcome)s scores %(points)s more than the next option, %(runner_up)s.") % {
        **names,
        "points": points_text(margin),
    }


def sum_sentence(
    winner: Side, other: Side, decision: Decision, settled_by: Question | None = None
) -> str:
    """The two totals and their difference: the same margin the verdict states, and what
    settled a close call (`settled_by`: the tie-break's question, None for the default)."""
    margin = winner.total - other.total
    if margin > 0:
        tail = gettext("%(outcome)s is %(points)s ahead") % {
            "outcome": winner.outcome.name,
            "points": points_text(margin),
        }
    elif margin == 0:
        tail = gettext("they are level")
    else:
        tail = gettext("%(outcome)s is %(points)s ahead") % {
            "outcome": other.outcome.name,
            "points": points_text(-margin),
        }
    if decision.close_call and settled_by is not None:
        tail = gettext("%(standing)s: a close call, settled by your answer to %(question)s") % {
            "standing": tail,
            "question": quoted(settled_by.short),
        }
    elif decision.close_call:
        tail = gettext("%(standing)s, close enough for the default, %(outcome)s") % {
            "standing": tail,
            "outcome": winner.outcome.name,
        }
    return gettext(
        "Added up: %(points)s for %(outcome)s, %(other_points)s for %(other)s, so %(standing)s."
    ) % {
        "points": points_text(winner.total),
        "outcome": winner.outcome.name,
        "other_points": points_text(other.total),
        "other": other.outcome.name,
        "standing": tail,
    }


def change_sentence(
    question: Question, choice: Choice, outcome: Outcome, also: list[tuple[Question, Choice]] = ()
) -> str:
    """ "If you answered A to Q (and B to R), the recommendation would be X." """
    answered = [(question, choice), *also]
    parts = [
        gettext("%(answer)s to %(question)s")
        % {"answer": quoted(c.label), "question": quoted(q.prompt)}
        for q, c in answered
    ]
    return gettext("If you answered %(answers)s, the recommendation would be %(outcome)s.") % {
        "answers": join_list(parts),
        "outcome": outcome.name,
    }


def example_sentence(
    doc: GuideDocument, scenario: Scenario, outcome: Outcome, answers: Mapping[str, str]
) -> str:
    """Says so when the closest example ends differently from the visitor's result."""
    example_outcome = doc.outcome(scenario.outcome)
    if example_outcome is None or example_outcome.slug == outcome.slug:
        return ""
    differ = [
        question.short
        for question in doc.questions
        if question.slug in scenario.answers
        and answers.get(question.slug) != scenario.answers[question.slug]
    ]
    names = {"example": example_outcome.name, "outcome": outcome.name}
    if not differ:
        return gettext("This example usually ends with %(example)s, not %(outcome)s.") % names
    shown = [quoted(short) for short in differ[:DIFFERENCES_NAMED]]
    if len(differ) > DIFFERENCES_NAMED:
        named = gettext("%(answers)s and more") % {"answers": ", ".join(shown)}
    else:
        named = join_list(shown)
    return gettext(
        "This example usually ends with %(example)s, not %(outcome)s: "
        "your answers differ on %(answers)s."
    ) % {**names, "answers": named}


def matches_sentence(doc: GuideDocument, decision: Decision) -> str:
    """Why the closest example was chosen: the weightiest answers it shares."""
    shorts = [q.short for slug in decision.scenario_matches if (q := doc.question(slug))]
    named = [quoted(short) for short in shorts[:DIFFERENCES_NAMED]]
    if not named:
        return ""
    return gettext("It shares your answers on %(answers)s.") % {"answers": join_list(named)}


def robust_sentence(
    doc: GuideDocument, decision: Decision, outcome: Outcome | None, two_answers: bool
) -> str:
    """Why no single answer (or no two) would move the recommendation: the gates that
    rule the others out, and the lead."""
    if outcome is None:
        return ""
    ruled_out = [o.name for slug in decision.excluded if (o := doc.outcome(slug))]
    holds = []
    if ruled_out:
        holds.append(
            gettext("your answers rule out %(outcomes)s (see why above)")
            % {"outcomes": join_list(ruled_out)}
        )
    runner_up = doc.outcome(decision.runner_up or "")
    if runner_up is not None and decision.margin is not None and decision.margin > 0:
        holds.append(
            gettext("%(outcome)s leads %(runner_up)s by %(points)s")
            % {
                "outcome": outcome.name,
                "runner_up": runner_up.name,
                "points": points_text(decision.margin),
            }
        )
    values = {"outcome": outcome.name, "reasons": join_list(holds)}
    if two_answers:
        if holds:
            return (
                gettext(
                    "No single answer would change it because %(reasons)s. "
                    "Changing two answers at once would:"
                )
                % values
            )
        return gettext("No single answer would change it. Changing two answers at once would:")
    if holds:
        return (
            gettext(
                "%(outcome)s holds firm: no change to one or two of your answers would move it "
                "because %(reasons)s."
            )
            % values
        )
    return (
        gettext("%(outcome)s holds firm: no change to one or two of your answers would move it.")
        % values
    )
