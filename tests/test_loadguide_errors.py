"""loadguide refusing bad content: one line naming the file and key path, the database untouched.

Helpers: tests/guide_files.py.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError

from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.guidefiles.yaml_io import ContentError, display_name
from tests.guide_files import Data, database_state, loadguide, refused_load

pytestmark = pytest.mark.django_db


# --- Validation errors: one line, file and key path, database untouched ----------------

Edit = Callable[[Data], Any]


def set_in(path: list[str | int], value: Any) -> Edit:
    def edit(data: Data) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def delete(key: str) -> Edit:
    return lambda data: data.pop(key)


def duplicate_outcome_slug(data: Data) -> None:
    data["outcomes"][1]["slug"] = data["outcomes"][0]["slug"]


def add_question_named_like_a_written_answer(data: Data) -> None:
    extra = copy.deepcopy(data["questions"][0])
    extra.pop("show_if", None)
    extra["slug"] = "helpers_text"  # the "helpers" question asks for a written answer
    data["questions"].append(extra)


INVALID_EDITS: list[tuple[str, Edit, str]] = [
    ("missing field", delete("title"), "title: required field is missing"),
    ("unknown field", set_in(["colour"], "blue"), "colour: unknown field"),
    (
        "unknown nested field",
        set_in(["outcomes", 0, "colour"], "blue"),
        "outcomes[0].colour: unknown field",
    ),
    ("duplicate slug", duplicate_outcome_slug, "outcomes[1].slug: duplicate slug 'calendar'"),
    ("bad slug", set_in(["slug"], "Not A Slug"), "slug: 'Not A Slug' is not a valid slug"),
    (
        "unknown default outcome",
        set_in(["default_outcome"], "nope"),
        "default_outcome: unknown outcome 'nope'",
    ),
    (
        "unknown scenario outcome",
        set_in(["scenarios", 0, "outcome"], "nope"),
        "scenarios[0].outcome: unknown outcome 'nope'",
    ),
    (
        "unknown points outcome",
        set_in(["questions", 0, "choices", 0, "points"], {"nope": 1}),
        "questions[0].choices[0].points.nope: unknown outcome 'nope'",
    ),
    (
        "unknown next page",
        set_in(["outcomes", 0, "next_pages"], ["nope"]),
        "outcomes[0].next_pages[0]: unknown linked page 'nope'",
    ),
    (
        "unknown route",
        set_in(["questions", 2, "choices", 1, "route"], "nope"),
        "questions[2].choices[1].route: unknown linked page 'nope'",
    ),
    (
        "unknown page link in Markdown",
        set_in(["shortcut"], "See [this](page:nope)."),
        "shortcut: unknown linked page 'nope'",
    ),
    (
        "unknown scenario question",
        set_in(["scenarios", 0, "answers"], {"nope": "few"}),
        "scenarios[0].answers.nope: unknown question 'nope'",
    ),
    (
        "unknown scenario choice",
        set_in(["scenarios", 0, "answers", "shoots"], "nope"),
        "scenarios[0].answers.shoots: unknown choice 'nope'",
    ),
    (
        "unknown condition choice",
        set_in(["questions", 1, "show_if", "any", 0, "in"], ["nope"]),
        "questions[1].show_if.any[0].in[0]: unknown choice 'nope'",
    ),
    (
        "condition on a later question",
        set_in(["questions", 0, "show_if"], {"all": [{"question": "helpers", "in": ["other"]}]}),
        "questions[0].show_if.all[0].question: unknown or later question 'helpers'",
    ),
    (
        "condition on an unknown question",
        set_in(["notes", 0, "when", "all", 0, "question"], "nope"),
        "notes[0].when.all[0].question: unknown or later question 'nope'",
    ),
    (
        "empty condition",
        set_in(["gates", 0, "unless"], {}),
        "gates[0].unless: a condition needs at least one clause",
    ),
    (
        "free text on an unknown choice",
        set_in(["questions", 2, "free_text", "choice"], "nope"),
        "questions[2].free_text.choice: unknown choice 'nope'",
    ),
    (
        "same page twice",
        set_in(["outcomes", 1, "next_pages"], ["contract-basics", "contract-basics"]),
        "outcomes[1].next_pages[1]: page “contract-basics” is listed twice",
    ),
    (
        "same choice twice in a condition",
        set_in(["gates", 0, "unless", "all", 0, "in"], ["many", "many"]),
        "gates[0].unless.all[0].in[1]: choice “many” is listed twice",
    ),
    (
        "list item over two lines",
        set_in(["outcomes", 0, "best_for", 1], "two\nlines"),
        "outcomes[0].best_for[1]: each item must be a single line",
    ),
    (
        "points too large to store",
        set_in(["questions", 0, "choices", 0, "points", "calendar"], 2**40),
        "questions[0].choices[0].points.calendar: points must be between",
    ),
    (
        "question slug the questionnaire's URLs use",
        set_in(["questions", 2, "slug"], "preview"),
        "questions[2].slug: 'preview' is reserved by the questionnaire's URLs",
    ),
    (
        "question slug that clashes with a written answer",
        add_question_named_like_a_written_answer,
        "questions[3].slug: 'helpers_text' clashes with the written answer to question 'helpers'",
    ),
    (
        "url too long to store",
        set_in(["linked_pages", 1, "url"], "https://example.org/" + "a" * 500),
        "linked_pages[1].url: at most 500 characters allowed",
    ),
    (
        "rating level out of range",
        set_in(["criteria", 0, "ratings", "calendar", "level"], 7),
        "criteria[0].ratings.calendar.level: Input should be less than or equal to 3",
    ),
]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [pytest.param(edit, expected, id=name) for name, edit, expected in INVALID_EDITS],
)
def test_invalid_content_is_refused_with_one_line(
    small_guide: Guide, small_file: Path, tmp_path: Path, edit: Edit, expected: str
) -> None:
    message, bad_file = refused_load(small_file, tmp_path, edit, "bad.yaml")
    assert "\n" not in message
    # The line of the key (test_import_errors checks which), unless it is a missing top-level one.
    where = "" if edit is INVALID_EDITS[0][1] else r"line \d+: "
    assert re.match(rf"{re.escape(display_name(bad_file))}: {where}{re.escape(expected)}", message)


RAW_FILES = [
    ("malformed YAML", "slug: photo\ntitle: [unclosed\n", "line 2, column 8: invalid YAML"),
    ("bad indentation", "slug: a\n  title: b\n", "line 2, column 8: invalid YAML"),
    ("not a mapping", "- one\n- two\n", "the file must hold a mapping of guide fields"),
    ("a plain string", "just words\n", "the file must hold a mapping of guide fields"),
    ("empty file", "", "the file is empty"),
    ("only a comment", "# nothing yet\n", "the file is empty"),
    ("duplicate key", "slug: a\ntitle: b\ntitle: c\n", "line 3, column 1: invalid YAML: duplicate"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, expected, id=name) for name, text, expected in RAW_FILES],
)
def test_unreadable_files_are_refused_with_one_line(
    small_guide: Guide, tmp_path: Path, text: str, expected: str
) -> None:
    bad_file = tmp_path / "bad.yaml"
    bad_file.write_text(text, encoding="utf-8")
    before = database_state()
    with pytest.raises(CommandError) as excinfo:
        loadguide(bad_file)
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith(f"{display_name(bad_file)}: {expected}")
    assert database_state() == before


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(CommandError, match=r"missing\.yaml: no such file$"):
        loadguide(missing)


def test_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    bad_file = tmp_path / "latin1.yaml"
    bad_file.write_bytes("title: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(CommandError, match=r"latin1\.yaml: is not UTF-8 text$"):
        loadguide(bad_file)


def test_loadguide_exits_non_zero(tmp_path: Path) -> None:
    bad_file = tmp_path / "bad.yaml"
    bad_file.write_text("- not a guide\n", encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        loadguide(bad_file)
    assert excinfo.value.returncode == 1


def test_content_error_is_one_line() -> None:
    error = ContentError("content/x.yaml", "outcomes[1].slug", "duplicate\nslug 'pm-first'")
    assert str(error) == "content/x.yaml: outcomes[1].slug: duplicate slug 'pm-first'"
    assert str(ContentError("x.yaml", "", "the file is empty")) == "x.yaml: the file is empty"


def test_document_problems_lists_every_problem(small_document: GuideDocument) -> None:
    from decisionguide.guidefiles.validation import document_problems

    data = small_document.to_data()
    del data["title"]
    data["slug"] = "Not A Slug"
    problems = [str(p) for p in document_problems(data)]
    assert problems == [
        "slug: 'Not A Slug' is not a valid slug (lowercase letters, digits, - or _)",
        "title: required field is missing",
    ]
    assert document_problems(small_document.to_data()) == []
