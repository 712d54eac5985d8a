"""`manage.py importtranslations GUIDE LANGUAGE FILE`: a translated PO file into the draft."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from decisionguide.publishing.concurrency import StaleDraft
from decisionguide.translating.management.commands._guide_language import (
    add_guide_and_language,
    guide_and_language,
)
from decisionguide.translating.po import PO_MAX_BYTES
from decisionguide.translating.saving import PoRefused, change_note, import_file


class Command(BaseCommand):
    help = (
        "Save the translations a PO file changes as one new draft version; nothing is saved "
        "when any entry is wrong (each problem is listed with its line)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_guide_and_language(parser)
        parser.add_argument("file", help="The PO file.")

    def handle(self, *args: Any, guide: str, language: str, file: str, **options: Any) -> None:
        found = guide_and_language(guide, language)
        path = Path(file)
        try:
            if path.stat().st_size > PO_MAX_BYTES:
                raise CommandError(f"{file}: the file is too large (over {PO_MAX_BYTES:,} bytes)")
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: can't be read as UTF-8 text ({exc})") from None
        try:
            saved = import_file(None, found, language, text)
        except PoRefused as exc:
            raise CommandError(
                "\n".join([f"{file}: nothing imported", *(f"{file}: {p}" for p in exc.problems)])
            ) from None
        except StaleDraft as exc:
            raise CommandError(f"{file}: {exc}") from None
        if saved:
            found.refresh_from_db()
            note = change_note(saved, language)
            self.stdout.write(f"{file}: {note} (draft version {found.version}).")
        else:
            self.stdout.write(f"{file}: nothing changed.")
