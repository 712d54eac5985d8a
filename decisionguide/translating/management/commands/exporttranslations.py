"""`manage.py exporttranslations GUIDE LANGUAGE [FILE]`: a guide's texts as a PO file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from decisionguide.decision.document import DocumentError
from decisionguide.translating.management.commands._guide_language import (
    add_guide_and_language,
    guide_and_language,
)
from decisionguide.translating.po import export_po
from decisionguide.translating.saving import draft_data


class Command(BaseCommand):
    help = (
        "Write the draft's texts and their translations into LANGUAGE as a PO file (to FILE, "
        "or printed): out-of-date ones fuzzy, with the English they were made from."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_guide_and_language(parser)
        parser.add_argument("file", nargs="?", help="Where to write it (default: print it).")

    def handle(self, *args: Any, guide: str, language: str, **options: Any) -> None:
        found = guide_and_language(guide, language)
        try:
            text = export_po(draft_data(found), language, project=found.slug)
        except DocumentError as exc:
            raise CommandError(f"{guide}: {exc}") from None
        if options.get("file"):
            Path(options["file"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
