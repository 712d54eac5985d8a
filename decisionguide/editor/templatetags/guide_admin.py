"""Template tags of the editor admin's own pages."""

from __future__ import annotations

from typing import Any

from django import template

from decisionguide.checking.checks import ScenarioCheck
from decisionguide.content.models import Choice, Guide
from decisionguide.publishing.feedback import REASON_TEMPLATE, PartLinks, reason_context

register = template.Library()

_LINKS_KEY = "decisionguide_part_links"


@register.inclusion_tag(REASON_TEMPLATE, takes_context=True)
def scenario_reason(context: template.Context, check: ScenarioCheck) -> dict[str, Any]:
    """Why a scenario ends where it does, every answer's push linked to its choice.

    The page's guide is `original` (the admin's change pages and the guide's
    own pages set it); its links are looked up once per rendered report.
    """
    guide = context.get("original")
    if not isinstance(guide, Guide):
        return {"explanation": None}
    links = context.render_context.get(_LINKS_KEY)
    if links is None:
        links = context.render_context[_LINKS_KEY] = PartLinks(guide)
    return reason_context(check, links, brief=False)


@register.filter
def row_title(row: Any) -> str:
    """A row's heading in an ordered inline: a choice by its own label (its page
    already names the question), anything else as it names itself."""
    return row.label if isinstance(row, Choice) else str(row)
