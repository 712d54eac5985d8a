"""What would change it, strict answer checks, and the decision as data."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from decisionguide.decision import engine, flips
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import (
    AnswerProblem,
    check_answers,
    clean_answers,
    evaluate,
)
from decisionguide.decision.parsing import parse_document
from decisionguide.decision.verdict import (
    Decision,
    Flip,
)
from tests.builders import DECISION_JSON_KEYS, build, choice, question, when
from tests.decision.flip_checks import brute_force_flips

# ---------------------------------------------------------------------------
# Flips


def single_flips(decision: Decision, answers: dict[str, str]) -> list[Flip]:
    """The flips that change one answer (and answer the follow-ups it brings)."""
    return [f for f in decision.flips if not any(q in answers for q, _ in f.also)]


def same_flips(decision: Decision, expected: list[Flip], answers: dict[str, str]) -> bool:
    """The same single-answer flips, whatever their order (ranking is tested on its own)."""
    return sorted(single_flips(decision, answers), key=repr) == sorted(expected, key=repr)


def test_flips_list_every_change_that_changes_the_result(tiny: GuideDocument) -> None:
    answers = {"size": "small", "team": "solo", "tools": "one"}
    decision = evaluate(tiny, answers)
    assert decision.outcome == "crm"
    assert same_flips(decision, brute_force_flips(tiny, answers), clean_answers(tiny, answers))
    # Picking the agency choice ends with its page.
    agency = tiny.question("team").choice("agency")
    assert Flip("team", "agency", None, agency.route) in decision.flips
    for flip in decision.flips:
        again = evaluate(tiny, {**answers, **dict(flip.changes())})
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
    assert same_flips(decision, brute_force_flips(tiny, answers), clean_answers(tiny, answers))


def test_flips_from_a_route(tiny: GuideDocument) -> None:
    answers = {"size": "big", "team": "agency"}
    decision = evaluate(tiny, answers)
    assert decision.route is not None
    assert same_flips(decision, brute_force_flips(tiny, answers), clean_answers(tiny, answers))
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
        "also",
    }
    assert all(
        isinstance(pair, tuple) and len(pair) == 2 for f in decision.flips for pair in f.also
    )


def test_flips_on_many_answer_sets_match_brute_force(tiny: GuideDocument) -> None:
    sets: list[dict[str, str]] = [{}]
    for q in tiny.questions:
        sets = [{**s, q.slug: c.slug} for s in sets for c in q.choices]
    for answers in sets:
        assert same_flips(
            evaluate(tiny, answers), brute_force_flips(tiny, answers), clean_answers(tiny, answers)
        )


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
    assert set(data) == DECISION_JSON_KEYS
    assert json.loads(json.dumps(data)) == data
    assert data["reasons"][0] == dataclasses.asdict(decision.reasons[0])
    assert Flip.from_json(data["flips"][0]) == decision.flips[0]
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


def test_a_large_guide_costs_work_in_proportion_to_its_choices(monkeypatch) -> None:
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
    # Counted, not timed (speed is the benchmark's job): a walk through the questions is
    # the engine's unit of work. Only a change to a question others depend on needs one;
    # the rest move points alone, so the walks stay well under one per choice.
    walks = []
    for module in (engine, flips):
        real = module.walk
        monkeypatch.setattr(module, "walk", lambda *a, real=real: walks.append(1) or real(*a))
    decision = evaluate(doc, answers)
    assert decision.outcome is not None and decision.flips
    choices = sum(len(q.choices) for q in doc.questions)
    assert 0 < len(walks) <= choices // 5, len(walks)
