"""French in Chromium on a 375 px phone: the language switcher follows htmx's steps, and the
French result page has no axe finding and doesn't scroll sideways (French runs longer)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from decisionguide.decision.document import GuideDocument
from decisionguide.decision.translations import document_in
from decisionguide.questionnaire.state import check_url
from tests.e2e.axe import axe_report
from tests.e2e.conftest import PHONE
from tests.e2e.journeys import path_of, state_of, walk
from tests.questionnaire_pages import question_url

pytestmark = pytest.mark.e2e


def test_the_french_result_page_on_a_phone(phone_page: Page, guide: GuideDocument) -> None:
    page = phone_page
    steps = walk(guide)
    # A step htmx swaps in: the switcher then links to that step, not to the first one.
    page.goto("/fr" + question_url(guide, steps[0].question))
    # The seed guide's own French: its labels, as the French page shows them.
    french = document_in(guide, "fr")
    label = french.question(steps[0].question.slug).choice(steps[0].choice.slug).label
    page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Continuer", exact=True).click()
    second = f"/guides/{guide.slug}/questions/{steps[1].question.slug}/"
    page.wait_for_url(lambda now: path_of(now) == "/fr" + second)
    english = page.get_by_role("navigation", name="Langue").get_by_role("link", name="English")
    expect(english).to_have_attribute("href", re.compile(rf"^http://[^/]+{second}\?"))
    page.goto("/fr" + check_url(guide, state_of(steps)))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("button", name="Voir ma recommandation").click()
    page.wait_for_url(re.compile(r"/fr/r/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Votre recommandation")
    expect(page.get_by_role("navigation", name="Langue").get_by_role("link")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.get_by_role("heading", level=1)).not_to_contain_text(guide.outcomes[0].name)
    count, report = axe_report(page)
    assert count == 0, report


def test_the_french_guide_page_on_a_phone(phone_page: Page, guide: GuideDocument) -> None:
    page = phone_page
    page.goto(f"/fr/guides/{guide.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(document_in(guide, "fr").title)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    count, report = axe_report(page)
    assert count == 0, report
