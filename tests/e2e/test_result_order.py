"""On a phone the result reads in order of what matters, and the disclosure works without JS."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import evaluate
from decisionguide.questionnaire.state import State, check_url
from decisionguide.results.presenter import FIRST_CHANGES
from tests.answers import BUSY_BOTH, IN_GUIDE
from tests.e2e.conftest import PHONE, new_page
from tests.e2e.journeys import result_url

pytestmark = pytest.mark.e2e

# A result with caveats, for and against, a ruled-out outcome and many changes.
ANSWERS = {**IN_GUIDE, **BUSY_BOTH, "handoff_rule": "vague", "current_tools": "none"}

# The sections as a phone reader needs them: verdict, caveats, why, failure mode,
# next step; then what would change it and the detail.
ORDER = [
    ".result-panel",
    ".result-notes",
    ".result-why",
    ".result-watch",
    ".result-next",
    ".result-changes",
    ".result-example",
    ".result-matrix",
    ".check-list",
]

TOPS = """(selectors) => selectors.map(s => {
  const element = document.querySelector(s);
  return element ? element.getBoundingClientRect().top + window.scrollY : null;
})"""


@pytest.fixture
def no_js_phone(browser: Browser, live_server: Any):
    yield from new_page(browser, live_server, viewport=PHONE, java_script_enabled=False)


def test_the_phone_order_puts_the_caveats_within_two_screens(
    phone_page: Page, guide: GuideDocument
) -> None:
    decision = evaluate(guide, ANSWERS)
    assert decision.notes
    phone_page.goto(result_url(guide, State(answers=ANSWERS)))
    tops = phone_page.evaluate(TOPS, ORDER)
    assert None not in tops, dict(zip(ORDER, tops, strict=True))
    assert tops == sorted(tops), dict(zip(ORDER, tops, strict=True))
    notes_top = tops[ORDER.index(".result-notes")]
    assert notes_top < 2 * PHONE["height"]
    # No sideways scrolling on the phone.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_more_changes_open_without_javascript(no_js_phone: Page, guide: GuideDocument) -> None:
    decision = evaluate(guide, ANSWERS)
    outcome_flips = [f for f in decision.flips if f.outcome is not None]
    assert len(outcome_flips) > FIRST_CHANGES
    no_js_phone.goto(result_url(guide, State(answers=ANSWERS)))
    changes = no_js_phone.locator(".result-changes")
    hidden = changes.locator("details li").first
    expect(hidden).to_be_hidden()
    changes.locator("summary").click()
    expect(hidden).to_be_visible()
    assert changes.locator("li").count() == len(outcome_flips)


def test_a_saved_result_keeps_the_order(phone_page: Page, guide: GuideDocument) -> None:
    phone_page.goto(check_url(guide, State(answers=ANSWERS)))
    phone_page.get_by_role("button", name="See my recommendation").click()
    phone_page.wait_for_url("**/r/**")
    tops = phone_page.evaluate(TOPS, ORDER)
    assert None not in tops and tops == sorted(tops)
