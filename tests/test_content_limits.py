"""Limits on content: file size, text lengths, list lengths and a whole guide's size.

Every limit is refused with a message naming the key path and the limit, with
nothing changed; and a guide as large as the limits allow still renders fast.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.decision import document as schema
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.decision.engine import next_question
from decisionguide.decision.parsing import parse_document, size_problem
from decisionguide.guidefiles.loading import apply_document
from decisionguide.guidefiles.yaml_io import CONTENT_FILE_MAX_BYTES, display_name
from tests.admin_forms import admin_form, change_url, post, upload
from tests.answers import first_choice_answers
from tests.builders import generated_document
from tests.guide_files import database_state, loadguide, refused_load
from tests.limits_guide import characters, guide_at_the_limits

pytestmark = pytest.mark.django_db

Data = dict[str, Any]
# Generous: the figures measured are printed; a bound this loose only catches a regression
# back to pages that take many seconds.
RENDER_BOUND = 5.0


def numbered(items: list[Data], count: int, key: str = "slug") -> list[Data]:
    """`count` copies of the first item, with distinct slugs."""
    return [{**copy.deepcopy(items[0]), key: f"{items[0][key]}-{n}"} for n in range(count)]


def too_many_questions(data: Data) -> None:
    data["questions"] = numbered(data["questions"][-1:], schema.MAX_QUESTIONS + 1)
    data["scenarios"] = []


def too_many_choices(data: Data) -> None:
    question = data["questions"][0]
    question["choices"] += [
        {"slug": f"extra-{n}", "label": f"Extra {n}"}
        for n in range(schema.MAX_CHOICES + 1 - len(question["choices"]))
    ]


def set_text(key_path: list[str | int], value: str) -> Callable[[Data], None]:
    def edit(data: Data) -> None:
        node: Any = data
        for key in key_path[:-1]:
            node = node[key]
        node[key_path[-1]] = value

    return edit


LIMITS: list[tuple[str, Callable[[Data], None], str]] = [
    (
        "long Markdown",
        set_text(["intro"], "x" * (schema.TEXT_MAX_LENGTH + 1)),
        "intro: at most 10000 characters allowed (this one has 10001)",
    ),
    (
        "long nested text",
        set_text(["outcomes", 1, "strengths"], "y" * 10_500),
        "outcomes[1].strengths: at most 10000 characters allowed (this one has 10500)",
    ),
    (
        "long hint",
        set_text(["questions", 0, "choices", 1, "hint"], "z" * 10_001),
        "questions[0].choices[1].hint: at most 10000 characters allowed (this one has 10001)",
    ),
    (
        "long line",
        set_text(["questions", 0, "prompt"], "Why " * 80),
        "questions[0].prompt: at most 300 characters allowed (this one has 319)",
    ),
    (
        "too many questions",
        too_many_questions,
        "questions: at most 300 items allowed (this one has 301)",
    ),
    (
        "too many choices",
        too_many_choices,
        "questions[0].choices: at most 30 items allowed (this one has 31)",
    ),
    (
        "too many outcomes",
        lambda data: data.update(outcomes=numbered(data["outcomes"], schema.MAX_OUTCOMES + 1)),
        "outcomes: at most 20 items allowed (this one has 21)",
    ),
    (
        "too many scenarios",
        lambda data: data.update(scenarios=numbered(data["scenarios"], schema.MAX_SCENARIOS + 1)),
        "scenarios: at most 50 items allowed (this one has 51)",
    ),
    (
        "too many linked pages",
        lambda data: data.update(
            linked_pages=numbered(data["linked_pages"], schema.MAX_LINKED_PAGES + 1)
        ),
        "linked_pages: at most 100 items allowed (this one has 101)",
    ),
    (
        "too many edge cases",
        lambda data: data.update(edge_cases=["An edge."] * (schema.MAX_LIST_ITEMS + 1)),
        "edge_cases: at most 50 items allowed (this one has 51)",
    ),
    (
        "too much text in all",
        lambda data: data.update(edge_cases=["w" * 9_000] * 23),
        "the guide is too large: over 200,000 characters of text, the most it may have",
    ),
]


@pytest.mark.parametrize(
    ("edit", "expected"), [pytest.param(edit, msg, id=name) for name, edit, msg in LIMITS]
)
def test_content_over_a_limit_is_refused_naming_it_and_nothing_changes(
    small_guide: Guide, small_file: Path, tmp_path: Path, edit, expected: str
) -> None:
    message, bad_file = refused_load(small_file, tmp_path, edit, "too-much.yaml")
    where = r"(line \d+: )?"  # the line of the key named: test_import_errors checks it
    name = re.escape(display_name(bad_file))
    assert re.fullmatch(rf"{name}: {where}{re.escape(expected)}", message)


def test_the_seed_guide_and_the_benchmark_guide_fit_well_within_the_limits(
    seed_document: GuideDocument,
) -> None:
    for doc in (seed_document, generated_document()):
        data = doc.to_data()
        assert size_problem(data) is None
        bigger = {**data, "snapshot": "s" * (schema.DOCUMENT_MAX_CHARACTERS // 2)}
        assert size_problem(bigger) is None  # room for twice as much text again


def padded_file(path: Path, source: Path, size: int) -> Path:
    """The source file with a YAML comment that brings it to `size` bytes."""
    text = source.read_text(encoding="utf-8")
    padding = size - len(text.encode()) - 3
    path.write_text(text + "# " + "p" * padding + "\n", encoding="utf-8")
    assert path.stat().st_size == size
    return path


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    small_guide: Guide, small_file: Path, tmp_path: Path
) -> None:
    big = padded_file(tmp_path / "big.yaml", small_file, CONTENT_FILE_MAX_BYTES + 1)
    before = database_state()
    with pytest.raises(CommandError) as excinfo:
        loadguide(big)
    assert str(excinfo.value) == (
        f"{display_name(big)}: the file is too large: over 1,000,000 bytes "
        "(--max-bytes raises the limit)"
    )
    assert database_state() == before
    # Exactly at the limit is fine; --max-bytes raises it.
    at_limit = padded_file(tmp_path / "at-limit.yaml", small_file, CONTENT_FILE_MAX_BYTES)
    assert loadguide(at_limit).endswith("unchanged (version 1)\n")
    with pytest.raises(CommandError, match="over 5,000 bytes"):
        loadguide("--max-bytes", "5000", small_file)
    assert loadguide("--max-bytes", str(CONTENT_FILE_MAX_BYTES * 2), big).endswith(
        "unchanged (version 1)\n"
    )


def test_a_file_that_never_ends_is_refused(small_guide: Guide) -> None:
    # A device or a pipe: only the limit's worth is ever read.
    with pytest.raises(CommandError, match="the file is too large"):
        loadguide("/dev/zero")


def test_the_admin_import_has_the_same_limit(
    superuser_client: Client, small_guide: Guide, small_file: Path, tmp_path: Path
) -> None:
    at_limit = padded_file(tmp_path / "at-limit.yaml", small_file, CONTENT_FILE_MAX_BYTES)
    over = padded_file(tmp_path / "over.yaml", small_file, CONTENT_FILE_MAX_BYTES + 1)
    before = database_state()
    refused = upload(superuser_client, over.read_text(encoding="utf-8")).content.decode()
    assert "The file is too large (at most 1000000 bytes)." in refused
    assert database_state() == before
    accepted = upload(superuser_client, at_limit.read_text(encoding="utf-8")).content.decode()
    assert "too large" not in accepted


def test_an_admin_edit_over_a_limit_is_refused_and_nothing_changes(
    superuser_client: Client, small_guide: Guide
) -> None:
    form = admin_form(superuser_client, small_guide)
    form["intro"] = "x" * (schema.TEXT_MAX_LENGTH + 1)
    before = database_state()
    response = post(superuser_client, change_url(small_guide), form)
    assert response.status_code == 200
    assert "at most 10000 characters (it has 10001)" in response.content.decode()
    assert database_state() == before


def test_a_document_error_names_the_limit_for_list_items_too(
    small_document: GuideDocument,
) -> None:
    data = small_document.to_data()
    data["outcomes"][0]["best_for"] = ["Someone"] * (schema.MAX_LIST_ITEMS + 1)
    with pytest.raises(DocumentError) as excinfo:
        parse_document(data)
    assert str(excinfo.value) == "outcomes[0].best_for: at most 50 items allowed (this one has 51)"


# ---------------------------------------------------------------------------
# A guide at the limits still renders fast


def test_a_guide_at_the_limits_renders_fast(client: Client) -> None:
    data = guide_at_the_limits()
    doc = parse_document(data)
    assert characters(data) > schema.DOCUMENT_MAX_CHARACTERS - 1_000  # really at the limit
    assert len(doc.questions) == schema.MAX_QUESTIONS
    assert len(doc.questions[0].choices) == schema.MAX_CHOICES
    apply_document(doc, publish=True)
    answers = {"q0": "c1"}
    second = next_question(doc, answers)
    assert second is not None
    every = urlencode(first_choice_answers(doc))  # q0=c0: all 100 notes and gates apply
    pages = {
        "guide page": reverse("guide-detail", args=[doc.slug]),
        "question page (30 choices)": reverse("questionnaire-question", args=[doc.slug, "q0"]),
        "question page": reverse("questionnaire-question", args=[doc.slug, second.slug]) + "?q0=c1",
        "check page (300 answers)": reverse("questionnaire-check", args=[doc.slug]) + f"?{every}",
        "result page": reverse("questionnaire-result", args=[doc.slug]) + f"?{every}",
    }
    timings = {}
    for name, url in pages.items():
        started = time.perf_counter()
        response = client.get(url)  # the first render: nothing memoised yet
        timings[name] = time.perf_counter() - started
        assert response.status_code == 200, name
    html = client.get(pages["guide page"]).content.decode()
    assert html.count('class="linked-page"') == schema.MAX_LINKED_PAGES
    print(
        "\nguide at the limits, first render: "
        + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in timings.items())
    )
    assert max(timings.values()) < RENDER_BOUND


def test_a_guide_at_the_limits_imports_and_publishes_from_the_admin(
    superuser_client: Client,
) -> None:
    # The admin's rows spell out every empty field the file leaves out; the guide must
    # measure the same both ways, or publishing what the import accepted fails.
    data = guide_at_the_limits()
    doc = parse_document(data)
    response = upload(superuser_client, yaml.safe_dump(data), publish=True)
    assert response.status_code == 200
    guide = Guide.objects.get(slug=doc.slug)
    assert guide.published_document() == doc


def test_keys_longer_than_any_slug_are_refused_before_validation() -> None:
    data = {"slug": "g", "x" * 1_000: "value"}
    problem = size_problem(data)
    assert problem is not None and "too long" in problem.message
