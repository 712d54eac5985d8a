"""Properties of the engine over random complete answer sets for the seed guide.

Answer sets are built the way a visitor builds them: ask `next_question`,
pick one of its choices, repeat until the questionnaire ends (all shown
questions answered, or a routing choice).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decisionguide.decision.document import Choice, GuideDocument
from decisionguide.decision.engine import check_answers, clean_answers, evaluate
from decisionguide.decision.parsing import parse_document
from decisionguide.decision.verdict import Decision, clarity_for
from tests.answers import PROPERTY_SETTINGS, random_complete_answers, walk_answers
from tests.decision.flip_checks import brute_force_flips

# The seed guide's rule: a hybrid is only recommended with a written handoff rule.
HANDOFF_QUESTION = "handoff_rule"
HANDOFF_WRITTEN = "written"
HYBRID = "hybrid"


def result(decision: Decision) -> tuple[str | None, str | None]:
    return decision.outcome, decision.route


@pytest.fixture(scope="module")
def doc(seed_document: GuideDocument) -> GuideDocument:
    return seed_document


# ---------------------------------------------------------------------------
# Over random complete answer sets


@PROPERTY_SETTINGS
@given(data=st.data())
def test_decision_properties(doc: GuideDocument, data: st.DataObject) -> None:
    answers = data.draw(random_complete_answers(doc))
    decision = evaluate(doc, answers)

    # These are exactly the answers the questionnaire would accept.
    assert clean_answers(doc, answers) == answers
    assert check_answers(doc, answers, complete=True) == []

    # Exactly one of a recommendation and a page to read instead.
    assert (decision.outcome is None) != (decision.route is None)
    if decision.outcome is not None:
        assert decision.outcome not in decision.excluded
        if decision.close_call:
            # A close call is settled by a tie-break or the default, and only a close one.
            assert decision.decided_by
            if decision.decided_by == "default":
                assert decision.outcome == doc.default_outcome
                assert -doc.close_call_margin <= decision.margin <= 0
            else:
                tie_break = next(t for t in doc.tie_breaks if t.question == decision.decided_by)
                assert tie_break.settles[answers[tie_break.question]] == decision.outcome
                assert -doc.close_call_margin <= decision.margin <= doc.close_call_margin
        else:
            assert decision.decided_by == ""
            assert decision.margin is None or decision.margin >= 0
        assert decision.clarity == clarity_for(decision.margin, close_call=decision.close_call)
        runner_up = decision.runner_up
        for sign, reasons in ((1, decision.reasons), (-1, decision.counter_reasons)):
            for reason in reasons:
                choice = doc.question(reason.question).choice(reason.choice)
                assert answers[reason.question] == reason.choice
                net = choice.points.get(decision.outcome, 0)
                net -= choice.points.get(runner_up, 0) if runner_up else 0
                assert reason.points == sign * net > 0
            points = [r.points for r in reasons]
            assert points == sorted(points, reverse=True)
        if runner_up is not None:
            # For and against add up to the margin the page states.
            total = sum(r.points for r in decision.reasons)
            total -= sum(r.points for r in decision.counter_reasons)
            assert total == decision.margin
            assert decision.scores[decision.outcome] - decision.scores[runner_up] == total
    else:
        assert decision.clarity == ""
        assert decision.scenario is None

    # The hybrid needs a written handoff rule.
    if decision.outcome == HYBRID:
        assert answers.get(HANDOFF_QUESTION) == HANDOFF_WRITTEN

    # Deterministic, also on an equal copy of the document.
    assert evaluate(doc, dict(answers)) == decision
    assert evaluate(parse_document(doc.to_data()), answers) == decision


# Fewer examples: each one evaluates every flip and every single change from scratch.
@settings(PROPERTY_SETTINGS, max_examples=60)
@given(data=st.data())
def test_every_flip_flips_and_none_is_missed(doc: GuideDocument, data: st.DataObject) -> None:
    answers = data.draw(random_complete_answers(doc))
    decision = evaluate(doc, answers)
    # Every flip listed is a complete, valid answer set that really gives its result.
    for flip in decision.flips:
        changed = clean_answers(doc, {**answers, **dict(flip.changes())})
        assert check_answers(doc, changed, complete=True) == [], flip
        assert result(evaluate(doc, changed)) == (flip.outcome, flip.route), flip
        assert result(evaluate(doc, changed)) != result(decision)
    # Every single change (each way of answering its follow-ups) that flips is listed.
    # (From a route page, leaving the route brings the whole questionnaire back:
    # the engine lists some complete answer sets for it, not all of them.)
    if decision.outcome is not None:
        singles = {(f.question, f.choice, f.also) for f in decision.flips}
        for flip in brute_force_flips(doc, answers):
            assert (flip.question, flip.choice, flip.also) in singles, flip
    # Two-answer changes only when no single answer gives another recommendation.
    pairs = [f for f in decision.flips if any(q in answers for q, _ in f.also)]
    if pairs:
        assert not any(f.outcome is not None and not f.also for f in decision.flips)
        assert all(f.outcome is not None and f.outcome != decision.outcome for f in pairs)


def test_the_seed_guide_has_the_rules_these_tests_rely_on(doc: GuideDocument) -> None:
    handoff = doc.question(HANDOFF_QUESTION)
    assert handoff is not None
    assert handoff.choice(HANDOFF_WRITTEN) is not None
    assert doc.outcome(HYBRID) is not None


# ---------------------------------------------------------------------------
# Reachability and the scenarios in the file


def find_witness(doc: GuideDocument, wanted: Callable[[Decision], bool]) -> dict[str, str] | None:
    """A complete answer set whose decision is `wanted`: greedy first, then random walks."""
    rng = random.Random(0)
    for _ in range(3000):
        answers = walk_answers(doc, lambda question: rng.choice(question.choices))
        if wanted(evaluate(doc, answers)):
            return answers
    return None


def greedy(doc: GuideDocument, outcome: str) -> dict[str, str]:
    """Always take the choice that helps `outcome` most against the others (no routes)."""

    def lead(choice: Choice) -> tuple[int, int]:
        others = max((p for o, p in choice.points.items() if o != outcome), default=0)
        return (choice.points.get(outcome, 0) - others, choice.route is None)

    return walk_answers(doc, lambda question: max(question.choices, key=lead))


def test_every_outcome_is_reachable(doc: GuideDocument) -> None:
    for outcome in doc.outcomes:
        answers = greedy(doc, outcome.slug)
        if evaluate(doc, answers).outcome != outcome.slug:
            answers = find_witness(doc, lambda d, slug=outcome.slug: d.outcome == slug)
        assert answers is not None, f"no answers lead to {outcome.slug}"
        assert evaluate(doc, answers).outcome == outcome.slug
        assert check_answers(doc, answers) == []


def test_every_route_is_reachable(doc: GuideDocument) -> None:
    routes = {c.route for q in doc.questions for c in q.choices if c.route}
    for route in sorted(routes):
        answers = find_witness(doc, lambda d, slug=route: d.route == slug)
        assert answers is not None, f"no answers lead to the page {route}"


def test_every_scenario_profile_gives_its_outcome(doc: GuideDocument) -> None:
    assert doc.scenarios
    wrong = []
    for scenario in doc.scenarios:
        assert scenario.answers, f"scenario {scenario.slug} has no answer profile"
        # A profile answers only questions that are asked, with real choices.
        assert check_answers(doc, scenario.answers, complete=False) == [], scenario.slug
        got = evaluate(doc, scenario.answers).outcome
        if got != scenario.outcome:
            wrong.append(f"{scenario.slug}: expected {scenario.outcome}, got {got}")
    assert wrong == []
