"""A stored result's permalink in the browser: reaching it, copying it, printing it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import evaluate
from decisionguide.questionnaire.state import check_url
from decisionguide.results.models import Result
from tests.e2e.axe import axe_report
from tests.e2e.conftest import LAPTOP, new_page
from tests.e2e.journeys import answers_of, save_result, state_of, walk

pytestmark = pytest.mark.e2e


@pytest.fixture
def clipboard_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    yield from new_page(
        browser, live_server, viewport=LAPTOP, permissions=["clipboard-read", "clipboard-write"]
    )


def test_check_page_saves_the_result_and_shows_its_permalink(
    page: Page, guide: GuideDocument
) -> None:
    result = save_result(page, guide)
    outcome = guide.outcome(evaluate(guide, answers_of(walk(guide))).outcome or "")
    assert outcome is not None and result.decision["outcome"] == outcome.slug
    expect(page.get_by_role("heading", level=1)).to_contain_text(outcome.name)
    expect(page.get_by_label("Link to this result")).to_have_value(page.url)


def test_copy_button_puts_the_permalink_on_the_clipboard(
    clipboard_page: Page, guide: GuideDocument
) -> None:
    page = clipboard_page
    save_result(page, guide)
    copy = page.get_by_role("button", name="Copy link")
    copy.click()
    expect(page.locator("#copy-status")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == page.url


def test_without_javascript_the_link_is_there_to_copy_by_hand(
    no_js_page: Page, guide: GuideDocument
) -> None:
    save_result(no_js_page, guide)
    expect(no_js_page.get_by_label("Link to this result")).to_have_value(no_js_page.url)
    # The button needs a script to work, so it stays hidden without one.
    expect(no_js_page.get_by_role("button", name="Copy link")).to_be_hidden()


def test_printed_permalink_keeps_the_result_and_drops_the_controls(
    page: Page, guide: GuideDocument
) -> None:
    save_result(page, guide)
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".result-panel")).to_be_visible()
    expect(page.locator(".callout-warning")).to_be_visible()
    # Where to find it again, written out on paper.
    expect(page.locator(".result-print-link")).to_be_visible()
    expect(page.locator(".result-print-link")).to_contain_text(page.url)
    for control in (".site-nav", ".skip-link", ".result-actions", ".result-share", ".button"):
        expect(page.locator(control).first).to_be_hidden()
    # And it does print: Chromium renders the page to a PDF of a few pages.
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.emulate_media(media="screen")
    expect(page.locator(".result-print-link")).to_be_hidden()


def test_permalink_page_has_no_axe_violations(page: Page, guide: GuideDocument) -> None:
    save_result(page, guide)
    count, report = axe_report(page)
    assert count == 0, report


def test_rejected_submission_shows_problems_without_axe_violations(
    page: Page, guide: GuideDocument
) -> None:
    """A tampered or stale check page: nothing is stored and the problems are listed."""
    page.goto(check_url(guide, state_of(walk(guide))))
    # Drop one answer from the form, as a stale page might.
    answer_inputs = "form.result-form input[type=hidden]:not([name=csrfmiddlewaretoken])"
    page.locator(answer_inputs).first.evaluate("input => input.remove()")
    page.get_by_role("button", name="See my recommendation").click()
    expect(page.get_by_role("alert")).to_be_focused()
    assert Result.objects.count() == 0
    count, report = axe_report(page)
    assert count == 0, report
