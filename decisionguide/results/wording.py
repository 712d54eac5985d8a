"""Small pieces of visitor-facing wording that sentences are built from, translatable whole.

Lists and quotes differ between languages ("A, B and C" / "A, B et C"; “x” / « x »), so
they come from the catalogue as patterns instead of being glued together in English: the
site's `quoted` and `join_list` (decisionguide.languages), and the two below.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import ngettext, pgettext


def points_text(points: int) -> str:
    """ "1 point", "-3 points"."""
    return ngettext("%(count)d point", "%(count)d points", abs(points)) % {"count": points}


def join_all(items: Sequence[str]) -> str:
    """ "A, B, C": a plain enumeration, with the language's separator."""
    return pgettext("list separator between items, not before the last", ", ").join(items)
