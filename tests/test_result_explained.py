"""The result explains itself the same way on the page, in `.md` and in `.json`.

Expected words come from the loaded guide and the engine's decision, so the
tests follow the content as it changes.
"""

from __future__ import annotations

import itertools
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import clean_answers, evaluate, next_question
from decisionguide.results.models import Result
from decisionguide.results.presenter import FIRST_CHANGES
from tests.answers import BUSY_BOTH, IN_GUIDE, week
from tests.stored_results import create, json_url, markdown_url

pytestmark = pytest.mark.django_db

# Leans hybrid with a loose handoff: notes, a ruled-out outcome and several flips.
LOOSE_HANDOFF = {**IN_GUIDE, **BUSY_BOTH, "handoff_rule": "vague", "current_tools": "none"}


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by `heading_id`."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_exports_say_what_the_page_says(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    decision = evaluate(doc, LOOSE_HANDOFF)
    assert decision.notes and decision.excluded and decision.flips and decision.counter_reasons
    path = create(client, doc, LOOSE_HANDOFF)
    page = text(client.get(path).content.decode())
    markdown = client.get(markdown_url(path)).content.decode()
    explanation = client.get(json_url(path)).json()["explanation"]

    notes = [n for n in doc.notes if n.slug in decision.notes]
    assert [n["slug"] for n in explanation["notes"]] == [n.slug for n in notes]
    for note in notes:
        assert note.title in page and f"### {note.title}" in markdown
    for slug, reason in decision.excluded.items():
        name = doc.outcome(slug).name
        assert {"outcome": slug, "name": name, "reason": reason} in explanation["ruled_out"]
        assert f"**{name}:** {' '.join(reason.split())}" in markdown
    changes = explanation["what_would_change_it"]
    outcome_flips = [f for f in decision.flips if f.outcome is not None]
    assert [(c["question"], c["choice"]) for c in changes] == [
        (f.question, f.choice) for f in outcome_flips
    ]
    for change in changes:
        assert change["sentence"] in page and f"- {change['sentence']}" in markdown
    counted_for, counted_against = explanation["counted_for"], explanation["counted_against"]
    assert counted_for["outcome"] == decision.outcome
    assert counted_against["outcome"] == decision.runner_up
    assert counted_for["total"] - counted_against["total"] == decision.margin
    for side in (counted_for, counted_against):
        for answer in side["answers"]:
            assert answer["text"] in page and answer["text"] in markdown
    assert explanation["sum"] in page and explanation["sum"] in markdown
    assert explanation["standing"] in page and explanation["standing"] in markdown


def test_the_why_section_adds_up_to_the_stated_margin(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    checked = 0
    for answers in (LOOSE_HANDOFF, {**IN_GUIDE, **week()}, {**IN_GUIDE, **BUSY_BOTH}):
        decision = evaluate(doc, answers)
        html = client.get(
            reverse("questionnaire-result", args=[doc.slug]), answers
        ).content.decode()
        why = section(html, "why-heading")
        listed = [int(p) for p in re.findall(r'class="reason-points">\+(\d+)<', why)]
        pros = len(decision.reasons)
        assert sum(listed[:pros]) - sum(listed[pros:]) == decision.margin
        totals = [int(t) for t in re.findall(r'class="side-total">\((\d+) point', why)]
        assert totals == [sum(listed[:pros]), sum(listed[pros:])][: len(totals)]
        # Each side is headed by its outcome: the recommendation, then the runner-up.
        headings = re.findall(r'class="side-heading">What counted for ([^<]+?) <span', why)
        names = [doc.outcome(decision.outcome).name]
        if decision.runner_up and decision.counter_reasons:
            names.append(f"{doc.outcome(decision.runner_up).name} instead")
        assert headings == names[: len(headings)] and len(headings) == len(totals)
        stated = re.search(r"scores (\d+) points? more|(level)", text(html))
        assert stated is not None
        if stated.group(1):
            assert int(stated.group(1)) == abs(decision.margin)
        checked += 1
    assert checked == 3


def test_three_changes_first_and_the_rest_behind_a_disclosure(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    answers = LOOSE_HANDOFF
    decision = evaluate(doc, answers)
    outcome_flips = [f for f in decision.flips if f.outcome is not None]
    assert len(outcome_flips) > FIRST_CHANGES
    html = client.get(reverse("questionnaire-result", args=[doc.slug]), answers).content.decode()
    changes = section(html, "change-heading")
    before, _, inside = changes.partition("<details")
    first = re.findall(r"<li>(.*?)</li>", before)
    rest = re.findall(r"<li>(.*?)</li>", inside)
    assert len(first) == FIRST_CHANGES
    assert len(first) + len(rest) == len(outcome_flips)
    assert "<summary>" in inside
    # The first ones are the most decisive changes, each about a different question.
    prompts = [doc.question(f.question).prompt for f in outcome_flips]
    shown_prompts = [p for p in prompts if any(p in unescape(item) for item in first)]
    assert len(set(shown_prompts)) == FIRST_CHANGES


def test_the_closest_example_ends_like_the_result_and_says_why(client: Client, seed_guide) -> None:
    # Issue 22: same outcome first, then the weightiest shared answers; the page says why.
    doc = seed_guide.published_document()
    candidates = [
        {**IN_GUIDE, **BUSY_BOTH, **change}
        for change in (
            {"handoff_rule": "vague"},
            {"team": "solo", "admin_tolerance": "avoid-duplication"},
            {"current_tools": "both", "authority_after_signature": "unclear"},
            {"status_checks": "delivery"},
        )
    ]
    for answers in candidates:
        decision = evaluate(doc, answers)
        scenario = next(s for s in doc.scenarios if s.slug == decision.scenario)
        assert scenario.outcome == decision.outcome
        html = client.get(reverse("questionnaire-result", args=[doc.slug]), answers)
        example = text(section(html.content.decode(), "scenario-heading"))
        assert "This example usually ends with" not in example
        weightiest = doc.question(decision.scenario_matches[0]).short
        assert f"Why this example: It shares your answers on \u201c{weightiest}\u201d" in example


def test_an_old_result_whose_example_ends_differently_says_so(client: Client, seed_guide) -> None:
    # Results stored before the example was chosen by outcome may point at another one.
    doc = seed_guide.published_document()
    answers = {**IN_GUIDE, **BUSY_BOTH, "handoff_rule": "vague"}
    path = create(client, doc, answers)
    result = Result.objects.get()
    decision = evaluate(doc, answers)
    other = next(s for s in doc.scenarios if s.outcome != decision.outcome)
    old = decision.to_json()
    old.pop("scenario_matches")
    old.pop("decided_by")
    old["scenario"] = other.slug
    result.decision = old
    result.save()
    example = text(section(client.get(path).content.decode(), "scenario-heading"))
    assert f"This example usually ends with {doc.outcome(other.outcome).name}" in example
    assert "Why this example" not in example


def test_a_result_stored_before_for_and_against_still_reads(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    answers = {**IN_GUIDE, **week()}
    path = create(client, doc, answers)
    result = Result.objects.get()
    old = evaluate(doc, answers).to_json()
    for key in ("runner_up", "close_call", "counter_reasons", "basis"):
        old.pop(key)
    old["reasons"] = [{**r, "points": 3} for r in old["reasons"][:2]]
    old["flips"] = [{k: v for k, v in f.items() if k != "margin"} for f in old["flips"]]
    Result.objects.filter(pk=result.pk).update(decision=old)
    page = text(client.get(path).content.decode())
    outcome = doc.outcome(old["outcome"])
    for reason in old["reasons"]:
        assert f"{reason['text']} +3 for {outcome.name}" in page
    assert "What counted for" not in page
    assert client.get(markdown_url(path)).status_code == 200
    assert client.get(json_url(path)).json()["explanation"]["counted_against"] is None


# ---------------------------------------------------------------------------
# Copy


def test_the_guide_page_counts_questions_as_the_counter_does(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    guide_page = text(client.get(reverse("guide-detail", args=[doc.slug])).content.decode())
    first = next_question(doc, {})
    question_page = client.get(
        reverse("questionnaire-question", args=[doc.slug, first.slug])
    ).content.decode()
    counted = re.search(r"Question 1 of (up to )?(\d+)", question_page)
    assert counted is not None
    up_to, total = counted.groups()
    # "Question 1 of up to 13" beside "12 short questions (up to 13 for some answers)".
    expected = f"(up to {total} for some answers)" if up_to else f"{total} short questions"
    assert expected in guide_page


def test_route_and_error_sentences_read_as_english(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    question = doc.questions[0]
    routing = next(c for c in question.choices if c.route)
    route_page = text(
        client.get(
            reverse("questionnaire-route", args=[doc.slug]), {question.slug: routing.slug}
        ).content.decode()
    )
    assert routing.reason in route_page
    assert "You picked" not in route_page
    error = client.get(reverse("questionnaire-answer", args=[doc.slug, question.slug]))
    assert f"Choose an answer to “{question.prompt}”" in unescape(error.content.decode())


def test_linked_pages_have_a_body_not_a_stub(client: Client, seed_guide) -> None:
    doc = seed_guide.published_document()
    for page in doc.linked_pages:
        assert page.url or page.body.strip()
        if page.url:
            continue
        html = client.get(reverse("linked-page", args=[doc.slug, page.slug])).content.decode()
        assert "Go there when" not in html
        # The body's own headings, one level below the page's section heading.
        body_headings = re.findall(r"^#+ (.+)$", page.body, re.MULTILINE)
        assert body_headings
        assert [unescape(h) for h in re.findall(r"<h3>(.*?)</h3>", html)] == body_headings
        assert re.findall(r"<h2[^>]*>(.*?)</h2>", html) == ["When it helps", "About this page"]


def test_every_seed_answer_set_leads_somewhere(seed_document: GuideDocument) -> None:
    # Every routing answer and every recommendation's "read next" names a page with
    # something to read: a URL elsewhere or a body here.
    doc = seed_document
    slugs = {c.route for q in doc.questions for c in q.choices if c.route}
    slugs |= {slug for o in doc.outcomes for slug in o.next_pages}
    for slug in slugs:
        page = doc.linked_page(slug)
        assert page.url or len(page.body.split()) > 40, slug
    assert clean_answers(doc, {}) == {}
    assert list(itertools.islice(slugs, 1))
