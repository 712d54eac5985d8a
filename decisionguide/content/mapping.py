"""How a guide document is stored as rows: one declarative table, `GUIDE`.

Each part of a GuideDocument is one `Part` below: the document key it sits
under, the model of its rows, the column naming its parent row, and its
fields. `content.rows` reads rows into a document and writes a document into
rows by this table alone, so a new field is its schema field
(`decision/document.py`), its model field and migration, and one line here
(tests/test_mapping.py fails while a model column is missing from the table).

Shapes of a part (`Shape`):
- LIST: a list of objects, one row each (outcomes, questions, choices). Rows
  are matched by slug, or by position when the part has no slug (gates).
- MAPPING: a dict keyed by another part's slug (ratings by outcome); its first
  field is the key. With one more field the value is that field's (points);
  with more, an object (a rating's label and level).
- VALUES: a list of single values (next pages, edge cases), one row each. A
  list of slugs is matched by what they name, a list of texts by position.

Fields of a part:
- `Column`: a document key stored in one column, with a converter each way.
- `Ref`: another part's slug, stored as a foreign key to its row. Parts that
  others refer to name a `target`. Choice slugs are unique only within their
  question, so a reference to a choice says `within` which question: the
  column of this row holding it, or "pk" for the row itself (a question's text
  box names one of its own choices, so that one is written after the choices).
- `Embedded`: an optional object kept in the row's own columns (a question's
  free text); None when its `present` column is empty.
- `Condition`: a condition kept as `Clause` rows owned by the row (the owner's
  model needs a `GenericRelation` to `Clause`). Clauses look at `QUESTIONS`
  and their `CHOICES`. A row with more than one condition tells them apart by
  `role`; a `flat` one is a list of clauses (a sentence's `counted`).

Rows carry their position in an `order` column when the model has one; rows
of a model without it (the notes' outcome lists) read back in outcome order.
Parts are listed in writing order: a reference only ever points at a part
listed before it (or, with `within="pk"`, at the row's own children).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any

from django.db import models

from decisionguide.content.models import (
    Choice,
    ChoicePoints,
    Criterion,
    FailureCheck,
    Gate,
    Guide,
    GuideItem,
    LinkedPage,
    Note,
    Outcome,
    OutcomeNextPage,
    Question,
    Rating,
    Scenario,
    ScenarioAnswer,
    TieBreak,
    TieBreakSettle,
)

# The targets conditions refer to: the questions they look at and those questions' choices.
QUESTIONS = "question"
CHOICES = "choice"


def _unchanged(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Column:
    """A document key stored in one column (`column` defaults to the key)."""

    key: str
    column: str = ""
    to_document: Callable[[Any], Any] = _unchanged
    to_row: Callable[[Any], Any] = _unchanged

    def __post_init__(self) -> None:
        if not self.column:
            object.__setattr__(self, "column", self.key)


@dataclass(frozen=True)
class Ref:
    """A document key naming another part by slug, stored as a foreign key (`column`)."""

    key: str
    column: str
    target: str
    optional: bool = False  # None in the document, NULL in the row
    # choices: the column of this row naming their question, "pk", or "^column" of the parent
    within: str = ""

    @property
    def late(self) -> bool:
        """Names one of this row's own children: written once they are."""
        return self.within == "pk"


@dataclass(frozen=True)
class Embedded:
    """An optional object (`key`) stored in the row's own columns."""

    key: str
    fields: tuple[Column | Ref, ...]
    present: str  # the column that is empty when the object is None


@dataclass(frozen=True)
class Condition:
    """A condition (`all`/`any` clauses) stored as `Clause` rows owned by the row.

    One row may own several (a note's `when`, `asserts` and `counted`): each has
    its `role` (`Clause.role`). A `flat` one is a plain list of clauses (`counted`),
    kept in the "all" group.
    """

    key: str
    optional: bool = False  # no clauses: None (a question always shown), else empty groups
    role: str = ""
    flat: bool = False


Field = Column | Ref | Embedded | Condition


class Shape(Enum):
    LIST = "list"
    MAPPING = "mapping"
    VALUES = "values"


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: each part is one place
class Part:
    key: str
    model: type[models.Model]
    parent: str  # the column naming the parent row
    fields: tuple[Field, ...]
    shape: Shape = Shape.LIST
    children: tuple[Part, ...] = ()
    target: str = ""  # the name `Ref`s use for the slugs of these rows
    fixed: Mapping[str, Any] = field(default_factory=dict)  # what every row of it holds

    @cached_property
    def match(self) -> str:
        """The column rows are matched by when a document is written over them."""
        first = self.fields[0]
        if self.shape is Shape.MAPPING or (self.shape is Shape.VALUES and isinstance(first, Ref)):
            return first.column  # type: ignore[union-attr]
        if self.shape is Shape.LIST and any(
            getattr(f, "column", "") == "slug" for f in self.fields
        ):
            return "slug"
        return "order"

    @cached_property
    def ordered(self) -> bool:
        """Rows keep their position in an `order` column."""
        return any(f.name == "order" for f in self.model._meta.concrete_fields)

    @cached_property
    def conditions(self) -> tuple[Condition, ...]:
        return tuple(f for f in self.fields if isinstance(f, Condition))


def walk(part: Part | None = None) -> Iterator[tuple[Part, Part]]:
    """(parent, part) for every part under `part` (the guide), parents first."""
    parent = GUIDE if part is None else part
    for child in parent.children:
        yield parent, child
        yield from walk(child)


# ---------------------------------------------------------------------------
# Converters


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _one_per_line(lines: list[str]) -> str:
    return "\n".join(lines)


def _none_if_empty(text: str) -> str | None:
    return text or None


def _empty_if_none(text: str | None) -> str:
    return text or ""


def _columns(*keys: str) -> tuple[Column, ...]:
    return tuple(Column(key) for key in keys)


def _outcome(key: str = "outcome") -> Ref:
    return Ref(key, "outcome_id", "outcome")


# ---------------------------------------------------------------------------
# The table


def _outcome_lists(model: type[models.Model], *keys: str) -> tuple[Part, ...]:
    """A part's lists of outcomes (many-to-many rows, no order of their own)."""
    parent = f"{model._meta.model_name}_id"
    return tuple(
        Part(key, getattr(model, key).through, parent, (_outcome(),), Shape.VALUES) for key in keys
    )


def _claims() -> tuple[Condition, ...]:
    """What a sentence claims (`document.Claims`): its `asserts` and `counted` clauses.
    Its `argues_for` and `argues_against` are outcome lists (`_outcome_lists`)."""
    return (
        Condition("asserts", optional=True, role="asserts"),
        Condition("counted", role="counted", flat=True),
    )


def _item_list(key: str, kind: str, **column: Any) -> Part:
    return Part(
        key, GuideItem, "guide_id", (Column("text", **column),), Shape.VALUES, fixed={"kind": kind}
    )


LINKED_PAGES = Part(
    "linked_pages",
    LinkedPage,
    "guide_id",
    (
        *_columns("slug", "title", "summary", "when", "body"),
        Column("url", to_document=_none_if_empty, to_row=_empty_if_none),
    ),
    target="page",
)

OUTCOMES = Part(
    "outcomes",
    Outcome,
    "guide_id",
    (
        *_columns("slug", "name", "tagline", "symbol"),
        Column("best_for", to_document=_lines, to_row=_one_per_line),
        *_columns("strengths", "tradeoffs", "failure_mode", "good_fit", "choose_if"),
    ),
    children=(
        Part(
            "next_pages",
            OutcomeNextPage,
            "outcome_id",
            (Ref("page", "page_id", "page"),),
            Shape.VALUES,
        ),
    ),
    target="outcome",
)

CRITERIA = Part(
    "criteria",
    Criterion,
    "guide_id",
    _columns("slug", "name", "description"),
    children=(
        Part(
            "ratings",
            Rating,
            "criterion_id",
            (_outcome(), *_columns("label", "level")),
            Shape.MAPPING,
        ),
    ),
)

CHOICES_PART = Part(
    "choices",
    Choice,
    "question_id",
    (
        *_columns("slug", "label", "hint", "reason"),
        Ref("route", "route_id", "page", optional=True),
        Column("unsure"),
    ),
    children=(
        Part("points", ChoicePoints, "choice_id", (_outcome(), Column("points")), Shape.MAPPING),
    ),
    target=CHOICES,
)

FREE_TEXT = Embedded(
    "free_text",
    (
        Ref("choice", "free_text_choice_id", CHOICES, optional=True, within="pk"),
        Column("label", "free_text_label"),
        Column("hint", "free_text_hint"),
        Column("max_length", "free_text_max_length"),
    ),
    present="free_text_choice_id",
)

QUESTIONS_PART = Part(
    "questions",
    Question,
    "guide_id",
    (*_columns("slug", "prompt", "short", "hint"), Condition("show_if", optional=True), FREE_TEXT),
    children=(CHOICES_PART,),
    target=QUESTIONS,
)

SCENARIOS = Part(
    "scenarios",
    Scenario,
    "guide_id",
    (
        *_columns("slug", "title", "description", "public", "public_title", "public_description"),
        _outcome(),
        *_columns("handoff_example", "handoff_rule"),
    ),
    children=(
        Part(
            "answers",
            ScenarioAnswer,
            "scenario_id",
            (
                Ref("question", "question_id", QUESTIONS),
                Ref("choice", "choice_id", CHOICES, within="question_id"),
            ),
            Shape.MAPPING,
        ),
    ),
)

TIE_BREAKS = Part(
    "tie_breaks",
    TieBreak,
    "guide_id",
    (Ref("question", "question_id", QUESTIONS), Column("explanation")),
    children=(
        Part(
            "settles",
            TieBreakSettle,
            "tie_break_id",
            (Ref("choice", "choice_id", CHOICES, within="^question_id"), _outcome()),
            Shape.MAPPING,
        ),
    ),
)

GATES = Part(
    "gates",
    Gate,
    "guide_id",
    (_outcome(), Condition("unless"), Column("reason"), *_claims()),
    children=_outcome_lists(Gate, "argues_for", "argues_against"),
)

NOTES = Part(
    "notes",
    Note,
    "guide_id",
    (*_columns("slug", "title", "text"), Condition("when"), *_claims()),
    children=_outcome_lists(Note, "shown_with", "argues_against", "argues_for"),
)

FAILURE_CHECKS = Part(
    "failure_checks",
    FailureCheck,
    "guide_id",
    (Column("text"), *_claims()),
    children=_outcome_lists(FailureCheck, "shown_with", "argues_for", "argues_against"),
)

# The guide itself: its own columns (set by `loading` before the parts are written) and
# its parts, in writing order.
GUIDE = Part(
    "",
    Guide,
    "",
    (
        *_columns("slug", "title", "summary"),
        Column("published", "is_published"),
        Ref("default_outcome", "default_outcome_id", "outcome"),
        Column("close_call_margin"),
        *_columns("intro", "right_page", "wrong_page", "start_elsewhere", "shortcut"),
        *_columns("decision_criteria", "snapshot"),
        Column("embed_origins", to_document=_lines, to_row=_one_per_line),
        Column("translations"),
    ),
    children=(
        LINKED_PAGES,
        OUTCOMES,
        CRITERIA,
        QUESTIONS_PART,
        SCENARIOS,
        TIE_BREAKS,
        GATES,
        NOTES,
        _item_list("edge_cases", GuideItem.Kind.EDGE_CASE),
        _item_list("missteps", GuideItem.Kind.MISSTEP),
        FAILURE_CHECKS,
    ),
)
