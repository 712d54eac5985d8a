"""Editors never lose work, in Chromium: two tabs on one question, text areas that post CRLF.

Two editors, each in a browser context of their own: saves of different
questions both land; on the same field the second is refused, sees the other's
text beside their own and who saved it, keeps what they typed, and may save it
anyway.
A real browser's text areas post CRLF line breaks: an edit to one field must be
recorded as exactly that one change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from decisionguide.content.models import Guide, Outcome, Question
from decisionguide.decision.document import GuideDocument
from tests.e2e.conftest import LAPTOP, log_in, make_editor, new_page

pytestmark = pytest.mark.e2e


@pytest.fixture
def first_tab(browser: Browser, live_server: Any, guide: GuideDocument) -> Iterator[Page]:
    yield from signed_in(browser, live_server, make_editor("ann"))


@pytest.fixture
def second_tab(browser: Browser, live_server: Any, guide: GuideDocument) -> Iterator[Page]:
    yield from signed_in(browser, live_server, make_editor("bea"))


def signed_in(browser: Browser, live_server: Any, user: AbstractUser) -> Iterator[Page]:
    for page in new_page(browser, live_server, viewport=LAPTOP):
        log_in(page, user)
        yield page


def save(page: Page) -> None:
    page.get_by_role("button", name="Save", exact=True).first.click()


def test_two_editors_merge_different_questions_and_collide_only_on_one_field(
    first_tab: Page, second_tab: Page, guide: GuideDocument
) -> None:
    first, second = Question.objects.filter(guide__slug=guide.slug).order_by("order")[:2]
    first_url = reverse("admin:guides_question_change", args=[first.pk])
    second_url = reverse("admin:guides_question_change", args=[second.pk])

    # Different questions: both saved, and the later save says what it merged.
    first_tab.goto(first_url)
    second_tab.goto(second_url)
    first_tab.get_by_label("Prompt").fill("Ann's sharper prompt?")
    save(first_tab)
    expect(first_tab.locator(".messagelist")).to_contain_text("changed successfully")
    second_tab.get_by_label("Prompt").fill("Bea's other question?")
    save(second_tab)
    expect(second_tab.locator(".messagelist")).to_contain_text("Merged with version")
    expect(second_tab.locator(".messagelist")).to_contain_text("by ann")
    assert Question.objects.get(pk=first.pk).prompt == "Ann's sharper prompt?"
    assert Question.objects.get(pk=second.pk).prompt == "Bea's other question?"

    # The same field of one question: refused, both texts side by side, Bea's kept.
    first_tab.goto(first_url)
    second_tab.goto(first_url)
    first_tab.get_by_label("Prompt").fill("Ann's second thought?")
    save(first_tab)
    expect(first_tab.locator(".messagelist")).to_contain_text("changed successfully")
    second_tab.get_by_label("Prompt").fill("Bea's own wording?")
    save(second_tab)

    alert = second_tab.get_by_role("alert").filter(has_text="changed the same field")
    expect(alert).to_be_visible()
    row = alert.get_by_role("row").filter(has_text="Prompt")
    expect(row).to_contain_text("Ann's second thought?")
    expect(row).to_contain_text("Bea's own wording?")
    expect(row).to_contain_text("by ann")
    expect(second_tab.get_by_label("Prompt")).to_have_value("Bea's own wording?")
    assert Question.objects.get(pk=first.pk).prompt == "Ann's second thought?"

    # Knowingly: "Save mine anyway" writes Bea's prompt.
    alert.get_by_label("Save mine anyway").check()
    save(second_tab)
    expect(second_tab.locator(".messagelist")).to_contain_text("changed successfully")
    assert Question.objects.get(pk=first.pk).prompt == "Bea's own wording?"


def test_a_one_field_edit_from_the_browser_is_one_change(
    first_tab: Page, guide: GuideDocument
) -> None:
    outcome = Outcome.objects.filter(guide__slug=guide.slug).exclude(best_for="").first()
    assert "\n" in outcome.best_for  # a multi-line text area the browser posts as CRLF
    change_page = reverse("admin:guides_outcome_change", args=[outcome.pk])
    first_tab.goto(change_page)
    first_tab.get_by_label("Tagline").fill(outcome.tagline + " Edited in Chromium.")
    save(first_tab)
    expect(first_tab.locator(".messagelist")).to_contain_text("changed successfully")

    saved = Guide.objects.get(slug=guide.slug)
    latest = saved.versions.get(version=saved.version)
    assert latest.note.endswith("Changed Tagline."), latest.note
    assert Outcome.objects.get(pk=outcome.pk).best_for == outcome.best_for
    assert "\r" not in str(latest.document)

    # Saving the untouched form again records nothing.
    first_tab.goto(change_page)
    save(first_tab)
    expect(first_tab.locator(".messagelist")).to_be_visible()
    assert Guide.objects.get(slug=guide.slug).version == saved.version


def test_a_draft_preview_keeps_its_mode_through_links(
    first_tab: Page, guide: GuideDocument
) -> None:
    """A linked page added in the draft, reached by clicking from the draft guide page."""
    from decisionguide.content.models import LinkedPage
    from decisionguide.publishing.drafts import record_edit

    row = Guide.objects.get(slug=guide.slug)
    LinkedPage.objects.create(
        guide=row,
        slug="added-in-the-draft",
        title="Added in the draft",
        summary="Nobody outside the preview can open this yet.",
        when="When checking draft links.",
        order=99,
    )
    Guide.objects.filter(pk=row.pk).update(
        intro=row.intro + "\n\nRead [the page added in the draft](page:added-in-the-draft)."
    )
    record_edit(Guide.objects.get(pk=row.pk))

    first_tab.goto(reverse("guide-detail", args=[guide.slug]) + "?preview=draft")
    first_tab.get_by_role("link", name="the page added in the draft").click()
    expect(first_tab.get_by_role("heading", name="Added in the draft", level=1)).to_be_visible()
    expect(first_tab.locator(".preview-banner")).to_contain_text("Draft preview.")
    first_tab.get_by_role("link", name="Back to the guide").click()
    expect(first_tab.locator(".preview-banner")).to_contain_text("Draft preview.")
    assert "preview=draft" in first_tab.url
