"""Close calls: the guide's tie-breaks settle them in order, then the default (issue 22)."""

from __future__ import annotations

from typing import Any

from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import evaluate
from decisionguide.decision.verdict import CLOSE, Decision
from tests.builders import build, choice, question


def tie_doc(*tie_breaks: dict[str, Any], margin: int = 1) -> GuideDocument:
    """One points question per outcome, plus two questions that score nothing."""
    return build(
        [
            *(
                question(o, *(choice(f"p{n}", points={o: n}) for n in range(7)))
                for o in ("crm", "pm", "hybrid")
            ),
            question("where", choice("before"), choice("after"), choice("both")),
            question("lean", choice("crm"), choice("hybrid")),
        ],
        default_outcome="pm",
        close_call_margin=margin,
        tie_breaks=list(tie_breaks),
    )


WHERE = {
    "question": "where",
    "settles": {"before": "crm", "after": "pm"},
    "explanation": "Where money slips away decides.",
}
LEAN = {"question": "lean", "settles": {"crm": "crm", "hybrid": "hybrid"}, "explanation": "L."}


def decide(doc: GuideDocument, crm: int, pm: int, hybrid: int, **rest: str) -> Decision:
    answers = {"crm": f"p{crm}", "pm": f"p{pm}", "hybrid": f"p{hybrid}", "where": "both"}
    answers.setdefault("lean", "crm")
    return evaluate(doc, {**answers, **rest})


def test_a_tie_break_settles_a_close_call_against_the_default() -> None:
    doc = tie_doc(WHERE)
    decision = decide(doc, 4, 3, 0, where="before")
    assert (decision.outcome, decision.decided_by, decision.close_call) == ("crm", "where", True)
    assert decision.runner_up == "pm" and decision.margin == 1 and decision.clarity == CLOSE
    # It may also settle it for an outcome a point behind the leader.
    behind = decide(doc, 3, 4, 0, where="before")
    assert (behind.outcome, behind.margin, behind.decided_by) == ("crm", -1, "where")


def test_an_answer_the_tie_break_does_not_name_leaves_it_to_the_default() -> None:
    doc = tie_doc(WHERE)
    decision = decide(doc, 4, 3, 0, where="both")
    assert (decision.outcome, decision.decided_by) == ("pm", "default")


def test_the_scores_decide_outside_the_margin() -> None:
    doc = tie_doc(WHERE)
    decision = decide(doc, 5, 3, 0, where="after")
    assert (decision.outcome, decision.decided_by, decision.close_call) == ("crm", "", False)


def test_an_outcome_outside_the_close_set_is_never_picked() -> None:
    # "lean" names hybrid, two points behind: the next tie-break or the default decides.
    doc = tie_doc(LEAN, WHERE)
    decision = decide(doc, 4, 3, 2, lean="hybrid", where="before")
    assert (decision.outcome, decision.decided_by) == ("crm", "where")


def test_the_first_tie_break_that_applies_wins() -> None:
    doc = tie_doc(LEAN, WHERE)
    decision = decide(doc, 3, 4, 4, lean="hybrid", where="before")
    assert (decision.outcome, decision.decided_by) == ("hybrid", "lean")


def test_a_leading_outcome_confirmed_by_the_tie_break_was_decided_by_the_scores() -> None:
    doc = tie_doc(WHERE)
    decision = decide(doc, 3, 4, 0, where="after")
    assert (decision.outcome, decision.decided_by, decision.close_call) == ("pm", "", False)


def test_without_tie_breaks_a_close_call_goes_to_the_default_as_before() -> None:
    doc = tie_doc()
    decision = decide(doc, 4, 3, 0, where="before")
    assert (decision.outcome, decision.decided_by, decision.margin) == ("pm", "default", -1)
    assert Decision.from_json({**decision.to_json(), "decided_by": None}).decided_by == "default"
