"""Stored results counted for editors: how many of each recommendation, week by week."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone

from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.results.models import Result


@dataclass
class WeeklyResults:
    weeks: list[dt.date]
    columns: list[str]  # outcome slugs, then "route: <page>" for routed results
    counts: dict[tuple[dt.date, str], int]

    def rows(self) -> list[tuple[dt.date, list[int], int]]:
        rows = []
        for week in self.weeks:
            cells = [self.counts.get((week, column), 0) for column in self.columns]
            rows.append((week, cells, sum(cells)))
        return rows


def weekly_results(guide: Guide, doc: GuideDocument, weeks: int = 12) -> WeeklyResults:
    """Stored results per recommended outcome per week (Monday), the last `weeks` weeks."""
    since = timezone.now() - dt.timedelta(weeks=weeks)
    rows = (
        Result.objects.filter(guide_version__guide=guide, created__gte=since)
        .annotate(week=TruncWeek("created"))
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
    return WeeklyResults(sorted({week for week, _ in counts}, reverse=True), columns, counts)
