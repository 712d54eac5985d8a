"""One language of a guide, text by text: what the Translations page shows and saves.

Pure (no Django). `rows` lays the draft's texts beside their translations with each
one's status; `posted_changes` finds what a translator changed on the page (only those
texts are written, so a save never touches texts someone else saved meanwhile);
`apply_changes` writes them into document data as `translations.with_translation`
does, for many texts with one copy; `problems_of` names each translation the guide
refuses (over-long, a link to an unknown page), by path.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from decisionguide.decision.document import LINE_MAX_LENGTH, DocumentError, tidy_text
from decisionguide.decision.parsing import parse_document
from decisionguide.decision.translations import (
    entries_of,
    put_entries,
    source_texts,
    text_limit,
    word_diff,
)
from decisionguide.decision.words import Words, gettext_lazy
from decisionguide.translating.labels import label

TRANSLATED, MISSING, OUT_OF_DATE = "translated", "missing", "out_of_date"
# The page's filters: (value of ?show=, its name); the first is the default.
FILTERS = (
    ("all", gettext_lazy("Everything")),
    (MISSING, gettext_lazy("Missing")),
    (OUT_OF_DATE, gettext_lazy("Out of date")),
)
# A save names at most this many refused translations (each is another parse).
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class TextRow:
    """One source text, its translation and whether that is current."""

    path: str
    label: Words | str
    source: str
    translation: str
    status: str  # TRANSLATED, MISSING or OUT_OF_DATE
    was: str  # the source words the translation was made from
    limit: int

    @property
    def one_line(self) -> bool:
        return self.limit <= LINE_MAX_LENGTH

    @property
    def source_diff(self) -> list[tuple[str, str]]:
        """The source's change since the translation, word by word (out of date only)."""
        return word_diff(self.was, self.source) if self.status == OUT_OF_DATE else []


def status_of(entry: Mapping[str, str] | None, source: str) -> str:
    if entry is None or not entry.get("text"):
        return MISSING
    return TRANSLATED if entry.get("source") == source else OUT_OF_DATE


def rows(data: dict[str, Any], language: str) -> list[TextRow]:
    """Every text of document data in document order, with its translation into `language`."""
    entries = entries_of(data, language)
    found = []
    for path, source in source_texts(data).items():
        entry = entries.get(path)
        found.append(
            TextRow(
                path=path,
                label=label(path, data),
                source=source,
                translation=(entry or {}).get("text", ""),
                status=status_of(entry, source),
                was=(entry or {}).get("source", ""),
                limit=text_limit(path),
            )
        )
    return found


def shown(all_rows: Iterable[TextRow], which: str) -> list[TextRow]:
    """The rows a filter shows (`FILTERS`); an unknown one shows everything."""
    return [row for row in all_rows if which in (row.status, "all") or which not in dict(FILTERS)]


@dataclass(frozen=True)
class Change:
    """A translation to write: its words (empty: removed) and the source they render."""

    path: str
    text: str
    source: str
    confirmed: bool = False  # "still correct": the same words, from today's source


def posted_changes(
    shown_data: dict[str, Any],
    language: str,
    posted: Mapping[str, str],
    confirmed: Iterable[str] = (),
) -> list[Change]:
    """What a page built on `shown_data` changed: texts typed differently, and out-of-date
    ones confirmed as still correct. Paths the page didn't have are ignored."""
    sources = source_texts(shown_data)
    entries = entries_of(shown_data, language)
    ticked = set(confirmed)
    changes = []
    for path, value in posted.items():
        if path not in sources:
            continue
        text = tidy_text(value)
        entry = entries.get(path) or {}
        if text != tidy_text(entry.get("text", "")):
            changes.append(Change(path, text, sources[path]))
        elif path in ticked and text and status_of(entry, sources[path]) == OUT_OF_DATE:
            changes.append(Change(path, text, sources[path], confirmed=True))
    return changes


def apply_changes(
    data: dict[str, Any], language: str, changes: Iterable[Change]
) -> tuple[dict[str, Any], list[Change]]:
    """(a copy of document data with the changes written, those that changed something).

    A change whose text is gone from `data` (someone removed its part) is left out.
    Entries whose path names no text any more are dropped (`translations.put_entries`).
    """
    data = copy.deepcopy(data)
    sources = source_texts(data)
    entries = {p: e for p, e in entries_of(data, language).items() if p in sources}
    applied = []
    for change in changes:
        entry = entries.get(change.path)
        if change.path not in sources or (entry or {}).get("text", "") == change.text == "":
            continue
        if entry == {"path": change.path, "text": change.text, "source": change.source}:
            continue  # written so already (by someone else, or a file read twice)
        applied.append(change)
        if change.text:
            entries[change.path] = {
                "path": change.path,
                "text": change.text,
                "source": change.source,
            }
        else:
            entries.pop(change.path, None)
    return put_entries(data, language, entries), applied


def problems_of(data: dict[str, Any], language: str) -> dict[str, str]:
    """Path -> why the guide refuses that translation ("" -> a problem elsewhere); empty
    when the document data parses. Each refused entry is set aside to find the next."""
    data = copy.deepcopy(data)
    entry_path = re.compile(rf"^translations\.{re.escape(language)}\[(\d+)\]")
    found: dict[str, str] = {}
    entries = (data.get("translations") or {}).get(language) or []
    for entry in list(entries):
        # Text columns can't hold NUL (PostgreSQL refuses it, in JSON too): as Django's forms.
        if "\x00" in entry.get("text", "") + entry.get("source", ""):
            found[entry["path"]] = str(gettext_lazy("null characters are not allowed"))
            entries.remove(entry)
    while len(found) < MAX_PROBLEMS:
        try:
            parse_document(data)
        except DocumentError as exc:
            entries = (data.get("translations") or {}).get(language) or []
            match = entry_path.match(exc.path)
            if match is None or int(match[1]) >= len(entries):
                found[""] = str(exc)
                return found
            entry = entries.pop(int(match[1]))
            found[entry["path"]] = str(exc.message)
        else:
            return found
    return found
