"""axe-core on every public page and questionnaire state: no WCAG 2.x A/AA violations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from decisionguide.decision.document import GuideDocument
from tests.conftest import SEED_FILE, read_document
from tests.e2e.axe import axe_report, contrast_unknown
from tests.e2e.conftest import LAPTOP, new_page
from tests.e2e.journeys import public_pages

pytestmark = pytest.mark.e2e

PAGE_NAMES = list(public_pages(read_document(SEED_FILE)))
# Dark mode swaps every colour: check contrast again where most colours meet.
DARK_PAGE_NAMES = ["guide", "error-no-answer", "check", "route", "result", "not-found"]


@pytest.fixture
def dark_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    yield from new_page(browser, live_server, viewport=LAPTOP, color_scheme="dark")


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_has_no_axe_violations(page: Page, guide: GuideDocument, name: str) -> None:
    page.goto(public_pages(guide)[name])
    count, report = axe_report(page)
    assert count == 0, report
    assert contrast_unknown(page) == []


@pytest.mark.parametrize("name", DARK_PAGE_NAMES)
def test_dark_mode_page_has_no_axe_violations(
    dark_page: Page, guide: GuideDocument, name: str
) -> None:
    assert dark_page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    dark_page.goto(public_pages(guide)[name])
    count, report = axe_report(dark_page)
    assert count == 0, report


def test_error_swapped_in_by_htmx_has_no_axe_violations(page: Page, guide: GuideDocument) -> None:
    """The DOM after a swap, not a server page: the error summary arrives by HTMX."""
    page.goto(public_pages(guide)[f"question-{guide.questions[0].slug}"])
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_role("alert")).to_be_focused()
    count, report = axe_report(page)
    assert count == 0, report
