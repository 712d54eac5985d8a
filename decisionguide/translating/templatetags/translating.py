"""Links to a guide's Translations pages, for the admin pages that show a guide."""

from __future__ import annotations

from django import template
from django.urls import reverse

from decisionguide.publishing.feedback import translation_languages
from decisionguide.translating.saving import language_in_sentence

register = template.Library()
PAGE = "admin:guides_guide_translations"


@register.simple_tag
def translation_links(guide) -> list[tuple[str, str]]:
    """(the language's name as the admin's language writes it mid-sentence, its
    Translations page) for each: "French", "français" — for a link such as
    `{% blocktranslate with language=name %}{{ language }} translation{% endblocktranslate %}`."""
    return [
        (language_in_sentence(code), reverse(PAGE, args=[guide.pk, code]))
        for code, _ in translation_languages()
    ]
