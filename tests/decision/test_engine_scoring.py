"""Scores, routes, gates, the winner and close calls, reasons, notes and scenarios."""

from __future__ import annotations

from typing import Any

import pytest

from decisionguide.decision.document import Condition, Gate, GuideDocument
from decisionguide.decision.engine import (
    evaluate,
)
from decisionguide.decision.verdict import (
    CLEAR,
    CLEAR_MARGIN,
    CLOSE,
    LEANING,
    LEANING_MARGIN,
    Reason,
    clarity_for,
)
from tests.builders import build, choice, outcome, question, when

# ---------------------------------------------------------------------------
# Scores, routes, gates


def test_scores_add_the_points_of_counted_answers(tiny: GuideDocument) -> None:
    answers = {"size": "big", "billing": "hourly", "team": "team", "handoff": "none"}
    decision = evaluate(tiny, answers)
    expected = dict.fromkeys((o.slug for o in tiny.outcomes), 0)
    for q_slug, c_slug in answers.items():
        for o, points in tiny.question(q_slug).choice(c_slug).points.items():
            expected[o] += points
    assert decision.scores == expected
    assert list(decision.scores) == [o.slug for o in tiny.outcomes]


def test_hidden_answers_do_not_score(tiny: GuideDocument) -> None:
    with_hidden = evaluate(tiny, {"size": "small", "billing": "fixed", "team": "solo"})
    without = evaluate(tiny, {"size": "small", "team": "solo"})
    assert with_hidden == without


def test_route_ends_with_a_page_instead_of_an_outcome(tiny: GuideDocument) -> None:
    decision = evaluate(tiny, {"size": "small", "team": "agency", "tools": "many"})
    assert decision.outcome is None
    assert decision.route == tiny.question("team").choice("agency").route
    assert decision.reasons == ()
    assert decision.excluded == {}
    assert decision.scenario is None
    assert decision.margin is None
    assert decision.clarity == ""
    # The answer after the route never counted.
    assert decision.scores["hybrid"] == 0


def test_gate_excludes_its_outcome_with_its_reason(tiny: GuideDocument) -> None:
    # Hybrid scores best here, but the handoff rule is not written.
    answers = {"size": "small", "team": "team", "handoff": "none", "tools": "many"}
    decision = evaluate(tiny, answers)
    gate = tiny.gates[0]
    assert decision.scores[gate.outcome] == max(decision.scores.values())
    assert decision.excluded == {gate.outcome: gate.reason}
    assert decision.outcome != gate.outcome


def test_gate_lets_its_outcome_through_when_unless_holds(tiny: GuideDocument) -> None:
    answers = {"size": "small", "team": "team", "handoff": "written", "tools": "many"}
    decision = evaluate(tiny, answers)
    assert decision.excluded == {}
    assert decision.outcome == tiny.gates[0].outcome


def test_first_failing_gate_gives_the_reason() -> None:
    gate_data = [
        {"outcome": "pm", "unless": when(all_={"a": ["x"]}), "reason": "First reason."},
        {"outcome": "pm", "unless": when(all_={"a": ["x"]}), "reason": "Second reason."},
    ]
    doc = build([question("a", choice("x"), choice("y", points={"pm": 1}))], gates=gate_data)
    assert evaluate(doc, {"a": "y"}).excluded == {"pm": "First reason."}


# ---------------------------------------------------------------------------
# Winner, ties, margin, clarity


def score_doc(default: str = "crm") -> GuideDocument:
    """One question per outcome, each worth exactly its choice's points."""
    return build(
        [
            question(o, *(choice(f"p{n}", points={o: n}) for n in range(7)))
            for o in ("crm", "pm", "hybrid")
        ],
        default_outcome=default,
    )


def test_highest_score_wins() -> None:
    doc = score_doc()
    assert evaluate(doc, {"crm": "p1", "pm": "p3", "hybrid": "p2"}).outcome == "pm"


def test_tie_goes_to_the_default_outcome() -> None:
    doc = score_doc(default="hybrid")
    decision = evaluate(doc, {"crm": "p3", "pm": "p3", "hybrid": "p3"})
    assert decision.outcome == doc.default_outcome
    assert decision.margin == 0
    assert decision.clarity == CLOSE


def test_tie_without_the_default_goes_to_the_first_outcome() -> None:
    doc = score_doc(default="crm")
    decision = evaluate(doc, {"crm": "p0", "pm": "p2", "hybrid": "p2"})
    tied = [o.slug for o in doc.outcomes if decision.scores[o.slug] == 2]
    assert decision.outcome == tied[0]


def test_all_excluded_goes_to_the_default() -> None:
    doc = score_doc(default="crm")
    # A parsed guide can't gate its default, so build the gates past the checks.
    never = Condition.model_validate(when(all_={"crm": ["p6"]}))
    gates = tuple(Gate(outcome=o.slug, unless=never, reason=f"No {o.slug}.") for o in doc.outcomes)
    gated = doc.model_copy(update={"gates": gates})
    decision = evaluate(gated, {"crm": "p0", "pm": "p5", "hybrid": "p1"})
    assert decision.outcome == doc.default_outcome
    assert set(decision.excluded) == {o.slug for o in doc.outcomes}
    assert decision.margin is None


@pytest.mark.parametrize(
    ("winner_points", "runner_up_points"), [(3, 3), (4, 3), (5, 3), (6, 3), (6, 2), (6, 0)]
)
def test_margin_and_clarity(winner_points: int, runner_up_points: int) -> None:
    doc = score_doc(default="crm")
    answers = {"crm": "p0", "pm": f"p{winner_points}", "hybrid": f"p{runner_up_points}"}
    decision = evaluate(doc, answers)
    margin = winner_points - max(runner_up_points, 0)
    assert decision.margin == margin
    assert decision.clarity == clarity_for(margin)


def test_clarity_thresholds() -> None:
    assert clarity_for(None) == CLEAR
    assert clarity_for(CLEAR_MARGIN) == CLEAR
    assert clarity_for(CLEAR_MARGIN - 1) == LEANING
    assert clarity_for(LEANING_MARGIN) == LEANING
    assert clarity_for(LEANING_MARGIN - 1) == CLOSE
    assert clarity_for(0) == CLOSE
    assert (CLEAR_MARGIN, LEANING_MARGIN) == (4, 2)


def test_no_other_outcome_left_is_clear() -> None:
    doc = build(
        [question("a", choice("x", points={"pm": 1}), choice("y", points={"crm": 1}))],
        outcomes=[outcome("crm"), outcome("pm")],
        gates=[{"outcome": "pm", "unless": when(all_={"a": ["x"]}), "reason": "Needs x."}],
    )
    decision = evaluate(doc, {"a": "y"})
    assert decision.outcome == "crm"
    assert decision.excluded == {"pm": doc.gates[0].reason}
    assert decision.margin is None
    assert decision.clarity == CLEAR


# ---------------------------------------------------------------------------
# Reasons


def test_reasons_strongest_first_then_question_order() -> None:
    doc = build(
        [
            question("q1", choice("a", points={"pm": 1}), choice("b")),
            question("q2", choice("a", points={"pm": 3}, reason="Strong push"), choice("b")),
            question("q3", choice("a", points={"pm": 1, "crm": 2}), choice("b")),
            question("q4", choice("a", points={"pm": -1}), choice("b")),
            question("q5", choice("a", points={"crm": 1}), choice("b")),
        ],
        default_outcome="pm",
    )
    answers = {q.slug: "a" for q in doc.questions}
    decision = evaluate(doc, answers)
    # pm 1 + 3 + 1 - 1 = 4 against crm 2 + 1 = 3.
    assert (decision.outcome, decision.runner_up, decision.margin) == ("pm", "crm", 1)
    # Each answer counts its points for pm minus its points for crm.
    assert [(r.question, r.points) for r in decision.reasons] == [("q2", 3), ("q1", 1)]
    assert [(r.question, r.points) for r in decision.counter_reasons] == [
        ("q3", 1),
        ("q4", 1),
        ("q5", 1),
    ]
    q2 = doc.question("q2")
    assert decision.reasons[0].text == q2.choice("a").reason
    q1 = doc.question("q1")
    assert decision.reasons[1] == Reason("q1", "a", f"{q1.short}: {q1.choice('a').label}", 1)


def test_reasons_for_and_against_add_up_to_the_margin() -> None:
    doc = build(
        [question(f"q{n}", choice("a", points={"pm": 1}), choice("b")) for n in range(8)]
        + [question("q8", choice("a", points={"crm": 3}), choice("b"))],
        default_outcome="pm",
    )
    decision = evaluate(doc, {q.slug: "a" for q in doc.questions})
    # Every answer that counted is listed, however many there are.
    assert [r.question for r in decision.reasons] == [f"q{n}" for n in range(8)]
    assert [(r.question, r.points) for r in decision.counter_reasons] == [("q8", 3)]
    pros = sum(r.points for r in decision.reasons)
    cons = sum(r.points for r in decision.counter_reasons)
    assert pros - cons == decision.margin == 5
    assert decision.reasons_add_up


def test_answers_that_count_the_same_for_both_are_left_out() -> None:
    doc = build(
        [
            question("q1", choice("a", points={"pm": 2, "crm": 2}), choice("b")),
            question("q2", choice("a", points={"pm": 1}), choice("b")),
        ],
        default_outcome="pm",
    )
    decision = evaluate(doc, {"q1": "a", "q2": "a"})
    assert [r.question for r in decision.reasons] == ["q2"]
    assert decision.counter_reasons == ()


# ---------------------------------------------------------------------------
# Notes and scenarios


def test_notes_follow_their_condition(tiny: GuideDocument) -> None:
    note = tiny.notes[0]
    assert evaluate(tiny, {"size": "small", "team": "team"}).notes == (note.slug,)
    assert evaluate(tiny, {"size": "small", "team": "solo"}).notes == ()


def test_nearest_scenario_matches_most_answers(tiny: GuideDocument) -> None:
    # Two answers in common with s-pm, one with s-crm (team solo).
    decision = evaluate(tiny, {"size": "big", "billing": "fixed", "team": "solo", "tools": "one"})
    assert decision.scenario == "s-pm"


def scenario_doc(*scenarios: dict[str, Any]) -> GuideDocument:
    return build(
        [question("a", choice("x", points={"crm": 1}), choice("y")), question("b", *TWO)],
        scenarios=list(scenarios),
    )


def test_nearest_scenario_tie_prefers_the_decision_outcome() -> None:
    doc = scenario_doc(scenario("first", "pm", {"a": "x"}), scenario("second", "crm", {"b": "x"}))
    decision = evaluate(doc, {"a": "x", "b": "x"})
    assert decision.outcome == "crm"
    assert decision.scenario == "second"


def test_nearest_scenario_tie_falls_back_to_file_order() -> None:
    doc = scenario_doc(
        scenario("first", "pm", {"a": "x"}), scenario("second", "hybrid", {"b": "x"})
    )
    decision = evaluate(doc, {"a": "x", "b": "x"})
    assert decision.outcome == "crm"
    assert decision.scenario == "first"


def test_the_same_outcome_beats_more_matches() -> None:
    # Issue 22: an example that ends elsewhere is a poor mirror, however many answers it shares.
    doc = scenario_doc(
        scenario("same", "crm", {"a": "x"}), scenario("closer", "pm", {"a": "x", "b": "y"})
    )
    decision = evaluate(doc, {"a": "x", "b": "y"})
    assert decision.outcome == "crm"
    assert (decision.scenario, decision.scenario_matches) == ("same", ("a",))


def test_weightier_shared_answers_beat_more_of_them() -> None:
    # a=x moves 3 points; b and c move none: sharing a says more than sharing b and c.
    doc = build(
        [
            question("a", choice("x", points={"crm": 3}), choice("y")),
            question("b", *TWO),
            question("c", *TWO),
        ],
        scenarios=[
            scenario("many", "crm", {"a": "y", "b": "x", "c": "x"}),
            scenario("weighty", "crm", {"a": "x", "b": "y", "c": "y"}),
        ],
    )
    decision = evaluate(doc, {"a": "x", "b": "x", "c": "x"})
    assert (decision.scenario, decision.scenario_matches) == ("weighty", ("a",))
    # Matches come weightiest first, then in question order.
    decision = evaluate(doc, {"a": "x", "b": "y", "c": "y"})
    assert decision.scenario_matches == ("a", "b", "c")


def test_no_scenario_without_a_common_answer(tiny: GuideDocument) -> None:
    assert evaluate(tiny, {"size": "unsure", "tools": "one"}).scenario is None


TWO = (choice("x"), choice("y"))


def scenario(slug: str, outcome_slug: str, answers: dict[str, str]) -> dict[str, Any]:
    return {
        "slug": slug,
        "title": slug.title(),
        "description": "D.",
        "outcome": outcome_slug,
        "answers": answers,
    }
