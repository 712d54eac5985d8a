"""A text's path in words, as translators read it: "Question “Team size” · prompt".

Pure (no Django). Paths (`decision.translations`) name parts by slug; a label names
them by what the draft document calls them, so a translator never reads a raw path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# What each kind of part is called, by the document key holding them.
PART_WORDS = {
    "linked_pages": "Linked page",
    "outcomes": "Outcome",
    "criteria": "Criterion",
    "questions": "Question",
    "scenarios": "Example",
    "notes": "Note",
    "tie_breaks": "Tie-break",
    "gates": "Gate",
    "edge_cases": "Edge case",
    "missteps": "Misstep",
    "failure_checks": "Failure check",
}
# The field a part is best known by, first that it has.
NAME_FIELDS = ("short", "name", "public_title", "title", "label", "prompt")
NAME_MAX = 60
SEP = " · "


def field_words(name: str) -> str:
    """`failure_mode` -> "failure mode"."""
    return name.replace("_", " ")


def _named(part: Mapping[str, Any] | None) -> str:
    if not isinstance(part, Mapping):
        return ""
    for field in NAME_FIELDS:
        value = part.get(field)
        if isinstance(value, str) and value.strip():
            value = " ".join(value.split())
            return value if len(value) <= NAME_MAX else value[: NAME_MAX - 1] + "…"
    return ""


def _by_slug(data: Mapping[str, Any], key: str, slug: str) -> Mapping[str, Any] | None:
    for part in data.get(key) or ():
        if isinstance(part, Mapping) and part.get("slug") == slug:
            return part
    return None


def _part(kind: str, part: Mapping[str, Any] | None, fallback: str) -> str:
    name = _named(part)
    return f"{PART_WORDS[kind]} “{name or fallback}”"


def _numbered(kind: str, index: str) -> str:
    return f"{PART_WORDS[kind]} {int(index) + 1}" if index.isdigit() else PART_WORDS[kind]


def label(path: str, data: Mapping[str, Any]) -> str:
    """The text at `path` of document data (`GuideDocument.to_data()`) in words."""
    head, *rest = path.split(".")
    if not rest:
        return f"Guide{SEP}{field_words(head)}"
    if head in ("edge_cases", "missteps"):
        return _numbered(head, rest[0])
    if head in ("tie_breaks", "gates", "failure_checks"):
        return SEP.join([_numbered(head, rest[0]), *map(field_words, rest[1:])])
    if head not in PART_WORDS:
        return path
    slug, fields = rest[0], rest[1:]
    part = _by_slug(data, head, slug)
    words = [_part(head, part, slug)]
    if head == "outcomes" and fields[:1] == ["best_for"] and len(fields) == 2:
        index = fields[1]
        words.append(f"best for {int(index) + 1}" if index.isdigit() else "best for")
    elif head == "criteria" and fields[:1] == ["ratings"] and len(fields) == 3:
        outcome = _by_slug(data, "outcomes", fields[1])
        words.append(f"rating of {_part('outcomes', outcome, fields[1])}")
    elif head == "questions" and fields[:1] == ["choices"] and len(fields) == 3:
        choices = (part or {}).get("choices") or ()
        choice = next((c for c in choices if c.get("slug") == fields[1]), None)
        words += [f"answer “{_named(choice) or fields[1]}”", field_words(fields[2])]
    elif head == "questions" and fields[:1] == ["free_text"] and len(fields) == 2:
        words.append(f"free text {field_words(fields[1])}")
    else:
        words += [field_words(f) for f in fields]
    return SEP.join(words)
