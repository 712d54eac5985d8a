"""A guide's texts in one language as a PO file, out and back in (issue 24): exported
with paths as msgctxt, out-of-date translations fuzzy with their `#| msgid`, read back
through the Translations page and `importtranslations`; errors name their line and
nothing is saved."""

from __future__ import annotations

import io

import polib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.decision.translations import entries_of, language_status, source_texts
from decisionguide.translating.po import export_po, parse_po, read_po
from tests.admin_forms import state
from tests.test_translating import (
    TAGLINE,
    change_english_tagline,
    draft,
    translate,
)

pytestmark = pytest.mark.django_db

OLD_TAGLINE = "Every shoot is an event with the details in its notes."
NEW_TAGLINE = "Every shoot is one event."


def export(client: Client, guide: Guide) -> str:
    response = client.get(reverse("admin:guides_guide_translations_export", args=[guide.pk, "fr"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'-v{guide.version}-fr.po"')
    return response.content.decode()


def upload(client: Client, guide: Guide, text: str, name: str = "fr.po"):
    guide.refresh_from_db()
    url = reverse("admin:guides_guide_translations_import", args=[guide.pk, "fr"])
    file = SimpleUploadedFile(name, text.encode(), content_type="text/x-gettext-translation")
    return client.post(url, {"file": file, "_draft_version": str(guide.version)})


@pytest.fixture
def half_translated(superuser_client: Client, small_guide: Guide) -> Guide:
    """French: the title translated, the tagline out of date, every other text missing."""
    translate(small_guide, {TAGLINE: "Chaque séance est un événement.", "title": "Réservations"})
    change_english_tagline(superuser_client, small_guide, NEW_TAGLINE)
    small_guide.refresh_from_db()
    return small_guide


def test_export_names_each_text_and_marks_out_of_date_fuzzy(
    superuser_client: Client, half_translated: Guide
) -> None:
    text = export(superuser_client, half_translated)
    po = parse_po(text)
    assert po.metadata["Language"] == "fr"
    by_path = {entry.msgctxt: entry for entry in po}
    assert list(by_path) == list(source_texts(draft(half_translated)))
    title = by_path["title"]
    assert (title.msgid, title.msgstr, title.fuzzy) == (
        half_translated.title,
        "Réservations",
        False,
    )
    tagline = by_path[TAGLINE]
    assert tagline.msgid == NEW_TAGLINE and tagline.msgstr == "Chaque séance est un événement."
    assert tagline.fuzzy and tagline.previous_msgid == OLD_TAGLINE
    assert tagline.tcomment == "Outcome “Calendar-first” · tagline"
    assert '#, fuzzy\n#| msgid "Every shoot is an event' in text
    assert by_path["intro"].msgstr == ""


def test_round_trip_unchanged_saves_nothing(
    superuser_client: Client, half_translated: Guide
) -> None:
    text = export(superuser_client, half_translated)
    before = state(half_translated)
    response = upload(superuser_client, half_translated, text)
    assert response.status_code == 302
    assert "it changes nothing" in superuser_client.get(response["Location"]).content.decode()
    assert state(half_translated) == before


def test_round_trip_translated_in_the_file_changes_exactly_those(
    superuser_client: Client, half_translated: Guide
) -> None:
    po = parse_po(export(superuser_client, half_translated))
    for entry in po:
        if entry.msgctxt == "summary":
            entry.msgstr = "Un calendrier ou une application de studio."
        if entry.msgctxt == TAGLINE:  # updated, and no longer fuzzy
            entry.msgstr = "Chaque séance est un seul événement."
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
    before = entries_of(draft(half_translated), "fr")
    response = upload(superuser_client, half_translated, str(po))
    html = superuser_client.get(response["Location"]).content.decode()
    assert "Imported fr.po: Translated 2 texts into French." in html
    after = entries_of(draft(half_translated), "fr")
    assert set(after) == {"title", "summary", TAGLINE}
    assert after["title"] == before["title"]
    assert after["summary"]["text"] == "Un calendrier ou une application de studio."
    assert after[TAGLINE] == {
        "path": TAGLINE,
        "text": "Chaque séance est un seul événement.",
        "source": NEW_TAGLINE,
    }
    half_translated.refresh_from_db()
    note = half_translated.versions.get(version=half_translated.version).note
    assert note == "Translated 2 texts into French"


def test_a_fuzzy_entry_stays_out_of_date_and_an_empty_one_is_missing(
    superuser_client: Client, half_translated: Guide
) -> None:
    po = parse_po(export(superuser_client, half_translated))
    for entry in po:
        if entry.msgctxt == TAGLINE:
            entry.msgstr = "Chaque séance, un seul événement."  # still marked fuzzy
        if entry.msgctxt == "title":
            entry.msgstr = ""
    upload(superuser_client, half_translated, str(po))
    status = language_status(draft(half_translated), "fr")
    (stale,) = status.out_of_date
    assert (stale.text, stale.was, stale.now) == (
        "Chaque séance, un seul événement.",
        OLD_TAGLINE,
        NEW_TAGLINE,
    )
    assert "title" in status.missing


def test_errors_name_their_line_and_nothing_is_saved(
    superuser_client: Client, half_translated: Guide
) -> None:
    po = parse_po(export(superuser_client, half_translated))
    po.append(polib.POEntry(msgctxt="outcomes.nowhere.name", msgid="X", msgstr="Y"))
    for entry in po:
        if entry.msgctxt == "summary":
            entry.msgid = "Some other English."
            entry.msgstr = "Autre chose."
        if entry.msgctxt == "intro":
            entry.msgstr = "Bonjour."
    text = str(po)
    lines = text.splitlines()
    unknown = next(i for i, line in enumerate(lines, 1) if "outcomes.nowhere.name" in line)
    other = next(i for i, line in enumerate(lines, 1) if line == 'msgctxt "summary"')
    before = state(half_translated)
    response = upload(superuser_client, half_translated, text)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported" in html
    # polib counts an entry from its first line (the translator comment above msgctxt).
    assert f"line {other - 1}: the msgid of “summary” is neither" in html
    assert f"line {unknown}: msgctxt “outcomes.nowhere.name” names no text" in html
    assert state(half_translated) == before


def test_a_translation_the_guide_refuses_names_its_line(
    superuser_client: Client, half_translated: Guide
) -> None:
    po = parse_po(export(superuser_client, half_translated))
    entry = next(e for e in po if e.msgctxt == "summary")
    entry.msgstr = "x" * 5000
    text = str(po)
    line = text.splitlines().index('msgctxt "summary"')  # 0-based: the comment line above
    before = state(half_translated)
    html = upload(superuser_client, half_translated, text).content.decode()
    assert f"line {line}: at most" in html
    assert state(half_translated) == before


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not a po file at all\n",
        'msgid "unterminated\n',
        "/etc/passwd",
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n',
        'msgctxt "title"\nmsgid "x"\nmsgstr "y"\nmsgctxt "title"\nmsgid "x"\nmsgstr "z"\n',
        "\x00\x01\x02",
    ],
)
def test_crafted_files_are_refused_without_a_500(
    superuser_client: Client, half_translated: Guide, text: str
) -> None:
    before = state(half_translated)
    response = upload(superuser_client, half_translated, text)
    assert response.status_code in (200, 302)
    assert state(half_translated) == before


def test_reading_a_file_that_names_a_path_never_reads_that_file(small_guide: Guide) -> None:
    reading = read_po("/etc/passwd", draft(small_guide), "fr")
    assert reading.changes == []


def test_commands_export_and_import(half_translated: Guide, tmp_path) -> None:
    out = io.StringIO()
    call_command("exporttranslations", half_translated.slug, "fr", stdout=out)
    assert out.getvalue() == export_po(draft(half_translated), "fr", project=half_translated.slug)
    file = tmp_path / "fr.po"
    call_command("exporttranslations", half_translated.slug, "fr", str(file))
    po = parse_po(file.read_text())
    next(e for e in po if e.msgctxt == "summary").msgstr = "Un résumé."
    po.save(str(file))
    out = io.StringIO()
    call_command("importtranslations", half_translated.slug, "fr", str(file), stdout=out)
    assert "Translated 1 text into French" in out.getvalue()
    assert entries_of(draft(half_translated), "fr")["summary"]["text"] == "Un résumé."
    # Unchanged: nothing saved.
    before = state(half_translated)
    out = io.StringIO()
    call_command("importtranslations", half_translated.slug, "fr", str(file), stdout=out)
    assert "nothing changed" in out.getvalue()
    assert state(half_translated) == before
    # Errors name the file and line; nothing saved.
    file.write_text(file.read_text().replace('msgctxt "summary"', 'msgctxt "nowhere"'))
    with pytest.raises(CommandError, match=r"fr\.po: line \d+: msgctxt “nowhere” names no text"):
        call_command("importtranslations", half_translated.slug, "fr", str(file))
    assert state(half_translated) == before
    with pytest.raises(CommandError, match="not a language"):
        call_command("exporttranslations", half_translated.slug, "en")
    with pytest.raises(CommandError, match="no guide"):
        call_command("exporttranslations", "nope", "fr")
