"""The decision engine: answers in, a recommendation (and why) out.

Pure and deterministic: plain functions over an immutable `GuideDocument` and
a mapping of answers (question slug -> choice slug). No Django, no database,
no clock, so the same answers to the same guide version always give the same
`Decision`, and a stored result can be recomputed or re-rendered at any time.

Rules, in short (each in its own module):

- Questions are asked in order (`answers`). A question is shown when its
  `show_if` holds against the answers kept so far; a choice with a `route`
  ends the questionnaire and sends the visitor to a linked page instead.
- score[outcome] = sum of the points of the chosen choices (`scoring`).
- A gate excludes its outcome unless its `unless` condition holds.
- The winner is the best-scoring outcome that is not excluded; ties go to the
  default outcome if it is among them, else to the first in outcome order.
  Outcomes within the guide's `close_call_margin` of the top are a close
  call: the guide's tie-breaks settle it in order, then the default
  (`pick_outcome`); `Decision.decided_by` says which did.
- Reasons: each answer's points for the winner minus its points for the
  runner-up, so for and against add up to the margin.
- Notes: shown when their condition holds and the winner is one they may
  appear with (`Note.shown_with`); failure checks likewise
  (`shown_failure_checks`).
- The closest example: the same outcome first, then the weightiest shared answers.
- Flips (`flips`): every change that would change the result, each a
  complete answer set (follow-ups included), the most decisive first; the
  smallest two-answer changes when no single answer moves it.
"""

from __future__ import annotations

from decisionguide.decision.answers import (
    AnswerProblem,
    Answers,
    check_answers,
    clean_answers,
    condition_holds,
    describe_condition,
    index_of,
    next_question,
    shown_questions,
    walk,
)
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.flips import find_flips
from decisionguide.decision.scoring import (
    Standing,
    excluded_outcomes,
    nearest_scenario,
    pick_outcome,
    reasons_for,
    scores_of,
    shown_failure_checks,
    shown_notes,
)
from decisionguide.decision.verdict import LEAD_BASIS, Decision, clarity_for

__all__ = [
    "AnswerProblem",
    "Answers",
    "Decision",
    "Standing",
    "check_answers",
    "clean_answers",
    "condition_holds",
    "describe_condition",
    "evaluate",
    "excluded_outcomes",
    "next_question",
    "pick_outcome",
    "shown_failure_checks",
    "shown_notes",
    "shown_questions",
]


def evaluate(doc: GuideDocument, answers: Answers) -> Decision:
    """The decision for these answers.

    Answers are cleaned first (a no-op for clean answers), so only shown,
    answered questions count whatever is passed in.
    """
    index = index_of(doc)
    done = walk(index, answers)
    kept = done.kept
    scores = scores_of(index, kept)
    if done.route is not None:
        return Decision(
            outcome=None,
            route=done.route,
            scores=scores,
            excluded={},
            notes=shown_notes(doc, kept, None),
            scenario=None,
            reasons=(),
            flips=find_flips(doc, index, kept, scores, (None, done.route)),
            margin=None,
            clarity="",
        )
    excluded = excluded_outcomes(doc, kept)
    standing = pick_outcome(doc, scores, excluded, kept)
    outcome = standing.outcome
    reasons, counter_reasons = reasons_for(index, kept, standing)
    scenario, matches = nearest_scenario(doc, kept, outcome)
    return Decision(
        outcome=outcome,
        route=None,
        scores=scores,
        excluded=excluded,
        notes=shown_notes(doc, kept, outcome),
        scenario=scenario,
        reasons=reasons,
        flips=find_flips(doc, index, kept, scores, (outcome, None)),
        margin=standing.margin,
        clarity=clarity_for(standing.margin, close_call=standing.close_call),
        runner_up=standing.runner_up,
        close_call=standing.close_call,
        counter_reasons=counter_reasons,
        basis=LEAD_BASIS,
        decided_by=standing.decided_by,
        scenario_matches=matches,
    )
