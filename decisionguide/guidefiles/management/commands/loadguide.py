"""`manage.py loadguide [FILE ...]`: load guide content files into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from decisionguide.checking.problem_words import publish_problems
from decisionguide.content.language_lines import publish_lines
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.guidefiles.loading import LoadReport, load_guide_files
from decisionguide.guidefiles.yaml_io import (
    CONTENT_FILE_MAX_BYTES,
    ContentError,
    FileTooLarge,
    display_name,
)


class Command(BaseCommand):
    help = (
        "Validate guide content files (YAML), then create or update their guides in one "
        "transaction. Without arguments, loads every *.yaml/*.yml file in CONTENT_DIR. "
        "A guide whose content is unchanged keeps its version; one whose draft was edited "
        "since its file was last loaded is skipped (--force loads it). A file marked published "
        "is published only if it passes the checks the admin's Publish runs; otherwise it "
        "is loaded as the draft and the reasons are printed. A guide whose publishing needs "
        "a review (set in the admin) is never published by a file: it is loaded as the draft, "
        "for an editor to mark ready for review and another to approve."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", type=Path, help="Content files (default: all in CONTENT_DIR)."
        )
        parser.add_argument(
            "--max-bytes",
            type=positive_int,
            default=CONTENT_FILE_MAX_BYTES,
            metavar="N",
            help=f"Refuse files larger than N bytes (default {CONTENT_FILE_MAX_BYTES:,}, "
            "the admin import's limit).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load files even over drafts edited (in the admin) since the file was last "
            "loaded; without it those guides are skipped with a message. The replaced edits "
            "stay in the guide's history.",
        )
        parser.add_argument(
            "--force-publish",
            action="store_true",
            help="Publish files marked published even when their checks fail (with a warning). "
            "Never for a guide whose publishing needs a review: that is the editors' call.",
        )

    def handle(
        self,
        *args: Any,
        files: list[Path],
        max_bytes: int,
        force: bool,
        force_publish: bool,
        **options: Any,
    ) -> None:
        paths = files or content_files(Path(settings.CONTENT_DIR))
        refused: dict[str, list[str]] = {}
        # Guides whose review step is on: a file may update their draft, never publish it.
        needs_review = set(
            Guide.objects.filter(publishing_needs_review=True).values_list("slug", flat=True)
        )
        held: set[str] = set()

        def may_publish(doc: GuideDocument) -> bool:
            if doc.slug in needs_review:
                held.add(doc.slug)
                return False
            # From a shell nothing waits on a request: the checks take the time they need.
            problems = publish_problems(doc, in_full=True)
            if problems:
                refused[doc.slug] = problems
            return force_publish or not problems

        try:
            reports = load_guide_files(
                paths, max_bytes=max_bytes, may_publish=may_publish, force=force
            )
        except FileTooLarge as exc:
            raise CommandError(f"{exc} (--max-bytes raises the limit)") from None
        except ContentError as exc:
            # Nothing was written: files are all checked before the one transaction.
            raise CommandError(str(exc)) from None
        for report in reports:
            if report.status == "skipped":
                self.stdout.write(self.style.WARNING(str(report)))
                continue
            self.stdout.write(str(report))
            guide = report.guide
            if report.changed and guide.is_listed and not guide.has_unpublished_changes():
                # What this publish did for each language (content.language_lines).
                for line in publish_lines(report.guide):
                    self.stdout.write(f"{report.guide.slug}: {line}")
            problems = refused.get(report.guide.slug)
            if report.guide.slug in held:
                # Said only while the draft differs from what visitors see.
                if report.guide.has_unpublished_changes() or not report.guide.is_listed:
                    self.explain_review(report)
            elif problems and force_publish:
                self.warn_forced(report, problems)
            elif problems:
                self.explain_draft(report, problems)

    def explain_draft(self, report: LoadReport, problems: list[str]) -> None:
        slug = report.guide.slug
        lines = [f"{slug}: not published: it fails the checks a guide must pass to go live:"]
        lines += [f"  {problem}" for problem in problems]
        lines.append(
            f"{slug}: loaded as the draft; visitors keep seeing what they saw before (a new "
            "guide stays unlisted). Fix the file and load it again (checkguide --file shows "
            "every check), or load it with --force-publish."
        )
        self.stdout.write(self.style.WARNING("\n".join(lines)))

    def explain_review(self, report: LoadReport) -> None:
        slug = report.guide.slug
        self.stdout.write(
            self.style.WARNING(
                f"{slug}: not published: publishing this guide needs a review. Loaded as the "
                "draft; visitors keep seeing what they saw before. In the admin, an editor marks "
                "the draft ready for review and another editor who may approve publishes it "
                "(--force-publish does not skip a review)."
            )
        )

    def warn_forced(self, report: LoadReport, problems: list[str]) -> None:
        slug = report.guide.slug
        lines = [f"WARNING: {slug}: published with --force-publish although it fails checks:"]
        lines += [f"  {problem}" for problem in problems]
        lines.append(f"WARNING: {slug}: visitors now see this version.")
        self.stderr.write("\n".join(lines), self.style.ERROR)


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def content_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise CommandError(f"{display_name(directory)}: content directory not found")
    files = sorted(
        path for path in directory.iterdir() if path.suffix in {".yaml", ".yml"} and path.is_file()
    )
    if not files:
        raise CommandError(f"{display_name(directory)}: no guide files (*.yaml, *.yml) found")
    return files
