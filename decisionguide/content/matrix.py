"""The comparison table of a guide: one row per criterion, one column per outcome.

The guide page shows it as it is; the result page marks the recommendation's column.
"""

from __future__ import annotations

from dataclasses import dataclass

from decisionguide.decision.document import Criterion, GuideDocument, Outcome, Rating


@dataclass(frozen=True)
class MatrixCell:
    """How one outcome does on the row's criterion; `recommended` marks the result's column."""

    outcome: Outcome
    rating: Rating
    recommended: bool = False


@dataclass(frozen=True)
class MatrixRow:
    criterion: Criterion
    cells: tuple[MatrixCell, ...]


def matrix_rows(doc: GuideDocument, recommended: str | None = None) -> list[MatrixRow]:
    """Ratings in outcome (column) order, whatever order the content file used."""
    return [
        MatrixRow(
            criterion,
            tuple(
                MatrixCell(outcome, criterion.ratings[outcome.slug], outcome.slug == recommended)
                for outcome in doc.outcomes
            ),
        )
        for criterion in doc.criteria
    ]
