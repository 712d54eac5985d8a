"""Counts in the editors' pages, grouped in thousands as the page's language groups them.

A big guide's answer space is far larger than a float holds (30^289 answer sets broke
a change page once): this filter never turns a count into a float. Plurals are the
catalogue's (`{% blocktranslate count %}`), never built here.

    {% load counts %}
    {{ funnel.starts|thousands }}                     -> 12,345 (12 345 in French)
"""

from __future__ import annotations

from typing import Any

from django import template

from decisionguide.languages import format_count

register = template.Library()


def whole(value: Any) -> int | None:
    """`value` as a whole number, or None for anything that isn't one (floats included)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


@register.filter
def thousands(value: Any) -> str:
    """A whole number grouped in thousands as the language writes it; anything else as it is."""
    number = whole(value)
    return format_count(number) if number is not None else str(value)
