"""The admin's layout where editors met it broken, measured in Chromium (issue 25, item 10).

At 375 px the Delete box of a choice row overlapped that row's "Label", and the
logic map opened with its bars off-screen; at 1,280 px the question's prompt
box cut a 58-character prompt. One browser session walks the three pages, and
checks on the way that a new choice's slug follows its label (item 5).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from decisionguide.content.models import Guide, Question
from decisionguide.decision.document import GuideDocument
from tests.e2e.conftest import LAPTOP, PHONE, make_editor, new_page

pytestmark = pytest.mark.e2e

PROMPT = "Where does the money slip away most often: before or after"  # 58 characters

# The boxes of each saved choice row: its Delete control and its Label field's label.
CHOICE_ROWS = """() => [...document.querySelectorAll("#choices-group .ordered-row.has_original")]
  .map(row => {
    const box = element => {
      const r = element.getBoundingClientRect();
      return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    };
    return {
      remove: box(row.querySelector(".delete")),
      label: box(row.querySelector(".field-label > label")),
      row: box(row),
    };
  })"""


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


def sign_in(page: Page, user: AbstractUser, base_url: str) -> None:
    """A signed-in session, without the dashboard the login form leads to (it runs the
    guide's checks, which a busy machine may take longer than a click's timeout over)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


@pytest.fixture
def editor(transactional_db: None) -> AbstractUser:
    return make_editor("layout")


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[Page]:
    yield from new_page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)


def test_choice_rows_the_logic_map_and_the_prompt_fit(
    phone: Page, live_server: Any, guide: GuideDocument, editor: AbstractUser
) -> None:
    page = phone
    assert len(PROMPT) == 58
    row = Guide.objects.get(slug=guide.slug)
    question = Question.objects.filter(guide=row).order_by("order").first()
    Question.objects.filter(pk=question.pk).update(prompt=PROMPT)
    change = reverse("admin:guides_question_change", args=[question.pk])
    sign_in(page, editor, live_server.url)

    # 375 px: no Delete box over a choice's "Label", and each row inside the page.
    page.goto(change)
    rows = page.evaluate(CHOICE_ROWS)
    assert len(rows) >= 2
    for number, boxes in enumerate(rows, 1):
        assert not overlap(boxes["remove"], boxes["label"]), f"choice {number}: {boxes}"
        assert boxes["remove"]["right"] <= PHONE["width"], f"choice {number}: {boxes}"

    # 375 px: the logic map opens on its bars (the first outcome column on screen).
    page.goto(reverse("admin:guides_guide_logic", args=[row.pk]))
    bar = page.locator(".logic-map rect[height='12']").first
    box = bar.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box

    # 1,280 px: the whole prompt shows in its box.
    page.set_viewport_size(LAPTOP)
    page.goto(change)
    prompt = page.locator("#id_prompt")
    assert prompt.input_value() == PROMPT
    sizes = prompt.evaluate("input => [input.scrollWidth, input.clientWidth]")
    assert sizes[0] <= sizes[1], sizes

    # And a choice added there takes its slug from its label as it is typed (item 5).
    rows = page.locator("#choices-group .ordered-row:not(.empty-form)")
    before = rows.count()
    page.locator("#choices-group .add-row a").click()
    added = rows.nth(before)
    added.locator(".field-label input").press_sequentially("Only on Fridays")
    expect(added.locator(".field-slug input")).to_have_value("only-on-fridays")
