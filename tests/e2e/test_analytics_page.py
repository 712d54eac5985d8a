"""The analytics page in Chromium: axe finds no WCAG 2.2 A/AA violation with counts, with a
bad date's message, and in dark mode; the form's controls work from the keyboard.

The page loads without a failed file, script error or CSP refusal; that is checked
before axe runs, as axe's own CSSOM preload trips the policy on admin pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from decisionguide.analytics import counting as analytics
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from tests.answers import complete_answers
from tests.e2e.axe import axe_report, contrast_unknown
from tests.e2e.conftest import LAPTOP, assert_no_problems, log_in, make_editor, watch_for_problems
from tests.visits import Visit, take

pytestmark = pytest.mark.e2e


@pytest.fixture
def editor(transactional_db: None) -> AbstractUser:
    return make_editor("analyst")


@pytest.fixture
def counted(guide: GuideDocument) -> str:
    """A few visits to the seed guide, written; the guide's analytics URL."""
    visitor = Client()
    take(visitor, guide, Visit(complete_answers(guide)))
    take(visitor, guide, Visit(complete_answers(guide), leaves_after=2))
    take(visitor, guide, Visit(leaves_after=0))
    analytics.buffer.flush()
    row = Guide.objects.get(slug=guide.slug)
    return reverse("admin:guides_guide_analytics", args=[row.pk])


def admin_page(browser: Browser, live_server: Any, **options: Any) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport=LAPTOP, **options)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def light_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    yield from admin_page(browser, live_server)


@pytest.fixture
def dark_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    yield from admin_page(browser, live_server, color_scheme="dark")


def open_cleanly(page: Page, url: str) -> None:
    problems = watch_for_problems(page)
    page.goto(url)
    page.wait_for_load_state("load")
    assert_no_problems(problems)


def contrast_unknown_in_content(page: Page) -> list[str]:
    """contrast_unknown() for this page's own part (#content-main), with all of it in view.

    axe can't work out the contrast of text cut by the window's edge, and the admin's
    side menu (not this page's) has its own findings, for the admin-wide axe test.
    """
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": LAPTOP["width"], "height": height})
    return [
        target
        for target in contrast_unknown(page)
        if page.evaluate("(s) => !!document.querySelector(s).closest('#content-main')", target)
    ]


def assert_axe_clean(page: Page) -> None:
    count, report = axe_report(page)
    assert count == 0, report
    assert contrast_unknown_in_content(page) == []


def test_the_analytics_page_passes_axe(light_page: Page, editor, counted: str) -> None:
    page = light_page
    log_in(page, editor)
    open_cleanly(page, counted)
    expect(page.get_by_role("img", name="Questions shown and answered")).to_be_visible()
    assert page.locator(".analytics-figures dd").first.inner_text() == "3"  # visits started
    assert_axe_clean(page)


def test_the_page_with_a_bad_date_passes_axe(light_page: Page, editor, counted: str) -> None:
    page = light_page
    log_in(page, editor)
    open_cleanly(page, f"{counted}?start=2026-02-30&version=all")
    expect(page.get_by_role("alert")).to_contain_text("These choices can't be used")
    assert_axe_clean(page)


def test_the_dark_page_passes_axe(dark_page: Page, editor, counted: str) -> None:
    log_in(dark_page, editor)
    open_cleanly(dark_page, counted)
    assert_axe_clean(dark_page)


def test_choosing_all_versions_from_the_keyboard(page: Page, editor, counted: str) -> None:
    log_in(page, editor)
    page.goto(counted)
    version = page.get_by_role("combobox", name="Version")
    version.select_option("all")
    version.press("Tab")
    expect(page.get_by_role("button", name="Show")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="all versions")).to_be_visible()
