"""`manage.py dumpguide SLUG`: print a guide as a content file (YAML)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from decisionguide.content.models import Guide
from decisionguide.decision.document import DocumentError
from decisionguide.guidefiles.yaml_io import dump_guide_yaml


class Command(BaseCommand):
    help = "Print a guide's current content as YAML that `loadguide` reads back unchanged."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The guide's slug.")

    def handle(self, *args: Any, slug: str, **options: Any) -> None:
        guide = Guide.objects.filter(slug=slug).first()
        if guide is None:
            known = ", ".join(Guide.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"no guide with slug {slug!r} (known: {known or 'none'})")
        try:
            text = dump_guide_yaml(guide)
        except DocumentError as exc:  # rows edited into an invalid guide
            raise CommandError(f"{slug}: {exc}") from None
        self.stdout.write(text, ending="")
