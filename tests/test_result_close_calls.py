"""Issue 22 on the result page: what settled a close call, what would change it
(follow-ups, two-answer changes, or why it holds), why the closest example, and the
check-again lines that concern the shown recommendation; old results still read."""

from __future__ import annotations

import json
import re
from html import unescape

from django.test import Client
from django.urls import reverse

from decisionguide.decision.engine import evaluate, shown_failure_checks
from decisionguide.results.models import Result
from tests.answers import IN_GUIDE, week
from tests.stored_results import create, json_url, markdown_url

# Money lost before kickoff, the pipeline checked most, scores a point apart.
BEFORE_KICKOFF_CLOSE = {
    **IN_GUIDE,
    **week(revenue_loss="before-kickoff", status_checks="pipeline", lead_volume="low"),
}
# Hybrid is ruled out, CRM-first too (few, heavy projects); PM-first leads well.
HOLDS_FIRM = {
    **IN_GUIDE,
    "revenue_loss": "after-kickoff",
    "lead_volume": "low",
    "sales_cycle": "short",
    "delivery_shape": "milestone-heavy",
    "status_checks": "both",
    "active_clients": "9-plus",
    "team": "with-assistant",
    "handoff_rule": "none",
    "admin_tolerance": "avoid-duplication",
    "billing_strictness": "standard",
    "current_tools": "both",
    "authority_after_signature": "unclear",
}
# No single answer moves it; two do.
TWO_ANSWERS = {
    **IN_GUIDE,
    **week(
        revenue_loss="both",
        team="with-assistant",
        handoff_rule="none",
        admin_tolerance="accept-overhead",
    ),
}


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by `heading_id`."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def result_page(client: Client, doc, answers: dict[str, str]) -> str:
    response = client.get(reverse("questionnaire-result", args=[doc.slug]), answers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_close_call_says_what_decided_it(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    decision = evaluate(doc, BEFORE_KICKOFF_CLOSE)
    assert (decision.outcome, decision.decided_by) == ("crm-first", "revenue_loss")
    page = " ".join(text(result_page(client, doc, BEFORE_KICKOFF_CLOSE)).split())
    assert "so one of your answers settled it (below)" in page
    question = doc.question("revenue_loss")
    label = question.choice("before-kickoff").label
    assert f"What decided it: You answered “{label}” to “{question.prompt}”." in page
    assert " ".join(doc.tie_breaks[0].explanation.split()) in page
    assert f"a close call, settled by your answer to “{question.short}”." in page
    assert "close enough for the default" not in page
    # The default's failure mode ("follow-up before kickoff becomes hit-and-miss") is gone.
    assert "hit-and-miss" not in page


def test_a_result_that_holds_says_so_and_why(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    decision = evaluate(doc, HOLDS_FIRM)
    assert decision.outcome == "pm-first"
    assert not [f for f in decision.flips if f.outcome is not None]
    changes = " ".join(
        text(section(result_page(client, doc, HOLDS_FIRM), "change-heading")).split()
    )
    assert "PM-first holds firm: no change to one or two of your answers would move it" in changes
    assert "your answers rule out Hybrid and CRM-first (see why above)" in changes
    assert "Changing any one answer on its own" not in changes


def test_two_answer_changes_when_no_single_answer_moves_it(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    decision = evaluate(doc, TWO_ANSWERS)
    pairs = [f for f in decision.flips if f.outcome is not None]
    assert pairs and all(any(q in TWO_ANSWERS for q, _ in f.also) for f in pairs)
    changes = " ".join(
        text(section(result_page(client, doc, TWO_ANSWERS), "change-heading")).split()
    )
    assert "No single answer would change it" in changes
    assert "Changing two answers at once would:" in changes
    first = pairs[0]
    (q2, c2), *_ = first.also
    second = doc.question(q2)
    assert f"and “{second.choice(c2).label}” to “{second.prompt}”" in changes


def test_the_closest_example_says_why(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    solo = {**IN_GUIDE, **week()}
    decision = evaluate(doc, solo)
    scenario = next(s for s in doc.scenarios if s.slug == decision.scenario)
    assert scenario.outcome == decision.outcome
    example = text(section(result_page(client, doc, solo), "scenario-heading"))
    named = [doc.question(q).short for q in decision.scenario_matches[:3]]
    assert "Why this example: It shares your answers on " in example
    for short in named:
        assert f"“{short}”" in example


def test_check_again_lines_concern_the_shown_outcome(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    hybrid_line = next(c for c in doc.failure_checks if c.shown_with == ("hybrid",))
    answers = {**IN_GUIDE, **week()}
    decision = evaluate(doc, answers)
    assert decision.outcome != "hybrid"
    assert doc.failure_checks.index(hybrid_line) not in shown_failure_checks(doc, decision.outcome)
    path = create(client, doc, answers)
    for body in (
        client.get(path).content.decode(),
        client.get(markdown_url(path)).content.decode(),
    ):
        assert "Your hybrid added upkeep" not in body
        assert "Two tools each claim" in body
    data = json.loads(client.get(json_url(path)).content)
    assert "Your hybrid added upkeep" not in " ".join(data["explanation"]["check_again"])
    assert data["decided_by"] == "" and data["scenario_matches"]


def test_an_old_stored_close_call_still_reads(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    path = create(client, doc, BEFORE_KICKOFF_CLOSE)
    result = Result.objects.get()
    old = evaluate(doc, BEFORE_KICKOFF_CLOSE).to_json()
    # Stored before tie-breaks, follow-ups and example matches: a close call to the default.
    for key in ("decided_by", "scenario_matches"):
        old.pop(key)
    for flip in old["flips"]:
        flip.pop("also")
    old["outcome"], old["margin"] = "pm-first", -1
    result.decision = old
    result.save()
    page = " ".join(text(client.get(path).content.decode()).split())
    assert "so the guide's default, PM-first, applies" in page
    assert "What decided it: When the scores are this close" in page
    assert client.get(markdown_url(path)).status_code == 200


def test_the_markdown_export_says_why_it_holds_or_that_two_answers_are_needed(
    client: Client, seed_guide
) -> None:
    doc = seed_guide.published_document()
    held = client.get(markdown_url(create(client, doc, HOLDS_FIRM))).content.decode()
    after = held[held.index("## What would change it") :]
    assert after.split("\n")[2].startswith("PM-first holds firm: no change to one or two")
    assert "Changing any one answer on its own" not in held
    paired = client.get(markdown_url(create(client, doc, TWO_ANSWERS))).content.decode()
    after = paired[paired.index("## What would change it") :]
    assert "No single answer would change it" in after.split("\n")[2]
    assert after.split("\n")[4].startswith("- ")
