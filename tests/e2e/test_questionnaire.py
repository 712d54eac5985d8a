"""The questionnaire in a real browser: with HTMX, without JavaScript, and its error summary."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import clean_answers, evaluate, next_question
from decisionguide.questionnaire.state import State, check_url, question_url, text_param
from tests.e2e.conftest import LAPTOP, new_page
from tests.e2e.journeys import (
    Step,
    answers_of,
    path_of,
    public_pages,
    query_of,
    state_of,
    staying_choices,
    text_step,
    walk,
)

pytestmark = pytest.mark.e2e


def answer(page: Page, step: Step) -> None:
    """Pick the step's choice and type its text, if it has one."""
    page.get_by_label(step.choice.label, exact=True).check()
    if step.text:
        page.locator(f"textarea[name='{text_param(step.question.slug)}']").fill(step.text)


def continue_button(page: Page) -> Any:
    return page.get_by_role("button", name="Continue", exact=True)


def heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def wait_for_place(page: Page, url: str) -> None:
    """Wait until the address bar shows `url` (same path, same query parameters)."""
    page.wait_for_url(lambda now: path_of(now) == path_of(url) and query_of(now) == query_of(url))


def expect_check_rows(page: Page, steps: list[Step]) -> None:
    values = page.locator(".summary-value")
    expected = []
    for step in steps:
        expected.append(step.choice.label)
        if step.text:
            expected.append(step.text)  # the quotation marks come from CSS
    expect(values).to_have_text(expected)


@pytest.fixture
def js_page(page: Page) -> Page:
    return page


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def any_page(request: pytest.FixtureRequest, browser: Browser, live_server: Any) -> Iterator[Page]:
    """A page with JavaScript on, then off: the flow must work both ways."""
    yield from new_page(browser, live_server, java_script_enabled=request.param, viewport=LAPTOP)


def test_with_javascript_each_answer_swaps_only_the_panel(
    js_page: Page, guide: GuideDocument
) -> None:
    page = js_page
    steps = walk(guide)
    page.goto(reverse("guide-detail", args=[guide.slug]))
    page.get_by_role("link", name="Start the questionnaire").first.click()
    expect(heading(page)).to_have_text(steps[0].question.prompt)
    # A property on a DOM node outside the panel: a full page load would lose it.
    page.evaluate("document.querySelector('.site-header').keptAcrossSwaps = true")

    for index, step in enumerate(steps):
        expect(heading(page)).to_have_text(step.question.prompt)
        if index:
            # A swapped-in question puts focus on its heading, as a page load would.
            expect(heading(page)).to_be_focused()
        answer(page, step)
        continue_button(page).click()
        done = steps[: index + 1]
        if index + 1 < len(steps):
            wait_for_place(page, question_url(guide, steps[index + 1].question, state_of(done)))

    wait_for_place(page, check_url(guide, state_of(steps)))
    expect(heading(page)).to_have_text("Check your answers")
    expect(heading(page)).to_be_focused()
    expect_check_rows(page, steps)
    assert page.evaluate("document.querySelector('.site-header').keptAcrossSwaps") is True

    # Refresh keeps every answer: they live in the address.
    page.reload()
    expect_check_rows(page, steps)

    # The back button returns to the last question with its answer still chosen; site.js
    # puts every answer of the visit back into the address (tests/e2e/test_back_and_refresh.py).
    last, before_last = steps[-1], steps[-2]
    page.go_back()
    expect(heading(page)).to_have_text(last.question.prompt)
    wait_for_place(page, question_url(guide, last.question, state_of(steps)))
    expect(page.get_by_label(last.choice.label, exact=True)).to_be_checked()
    page.go_back()
    expect(heading(page)).to_have_text(before_last.question.prompt)
    wait_for_place(page, question_url(guide, before_last.question, state_of(steps)))
    expect(page.get_by_label(before_last.choice.label, exact=True)).to_be_checked()

    # A refresh here keeps every answer: Continue goes straight back to the check page.
    page.reload()
    expect(heading(page)).to_have_text(before_last.question.prompt)
    expect(page.get_by_label(before_last.choice.label, exact=True)).to_be_checked()
    continue_button(page).click()
    wait_for_place(page, check_url(guide, state_of(steps)))
    expect_check_rows(page, steps)

    page.get_by_role("button", name="See my recommendation").click()
    outcome = guide.outcome(evaluate(guide, answers_of(steps)).outcome or "")
    assert outcome is not None
    expect(heading(page)).to_contain_text(outcome.name)


def test_without_javascript_every_step_is_a_page(no_js_page: Page, guide: GuideDocument) -> None:
    page = no_js_page
    steps = walk(guide)
    page.goto(reverse("guide-detail", args=[guide.slug]))
    page.get_by_role("link", name="Start the questionnaire").first.click()

    for index, step in enumerate(steps):
        expect(heading(page)).to_have_text(step.question.prompt)
        # One group per question, named by its legend (the prompt), holding every choice.
        group = page.get_by_role("group", name=re.compile(re.escape(step.question.prompt)))
        expect(group.get_by_role("radio")).to_have_count(len(step.question.choices))
        if step.question.free_text is not None:
            # With no script to reveal it, the text box is there from the start.
            box = page.locator(f"textarea[name='{text_param(step.question.slug)}']")
            expect(box).to_be_visible()
        answer(page, step)
        continue_button(page).click()
        if index + 1 < len(steps):
            wait_for_place(
                page, question_url(guide, steps[index + 1].question, state_of(steps[: index + 1]))
            )

    wait_for_place(page, check_url(guide, state_of(steps)))
    expect_check_rows(page, steps)

    # The page's own Back link shows the last answer chosen.
    page.get_by_role("link", name="Back", exact=True).click()
    expect(heading(page)).to_have_text(steps[-1].question.prompt)
    expect(page.get_by_label(steps[-1].choice.label, exact=True)).to_be_checked()
    continue_button(page).click()
    expect(heading(page)).to_have_text("Check your answers")

    page.get_by_role("button", name="See my recommendation").click()
    outcome = guide.outcome(evaluate(guide, answers_of(steps)).outcome or "")
    assert outcome is not None
    expect(heading(page)).to_contain_text(outcome.name)
    typed = next(step.text for step in steps if step.text)
    # In "In your own words", and beside its answer in the list of answers.
    expect(page.get_by_role("blockquote").get_by_text(typed)).to_be_visible()
    expect(page.locator("q.written-answer", has_text=typed)).to_be_visible()


def changeable_step(doc: GuideDocument, steps: list[Step]) -> tuple[Step, Step]:
    """An answer whose change leads straight back to the check page, and the change."""
    answers = answers_of(steps)
    for step in steps:
        for choice in staying_choices(step.question):
            if choice.slug == step.choice.slug:
                continue
            changed = clean_answers(doc, {**answers, step.question.slug: choice.slug})
            if changed.keys() == answers.keys() and next_question(doc, changed) is None:
                return step, Step(step.question, choice)
    raise AssertionError("no answer in the seed guide can change on its own")


def test_change_link_on_check_page_returns_to_check_page(
    any_page: Page, guide: GuideDocument
) -> None:
    page = any_page
    steps = walk(guide)
    page.goto(check_url(guide, state_of(steps)))
    old, new = changeable_step(guide, steps)

    page.get_by_role("link", name=f"Change {old.question.short}", exact=True).click()
    expect(heading(page)).to_have_text(old.question.prompt)
    expect(page.get_by_label(old.choice.label, exact=True)).to_be_checked()
    answer(page, new)
    continue_button(page).click()

    changed = [new if step is old else step for step in steps]
    wait_for_place(page, check_url(guide, state_of(changed)))
    expect(heading(page)).to_have_text("Check your answers")
    expect_check_rows(page, changed)


def test_continue_without_an_answer_shows_a_focused_error_summary(
    any_page: Page, guide: GuideDocument
) -> None:
    page = any_page
    first = walk(guide)[0]
    page.goto(question_url(guide, first.question, State()))
    continue_button(page).click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    link = summary.get_by_role("link")
    expect(link).to_have_count(1)
    message = link.inner_text()
    # The message sits in the fieldset too, tied to it as its description.
    group = page.get_by_role("group", name=re.compile(re.escape(first.question.prompt)))
    expect(group).to_have_accessible_description(re.compile(re.escape(message)))
    expect(group.locator(".field-error")).to_contain_text(message)

    link.click()
    expect(page.locator(f"#{first.question.slug}")).to_be_focused()

    answer(page, first)
    continue_button(page).click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(heading(page)).not_to_have_text(first.question.prompt)


def test_text_too_long_error_is_tied_to_the_text_box(page: Page, guide: GuideDocument) -> None:
    page.goto(public_pages(guide)["error-text-too-long"])
    step = text_step(walk(guide))
    box = page.locator(f"textarea[name='{text_param(step.question.slug)}']")
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    message = summary.get_by_role("link").inner_text()
    expect(box).to_have_accessible_description(re.compile(re.escape(message)))
    summary.get_by_role("link").click()
    expect(box).to_be_focused()
