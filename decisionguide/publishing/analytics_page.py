"""The guide's analytics page: a range of days and a version (or all) chosen in a GET form,
then the funnel (a server-side SVG beside its data table), routes taken, completion, the
median number of questions answered and stored results per outcome per week.

The figures come from `analytics.funnel` and `results.stats`; this module reads the
form, draws the charts (`publishing.charts`) and renders. Bad dates or an unknown
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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from decisionguide.analytics import report
from decisionguide.analytics.funnel import Funnel, build_funnel
from decisionguide.analytics.report import Days
from decisionguide.content.models import Guide, GuideVersion
from decisionguide.decision.document import GuideDocument
from decisionguide.publishing.admin_pages import get_guide, page, require
from decisionguide.publishing.charts import FunnelStep, data_uri, funnel_svg, weekly_svg
from decisionguide.publishing.templatetags.counts import thousands
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
        # The page lists it after the field's label ("From: Enter a date…").
        error_messages={"invalid": gettext_lazy("Enter a date as YYYY-MM-DD, e.g. 2026-03-02.")},
    )


class AnalyticsFilter(forms.Form):
    """Which days and which version the page shows; empty dates mean the last 28 days."""

    start = date_field(gettext_lazy("From"), gettext_lazy("First day counted (UTC)."))
    end = date_field(gettext_lazy("To"), gettext_lazy("Last day counted, included (UTC)."))
    version = forms.ChoiceField(
        label=gettext_lazy("Version"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "No visit was counted for version %(value)s and it is not published: choose a "
                "version from the list."
            )
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
            (ALL, _("All versions")),
            *((str(v), version_words(v, published)) for v in versions),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        today = timezone.now().date()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if end > today:
            words = _("The end date can't be after today (%(today)s).")
            self.add_error("end", words % {"today": f"{today:{DATE_FORMAT}}"})
        elif start > end:
            self.add_error("start", _("The start date is after the end date."))
        elif (end - start).days + 1 > MAX_DAYS:
            words = _("Choose at most %(count)s days at a time.")
            self.add_error("start", words % {"count": thousands(MAX_DAYS)})
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


def version_words(number: int, published: int | None) -> str:
    if number == published:
        return _("Version %(number)s (published)") % {"number": number}
    return _("Version %(number)s") % {"number": number}


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
        _("Analytics: %(title)s") % {"title": guide.title},
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
    of_shown, of_visits = _("%(percent)s of shown"), _("%(percent)s of visits")
    steps = [
        FunnelStep(
            q.prompt, q.shown, q.answered, of_shown % {"percent": percent(q.answered, q.shown)}
        )
        for q in funnel.questions
        if q.shown or q.answered
    ]
    # The ends of a visit, each with the visits it counts for (`Funnel.completed`: only
    # recommendations in the visits started).
    ends = [(_("Check your answers"), funnel.checks, min(funnel.checks, funnel.starts))]
    if funnel.routed_total:
        ends.append((_("Sent to another page"), funnel.routed_total, funnel.routed_total))
    ends.append((_("Recommendation shown"), funnel.results_total, funnel.completed))
    return steps + [
        FunnelStep(label, count, note=of_visits % {"percent": percent(part, funnel.starts)})
        for label, count, part in ends
    ]


def funnel_chart(funnel: Funnel) -> Chart:
    """The funnel's picture; the table beside it has the same figures."""
    summary = _(
        "%(starts)s visits started, %(checks)s check pages shown, %(results)s recommendations "
        "shown and %(routed)s visits sent to another page."
    ) % {
        "starts": funnel.starts,
        "checks": funnel.checks,
        "results": funnel.results_total,
        "routed": funnel.routed_total,
    }
    title = _("Questions shown and answered, then how visits ended")
    svg = funnel_svg(funnel_steps(funnel), title=title, summary=summary, ident="funnel")
    alt = _("%(title)s: %(summary)s The table beside the chart has every figure.")
    return Chart.of(svg, alt % {"title": title, "summary": summary})


def weekly_chart(weekly: WeeklyResults) -> Chart:
    title = _("Stored results per outcome, week by week")
    words = _("%(total)s stored results in %(weeks)s weeks.")
    summary = words % {"total": weekly.total, "weeks": len(weekly.weeks)}
    svg = weekly_svg(
        list(reversed(weekly.weeks)), weekly.series(), title=title, summary=summary, ident="weekly"
    )
    alt = _("%(title)s: %(summary)s The table below has the counts per week.")
    return Chart.of(svg, alt % {"title": title, "summary": summary})
