"""Merged and refused saves in the editor's words (`merging`).

A place in a guide document (`Path`: keys, part slugs and positions) is
named as the admin names it: the field's label as its form shows it, and the
part by its saved name ("Tagline" of outcome “PM-first”; a ratings cell is
“PM-first, times Client volume”, shown with a multiplication sign).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _

from decisionguide.content.mapping import GUIDE, Column, Part, Ref, Shape
from decisionguide.content.models import GuideVersion
from decisionguide.decision.docmerge import MISSING, Path
from decisionguide.languages import quoted
from decisionguide.publishing.concurrency import saved_by

# What a part is called, the first of these it has.
NAME_KEYS = ("name", "title", "label", "short", "prompt", "text", "slug")
# Enough to say what was merged; the history page has the rest.
SHOWN_PLACES = 6


@dataclass(frozen=True)
class Conflict:
    """One field both editors changed: theirs (saved by `by`) and yours (not saved)."""

    label: str
    part: str
    theirs: str
    yours: str
    by: str


def shown(value: Any) -> str:
    """A field's value as text for the side-by-side view."""
    if value is MISSING:
        return _("(deleted)")
    if value is None or value == "" or value == []:
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    return json.dumps(value, ensure_ascii=False, indent=1)


def version_words(version: GuideVersion | None) -> str:
    if version is None:
        return _("someone")
    return _("version %(number)s by %(editor)s, %(time)s") % saved_by(version)


def _name(item: Any) -> str:
    if isinstance(item, dict):
        for key in NAME_KEYS:
            if item.get(key):
                return str(item[key])
    return str(item)


def _item(container: Any, key: Any) -> Any:
    if isinstance(container, list):
        if isinstance(key, int):
            return container[key] if key < len(container) else None
        return next((i for i in container if isinstance(i, dict) and i.get("slug") == key), None)
    return container.get(key) if isinstance(container, dict) else None


def _field_label(part: Part, key: str) -> str:
    # Named as the ratings grid labels its cells' two inputs.
    grid_words = {"label": _("Text"), "level": _("Strength")}
    if part.key == "ratings" and key in grid_words:
        return grid_words[key]
    found = next((f for f in part.fields if f.key == key), None)
    column = getattr(found, "column", "") if isinstance(found, Column | Ref) else ""
    if column:
        return capfirst(str(part.model._meta.get_field(column).verbose_name))
    return capfirst(str(key).replace("_", " "))


def _target_name(data: dict[str, Any], slug: Any) -> str:
    """A mapping's key names an outcome or a question: its saved name."""
    for key in ("outcomes", "questions"):
        found = _item(data.get(key), slug)
        if found is not None:
            return _name(found)
    return str(slug)


def describe(path: Path, data: dict[str, Any]) -> tuple[str, str]:
    """(the field's label, the part it belongs to) for a place in document `data`."""
    part, node, owner = GUIDE, data, _("the guide")
    i = 0
    while i < len(path):
        key = path[i]
        child = next((c for c in part.children if c.key == key), None)
        if child is None:
            return _field_label(part, key), owner
        kind = str(child.model._meta.verbose_name)
        if i + 1 == len(path) or path[i + 1] == "#order":
            return _("Order of %(parts)s") % {"parts": child.model._meta.verbose_name_plural}, owner
        container = node.get(key) if isinstance(node, dict) else None
        item = _item(container, path[i + 1])
        if child.shape is Shape.MAPPING:
            target = _target_name(data, path[i + 1])
            owner = (
                f"{target} \N{MULTIPLICATION SIGN} {_name(node)}"
                if child.key == "ratings"
                else f"{owner}, {target}"
            )
        elif child.shape is Shape.VALUES:
            return capfirst(child.key.replace("_", " ")), owner
        else:
            owner = f"{kind} {quoted(_name(item) if item is not None else path[i + 1])}"
        part, node, i = child, item, i + 2
    if part.shape is Shape.MAPPING and len(part.fields) == 2:
        return _field_label(part, part.fields[1].key), owner  # a choice's points for an outcome
    return _("Whole part"), owner


def place_words(path: Path, data: dict[str, Any]) -> str:
    label, part = describe(path, data)
    if label == _("Whole part"):
        return part
    return _("the %(field)s of %(part)s") % {"field": label[0].lower() + label[1:], "part": part}


def merged_message(history: list[tuple[GuideVersion, Any]], kept: list[Path], data: Any) -> str:
    """'Merged with version 12 by alice: the tagline of outcome “PM-first”.'"""
    if not history:
        return ""
    first, last = history[0][0], history[-1][0]
    if first == last:
        with_whom = _("version %(number)s by %(editor)s") % saved_by(first)
    else:
        people = sorted({str(saved_by(version)["editor"]) for version, _data in history})
        span = f"{first.version}\N{EN DASH}{last.version}"
        editors = get_text_list(people, _("and"))
        with_whom = _("versions %(span)s by %(editors)s") % {"span": span, "editors": editors}
    places = list(dict.fromkeys(place_words(path, data) for path in kept))
    more = len(places) - SHOWN_PLACES
    listed = "; ".join(places[:SHOWN_PLACES]) or _("no content changes")
    if more > 0:
        listed = _("%(places)s; and %(count)s more") % {"places": listed, "count": more}
    return _("Merged with %(who)s: %(what)s.") % {"who": with_whom, "what": listed}
