"""The French result page in Chromium on a 375 px phone: reached in French, axe finds
nothing, nothing scrolls sideways (French runs about a fifth longer than English)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from decisionguide.decision.document import GuideDocument
from decisionguide.questionnaire.state import check_url
from tests.e2e.axe import axe_report
from tests.e2e.conftest import PHONE
from tests.e2e.journeys import state_of, walk

pytestmark = pytest.mark.e2e


def test_the_french_result_page_on_a_phone(phone_page: Page, guide: GuideDocument) -> None:
    page = phone_page
    page.goto("/fr" + check_url(guide, state_of(walk(guide))))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("button", name="Voir ma recommandation").click()
    page.wait_for_url(re.compile(r"/fr/r/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Votre recommandation")
    expect(page.get_by_role("navigation", name="Langue").get_by_role("link")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    count, report = axe_report(page)
    assert count == 0, report
