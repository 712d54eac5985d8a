"""An editor's journey through the admin, in the browser, as a new user would take it.

The issue is done when "an editor, tried as a new user would, can change a
weight, watch a scenario turn red, fix it, preview, publish, and revert, all
in the browser". The editor here is a fresh staff account in the Editors
group (not a superuser) that signs in through the real login form, and every
step after that is a click or a typed field. What to change is worked out
from the seed guide itself: a choice in the first scenario's profile gets
enough points for an outcome that scenario must not get.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, expect

from decisionguide.content.models import ChoicePoints, Guide
from decisionguide.content.models import Question as QuestionRow
from decisionguide.decision.document import Choice, GuideDocument, Outcome, Question, Scenario
from decisionguide.decision.engine import clean_answers, evaluate, next_question
from decisionguide.editor.roles import EDITORS_GROUP
from decisionguide.publishing.drafts import record_edit
from decisionguide.questionnaire.state import State
from decisionguide.results.models import Result
from tests.e2e.axe import axe_report
from tests.e2e.conftest import LAPTOP, log_in, make_editor, new_page
from tests.e2e.journeys import query_of, result_url, walk
from tests.e2e.test_questionnaire import answer, continue_button, heading

pytestmark = pytest.mark.e2e

# Points for the rival outcome: far more than the whole profile scores for the expected one.
BREAKING_POINTS = 100


@dataclass(frozen=True)
class Weight:
    """One points field of one choice: the weight the editor changes."""

    scenario: Scenario
    question: Question
    choice: Choice
    rival: Outcome  # the outcome the scenario must not get, which the new points make win

    @property
    def original(self) -> str:
        """The field as the admin shows it now ("" for no points)."""
        points = self.choice.points.get(self.rival.slug)
        return "" if points is None else str(points)


def breaking_weight(doc: GuideDocument) -> Weight:
    """A choice only the first scenario picks, and an outcome it would then get instead.

    The choice is asked with the scenario's answers and no other scenario
    picks it, so exactly one scenario turns red; the rival is an outcome no
    gate rules out for these answers, so its points decide.
    """
    scenario = doc.scenarios[0]
    answers = clean_answers(doc, scenario.answers)
    decision = evaluate(doc, answers)
    assert decision.outcome == scenario.outcome, "the seed scenario should pass to begin with"
    rival = next(
        outcome
        for outcome in doc.outcomes
        if outcome.slug != scenario.outcome and outcome.slug not in decision.excluded
    )
    elsewhere = {pair for other in doc.scenarios[1:] for pair in other.answers.items()}
    for question in doc.questions:
        slug = answers.get(question.slug)
        if slug is None or (question.slug, slug) in elsewhere:
            continue
        choice = question.choice(slug)
        assert choice is not None
        rival_score = decision.scores[rival.slug] - choice.points.get(rival.slug, 0)
        assert rival_score + BREAKING_POINTS > decision.scores[scenario.outcome]
        return Weight(scenario, question, choice, rival)
    raise AssertionError("no choice in the first scenario's profile is its own")


def first_question(doc: GuideDocument) -> Question:
    question = next_question(doc, {})
    assert question is not None
    return question


def scenario_answers_url(doc: GuideDocument, scenario: Scenario) -> str:
    """The public result page for a visitor who answers like the scenario."""
    return result_url(doc, State(answers=clean_answers(doc, scenario.answers)))


# ---------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def editor(transactional_db: None) -> AbstractUser:
    """A new staff account in the Editors group, with a real password to type in."""
    return make_editor("new-editor")


@pytest.fixture
def visitor(browser: Browser, live_server: Any) -> Iterator[Page]:
    """An anonymous visitor: a browser context of its own, without the editor's session."""
    yield from new_page(browser, live_server, viewport=LAPTOP)


# ---------------------------------------------------------------------------
# Steps


def open_guide(page: Page, doc: GuideDocument) -> None:
    """From the admin's home page (a summary of each guide) to the guide's own page."""
    page.get_by_role("region", name=doc.title).get_by_role("link", name=doc.title).click()
    expect(panel(page)).to_be_visible()


def panel(page: Page) -> Locator:
    """The status, checks and publish buttons at the top of the guide's page."""
    return page.get_by_role("region", name="Draft and published version")


def scenario_row(page: Page, scenario: Scenario) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=scenario.title))


def expect_scenarios(page: Page, doc: GuideDocument, failing: Scenario | None = None) -> None:
    """Every scenario's row says Pass, except `failing`, which says Fail and is red."""
    for scenario in doc.scenarios:
        row = scenario_row(page, scenario)
        verdict = "Fail" if scenario == failing else "Pass"
        expect(row.get_by_role("cell", name=verdict, exact=True)).to_be_visible()
        expect(row).to_have_class("check-fail" if scenario == failing else "check-pass")
    if failing is not None:
        red, green, blue = border_colour(scenario_row(page, failing))
        assert red > 2 * green and red > 2 * blue, "a failing scenario is marked in red"


def border_colour(row: Locator) -> tuple[int, ...]:
    colour = row.evaluate("row => getComputedStyle(row).borderLeftColor")
    return tuple(int(part) for part in re.findall(r"\d+", colour)[:3])


def open_question(page: Page, question: Question) -> None:
    """From the guide's page to one of its questions, through the list of its questions."""
    panel(page).get_by_role("link", name="Questions", exact=True).click()
    page.get_by_role("link", name=question.prompt, exact=True).click()
    expect(page.get_by_label("Prompt")).to_have_value(question.prompt)


def choice_card(page: Page, choice: Choice) -> Locator:
    """The choice's part of the question page (a row of the ordered inline, headed by it)."""
    # Headed by the choice's label (the page names the question), then its Change link.
    heading = page.get_by_role(
        "heading", name=re.compile(rf"^Choice: {re.escape(choice.label)}(?: Change|$)")
    )
    return page.locator(".inline-related").filter(has=heading)


def points_field(page: Page, weight: Weight) -> Locator:
    label = re.compile(rf"^Points: {re.escape(weight.rival.name)}:?$")
    return choice_card(page, weight.choice).get_by_label(label)


def save_and_go_to_guide(page: Page, doc: GuideDocument) -> None:
    """Save the part being edited, then follow its link back to the guide."""
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.locator(".field-guide").get_by_role("link", name=doc.title).click()
    expect(panel(page)).to_be_visible()


def set_weight(page: Page, doc: GuideDocument, weight: Weight, was: str, value: str) -> None:
    """Change the choice's points for the rival outcome from `was` to `value`; save."""
    open_question(page, weight.question)
    field = points_field(page, weight)
    expect(field).to_have_value(was)
    field.fill(value)
    save_and_go_to_guide(page, doc)


def publish(page: Page) -> int:
    """Press the guide page's publish button; returns the version published."""
    button = panel(page).get_by_role("button", name=re.compile(r"^Publish version \d+$"))
    number = int(re.findall(r"\d+", button.inner_text())[0])
    button.click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"Published version {number}: visitors see it now."
    )
    return number


def expect_prompt(page: Page, prompt: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(prompt)


def expect_public_prompt(visitor: Page, doc: GuideDocument, prompt: str) -> None:
    visitor.goto(reverse("questionnaire-start", args=[doc.slug]))
    expect_prompt(visitor, prompt)
    expect(visitor.get_by_text("Draft preview.")).to_have_count(0)


# ---------------------------------------------------------------------------
# The journey


def test_editor_breaks_a_scenario_fixes_it_previews_publishes_and_reverts(
    page: Page, visitor: Page, guide: GuideDocument, editor: AbstractUser
) -> None:
    doc = guide
    assert not editor.is_superuser and editor.groups.filter(name=EDITORS_GROUP).exists()
    weight = breaking_weight(doc)
    scenario = weight.scenario
    expected = doc.outcome(scenario.outcome)
    assert expected is not None
    published_before = Guide.objects.get(slug=doc.slug).published_version_id

    # Signed in, on the guide's page: every scenario check passes.
    log_in(page, editor)
    open_guide(page, doc)
    expect(panel(page)).to_contain_text(f"{len(doc.scenarios)} scenarios, 0 failing")
    expect_scenarios(page, doc)

    # A weight changes: the rival outcome gets many points for one of the scenario's answers.
    set_weight(page, doc, weight, weight.original, str(BREAKING_POINTS))
    expect(panel(page)).to_contain_text(f"{len(doc.scenarios)} scenarios, 1 failing")
    expect_scenarios(page, doc, failing=scenario)
    actual = scenario_row(page, scenario).get_by_role("cell").nth(1)
    expect(actual).to_contain_text(weight.rival.name)  # the outcome's name, and its slug
    expect(actual.locator("code")).to_have_text(weight.rival.slug)

    # Publishing is refused: the button is off, and the checks page says why.
    publish_button = panel(page).get_by_role("button", name=re.compile(r"^Publish version"))
    expect(publish_button).to_be_disabled()
    expect(panel(page)).to_contain_text("Fix the failing scenarios first.")
    page.get_by_role("link", name="See every check").click()
    expect_scenarios(page, doc, failing=scenario)
    expect(page.get_by_text("Publishing is refused while a scenario fails.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Publish version"))).to_have_count(0)
    # Visitors still get the published recommendation for the scenario's answers.
    assert Guide.objects.get(slug=doc.slug).published_version_id == published_before
    visitor.goto(scenario_answers_url(doc, scenario))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        f"Your recommendation: {expected.name}"
    )

    # The weight goes back: every scenario passes again.
    page.get_by_role("link", name="Edit", exact=True).click()
    set_weight(page, doc, weight, str(BREAKING_POINTS), weight.original)
    expect(panel(page)).to_contain_text(f"{len(doc.scenarios)} scenarios, 0 failing")
    expect_scenarios(page, doc)

    # A visible change: the first question's prompt. The draft preview shows it ...
    question = first_question(doc)
    old_prompt = question.prompt
    new_prompt = f"Reworded for the journey test: {old_prompt}"
    before_change = Guide.objects.get(slug=doc.slug).version
    open_question(page, question)
    page.get_by_label("Prompt").fill(new_prompt)
    save_and_go_to_guide(page, doc)
    page.get_by_role("link", name="Draft questionnaire").click()
    expect(page.get_by_text("Draft preview.")).to_be_visible()
    expect_prompt(page, new_prompt)
    # ... and visitors still see the published prompt.
    expect_public_prompt(visitor, doc, old_prompt)

    # Published from the guide's page: visitors see the new prompt.
    page.go_back()
    expect(panel(page)).to_contain_text(f"{len(doc.scenarios)} scenarios, 0 failing")
    changed = publish(page)
    assert changed > before_change
    expect_public_prompt(visitor, doc, new_prompt)

    # Reverted from the history to the version before the change: it becomes the draft ...
    page.get_by_role("link", name="History", exact=True).click()
    page.get_by_role("button", name=f"Restore version {before_change} as the draft").click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"Version {before_change} is the draft again"
    )
    expect_public_prompt(visitor, doc, new_prompt)
    # ... which visitors see once it is published.
    page.get_by_role("link", name="Edit", exact=True).click()
    reverted = publish(page)
    assert reverted > changed
    expect_public_prompt(visitor, doc, old_prompt)
    guide_row = Guide.objects.get(slug=doc.slug)
    assert guide_row.published_version.as_document() == (
        guide_row.versions.get(version=before_change).as_document()
    )


# ---------------------------------------------------------------------------
# A publish button left open while the draft changed


def save_behind_the_editors_back(row: Guide, note: str) -> int:
    """Freeze the rows as changed by "someone else"; returns the new draft version."""
    version = record_edit(row, note=note)
    assert version is not None
    return version.version


def reword(row: Guide, question: Question, prompt: str) -> int:
    QuestionRow.objects.filter(guide=row, slug=question.slug).update(prompt=prompt)
    return save_behind_the_editors_back(row, f"Reworded {question.slug}")


def moved_on_message(seen: int, current: int) -> str:
    return (
        f"Not published: this page showed version {seen}, but the draft moved on to "
        f"version {current} since you loaded it. Review version {current} and publish again."
    )


def test_a_publish_button_left_open_while_another_editor_saved_is_refused(
    page: Page, visitor: Page, guide: GuideDocument, editor: AbstractUser
) -> None:
    """The button names the version on screen; a later save (passing every scenario) is not
    published unseen: the editor is sent back to review it, and then publishes it."""
    doc = guide
    row = Guide.objects.get(slug=doc.slug)
    published_before = row.published_version_id
    question = first_question(doc)
    seen_prompt = f"Reviewed by the editor: {question.prompt}"
    unseen_prompt = f"Saved by someone else since: {question.prompt}"

    seen = reword(row, question, seen_prompt)
    log_in(page, editor)
    open_guide(page, doc)
    button = panel(page).get_by_role("button", name=f"Publish version {seen}", exact=True)
    expect(button).to_be_enabled()

    current = reword(row, question, unseen_prompt)
    button.click()

    expect(page.locator(".messagelist")).to_contain_text(moved_on_message(seen, current))
    expect(page).to_have_url(
        re.compile(re.escape(reverse("admin:guides_guide_change", args=[row.pk])) + "$")
    )
    assert Guide.objects.get(slug=doc.slug).published_version_id == published_before
    expect_public_prompt(visitor, doc, question.prompt)

    # Back on the guide's page, the button offers the new version: pressed, it publishes.
    expect(panel(page)).to_contain_text(f"draft, version {current}")
    assert publish(page) == current
    expect_public_prompt(visitor, doc, unseen_prompt)


def test_a_stale_publish_button_is_refused_once_a_scenario_fails(
    page: Page, visitor: Page, guide: GuideDocument, editor: AbstractUser
) -> None:
    """The page offered "Publish"; meanwhile another save broke a scenario: nothing is published.

    The disabled button covers a page loaded after the breaking save; for a
    page loaded before it, the server refuses the version the button named
    (the draft moved on), and the page it sends the editor back to shows
    why the new version can't be published either.
    """
    doc = guide
    weight = breaking_weight(doc)
    row = Guide.objects.get(slug=doc.slug)
    published_before = row.published_version_id
    question = first_question(doc)
    new_prompt = f"Not yet published: {question.prompt}"

    # An unpublished change every scenario passes with: the checks page offers to publish it.
    seen = reword(row, question, new_prompt)
    log_in(page, editor)
    open_guide(page, doc)
    page.get_by_role("link", name="See every check").click()
    expect_scenarios(page, doc)
    publish_button = page.get_by_role("button", name=f"Publish version {seen}", exact=True)
    expect(publish_button).to_be_enabled()

    # Someone else saves the breaking weight before this editor presses the button.
    set_breaking_weight(row, weight)
    current = save_behind_the_editors_back(row, "A breaking change")
    publish_button.click()

    expect(page.locator(".messagelist")).to_contain_text(moved_on_message(seen, current))
    expect(page).to_have_url(
        re.compile(re.escape(reverse("admin:guides_guide_checks", args=[row.pk])) + "$")
    )
    expect_scenarios(page, doc, failing=weight.scenario)
    expect(page.get_by_text("Publishing is refused while a scenario fails.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Publish version"))).to_have_count(0)
    assert Guide.objects.get(slug=doc.slug).published_version_id == published_before
    expect_public_prompt(visitor, doc, question.prompt)


def set_breaking_weight(row: Guide, weight: Weight) -> None:
    choice = row.questions.get(slug=weight.question.slug).choices.get(slug=weight.choice.slug)
    ChoicePoints.objects.update_or_create(
        choice=choice,
        outcome=row.outcomes.get(slug=weight.rival.slug),
        defaults={"points": BREAKING_POINTS},
    )


def test_the_server_refuses_a_failing_draft_even_if_the_button_is_forced(
    page: Page, visitor: Page, guide: GuideDocument, editor: AbstractUser
) -> None:
    """The disabled button is only a hint: posting the current, failing draft is refused too."""
    doc = guide
    weight = breaking_weight(doc)
    expected = doc.outcome(weight.scenario.outcome)
    assert expected is not None
    row = Guide.objects.get(slug=doc.slug)
    published_before = row.published_version_id
    set_breaking_weight(row, weight)
    current = save_behind_the_editors_back(row, "A breaking change")

    log_in(page, editor)
    open_guide(page, doc)
    button = panel(page).get_by_role("button", name=f"Publish version {current}", exact=True)
    expect(button).to_be_disabled()
    # What a hand-made request would do: the form posts the current version, enabled.
    button.evaluate("button => { button.disabled = false; }")
    button.click()

    expect(page.locator(".messagelist")).to_contain_text(
        "Not published: every scenario must give its expected outcome first."
    )
    # In words, as save feedback says it: the scenario's title and the outcomes' names.
    expect(page.locator(".messagelist")).to_contain_text(
        f"Scenario “{weight.scenario.title}” gives “{weight.rival.name}”, "
        f"expected “{expected.name}”"
    )
    expect_scenarios(page, doc, failing=weight.scenario)
    assert Guide.objects.get(slug=doc.slug).published_version_id == published_before
    visitor.goto(scenario_answers_url(doc, weight.scenario))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        f"Your recommendation: {expected.name}"
    )


def test_the_draft_questionnaire_keeps_its_preview_through_every_htmx_step(
    page: Page, guide: GuideDocument, editor: AbstractUser
) -> None:
    """The draft questionnaire, with JavaScript: each swapped step stays on the draft."""
    doc = guide
    steps = walk(doc)
    # An unpublished edit only the draft shows: the last question's prompt.
    last = steps[-1].question
    draft_prompt = f"Draft wording: {last.prompt}"
    row = Guide.objects.get(slug=doc.slug)
    QuestionRow.objects.filter(guide=row, slug=last.slug).update(prompt=draft_prompt)
    record_edit(row)

    log_in(page, editor)
    open_guide(page, doc)
    page.get_by_role("link", name="Draft questionnaire").click()
    for step in steps:
        expected = draft_prompt if step.question.slug == last.slug else step.question.prompt
        expect(heading(page)).to_have_text(expected)
        expect(page.get_by_text("Draft preview.")).to_be_visible()
        assert query_of(page.url).get("preview") == "draft", page.url
        answer(page, step)
        continue_button(page).click()

    expect(heading(page)).to_have_text("Check your answers")
    page.wait_for_url(lambda url: query_of(url).get("preview") == "draft")
    violations, report = axe_report(page)
    assert violations == 0, report
    page.get_by_role("link", name="See the draft recommendation").click()
    outcome = doc.outcome(
        evaluate(doc, clean_answers(doc, {s.question.slug: s.choice.slug for s in steps})).outcome
        or ""
    )
    assert outcome is not None
    expect(heading(page)).to_contain_text(outcome.name)
    expect(page.get_by_text("Draft preview.")).to_be_visible()
    assert not Result.objects.exists(), "a draft preview stores no result"
