"""`manage.py loadguide [FILE ...]`: load guide content files into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from decisionguide.guides.content_io import ContentError, display_name, load_guide_files


class Command(BaseCommand):
    help = (
        "Validate guide content files (YAML), then create or update their guides in one "
        "transaction. Without arguments, loads every *.yaml/*.yml file in CONTENT_DIR. "
        "A guide whose content is unchanged keeps its version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", type=Path, help="Content files (default: all in CONTENT_DIR)."
        )

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        paths = files or content_files(Path(settings.CONTENT_DIR))
        try:
            reports = load_guide_files(paths)
        except ContentError as exc:
            # Nothing was written: files are all checked before the one transaction.
            raise CommandError(str(exc)) from None
        for report in reports:
            self.stdout.write(str(report))


def content_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise CommandError(f"{display_name(directory)}: content directory not found")
    files = sorted(
        path for path in directory.iterdir() if path.suffix in {".yaml", ".yml"} and path.is_file()
    )
    if not files:
        raise CommandError(f"{display_name(directory)}: no guide files (*.yaml, *.yml) found")
    return files
