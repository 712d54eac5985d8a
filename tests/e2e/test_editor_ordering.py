"""Lighter question editing, in Chromium at 1,280 x 800: drag and keyboard order, the picker,
a form that fits the window, and a scenario from Try the draft.

The `page` fixture fails a test on any console error, so django-admin-sortable2's
script running under the site's Content-Security-Policy (static files from
whitenoise, no inline script) is checked by every test that drags.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from decisionguide.content.models import Guide, Question, Scenario
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import clean_answers
from decisionguide.publishing.drafts import record_edit
from tests.e2e.axe import AXE, WCAG_TAGS
from tests.e2e.conftest import (
    EDITOR_PASSWORD,
    LAPTOP,
    log_in,
    make_editor,
    new_page,
    watch_for_problems,
)

pytestmark = pytest.mark.e2e

# The question form was about 4,400 px tall before (5,234 px for the five-choice question).
MOST_HEIGHT = 3300


@pytest.fixture
def editor_page(browser: Browser, live_server: Any, guide: GuideDocument) -> Iterator[Page]:
    """A new editor (Editors group, not a superuser), signed in through the login form."""
    user = make_editor("orderly")
    for page in new_page(browser, live_server, viewport=LAPTOP):
        log_in(page, user)
        yield page


def seed_questions(guide: GuideDocument) -> list[Question]:
    return list(Question.objects.filter(guide__slug=guide.slug).order_by("order", "id"))


def drag_handle(page: Page, start_row: int, target_row: int) -> None:
    """Drag a list row by its handle below another row, as a mouse does."""
    handles = page.locator("#result_list tbody .drag.handle")
    # Messages above the list may push it down: the mouse reaches only what is in view.
    handles.nth(target_row).scroll_into_view_if_needed()
    handles.nth(start_row).scroll_into_view_if_needed()
    start, target = handles.nth(start_row).bounding_box(), handles.nth(target_row).bounding_box()
    assert start and target
    page.mouse.move(start["x"] + 5, start["y"] + 5)
    page.mouse.down()
    page.mouse.move(start["x"] + 5, start["y"] + 15, steps=3)
    page.mouse.move(target["x"] + 5, target["y"] + target["height"] - 2, steps=10)
    page.mouse.up()


def saved_by_someone_else(guide: GuideDocument, changes: dict[Question, dict[str, Any]]) -> None:
    """Another editor's save while the list is open: questions changed, a version recorded."""
    for question, values in changes.items():
        Question.objects.filter(pk=question.pk).update(**values)
    other = get_user_model().objects.get_or_create(username="someone")[0]
    record_edit(Guide.objects.get(slug=guide.slug), user=other, note="Someone else's save")


def test_a_drag_on_a_list_opened_before_another_save_merges_or_says_why_not(
    browser: Browser, live_server: Any, guide: GuideDocument
) -> None:
    questions = seed_questions(guide)
    row = Guide.objects.get(slug=guide.slug)
    # Watched by hand: the refused drag's 409 is expected, and the only problem allowed.
    context = browser.new_context(base_url=live_server.url, viewport=LAPTOP)
    page = context.new_page()
    problems = watch_for_problems(page)
    log_in(page, make_editor("late"))
    page.goto(reverse("admin:guides_question_changelist") + f"?guide__id__exact={row.pk}")

    # Another question's prompt changed: the drag is saved, their prompt kept, and said so.
    saved_by_someone_else(guide, {questions[5]: {"prompt": "Their prompt?"}})
    with page.expect_navigation():
        drag_handle(page, 0, 2)
    expect(page.locator(".messagelist")).to_contain_text("Merged with version")
    expect(page.locator(".messagelist")).to_contain_text("by someone")
    assert seed_questions(guide)[0].slug != questions[0].slug
    assert Question.objects.get(pk=questions[5].pk).prompt == "Their prompt?"

    # They swap the third and fourth questions: my next drag (of the first rows, however far
    # the mouse takes it) gives another order of the same list, so it is refused, and says why.
    third, fourth = seed_questions(guide)[2:4]
    saved_by_someone_else(guide, {third: {"order": fourth.order}, fourth: {"order": third.order}})
    before = [q.slug for q in seed_questions(guide)]
    drag_handle(page, 0, 2)
    alert = page.get_by_role("alert").filter(has_text="Not saved")
    expect(alert).to_contain_text("someone else changed the order of this list")
    expect(alert).to_contain_text("Order of questions of the guide")
    expect(alert.get_by_role("link", name="Reload the list")).to_be_visible()
    assert [q.slug for q in seed_questions(guide)] == before
    assert [p.split(" for ")[0] for p in problems] == ["409"], problems
    context.close()


def test_dragging_a_question_in_its_guides_list_saves_the_new_order(
    editor_page: Page, guide: GuideDocument
) -> None:
    first, second, third = seed_questions(guide)[:3]
    row = Guide.objects.get(slug=guide.slug)
    list_url = reverse("admin:guides_question_changelist") + f"?guide__id__exact={row.pk}"
    response = editor_page.goto(list_url)
    assert response and "script-src 'self'" in response.headers["content-security-policy"]
    scripts = editor_page.eval_on_selector_all("script[src]", "all => all.map(s => s.src)")
    assert any("/static/adminsortable2/js/" in src for src in scripts)  # served by the app
    handles = editor_page.locator("#result_list tbody .drag.handle")
    expect(handles).to_have_count(len(seed_questions(guide)))

    with editor_page.expect_navigation():  # the list reloads once the new order is saved
        drag_handle(editor_page, 0, 2)

    expect(editor_page.locator(".messagelist")).to_contain_text("Reordered questions")
    order = [q.slug for q in seed_questions(guide)]
    assert order.index(first.slug) > order.index(second.slug)
    assert order[0] != first.slug and third.slug in order[:3]
    assert [q.order for q in seed_questions(guide)] == list(range(len(order)))


def test_keyboard_users_move_a_choice_with_its_buttons(
    editor_page: Page, guide: GuideDocument
) -> None:
    question = seed_questions(guide)[0]
    slugs = list(question.choices.order_by("order").values_list("slug", flat=True))
    editor_page.goto(reverse("admin:guides_question_change", args=[question.pk]))
    down = editor_page.locator("#choices-group").get_by_role("button", name="Move down").first
    down.focus()
    button = down.element_handle()
    editor_page.keyboard.press("Enter")
    expect(editor_page.locator("#choices-group [data-ordered-status]")).to_contain_text(
        "is now number 2 of"
    )
    # The button moved with its row and kept the focus: Enter again moves it further.
    assert editor_page.evaluate("button => document.activeElement === button", button)
    editor_page.get_by_role("button", name="Save and continue editing").first.press("Enter")

    expect(editor_page.locator(".messagelist")).to_contain_text("changed successfully")
    saved = list(question.choices.order_by("order").values_list("slug", flat=True))
    assert saved == [slugs[1], slugs[0], *slugs[2:]]


def test_the_question_form_fits_the_window_and_shows_only_the_picked_questions_answers(
    editor_page: Page, guide: GuideDocument
) -> None:
    questions = seed_questions(guide)
    shown_if = next(q for q in questions if q.show_clauses.exists())
    most_choices = max(questions, key=lambda q: q.choices.count())
    for question in (shown_if, most_choices):
        editor_page.goto(reverse("admin:guides_question_change", args=[question.pk]))
        width, height = editor_page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        assert width <= LAPTOP["width"], f"{question.slug}: {width} px wide"
        assert height < MOST_HEIGHT, f"{question.slug}: {height} px tall"

    editor_page.goto(reverse("admin:guides_question_change", args=[shown_if.pk]))
    clause = editor_page.locator("#show_clauses-0")
    looked_at = shown_if.show_clauses.get().question
    groups = clause.locator(".answer-group")
    expect(groups.filter(has_text=looked_at.short)).to_be_visible()
    expect(groups.locator("visible=true")).to_have_count(1)
    other = next(q for q in questions if q.order < shown_if.order and q != looked_at)
    clause.get_by_label("Question").select_option(str(other.pk))
    expect(groups.filter(has_text=other.short)).to_be_visible()
    expect(clause.locator("input[type=checkbox]:checked")).to_have_count(0)


def test_the_forms_with_ordered_rows_pass_axe(
    browser: Browser, live_server: Any, guide: GuideDocument
) -> None:
    """The page content (labels, tick boxes, move buttons of 24 px and more), by axe.

    Its own context: axe's probes set inline styles the policy refuses, which the
    watched pages would count as problems. The header and breadcrumbs, the same on
    every admin page, are left to the whole-admin check.
    """
    superuser = get_user_model().objects.create_superuser("axe", None, EDITOR_PASSWORD)
    context = browser.new_context(base_url=live_server.url, viewport=LAPTOP)
    try:
        page = context.new_page()
        log_in(page, superuser)
        questions = seed_questions(guide)
        shown_if = next(q for q in questions if q.show_clauses.exists())
        scenario = Scenario.objects.filter(guide__slug=guide.slug).first()
        for url in (
            reverse("admin:guides_question_change", args=[shown_if.pk]),
            reverse("admin:guides_scenario_change", args=[scenario.pk]),
        ):
            page.goto(url)
            options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}}
            results = AXE.run(page, context="#content-main", options=options)
            assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


def test_a_scenario_from_try_the_draft_takes_two_clicks(
    editor_page: Page, guide: GuideDocument
) -> None:
    row = Guide.objects.get(slug=guide.slug)
    answers = dict(list(clean_answers(guide, guide.scenarios[-1].answers).items())[:5])
    editor_page.goto(reverse("admin:guides_guide_try", args=[row.pk]))
    for slug, choice in answers.items():
        editor_page.locator(f"#id_{slug}").select_option(choice)
    editor_page.get_by_role("button", name="Show the result").click()

    editor_page.get_by_label("Name of the scenario").fill("Tried in the browser")
    editor_page.get_by_role("button", name="Save these answers as a scenario").click()

    expect(editor_page.locator(".messagelist")).to_contain_text("Saved the scenario")
    scenario = Scenario.objects.get(guide=row, title="Tried in the browser")
    assert editor_page.url.endswith(reverse("admin:guides_scenario_change", args=[scenario.pk]))
    saved = {a.question.slug: a.choice.slug for a in scenario.answers.all()}
    assert saved == answers
