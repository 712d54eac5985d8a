"""The guide document: one guide's whole content as plain, immutable data.

The same shape is read from `content/*.yaml`, written by `dumpguide`, frozen
into each published version (the snapshot results point to) and fed to the
engine. Parsing checks types with pydantic, then `check_references` checks
everything that links one part of a guide to another, so a bad file is
reported as one line naming the key path and what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

SLUG_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
# Question slugs name query parameters in the questionnaire's URLs, beside these.
RESERVED_QUESTION_SLUGS = frozenset({"return", "preview"})
TEXT_PARAM_SUFFIX = "_text"

# Limits on content, far above any real guide (the seed guide's longest text has about
# 1,700 characters; the benchmark guide has 200 questions). They keep one guide from
# making its pages slow to render or its file slow to load; a document over one is
# refused with its key path and the limit, before anything is stored.
LINE_MAX_LENGTH = 300
SUMMARY_MAX_LENGTH = 320
TEXT_MAX_LENGTH = 10_000  # one Markdown text or hint
URL_MAX_LENGTH = 500
# All the text of one guide together (every key and value, in characters): a guide
# page at this size renders well under a second (tests/test_content_limits.py).
DOCUMENT_MAX_CHARACTERS = 200_000
MAX_OUTCOMES = 20
MAX_CRITERIA = 30
MAX_SCENARIOS = 50
MAX_LINKED_PAGES = 100
MAX_LIST_ITEMS = 50  # edge cases, missteps, failure checks; best-for lines, next pages
MAX_QUESTIONS = 300
MAX_CHOICES = 30  # per question
MAX_GATES = 100
MAX_NOTES = 100
MAX_CLAUSES = 50  # per `all` or `any` of a condition

# A linked page's address: absolute http(s) with a host, or a path on this site that
# starts with exactly one slash. No whitespace, control characters or backslashes
# anywhere (browsers read `/\host` as `//host`, another site), so neither
# `//elsewhere.example/x` nor `javascript:` ever passes.
_URL_CHAR = r"[^\s\x00-\x1f\x7f-\x9f\\]"
_HOST_START = r"[^\s\x00-\x1f\x7f-\x9f\\/?#@]"
_PATH_START = r"[^\s\x00-\x1f\x7f-\x9f\\/]"
LINKED_PAGE_URL_PATTERN = (
    rf"^(?:https?://{_HOST_START}{_URL_CHAR}*|/(?:{_PATH_START}{_URL_CHAR}*)?)$"
)

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
Line = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=LINE_MAX_LENGTH)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=TEXT_MAX_LENGTH)]
RequiredText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX_LENGTH)
]
LinkedPageUrl = Annotated[
    str, StringConstraints(pattern=LINKED_PAGE_URL_PATTERN, max_length=URL_MAX_LENGTH)
]

# Markdown links to a linked page are written `[words](page:slug)`.
PAGE_LINK = re.compile(r"\]\(page:([^)\s]*)\)")


class Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Clause(Part):
    """True when the answer to `question` is one of `in`."""

    question: Slug
    in_: tuple[Slug, ...] = Field(alias="in", min_length=1, max_length=MAX_CHOICES)


class Condition(Part):
    """Every `all` clause holds and, if there are `any` clauses, at least one does."""

    all_: tuple[Clause, ...] = Field(default=(), alias="all", max_length=MAX_CLAUSES)
    any_: tuple[Clause, ...] = Field(default=(), alias="any", max_length=MAX_CLAUSES)

    def clauses(self) -> Iterator[tuple[str, int, Clause]]:
        for group, items in (("all", self.all_), ("any", self.any_)):
            for index, clause in enumerate(items):
                yield group, index, clause


class Rating(Part):
    label: Line
    level: int = Field(ge=0, le=3, description="0 weakest .. 3 strongest, for highlighting")


class Outcome(Part):
    slug: Slug
    name: Line
    tagline: Line
    symbol: Annotated[str, StringConstraints(max_length=4)] = ""
    best_for: tuple[Line, ...] = Field(min_length=1, max_length=MAX_LIST_ITEMS)
    strengths: RequiredText
    tradeoffs: RequiredText
    failure_mode: RequiredText
    good_fit: RequiredText
    choose_if: RequiredText
    next_pages: tuple[Slug, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)


class Criterion(Part):
    slug: Slug
    name: Line
    description: Text = ""
    ratings: dict[Slug, Rating] = Field(max_length=MAX_OUTCOMES)


class Scenario(Part):
    slug: Slug
    title: Line
    description: RequiredText
    outcome: Slug
    handoff_example: Text = ""
    answers: dict[Slug, Slug] = Field(default_factory=dict, max_length=MAX_QUESTIONS)
    handoff_rule: Text = ""


class LinkedPage(Part):
    slug: Slug
    title: Line
    summary: RequiredText
    when: RequiredText
    # The page's own text on this site, when it has no `url` elsewhere.
    body: Text = ""
    url: LinkedPageUrl | None = None


class FreeText(Part):
    """A short text the visitor may type when they pick `choice`."""

    choice: Slug
    label: Line
    hint: Text = ""
    max_length: int = Field(default=280, ge=1, le=1000)


class Choice(Part):
    slug: Slug
    label: Line
    hint: Text = ""
    # Plain words for "why": how this answer reads in the recommendation.
    reason: Text = ""
    points: dict[Slug, int] = Field(default_factory=dict, max_length=MAX_OUTCOMES)
    route: Slug | None = None
    unsure: bool = False


class Question(Part):
    slug: Slug
    prompt: Line
    short: Line
    hint: Text = ""
    show_if: Condition | None = None
    choices: tuple[Choice, ...] = Field(min_length=2, max_length=MAX_CHOICES)
    free_text: FreeText | None = None

    def choice(self, slug: str) -> Choice | None:
        return next((c for c in self.choices if c.slug == slug), None)


class Gate(Part):
    """`outcome` can't be recommended unless `unless` holds; `reason` says why."""

    outcome: Slug
    unless: Condition
    reason: RequiredText


class Note(Part):
    """A remark shown on the result when `when` holds.

    `shown_with` limits it to those recommendations (empty: any). A note that
    speaks against outcomes lists them in `argues_against`; one that speaks for
    some lists them in `argues_for`, and so speaks against every other. The
    checks refuse a guide where some answers show a note beside a
    recommendation it argues against.
    """

    slug: Slug
    title: Line
    text: RequiredText
    when: Condition
    shown_with: tuple[Slug, ...] = ()
    argues_against: tuple[Slug, ...] = ()
    argues_for: tuple[Slug, ...] = ()

    def shows_with(self, outcome: str | None) -> bool:
        """Whether the note may appear beside this recommendation (None: a route)."""
        if not self.shown_with:
            return True
        return outcome is not None and outcome in self.shown_with

    def argues_against_outcome(self, outcome: str) -> bool:
        if outcome in self.argues_against:
            return True
        return bool(self.argues_for) and outcome not in self.argues_for


class GuideDocument(Part):
    slug: Slug
    title: Line
    summary: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SUMMARY_MAX_LENGTH)
    ]
    published: bool = True
    default_outcome: Slug
    # A lead of at most this many points is a close call, and a close call goes
    # to the default outcome when the default is that close too (0: only ties).
    close_call_margin: int = Field(default=0, ge=0, le=100)
    intro: RequiredText
    right_page: RequiredText
    wrong_page: RequiredText
    start_elsewhere: Text = ""
    shortcut: RequiredText
    decision_criteria: Text = ""
    snapshot: Text = ""
    outcomes: tuple[Outcome, ...] = Field(min_length=1, max_length=MAX_OUTCOMES)
    criteria: tuple[Criterion, ...] = Field(default=(), max_length=MAX_CRITERIA)
    scenarios: tuple[Scenario, ...] = Field(default=(), max_length=MAX_SCENARIOS)
    linked_pages: tuple[LinkedPage, ...] = Field(default=(), max_length=MAX_LINKED_PAGES)
    edge_cases: tuple[RequiredText, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)
    missteps: tuple[RequiredText, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)
    failure_checks: tuple[RequiredText, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)
    questions: tuple[Question, ...] = Field(default=(), max_length=MAX_QUESTIONS)
    gates: tuple[Gate, ...] = Field(default=(), max_length=MAX_GATES)
    notes: tuple[Note, ...] = Field(default=(), max_length=MAX_NOTES)

    # Lookups used by the engine and templates.
    def outcome(self, slug: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.slug == slug), None)

    def question(self, slug: str) -> Question | None:
        return next((q for q in self.questions if q.slug == slug), None)

    def linked_page(self, slug: str) -> LinkedPage | None:
        return next((p for p in self.linked_pages if p.slug == slug), None)

    def to_data(self) -> dict[str, Any]:
        """Plain JSON/YAML-ready data; `parse_document(doc.to_data()) == doc`."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)


MARKDOWN_FIELDS = (
    "intro",
    "right_page",
    "wrong_page",
    "start_elsewhere",
    "shortcut",
    "decision_criteria",
    "snapshot",
)


@dataclass(frozen=True)
class DocumentError(Exception):
    """One problem in a guide document: where it is and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def format_path(location: Iterable[str | int]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def parse_document(data: Any) -> GuideDocument:
    """Validate raw data (from YAML or JSON) into a GuideDocument.

    Raises DocumentError for the first problem found: size first, then types,
    then references between parts.
    """
    if not isinstance(data, dict):
        raise DocumentError("", "the file must hold a mapping of guide fields at the top level")
    too_large = size_problem(data)
    if too_large is not None:
        raise too_large
    try:
        document = GuideDocument.model_validate(data)
    except ValidationError as exc:
        raise type_problem(exc.errors()[0]) from None
    problems = list(check_references(document))
    if problems:
        raise problems[0]
    return document


def size_problem(data: Any) -> DocumentError | None:
    """The document's text over DOCUMENT_MAX_CHARACTERS: checked on the raw data, before
    validating (or rendering) any of it. YAML aliases count each time they are used."""
    total = 0
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
            if total > DOCUMENT_MAX_CHARACTERS:
                return DocumentError(
                    "",
                    f"the guide is too large: over {DOCUMENT_MAX_CHARACTERS:,} characters of "
                    "text, the most one guide may have",
                )
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return None


def type_problem(error: ErrorDetails) -> DocumentError:
    """One pydantic error as a DocumentError: its key path and what is wrong, in words."""
    kind, context, value = error["type"], error.get("ctx", {}), error.get("input")
    last = str(error["loc"][-1:])
    message = error["msg"]
    if kind == "missing":
        message = "required field is missing"
    elif kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "string_pattern_mismatch" and "slug" in last:
        message = f"{value!r} is not a valid slug (lowercase letters, digits, - or _)"
    elif kind == "string_pattern_mismatch" and "url" in last:
        message = (
            f"{value!r} is not an address a linked page may have: use https://… or http://… "
            "with a host name, or a path on this site starting with a single /"
        )
    elif kind == "string_too_long":
        # Texts are measured without their surrounding whitespace, as they are stored.
        length = f" (this one has {len(value.strip())})" if isinstance(value, str) else ""
        message = f"at most {context['max_length']} characters allowed{length}"
    elif kind == "too_long":
        found = context.get("actual_length")
        message = f"at most {context['max_length']} items allowed" + (
            f" (this one has {found})" if found is not None else ""
        )
    return DocumentError(format_path(error["loc"]), message)


def _duplicates(items: Iterable[Any], path: str) -> Iterator[DocumentError]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.slug in seen:
            yield DocumentError(f"{path}[{index}].slug", f"duplicate slug {item.slug!r}")
        seen.add(item.slug)


def check_references(doc: GuideDocument) -> Iterator[DocumentError]:
    """Every problem with the links between parts of a guide, in file order."""
    for name in ("outcomes", "criteria", "scenarios", "linked_pages", "questions", "notes"):
        yield from _duplicates(getattr(doc, name), name)

    outcome_slugs = [o.slug for o in doc.outcomes]
    page_slugs = {p.slug for p in doc.linked_pages}

    def unknown_outcome(path: str, slug: str) -> DocumentError:
        return DocumentError(path, f"unknown outcome {slug!r} (known: {', '.join(outcome_slugs)})")

    def unknown_page(path: str, slug: str) -> DocumentError:
        known = ", ".join(sorted(page_slugs)) or "none"
        return DocumentError(path, f"unknown linked page {slug!r} (known: {known})")

    if doc.default_outcome not in outcome_slugs:
        yield unknown_outcome("default_outcome", doc.default_outcome)

    for field in MARKDOWN_FIELDS:
        for slug in PAGE_LINK.findall(getattr(doc, field)):
            if slug not in page_slugs:
                yield unknown_page(field, slug)

    for i, outcome in enumerate(doc.outcomes):
        for j, slug in enumerate(outcome.next_pages):
            if slug not in page_slugs:
                yield unknown_page(f"outcomes[{i}].next_pages[{j}]", slug)

    for i, criterion in enumerate(doc.criteria):
        for slug in criterion.ratings:
            if slug not in outcome_slugs:
                yield unknown_outcome(f"criteria[{i}].ratings.{slug}", slug)
        for slug in outcome_slugs:
            if slug not in criterion.ratings:
                yield DocumentError(f"criteria[{i}].ratings", f"no rating for outcome {slug!r}")

    for i, scenario in enumerate(doc.scenarios):
        if scenario.outcome not in outcome_slugs:
            yield unknown_outcome(f"scenarios[{i}].outcome", scenario.outcome)

    # Questions: conditions may only look at earlier questions.
    earlier: dict[str, Question] = {}
    with_free_text = {q.slug for q in doc.questions if q.free_text is not None}
    for i, question in enumerate(doc.questions):
        path = f"questions[{i}]"
        if question.slug in RESERVED_QUESTION_SLUGS:
            yield DocumentError(
                f"{path}.slug",
                f"{question.slug!r} is reserved by the questionnaire's URLs; pick another slug",
            )
        written_to = question.slug.removesuffix(TEXT_PARAM_SUFFIX)
        if written_to != question.slug and written_to in with_free_text:
            yield DocumentError(
                f"{path}.slug",
                f"{question.slug!r} clashes with the written answer to question "
                f"{written_to!r}; pick another slug",
            )
        if question.show_if is not None:
            yield from _check_condition(question.show_if, f"{path}.show_if", earlier)
        choice_slugs = [c.slug for c in question.choices]
        yield from _duplicates(question.choices, f"{path}.choices")
        for j, choice in enumerate(question.choices):
            for slug in choice.points:
                if slug not in outcome_slugs:
                    yield unknown_outcome(f"{path}.choices[{j}].points.{slug}", slug)
            if choice.route is not None and choice.route not in page_slugs:
                yield unknown_page(f"{path}.choices[{j}].route", choice.route)
        if question.free_text is not None and question.free_text.choice not in choice_slugs:
            allowed = ", ".join(choice_slugs)
            yield DocumentError(
                f"{path}.free_text.choice",
                f"unknown choice {question.free_text.choice!r} (allowed: {allowed})",
            )
        earlier[question.slug] = question

    for i, gate in enumerate(doc.gates):
        if gate.outcome not in outcome_slugs:
            yield unknown_outcome(f"gates[{i}].outcome", gate.outcome)
        yield from _check_condition(gate.unless, f"gates[{i}].unless", earlier)
    for i, gate in enumerate(doc.gates):
        if gate.outcome == doc.default_outcome:
            yield DocumentError(
                f"gates[{i}].outcome",
                "the default outcome can't be gated: it is the answer when nothing else fits",
            )

    for i, note in enumerate(doc.notes):
        yield from _check_condition(note.when, f"notes[{i}].when", earlier)
        for field in ("shown_with", "argues_against", "argues_for"):
            for j, slug in enumerate(getattr(note, field)):
                if slug not in outcome_slugs:
                    yield unknown_outcome(f"notes[{i}].{field}[{j}]", slug)
        both = set(note.argues_against) & set(note.argues_for)
        if both:
            yield DocumentError(
                f"notes[{i}].argues_against",
                f"a note can't argue both for and against {', '.join(sorted(both))}",
            )

    for i, scenario in enumerate(doc.scenarios):
        for question_slug, choice_slug in scenario.answers.items():
            path = f"scenarios[{i}].answers.{question_slug}"
            question = earlier.get(question_slug)
            if question is None:
                yield DocumentError(path, f"unknown question {question_slug!r}")
            elif question.choice(choice_slug) is None:
                allowed = ", ".join(c.slug for c in question.choices)
                yield DocumentError(path, f"unknown choice {choice_slug!r} (allowed: {allowed})")


def _check_condition(
    condition: Condition, path: str, earlier: dict[str, Question]
) -> Iterator[DocumentError]:
    if not condition.all_ and not condition.any_:
        yield DocumentError(path, "a condition needs at least one clause under 'all' or 'any'")
    for group, index, clause in condition.clauses():
        clause_path = f"{path}.{group}[{index}]"
        question = earlier.get(clause.question)
        if question is None:
            yield DocumentError(
                f"{clause_path}.question",
                f"unknown or later question {clause.question!r} "
                "(a condition may only look at questions asked before it)",
            )
            continue
        for j, slug in enumerate(clause.in_):
            if question.choice(slug) is None:
                allowed = ", ".join(c.slug for c in question.choices)
                yield DocumentError(
                    f"{clause_path}.in[{j}]", f"unknown choice {slug!r} (allowed: {allowed})"
                )
