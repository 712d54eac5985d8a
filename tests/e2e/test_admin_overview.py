"""The editor's overview pages in a browser: the home dashboard, the logic map, the guide's header.

An editor (not a superuser) signs in through the login form. Each page is
checked with axe, at a laptop's and a phone's width, and the guide's page is
checked for what editors complained of: its action buttons drawn over its title.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from tests.e2e.axe import AXE, WCAG_TAGS
from tests.e2e.conftest import LAPTOP, PHONE, log_in, make_editor, new_page

pytestmark = pytest.mark.e2e

VIEWPORTS = {"laptop": LAPTOP, "phone": PHONE}


@pytest.fixture
def editor(transactional_db: None) -> AbstractUser:
    return make_editor("map-editor")


@pytest.fixture(params=list(VIEWPORTS))
def signed_in(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: Any,
    editor: AbstractUser,
    guide: GuideDocument,
) -> Iterator[Page]:
    """The editor's home page, once the seed guide is loaded, at a laptop's or a phone's width."""
    for page in new_page(browser, live_server, viewport=VIEWPORTS[request.param]):
        log_in(page, editor)
        yield page


def axe_report(page: Page) -> tuple[int, str]:
    """tests.e2e.axe's check without axe's stylesheet preload: on admin pages with the
    sidebar, the preload copies stylesheets into <style> elements, which the site's
    Content-Security-Policy refuses, and the refusals would fail the page fixture."""
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
        "preload": False,
    }
    results = AXE.run(page, options=options)
    return results.violations_count, results.generate_report()


def guide_row(doc: GuideDocument) -> Guide:
    return Guide.objects.get(slug=doc.slug)


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def fits_the_window(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_no_action_button_covers_the_guides_title(signed_in: Page, guide: GuideDocument) -> None:
    page = signed_in
    page.goto(reverse("admin:guides_guide_change", args=[guide_row(guide).pk]))
    title = page.get_by_role("heading", name=guide.title, exact=True)
    expect(title).to_be_visible()
    title_box = title.bounding_box()
    tools = page.locator("#content-main > .object-tools a")
    assert tools.count() >= 5
    for index in range(tools.count()):
        box = tools.nth(index).bounding_box()
        assert box is not None and not overlaps(box, title_box), tools.nth(index).inner_text()
        assert box["height"] >= 24 and box["width"] >= 24
    # What is drawn at the title's centre is the title, not a button over it.
    middle = (title_box["x"] + title_box["width"] / 2, title_box["y"] + title_box["height"] / 2)
    assert title.evaluate(
        "(h, [x, y]) => h.contains(document.elementFromPoint(x, y))", list(middle)
    )


def test_the_home_page_summarises_the_guide_and_passes_axe(
    signed_in: Page, guide: GuideDocument
) -> None:
    page = signed_in
    summary = page.get_by_role("region", name=guide.title)
    expect(summary.get_by_text(f"{len(guide.scenarios)} scenarios failing")).to_contain_text("0 of")
    expect(summary.get_by_role("link", name="Logic map")).to_be_visible()
    assert fits_the_window(page)
    count, report = axe_report(page)
    assert count == 0, report


def test_the_logic_map_is_drawn_linked_and_passes_axe(
    signed_in: Page, guide: GuideDocument
) -> None:
    page = signed_in
    summary = page.get_by_role("region", name=guide.title)
    summary.get_by_role("link", name="Logic map").click()
    drawing = page.locator("svg.logic-map")
    expect(drawing).to_be_visible()
    assert drawing.locator("a").count() > len(guide.questions) + len(guide.outcomes)
    assert fits_the_window(page)  # the map scrolls inside its frame, not the page
    count, report = axe_report(page)
    assert count == 0, report
    # The first question in the drawing opens its edit page.
    first = guide.questions[0]
    # Each link is named by the whole text it stands for (its SVG <title>).
    drawing.get_by_role("link", name=first.prompt, exact=True).click()
    expect(page.get_by_label("Prompt")).to_have_value(first.prompt)
