"""What both translation commands take first: a guide by slug and a language."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from decisionguide.content.models import Guide
from decisionguide.translating.saving import target_languages


def add_guide_and_language(parser: CommandParser) -> None:
    parser.add_argument("guide", help="The guide's slug.")
    parser.add_argument("language", help="The language's code, such as fr.")


def guide_and_language(slug: str, language: str) -> Guide:
    guide = Guide.objects.filter(slug=slug).first()
    if guide is None:
        known = ", ".join(Guide.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"no guide with slug {slug!r} (known: {known or 'none'})")
    if language not in target_languages():
        known = ", ".join(target_languages())
        raise CommandError(f"{language!r} is not a language to translate into (known: {known})")
    return guide
