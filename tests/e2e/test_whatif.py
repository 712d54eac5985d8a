"""What-if links on a stored result's permalink, in Chromium: with JavaScript (HTMX swaps the
result body, on a phone) and without (plain links to whole pages)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import clean_answers, evaluate
from decisionguide.questionnaire.state import State, check_url
from decisionguide.results.models import Result
from tests.e2e.axe import axe_report
from tests.e2e.journeys import answers_of, walk
from tests.e2e.test_html_validity import check_html, describe

pytestmark = pytest.mark.e2e

TOOLS = "current_tools"
FOLLOW_UP = "authority_after_signature"


def save_without_both_tools(page: Page, doc: GuideDocument) -> Result:
    """The longest walk's answers, but with one tool: "both" then brings a question."""
    answers = clean_answers(doc, {**answers_of(walk(doc)), TOOLS: "pm-only"})
    page.goto(check_url(doc, State(answers=answers)))
    page.get_by_role("button", name="See my recommendation").click()
    page.wait_for_url(re.compile(r"/r/[^/]+/$"))
    return Result.objects.get()


def link_to_both_tools(page: Page, doc: GuideDocument, result: Result):
    tools = doc.question(TOOLS)
    saved, both = tools.choice(result.answers[TOOLS]), tools.choice("both")
    name = f"{both.label} instead of “{saved.label}” for “{tools.short}”"
    return page.get_by_role("link", name=name)


def expected_outcome(doc: GuideDocument, result: Result, follow_up: str) -> str:
    answers = clean_answers(doc, {**result.answers, TOOLS: "both", FOLLOW_UP: follow_up})
    return doc.outcome(evaluate(doc, answers).outcome).name


def test_whatif_with_javascript_swaps_the_result_body(phone_page: Page, guide: GuideDocument):
    page = phone_page
    result = save_without_both_tools(page, guide)
    permalink = page.url
    both = guide.question(TOOLS).choice("both")
    link_to_both_tools(page, guide, result).click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"What if you answered “{both.label}”")
    expect(heading).to_be_focused()
    expect(page).to_have_url(re.compile(rf"/what-if/\?{TOOLS}=both$"))
    # Only the body was swapped: the permalink's share box is still on the page.
    expect(page.locator(".result-share")).to_be_visible()
    # The question the answer brings comes first, with each answer's result.
    follow_up = guide.question(FOLLOW_UP)
    expect(page.get_by_role("heading", name="This answer brings one more question")).to_be_visible()
    expect(page.locator(".result-panel")).to_have_count(0)
    count, report = axe_report(page)
    assert count == 0, report
    choice = follow_up.choices[0]
    page.get_by_role("link", name=choice.label, exact=True).click()
    expect(page).to_have_url(re.compile(rf"{TOOLS}=both&{FOLLOW_UP}={choice.slug}$"))
    outcome = expected_outcome(guide, result, choice.slug)
    expect(page.locator(".result-panel .result-outcome")).to_contain_text(outcome)
    expect(page.get_by_role("heading", name="What moved")).to_be_visible()
    count, report = axe_report(page)
    assert count == 0, report
    # The browser's Back goes through the what-ifs to the saved result.
    page.go_back()
    expect(page.get_by_role("heading", name="This answer brings one more question")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(permalink)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your recommendation")
    assert Result.objects.count() == 1


def test_whatif_without_javascript_is_a_page_of_its_own(no_js_page: Page, guide: GuideDocument):
    page = no_js_page
    result = save_without_both_tools(page, guide)
    permalink = page.url
    both = guide.question(TOOLS).choice("both")
    link_to_both_tools(page, guide, result).click()
    expect(page).to_have_url(re.compile(rf"/what-if/\?{TOOLS}=both$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"What if you answered “{both.label}”"
    )
    expect(page.locator(".result-share")).to_have_count(0)  # a whole page, not a swap
    choice = guide.question(FOLLOW_UP).choices[-1]
    page.get_by_role("link", name=choice.label, exact=True).click()
    outcome = expected_outcome(guide, result, choice.slug)
    expect(page.locator(".result-panel .result-outcome")).to_contain_text(outcome)
    page.get_by_role("link", name="Back to your saved result").click()
    expect(page).to_have_url(permalink)
    assert Result.objects.count() == 1


def test_whatif_and_429_pages_are_valid_html(
    client: Client, seed_guide: Guide, tmp_path: Path, settings: Any
) -> None:
    """The Nu Html Checker on the what-if pages (a question, a result, a route, a refusal)
    and on the 429 page with its wait and link, as test_html_validity does for the rest."""
    doc = seed_guide.published_document()
    answers = clean_answers(doc, {**answers_of(walk(doc)), TOOLS: "pm-only"})
    path = client.post(reverse("result-create", args=[doc.slug]), answers)["Location"]
    route = next(c for c in doc.questions[0].choices if c.route is not None)
    queries = {
        "whatif-question": f"{TOOLS}=both",
        "whatif-result": f"{TOOLS}=both&{FOLLOW_UP}=unclear",
        "whatif-route": f"{doc.questions[0].slug}={route.slug}",
        "whatif-refused": "no_such_question=x",
    }
    files = []
    for name, query in queries.items():
        response = client.get(f"{path}what-if/?{query}")
        assert response.status_code == (400 if name == "whatif-refused" else 200), name
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)
    settings.DECISIONGUIDE_RESULTS_PER_HOUR = 0
    refused = client.post(reverse("result-create", args=[doc.slug]), answers)
    assert refused.status_code == 429
    files.append(tmp_path / "too-many.html")
    files[-1].write_bytes(refused.content)
    messages = check_html(files)
    problems = [m for m in messages if m.get("type") in {"error", "non-document-error"}]
    problems += [m for m in messages if m.get("subType") == "warning"]
    assert not problems, "\n".join(map(describe, problems))
