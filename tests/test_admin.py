"""The editor admin: every page loads, edits are checked as a whole guide, one version per save.

Forms are submitted the way a browser would: the rendered form is read back
(every input, select and text area with its current value), a few values are
changed, and the whole form is posted.
"""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import (
    Choice,
    ChoicePoints,
    Clause,
    Gate,
    Guide,
    GuideVersion,
    Note,
    Outcome,
    Question,
    Rating,
    Scenario,
    ScenarioAnswer,
)
from decisionguide.content.rows import build_document
from decisionguide.editor.publishing import publish, record_edit
from tests.admin_forms import (
    Form,
    add_form,
    add_inline_row,
    admin_form,
    change_url,
    errors_of,
    inline_prefix,
    post,
    read_form,
    state,
    upload,
)

pytestmark = pytest.mark.django_db

GUIDE_MODELS = [model for model in admin.site._registry if model._meta.app_label == "guides"]


@pytest.fixture(params=["superuser", "editor"])
def staff_client(request: pytest.FixtureRequest) -> Client:
    name = "superuser_client" if request.param == "superuser" else "editor_client"
    return request.getfixturevalue(name)


# --- Every page loads -------------------------------------------------------------------


@pytest.mark.parametrize("model", GUIDE_MODELS, ids=lambda m: m.__name__)
def test_every_admin_page_loads(staff_client: Client, small_guide: Guide, model: type) -> None:
    name = model._meta.model_name
    assert staff_client.get(reverse(f"admin:guides_{name}_changelist")).status_code == 200
    add = staff_client.get(reverse(f"admin:guides_{name}_add") + f"?guide={small_guide.pk}")
    # Frozen versions are never added by hand.
    assert add.status_code == (403 if model is GuideVersion else 200)
    row = model.objects.first()
    assert row is not None
    assert staff_client.get(change_url(row)).status_code == 200


@pytest.mark.parametrize(
    "page_name", ["ratings", "checks", "history", "export", "try", "analytics", "change"]
)
def test_every_guide_page_loads(staff_client: Client, small_guide: Guide, page_name: str) -> None:
    url = reverse(f"admin:guides_guide_{page_name}", args=[small_guide.pk])
    response = staff_client.get(url)
    assert response.status_code == 200


def test_version_page_and_import_page_load(staff_client: Client, small_guide: Guide) -> None:
    url = reverse("admin:guides_guide_version", args=[small_guide.pk, 1])
    assert staff_client.get(url).status_code == 200
    assert staff_client.get(reverse("admin:guides_guide_import")).status_code == 200


def test_add_page_asks_for_the_guide_when_there_are_several(
    superuser_client: Client, small_guide: Guide, seed_guide: Guide
) -> None:
    response = superuser_client.get(reverse("admin:guides_question_add"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"?guide={small_guide.pk}" in html and f"?guide={seed_guide.pk}" in html
    chosen = superuser_client.get(reverse("admin:guides_question_add") + f"?guide={seed_guide.pk}")
    # The add form offers only that guide's questions in its clause selects.
    html = chosen.content.decode()
    assert seed_guide.questions.first().prompt in html
    assert small_guide.questions.first().prompt not in html


def test_results_are_readable_by_editors(editor_client: Client, small_guide: Guide) -> None:
    assert editor_client.get(reverse("admin:results_result_changelist")).status_code == 200


@pytest.mark.parametrize(
    "url_name",
    ["admin:auth_user_changelist", "admin:auth_group_changelist", "admin:auth_user_add"],
)
def test_editors_cannot_manage_users_or_groups(editor_client: Client, url_name: str) -> None:
    assert editor_client.get(reverse(url_name)).status_code == 403


def test_editors_cannot_delete_a_whole_guide(editor_client: Client, small_guide: Guide) -> None:
    url = reverse("admin:guides_guide_delete", args=[small_guide.pk])
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Guide.objects.filter(pk=small_guide.pk).exists()


def test_visitors_are_sent_to_the_login_page(client: Client, small_guide: Guide) -> None:
    for url in [
        reverse("admin:guides_guide_checks", args=[small_guide.pk]),
        reverse("admin:guides_guide_markdown_preview"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_every_editable_field_says_what_it_changes() -> None:
    for model in GUIDE_MODELS:
        for field in model._meta.get_fields():
            if getattr(field, "concrete", False) and not field.auto_created:
                assert str(field.help_text).strip(), f"{model.__name__}.{field.name}"


# --- Saving: one version per save, who and what -------------------------------------------


def test_saving_a_question_with_its_choices_bumps_the_version_once(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    question = small_guide.questions.get(slug=small_document.questions[0].slug)
    outcome = small_guide.outcomes.get(slug=small_document.outcomes[0].slug)
    form = admin_form(superuser_client, question)
    prefix = inline_prefix(form, "choices")
    first_choice = question.choices.order_by("order").first()
    form["prompt"] = question.prompt + " (revised)"
    form[f"{prefix}-0-label"] = first_choice.label + " (revised)"
    form[f"{prefix}-0-points_{outcome.pk}"] = "7"
    before = small_guide.version

    response = post(superuser_client, change_url(question), form)

    assert response.status_code == 302, errors_of(response)
    small_guide.refresh_from_db()
    assert small_guide.version == before + 1
    latest = small_guide.versions.get(version=small_guide.version)
    assert latest.created_by.username == "admin"
    assert question.slug in latest.note or question.prompt[:20] in latest.note
    doc = build_document(small_guide)
    edited = doc.question(question.slug)
    assert edited.prompt == question.prompt + " (revised)"
    assert edited.choice(first_choice.slug).label == first_choice.label + " (revised)"
    assert edited.choice(first_choice.slug).points[outcome.slug] == 7
    # The frozen draft is exactly the rows.
    assert latest.as_document() == doc


def test_saving_without_changes_records_no_version(
    superuser_client: Client, small_guide: Guide
) -> None:
    question = small_guide.questions.first()
    before = state(small_guide)
    response = post(superuser_client, change_url(question), admin_form(superuser_client, question))
    assert response.status_code == 302
    assert state(small_guide) == before


def test_empty_points_field_removes_the_points(
    superuser_client: Client, small_guide: Guide
) -> None:
    points = ChoicePoints.objects.filter(choice__question__guide=small_guide).first()
    question = points.choice.question
    form = admin_form(superuser_client, question)
    prefix = inline_prefix(form, "choices")
    index = list(question.choices.order_by("order", "id")).index(points.choice)
    assert form[f"{prefix}-{index}-points_{points.outcome_id}"] == str(points.points)
    form[f"{prefix}-{index}-points_{points.outcome_id}"] = ""
    response = post(superuser_client, change_url(question), form)
    assert response.status_code == 302, errors_of(response)
    assert not ChoicePoints.objects.filter(pk=points.pk).exists()
    doc = build_document(small_guide)
    assert points.outcome.slug not in doc.question(question.slug).choice(points.choice.slug).points


def test_a_show_if_clause_is_edited_by_picking_a_question_and_its_answers(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    first, *_, last = small_document.questions
    question = small_guide.questions.get(slug=last.slug)
    looked_at = small_guide.questions.get(slug=first.slug)
    picked = list(looked_at.choices.order_by("order")[:2])
    form = admin_form(superuser_client, question)
    prefix = inline_prefix(form, "show_clauses")
    add_inline_row(
        form,
        prefix,
        {
            "group": "all",
            "question": str(looked_at.pk),
            "answers": [str(c.pk) for c in picked],
            "order": "0",
        },
    )
    response = post(superuser_client, change_url(question), form)
    assert response.status_code == 302, errors_of(response)
    show_if = build_document(small_guide).question(last.slug).show_if
    assert show_if is not None
    assert [(c.question, c.in_) for c in show_if.all_] == [
        (first.slug, tuple(c.slug for c in picked))
    ]


def test_the_ratings_grid_saves_every_cell_in_one_version(
    superuser_client: Client, small_guide: Guide
) -> None:
    url = reverse("admin:guides_guide_ratings", args=[small_guide.pk])
    form = read_form(superuser_client, url, None)
    ratings = list(Rating.objects.filter(criterion__guide=small_guide))
    assert len([n for n in form.names() if n.startswith("label_")]) == len(ratings)
    for rating in ratings:
        form[f"label_{rating.criterion_id}_{rating.outcome_id}"] = f"{rating.label} (new)"
    changed = ratings[0]
    form[f"level_{changed.criterion_id}_{changed.outcome_id}"] = str((changed.level + 1) % 4)
    before = small_guide.version

    response = post(superuser_client, url, form)

    assert response.status_code == 302
    small_guide.refresh_from_db()
    assert small_guide.version == before + 1
    doc = build_document(small_guide)
    criterion = next(c for c in doc.criteria if c.slug == changed.criterion.slug)
    assert criterion.ratings[changed.outcome.slug].level == (changed.level + 1) % 4
    assert all(r.label.endswith("(new)") for c in doc.criteria for r in c.ratings.values())


def test_the_ratings_grid_refuses_a_bad_level(superuser_client: Client, small_guide: Guide) -> None:
    url = reverse("admin:guides_guide_ratings", args=[small_guide.pk])
    form = read_form(superuser_client, url, None)
    rating = Rating.objects.filter(criterion__guide=small_guide).first()
    form[f"level_{rating.criterion_id}_{rating.outcome_id}"] = "7"
    form[f"label_{rating.criterion_id}_{rating.outcome_id}"] = ""
    before = state(small_guide)
    response = post(superuser_client, url, form)
    assert response.status_code == 200
    assert "Select a valid choice" in errors_of(response)
    assert "This field is required" in errors_of(response)
    assert state(small_guide) == before


# --- Validation: form errors, no 500, nothing saved ------------------------------------


def refused(client: Client, url: str, form: Form, guide: Guide, expected: str) -> None:
    before = state(guide)
    response = post(client, url, form)
    assert response.status_code == 200
    assert expected in errors_of(response), errors_of(response)
    assert state(guide) == before


def test_a_rule_on_a_later_question_is_refused(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    first, second = small_document.questions[:2]
    question = small_guide.questions.get(slug=first.slug)
    later = small_guide.questions.get(slug=second.slug)
    form = admin_form(superuser_client, question)
    add_inline_row(
        form,
        inline_prefix(form, "show_clauses"),
        {"group": "all", "question": str(later.pk), "answers": [str(later.choices.first().pk)]},
    )
    refused(superuser_client, change_url(question), form, small_guide, "later question")


def test_a_condition_cycle_is_refused(superuser_client: Client, small_guide: Guide) -> None:
    """Question 2 already looks at question 1; making 1 look at 2 as well is refused."""
    clause = Clause.objects.filter(shown__guide=small_guide).first()
    looked_at, shown = clause.question, clause.owner
    form = admin_form(superuser_client, looked_at)
    add_inline_row(
        form,
        inline_prefix(form, "show_clauses"),
        {"group": "all", "question": str(shown.pk), "answers": [str(shown.choices.first().pk)]},
    )
    refused(superuser_client, change_url(looked_at), form, small_guide, "later question")


def test_a_question_can_not_look_at_itself(superuser_client: Client, small_guide: Guide) -> None:
    question = small_guide.questions.order_by("-order").first()
    form = admin_form(superuser_client, question)
    add_inline_row(
        form,
        inline_prefix(form, "show_clauses"),
        {
            "group": "any",
            "question": str(question.pk),
            "answers": [str(question.choices.first().pk)],
        },
    )
    refused(superuser_client, change_url(question), form, small_guide, "later question")


def test_clause_answers_must_belong_to_its_question(
    superuser_client: Client, small_guide: Guide
) -> None:
    gate = Gate.objects.filter(guide=small_guide).first()
    clause = gate.clauses.first()
    other = small_guide.questions.exclude(pk=clause.question_id).first()
    form = admin_form(superuser_client, gate)
    prefix = inline_prefix(form, "clauses")
    form[f"{prefix}-0-answers"] = [str(other.choices.first().pk)]
    refused(superuser_client, change_url(gate), form, small_guide, "Pick answers of the question")


def test_a_scenario_answer_of_another_question_is_refused(
    superuser_client: Client, small_guide: Guide
) -> None:
    answer = ScenarioAnswer.objects.filter(scenario__guide=small_guide).first()
    stray = Choice.objects.filter(question__guide=small_guide).exclude(question=answer.question)
    form = admin_form(superuser_client, answer.scenario)
    prefix = inline_prefix(form, "answers")
    form[f"{prefix}-0-choice"] = str(stray.first().pk)
    refused(
        superuser_client,
        change_url(answer.scenario),
        form,
        small_guide,
        "Pick a choice of the selected question",
    )


def test_a_scenario_answer_from_another_guide_is_refused(
    superuser_client: Client, small_guide: Guide, seed_guide: Guide
) -> None:
    scenario = Scenario.objects.filter(guide=small_guide).first()
    foreign = Choice.objects.filter(question__guide=seed_guide).first()
    form = admin_form(superuser_client, scenario)
    form[f"{inline_prefix(form, 'answers')}-0-choice"] = str(foreign.pk)
    refused(superuser_client, change_url(scenario), form, small_guide, "Select a valid choice")


def test_two_outcomes_with_the_same_slug_are_refused(
    superuser_client: Client, small_guide: Guide
) -> None:
    existing = small_guide.outcomes.first()
    form = add_form(superuser_client, Outcome, small_guide)
    for field in ["name", "tagline", "best_for", "strengths", "tradeoffs", "failure_mode"]:
        form[field] = "Something"
    form["good_fit"] = form["choose_if"] = "Something"
    form["slug"] = existing.slug
    before = state(small_guide)
    response = post(superuser_client, reverse("admin:guides_outcome_add"), form)
    assert response.status_code == 200
    assert "already exists" in errors_of(response) or "unique" in errors_of(response).lower()
    assert state(small_guide) == before


def test_a_guide_without_a_default_outcome_is_refused(
    superuser_client: Client, small_guide: Guide
) -> None:
    form = admin_form(superuser_client, small_guide)
    form["default_outcome"] = ""
    refused(superuser_client, change_url(small_guide), form, small_guide, "required")


def test_deleting_the_default_outcome_is_refused(superuser_client: Client, small_document) -> None:
    from decisionguide.content.loading import apply_document
    from decisionguide.decision.parsing import parse_document

    # A guide whose default outcome nothing else refers to (no scenario, gate or rating).
    data = small_document.to_data()
    data["slug"] = "lonely-default"
    data["outcomes"].append({**data["outcomes"][0], "slug": "spare", "next_pages": []})
    data["default_outcome"] = "spare"
    for criterion in data["criteria"]:
        criterion["ratings"]["spare"] = {"label": "Spare", "level": 1}
    guide, _ = apply_document(parse_document(data))
    spare = guide.outcomes.get(slug="spare")
    for criterion in guide.criteria.all():
        criterion.ratings.filter(outcome=spare).delete()  # ratings would cascade quietly
    guide.refresh_from_db()
    before = guide.version
    url = reverse("admin:guides_outcome_delete", args=[spare.pk])

    response = superuser_client.post(
        url, read_form(superuser_client, url, "delete-form").data(), follow=True
    )

    assert response.status_code == 200
    assert "Not deleted" in response.content.decode()
    assert "default outcome" in response.content.decode()
    assert Outcome.objects.filter(pk=spare.pk).exists()
    guide.refresh_from_db()
    assert guide.version == before


def test_a_gate_on_the_default_outcome_is_refused(
    superuser_client: Client, small_guide: Guide
) -> None:
    gate = Gate.objects.filter(guide=small_guide).first()
    form = admin_form(superuser_client, gate)
    form["outcome"] = str(small_guide.default_outcome_id)
    refused(superuser_client, change_url(gate), form, small_guide, "default outcome can")


def test_deleting_a_choice_a_condition_uses_is_refused(
    superuser_client: Client, small_guide: Guide
) -> None:
    clause = Clause.objects.filter(shown__guide=small_guide).first()
    used = clause.clause_choices.first().choice
    question = used.question
    form = admin_form(superuser_client, question)
    prefix = inline_prefix(form, "choices")
    index = list(question.choices.order_by("order", "id")).index(used)
    form[f"{prefix}-{index}-DELETE"] = "on"
    # The admin names what still uses it, and nothing is deleted.
    refused(superuser_client, change_url(question), form, small_guide, "protected related")


def test_a_bad_slug_is_refused(superuser_client: Client, small_guide: Guide) -> None:
    note = Note.objects.filter(guide=small_guide).first()
    form = admin_form(superuser_client, note)
    form["slug"] = "Not A Slug"
    refused(superuser_client, change_url(note), form, small_guide, "Enter a valid")


def test_a_new_guide_needs_an_outcome_and_gets_it_as_default(superuser_client: Client) -> None:
    url = reverse("admin:guides_guide_add")
    form = read_form(superuser_client, url, "guide_form")
    for field in ["title", "summary", "intro", "right_page", "wrong_page", "shortcut"]:
        form[field] = f"New guide {field}"
    form["slug"] = "new-guide"
    prefix = inline_prefix(form, "outcomes")
    for field in ["name", "tagline", "best_for", "strengths", "tradeoffs", "failure_mode"]:
        form[f"{prefix}-0-{field}"] = f"First {field}"
    form[f"{prefix}-0-good_fit"] = form[f"{prefix}-0-choose_if"] = "Always"
    form[f"{prefix}-0-slug"] = "first"

    response = post(superuser_client, url, form)

    assert response.status_code == 302, errors_of(response)
    guide = Guide.objects.get(slug="new-guide")
    assert guide.default_outcome.slug == "first"
    assert guide.version == 1 and guide.versions.count() == 1
    # A new guide is a draft: not listed until an editor publishes it.
    assert not guide.is_published and guide.published_version is None
    assert not Guide.objects.published().filter(pk=guide.pk).exists()


# --- Draft and publish -------------------------------------------------------------------


def checks_url(guide: Guide) -> str:
    return reverse("admin:guides_guide_checks", args=[guide.pk])


def publish_url(guide: Guide) -> str:
    return reverse("admin:guides_guide_publish", args=[guide.pk])


PUBLISH_PAGES = {"change": change_url, "checks": checks_url}


def publish_form(client: Client, guide: Guide, where: str = "change") -> Form:
    """The publish button's form on the guide's change or checks page, as loaded now."""
    form = read_form(client, PUBLISH_PAGES[where](guide), "publish_form")
    assert form.names(), f"the {where} page offers no publish button"
    return form


def save_title(guide: Guide, title: str) -> None:
    """Another editor's save: a new draft version that passes every scenario."""
    Guide.objects.filter(pk=guide.pk).update(title=title)
    guide.refresh_from_db()  # record_edit reads the guide's own fields from the instance
    assert record_edit(guide, note=f"Retitled {title}") is not None


def test_the_draft_is_invisible_to_visitors_until_published(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    visitor = Client()
    old_title = small_document.title
    form = admin_form(superuser_client, small_guide)
    form["title"] = "A brand new title"
    assert post(superuser_client, change_url(small_guide), form).status_code == 302

    page = visitor.get(small_guide.get_absolute_url()).content.decode()
    assert old_title in page
    assert "A brand new title" not in page

    assert (
        post(
            superuser_client, publish_url(small_guide), publish_form(superuser_client, small_guide)
        ).status_code
        == 302
    )
    page = visitor.get(small_guide.get_absolute_url()).content.decode()
    assert "A brand new title" in page
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == small_guide.version == 2


def test_publishing_is_refused_while_a_scenario_fails(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    scenario = small_document.scenarios[0]
    question = small_guide.questions.get(slug=next(iter(scenario.answers)))
    choice = question.choices.get(slug=scenario.answers[question.slug])
    loser = small_guide.outcomes.exclude(slug=scenario.outcome).first()
    # A heavy weight for another outcome on the scenario's own answer: it now fails.
    form = admin_form(superuser_client, question)
    prefix = inline_prefix(form, "choices")
    index = list(question.choices.order_by("order", "id")).index(choice)
    form[f"{prefix}-{index}-points_{loser.pk}"] = "99"
    assert post(superuser_client, change_url(question), form).status_code == 302
    checks = superuser_client.get(reverse("admin:guides_guide_checks", args=[small_guide.pk]))
    assert "Fail" in checks.content.decode()

    # No button offers it now; a hand-made POST of the current version is refused too.
    response = superuser_client.post(publish_url(small_guide), {"version": "2"}, follow=True)

    assert response.redirect_chain[-1][0] == checks_url(small_guide)
    assert "Not published: every scenario must give its expected outcome" in (
        response.content.decode()
    )
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 1
    assert small_guide.version == 2
    assert small_guide.published_document() == small_document


@pytest.mark.parametrize("where", PUBLISH_PAGES)
def test_publish_forms_carry_the_draft_version_they_show(
    superuser_client: Client, small_guide: Guide, where: str
) -> None:
    save_title(small_guide, "Seen by the editor")
    form = publish_form(superuser_client, small_guide, where)
    assert form["version"] == "2"
    assert form["from"] == where


@pytest.mark.parametrize("where", PUBLISH_PAGES)
def test_publishing_the_version_shown_publishes_it(
    editor_client: Client, small_guide: Guide, where: str
) -> None:
    save_title(small_guide, "Seen by the editor")
    form = publish_form(editor_client, small_guide, where)

    response = editor_client.post(publish_url(small_guide), form.data(), follow=True)

    assert response.redirect_chain[-1][0] == change_url(small_guide)
    assert "Published version 2: visitors see it now." in response.content.decode()
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 2
    assert "Seen by the editor" in Client().get(small_guide.get_absolute_url()).content.decode()


@pytest.mark.parametrize("where", PUBLISH_PAGES)
def test_a_publish_form_loaded_before_another_save_is_refused(
    editor_client: Client, small_guide: Guide, small_document, where: str
) -> None:
    save_title(small_guide, "Seen by the editor")
    form = publish_form(editor_client, small_guide, where)
    save_title(small_guide, "Saved by someone else since")  # passes every scenario

    response = editor_client.post(publish_url(small_guide), form.data(), follow=True)

    assert response.redirect_chain[-1][0] == PUBLISH_PAGES[where](small_guide)
    html = response.content.decode()
    assert (
        "Not published: this page showed version 2, but the draft moved on to version 3 "
        "since you loaded it. Review version 3 and publish again."
    ) in html
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 1
    assert small_guide.published_document() == small_document
    assert small_guide.versions.count() == 3  # nothing frozen for the refused publish
    # The page it went back to offers the new version, which publishes.
    assert "Publish version 3" in html
    form = publish_form(editor_client, small_guide, where)
    assert form["version"] == "3"
    assert post(editor_client, publish_url(small_guide), form).status_code == 302
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 3


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "is missing"),
        ({"version": ""}, "is missing"),
        ({"version": "  "}, "is missing"),
        ({"version": "two"}, "is not a version number"),
        ({"version": "2.0"}, "is not a version number"),
        ({"version": "-2"}, "is not a version number"),
        ({"version": "+2"}, "is not a version number"),
        ({"version": " 2"}, "is not a version number"),
        ({"version": "2_0"}, "is not a version number"),
        ({"version": "\u0662"}, "is not a version number"),  # Arabic-Indic two
        ({"version": "9" * 5000}, "is not a version number"),  # too long for int()
    ],
)
def test_publish_without_a_usable_version_is_refused(
    superuser_client: Client, small_guide: Guide, small_document, data: dict, problem: str
) -> None:
    save_title(small_guide, "Not reviewed")
    response = superuser_client.post(publish_url(small_guide), data)

    assert response.status_code == 302
    assert response["Location"] == change_url(small_guide)
    html = superuser_client.get(response["Location"]).content.decode()
    assert f"Not published: the version to publish {problem}." in html
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 1
    assert small_guide.published_document() == small_document


@pytest.mark.parametrize("back", ["", "history", "https://elsewhere.example/", "//elsewhere"])
def test_a_refused_publish_goes_back_to_guide_pages_only(
    superuser_client: Client, small_guide: Guide, back: str
) -> None:
    response = superuser_client.post(publish_url(small_guide), {"version": "x", "from": back})
    assert response.status_code == 302
    assert response["Location"] == change_url(small_guide)


def test_publishing_needs_the_permission(
    client: Client, small_guide: Guide, django_user_model
) -> None:
    user = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_guide"))
    client.force_login(user)
    url = reverse("admin:guides_guide_publish", args=[small_guide.pk])
    assert client.post(url).status_code == 403
    assert (
        client.get(reverse("admin:guides_guide_analytics", args=[small_guide.pk])).status_code
        == 403
    )


def test_publish_only_accepts_post(superuser_client: Client, small_guide: Guide) -> None:
    url = reverse("admin:guides_guide_publish", args=[small_guide.pk])
    assert superuser_client.get(url).status_code == 405


def test_unpublish_takes_the_guide_off_the_site(
    superuser_client: Client, small_guide: Guide
) -> None:
    url = reverse("admin:guides_guide_unpublish", args=[small_guide.pk])
    # The first step only asks: the guide stays on the site until confirmed.
    assert superuser_client.get(url).status_code == 200
    assert superuser_client.post(url).status_code == 200
    assert Client().get(small_guide.get_absolute_url()).status_code == 200
    assert superuser_client.post(url, {"confirm": "yes"}).status_code == 302
    assert Client().get(small_guide.get_absolute_url()).status_code == 404
    form = publish_form(superuser_client, small_guide)
    assert post(superuser_client, publish_url(small_guide), form).status_code == 302
    assert Client().get(small_guide.get_absolute_url()).status_code == 200


def test_the_change_page_shows_each_scenario_check(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    html = superuser_client.get(change_url(small_guide)).content.decode()
    for scenario in small_document.scenarios:
        assert scenario.slug in html
        assert scenario.outcome in html
    assert "Pass" in html
    assert "exhaustive search" in html


# --- History and revert ---------------------------------------------------------------------


def test_history_shows_who_changed_what_and_revert_restores_it(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    form = admin_form(superuser_client, small_guide)
    form["title"] = "Renamed in the admin"
    post(superuser_client, change_url(small_guide), form)

    history = superuser_client.get(reverse("admin:guides_guide_history", args=[small_guide.pk]))
    html = history.content.decode()
    assert "Version 2" in html and "by admin" in html
    assert f"-title: {small_document.title}" in html
    assert "+title: Renamed in the admin" in html

    url = reverse("admin:guides_guide_revert", args=[small_guide.pk, 1])
    restore = read_form(superuser_client, history.request["PATH_INFO"], "revert-1")
    assert superuser_client.post(url, restore.data()).status_code == 302

    small_guide.refresh_from_db()
    assert small_guide.version == 3
    assert build_document(small_guide) == small_document
    latest = small_guide.versions.get(version=3)
    assert latest.note == "Reverted to version 1"
    assert latest.created_by.username == "admin"
    # Nothing lost: version 2 is still there, and visitors still see version 1.
    assert small_guide.versions.get(version=2).as_document().title == "Renamed in the admin"
    assert small_guide.published_version.version == 1


def test_revert_only_accepts_post(superuser_client: Client, small_guide: Guide) -> None:
    url = reverse("admin:guides_guide_revert", args=[small_guide.pk, 1])
    assert superuser_client.get(url).status_code == 405


def test_unknown_version_is_a_404(superuser_client: Client, small_guide: Guide) -> None:
    url = reverse("admin:guides_guide_version", args=[small_guide.pk, 99])
    assert superuser_client.get(url).status_code == 404


# --- Import and export -----------------------------------------------------------------------


def test_export_downloads_the_draft_and_any_version(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    url = reverse("admin:guides_guide_export", args=[small_guide.pk])
    response = superuser_client.get(url)
    assert response["Content-Disposition"] == f'attachment; filename="{small_guide.slug}.yaml"'
    assert yaml.safe_load(response.content) == small_document.to_data()
    old = superuser_client.get(url + "?version=1")
    assert yaml.safe_load(old.content) == small_document.to_data()


def test_import_creates_a_draft_guide(superuser_client: Client, small_document) -> None:
    text = yaml.safe_dump({**small_document.to_data(), "slug": "imported"})
    response = upload(superuser_client, text)
    assert response.status_code == 200
    guide = Guide.objects.get(slug="imported")
    assert build_document(guide) == small_document.model_copy(
        update={"slug": "imported", "published": False}
    )
    assert guide.published_version is None
    assert guide.versions.get().created_by.username == "admin"


def test_import_can_publish(superuser_client: Client, small_document) -> None:
    upload(superuser_client, yaml.safe_dump(small_document.to_data()), publish=True)
    guide = Guide.objects.get(slug=small_document.slug)
    assert Guide.objects.published().filter(pk=guide.pk).exists()
    assert guide.published_document() == small_document


def test_import_of_an_existing_guide_updates_its_draft(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    text = yaml.safe_dump({**small_document.to_data(), "title": "Imported title"})
    upload(superuser_client, text)
    small_guide.refresh_from_db()
    assert small_guide.title == "Imported title"
    assert small_guide.version == 2
    assert small_guide.published_document() == small_document  # visitors: still version 1


def test_import_errors_are_all_listed_and_nothing_changes(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    data = small_document.to_data()
    data["title"] = "Must not be saved"
    data["default_outcome"] = "nope"
    data["scenarios"][0]["outcome"] = "nowhere"
    before = state(small_guide)

    response = upload(superuser_client, yaml.safe_dump(data))

    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "default_outcome: unknown outcome" in html
    assert "scenarios[0].outcome: unknown outcome" in html
    assert state(small_guide) == before


def test_import_of_broken_yaml_is_reported(superuser_client: Client, small_guide: Guide) -> None:
    before = state(small_guide)
    response = upload(superuser_client, "slug: x\n  title: [broken\n")
    assert "invalid YAML" in response.content.decode()
    assert state(small_guide) == before


def test_import_with_publish_is_all_or_nothing(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    data = small_document.to_data()
    scenario = data["scenarios"][0]
    other = next(o["slug"] for o in data["outcomes"] if o["slug"] != scenario["outcome"])
    data["scenarios"][0]["outcome"] = other  # the scenario now fails its check
    before = state(small_guide)
    response = upload(superuser_client, yaml.safe_dump(data), publish=True)
    assert "Not imported" in response.content.decode()
    assert state(small_guide) == before


# --- Markdown preview and the draft result checker ---------------------------------------------


def test_markdown_preview_renders_sanitized_html(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    page = small_document.linked_pages[0]
    text = f"**Bold** and [a page](page:{page.slug}) <script>alert(1)</script>"
    response = superuser_client.post(
        reverse("admin:guides_guide_markdown_preview"), {"text": text, "guide": small_guide.pk}
    )
    html = response.content.decode()
    assert "<strong>Bold</strong>" in html
    assert "<script" not in html
    assert page.url or f"/pages/{page.slug}/" in html


def test_markdown_text_areas_offer_a_preview(superuser_client: Client, small_guide: Guide) -> None:
    html = superuser_client.get(change_url(small_guide)).content.decode()
    preview = reverse("admin:guides_guide_markdown_preview")
    assert re.search(rf'<textarea[^>]*name="intro"[^>]*data-markdown-preview="{preview}"', html)
    assert "guide-admin.js" in html


def test_try_the_draft_shows_the_engines_answer(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    scenario = small_document.scenarios[0]
    url = reverse("admin:guides_guide_try", args=[small_guide.pk])
    response = superuser_client.get(url, {**scenario.answers, "run": "1"})
    html = response.content.decode()
    assert f"<code>{scenario.outcome}</code>" in html


def test_publish_of_the_same_content_keeps_the_version(small_guide: Guide) -> None:
    version = publish(small_guide)
    assert version.version == 1
    assert GuideVersion.objects.filter(guide=small_guide).count() == 1


# --- Password guessing ------------------------------------------------------------------------


def test_five_bad_logins_lock_the_account_out(client: Client, django_user_model, settings) -> None:
    password = "the right passphrase 123"
    django_user_model.objects.create_user("target", password=password, is_staff=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(url, {"username": "target", "password": "wrong"})
        assert "_auth_user_id" not in client.session
    response = client.post(url, {"username": "target", "password": password})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302  # still signed out


def test_a_good_login_works(client: Client, django_user_model) -> None:
    django_user_model.objects.create_user("ok", password="the right passphrase 123", is_staff=True)
    response = client.post(
        reverse("admin:login"), {"username": "ok", "password": "the right passphrase 123"}
    )
    assert response.status_code == 302
    assert User.objects.get(username="ok").pk == int(client.session["_auth_user_id"])


# --- Adding and deleting parts -------------------------------------------------------------


def test_adding_a_question_with_choices_and_points(
    superuser_client: Client, small_guide: Guide
) -> None:
    outcome = small_guide.outcomes.first()
    form = add_form(superuser_client, Question, small_guide)
    form["slug"] = "budget"
    form["prompt"] = "What can you spend each month?"
    form["short"] = "Budget"
    form["order"] = "99"
    prefix = inline_prefix(form, "choices")
    assert int(form[f"{prefix}-TOTAL_FORMS"]) == 2  # a question needs two answers
    for index, slug in enumerate(["little", "plenty"]):
        form[f"{prefix}-{index}-slug"] = slug
        form[f"{prefix}-{index}-label"] = slug.title()
        form[f"{prefix}-{index}-order"] = str(index)
    form[f"{prefix}-1-points_{outcome.pk}"] = "2"

    response = post(superuser_client, reverse("admin:guides_question_add"), form)

    assert response.status_code == 302, errors_of(response)
    question = build_document(small_guide).question("budget")
    assert [c.slug for c in question.choices] == ["little", "plenty"]
    assert question.choices[1].points == {outcome.slug: 2}
    small_guide.refresh_from_db()
    assert small_guide.version == 2


def test_save_and_add_another_stays_on_the_same_guide(
    superuser_client: Client, small_guide: Guide, seed_guide: Guide
) -> None:
    form = add_form(superuser_client, Note, small_guide)
    form["slug"] = "another-note"
    form["title"] = "Another note"
    form["text"] = "Text."
    prefix = inline_prefix(form, "clauses")
    question = small_guide.questions.first()
    add_inline_row(
        form, prefix, {"question": str(question.pk), "answers": [str(question.choices.first().pk)]}
    )
    form["_addanother"] = "1"
    response = post(superuser_client, reverse("admin:guides_note_add"), form)
    assert response.status_code == 302, errors_of(response)
    assert response["Location"].endswith(f"guide={small_guide.pk}")


def test_deleting_a_part_records_a_version(superuser_client: Client, small_guide: Guide) -> None:
    item = small_guide.items.first()
    url = reverse("admin:guides_guideitem_delete", args=[item.pk])
    response = superuser_client.post(url, read_form(superuser_client, url, "delete-form").data())
    assert response.status_code == 302
    small_guide.refresh_from_db()
    assert small_guide.version == 2
    latest = small_guide.versions.get(version=2)
    assert latest.note.startswith("Deleted guide item")
    assert item.text not in build_document(small_guide).to_data().get(item.kind + "s", [])


def test_markdown_preview_works_before_the_guide_exists(superuser_client: Client) -> None:
    response = superuser_client.post(
        reverse("admin:guides_guide_markdown_preview"), {"text": "# Title\n\n*hi* [x](page:y)"}
    )
    html = response.content.decode()
    assert "<em>hi</em>" in html
    assert "<h3>Title</h3>" in html  # headings shifted as on the guide page
    assert "page:y" not in html  # an unknown page link keeps only its words
