"""Order of a guide's parts: dragged in lists (django-admin-sortable2's endpoint) and
inlines (their place fields), typed on a part's page, and never two rows at one place."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Choice, Guide, GuideItem, Question
from decisionguide.content.ordering import SIBLINGS, in_place_order, renumber_guide, sibling_key
from decisionguide.content.rows import GuideRows, build_document
from decisionguide.decision.document import GuideDocument
from decisionguide.guidefiles.loading import load_guide_file
from decisionguide.publishing.drafts import publish, record_edit
from tests.admin_forms import (
    add_form,
    admin_form,
    change_url,
    drag,
    errors_of,
    post,
    save_fields,
    state,
    update_url,
)


def question_slugs(guide: Guide) -> list[str]:
    return list(guide.questions.order_by("order", "id").values_list("slug", flat=True))


def places(model, **siblings) -> list[int]:
    rows = model.objects.filter(**siblings).order_by("order", "id")
    return list(rows.values_list("order", flat=True))


def every_group_numbered(guide: Guide) -> bool:
    """Every group of siblings of the guide holds places 0, 1, 2, ... exactly."""
    groups: dict[tuple, list] = {}
    for row in GuideRows(guide).every_row():
        if type(row) in SIBLINGS:
            groups.setdefault(sibling_key(row), []).append(row)
    return all(
        [row.order for row in in_place_order(rows)] == list(range(len(rows)))
        for rows in groups.values()
    )


# ---------------------------------------------------------------------------
# Lists


def test_dragging_the_question_list_changes_what_visitors_are_asked_first(
    superuser_client: Client, seed_guide: Guide
) -> None:
    first, second = seed_guide.questions.order_by("order")[:2]
    url = update_url(superuser_client, seed_guide)
    version = seed_guide.version

    # sortable2 posts the places of the rows between where the row was and where it went.
    response = drag(superuser_client, url, [[second.pk, 0], [first.pk, 1]])

    assert response.status_code == 200, response.content
    seed_guide.refresh_from_db()
    assert seed_guide.version == version + 1
    assert question_slugs(seed_guide)[:2] == [second.slug, first.slug]
    assert places(Question, guide=seed_guide) == list(range(seed_guide.questions.count()))
    assert [q.slug for q in seed_guide.draft_document().questions[:2]] == [second.slug, first.slug]
    publish(seed_guide)
    start = Client().get(reverse("questionnaire-start", args=[seed_guide.slug]), follow=True)
    assert start.status_code == 200
    assert start.request["PATH_INFO"].endswith(f"/questions/{second.slug}/")
    assert second.prompt in start.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"updatedItems": "everything"}',
        b'{"updatedItems": [[1, -1]]}',
        b'{"updatedItems": [["1 OR 1=1", 0]]}',
        b'{"updatedItems": []}',
    ],
)
def test_a_crafted_drag_changes_nothing(
    superuser_client: Client, seed_guide: Guide, body: bytes
) -> None:
    url = update_url(superuser_client, seed_guide)
    before = state(seed_guide)
    response = superuser_client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert state(seed_guide) == before


def test_a_drag_can_move_only_rows_of_its_list_and_never_onto_a_taken_place(
    superuser_client: Client, seed_guide: Guide, small_guide: Guide
) -> None:
    first, second = seed_guide.questions.order_by("order")[:2]
    url = update_url(superuser_client, seed_guide)
    before = state(seed_guide), state(small_guide)
    elsewhere = small_guide.questions.first()

    other_guide = drag(superuser_client, url, [[elsewhere.pk, 0]])
    tie = drag(superuser_client, url, [[second.pk, first.order]])

    assert other_guide.status_code == 400 and tie.status_code == 400
    assert "share a place" in tie.content.decode()
    assert (state(seed_guide), state(small_guide)) == before


def test_a_list_of_several_guides_has_no_drag_handles(
    superuser_client: Client, seed_guide: Guide, small_guide: Guide
) -> None:
    html = superuser_client.get(reverse("admin:guides_question_changelist")).content.decode()
    assert 'class="drag handle"' not in html


def test_the_drag_endpoint_checks_the_csrf_token(seed_guide: Guide, django_user_model) -> None:
    user = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = update_url(client, seed_guide)
    first, second = seed_guide.questions.order_by("order")[:2]
    before = state(seed_guide)
    assert drag(client, url, [[second.pk, 0], [first.pk, 1]]).status_code == 403
    assert state(seed_guide) == before


# ---------------------------------------------------------------------------
# A part's own page: the place typed


def test_a_typed_place_puts_the_part_exactly_there(
    superuser_client: Client, seed_guide: Guide
) -> None:
    slugs = question_slugs(seed_guide)
    moved = seed_guide.questions.get(slug=slugs[5])  # shown whatever the answers

    response = save_fields(superuser_client, moved, order="1")

    assert response.status_code == 302, errors_of(response)
    assert question_slugs(seed_guide) == [slugs[0], slugs[5], *slugs[1:5], *slugs[6:]]
    assert places(Question, guide=seed_guide) == list(range(len(slugs)))


def test_a_new_part_with_no_place_goes_last(superuser_client: Client, seed_guide: Guide) -> None:
    kind = GuideItem.Kind.MISSTEP
    form = add_form(superuser_client, GuideItem, seed_guide)
    assert form["order"] == ""
    form["kind"], form["text"] = kind, "A misstep added last."
    response = post(superuser_client, reverse("admin:guides_guideitem_add"), form)
    assert response.status_code == 302, errors_of(response)
    items = list(GuideItem.objects.filter(guide=seed_guide, kind=kind).order_by("order", "id"))
    assert items[-1].text == "A misstep added last."
    assert [item.order for item in items] == list(range(len(items)))


# ---------------------------------------------------------------------------
# Inlines: the hidden place fields the page's script numbers 1, 2, 3, ...


def choice_slugs(question: Question) -> list[str]:
    return list(question.choices.order_by("order", "id").values_list("slug", flat=True))


def test_choices_moved_on_the_question_page_are_saved_in_their_new_order(
    superuser_client: Client, seed_guide: Guide
) -> None:
    question = seed_guide.questions.order_by("order").first()
    slugs = choice_slugs(question)
    form = admin_form(superuser_client, question)
    # What the page posts once the choices are dragged (or moved) into reverse order.
    numbered = list(range(len(slugs), 0, -1))  # last first
    for index, place in enumerate(numbered):
        form[f"choices-{index}-order"] = str(place)

    response = post(superuser_client, change_url(question), form)

    assert response.status_code == 302, errors_of(response)
    assert choice_slugs(question) == slugs[::-1]
    assert places(Choice, question=question) == list(range(len(slugs)))
    seed_guide.refresh_from_db()
    shown = seed_guide.draft_document().question(question.slug)
    assert [c.slug for c in shown.choices] == slugs[::-1]


def test_two_choices_posted_at_one_place_are_refused(
    superuser_client: Client, seed_guide: Guide
) -> None:
    question = seed_guide.questions.order_by("order").first()
    form = admin_form(superuser_client, question)
    form["choices-0-order"] = form["choices-1-order"] = "1"
    before = state(seed_guide)

    response = post(superuser_client, change_url(question), form)

    assert response.status_code == 200
    assert "were both given place 1" in errors_of(response)
    assert state(seed_guide) == before


def test_inline_pages_offer_move_buttons_for_every_saved_row(
    superuser_client: Client, seed_guide: Guide
) -> None:
    question = seed_guide.questions.order_by("order").first()
    html = superuser_client.get(change_url(question)).content.decode()
    assert html.count('data-move="up"') == question.choices.count()
    assert html.count('data-move="down"') == question.choices.count()
    group = html[html.index('id="choices-group"') :]
    fieldset_classes = re.search(r'<fieldset class="([^"]*)"', group).group(1).split()
    assert "sortable" in fieldset_classes  # what sortable2's script makes draggable


# ---------------------------------------------------------------------------
# Ties left from before: renumbered without changing a guide


def test_renumbering_closes_ties_and_gaps_and_keeps_the_document(seed_guide: Guide) -> None:
    questions = list(seed_guide.questions.order_by("order", "id"))
    first, rest = questions[:3], questions[3:]
    Question.objects.filter(pk__in=[q.pk for q in first]).update(order=40)
    Question.objects.filter(pk__in=[q.pk for q in rest]).update(order=7)
    assert not every_group_numbered(seed_guide)
    document = build_document(seed_guide)  # ties broken by id, as documents break them

    assert renumber_guide(seed_guide) > 0

    assert every_group_numbered(seed_guide)
    by_id = sorted(rest, key=lambda q: q.pk) + sorted(first, key=lambda q: q.pk)
    assert question_slugs(seed_guide) == [q.slug for q in by_id]
    assert build_document(seed_guide) == document
    assert renumber_guide(seed_guide) == 0  # nothing left to move


def test_every_save_leaves_each_group_numbered(superuser_client: Client, seed_guide: Guide) -> None:
    Choice.objects.filter(question__guide=seed_guide).update(order=3)  # ties, written by hand
    record_edit(seed_guide)
    assert every_group_numbered(seed_guide)


MIGRATION_BEFORE = [("guides", "0015_alter_guideitem_options")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_tied_rows_places_of_their_own(seed_file) -> None:
    guide = load_guide_file(seed_file).guide
    document = build_document(guide)
    executor = MigrationExecutor(connection)
    executor.migrate(MIGRATION_BEFORE)
    old = executor.loader.project_state(MIGRATION_BEFORE).apps
    OldChoice = old.get_model("guides", "Choice")
    OldItem = old.get_model("guides", "GuideItem")
    OldChoice.objects.filter(question__guide_id=guide.pk).update(order=1)
    OldItem.objects.filter(guide_id=guide.pk).update(order=5)
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert every_group_numbered(guide)
    # Ties broken the way documents broke them, by id: every guide reads as before.
    for question in guide.questions.all():
        ids = list(question.choices.order_by("order").values_list("id", flat=True))
        assert ids == sorted(ids)
    # ...but for what migrating back to 0015 can't keep: claims, tie-breaks, check fields.
    assert without_claims(build_document(guide)) == without_claims(document)


def without_claims(doc: GuideDocument) -> dict:
    data = doc.to_data()
    data.pop("tie_breaks", None)
    data["failure_checks"] = [c.text for c in doc.failure_checks]
    for part in (*data.get("notes", ()), *data.get("gates", ())):
        for key in ("asserts", "counted"):
            part.pop(key, None)
    for gate in data.get("gates", ()):
        gate.pop("argues_for", None)
        gate.pop("argues_against", None)
    return data
