"""The message after every save: all N scenarios still pass, or which fail, linked, and why
in the editor's words (question prompts, choice labels, outcome names, each answer's push)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from decisionguide.checking.checks import check_document, check_scenarios, report_lines
from decisionguide.content.models import Choice, Guide, Note, Outcome, Question, Scenario
from decisionguide.decision.document import GuideDocument
from decisionguide.languages import quoted
from decisionguide.publishing.feedback import MESSAGE_TAG, scenario_anchor
from tests.admin_forms import admin_form, change_url, errors_of, inline_prefix, post, read_form

pytestmark = pytest.mark.django_db


class HtmlText(HTMLParser):
    """The text of some HTML, and its links as (href, text)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._link_text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._link_text = dict(attrs).get("href") or "", ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._link_text))
            self._href = None

    def handle_data(self, data: str) -> None:
        self.text += data
        if self._href is not None:
            self._link_text += data


def scenario_messages(response: Any) -> list[Any]:
    """The messages a save left about the guide's scenarios."""
    return [m for m in get_messages(response.wsgi_request) if MESSAGE_TAG in m.extra_tags]


def only_scenario_message(response: Any) -> Any:
    found = scenario_messages(response)
    assert len(found) == 1, [str(m) for m in get_messages(response.wsgi_request)]
    return found[0]


def still_passing(guide: Guide) -> str:
    return f"All {Scenario.objects.filter(guide=guide).count()} scenarios still give"


def break_first_scenario(client: Client, guide: Guide) -> tuple[Any, Scenario, Choice, Outcome]:
    """Give the first scenario's first answer 99 points for another outcome, in the admin."""
    scenario = Scenario.objects.filter(guide=guide).order_by("order", "id").first()
    answer = scenario.answers.select_related("choice__question").order_by("id").first()
    choice = answer.choice
    question = choice.question
    loser = guide.outcomes.exclude(pk=scenario.outcome_id).order_by("order", "id").first()
    form = admin_form(client, question)
    prefix = inline_prefix(form, "choices")
    index = list(question.choices.order_by("order", "id")).index(choice)
    form[f"{prefix}-{index}-points_{loser.pk}"] = "99"
    response = post(client, change_url(question), form)
    assert response.status_code == 302, errors_of(response)
    return response, scenario, choice, loser


# --- Every scenario still passes ---------------------------------------------------------


def test_a_save_that_keeps_every_scenario_passing_counts_them(
    superuser_client: Client, seed_guide: Guide
) -> None:
    assert Scenario.objects.filter(guide=seed_guide).count() > 1
    question = seed_guide.questions.order_by("order").first()
    form = admin_form(superuser_client, question)
    form["prompt"] = question.prompt + " (reworded)"

    response = post(superuser_client, change_url(question), form)

    assert response.status_code == 302, errors_of(response)
    message = only_scenario_message(response)
    assert message.level == messages.SUCCESS
    assert str(message).startswith(still_passing(seed_guide))
    # Shown on the page the save leads to.
    page = superuser_client.get(response["Location"]).content.decode()
    assert still_passing(seed_guide) in page


@pytest.mark.parametrize("model", [Guide, Outcome, Question, Scenario, Note])
def test_every_kind_of_part_reports_its_scenarios(
    superuser_client: Client, seed_guide: Guide, model: type
) -> None:
    obj = seed_guide if model is Guide else model.objects.filter(guide=seed_guide).first()
    response = post(superuser_client, change_url(obj), admin_form(superuser_client, obj))
    assert response.status_code == 302, errors_of(response)
    assert str(only_scenario_message(response)).startswith(still_passing(seed_guide))


def test_a_choice_saved_on_its_own_page_reports_too(
    superuser_client: Client, seed_guide: Guide
) -> None:
    choice = Choice.objects.filter(question__guide=seed_guide).first()
    response = post(superuser_client, change_url(choice), admin_form(superuser_client, choice))
    assert response.status_code == 302, errors_of(response)
    assert str(only_scenario_message(response)).startswith(still_passing(seed_guide))


def test_a_delete_reports_the_scenarios(superuser_client: Client, seed_guide: Guide) -> None:
    note = Note.objects.filter(guide=seed_guide).first()
    url = reverse("admin:guides_note_delete", args=[note.pk])

    response = superuser_client.post(url, read_form(superuser_client, url, "delete-form").data())

    assert response.status_code == 302
    assert not Note.objects.filter(pk=note.pk).exists()
    assert str(only_scenario_message(response)).startswith(still_passing(seed_guide))


def test_the_ratings_grid_reports_the_scenarios(
    superuser_client: Client, seed_guide: Guide
) -> None:
    url = reverse("admin:guides_guide_ratings", args=[seed_guide.pk])
    response = post(superuser_client, url, read_form(superuser_client, url, None))
    assert response.status_code == 302
    assert str(only_scenario_message(response)).startswith(still_passing(seed_guide))


def test_an_import_reports_the_scenarios(superuser_client: Client, seed_file) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("guide.yaml", seed_file.read_bytes())
    response = superuser_client.post(reverse("admin:guides_guide_import"), {"file": upload})

    assert response.status_code == 302
    guide = Guide.objects.get()
    assert str(only_scenario_message(response)).startswith(still_passing(guide))


def test_a_guide_without_scenarios_says_so(superuser_client: Client, small_guide: Guide) -> None:
    Scenario.objects.filter(guide=small_guide).delete()
    response = post(
        superuser_client, change_url(small_guide), admin_form(superuser_client, small_guide)
    )
    assert response.status_code == 302, errors_of(response)
    message = only_scenario_message(response)
    assert "no scenarios" in str(message)
    assert "still give" not in str(message)


# --- A scenario breaks ------------------------------------------------------------------------


def test_a_save_that_breaks_a_scenario_names_it_with_links_and_reasons(
    superuser_client: Client, small_guide: Guide
) -> None:
    response, scenario, choice, loser = break_first_scenario(superuser_client, small_guide)

    message = only_scenario_message(response)
    assert message.level == messages.WARNING
    total = Scenario.objects.filter(guide=small_guide).count()
    html = HtmlText(str(message))
    assert html.text.startswith(f"1 of {total} scenario")
    assert "still give" not in html.text
    links = dict(html.links)
    # The scenario, by its title, linked to its admin page and to its row on the checks page.
    assert any(scenario.title in text for href, text in html.links if href == change_url(scenario))
    checks = reverse("admin:guides_guide_checks", args=[small_guide.pk])
    assert f"{checks}#{scenario_anchor(scenario.slug)}" in links
    # What it gives now, and what it should: outcome names, not slugs.
    expected = scenario.outcome
    assert f"gives \N{LEFT DOUBLE QUOTATION MARK}{loser.name}" in html.text
    assert f"expected \N{LEFT DOUBLE QUOTATION MARK}{expected.name}" in html.text
    # Why: the question's prompt, the choice's label (linked to the choice) and its push.
    assert choice.question.prompt in html.text
    assert links.get(change_url(choice)) == quoted(choice.label)
    pushed = next(line for line in html.text.splitlines() if choice.question.prompt in line)
    assert " pushed " in pushed
    assert f"{loser.name} +99" in pushed
    assert f"{choice.question.slug}={choice.slug}" not in html.text


def test_the_checks_page_gives_the_same_readable_reason(
    superuser_client: Client, small_guide: Guide
) -> None:
    _, scenario, choice, loser = break_first_scenario(superuser_client, small_guide)

    page = superuser_client.get(reverse("admin:guides_guide_checks", args=[small_guide.pk]))

    html = HtmlText(page.content.decode())
    assert f'id="{scenario_anchor(scenario.slug)}"' in page.content.decode()
    assert choice.question.prompt in html.text
    assert f"{loser.name} +99" in html.text
    assert (change_url(choice), quoted(choice.label)) in html.links


def test_restoring_a_passing_version_says_they_pass_again(
    superuser_client: Client, small_guide: Guide
) -> None:
    broke, *_ = break_first_scenario(superuser_client, small_guide)
    superuser_client.get(broke["Location"])  # shows (and so clears) that save's messages
    url = reverse("admin:guides_guide_revert", args=[small_guide.pk, 1])
    history = reverse("admin:guides_guide_history", args=[small_guide.pk])
    restore = read_form(superuser_client, history, "revert-1")

    response = superuser_client.post(url, restore.data())

    assert response.status_code == 302
    message = only_scenario_message(response)
    assert message.level == messages.SUCCESS
    assert "still give" in str(message)


def test_names_in_the_message_are_escaped(superuser_client: Client, small_guide: Guide) -> None:
    Scenario.objects.filter(guide=small_guide).update(title="<b>Loud</b> & proud")
    response, *_ = break_first_scenario(superuser_client, small_guide)
    text = str(only_scenario_message(response))
    assert "<b>Loud</b>" not in text
    assert "&lt;b&gt;Loud&lt;/b&gt; &amp; proud" in text


# --- The explanation itself (no database) ----------------------------------------------------


def broken(doc: GuideDocument) -> tuple[GuideDocument, str, str, str]:
    """The document with its first scenario's first answer worth 99 for another outcome."""
    scenario = doc.scenarios[0]
    question_slug, choice_slug = next(iter(scenario.answers.items()))
    loser = next(o.slug for o in doc.outcomes if o.slug != scenario.outcome)
    questions = []
    for question in doc.questions:
        choices = [
            c.model_copy(update={"points": {**c.points, loser: 99}})
            if question.slug == question_slug and c.slug == choice_slug
            else c
            for c in question.choices
        ]
        questions.append(question.model_copy(update={"choices": tuple(choices)}))
    return doc.model_copy(update={"questions": tuple(questions)}), question_slug, choice_slug, loser


def test_a_failing_scenario_is_explained_in_names(small_document: GuideDocument) -> None:
    doc, question_slug, choice_slug, loser = broken(small_document)
    check = next(iter(check_scenarios(doc)))
    assert not check.passed
    explanation = check.explanation
    question = doc.question(question_slug)
    choice = question.choice(choice_slug)
    pushed = next(a for a in explanation.deciding_answers() if a.question == question_slug)
    assert str(pushed.text()).startswith(
        f"{quoted(question.prompt)} \N{RIGHTWARDS ARROW} {quoted(choice.label)} pushed "
    )
    assert f"{doc.outcome(loser).name} +99" in str(pushed.text())
    assert explanation.result_name == doc.outcome(loser).name
    assert explanation.expected_name == doc.outcome(check.expected).name
    # Every answer's push adds up to the scores the engine gave.
    for outcome, score in check.decision.scores.items():
        total = sum(p.points for a in explanation.answers for p in a.pushes if p.outcome == outcome)
        assert total == score


def test_checkguide_output_still_names_the_failing_scenario(small_document: GuideDocument) -> None:
    doc, *_ = broken(small_document)
    text = "\n".join(report_lines(check_document(doc), doc.slug))
    assert f"FAIL {doc.scenarios[0].slug}" in text
