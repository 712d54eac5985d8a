"""Editors never lose work: stale saves refused, honest history, loads that skip edited drafts.

Forms are read back from the rendered admin pages and posted as a browser
would (text areas with CRLF line breaks, tests/admin_forms.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide, LinkedPage, Outcome, Question, Rating
from decisionguide.content.rows import build_document
from decisionguide.guidefiles.yaml_io import dump_guide_yaml
from decisionguide.publishing.concurrency import DRAFT_VERSION_FIELD, SAVE_OVER_FIELD
from decisionguide.publishing.drafts import record_edit
from tests.admin_forms import (
    Form,
    admin_form,
    change_url,
    inline_prefix,
    post,
    read_form,
    save_fields,
)

pytestmark = pytest.mark.django_db


def question_of(guide: Guide) -> Question:
    return guide.questions.order_by("order").first()


# --- Two editors, one draft ----------------------------------------------------------


def opened_then_saved_by_another(
    mine_client: Client, their_client: Client, guide: Guide
) -> tuple[Question, Form]:
    """Both editors open the same question; the other one saves first (a new draft version).

    Returns the question and my form, still carrying the draft version it was opened at."""
    question = question_of(guide)
    mine = admin_form(mine_client, question)
    theirs = admin_form(their_client, question)
    theirs["prompt"] = "Their new prompt?"
    assert post(their_client, change_url(question), theirs).status_code == 302
    guide.refresh_from_db()
    return question, mine


def test_a_save_against_a_newer_draft_is_refused_and_keeps_the_input(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    question, mine = opened_then_saved_by_another(superuser_client, second_client, small_guide)
    assert mine[DRAFT_VERSION_FIELD] == str(small_guide.version - 1)
    after_theirs = (small_guide.version, dump_guide_yaml(small_guide))

    mine["prompt"] = "My own typed prompt?"
    response = post(superuser_client, change_url(question), mine)

    assert response.status_code == 200
    html = response.content.decode()
    # Refused (both changed the prompt), naming the newer version and who saved it...
    assert "Not saved" in html
    assert f"version {small_guide.version} by second" in html
    assert "Their new prompt?" in html
    # ...nothing written...
    small_guide.refresh_from_db()
    assert (small_guide.version, dump_guide_yaml(small_guide)) == after_theirs
    # ...the typed text still in the form, and a way to reload.
    assert 'value="My own typed prompt?"' in html
    assert f'href="{change_url(question)}"' in html
    # Pressing Save again as it is stays refused: the form still says which draft it had.
    again = Form(read_form_html(html).fields)
    assert again[DRAFT_VERSION_FIELD] == mine[DRAFT_VERSION_FIELD]


def read_form_html(html: str):
    from tests.admin_forms import FormReader

    reader = FormReader("question_form")
    reader.feed(html)
    return reader


def test_saving_over_a_newer_draft_takes_a_deliberate_tick(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    question, mine = opened_then_saved_by_another(superuser_client, second_client, small_guide)
    mine["prompt"] = "My own typed prompt?"
    refused = post(superuser_client, change_url(question), mine)
    small_guide.refresh_from_db()
    assert f'name="{SAVE_OVER_FIELD}" value="{small_guide.version}"' in refused.content.decode()

    mine[SAVE_OVER_FIELD] = str(small_guide.version)
    assert post(superuser_client, change_url(question), mine).status_code == 302
    question.refresh_from_db()
    assert question.prompt == "My own typed prompt?"


def test_every_part_page_carries_the_draft_version(
    superuser_client: Client, small_guide: Guide
) -> None:
    parts = [
        small_guide,
        question_of(small_guide),
        small_guide.outcomes.first(),
        small_guide.criteria.first(),
        small_guide.scenarios.first(),
        small_guide.notes.first(),
        small_guide.gates.first(),
        small_guide.linked_pages.first(),
    ]
    for part in parts:
        form = admin_form(superuser_client, part)
        assert form[DRAFT_VERSION_FIELD] == str(small_guide.version), part._meta.model_name


def test_a_stale_ratings_grid_merges_with_another_parts_change(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    url = reverse("admin:guides_guide_ratings", args=[small_guide.pk])
    mine = read_form(superuser_client, url, "ratings-form")
    outcome = small_guide.outcomes.first()
    outcome_form = admin_form(second_client, outcome)
    outcome_form["tagline"] = "Changed meanwhile."
    assert post(second_client, change_url(outcome), outcome_form).status_code == 302
    label = next(name for name in mine.names() if name.startswith("label"))
    mine[label] = "Typed in the grid"
    _, criterion_pk, outcome_pk = label.split("_")

    response = post(superuser_client, url, mine)

    # Another part changed: no collision, both kept, and the message says what merged.
    assert response.status_code == 302
    rating = Rating.objects.get(criterion_id=criterion_pk, outcome_id=outcome_pk)
    assert rating.label == "Typed in the grid"
    assert Outcome.objects.get(pk=outcome.pk).tagline == "Changed meanwhile."
    page = superuser_client.get(response["Location"]).content.decode()
    assert "Merged with version" in page and "by second" in page


def test_a_stale_restore_is_refused(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    outcome = small_guide.outcomes.first()
    save_fields(superuser_client, outcome, tagline="Version two.")
    history = reverse("admin:guides_guide_history", args=[small_guide.pk])
    restore = read_form(superuser_client, history, "revert-1")
    # Meanwhile another editor saves version 3.
    save_fields(second_client, outcome, tagline="Version three.")

    url = reverse("admin:guides_guide_revert", args=[small_guide.pk, 1])
    response = superuser_client.post(url, restore.data(), follow=True)

    assert "Not restored" in response.content.decode()
    small_guide.refresh_from_db()
    assert small_guide.version == 3
    assert Outcome.objects.get(pk=outcome.pk).tagline == "Version three."


# --- Clean text, honest history -------------------------------------------------------


def test_an_untouched_crlf_form_is_no_change(superuser_client: Client, small_guide: Guide) -> None:
    outcome = small_guide.outcomes.first()
    form = admin_form(superuser_client, outcome)
    assert any(name in form.textareas for name in form.names())
    versions = small_guide.versions.count()
    assert post(superuser_client, change_url(outcome), form).status_code == 302
    assert small_guide.versions.count() == versions


def test_a_one_field_edit_is_summarised_and_diffed_as_one_change(
    superuser_client: Client, small_guide: Guide
) -> None:
    outcome = small_guide.outcomes.exclude(failure_mode="").first()
    save_fields(superuser_client, outcome, tagline=outcome.tagline + " Edited.")
    small_guide.refresh_from_db()
    latest = small_guide.versions.get(version=small_guide.version)
    assert latest.note.endswith("Changed Tagline.")
    yaml_text = dump_guide_yaml(small_guide)
    assert "\\r" not in yaml_text
    history = reverse("admin:guides_guide_history", args=[small_guide.pk])
    html = superuser_client.get(history).content.decode()
    newest_diff = html.split('<pre class="diff"')[1].split(">", 1)[1].split("</pre>")[0]
    assert newest_diff.count('class="diff-add"') == 1, newest_diff
    assert newest_diff.count('class="diff-remove"') == 1, newest_diff
    assert "Edited." in newest_diff


def test_a_rating_change_names_its_criterion_and_outcome(
    superuser_client: Client, small_guide: Guide
) -> None:
    criterion = small_guide.criteria.first()
    form = admin_form(superuser_client, criterion)
    prefix = inline_prefix(form, "ratings")
    rating = criterion.ratings.order_by("order", "id").first()
    form[f"{prefix}-0-label"] = rating.label + " (edited)"
    post(superuser_client, change_url(criterion), form)
    small_guide.refresh_from_db()
    note = small_guide.versions.get(version=small_guide.version).note
    assert criterion.name in note and rating.outcome.name in note


def test_a_choice_change_names_its_question(superuser_client: Client, small_guide: Guide) -> None:
    question = question_of(small_guide)
    form = admin_form(superuser_client, question)
    prefix = inline_prefix(form, "choices")
    form[f"{prefix}-0-label"] = "Renamed choice"
    post(superuser_client, change_url(question), form)
    small_guide.refresh_from_db()
    note = small_guide.versions.get(version=small_guide.version).note
    assert note.count(question.prompt) >= 2  # the question, and the choice's own name
    assert "Renamed choice" in note


def test_imported_text_is_tidied(superuser_client: Client, small_guide: Guide, tmp_path) -> None:
    # Spaces at the end of every line (kept by YAML inside block texts) and CRLF breaks.
    text = dump_guide_yaml(small_guide)
    assert "|" in text  # the guide has multi-line texts, where trailing spaces would stay
    messy = "".join(f"{line}   \r\n" for line in text.splitlines())
    path = tmp_path / "messy.yaml"
    path.write_bytes(messy.encode())
    load(str(path), tmp_path=tmp_path)
    guide = Guide.objects.get(pk=small_guide.pk)
    assert guide.version == small_guide.version  # nothing but whitespace: no new version
    assert dump_guide_yaml(guide) == text


# --- Nothing overwrites a newer draft ------------------------------------------------------


def load(*args: str, tmp_path: Path) -> str:
    out = tmp_path / "loadguide.out"
    with out.open("w") as stream:
        call_command("loadguide", *args, stdout=stream)
    return out.read_text()


def test_loading_again_skips_a_draft_edited_in_the_admin(
    superuser_client: Client, small_guide: Guide, small_file: Path, tmp_path: Path
) -> None:
    outcome = small_guide.outcomes.first()
    save_fields(superuser_client, outcome, tagline="Edited in the admin.")
    small_guide.refresh_from_db()
    edited = small_guide.version

    for _restart in range(3):
        output = load(str(small_file), tmp_path=tmp_path)
        assert "skipped" in output and small_guide.slug in output and "--force" in output
    small_guide.refresh_from_db()
    assert small_guide.version == edited
    assert Outcome.objects.get(pk=outcome.pk).tagline == "Edited in the admin."

    output = load(str(small_file), "--force", tmp_path=tmp_path)
    small_guide.refresh_from_db()
    assert small_guide.version == edited + 1
    assert Outcome.objects.get(pk=outcome.pk).tagline != "Edited in the admin."
    # The edit is still in the history.
    assert small_guide.versions.get(version=edited).as_document().outcome(outcome.slug)


def test_a_changed_file_loads_over_an_untouched_draft(
    small_guide: Guide, small_file: Path, tmp_path: Path
) -> None:
    text = small_file.read_text().replace(small_guide.title, "A new title from the file", 1)
    path = tmp_path / small_file.name
    path.write_text(text)
    output = load(str(path), tmp_path=tmp_path)
    assert "updated to version 2" in output
    assert build_document(Guide.objects.get(pk=small_guide.pk)).title == "A new title from the file"


def test_the_file_the_draft_was_exported_to_loads_quietly(
    superuser_client: Client, small_guide: Guide, tmp_path: Path
) -> None:
    outcome = small_guide.outcomes.first()
    save_fields(superuser_client, outcome, tagline="Edited, then exported.")
    path = tmp_path / "exported.yaml"
    path.write_text(dump_guide_yaml(Guide.objects.get(pk=small_guide.pk)))
    output = load(str(path), tmp_path=tmp_path)
    assert "skipped" not in output
    # ...and from then on, that file's loads are safe again.
    assert Guide.objects.get(pk=small_guide.pk).file_version == small_guide.versions.count()


def test_an_import_over_a_draft_changed_since_the_page_loaded_is_refused(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("admin:guides_guide_import")
    page = read_form(superuser_client, url, "import-form")
    text = dump_guide_yaml(small_guide).replace(small_guide.title, "Title from the file", 1)
    outcome = small_guide.outcomes.first()
    save_fields(second_client, outcome, tagline="Saved while the import page was open.")
    small_guide.refresh_from_db()
    before = (small_guide.version, dump_guide_yaml(small_guide))

    data = {**page.data(), "file": SimpleUploadedFile("guide.yaml", text.encode())}
    response = superuser_client.post(url, data)

    html = response.content.decode()
    assert response.status_code == 200 and "Not imported" in html and "by second" in html
    small_guide.refresh_from_db()
    assert (small_guide.version, dump_guide_yaml(small_guide)) == before
    # From a page loaded now, the same file imports.
    page = read_form(superuser_client, url, "import-form")
    data = {**page.data(), "file": SimpleUploadedFile("guide.yaml", text.encode())}
    assert superuser_client.post(url, data).status_code == 302
    assert Guide.objects.get(pk=small_guide.pk).title == "Title from the file"


def test_a_delete_confirmed_on_a_stale_page_is_refused(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    spare = LinkedPage.objects.create(
        guide=small_guide, slug="spare", title="Spare", summary="Unused.", when="Never.", order=99
    )
    record_edit(small_guide)
    url = reverse("admin:guides_linkedpage_delete", args=[spare.pk])
    confirm = read_form(superuser_client, url, "delete-form")
    # The other editor changes the very page being deleted (another part would merge).
    save_fields(second_client, spare, title="Edited while the delete page was open")

    response = superuser_client.post(url, confirm.data(), follow=True)

    assert "Not deleted" in response.content.decode()
    assert small_guide.linked_pages.filter(pk=spare.pk).exists()
    # Confirmed again from a fresh page, it goes ahead (if the guide allows it).
    fresh = read_form(superuser_client, url, "delete-form")
    assert fresh["_draft_version"] == str(Guide.objects.get(pk=small_guide.pk).version)
