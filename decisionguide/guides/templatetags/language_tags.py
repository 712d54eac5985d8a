"""`{% language_links as links %}`: the page in every public language (languages.py)."""

from typing import Any

from django import template

from decisionguide.languages import LanguageLink, language_links

register = template.Library()


@register.simple_tag(takes_context=True)
def page_languages(context: dict[str, Any]) -> list[LanguageLink]:
    """Empty where there is no request to go by (error pages rendered without one) or no
    resolved public page."""
    request = context.get("request")
    if request is None or getattr(request, "resolver_match", None) is None:
        return []
    return language_links(request)
