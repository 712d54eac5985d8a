"""`manage.py recommend`: the engine's decision as JSON, and loud failures on bad answers."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from decisionguide.content.models import Guide
from decisionguide.decision.document import Choice, GuideDocument, Question
from decisionguide.decision.engine import evaluate, next_question, shown_questions
from tests.builders import DECISION_JSON_KEYS

Picker = Callable[[Question, int], Choice]


def walk(doc: GuideDocument, pick: Picker) -> dict[str, str]:
    """Answer questions in the order the questionnaire asks them."""
    answers: dict[str, str] = {}
    step = 0
    while (question := next_question(doc, answers)) is not None:
        answers[question.slug] = pick(question, step).slug
        step += 1
    return answers


def no_route(offset: int) -> Picker:
    """Cycle through the choices that don't end the questions."""

    def pick(question: Question, step: int) -> Choice:
        choices = [c for c in question.choices if c.route is None] or list(question.choices)
        return choices[(step + offset) % len(choices)]

    return pick


def complete_sets(doc: GuideDocument) -> list[dict[str, str]]:
    return [walk(doc, no_route(offset)) for offset in range(4)]


def pairs(answers: dict[str, str]) -> list[str]:
    return [f"{q}={c}" for q, c in answers.items()]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("recommend", *args, stdout=out)
    return out.getvalue()


def fails(*args: str) -> str:
    with pytest.raises(CommandError) as excinfo:
        run(*args)
    assert excinfo.value.returncode == 2
    message = str(excinfo.value)
    assert "\n" not in message
    return message


@pytest.fixture(params=["seed_guide", "small_guide"])
def guide(request: pytest.FixtureRequest) -> Guide:
    return request.getfixturevalue(request.param)


@pytest.fixture
def doc(guide: Guide) -> GuideDocument:
    return guide.published_document()


# ---------------------------------------------------------------------------
# Output


@pytest.mark.django_db
def test_prints_the_engine_decision(guide: Guide, doc: GuideDocument) -> None:
    for answers in complete_sets(doc):
        data = json.loads(run(guide.slug, *pairs(answers)))
        assert set(data) >= DECISION_JSON_KEYS
        assert data == evaluate(doc, answers).to_json()
        assert (data["outcome"] is None) != (data["route"] is None)


@pytest.mark.django_db
def test_a_route_ends_the_questions(guide: Guide, doc: GuideDocument) -> None:
    # Take the first routing choice the questionnaire reaches and stop there.
    answers: dict[str, str] = {}
    while (question := next_question(doc, answers)) is not None:
        routing = next((c for c in question.choices if c.route), None)
        answers[question.slug] = (routing or question.choices[0]).slug
    routed = [q for q in answers if doc.question(q).choice(answers[q]).route]
    if not routed:
        pytest.skip("this guide has no routing choice on the path taken")
    data = json.loads(run(guide.slug, *pairs(answers)))
    assert data["outcome"] is None
    assert data["route"] == doc.question(routed[-1]).choice(answers[routed[-1]]).route
    assert data == evaluate(doc, answers).to_json()


@pytest.mark.django_db
def test_batch_file_prints_one_line_per_profile(
    guide: Guide, doc: GuideDocument, tmp_path: Path
) -> None:
    profiles = complete_sets(doc)
    batch = tmp_path / "answers.jsonl"
    batch.write_text("\n\n".join(json.dumps(p) for p in profiles) + "\n", encoding="utf-8")
    lines = run(guide.slug, "--batch", str(batch)).splitlines()
    assert [json.loads(line) for line in lines] == [evaluate(doc, p).to_json() for p in profiles]


@pytest.mark.django_db
def test_batch_from_stdin(
    guide: Guide, doc: GuideDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = complete_sets(doc)[:2]
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(json.dumps(p) + "\n" for p in profiles)))
    lines = run(guide.slug, "--batch", "-").splitlines()
    assert [json.loads(line) for line in lines] == [evaluate(doc, p).to_json() for p in profiles]


# ---------------------------------------------------------------------------
# Exit status 2


@pytest.mark.django_db
def test_unknown_guide(guide: Guide) -> None:
    message = fails("no-such-guide")
    assert "no-such-guide" in message
    assert guide.slug in message


@pytest.mark.django_db
def test_unknown_question(guide: Guide, doc: GuideDocument) -> None:
    answers = complete_sets(doc)[0]
    message = fails(guide.slug, *pairs(answers), "colour=blue")
    assert "colour" in message
    assert all(q.slug in message for q in doc.questions)


@pytest.mark.django_db
def test_unknown_choice(guide: Guide, doc: GuideDocument) -> None:
    answers = complete_sets(doc)[0]
    first = next(iter(answers))
    answers[first] = "no-such-choice"
    message = fails(guide.slug, *pairs(answers))
    assert first in message
    assert "no-such-choice" in message
    assert all(c.slug in message for c in doc.question(first).choices)


@pytest.mark.django_db
def test_answer_to_a_question_not_shown(guide: Guide, doc: GuideDocument) -> None:
    # A complete set of answers in which some conditional question is not asked.
    for answers in complete_sets(doc):
        shown = {q.slug for q in shown_questions(doc, answers)}
        hidden = [q for q in doc.questions if q.show_if is not None and q.slug not in shown]
        if hidden:
            break
    else:
        pytest.fail("expected a conditional question hidden by one of the answer sets")
    question = hidden[0]
    message = fails(guide.slug, *pairs(answers), f"{question.slug}={question.choices[0].slug}")
    assert question.slug in message
    # It names what the question depends on.
    assert all(clause.question in message for _, _, clause in question.show_if.clauses())


@pytest.mark.django_db
def test_missing_answer(guide: Guide, doc: GuideDocument) -> None:
    answers = complete_sets(doc)[0]
    last = list(answers)[-1]
    del answers[last]
    message = fails(guide.slug, *pairs(answers))
    assert last in message
    assert all(c.slug in message for c in doc.question(last).choices)


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["size", "=x", "size=", "==", ""])
def test_malformed_answer(guide: Guide, doc: GuideDocument, bad: str) -> None:
    message = fails(guide.slug, bad)
    assert repr(bad) in message
    assert "QUESTION=CHOICE" in message
    assert all(q.slug in message for q in doc.questions)


@pytest.mark.django_db
def test_answered_twice(guide: Guide, doc: GuideDocument) -> None:
    question = doc.questions[0]
    first, second = question.choices[0].slug, question.choices[1].slug
    message = fails(guide.slug, f"{question.slug}={first}", f"{question.slug}={second}")
    assert question.slug in message
    assert first in message
    assert second in message


@pytest.mark.django_db
def test_batch_problem_names_the_line(guide: Guide, doc: GuideDocument, tmp_path: Path) -> None:
    good = complete_sets(doc)[0]
    bad = dict(good)
    first = next(iter(bad))
    bad[first] = "no-such-choice"
    batch = tmp_path / "answers.jsonl"
    batch.write_text(f"{json.dumps(good)}\n\n{json.dumps(bad)}\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("recommend", guide.slug, "--batch", str(batch), stdout=out)
    assert excinfo.value.returncode == 2
    message = str(excinfo.value)
    assert message.startswith("line 3: ")
    assert first in message
    assert all(c.slug in message for c in doc.question(first).choices)
    # Nothing is printed for the good lines before the bad one.
    assert out.getvalue() == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "expected"),
    [("{not json", "not valid JSON"), ('["a", "b"]', "JSON object"), ("42", "JSON object")],
)
def test_batch_line_that_is_not_an_answers_object(
    guide: Guide, doc: GuideDocument, tmp_path: Path, line: str, expected: str
) -> None:
    batch = tmp_path / "answers.jsonl"
    batch.write_text(line + "\n", encoding="utf-8")
    message = fails(guide.slug, "--batch", str(batch))
    assert message.startswith("line 1: ")
    assert expected in message


@pytest.mark.django_db
def test_batch_answer_that_is_not_a_string(
    guide: Guide, doc: GuideDocument, tmp_path: Path
) -> None:
    question = doc.questions[0]
    batch = tmp_path / "answers.jsonl"
    batch.write_text(json.dumps({question.slug: 3}) + "\n", encoding="utf-8")
    message = fails(guide.slug, "--batch", str(batch))
    assert message.startswith("line 1: ")
    assert question.slug in message
    assert all(c.slug in message for c in question.choices)


@pytest.mark.django_db
def test_batch_file_missing(guide: Guide, tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    assert str(missing) in fails(guide.slug, "--batch", str(missing))


@pytest.mark.django_db
def test_answers_and_batch_together(guide: Guide, doc: GuideDocument) -> None:
    question = doc.questions[0]
    message = fails(guide.slug, f"{question.slug}={question.choices[0].slug}", "--batch", "-")
    assert "--batch" in message


@pytest.mark.django_db
def test_recommend_prints_what_settled_a_close_call_and_complete_flips(seed_guide: Guide) -> None:
    doc = seed_guide.published_document()
    answers = {
        "open_problem": "system-center",
        "revenue_loss": "before-kickoff",
        "lead_volume": "low",
        "sales_cycle": "weeks",
        "delivery_shape": "repeatable",
        "status_checks": "pipeline",
        "active_clients": "3-8",
        "team": "solo",
        "handoff_rule": "vague",
        "admin_tolerance": "avoid-duplication",
        "billing_strictness": "standard",
        "current_tools": "pm-only",
    }
    data = json.loads(run(doc.slug, *pairs(answers)))
    assert (data["outcome"], data["decided_by"], data["close_call"]) == (
        "crm-first",
        "revenue_loss",
        True,
    )
    assert data["scenario_matches"] and data["scenario_matches"][0] in answers
    tools = [f for f in data["flips"] if f["question"] == "current_tools" and f["choice"] == "both"]
    # The tools answer "both" brings a follow-up: each flip lists the answer to it.
    assert all(f["also"] and f["also"][0][0] == "authority_after_signature" for f in tools)
    for flip in data["flips"]:
        changed = {**answers, flip["question"]: flip["choice"], **dict(flip["also"])}
        again = evaluate(doc, changed)
        assert (again.outcome, again.route) == (flip["outcome"], flip["route"])
