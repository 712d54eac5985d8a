"""Places of a guide's rows among their siblings: 0, 1, 2, ... and never two alike.

Every ordered row (a question, a choice, a clause, ...) has an `order` column,
read among its siblings: the rows in the same group (`SIBLINGS`). The loader
writes each group as 0, 1, 2, ... in document order (`content.rows`); these
helpers keep every other write to that shape, so no two rows ever share a place
and nothing is left to a tie-break:

- `renumber_guide(guide)` closes gaps after an edit (a delete, a drag that
  numbered from 1), keeping the order the rows are in;
- `place_row(row, place)` puts one row at a place (0 is first) and moves its
  siblings to make room, as an editor typing a place expects.

Renumbering keeps the document the rows make: documents list rows in
(order, id) order, and so do these.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TypeVar

from django.db import models

from decisionguide.content import models as content
from decisionguide.content.rows import GuideRows

M = TypeVar("M", bound=models.Model)

# Model -> the columns its siblings share. Clauses are numbered within their group
# ("all" or "any") of one condition (`role`: an owner may have three), as the loader
# writes them.
SIBLINGS: dict[type[models.Model], tuple[str, ...]] = {
    content.LinkedPage: ("guide_id",),
    content.Outcome: ("guide_id",),
    content.OutcomeNextPage: ("outcome_id",),
    content.Criterion: ("guide_id",),
    content.Rating: ("criterion_id",),
    content.Question: ("guide_id",),
    content.Choice: ("question_id",),
    content.ChoicePoints: ("choice_id",),
    content.Scenario: ("guide_id",),
    content.ScenarioAnswer: ("scenario_id",),
    content.Gate: ("guide_id",),
    content.Note: ("guide_id",),
    content.GuideItem: ("guide_id", "kind"),
    content.FailureCheck: ("guide_id",),
    content.TieBreak: ("guide_id",),
    content.TieBreakSettle: ("tie_break_id",),
    content.Clause: ("content_type_id", "object_id", "role", "group"),
    content.ClauseChoice: ("clause_id",),
}
ORDER = "order"


def is_ordered(model: type[models.Model]) -> bool:
    return model in SIBLINGS


def sibling_key(row: models.Model) -> tuple[object, ...]:
    return (type(row), *(getattr(row, column) for column in SIBLINGS[type(row)]))


def siblings_of(row: models.Model) -> models.QuerySet:
    """The rows sharing `row`'s group, `row` included once it is saved."""
    model = type(row)
    return model._default_manager.filter(
        **{column: getattr(row, column) for column in SIBLINGS[model]}
    )


def in_place_order(rows: Iterable[M]) -> list[M]:
    """Rows as documents list them: by place, then by id."""
    return sorted(rows, key=lambda row: (getattr(row, ORDER), row.pk))


def renumbered(rows: Sequence[M]) -> list[M]:
    """Number `rows` 0, 1, 2, ... as they come; returns the rows whose place changed."""
    changed = []
    for place, row in enumerate(rows):
        if getattr(row, ORDER) != place:
            setattr(row, ORDER, place)
            changed.append(row)
    return changed


def save_places(changed: Iterable[models.Model]) -> int:
    by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for row in changed:
        by_model[type(row)].append(row)
    for model, rows in by_model.items():
        model._default_manager.bulk_update(rows, [ORDER])
    return sum(len(rows) for rows in by_model.values())


def renumber_guide(guide: content.Guide) -> int:
    """Number every group of the guide's rows 0, 1, 2, ... in their order; returns how
    many rows moved (only those are written)."""
    groups: dict[tuple[object, ...], list[models.Model]] = defaultdict(list)
    for row in GuideRows(guide).every_row():
        if is_ordered(type(row)):
            groups[sibling_key(row)].append(row)
    changed = [row for rows in groups.values() for row in renumbered(in_place_order(rows))]
    return save_places(changed)


def place_row(row: models.Model, place: int) -> int:
    """Put the saved `row` at `place` among its siblings (0 is first, past the end is last)
    and number the group 0, 1, 2, ...; returns how many rows moved."""
    others = in_place_order(siblings_of(row).exclude(pk=row.pk))
    others.insert(max(0, min(place, len(others))), row)
    return save_places(renumbered(others))
