"""Starting a guide and searching it (issue 25, items 5 and 6): copy a guide, start one from
the built-in template, search every text of a draft."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.decision.engine import evaluate
from tests.admin_forms import read_form
from tests.answers import complete
from tests.questionnaire_pages import read, see_result, walk

pytestmark = pytest.mark.django_db


def copy_url(guide: Guide) -> str:
    return reverse("admin:guides_guide_copy", args=[guide.pk])


def search(client: Client, guide: Guide, words: str):
    return client.get(reverse("admin:guides_guide_search", args=[guide.pk]), {"q": words})


def test_a_copy_holds_every_part_of_the_draft_under_a_new_slug_and_title(
    editor_client: Client, seed_guide: Guide
) -> None:
    change = reverse("admin:guides_guide_change", args=[seed_guide.pk])
    assert copy_url(seed_guide) in editor_client.get(change).content.decode()

    response = editor_client.post(copy_url(seed_guide))

    copy = Guide.objects.get(slug=f"{seed_guide.slug}-copy")
    assert response["Location"] == reverse("admin:guides_guide_change", args=[copy.pk])
    assert copy.title == f"{seed_guide.title} (copy)"
    assert not copy.is_published and copy.published_version_id is None
    original = seed_guide.draft_document().to_data()
    copied = copy.draft_document().to_data()
    assert copied["slug"] == copy.slug and copied["title"] == copy.title
    strip = ("slug", "title", "published")
    assert {k: v for k, v in copied.items() if k not in strip} == {
        k: v for k, v in original.items() if k not in strip
    }
    # A second copy gets a slug of its own; the dashboard tells them apart by slug.
    editor_client.post(copy_url(seed_guide))
    assert Guide.objects.filter(slug=f"{seed_guide.slug}-copy-2").exists()
    dashboard = editor_client.get(reverse("admin:index")).content.decode()
    for slug in (seed_guide.slug, f"{seed_guide.slug}-copy", f"{seed_guide.slug}-copy-2"):
        assert f"({slug})" in dashboard
    # The original is untouched.
    seed_guide.refresh_from_db()
    assert seed_guide.draft_document().to_data()["slug"] == seed_guide.slug


def test_copying_takes_a_post_and_the_right_to_add(
    editor_client: Client, small_guide: Guide, django_user_model
) -> None:
    assert editor_client.get(copy_url(small_guide)).status_code == 405
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    client = Client()
    client.force_login(viewer)
    assert client.post(copy_url(small_guide)).status_code in (403, 404)
    assert Guide.objects.count() == 1


def test_a_guide_from_the_template_can_be_published_and_taken_to_a_result(
    editor_client: Client,
) -> None:
    dashboard = editor_client.get(reverse("admin:index")).content.decode()
    start = reverse("admin:guides_guide_from_template")
    assert start in dashboard
    assert start in editor_client.get(reverse("admin:guides_guide_add")).content.decode()

    response = editor_client.post(start)

    guide = Guide.objects.get()
    assert response["Location"] == reverse("admin:guides_guide_change", args=[guide.pk])
    doc = guide.draft_document()
    assert (len(doc.outcomes), len(doc.questions), len(doc.scenarios)) == (2, 3, 1)
    assert not guide.is_published
    # A second start makes a second guide, not a change to the first.
    editor_client.post(start)
    assert Guide.objects.filter(slug=f"{guide.slug}-2").exists()

    form = read_form(
        editor_client, reverse("admin:guides_guide_change", args=[guide.pk]), "publish_form"
    )
    published = editor_client.post(
        reverse("admin:guides_guide_publish", args=[guide.pk]), form.data(), follow=True
    )
    assert "Published version" in published.content.decode()

    visitor = Client()
    doc = Guide.objects.get(pk=guide.pk).published_document()
    check, asked = walk(visitor, doc, {}, "", htmx=False)
    assert asked == list(complete(doc, {}))
    result = see_result(visitor, read(check).form("result-form"))
    outcome = doc.outcome(evaluate(doc, complete(doc, {})).outcome)
    assert outcome.name in read(result).h1


def test_search_finds_kickoff_across_the_seed_guide_with_links(
    editor_client: Client, seed_guide: Guide
) -> None:
    change = reverse("admin:guides_guide_change", args=[seed_guide.pk])
    search_url = reverse("admin:guides_guide_search", args=[seed_guide.pk])
    assert search_url in editor_client.get(change).content.decode()

    html = search(editor_client, seed_guide, "KICKOFF").content.decode()

    assert "<mark>kickoff</mark>" in html  # case-insensitive, the text's own case marked
    question = seed_guide.questions.get(slug="revenue_loss")
    assert reverse("admin:guides_question_change", args=[question.pk]) in html
    assert "Question: " in html and "Choice: " in html
    assert "Nothing in the draft" not in html


def test_search_escapes_the_texts_and_the_query(editor_client: Client, small_guide: Guide) -> None:
    note = small_guide.notes.get()
    note.text = "Keep <script>alert(1)</script> contracts"
    note.save()

    html = search(editor_client, small_guide, "<script>").content.decode()

    assert "<script>alert" not in html
    assert "<mark>&lt;script&gt;</mark>alert(1)" in html
    assert reverse("admin:guides_note_change", args=[note.pk]) in html
    nothing = search(editor_client, small_guide, "no such words\x00").content.decode()
    assert "Nothing in the draft" in nothing


def test_search_needs_a_login_and_a_get(editor_client: Client, small_guide: Guide) -> None:
    url = reverse("admin:guides_guide_search", args=[small_guide.pk])
    assert Client().get(url, {"q": "shoot"}).status_code == 302  # to the login page
    assert editor_client.post(url, {"q": "shoot"}).status_code == 405
    missing = reverse("admin:guides_guide_search", args=["nope"])
    assert editor_client.get(missing, {"q": "shoot"}).status_code in (302, 404)
