"""No lost answers in a real browser (issue 22, point 7): the browser's Back and Refresh.

Each history entry's address holds the answers given before its page was
first shown. With JavaScript, site.js keeps the visit's answers in
sessionStorage and asks for the page again with them; without it, the page
says which way back keeps every answer, and its own Back link does.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import clean_answers
from decisionguide.questionnaire.state import check_url, question_url
from tests.e2e.journeys import Step, answers_of, state_of, staying_choices, walk
from tests.e2e.test_questionnaire import (
    answer,
    continue_button,
    expect_check_rows,
    heading,
    wait_for_place,
)

pytestmark = pytest.mark.e2e

WAY_BACK = "To go back without losing any answers, use the Back link at the top of this page"


def answer_the_last(page: Page, guide: GuideDocument, steps: list[Step], count: int) -> None:
    """Open the question `count` from the end with the answers before it, answer the rest
    by hand (each a history entry of its own) and land on the check page."""
    start = len(steps) - count
    page.goto(question_url(guide, steps[start].question, state_of(steps[:start])))
    for step in steps[start:]:
        expect(heading(page)).to_have_text(step.question.prompt)
        answer(page, step)
        continue_button(page).click()
    wait_for_place(page, check_url(guide, state_of(steps)))
    expect(heading(page)).to_have_text("Check your answers")


def expect_restored(page: Page, guide: GuideDocument, step: Step, steps: list[Step]) -> None:
    """The question on screen shows its choice, with every answer of the visit in the address."""
    expect(heading(page)).to_have_text(step.question.prompt)
    wait_for_place(page, question_url(guide, step.question, state_of(steps)))
    expect(page.get_by_label(step.choice.label, exact=True)).to_be_checked()


def test_back_three_times_then_continue_keeps_every_later_answer(
    page: Page, guide: GuideDocument
) -> None:
    """The issue's walk: all questions answered, Back three times from the check page."""
    steps = walk(guide)  # the longest walk: the follow-up question is asked
    answer_the_last(page, guide, steps, 5)
    for back in (1, 2, 3):
        page.go_back()
        expect_restored(page, guide, steps[-back], steps)
    # With JavaScript the browser's Back is safe: the advice for going without it is hidden.
    expect(page.get_by_text(WAY_BACK)).to_be_hidden()

    continue_button(page).click()
    wait_for_place(page, check_url(guide, state_of(steps)))
    expect(heading(page)).to_have_text("Check your answers")
    expect_check_rows(page, steps)


def test_back_then_refresh_keeps_the_current_choice(page: Page, guide: GuideDocument) -> None:
    steps = walk(guide)
    answer_the_last(page, guide, steps, 3)
    page.go_back()
    expect_restored(page, guide, steps[-1], steps)
    page.reload()
    expect_restored(page, guide, steps[-1], steps)
    continue_button(page).click()
    wait_for_place(page, check_url(guide, state_of(steps)))
    expect_check_rows(page, steps)


def test_back_to_a_whole_page_restores_it_too(page: Page, guide: GuideDocument) -> None:
    """A question page loaded as a whole page (not an htmx panel) by the browser's Back."""
    steps = walk(guide)
    last = steps[-1]
    page.goto(question_url(guide, last.question, state_of(steps[:-1])))
    # The check page opened in the same tab as a page of its own (a link, a bookmark).
    page.goto(check_url(guide, state_of(steps)))
    expect(heading(page)).to_have_text("Check your answers")
    page.go_back()
    expect_restored(page, guide, last, steps)
    navigation = "performance.getEntriesByType('navigation')[0].type"
    assert page.evaluate(navigation) == "back_forward"  # a whole page, as intended
    continue_button(page).click()
    wait_for_place(page, check_url(guide, state_of(steps)))
    expect_check_rows(page, steps)


def test_a_follow_up_hidden_by_a_new_answer_is_not_brought_back(
    page: Page, guide: GuideDocument
) -> None:
    steps = walk(guide)
    controlling, follow_up = steps[-2], steps[-1]
    answers = answers_of(steps)
    hiding = next(
        Step(controlling.question, choice)
        for choice in staying_choices(controlling.question)
        if follow_up.question.slug
        not in clean_answers(guide, {**answers, controlling.question.slug: choice.slug})
    )
    answer_the_last(page, guide, steps, 3)
    page.go_back()
    page.go_back()
    expect_restored(page, guide, controlling, steps)

    # An answer that hides the follow-up: straight to the check page, without it.
    answer(page, hiding)
    continue_button(page).click()
    shorter = [*steps[:-2], hiding]
    wait_for_place(page, check_url(guide, state_of(shorter)))
    expect_check_rows(page, shorter)

    # Back, and the answer that shows it again: the follow-up is asked afresh.
    page.go_back()
    expect_restored(page, guide, hiding, shorter)
    answer(page, controlling)
    continue_button(page).click()
    wait_for_place(page, question_url(guide, follow_up.question, state_of(steps[:-1])))
    expect(heading(page)).to_have_text(follow_up.question.prompt)
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)


def test_without_javascript_the_page_says_which_way_back_keeps_the_answers(
    no_js_page: Page, guide: GuideDocument
) -> None:
    page: Any = no_js_page
    steps = walk(guide)
    page.goto(check_url(guide, state_of(steps)))
    # The page's own Back link, three times, keeps every answer; so does Continue.
    for back in (1, 2, 3):
        page.get_by_role("link", name="Back", exact=True).click()
        expect_restored(page, guide, steps[-back], steps)
        expect(page.get_by_text(WAY_BACK)).to_be_visible()
    continue_button(page).click()
    wait_for_place(page, check_url(guide, state_of(steps)))
    expect_check_rows(page, steps)
