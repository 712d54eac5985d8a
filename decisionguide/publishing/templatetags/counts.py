"""Counts in the editors' pages: grouped in thousands and pluralised on whole numbers.

Django's `pluralize` compares `float(value)`, which raises OverflowError past
about 10^308, and a big guide's answer space is far larger (30^289 answer sets
broke a change page). These filters never turn a count into a float.

    {% load counts %}
    {{ coherence.checked|counted:"answer set" }}      -> 174,964 answer sets
    {{ total|counted:"person,people" }}               -> 1 person / 2 people
    {{ funnel.starts|thousands }}                     -> 12,345 (12 345 in French)
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

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
    return number_format(number, force_grouping=True) if number is not None else str(value)


@register.filter
def counted(value: Any, noun: str) -> str:
    """The count and its noun: "1 answer set", "1,234 answer sets" ("person,people")."""
    one, _, many = noun.partition(",")
    return f"{thousands(value)} {one if whole(value) == 1 else (many or one + 's')}"
