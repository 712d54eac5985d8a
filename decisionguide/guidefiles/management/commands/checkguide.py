"""`manage.py checkguide [SLUG ...]` or `--file PATH ...`: do guides give the expected answers?

For each guide: every scenario's answers run through the engine (expected
vs actual outcome, and why), outcomes no answers can reach, questions that
can never be shown, choices with no effect, and result pages that contradict
themselves, counted by kind with examples in words. Exits with status 1 when a
scenario fails, an outcome is unreachable or any answers give a contradiction,
so CI can run it on content/:

    manage.py checkguide --file content/*.yaml     (no database needed)
    manage.py checkguide                           (every guide's draft in the database)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from decisionguide.checking.checks import check_document, report_lines
from decisionguide.checking.logic_map import render_svg
from decisionguide.content.models import Guide
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.guidefiles.yaml_io import ContentError, display_name, read_guide_file

FAILED = 1
USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Check guides: scenarios give their expected outcomes, every outcome is reachable, "
        "every question can be shown, no result page contradicts itself; list choices with "
        "no effect. Checks the drafts of the "
        "given guides (all guides without SLUG), the published versions with --published, "
        "or content files with --file (no database). Exits 1 when a check fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="Guides to check.")
        parser.add_argument(
            "--file",
            dest="files",
            nargs="+",
            type=Path,
            metavar="PATH",
            help="Check these YAML content files instead of the database.",
        )
        parser.add_argument(
            "--published",
            action="store_true",
            help="Check what visitors see (the published versions) instead of the drafts.",
        )
        parser.add_argument(
            "--all-decisions",
            action="store_true",
            help="Check the whole decision (every change under “What would change it”) of "
            "every answer set, not only of as many as the usual time allows (slower: about "
            "half a millisecond an answer set).",
        )
        parser.add_argument(
            "--map",
            dest="map_path",
            type=Path,
            metavar="FILE.svg",
            help="Also draw the guide's logic (questions, choices, what they push, gates, "
            "notes) as SVG into FILE.svg; with several guides, FILE-<slug>.svg each.",
        )

    def handle(self, *args: Any, slugs: list[str], files: list[Path] | None, **options: Any):
        if files and slugs:
            raise CommandError("give guide slugs or --file paths, not both", returncode=USAGE_ERROR)
        targets = self.file_targets(files) if files else self.guide_targets(slugs, options)
        failed = []
        for heading, doc in targets:
            if options["all_decisions"]:
                report = check_document(doc, decision_budget=None)
            else:
                report = check_document(doc)
            self.stdout.write("\n".join(report_lines(report, heading)))
            if not report.passes:
                failed.append(doc.slug)
            if options["map_path"] is not None:
                self.write_map(doc, options["map_path"], several=len(targets) > 1)
        if failed:
            raise CommandError(f"checks failed for: {', '.join(failed)}", returncode=FAILED)

    def write_map(self, doc: GuideDocument, path: Path, *, several: bool) -> None:
        if several:
            path = path.with_name(f"{path.stem}-{doc.slug}{path.suffix or '.svg'}")
        try:
            path.write_text(render_svg(doc), encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                f"{path}: can't write the map ({exc.strerror})", USAGE_ERROR
            ) from None
        self.stdout.write(f"  Map of the logic: {path}")

    def file_targets(self, files: list[Path]) -> list[tuple[str, GuideDocument]]:
        targets = []
        for path in files:
            try:
                doc = read_guide_file(path)
            except ContentError as exc:
                raise CommandError(str(exc), returncode=FAILED) from None
            targets.append((f"{doc.slug} ({display_name(path)})", doc))
        return targets

    def guide_targets(
        self, slugs: list[str], options: dict[str, Any]
    ) -> list[tuple[str, GuideDocument]]:
        guides = list(Guide.objects.order_by("slug"))
        known = {guide.slug: guide for guide in guides}
        unknown = [slug for slug in slugs if slug not in known]
        if unknown:
            raise CommandError(
                f"unknown guide {unknown[0]!r} (guides: {', '.join(known) or 'none loaded'})",
                returncode=USAGE_ERROR,
            )
        chosen = [known[slug] for slug in slugs] if slugs else guides
        if not chosen:
            raise CommandError("no guides in the database", returncode=USAGE_ERROR)
        targets = []
        for guide in chosen:
            if options["published"]:
                if guide.published_version_id is None:
                    raise CommandError(f"{guide.slug}: never published", returncode=FAILED)
                version = guide.published_version
                heading = f"{guide.slug} (published, version {version.version})"
                targets.append((heading, version.as_document()))
                continue
            try:
                doc = guide.draft_document()
            except DocumentError as exc:
                raise CommandError(f"{guide.slug}: {exc}", returncode=FAILED) from None
            targets.append((f"{guide.slug} (draft, version {guide.version})", doc))
        return targets
