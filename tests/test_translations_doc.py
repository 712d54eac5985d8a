"""A guide's translations inside its document (issue 24): which texts there are, the status
of a language, a translation put in place, and translations kept through files and rows."""

from __future__ import annotations

from typing import Any

import pytest

from decisionguide.content.rows import build_document
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.decision.parsing import parse_document
from decisionguide.decision.translations import (
    document_in,
    language_status,
    source_texts,
    with_translation,
)
from decisionguide.guidefiles.loading import apply_document
from decisionguide.guidefiles.yaml_io import check_guide_text, dump_document_yaml


def marked(path: str) -> str:
    return f"«{path}»"


def fully_translated(doc: GuideDocument) -> dict[str, Any]:
    data = doc.to_data()
    for path in source_texts(data):
        data = with_translation(data, "fr", path, marked(path))
    return data


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


def test_every_text_visitors_read_has_a_path(seed_document: GuideDocument) -> None:
    """Translate every text the module lists: no prose of the source is left in the
    translated document."""
    data = fully_translated(seed_document)
    shown = document_in(parse_document(data), "fr").to_data()
    prose = {s for s in strings(seed_document.to_data()) if len(s.split()) > 2}
    left = [s for s in strings(shown) if s in prose]
    assert left == []
    # A private scenario is an editors' test, never shown: nothing of it to translate.
    private = seed_document.to_data()
    private["scenarios"][0]["public"] = False
    slug = private["scenarios"][0]["slug"]
    assert not [p for p in source_texts(private) if p.startswith(f"scenarios.{slug}.")]
    assert [p for p in source_texts(seed_document.to_data()) if p.startswith(f"scenarios.{slug}.")]
    # The logic is untouched: the same slugs, points and conditions in the same order.
    french = document_in(parse_document(data), "fr")
    assert [q.slug for q in french.questions] == [q.slug for q in seed_document.questions]
    assert french.gates == tuple(
        gate.model_copy(update={"reason": marked(f"gates.{i}.reason")})
        for i, gate in enumerate(seed_document.gates)
    )


def test_status_counts_missing_and_out_of_date_texts(seed_document: GuideDocument) -> None:
    data = seed_document.to_data()
    data.pop("translations")  # the seed guide's own French
    total = len(source_texts(data))
    assert language_status(data, "fr").missing == tuple(source_texts(data))
    data = fully_translated(seed_document)
    status = language_status(data, "fr")
    assert status.complete and status.translated == total == status.total
    # The source changes: the translation is out of date, never overwritten.
    data["outcomes"][0]["tagline"] = "A new tagline for the first outcome"
    status = language_status(data, "fr")
    assert not status.complete and status.translated == total - 1
    [stale] = status.out_of_date
    assert stale.path == f"outcomes.{data['outcomes'][0]['slug']}.tagline"
    assert stale.text == marked(stale.path)
    assert stale.was == seed_document.outcomes[0].tagline
    assert ("new", "A new tagline for the first outcome") in stale.source_diff() or any(
        op == "new" for op, _ in stale.source_diff()
    )
    # Pages show the source words where the translation is out of date.
    french = document_in(parse_document(data), "fr")
    assert french.outcomes[0].tagline == "A new tagline for the first outcome"
    assert french.outcomes[0].name == marked(f"outcomes.{data['outcomes'][0]['slug']}.name")


def test_a_removed_text_drops_its_translation_on_the_next_save(
    seed_document: GuideDocument,
) -> None:
    data = fully_translated(seed_document)
    removed = data["missteps"].pop()
    assert removed
    parse_document(data)  # an orphan is allowed...
    data = with_translation(data, "fr", "title", "Où garder la vérité du client")
    paths = [entry["path"] for entry in data["translations"]["fr"]]
    assert f"missteps.{len(data['missteps'])}" not in paths  # ...and dropped by a save
    assert language_status(data, "fr").complete


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"path": "title", "text": "x" * 301, "source": "t"}, "at most 300 characters"),
        ({"path": "intro", "text": "See [this](page:nowhere)", "source": "t"}, "unknown linked"),
    ],
)
def test_a_bad_translation_is_refused_with_its_path(
    seed_document: GuideDocument, entry: dict[str, str], message: str
) -> None:
    data = seed_document.to_data()
    data["translations"] = {"fr": [entry]}
    with pytest.raises(DocumentError) as refused:
        parse_document(data)
    assert message in str(refused.value) and "translations.fr[0]" in str(refused.value)
    data["translations"] = {"fr": [entry | {"text": "ok"}, entry | {"text": "again"}]}
    with pytest.raises(DocumentError, match="translated twice"):
        parse_document(data)


def test_translations_go_through_files_and_rows(db: None, seed_document: GuideDocument) -> None:
    doc = parse_document(fully_translated(seed_document))
    text = dump_document_yaml(doc)
    again, errors = check_guide_text(text, "fr.yaml")
    assert errors == [] and again == doc
    guide, changed = apply_document(doc, publish=False)
    assert changed
    assert build_document(guide).translations == doc.translations
    assert guide.draft_document().translations == doc.translations
