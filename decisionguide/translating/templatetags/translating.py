"""Links to a guide's Translations pages, for the admin pages that show a guide."""

from __future__ import annotations

from django import template
from django.urls import reverse

from decisionguide.publishing.feedback import translation_languages
from decisionguide.translating.saving import language_name

register = template.Library()


@register.simple_tag
def translation_links(guide) -> list[tuple[str, str]]:
    """(name of the language in the admin's language, its Translations page) for each."""
    return [
        (language_name(code), reverse("admin:guides_guide_translations", args=[guide.pk, code]))
        for code, _ in translation_languages()
    ]
