"""loadguide / dumpguide and the document <-> rows mapping behind them: loading, dumping, files.

Helpers: tests/guide_files.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from decisionguide.content.models import Clause, Guide, Note, Outcome, Question
from decisionguide.content.rows import build_document
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.decision.parsing import parse_document
from decisionguide.decision.translations import without_current_sources
from decisionguide.guidefiles.loading import apply_document, load_guide_file
from decisionguide.guidefiles.yaml_io import display_name, dump_document_yaml, dump_guide_yaml
from tests.guide_files import database_state, dumpguide, loadguide, read_data, write_data

pytestmark = pytest.mark.django_db


def all_pks() -> dict[str, set[int]]:
    """Every row of the guides app, by model: to see which rows were kept."""
    return {
        model.__name__: set(model.objects.values_list("pk", flat=True))
        for model in apps.get_app_config("guides").get_models()
    }


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


# --- Loading and idempotence ---------------------------------------------------------


def test_first_load_creates_the_guide(small_file: Path, small_document: GuideDocument) -> None:
    output = loadguide(small_file)
    assert output == f"{small_document.slug}: created (version 1)\n"
    guide = Guide.objects.get(slug=small_document.slug)
    assert guide.version == 1
    assert guide.title == small_document.title
    assert guide.versions.count() == 1


def test_second_load_writes_nothing(small_file: Path, small_document: GuideDocument) -> None:
    loadguide(small_file)
    before = database_state()
    with CaptureQueriesContext(connection) as queries:
        output = loadguide(small_file)
    assert output == f"{small_document.slug}: unchanged (version 1)\n"
    assert writes(queries) == []
    assert database_state() == before


def test_apply_document_reports_whether_anything_changed(small_document: GuideDocument) -> None:
    guide, changed = apply_document(small_document)
    assert changed
    again, changed = apply_document(small_document)
    assert not changed
    assert again.pk == guide.pk
    assert again.version == 1


def test_editing_one_value_changes_just_that(
    small_guide: Guide, small_file: Path, tmp_path: Path
) -> None:
    data = read_data(small_file)
    outcome = data["outcomes"][1]
    outcome["tagline"] = outcome["tagline"] + " Now with reminders."
    before_pks = all_pks()
    before = build_document(small_guide).to_data()

    output = loadguide(write_data(tmp_path / "edited.yaml", data))

    assert output == f"{data['slug']}: updated to version 2\n"
    guide = Guide.objects.get(pk=small_guide.pk)
    assert guide.version == 2
    assert Outcome.objects.get(guide=guide, slug=outcome["slug"]).tagline == outcome["tagline"]
    after = build_document(guide).to_data()
    assert after["outcomes"][1]["tagline"] == outcome["tagline"]
    after["outcomes"][1]["tagline"] = before["outcomes"][1]["tagline"]
    assert after == before  # nothing else moved
    # Every row kept its primary key; only a new frozen version was added, and put live.
    after_pks = all_pks()
    assert len(after_pks.pop("GuideVersion")) == len(before_pks.pop("GuideVersion")) + 1
    assert len(after_pks.pop("PublishEvent")) == len(before_pks.pop("PublishEvent")) + 1
    assert after_pks == before_pks
    assert guide.publish_events.latest("pk").version == guide.published_version


def test_editing_a_nested_value_bumps_the_version_once(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    data = small_document.to_data()
    data["questions"][0]["choices"][1]["points"]["studio-app"] += 1
    guide, changed = apply_document(parse_document(data))
    assert changed
    assert guide.version == small_guide.version + 1
    assert build_document(guide).to_data() == data
    assert guide.published_document().to_data() == data


def test_removing_items_deletes_their_rows(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    data = small_document.to_data()
    removed_note = data["notes"].pop()["slug"]
    removed_question = data["questions"].pop()["slug"]  # the last: nothing refers to it
    data["edge_cases"] = []
    guide, changed = apply_document(parse_document(data))
    assert changed
    assert not Note.objects.filter(guide=guide, slug=removed_note).exists()
    assert not Clause.objects.filter(note__guide=guide).exists()
    assert not Question.objects.filter(guide=guide, slug=removed_question).exists()
    assert not guide.items.filter(kind="edge_case").exists()
    assert json.dumps(build_document(guide).to_data()) == json.dumps(parse_document(data).to_data())


def test_reordering_keeps_rows_and_round_trips(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    data = small_document.to_data()
    data["criteria"].reverse()
    data["outcomes"].reverse()
    data["outcomes"][0]["next_pages"].reverse()
    clause = data["gates"][0]["unless"]["all"][0]
    clause["in"].reverse()
    ratings = data["criteria"][0]["ratings"]
    data["criteria"][0]["ratings"] = dict(reversed(ratings.items()))
    before_pks = all_pks()

    guide, changed = apply_document(parse_document(data))

    assert changed
    assert json.dumps(build_document(guide).to_data()) == json.dumps(parse_document(data).to_data())
    after_pks = all_pks()
    for frozen_or_logged in ("GuideVersion", "PublishEvent"):
        after_pks.pop(frozen_or_logged)
        before_pks.pop(frozen_or_logged)
    assert after_pks == before_pks


def test_renaming_and_moving_references(small_guide: Guide, small_document: GuideDocument) -> None:
    """Renamed slugs replace rows; references follow them (scenario, route, gate, clauses)."""
    data = json.loads(json.dumps(small_document.to_data()).replace('"many"', '"lots"'))
    first, second = (o["slug"] for o in data["outcomes"])
    assert data["default_outcome"] == first
    data["default_outcome"] = second
    data["gates"][0]["outcome"] = first
    data["scenarios"][0]["outcome"] = first
    data["questions"][2]["choices"][1]["route"] = data["linked_pages"][0]["slug"]
    doc = parse_document(data)
    guide, changed = apply_document(doc)
    assert changed
    assert json.dumps(build_document(guide).to_data()) == json.dumps(doc.to_data())
    assert guide.default_outcome.slug == second
    assert not guide.questions.get(slug="shoots").choices.filter(slug="many").exists()


def test_removing_rows_that_others_referred_to(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    """A choice used by conditions and a page used as a route go once nothing points at them."""
    data = small_document.to_data()
    shoots = data["questions"][0]
    shoots["choices"] = [c for c in shoots["choices"] if c["slug"] != "unsure"]
    data["questions"][1]["show_if"]["any"][0]["in"] = ["many"]
    data["gates"][0]["unless"]["all"][0]["in"] = ["many"]
    page = data["linked_pages"].pop()["slug"]
    for outcome in data["outcomes"]:
        outcome["next_pages"] = [p for p in outcome["next_pages"] if p != page]
    data["outcomes"][0].pop("next_pages")
    data["questions"][2]["choices"][1].pop("route")
    doc = parse_document(data)
    guide, changed = apply_document(doc)
    assert changed
    assert not guide.linked_pages.filter(slug=page).exists()
    assert not guide.questions.get(slug="shoots").choices.filter(slug="unsure").exists()
    assert json.dumps(build_document(guide).to_data()) == json.dumps(doc.to_data())


def test_guide_with_only_required_fields_round_trips(small_document: GuideDocument) -> None:
    data = small_document.to_data()
    for optional in (
        "criteria",
        "scenarios",
        "tie_breaks",
        "questions",
        "gates",
        "notes",
        "missteps",
    ):
        data.pop(optional)
    for outcome in data["outcomes"]:
        outcome.pop("next_pages")
    data["failure_checks"] = [
        check["text"] if isinstance(check, dict) else check for check in data["failure_checks"]
    ]
    data["slug"] = "bare"
    doc = parse_document(data)
    guide, _ = apply_document(doc)
    assert build_document(guide) == doc
    # And growing it back to the full guide works in place.
    grown, changed = apply_document(parse_document({**small_document.to_data(), "slug": "bare"}))
    assert changed
    assert grown.version == 2
    assert build_document(grown).to_data() == {**small_document.to_data(), "slug": "bare"}


# --- Dumping ---------------------------------------------------------------------


def test_dump_equals_the_files_parsed_data(small_guide: Guide, small_file: Path) -> None:
    dumped = yaml.safe_load(dumpguide(small_guide.slug))
    assert dumped == parse_document(read_data(small_file)).to_data()


def test_load_dump_load_changes_nothing(small_guide: Guide, tmp_path: Path) -> None:
    text = dumpguide(small_guide.slug)
    before = database_state()
    dumped_file = tmp_path / "dumped.yaml"
    dumped_file.write_text(text, encoding="utf-8")
    assert loadguide(dumped_file) == f"{small_guide.slug}: unchanged (version 1)\n"
    assert database_state() == before
    assert dumpguide(small_guide.slug) == text


def test_dump_is_stable_through_another_database_load(small_guide: Guide) -> None:
    text = dump_guide_yaml(small_guide)
    Guide.objects.all().delete()
    guide, _ = apply_document(parse_document(yaml.safe_load(text)))
    assert dump_guide_yaml(guide) == text


def test_dump_is_readable_yaml(small_guide: Guide, small_document: GuideDocument) -> None:
    text = dump_guide_yaml(small_guide)
    keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    assert keys == list(small_document.to_data())  # schema order, not sorted
    multi_line = next(o.failure_mode for o in small_document.outcomes if "\n" in o.failure_mode)
    assert "failure_mode: |" in text
    assert multi_line.splitlines()[0] in text
    symbol = next(o.symbol for o in small_document.outcomes if o.symbol)
    assert symbol in text  # unicode kept as is, not escaped


# Any text an editor might write (several lines, indentation, quotes, colons,
# Windows line ends, unicode) and some they shouldn't (control characters).
editor_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    min_size=1,
    max_size=200,
).filter(str.strip)


@hypothesis_settings(max_examples=200, deadline=None)
@example(intro="Windows\r\nline ends", tagline="plain")
@example(intro="next line\x85character\nand more", tagline="plain")
@example(intro="  indented start\nthen: colon # hash", tagline="'quoted' and \"double\"")
@given(intro=editor_text, tagline=editor_text.map(lambda t: t.replace("\n", " ")[:300]))
def test_any_text_survives_dump_and_load(
    small_document: GuideDocument, intro: str, tagline: str
) -> None:
    data = small_document.to_data()
    data["intro"] = intro
    data["outcomes"][0]["tagline"] = tagline
    try:
        doc = parse_document(data)
    except DocumentError:  # text the schema refuses (e.g. only spaces after stripping)
        return
    text = dump_document_yaml(doc)
    assert parse_document(yaml.safe_load(text)) == doc
    assert dump_document_yaml(parse_document(yaml.safe_load(text))) == text


def test_dumpguide_unknown_slug_fails(small_guide: Guide) -> None:
    with pytest.raises(CommandError, match=r"no guide with slug 'nope' \(known: photo-bookings\)"):
        dumpguide("nope")


# --- The seed content ----------------------------------------------------------------


def test_seed_file_loads_dumps_and_reloads_unchanged(seed_file: Path, tmp_path: Path) -> None:
    slug = read_data(seed_file)["slug"]
    # The seed guide is complete in French: it goes live in both languages.
    assert loadguide(seed_file) == f"{slug}: created (version 1)\n{slug}: French published\n"
    assert loadguide(seed_file) == f"{slug}: unchanged (version 1)\n"
    text = dumpguide(slug)
    # A translation's `source` is written only when out of date: none is in the seed.
    expected = without_current_sources(parse_document(read_data(seed_file)).to_data())
    assert yaml.safe_load(text) == expected and "source:" not in text
    dumped_file = tmp_path / "seed-dump.yaml"
    dumped_file.write_text(text, encoding="utf-8")
    assert loadguide(dumped_file) == f"{slug}: unchanged (version 1)\n"
    assert dumpguide(slug) == text


# --- Several files and the content directory ------------------------------------------


def test_no_argument_loads_every_file_in_the_content_dir(
    settings, tmp_path: Path, small_file: Path
) -> None:
    data = read_data(small_file)
    write_data(tmp_path / "b-second.yml", {**data, "slug": "second-guide"})
    shutil.copy(small_file, tmp_path / "a-first.yaml")
    (tmp_path / "notes.txt").write_text("not a guide", encoding="utf-8")
    settings.CONTENT_DIR = tmp_path
    output = loadguide()
    assert output.splitlines() == [
        f"{data['slug']}: created (version 1)",
        "second-guide: created (version 1)",
    ]


def test_empty_content_dir_is_a_clear_error(settings, tmp_path: Path) -> None:
    settings.CONTENT_DIR = tmp_path
    with pytest.raises(CommandError, match=r"no guide files \(\*\.yaml, \*\.yml\) found"):
        loadguide()


def test_missing_content_dir_is_a_clear_error(settings, tmp_path: Path) -> None:
    settings.CONTENT_DIR = tmp_path / "nowhere"
    with pytest.raises(CommandError, match="content directory not found"):
        loadguide()


def test_two_files_for_one_guide_are_refused(small_file: Path, tmp_path: Path) -> None:
    copy_file = shutil.copy(small_file, tmp_path / "copy.yaml")
    with pytest.raises(CommandError) as excinfo:
        loadguide(small_file, copy_file)
    assert str(excinfo.value) == (
        f"{display_name(copy_file)}: slug: guide “photo-bookings” is also in "
        f"{display_name(small_file)}"
    )
    assert not Guide.objects.exists()


def test_one_bad_file_stops_every_file(
    small_guide: Guide, small_file: Path, tmp_path: Path
) -> None:
    data = read_data(small_file)
    data["title"] = "A title that must not be saved"
    good = write_data(tmp_path / "good.yaml", data)
    bad = write_data(tmp_path / "bad.yaml", {**data, "slug": "other", "colour": "blue"})
    before = database_state()
    with pytest.raises(CommandError, match=r"bad\.yaml: line \d+: colour: unknown field"):
        loadguide(good, bad)
    assert database_state() == before


def test_load_guide_file_reports(small_file: Path) -> None:
    report = load_guide_file(small_file)
    assert (report.status, report.changed, report.guide.version) == ("created", True, 1)
    report = load_guide_file(small_file)
    assert (report.status, report.changed, str(report)) == (
        "unchanged",
        False,
        "photo-bookings: unchanged (version 1)",
    )


# --- Loading publishes -------------------------------------------------------------------


def test_loading_a_file_publishes_it(small_file: Path, tmp_path: Path) -> None:
    loadguide(small_file)
    guide = Guide.objects.get()
    assert guide.is_published
    assert guide.published_version == guide.versions.get(version=1)
    data = read_data(small_file)
    data["title"] = "Loaded again"
    loadguide(write_data(tmp_path / "edited.yaml", data))
    guide.refresh_from_db()
    assert guide.published_version.version == guide.version == 2
    assert guide.published_document().title == "Loaded again"


def test_a_file_marked_unpublished_stays_a_draft(small_file: Path, tmp_path: Path) -> None:
    data = read_data(small_file)
    data["published"] = False
    loadguide(write_data(tmp_path / "draft.yaml", data))
    guide = Guide.objects.get()
    assert not guide.is_published
    assert guide.published_version is None
    assert not Guide.objects.published().exists()
    # The same content marked published: listed now, the same version put live.
    assert loadguide(small_file) == f"{guide.slug}: published version 1\n"
    assert Guide.objects.published().get().published_version.version == 1
    assert guide.publish_events.get().version.version == 1


def test_loading_the_unpublished_draft_publishes_it(
    small_guide: Guide, small_document: GuideDocument, small_file: Path, tmp_path: Path
) -> None:
    data = small_document.to_data()
    data["title"] = "Edited in the admin"
    apply_document(parse_document(data), publish=False)  # a draft, as the admin saves it
    before = all_pks()
    output = loadguide(write_data(tmp_path / "same-as-draft.yaml", data))
    assert output == f"{small_guide.slug}: published version 2\n"
    # No new content rows: the draft's version is published as it is, and logged.
    after = all_pks()
    assert len(after.pop("PublishEvent")) == len(before.pop("PublishEvent")) + 1
    assert after == before
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 2
    assert small_guide.published_document().title == "Edited in the admin"
