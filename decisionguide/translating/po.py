"""A guide's texts in one language as a gettext PO file, out and back in (polib).

Pure (no Django). Each text is an entry: msgctxt its path, msgid the source text,
msgstr the translation, a translator comment naming the text in words. An out-of-date
translation is `#, fuzzy` with `#| msgid` the source it was made from, as gettext's
own tools mark one, so translators' tools show the change.

Reading a file back: a fuzzy entry stays out of date (its `#| msgid` is its source),
an empty msgstr is a missing text, and an entry is refused when its msgctxt names no
text of the guide or its msgid is neither the source now nor the one its translation
was made from. Problems name the file's line; any problem and nothing is used.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polib

from decisionguide.decision.document import tidy_text
from decisionguide.decision.translations import entries_of, source_texts
from decisionguide.decision.words import Words, gettext_lazy
from decisionguide.translating.labels import label
from decisionguide.translating.sheet import Change

FUZZY = "fuzzy"
# Bigger than any guide's texts in two languages, with room for comments.
PO_MAX_BYTES = 2_000_000
_SYNTAX_LINE = re.compile(r"\(line (\d+)\)")


def export_po(data: dict[str, Any], language: str, *, project: str) -> str:
    """Document data's texts and their translations into `language`, as a PO file."""
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": project,
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    entries = entries_of(data, language)
    for path, source in source_texts(data).items():
        entry = entries.get(path) or {}
        item = polib.POEntry(
            msgctxt=path,
            msgid=source,
            msgstr=entry.get("text", ""),
            tcomment=str(label(path, data)),
        )
        if entry.get("text") and entry.get("source") != source:
            item.flags.append(FUZZY)
            item.previous_msgid = entry.get("source", "")
        po.append(item)
    return str(po)


@dataclass(frozen=True)
class PoProblem:
    line: int | None
    message: Words | str

    def __str__(self) -> str:
        if not self.line:
            return str(self.message)
        return str(gettext_lazy("line %(line)s: %(problem)s", line=self.line, problem=self.message))


@dataclass
class PoReading:
    changes: list[Change]
    lines: dict[str, int]  # path -> the line of its entry (to place a later problem)
    problems: list[PoProblem]


def parse_po(text: str) -> polib.POFile:
    """The PO file in `text`. Through a file of its own: polib reads a string that names
    an existing file as that file's path."""
    with tempfile.NamedTemporaryFile("w", suffix=".po", encoding="utf-8", delete=False) as f:
        f.write(text)
    try:
        return polib.pofile(f.name, encoding="utf-8", wrapwidth=0)
    finally:
        os.unlink(f.name)


def read_po(text: str, data: dict[str, Any], language: str) -> PoReading:
    """What a PO file changes in `language`'s translations of document data."""
    reading = PoReading([], {}, [])
    try:
        po = parse_po(text)
    except (OSError, ValueError, UnicodeError) as exc:
        found = _SYNTAX_LINE.search(str(exc))
        line = int(found[1]) if found else None
        reading.problems.append(
            PoProblem(line, gettext_lazy("this is not a PO file the guide can read"))
        )
        return reading
    named = po.metadata.get("Language", "").strip().lower().replace("_", "-")
    if named and named != language:
        reading.problems.append(
            PoProblem(
                None,
                gettext_lazy(
                    "this file is for the language “%(named)s”, not “%(language)s”",
                    named=named,
                    language=language,
                ),
            )
        )
        return reading
    sources = source_texts(data)
    entries = entries_of(data, language)
    for item in po:
        if item.obsolete:
            continue
        change = _entry_change(item, sources, entries, reading)
        if change is not None:
            reading.changes.append(change)
    return reading


def _entry_change(
    item: polib.POEntry,
    sources: Mapping[str, str],
    entries: Mapping[str, Mapping[str, str]],
    reading: PoReading,
) -> Change | None:
    path = item.msgctxt or ""
    line = item.linenum
    if path not in sources:
        shown = path[:80] or "(none)"
        reading.problems.append(
            PoProblem(
                line, gettext_lazy("msgctxt “%(path)s” names no text of the guide", path=shown)
            )
        )
        return None
    if path in reading.lines:
        reading.problems.append(
            PoProblem(
                line,
                gettext_lazy(
                    "“%(path)s” is in the file twice (also line %(line)s)",
                    path=path,
                    line=reading.lines[path],
                ),
            )
        )
        return None
    reading.lines[path] = line
    entry = entries.get(path) or {}
    now, kept = sources[path], entry.get("source", "")
    fuzzy = FUZZY in item.flags
    if item.msgid not in (now, kept):
        reading.problems.append(
            PoProblem(
                line,
                gettext_lazy(
                    "the msgid of “%(path)s” is neither the guide's text now nor the one its "
                    "translation was made from (a file of another guide, or of an older draft?)",
                    path=path,
                ),
            )
        )
        return None
    # Fuzzy: made from the source before (`#| msgid`), so it stays out of date.
    source = (item.previous_msgid or kept or "") if fuzzy else item.msgid
    text = tidy_text(item.msgstr)
    if text == tidy_text(entry.get("text", "")) and (not text or source == kept):
        return None
    return Change(path, text, source)
