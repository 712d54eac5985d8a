"""Keyboard-only use, visible focus, small screens, and the assets every page needs."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, expect

from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import evaluate
from decisionguide.questionnaire.state import text_param
from tests.e2e.conftest import PHONE
from tests.e2e.journeys import answers_of, pick_first, public_pages, save_result, walk

pytestmark = pytest.mark.e2e

MAX_TABS = 40

# True when the focused element shows a focus indicator: an outline or a box shadow.
FOCUS_IS_VISIBLE = """() => {
  const style = getComputedStyle(document.activeElement);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== "none";
}"""


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until `target` has focus, checking every stop shows where focus is."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused_tag = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
        assert page.evaluate(FOCUS_IS_VISIBLE), f"no visible focus on {focused_tag}"
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {target}")


def test_keyboard_only_from_the_guide_to_the_permalink(page: Page, guide: GuideDocument) -> None:
    # Tab and Space pick the first answer in each radio group; nothing else is used.
    steps = walk(guide, pick_first)
    assert all(step.choice.route is None for step in steps), "a first answer leaves the guide"
    page.goto(reverse("guide-detail", args=[guide.slug]))

    tab_to(page, page.get_by_role("link", name="Start the questionnaire").first)
    page.keyboard.press("Enter")
    for step in steps:
        expect(page.get_by_role("heading", level=1)).to_have_text(step.question.prompt)
        radio = page.get_by_label(step.choice.label, exact=True)
        tab_to(page, radio)
        page.keyboard.press("Space")
        expect(radio).to_be_checked()
        if step.text:
            tab_to(page, page.locator(f"textarea[name='{text_param(step.question.slug)}']"))
            page.keyboard.type(step.text)
        tab_to(page, page.get_by_role("button", name="Continue", exact=True))
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    tab_to(page, page.get_by_role("button", name="See my recommendation"))
    page.keyboard.press("Enter")
    outcome = guide.outcome(evaluate(guide, answers_of(steps)).outcome or "")
    assert outcome is not None
    expect(page.get_by_role("heading", level=1)).to_contain_text(outcome.name)

    # On the permalink: copy its address with the keyboard too.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab_to(page, page.get_by_role("button", name="Copy link"))
    page.keyboard.press("Enter")
    expect(page.locator("#copy-status")).to_have_text("Link copied")


def test_skip_link_is_the_first_stop_and_moves_to_the_content(
    page: Page, guide: GuideDocument
) -> None:
    page.goto(reverse("guide-detail", args=[guide.slug]))
    skip = page.get_by_role("link", name="Skip to main content")
    tab_to(page, skip)
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


def test_no_page_scrolls_sideways_on_a_375_pixel_phone(
    phone_page: Page, guide: GuideDocument
) -> None:
    too_wide = {}
    for name, url in public_pages(guide).items():
        phone_page.goto(url)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = width
    save_result(phone_page, guide)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        too_wide["permalink"] = width
    assert not too_wide, f"pages wider than {PHONE['width']} px: {too_wide}"


def test_stylesheet_and_scripts_load_from_the_live_server(
    page: Page, guide: GuideDocument, live_server: Any
) -> None:
    page.goto(reverse("guide-detail", args=[guide.slug]))
    # site.css defines the palette; htmx and site.js define their globals/behaviour.
    assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--text')")
    assert page.evaluate("typeof window.htmx") == "object"
    styles = page.evaluate("[...document.styleSheets].map(sheet => sheet.href)")
    assert all(href.startswith(live_server.url) for href in styles), styles


# What makes an outcome's mark recognisable: its colour and its shape.
MARK_STYLE = """mark => {
  const style = getComputedStyle(mark);
  return [style.backgroundColor, style.borderRadius, style.transform].join(" | ");
}"""


def test_each_outcome_keeps_its_colour_and_shape_from_guide_to_result(
    page: Page, guide: GuideDocument
) -> None:
    page.goto(reverse("guide-detail", args=[guide.slug]))
    marks = {
        outcome.slug: page.locator(f"#option-{outcome.slug} .outcome-mark").evaluate(MARK_STYLE)
        for outcome in guide.outcomes
    }
    assert len(set(marks.values())) == len(guide.outcomes), marks

    save_result(page, guide)
    recommended = evaluate(guide, answers_of(walk(guide))).outcome or ""
    assert page.locator(".result-panel .outcome-mark").evaluate(MARK_STYLE) == marks[recommended]
    # The comparison table's column headers use the same marks, in outcome order.
    headers = page.locator(".result-matrix thead .outcome-mark")
    assert [headers.nth(i).evaluate(MARK_STYLE) for i in range(headers.count())] == [
        marks[outcome.slug] for outcome in guide.outcomes
    ]


BODY_COLOURS = (
    "(({ backgroundColor, color }) => [backgroundColor, color])(getComputedStyle(document.body))"
)


def read_under_each(
    browser: Browser,
    live_server: Any,
    doc: GuideDocument,
    preference: str,
    values: tuple[str, ...],
    script: str,
) -> dict[str, Any]:
    """`script`'s value on the guide page, in a new browser context per value of `preference`."""
    readings = {}
    for value in values:
        context = browser.new_context(base_url=live_server.url, **{preference: value})
        page = context.new_page()
        page.goto(reverse("guide-detail", args=[doc.slug]))
        readings[value] = page.evaluate(script)
        context.close()
    return readings


def test_dark_colour_scheme_swaps_the_palette(
    browser: Browser, live_server: Any, guide: GuideDocument
) -> None:
    colours = read_under_each(
        browser, live_server, guide, "color_scheme", ("light", "dark"), BODY_COLOURS
    )
    assert colours["light"] != colours["dark"]


def test_reduced_motion_turns_off_smooth_scrolling(
    browser: Browser, live_server: Any, guide: GuideDocument
) -> None:
    behaviour = read_under_each(
        browser,
        live_server,
        guide,
        "reduced_motion",
        ("no-preference", "reduce"),
        "getComputedStyle(document.documentElement).scrollBehavior",
    )
    assert behaviour == {"no-preference": "smooth", "reduce": "auto"}
