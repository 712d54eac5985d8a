"""The editor admin: history and revert, import and export, Markdown preview, logins, adding parts.

Forms are submitted the way a browser would (tests/admin_forms.py).
"""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide, GuideVersion, Note, Question
from decisionguide.content.rows import build_document
from decisionguide.publishing.drafts import publish
from tests import admin_forms

pytestmark = pytest.mark.django_db


# --- History and revert ---------------------------------------------------------------------


def test_history_shows_who_changed_what_and_revert_restores_it(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    form = admin_forms.admin_form(superuser_client, small_guide)
    form["title"] = "Renamed in the admin"
    admin_forms.post(superuser_client, admin_forms.change_url(small_guide), form)

    history = superuser_client.get(reverse("admin:guides_guide_history", args=[small_guide.pk]))
    html = history.content.decode()
    assert "Version 2" in html and "by admin" in html
    assert f"-title: {small_document.title}" in html
    assert "+title: Renamed in the admin" in html

    url = reverse("admin:guides_guide_revert", args=[small_guide.pk, 1])
    restore = admin_forms.read_form(superuser_client, history.request["PATH_INFO"], "revert-1")
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
    response = admin_forms.upload(superuser_client, text)
    assert response.status_code == 200
    guide = Guide.objects.get(slug="imported")
    assert build_document(guide) == small_document.model_copy(
        update={"slug": "imported", "published": False}
    )
    assert guide.published_version is None
    assert guide.versions.get().created_by.username == "admin"


def test_import_can_publish(superuser_client: Client, small_document) -> None:
    admin_forms.upload(superuser_client, yaml.safe_dump(small_document.to_data()), publish=True)
    guide = Guide.objects.get(slug=small_document.slug)
    assert Guide.objects.published().filter(pk=guide.pk).exists()
    assert guide.published_document() == small_document


def test_import_of_an_existing_guide_updates_its_draft(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    text = yaml.safe_dump({**small_document.to_data(), "title": "Imported title"})
    admin_forms.upload(superuser_client, text)
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
    before = admin_forms.state(small_guide)

    response = admin_forms.upload(superuser_client, yaml.safe_dump(data))

    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "default_outcome: unknown outcome" in html
    assert "scenarios[0].outcome: unknown outcome" in html
    assert admin_forms.state(small_guide) == before


def test_import_of_broken_yaml_is_reported(superuser_client: Client, small_guide: Guide) -> None:
    before = admin_forms.state(small_guide)
    response = admin_forms.upload(superuser_client, "slug: x\n  title: [broken\n")
    assert "invalid YAML" in response.content.decode()
    assert admin_forms.state(small_guide) == before


def test_import_with_publish_is_all_or_nothing(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    data = small_document.to_data()
    scenario = data["scenarios"][0]
    other = next(o["slug"] for o in data["outcomes"] if o["slug"] != scenario["outcome"])
    data["scenarios"][0]["outcome"] = other  # the scenario now fails its check
    before = admin_forms.state(small_guide)
    response = admin_forms.upload(superuser_client, yaml.safe_dump(data), publish=True)
    assert "Not imported" in response.content.decode()
    assert admin_forms.state(small_guide) == before


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
    html = superuser_client.get(admin_forms.change_url(small_guide)).content.decode()
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
    form = admin_forms.add_form(superuser_client, Question, small_guide)
    form["slug"] = "budget"
    form["prompt"] = "What can you spend each month?"
    form["short"] = "Budget"
    form["order"] = "99"
    prefix = admin_forms.inline_prefix(form, "choices")
    assert int(form[f"{prefix}-TOTAL_FORMS"]) == 2  # a question needs two answers
    for index, slug in enumerate(["little", "plenty"]):
        form[f"{prefix}-{index}-slug"] = slug
        form[f"{prefix}-{index}-label"] = slug.title()
        form[f"{prefix}-{index}-order"] = str(index)
    form[f"{prefix}-1-points_{outcome.pk}"] = "2"

    response = admin_forms.post(superuser_client, reverse("admin:guides_question_add"), form)

    assert response.status_code == 302, admin_forms.errors_of(response)
    question = build_document(small_guide).question("budget")
    assert [c.slug for c in question.choices] == ["little", "plenty"]
    assert question.choices[1].points == {outcome.slug: 2}
    small_guide.refresh_from_db()
    assert small_guide.version == 2


def test_save_and_add_another_stays_on_the_same_guide(
    superuser_client: Client, small_guide: Guide, seed_guide: Guide
) -> None:
    form = admin_forms.add_form(superuser_client, Note, small_guide)
    form["slug"] = "another-note"
    form["title"] = "Another note"
    form["text"] = "Text."
    prefix = admin_forms.inline_prefix(form, "clauses")
    question = small_guide.questions.first()
    admin_forms.add_inline_row(
        form, prefix, {"question": str(question.pk), "answers": [str(question.choices.first().pk)]}
    )
    form["_addanother"] = "1"
    response = admin_forms.post(superuser_client, reverse("admin:guides_note_add"), form)
    assert response.status_code == 302, admin_forms.errors_of(response)
    assert response["Location"].endswith(f"guide={small_guide.pk}")


def test_deleting_a_part_records_a_version(superuser_client: Client, small_guide: Guide) -> None:
    item = small_guide.items.first()
    url = reverse("admin:guides_guideitem_delete", args=[item.pk])
    response = superuser_client.post(
        url, admin_forms.read_form(superuser_client, url, "delete-form").data()
    )
    assert response.status_code == 302
    small_guide.refresh_from_db()
    assert small_guide.version == 2
    latest = small_guide.versions.get(version=2)
    assert latest.note.startswith(f"Deleted {item._meta.verbose_name}")
    assert item.text not in build_document(small_guide).to_data().get(item.kind + "s", [])


def test_markdown_preview_works_before_the_guide_exists(superuser_client: Client) -> None:
    response = superuser_client.post(
        reverse("admin:guides_guide_markdown_preview"), {"text": "# Title\n\n*hi* [x](page:y)"}
    )
    html = response.content.decode()
    assert "<em>hi</em>" in html
    assert "<h3>Title</h3>" in html  # headings shifted as on the guide page
    assert "page:y" not in html  # an unknown page link keeps only its words
