"""The guide content as database rows, one model per part of a GuideDocument.

Editors change these rows (admin, `loadguide`); visitors never read them
directly. The rows are the guide's *draft*: every content change bumps
`Guide.version` and freezes the whole document into a `GuideVersion` (the
history). Visitors see only `Guide.published_version`, which moves when an
editor publishes (or `loadguide` loads a file marked `published: true`);
pages, the engine and stored results read that frozen document.
`content.mapping` is the one table that says how documents map to rows and
back (`content.rows` reads and writes by it), so the two shapes can't drift
apart; these models never import it.

Deletion rules: parts that only make sense with their parent cascade;
references that would silently change a guide's meaning if they vanished
(a scenario's outcome, a choice's route, what a condition looks at) are
RESTRICT, so an editor must fix the referring row first, while deleting a
whole guide still removes everything. Conditions of questions, gates and
notes are all `Clause` rows (see its docstring for why a generic owner).
"""

from __future__ import annotations

from decisionguide.content.models.fields import (
    order_field,
    slug_field,
    slug_validator,
    unique_per,
)
from decisionguide.content.models.guide import (
    PAGE_FIELDS,
    Guide,
    GuideManager,
    GuideQuerySet,
    GuideVersion,
    in_schema_order,
)
from decisionguide.content.models.history import PublishEvent
from decisionguide.content.models.parts import (
    Criterion,
    GuideItem,
    LinkedPage,
    Outcome,
    OutcomeNextPage,
    Rating,
    Scenario,
)
from decisionguide.content.models.questions import (
    Choice,
    ChoicePoints,
    Question,
    ScenarioAnswer,
)
from decisionguide.content.models.rules import (
    Clause,
    ClauseChoice,
    FailureCheck,
    Gate,
    Note,
    TieBreak,
    TieBreakSettle,
)

__all__ = [
    "PAGE_FIELDS",
    "Choice",
    "ChoicePoints",
    "Clause",
    "ClauseChoice",
    "Criterion",
    "FailureCheck",
    "Gate",
    "Guide",
    "GuideItem",
    "GuideManager",
    "GuideQuerySet",
    "GuideVersion",
    "LinkedPage",
    "Note",
    "Outcome",
    "OutcomeNextPage",
    "PublishEvent",
    "Question",
    "Rating",
    "Scenario",
    "ScenarioAnswer",
    "TieBreak",
    "TieBreakSettle",
    "in_schema_order",
    "order_field",
    "slug_field",
    "slug_validator",
    "unique_per",
]
