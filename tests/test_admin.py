"""The editor admin: every page loads, edits are checked as a whole guide, one version per save.

Forms are submitted the way a browser would: the rendered form is read back
(every input, select and text area with its current value), a few values are
changed, and the whole form is posted.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from decisionguide.content.models import (
    Choice,
    ChoicePoints,
    Clause,
    Gate,
    Guide,
    GuideVersion,
    Note,
    Outcome,
    Rating,
    Scenario,
    ScenarioAnswer,
)
from decisionguide.content.rows import build_document
from tests.admin_forms import (
    Form,
    add_form,
    add_inline_row,
    add_show_clause,
    admin_form,
    change_url,
    errors_of,
    inline_prefix,
    post,
    read_form,
    state,
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
    "page_name", ["ratings", "checks", "logic", "history", "export", "try", "analytics", "change"]
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
    ours, theirs = seed_guide.questions.first(), small_guide.questions.first()
    assert escape(f"{ours.short} ({ours.slug})") in html
    assert escape(f"{theirs.short} ({theirs.slug})") not in html


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
    add_show_clause(form, later)
    refused(superuser_client, change_url(question), form, small_guide, "later question")


def test_a_condition_cycle_is_refused(superuser_client: Client, small_guide: Guide) -> None:
    """Question 2 already looks at question 1; making 1 look at 2 as well is refused."""
    clause = Clause.objects.filter(shown__guide=small_guide).first()
    looked_at, shown = clause.question, clause.owner
    form = admin_form(superuser_client, looked_at)
    add_show_clause(form, shown)
    refused(superuser_client, change_url(looked_at), form, small_guide, "later question")


def test_a_question_can_not_look_at_itself(superuser_client: Client, small_guide: Guide) -> None:
    question = small_guide.questions.order_by("-order").first()
    form = admin_form(superuser_client, question)
    add_show_clause(form, question, group="any")
    refused(superuser_client, change_url(question), form, small_guide, "its own answer")


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
    from decisionguide.decision.parsing import parse_document
    from decisionguide.guidefiles.loading import apply_document

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

    confirm = read_form(superuser_client, url, "delete-form")
    response = superuser_client.post(url, confirm.data(), follow=True)

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
