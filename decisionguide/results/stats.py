"""Stored results counted for editors: how many of each recommendation, week by week."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone

from decisionguide.analytics.report import Days
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.results.models import Result


@dataclass
class WeeklyResults:
    weeks: list[dt.date]  # Mondays, newest first
    columns: list[str]  # outcome slugs, then "route: <page>" for routed results
    counts: dict[tuple[dt.date, str], int]
    names: dict[str, str] = field(default_factory=dict)  # column -> outcome name

    def rows(self) -> list[tuple[dt.date, list[int], int]]:
        rows = []
        for week in self.weeks:
            cells = [self.counts.get((week, column), 0) for column in self.columns]
            rows.append((week, cells, sum(cells)))
        return rows

    def headings(self) -> list[str]:
        return [self.names.get(column, column) for column in self.columns]

    def series(self) -> list[tuple[str, list[int]]]:
        """(heading, counts from the oldest week to the newest) per column."""
        oldest_first = list(reversed(self.weeks))
        return [
            (
                self.names.get(column, column),
                [self.counts.get((w, column), 0) for w in oldest_first],
            )
            for column in self.columns
        ]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def weekly_results(
    guide: Guide,
    doc: GuideDocument,
    weeks: int = 12,
    *,
    days: Days | None = None,
    versions: list[int] | None = None,
) -> WeeklyResults:
    """Stored results per recommended outcome per week (Monday).

    Over `days` (every week they touch, empty ones too) or else the last `weeks`
    weeks (those with results); of the versions numbered in `versions`, or all.
    """
    results = Result.objects.filter(guide_version__guide=guide)
    if days is None:
        results = results.filter(created__gte=timezone.now() - dt.timedelta(weeks=weeks))
    else:
        results = results.filter(created__date__range=(days.first, days.last))
    if versions is not None:
        results = results.filter(guide_version__version__in=versions)
    rows = (
        results.annotate(week=TruncWeek("created"))
        .order_by()
        .values("week", "decision__outcome", "decision__route")
        .annotate(total=Count("pk"))
    )
    counts: dict[tuple[dt.date, str], int] = defaultdict(int)
    columns = [o.slug for o in doc.outcomes]
    for row in rows:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        outcome, route = row["decision__outcome"], row["decision__route"]
        column = str(outcome) if outcome else f"route: {route}"
        if column not in columns:
            columns.append(column)
        counts[week, column] += row["total"]
    mondays = days.mondays() if days is not None else sorted({week for week, _ in counts})
    names = {o.slug: o.name for o in doc.outcomes}
    return WeeklyResults(sorted(mondays, reverse=True), columns, counts, names)
