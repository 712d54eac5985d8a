"""Which questions are asked: conditions, the walk, clean answers (the tiny guide)."""

from __future__ import annotations

from decisionguide.decision.document import Condition, GuideDocument
from decisionguide.decision.engine import (
    clean_answers,
    condition_holds,
    next_question,
    shown_questions,
)
from tests.builders import slugs, when

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
