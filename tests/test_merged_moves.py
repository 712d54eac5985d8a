"""Rows dragged in a list shown before someone else's save: merged like any other save.

The list page carries the draft version it showed (in the URL sortable2's
script posts to). Another editor's changes to other fields or other lists
are kept and named; a drag is refused only when they changed the order of
the same list since (`publishing.merging`, `editor.admin_ordering`).
"""

from __future__ import annotations

import re

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide, GuideItem, LinkedPage, Question
from decisionguide.publishing.drafts import record_edit
from tests.admin_forms import drag, save_fields, state, update_url

pytestmark = pytest.mark.django_db

EDGE_CASE = GuideItem.Kind.EDGE_CASE
MISSTEP = GuideItem.Kind.MISSTEP


def question_slugs(guide: Guide) -> list[str]:
    return list(guide.questions.order_by("order", "id").values_list("slug", flat=True))


def item_texts(guide: Guide, kind: str) -> list[str]:
    rows = GuideItem.objects.filter(guide=guide, kind=kind).order_by("order", "id")
    return list(rows.values_list("text", flat=True))


def swap_first_two(client: Client, url: str, rows: list) -> object:
    """Drag the second row above the first, as sortable2 posts it (places as the list showed)."""
    first, second = rows[:2]
    return drag(client, url, [[second.pk, first.order], [first.pk, second.order]])


def list_page(client: Client, guide: Guide) -> str:
    url = reverse("admin:guides_question_changelist") + f"?guide__id__exact={guide.pk}"
    return client.get(url).content.decode()


def test_a_drag_on_a_list_shown_before_another_edit_keeps_both(
    superuser_client: Client, second_client: Client, seed_guide: Guide
) -> None:
    questions = list(seed_guide.questions.order_by("order", "id"))
    slugs = question_slugs(seed_guide)
    url = update_url(superuser_client, seed_guide)  # my list, at the current draft
    edited = questions[3]
    save_fields(second_client, edited, prompt="Their reworded prompt?")
    versions = seed_guide.versions.count()

    response = swap_first_two(superuser_client, url, questions)

    assert response.status_code == 200, response.content
    assert question_slugs(seed_guide) == [slugs[1], slugs[0], *slugs[2:]]
    assert Question.objects.get(pk=edited.pk).prompt == "Their reworded prompt?"
    seed_guide.refresh_from_db()
    assert seed_guide.versions.count() == versions + 1
    draft = seed_guide.draft_document()
    assert [q.slug for q in draft.questions] == [slugs[1], slugs[0], *slugs[2:]]
    assert draft.questions[3].prompt == "Their reworded prompt?"
    # Said in the answer and on the reloaded list, in the words other merged saves use.
    merged = response.json()["merged"]
    assert merged.startswith("Merged with version") and "by second" in merged
    assert f"the prompt of question “{edited.short}”" in merged
    page = list_page(superuser_client, seed_guide)
    assert "Merged with version" in page and "Reordered questions" in page


def test_a_drag_of_one_list_merges_with_another_list_reordered(
    superuser_client: Client, second_client: Client, seed_guide: Guide
) -> None:
    edge_cases = list(GuideItem.objects.filter(guide=seed_guide, kind=EDGE_CASE).order_by("order"))
    missteps = list(GuideItem.objects.filter(guide=seed_guide, kind=MISSTEP).order_by("order"))
    assert len(edge_cases) >= 2 and len(missteps) >= 2
    mine = update_url(superuser_client, seed_guide, GuideItem, kind=EDGE_CASE)
    theirs = update_url(second_client, seed_guide, GuideItem, kind=MISSTEP)
    their_order = [missteps[1].text, missteps[0].text, *[m.text for m in missteps[2:]]]
    assert swap_first_two(second_client, theirs, missteps).status_code == 200

    response = swap_first_two(superuser_client, mine, edge_cases)

    assert response.status_code == 200, response.content
    assert item_texts(seed_guide, MISSTEP) == their_order
    assert item_texts(seed_guide, EDGE_CASE)[:2] == [edge_cases[1].text, edge_cases[0].text]
    assert "the missteps of the guide" in response.json()["merged"]


def test_a_drag_merges_with_a_part_added_at_the_top_of_the_same_list(
    superuser_client: Client, second_client: Client, seed_guide: Guide, django_user_model
) -> None:
    pages = list(seed_guide.linked_pages.order_by("order", "id"))
    url = update_url(superuser_client, seed_guide, LinkedPage)
    # Someone else adds a page first: every place the list showed is one lower now.
    LinkedPage.objects.filter(guide=seed_guide).update(order=F("order") + 1)
    LinkedPage.objects.create(
        guide=seed_guide, slug="added-first", title="Added", summary="S.", when="W.", order=0
    )
    record_edit(seed_guide, user=django_user_model.objects.get(username="second"))

    response = swap_first_two(superuser_client, url, pages)

    assert response.status_code == 200, response.content
    slugs = list(seed_guide.linked_pages.order_by("order", "id").values_list("slug", flat=True))
    assert slugs == ["added-first", pages[1].slug, pages[0].slug, *[p.slug for p in pages[2:]]]
    assert "Merged with version" in response.json()["merged"]


def test_a_drag_after_someone_reordered_the_same_list_is_refused(
    superuser_client: Client, second_client: Client, seed_guide: Guide
) -> None:
    questions = list(seed_guide.questions.order_by("order", "id"))
    mine = update_url(superuser_client, seed_guide)
    theirs = update_url(second_client, seed_guide)
    third = questions[2]
    # They move the third question to the top; I swap the first two on my older list.
    moved = [[third.pk, 0], [questions[0].pk, 1], [questions[1].pk, 2]]
    assert drag(second_client, theirs, moved).status_code == 200
    before = state(seed_guide)

    response = swap_first_two(superuser_client, mine, questions)

    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert text.startswith("Not saved: someone else changed the order of this list")
    assert "Order of questions of the guide, changed in version" in text
    assert "by second" in text and "Reload the list" in text
    assert not any(re.search(rf"\b{re.escape(q.slug)}\b", text) for q in questions[:3])
    assert state(seed_guide) == before  # nothing written, no version recorded


def test_a_stale_list_refuses_an_edge_case_order_someone_else_changed(
    superuser_client: Client, second_client: Client, seed_guide: Guide
) -> None:
    items = list(GuideItem.objects.filter(guide=seed_guide, kind=EDGE_CASE).order_by("order"))
    mine = update_url(superuser_client, seed_guide, GuideItem, kind=EDGE_CASE)
    theirs = update_url(second_client, seed_guide, GuideItem, kind=EDGE_CASE)
    last = items[-1]
    shifted = [[last.pk, 0], *[[i.pk, i.order + 1] for i in items[:-1]]]
    assert drag(second_client, theirs, shifted).status_code == 200
    before = state(seed_guide)

    response = swap_first_two(superuser_client, mine, items)

    assert response.status_code == 409
    assert "Edge cases of the guide, changed in version" in response.content.decode()
    assert state(seed_guide) == before


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"null",
        b'{"updatedItems": [[1, 0], [1, 1]]}',
        b'{"updatedItems": [[1.5, 0]]}',
        b'{"updatedItems": [[99999999999999999999, 0]]}',
        b'{"updatedItems": [[1, 2, 3]]}',
        b'{"updatedItems": {"1": 0}}',
        b'{"updatedItems": [[1, 0]]' + b" " * 70000 + b"}",
    ],
)
def test_a_crafted_body_on_a_stale_list_is_refused_with_a_message(
    superuser_client: Client, second_client: Client, seed_guide: Guide, body: bytes
) -> None:
    url = update_url(superuser_client, seed_guide)
    save_fields(second_client, seed_guide.questions.first(), prompt="In between?")
    before = state(seed_guide)

    response = superuser_client.post(url, body, content_type="application/json")

    assert response.status_code == 400
    assert response.content.decode().strip()
    assert state(seed_guide) == before


def test_two_rows_given_one_place_on_a_stale_list_are_refused(
    superuser_client: Client, second_client: Client, seed_guide: Guide
) -> None:
    first, second = seed_guide.questions.order_by("order", "id")[:2]
    url = update_url(superuser_client, seed_guide)
    save_fields(second_client, second, prompt="In between?")
    before = state(seed_guide)

    response = drag(superuser_client, url, [[first.pk, 0], [second.pk, 0]])

    assert response.status_code == 400
    assert "share a place" in response.content.decode()
    assert state(seed_guide) == before


@pytest.mark.parametrize("version", ["0", "999999", "99999999999999999999"])
def test_a_crafted_version_is_refused_with_a_message(
    superuser_client: Client, seed_guide: Guide, version: str
) -> None:
    first, second = seed_guide.questions.order_by("order", "id")[:2]
    url = reverse("admin:guides_question_reorder", args=[seed_guide.pk, int(version)])
    before = state(seed_guide)

    response = drag(superuser_client, url, [[second.pk, 0], [first.pk, 1]])

    assert response.status_code == 400
    assert "Not a draft version of this guide" in response.content.decode()
    assert state(seed_guide) == before


def test_a_crafted_guide_in_the_url_is_refused_with_a_message(
    superuser_client: Client, seed_guide: Guide
) -> None:
    url = reverse("admin:guides_question_reorder", args=[10**20, seed_guide.version])
    response = drag(superuser_client, url, [[seed_guide.questions.first().pk, 0]])
    assert response.status_code == 400
    assert "Filter the list to one guide" in response.content.decode()
