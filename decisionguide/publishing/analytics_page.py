"""The guide's analytics page: a range of days and a version (or all) chosen in a GET form,
then the funnel (a server-side SVG beside its data table), routes taken, completion, the
median number of questions answered and stored results per outcome per week.

The figures come from `analytics.funnel` and `results.stats`; this module reads the
form, draws the charts (`editor.charts`) and renders. Bad dates or an unknown
version get a message and the default view; nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from decisionguide.analytics import report
from decisionguide.analytics.funnel import Funnel, build_funnel
from decisionguide.analytics.report import Days
from decisionguide.content.models import Guide, GuideVersion
from decisionguide.decision.document import GuideDocument
from decisionguide.publishing.admin_pages import get_guide, page, require
from decisionguide.publishing.charts import FunnelStep, data_uri, funnel_svg, weekly_svg
from decisionguide.results.stats import WeeklyResults, weekly_results

DEFAULT_DAYS = 28
MAX_DAYS = 3 * 366  # a longer range would only make an unreadable week table
ALL = "all"
DATE_FORMAT = "%Y-%m-%d"


def date_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=[DATE_FORMAT],
        help_text=help_text,
        widget=forms.DateInput(format=DATE_FORMAT, attrs={"type": "date"}),
        error_messages={
            "invalid": f"Enter the {label.lower()} date as YYYY-MM-DD, e.g. 2026-03-02."
        },
    )


class AnalyticsFilter(forms.Form):
    """Which days and which version the page shows; empty dates mean the last 28 days."""

    start = date_field("From", "First day counted (UTC).")
    end = date_field("To", "Last day counted, included (UTC).")
    version = forms.ChoiceField(
        label="Version",
        required=False,
        error_messages={
            "invalid_choice": "No visit was counted for version %(value)s and it is not "
            "published: choose a version from the list."
        },
    )

    def __init__(self, data: Any, *, versions: list[int], published: int | None) -> None:
        super().__init__(data)
        self.default_version = str(published or (versions[0] if versions else ALL))
        # Unbound, the form shows what the page shows: the default days and version.
        default = Days.ending_today(DEFAULT_DAYS)
        self.fields["start"].initial = default.first
        self.fields["end"].initial = default.last
        self.fields["version"].initial = self.default_version
        self.fields["version"].choices = [
            (ALL, "All versions"),
            *((str(v), f"Version {v}{' (published)' if v == published else ''}") for v in versions),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        today = timezone.now().date()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if end > today:
            self.add_error("end", f"The end date can't be after today ({today:{DATE_FORMAT}}).")
        elif start > end:
            self.add_error("start", "The start date is after the end date.")
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error("start", f"Choose at most {MAX_DAYS:,} days at a time.")
        data["days"] = Days(start, end)
        return data

    def choice(self) -> tuple[Days, int | None]:
        """The days and version (None: all) to show: the form's, or the defaults."""
        if self.is_valid():
            days = self.cleaned_data["days"]
            wanted = self.cleaned_data.get("version") or self.default_version
        else:
            days, wanted = Days.ending_today(DEFAULT_DAYS), self.default_version
        return days, None if wanted == ALL else int(wanted)


@dataclass(frozen=True)
class Chart:
    """A chart as the page shows it: an <img> of the SVG, with its text alternative."""

    src: str
    alt: str

    @classmethod
    def of(cls, svg: str, alt: str) -> Chart:
        return cls(data_uri(svg), alt)


@require_safe
def analytics_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(request.user.has_perm("guides.view_analytics"))
    published = guide.published_version.version if guide.published_version else None
    versions = choosable_versions(guide, published)
    form = AnalyticsFilter(request.GET or None, versions=versions, published=published)
    days, number = form.choice()
    return page(
        model_admin,
        request,
        "admin/guides/guide/analytics.html",
        f"Analytics: {guide.title}",
        guide,
        form=form,
        shown_problem=form.is_bound and not form.is_valid(),
        days=days,
        number=number,
        published=published,
        **figures(guide, days, number, published),
    )


def figures(guide: Guide, days: Days, number: int | None, published: int | None) -> dict[str, Any]:
    """The funnel and weekly results of version `number` (None: all) over `days`, charted."""
    wanted = [number] if number is not None else report.counted_versions(guide, days)
    # The published version is always in "all": its questions show, with zeros if need be.
    docs = documents(guide, [*wanted, *([published] if number is None and published else [])])
    funnel = build_funnel(guide, docs, days)
    weekly = None
    if docs:
        only = None if number is None else wanted
        weekly = weekly_results(guide, docs[max(docs)], days=days, versions=only)
    return {
        "funnel": funnel,
        "funnel_chart": funnel_chart(funnel),
        "weekly": weekly,
        "weekly_chart": weekly_chart(weekly) if weekly is not None else None,
        "embedded": embedded_figures(guide, wanted, days, funnel.starts),
    }


def embedded_figures(guide: Guide, versions: list[int], days: Days, starts: int) -> dict[str, Any]:
    """Visits started inside other sites' pages, per site, and the rest (on this site)."""
    sites = report.embedded_starts(report.totals_by_version(guide, versions, days=days).values())
    inside = sum(number for _, number in sites)
    return {"sites": sites, "direct": max(starts - inside, 0)}


def choosable_versions(guide: Guide, published: int | None) -> list[int]:
    """Versions with counts at any time, and the published one, newest first."""
    versions = set(report.counted_versions(guide))
    if published is not None:
        versions.add(published)
    return sorted(versions, reverse=True)


def documents(guide: Guide, numbers: list[int]) -> dict[int, GuideDocument]:
    rows = GuideVersion.objects.filter(guide=guide, version__in=numbers)
    return {row.version: row.as_document() for row in rows}


def percent(part: int, whole: int) -> str:
    # Halves round up, as the template's floatformat does: chart and table agree.
    return f"{math.floor(100 * part / whole + 0.5)}%" if whole else "-"


def funnel_steps(funnel: Funnel) -> list[FunnelStep]:
    steps = [
        FunnelStep(q.prompt, q.shown, q.answered, f"{percent(q.answered, q.shown)} of shown")
        for q in funnel.questions
        if q.shown or q.answered
    ]
    steps.append(
        FunnelStep(
            "Check your answers",
            funnel.checks,
            note=f"{percent(min(funnel.checks, funnel.starts), funnel.starts)} of visits",
        )
    )
    if funnel.routed_total:
        steps.append(
            FunnelStep(
                "Sent to another page",
                funnel.routed_total,
                note=f"{percent(funnel.routed_total, funnel.starts)} of visits",
            )
        )
    steps.append(
        FunnelStep(
            "Recommendation shown",
            funnel.results_total,
            # Of the visits started: those beyond them are not counted (`Funnel.completed`).
            note=f"{percent(funnel.completed, funnel.starts)} of visits",
        )
    )
    return steps


def funnel_chart(funnel: Funnel) -> Chart:
    """The funnel's picture; the table beside it has the same figures."""
    summary = (
        f"{funnel.starts} visits started, {funnel.checks} check pages shown, "
        f"{funnel.results_total} recommendations shown and {funnel.routed_total} visits sent "
        "to another page."
    )
    title = "Questions shown and answered, then how visits ended"
    svg = funnel_svg(funnel_steps(funnel), title=title, summary=summary, ident="funnel")
    return Chart.of(svg, f"{title}: {summary} The table beside the chart has every figure.")


def weekly_chart(weekly: WeeklyResults) -> Chart:
    title = "Stored results per outcome, week by week"
    summary = f"{weekly.total} stored results in {len(weekly.weeks)} weeks."
    svg = weekly_svg(
        list(reversed(weekly.weeks)), weekly.series(), title=title, summary=summary, ident="weekly"
    )
    return Chart.of(svg, f"{title}: {summary} The table below has the counts per week.")
