"""Small pieces of visitor-facing wording that sentences are built from, translatable whole.

Lists and quotes differ between languages ("A, B and C" / "A, B et C"; “x” / « x »), so
they come from the catalogue as patterns instead of being glued together in English.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import ngettext, pgettext


def quoted(text: str) -> str:
    """`text` in the language's quotation marks."""
    return pgettext("quoted text", "“%(text)s”") % {"text": text}


def join_and(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C", as the language writes a list."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    head = pgettext("list separator between items, not before the last", ", ").join(items[:-1])
    return pgettext("list: the first items and the last", "%(items)s and %(last)s") % {
        "items": head,
        "last": items[-1],
    }


def points_text(points: int) -> str:
    """ "1 point", "-3 points"."""
    return ngettext("%(count)d point", "%(count)d points", abs(points)) % {"count": points}


def join_all(items: Sequence[str]) -> str:
    """ "A, B, C": a plain enumeration, with the language's separator."""
    return pgettext("list separator between items, not before the last", ", ").join(items)
