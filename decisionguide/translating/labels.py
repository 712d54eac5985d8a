"""A text's path in words, as translators read it: "Question “Team size” · prompt".

Pure (no Django). Paths (`decision.translations`) name parts by slug; a label names
them by what the draft document calls them, so a translator never reads a raw path.
Labels are `Words` (`decision.words`): put into the admin's language when shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from decisionguide.decision.words import Words, gettext_lazy, pgettext_lazy

# A part named by its name, by the document key holding such parts.
NAMED_PART = {
    "linked_pages": lambda name: gettext_lazy("Linked page “%(name)s”", name=name),
    "outcomes": lambda name: gettext_lazy("Outcome “%(name)s”", name=name),
    "criteria": lambda name: gettext_lazy("Criterion “%(name)s”", name=name),
    "questions": lambda name: gettext_lazy("Question “%(name)s”", name=name),
    "scenarios": lambda name: gettext_lazy("Example “%(name)s”", name=name),
    "notes": lambda name: gettext_lazy("Note “%(name)s”", name=name),
}
# A part named by its place (1, 2, …), by the document key holding such parts.
NUMBERED_PART = {
    "tie_breaks": lambda n: gettext_lazy("Tie-break %(number)s", number=n),
    "gates": lambda n: gettext_lazy("Gate %(number)s", number=n),
    "edge_cases": lambda n: gettext_lazy("Edge case %(number)s", number=n),
    "missteps": lambda n: gettext_lazy("Misstep %(number)s", number=n),
    "failure_checks": lambda n: gettext_lazy("Failure check %(number)s", number=n),
}
# Each text field visitors read (`decision.translations`), in words.
FIELD_WORDS = {
    "title": pgettext_lazy("text field", "title"),
    "summary": pgettext_lazy("text field", "summary"),
    "intro": pgettext_lazy("text field", "intro"),
    "right_page": pgettext_lazy("text field", "right page"),
    "wrong_page": pgettext_lazy("text field", "wrong page"),
    "start_elsewhere": pgettext_lazy("text field", "start elsewhere"),
    "shortcut": pgettext_lazy("text field", "shortcut"),
    "decision_criteria": pgettext_lazy("text field", "decision criteria"),
    "snapshot": pgettext_lazy("text field", "snapshot"),
    "name": pgettext_lazy("text field", "name"),
    "tagline": pgettext_lazy("text field", "tagline"),
    "strengths": pgettext_lazy("text field", "strengths"),
    "tradeoffs": pgettext_lazy("text field", "tradeoffs"),
    "failure_mode": pgettext_lazy("text field", "failure mode"),
    "good_fit": pgettext_lazy("text field", "good fit"),
    "choose_if": pgettext_lazy("text field", "choose if"),
    "description": pgettext_lazy("text field", "description"),
    "when": pgettext_lazy("text field", "when"),
    "body": pgettext_lazy("text field", "body"),
    "prompt": pgettext_lazy("text field", "prompt"),
    "short": pgettext_lazy("text field", "short"),
    "hint": pgettext_lazy("text field", "hint"),
    "label": pgettext_lazy("text field", "label"),
    "reason": pgettext_lazy("text field", "reason"),
    "public_title": pgettext_lazy("text field", "public title"),
    "public_description": pgettext_lazy("text field", "public description"),
    "handoff_example": pgettext_lazy("text field", "handoff example"),
    "handoff_rule": pgettext_lazy("text field", "handoff rule"),
    "text": pgettext_lazy("text field", "text"),
    "explanation": pgettext_lazy("text field", "explanation"),
}
# The field a part is best known by, first that it has.
NAME_FIELDS = ("short", "name", "public_title", "title", "label", "prompt")
NAME_MAX = 60


def field_words(name: str) -> Words | str:
    """`failure_mode` -> "failure mode" (a field this module doesn't know: its key)."""
    return FIELD_WORDS.get(name) or name.replace("_", " ")


def _then(first: Words | str, then: Words | str) -> Words:
    return gettext_lazy("%(part)s · %(field)s", part=first, field=then)


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


def _part(kind: str, part: Mapping[str, Any] | None, fallback: str) -> Words:
    return NAMED_PART[kind](_named(part) or fallback)


def _numbered(kind: str, index: str) -> Words:
    return NUMBERED_PART[kind](int(index) + 1 if index.isdigit() else index)


def label(path: str, data: Mapping[str, Any]) -> Words | str:
    """The text at `path` of document data (`GuideDocument.to_data()`) in words."""
    head, *rest = path.split(".")
    if not rest:
        return _then(gettext_lazy("Guide"), field_words(head))
    if head in ("edge_cases", "missteps"):
        return _numbered(head, rest[0])
    words: Words
    if head in NUMBERED_PART:
        words = _numbered(head, rest[0])
        for field in rest[1:]:
            words = _then(words, field_words(field))
        return words
    if head not in NAMED_PART:
        return path
    slug, fields = rest[0], rest[1:]
    part = _by_slug(data, head, slug)
    words = _part(head, part, slug)
    if head == "outcomes" and fields[:1] == ["best_for"] and len(fields) == 2:
        index = fields[1]
        best = (
            gettext_lazy("best for %(number)s", number=int(index) + 1)
            if index.isdigit()
            else gettext_lazy("best for")
        )
        return _then(words, best)
    if head == "criteria" and fields[:1] == ["ratings"] and len(fields) == 3:
        outcome = _part("outcomes", _by_slug(data, "outcomes", fields[1]), fields[1])
        return _then(words, gettext_lazy("rating of %(outcome)s", outcome=outcome))
    if head == "questions" and fields[:1] == ["choices"] and len(fields) == 3:
        choices = (part or {}).get("choices") or ()
        choice = next((c for c in choices if c.get("slug") == fields[1]), None)
        name = _named(choice) or fields[1]
        words = _then(words, gettext_lazy("answer “%(name)s”", name=name))
        return _then(words, field_words(fields[2]))
    if head == "questions" and fields[:1] == ["free_text"] and len(fields) == 2:
        free = gettext_lazy("free text %(field)s", field=field_words(fields[1]))
        return _then(words, free)
    for field in fields:
        words = _then(words, field_words(field))
    return words
