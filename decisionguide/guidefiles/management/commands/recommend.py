"""`manage.py recommend GUIDE q=choice ...`: the engine's decision as JSON.

For editors checking content and for scripts: answers go in as
`question=choice` pairs (or JSON lines with `--batch`), the decision comes
out exactly as results store it (`Decision.to_json()`). Answers are checked
strictly, unlike the questionnaire, which quietly drops what does not fit:
a typo here should fail loudly, naming the question and what is allowed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import check_answers, evaluate

USAGE_ERROR = 2
STDIN = "-"


def usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


class Command(BaseCommand):
    help = (
        "Print the recommendation for a set of answers as one JSON object. "
        "Answers are QUESTION=CHOICE pairs; with --batch FILE (or - for stdin) each line "
        "is a JSON object of answers and one JSON line is printed per line. Answers must "
        "be complete and valid for the guide, else the command exits with status 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("guide", help="The guide's slug.")
        parser.add_argument("answers", nargs="*", help="Answers as QUESTION=CHOICE.")
        parser.add_argument(
            "--batch",
            metavar="FILE",
            help="Read one JSON object of answers per line from FILE ('-' for stdin).",
        )

    def handle(self, *args: Any, guide: str, answers: list[str], **options: Any) -> None:
        doc = load_document(guide)
        batch: str | None = options["batch"]
        if batch is None:
            parsed = parse_pairs(doc, answers)
            check(doc, parsed)
            decision = evaluate(doc, parsed)
            self.stdout.write(json.dumps(decision.to_json(), indent=2))
            return
        if answers:
            raise usage_error("give answers either as QUESTION=CHOICE arguments or with --batch")
        # Check every line before printing anything, so a bad line never
        # leaves half a batch of output behind.
        profiles = read_batch(doc, batch)
        for profile in profiles:
            decision = evaluate(doc, profile)
            self.stdout.write(json.dumps(decision.to_json()))


def load_document(slug: str) -> GuideDocument:
    try:
        guide = Guide.objects.get(slug=slug)
    except Guide.DoesNotExist:
        known = ", ".join(Guide.objects.order_by("slug").values_list("slug", flat=True))
        raise usage_error(f"unknown guide {slug!r} (guides: {known or 'none loaded'})") from None
    # What visitors see; a guide that was never published has only its draft.
    return guide.published_document() if guide.published_version_id else guide.draft_document()


def questions_list(doc: GuideDocument) -> str:
    return ", ".join(q.slug for q in doc.questions)


def parse_pairs(doc: GuideDocument, pairs: Iterable[str]) -> dict[str, str]:
    answers: dict[str, str] = {}
    for pair in pairs:
        question, sep, choice = pair.partition("=")
        question, choice = question.strip(), choice.strip()
        if not sep or not question or not choice:
            raise usage_error(
                f"malformed answer {pair!r}: write QUESTION=CHOICE "
                f"(questions: {questions_list(doc)})"
            )
        if question in answers:
            raise usage_error(f"{question}: answered twice ({answers[question]!r} and {choice!r})")
        answers[question] = choice
    return answers


def check(doc: GuideDocument, answers: dict[str, str], where: str = "") -> None:
    problems = check_answers(doc, answers, complete=True)
    if problems:
        raise usage_error(f"{where}{problems[0].message}")


def read_batch(doc: GuideDocument, source: str) -> list[dict[str, str]]:
    if source == STDIN:
        return parse_batch(doc, sys.stdin)
    path = Path(source)
    try:
        with path.open(encoding="utf-8") as stream:
            return parse_batch(doc, stream)
    except OSError as exc:
        raise usage_error(f"{source}: can't read the batch file ({exc.strerror})") from None


def parse_batch(doc: GuideDocument, stream: TextIO) -> list[dict[str, str]]:
    """One answers object per non-blank line, each checked like command-line answers."""
    profiles: list[dict[str, str]] = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        where = f"line {number}: "
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise usage_error(f"{where}not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise usage_error(
                f"{where}expected a JSON object of question: choice "
                f"(questions: {questions_list(doc)})"
            )
        # Non-string values are reported by check_answers as unknown choices.
        check(doc, data, where)
        profiles.append(data)
    return profiles
