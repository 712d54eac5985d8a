"""Errors in content files point at the line that is wrong: in `loadguide`, `checkguide
--file` and the admin's import page; and the import page's help says what importing does.

The real guide file (content/crm-pm-hybrid.yaml) is broken at one line found by its
content, and the line reported must be that line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.guidefiles.yaml_io import ContentError, check_guide_text
from tests.admin_forms import read_form
from tests.conftest import SEED_FILE

SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")
SEED_LINES = SEED_TEXT.split("\n")
NAME = "crm-pm-hybrid.yaml"
Edit = Callable[[str], str]


def line_matching(pattern: str, index: int = 0) -> int:
    """The 1-based number of the seed file's first line matching `pattern` (or the
    `index`-th: -1 for the last)."""
    numbers = [n for n, line in enumerate(SEED_LINES, 1) if re.search(pattern, line)]
    assert len(numbers) > max(index, -index - 1), f"{SEED_FILE.name}: too few {pattern!r}"
    return numbers[index]


def broken_at(number: int, edit: Edit) -> str:
    """The seed file's text with line `number` changed by `edit`."""
    lines = list(SEED_LINES)
    lines[number - 1] = edit(lines[number - 1])
    return "\n".join(lines)


def errors_in(text: str) -> list[ContentError]:
    doc, errors = check_guide_text(text, NAME)
    assert doc is None and errors
    return errors


def without_closing_quote(line: str) -> str:
    return line.rstrip().removesuffix('"')


# Lines holding a whole value in double quotes, e.g. `title: "CRM-first, ...?"`.
QUOTED = r'^\s*[a-z_]+: ".*"\s*$'
QUOTED_LINES = sorted({line_matching(QUOTED), line_matching(QUOTED, -1)})


# --- YAML syntax errors: the line (and column) of the mistake ------------------------------


@pytest.mark.parametrize("number", QUOTED_LINES)
def test_a_missing_closing_quote_is_reported_where_the_quote_opens(number: int) -> None:
    (error,) = errors_in(broken_at(number, without_closing_quote))
    assert (error.line, error.column) == (number, SEED_LINES[number - 1].index('"') + 1)
    assert str(error).startswith(f"{NAME}: line {number}, column {error.column}: invalid YAML")
    assert "closed" in error.message


def add_after_key(text: str) -> Edit:
    return lambda line: re.sub(r"^(\s*(?:- )?[a-z_]+: )", rf"\g<1>{text}", line, count=1)


# What to break: the first line matching the pattern (or the index-th), and how.
SYNTAX_ERRORS: list[tuple[str, str, int, Edit]] = [
    ("opening quote never closed", r"^    tagline: [A-Z]", 0, add_after_key('"')),
    ("single quote never closed", r"^    tagline: [A-Z]", 0, add_after_key("'")),
    ("key indented one space too far", r"^    tagline: ", 0, lambda line: " " + line),
    ("key indented one space too little", r"^    tagline: ", 0, lambda line: line[1:]),
    ("list item indented too little", r"^      - [A-Z]", 1, lambda line: line[1:]),
    ("tab for indentation", r"^    tagline: ", 0, lambda line: "\t" + line.lstrip()),
    ("unclosed bracket", r"^\s+in: \[[a-z-]+\]$", 0, lambda line: line.rstrip("]")),
    ("unclosed brace", r"^\s+points: \{.*\}$", 0, lambda line: line.rstrip("}")),
    (
        "key without its colon",
        r"^    tagline: ",
        0,
        lambda line: line.replace("tagline:", "tagline"),
    ),
    ("colon and space inside a value", r"^    tagline: [^:]*$", 0, lambda line: line + ": oops"),
    ("text of a block dedented", r"^      [A-Z][a-z]+ [a-z]+ [a-z]+", 0, lambda line: line[4:]),
    ("key given twice", r"^    tagline: ", 0, lambda line: line.replace("tagline:", "name:")),
]


@pytest.mark.parametrize(
    ("pattern", "index", "edit"),
    [pytest.param(p, i, e, id=name) for name, p, i, e in SYNTAX_ERRORS],
)
def test_a_syntax_error_is_reported_on_the_line_broken(
    pattern: str, index: int, edit: Edit
) -> None:
    number = line_matching(pattern, index)
    (error,) = errors_in(broken_at(number, edit))
    assert error.message.startswith("invalid YAML")
    assert error.line == number
    assert error.column is not None and 1 <= error.column <= len(SEED_LINES[number - 1]) + 1


def test_a_quote_left_open_at_the_end_of_the_file_points_at_the_quote() -> None:
    # On a line of its own: the file's last line may be a plain text, which a quote can't end.
    text = SEED_TEXT.rstrip("\n") + '\nsnapshot: "never closed\n'
    (error,) = errors_in(text)
    last = len(SEED_TEXT.rstrip("\n").split("\n")) + 1
    assert (error.line, error.column) == (last, len("snapshot: ") + 1)


# --- Validation errors: the line of the offending key, and its path ------------------------


def test_a_misspelt_outcome_in_points_gives_the_line_and_the_path() -> None:
    number = line_matching(r"^\s+points: \{crm-first: ")
    (error,) = errors_in(broken_at(number, lambda line: line.replace("crm-first", "crm-frist")))
    assert error.line == number
    assert re.fullmatch(r"questions\[\d+\]\.choices\[\d+\]\.points\.crm-frist", error.path)
    assert str(error).startswith(f"{NAME}: line {number}: {error.path}: unknown outcome")


def test_an_unknown_key_gives_its_line_and_the_missing_one_its_parents() -> None:
    number = line_matching(r"^    tagline: ")
    errors = errors_in(broken_at(number, lambda line: line.replace("tagline:", "tag_line:")))
    lines = {error.path: error.line for error in errors}
    item = max(n for n in range(1, number) if SEED_LINES[n - 1].startswith("  - slug: "))
    assert lines == {"outcomes[0].tag_line": number, "outcomes[0].tagline": item}


def test_a_reference_deep_in_a_scenario_gives_its_line() -> None:
    scenario = line_matching(r"^    outcome: ")
    text = broken_at(scenario, lambda line: line.split(":")[0] + ": nowhere")
    (error,) = errors_in(text)
    assert re.fullmatch(r"scenarios\[\d+\]\.outcome", error.path)
    assert error.line == scenario


def test_a_problem_of_the_whole_file_has_no_line() -> None:
    (error,) = errors_in("- just\n- a list\n")
    assert error.line is None
    assert str(error) == f"{NAME}: the file must hold a mapping of guide fields at the top level"


# --- The commands print the line --------------------------------------------------------------


def broken_file(tmp_path: Path) -> tuple[Path, int]:
    number = QUOTED_LINES[-1]
    path = tmp_path / NAME
    path.write_text(broken_at(number, without_closing_quote), encoding="utf-8")
    return path, number


@pytest.mark.django_db
def test_loadguide_names_the_line_of_a_syntax_error(tmp_path: Path) -> None:
    path, number = broken_file(tmp_path)
    with pytest.raises(CommandError, match=rf": line {number}, column \d+: invalid YAML"):
        call_command("loadguide", str(path), stdout=io.StringIO())
    assert not Guide.objects.exists()


def test_checkguide_names_the_line_of_a_validation_error(tmp_path: Path) -> None:
    number = line_matching(r"^\s+points: \{crm-first: ")
    path = tmp_path / NAME
    path.write_text(broken_at(number, lambda line: line.replace("crm-first", "crm-frist")))
    with pytest.raises(CommandError, match=rf": line {number}: questions\[\d+\]\S*crm-frist:"):
        call_command("checkguide", "--file", str(path), stdout=io.StringIO())


# --- The admin's import page -------------------------------------------------------------------


def upload(client: Client, text: str, *, publish: bool = False) -> str:
    url = reverse("admin:guides_guide_import")
    # The page's own fields first: it says which drafts it was loaded with.
    data: dict[str, Any] = read_form(client, url, "import-form").data()
    data["file"] = SimpleUploadedFile(NAME, text.encode())
    if publish:
        data["publish"] = "on"
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    return response.content.decode()


class ProblemsParser(HTMLParser):
    """The text of each item of the import page's list of problems."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "ul" and ("class", "import-problems") in attrs:
            self.depth = 1
        elif tag == "li" and self.depth:
            self.problems.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul":
            self.depth = 0

    def handle_data(self, data: str) -> None:
        if self.depth and self.problems:
            self.problems[-1] += data


def problems_on(html: str) -> list[str]:
    parser = ProblemsParser()
    parser.feed(html)
    return parser.problems


def test_the_import_page_shows_the_line_of_a_syntax_error(superuser_client: Client) -> None:
    number = QUOTED_LINES[0]
    html = upload(superuser_client, broken_at(number, without_closing_quote))
    (problem,) = problems_on(html)
    column = SEED_LINES[number - 1].index('"') + 1
    assert problem.startswith(f"{NAME}: line {number}, column {column}: invalid YAML")
    assert not Guide.objects.exists()


def test_the_import_page_shows_the_line_and_path_of_each_problem(
    superuser_client: Client,
) -> None:
    points = line_matching(r"^\s+points: \{crm-first: ")
    text = broken_at(points, lambda line: line.replace("crm-first", "crm-frist"))
    scenario = line_matching(r"^    outcome: ")
    lines = text.split("\n")
    lines[scenario - 1] = lines[scenario - 1].split(":")[0] + ": nowhere"
    problems = problems_on(upload(superuser_client, "\n".join(lines)))
    found = sorted(int(m[1]) for p in problems if (m := re.match(rf"{NAME}: line (\d+): \S", p)))
    assert found == sorted([points, scenario]) and len(problems) == 2
    assert not Guide.objects.exists()


def test_the_page_with_a_crlf_upload_counts_lines_as_the_editor_sees_them(
    superuser_client: Client,
) -> None:
    number = QUOTED_LINES[0]
    text = broken_at(number, without_closing_quote).replace("\n", "\r\n")
    (problem,) = problems_on(upload(superuser_client, text))
    assert problem.startswith(f"{NAME}: line {number}, column")


# --- What importing does, as the page's help says -------------------------------------------


def publish_help(client: Client) -> str:
    html = client.get(reverse("admin:guides_guide_import")).content.decode()
    match = re.search(r'id="id_publish_helptext">([^<]*)<', html)
    assert match
    return match[1]


def failing_scenario(text: str) -> str:
    data = yaml.safe_load(text)
    scenario = data["scenarios"][0]
    scenario["outcome"] = next(
        o["slug"] for o in data["outcomes"] if o["slug"] != scenario["outcome"]
    )
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def test_the_help_says_a_refused_publish_imports_nothing(
    superuser_client: Client, small_guide: Guide, small_file: Path
) -> None:
    assert "nothing is imported" in publish_help(superuser_client)
    before = small_guide.versions.count()
    html = upload(superuser_client, failing_scenario(small_file.read_text()), publish=True)
    assert "Untick" in problems_on(html)[0]
    assert small_guide.versions.count() == before


def test_unticked_a_failing_file_is_imported_as_the_draft(
    superuser_client: Client, small_guide: Guide, small_file: Path
) -> None:
    published = small_guide.published_version
    upload(superuser_client, failing_scenario(small_file.read_text()))
    small_guide.refresh_from_db()
    assert small_guide.version == published.version + 1
    assert small_guide.published_version == published
    assert Guide.objects.published().filter(pk=small_guide.pk).exists()


def test_an_import_never_takes_a_guide_off_the_site(
    superuser_client: Client, small_guide: Guide, small_file: Path
) -> None:
    data = yaml.safe_load(small_file.read_text())
    data.update(published=False, title="Imported while marked unpublished")
    upload(superuser_client, yaml.safe_dump(data, sort_keys=False))
    small_guide.refresh_from_db()
    assert small_guide.title == "Imported while marked unpublished"
    assert Guide.objects.published().filter(pk=small_guide.pk).exists()
