"""The decision engine on small guides built here, one rule of the semantics at a time."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import pytest

from decisionguide.decision.document import Condition, Gate, GuideDocument
from decisionguide.decision.engine import (
    AnswerProblem,
    check_answers,
    clean_answers,
    condition_holds,
    evaluate,
    next_question,
    shown_questions,
)
from decisionguide.decision.parsing import parse_document
from decisionguide.decision.verdict import (
    CLEAR,
    CLEAR_MARGIN,
    CLOSE,
    LEANING,
    LEANING_MARGIN,
    Decision,
    Flip,
    Reason,
    clarity_for,
)
from tests.builders import build, choice, outcome, question, when

TINY_QUESTIONS = [
    question(
        "size",
        choice("small", points={"crm": 1}, reason="Only a few clients"),
        choice("big", points={"pm": 3, "crm": -1}),
        choice("unsure", unsure=True),
    ),
    question(
        "billing",
        choice("hourly", points={"crm": 2}),
        choice("fixed", points={"pm": 2}),
        show_if=when(all_={"size": ["big"]}),
    ),
    question(
        "team",
        choice("solo"),
        choice("team", points={"pm": 1, "hybrid": 1}),
        choice("agency", route="agency-page"),
    ),
    question(
        "handoff",
        choice("written", points={"hybrid": 5}),
        choice("none", points={"crm": 1}),
        show_if=when(any_={"size": ["unsure"], "team": ["team"]}),
    ),
    question(
        "tools",
        choice("one", points={"crm": 1, "pm": 1}),
        choice("many", points={"hybrid": 2}),
    ),
]


@pytest.fixture(scope="module")
def tiny() -> GuideDocument:
    return build(
        TINY_QUESTIONS,
        gates=[
            {
                "outcome": "hybrid",
                "unless": when(all_={"handoff": ["written"]}),
                "reason": "A hybrid needs a written handoff rule.",
            }
        ],
        notes=[
            {
                "slug": "team-note",
                "title": "Teams",
                "text": "Share the view.",
                "when": when(all_={"team": ["team"]}),
            }
        ],
        scenarios=[
            {
                "slug": "s-crm",
                "title": "CRM person",
                "description": "D.",
                "outcome": "crm",
                "answers": {"size": "small", "team": "solo"},
            },
            {
                "slug": "s-pm",
                "title": "PM person",
                "description": "D.",
                "outcome": "pm",
                "answers": {"size": "big", "billing": "fixed"},
            },
            {
                "slug": "s-hybrid",
                "title": "Hybrid person",
                "description": "D.",
                "outcome": "hybrid",
                "answers": {"team": "team", "handoff": "written"},
            },
        ],
    )


def slugs(questions: list[Any]) -> list[str]:
    return [q.slug for q in questions]


# ---------------------------------------------------------------------------
# Conditions


def test_condition_none_holds() -> None:
    assert condition_holds(None, {})


def test_condition_all_needs_every_clause() -> None:
    condition = Condition.model_validate(when(all_={"a": ["x", "y"], "b": ["z"]}))
    assert condition_holds(condition, {"a": "y", "b": "z"})
    assert not condition_holds(condition, {"a": "y", "b": "other"})
    assert not condition_holds(condition, {"a": "y"})  # an unanswered question never matches


def test_condition_any_needs_one_clause() -> None:
    condition = Condition.model_validate(when(any_={"a": ["x"], "b": ["z"]}))
    assert condition_holds(condition, {"a": "x"})
    assert condition_holds(condition, {"b": "z"})
    assert not condition_holds(condition, {"a": "y", "b": "y"})
    assert not condition_holds(condition, {})


def test_condition_all_and_any_together() -> None:
    condition = Condition.model_validate(when(all_={"a": ["x"]}, any_={"b": ["y"], "c": ["z"]}))
    assert condition_holds(condition, {"a": "x", "c": "z"})
    assert not condition_holds(condition, {"a": "x"})
    assert not condition_holds(condition, {"b": "y", "c": "z"})


# ---------------------------------------------------------------------------
# Which questions are asked


def test_clean_answers_keeps_valid_answers_in_question_order(tiny: GuideDocument) -> None:
    answers = {"tools": "one", "team": "solo", "billing": "fixed", "size": "big"}
    cleaned = clean_answers(tiny, answers)
    assert cleaned == answers
    assert list(cleaned) == ["size", "billing", "team", "tools"]


def test_clean_answers_drops_unknown_invalid_and_hidden(tiny: GuideDocument) -> None:
    answers = {
        "size": "small",
        "billing": "fixed",  # only asked when size is big
        "team": "no-such-choice",
        "handoff": "written",  # only asked for unsure size or a team
        "nonsense": "x",
        "tools": "many",
    }
    assert clean_answers(tiny, answers) == {"size": "small", "tools": "many"}


def test_clean_answers_hides_questions_behind_an_invalid_answer(tiny: GuideDocument) -> None:
    assert clean_answers(tiny, {"size": "huge", "billing": "fixed"}) == {}


def test_clean_answers_ignores_values_that_are_not_strings(tiny: GuideDocument) -> None:
    assert clean_answers(tiny, {"size": ["big"], "tools": None, "team": "solo"}) == {  # type: ignore[dict-item]
        "team": "solo"
    }


def test_clean_answers_stops_after_a_route(tiny: GuideDocument) -> None:
    answers = {"size": "small", "team": "agency", "tools": "one"}
    assert clean_answers(tiny, answers) == {"size": "small", "team": "agency"}


def test_shown_questions_follow_show_if(tiny: GuideDocument) -> None:
    assert slugs(shown_questions(tiny, {})) == ["size", "team", "tools"]
    assert slugs(shown_questions(tiny, {"size": "big"})) == ["size", "billing", "team", "tools"]
    # `any`: either clause shows the handoff question.
    assert "handoff" in slugs(shown_questions(tiny, {"size": "unsure"}))
    assert "handoff" in slugs(shown_questions(tiny, {"size": "small", "team": "team"}))
    assert "handoff" not in slugs(shown_questions(tiny, {"size": "small", "team": "solo"}))


def test_shown_questions_end_at_a_route(tiny: GuideDocument) -> None:
    assert slugs(shown_questions(tiny, {"size": "small", "team": "agency"})) == ["size", "team"]


def test_shown_questions_ignore_answers_that_are_not_kept(tiny: GuideDocument) -> None:
    # billing was answered but is hidden, so it is neither shown nor counted.
    assert slugs(shown_questions(tiny, {"size": "small", "billing": "fixed"})) == [
        "size",
        "team",
        "tools",
    ]


def test_next_question_walks_the_shown_questions(tiny: GuideDocument) -> None:
    asked = []
    answers: dict[str, str] = {}
    picks = {"size": "big", "billing": "fixed", "team": "team", "handoff": "written"}
    while (current := next_question(tiny, answers)) is not None:
        asked.append(current.slug)
        answers[current.slug] = picks.get(current.slug, current.choices[0].slug)
    assert asked == ["size", "billing", "team", "handoff", "tools"]
    assert next_question(tiny, answers) is None


def test_next_question_skips_to_the_first_gap(tiny: GuideDocument) -> None:
    current = next_question(tiny, {"size": "small", "tools": "one"})
    assert current is not None
    assert current.slug == "team"


def test_next_question_is_none_after_a_route(tiny: GuideDocument) -> None:
    assert next_question(tiny, {"size": "small", "team": "agency"}) is None


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


def test_more_matches_beat_the_same_outcome() -> None:
    doc = scenario_doc(
        scenario("same", "crm", {"a": "x"}), scenario("closer", "pm", {"a": "x", "b": "y"})
    )
    assert evaluate(doc, {"a": "x", "b": "y"}).scenario == "closer"


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


# ---------------------------------------------------------------------------
# Flips


def brute_force_flips(doc: GuideDocument, answers: dict[str, str]) -> list[Flip]:
    """Every single-answer change to the answers that count, evaluated from scratch."""
    answers = clean_answers(doc, answers)
    base = evaluate(doc, answers)
    flips = []
    for q_slug, c_slug in answers.items():
        for other in doc.question(q_slug).choices:
            if other.slug == c_slug:
                continue
            result = evaluate(doc, {**answers, q_slug: other.slug})
            if (result.outcome, result.route) != (base.outcome, base.route):
                flips.append(Flip(q_slug, other.slug, result.outcome, result.route, result.margin))
    return flips


def same_flips(decision: Decision, expected: list[Flip]) -> bool:
    """The same flips, whatever their order (ranking is tested on its own)."""
    return sorted(decision.flips, key=repr) == sorted(expected, key=repr)


def test_flips_list_every_change_that_changes_the_result(tiny: GuideDocument) -> None:
    answers = {"size": "small", "team": "solo", "tools": "one"}
    decision = evaluate(tiny, answers)
    assert decision.outcome == "crm"
    assert same_flips(decision, brute_force_flips(tiny, answers))
    # Picking the agency choice ends with its page.
    agency = tiny.question("team").choice("agency")
    assert Flip("team", "agency", None, agency.route) in decision.flips
    for flip in decision.flips:
        again = evaluate(tiny, {**answers, flip.question: flip.choice})
        assert (again.outcome, again.route) == (flip.outcome, flip.route)
        assert (flip.outcome, flip.route) != (decision.outcome, decision.route)


def test_flip_that_hides_a_later_question(tiny: GuideDocument) -> None:
    # size=big shows billing; fixed billing makes PM win. Changing size to small
    # hides billing, so its points vanish as well as size's.
    answers = {"size": "big", "billing": "fixed", "team": "solo", "tools": "one"}
    decision = evaluate(tiny, answers)
    assert decision.outcome == "pm"
    flip = next(f for f in decision.flips if (f.question, f.choice) == ("size", "small"))
    assert flip.outcome == "crm"
    assert "billing" not in clean_answers(tiny, {**answers, "size": "small"})
    assert same_flips(decision, brute_force_flips(tiny, answers))


def test_flips_from_a_route(tiny: GuideDocument) -> None:
    answers = {"size": "big", "team": "agency"}
    decision = evaluate(tiny, answers)
    assert decision.route is not None
    assert same_flips(decision, brute_force_flips(tiny, answers))
    assert {f.choice for f in decision.flips if f.question == "team"} == {"solo", "team"}


def test_flips_do_not_reach_inside_flips(tiny: GuideDocument) -> None:
    # A flip is a plain result, not a nested decision.
    decision = evaluate(tiny, {"size": "small", "team": "solo", "tools": "one"})
    assert decision.flips
    assert {type(f) for f in decision.flips} == {Flip}
    assert {f.name for f in dataclasses.fields(Flip)} == {
        "question",
        "choice",
        "outcome",
        "route",
        "margin",
    }


def test_flips_on_many_answer_sets_match_brute_force(tiny: GuideDocument) -> None:
    sets: list[dict[str, str]] = [{}]
    for q in tiny.questions:
        sets = [{**s, q.slug: c.slug} for s in sets for c in q.choices]
    for answers in sets:
        assert same_flips(evaluate(tiny, answers), brute_force_flips(tiny, answers))


def test_flips_come_most_decisive_first(tiny: GuideDocument) -> None:
    sets: list[dict[str, str]] = [{}]
    for q in tiny.questions:
        sets = [{**s, q.slug: c.slug} for s in sets for c in q.choices]
    ranked = 0
    for answers in sets:
        flips = evaluate(tiny, answers).flips
        routes = [f.route is not None for f in flips]
        # Every change to an outcome before any change to a route ...
        assert routes == sorted(routes)
        margins = [f.margin for f in flips if f.route is None and f.margin is not None]
        # ... and the clearest new result first.
        assert margins == sorted(margins, reverse=True)
        ranked += len(set(margins)) > 1
    assert ranked  # the tiny guide has answer sets where the order matters


# ---------------------------------------------------------------------------
# check_answers


def only_problem(doc: GuideDocument, answers: dict[str, str], **kw: Any) -> AnswerProblem:
    problems = check_answers(doc, answers, **kw)
    assert len(problems) == 1, problems
    return problems[0]


def test_check_answers_accepts_a_complete_set(tiny: GuideDocument) -> None:
    answers = {"size": "small", "team": "solo", "tools": "one"}
    assert check_answers(tiny, answers) == []


def test_check_answers_unknown_question(tiny: GuideDocument) -> None:
    problem = only_problem(tiny, {"size": "small", "team": "solo", "tools": "one", "colour": "x"})
    assert problem.question == "colour"
    assert problem.allowed == tuple(q.slug for q in tiny.questions)
    assert "colour" in problem.message
    assert all(slug in problem.message for slug in problem.allowed)


def test_check_answers_unknown_choice(tiny: GuideDocument) -> None:
    problem = only_problem(tiny, {"size": "medium", "team": "solo", "tools": "one"})
    assert problem.question == "size"
    assert problem.allowed == tuple(c.slug for c in tiny.question("size").choices)
    assert "size" in problem.message
    assert "medium" in problem.message
    assert all(slug in problem.message for slug in problem.allowed)
    assert str(problem) == problem.message


def test_check_answers_question_not_shown(tiny: GuideDocument) -> None:
    answers = {"size": "small", "billing": "fixed", "team": "solo", "tools": "one"}
    problem = only_problem(tiny, answers)
    assert problem.question == "billing"
    assert problem.allowed == ()
    # It says when the question is asked.
    clause = tiny.question("billing").show_if.all_[0]
    assert f"{clause.question}={clause.in_[0]}" in problem.message


def test_check_answers_after_a_route(tiny: GuideDocument) -> None:
    problem = only_problem(tiny, {"size": "small", "team": "agency", "tools": "one"})
    assert problem.question == "tools"
    assert "team=agency" in problem.message


def test_check_answers_missing_answer(tiny: GuideDocument) -> None:
    problem = only_problem(tiny, {"size": "big", "team": "solo", "tools": "one"})
    assert problem.question == "billing"
    assert problem.allowed == tuple(c.slug for c in tiny.question("billing").choices)
    assert all(slug in problem.message for slug in problem.allowed)
    assert check_answers(tiny, {"size": "big", "team": "solo"}, complete=False) == []


def test_check_answers_route_ends_the_questions(tiny: GuideDocument) -> None:
    assert check_answers(tiny, {"size": "small", "team": "agency"}) == []


def test_check_answers_lists_every_problem(tiny: GuideDocument) -> None:
    problems = check_answers(tiny, {"zzz": "x", "size": "big", "billing": "nope"})
    assert [p.question for p in problems] == ["zzz", "billing", "team", "tools"]


# ---------------------------------------------------------------------------
# Output, purity, speed


def test_to_json_round_trip(tiny: GuideDocument) -> None:
    decision = evaluate(tiny, {"size": "small", "team": "team", "handoff": "none"})
    data = decision.to_json()
    assert set(data) == {
        "outcome",
        "route",
        "scores",
        "excluded",
        "notes",
        "scenario",
        "reasons",
        "counter_reasons",
        "flips",
        "margin",
        "clarity",
        "runner_up",
        "close_call",
        "basis",
    }
    assert json.loads(json.dumps(data)) == data
    assert data["reasons"][0] == dataclasses.asdict(decision.reasons[0])
    assert data["flips"][0] == dataclasses.asdict(decision.flips[0])
    assert Decision.from_json(data) == decision


def test_evaluate_cleans_what_it_is_given(tiny: GuideDocument) -> None:
    raw = {"size": "small", "billing": "fixed", "team": "solo", "zzz": "1", "tools": "nope"}
    assert evaluate(tiny, raw) == evaluate(tiny, clean_answers(tiny, raw))


def test_nothing_is_mutated(tiny: GuideDocument) -> None:
    before = tiny.to_data()
    answers = {"size": "big", "billing": "fixed", "team": "team", "handoff": "written"}
    copy = dict(answers)
    decision = evaluate(tiny, answers)
    clean_answers(tiny, answers)
    check_answers(tiny, answers)
    assert answers == copy
    assert tiny.to_data() == before
    assert evaluate(tiny, answers) == decision
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.outcome = "crm"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.reasons[0].points = 9  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.flips[0].outcome = "x"  # type: ignore[misc]


def test_equal_documents_give_equal_decisions(tiny: GuideDocument) -> None:
    twin = parse_document(tiny.to_data())
    assert twin is not tiny
    answers = {"size": "big", "billing": "hourly", "team": "team", "handoff": "written"}
    assert evaluate(twin, answers) == evaluate(tiny, answers)


def test_large_guide_is_fast() -> None:
    # 200 questions, 1,000 choices, some questions behind conditions.
    questions = []
    for n in range(200):
        extra: dict[str, Any] = {}
        if n % 10 == 9:
            extra["show_if"] = when(all_={f"q{n - 1}": ["c0", "c1", "c2"]})
        questions.append(
            question(
                f"q{n}",
                *(
                    choice(f"c{k}", points={("crm", "pm", "hybrid")[(n + k) % 3]: k})
                    for k in range(5)
                ),
                **extra,
            )
        )
    doc = build(questions)
    answers = {q.slug: "c1" for q in doc.questions}
    evaluate(doc, answers)  # builds the lookups once
    start = time.perf_counter()
    decision = evaluate(doc, answers)
    elapsed = time.perf_counter() - start
    assert decision.outcome is not None
    assert elapsed < 0.25
