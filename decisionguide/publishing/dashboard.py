"""The admin's home page: one summary per guide, in a fixed number of queries.

For each guide: the published and the draft version, who saved the draft and
when, the last publish or unpublish, the draft's checks (memoised per frozen
version, `checks.report_of`), last week's visits started and completion rate, and
links to its pages and its lists of parts. However many guides there are,
the page reads the guides, their drafts' frozen rows and the week's counters
in three queries; part counts come from the draft document, not the rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from decisionguide.analytics import report as analytics
from decisionguide.checking.checks import GuideReport, report_of
from decisionguide.content.models import Guide, GuideVersion, PublishEvent
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.decision.engine import next_question
from decisionguide.decision.translations import language_status
from decisionguide.publishing.admin_pages import PARTS, links, part_links
from decisionguide.publishing.feedback import translation_languages

WEEK_DAYS = 7


@dataclass(frozen=True)
class PartList:
    name: str
    url: str
    count: int


@dataclass(frozen=True)
class Week:
    """Last week's counts (today and the six days before, UTC), every version together."""

    starts: int  # visits started: times the first question was shown
    results: int  # recommendations shown

    @property
    def completion(self) -> float | None:
        """Visits started that got a recommendation, per hundred, as the analytics page
        counts it (`analytics.funnel`: none beyond the visits started); None without a visit."""
        return 100 * min(self.results, self.starts) / self.starts if self.starts else None


@dataclass
class GuideSummary:
    guide: Guide
    draft: GuideVersion | None  # None: the rows don't make a guide and were never frozen
    report: GuideReport | None
    problem: str  # why the draft can't be checked ("" when it can)
    week: Week
    links: dict[str, str]
    parts: list[PartList] = field(default_factory=list)
    # Each language besides the source: (its name, how far its translation is, its page).
    languages: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def published_number(self) -> int | None:
        published = self.guide.published_version
        return published.version if published else None

    @property
    def to_publish(self) -> bool:
        """The draft isn't what visitors see: it has changes, or nothing is listed."""
        return self.guide.has_unpublished_changes() or not self.guide.is_listed

    @property
    def embed_origins(self) -> list[str]:
        """The sites the draft lets show the guide in a frame (the row: no query more)."""
        return [line.strip() for line in self.guide.embed_origins.splitlines() if line.strip()]

    @property
    def draft_by(self) -> str:
        user = self.draft.created_by if self.draft else None
        return user.get_username() if user else _("a content file or script")

    @property
    def last_event(self) -> dict[str, Any] | None:
        """The latest publish or unpublish: action, when, by whom."""
        guide: Any = self.guide
        if guide.event_action is None:
            return None
        return {
            "published": guide.event_action == PublishEvent.Action.PUBLISH,
            "created": guide.event_created,
            "by": guide.event_by or _("a content file or script"),
        }


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    can_view = user.has_perm("guides.view_guide") or user.has_perm("guides.change_guide")
    return {
        "guides": guide_summaries(request) if can_view else [],
        "can_view_guides": can_view,
        "can_add_guide": user.has_perm("guides.add_guide"),
        "can_publish": user.has_perm("guides.publish_guide"),
        "can_analytics": user.has_perm("guides.view_analytics"),
        "guide_list_url": reverse("admin:guides_guide_changelist"),
        "guide_add_url": reverse("admin:guides_guide_add"),
        "guide_import_url": reverse("admin:guides_guide_import"),
    }


def guide_summaries(request: HttpRequest) -> list[GuideSummary]:
    guides = list(
        with_last_event(
            Guide.objects.select_related(
                "published_version",
                "scheduled_version",
                "scheduled_by",
                # The card says who asked for a review of which version: no query each.
                "review_version",
                "review_requested_by",
            )
        )
    )
    drafts = draft_versions(guides)
    documents = {guide.pk: _document(drafts[guide.pk]) for guide in guides}
    weeks = week_counts(guides, {pk: doc for pk, (doc, _) in documents.items()})
    summaries = []
    for guide in guides:
        doc, problem = documents[guide.pk]
        summaries.append(
            GuideSummary(
                guide=guide,
                draft=drafts[guide.pk],
                report=report_of(doc) if doc is not None else None,
                problem=problem,
                week=weeks.get(guide.pk, Week(0, 0)),
                links=links(guide),
                parts=part_lists(request, guide, doc),
                languages=language_lines(guide, doc),
            )
        )
    return summaries


def with_last_event(guides: Any) -> Any:
    """Guides annotated with their latest PublishEvent (action, when, who): no query each."""
    latest = PublishEvent.objects.filter(guide=OuterRef("pk")).order_by("-created", "-id")
    username = f"created_by__{get_user_model().USERNAME_FIELD}"
    return guides.annotate(
        event_action=Subquery(latest.values("action")[:1]),
        event_created=Subquery(latest.values("created")[:1]),
        event_by=Subquery(latest.values(username)[:1]),
    )


def draft_versions(guides: list[Guide]) -> dict[int, GuideVersion | None]:
    """Each guide's draft frozen row (its current version number), in one query."""
    rows = GuideVersion.objects.filter(
        guide__in=[g.pk for g in guides], version=F("guide__version")
    ).select_related("created_by")
    found: dict[int, GuideVersion | None] = {row.guide_id: row for row in rows}
    for guide in guides:
        if guide.pk not in found:  # rows written outside the admin: freeze them now
            try:
                found[guide.pk] = guide.draft_version()
            except DocumentError:  # ... unless they don't make a guide (said by `_document`)
                found[guide.pk] = None
    return found


def _document(version: GuideVersion | None) -> tuple[GuideDocument | None, str]:
    if version is None:
        return None, _("its parts don't make a whole guide yet (open it to see why)")
    try:
        return version.as_document(), ""
    except DocumentError as exc:
        return None, str(exc)


def week_counts(
    guides: list[Guide], drafts: dict[int, GuideDocument | None], today: dt.date | None = None
) -> dict[int, Week]:
    """Visits started (first question shown) and results per guide over the last week."""
    firsts = {g.pk: slug for g in guides if (slug := _first_question(g, drafts.get(g.pk)))}
    since = (today or timezone.now().date()) - dt.timedelta(days=WEEK_DAYS - 1)
    counted = analytics.starts_and_results_since(firsts, since)
    return {pk: Week(*numbers) for pk, numbers in counted.items()}


def _first_question(guide: Guide, draft: GuideDocument | None) -> str | None:
    """The question every visit starts with: the published version's, else the draft's."""
    doc = draft
    if guide.published_version_id is not None:
        with contextlib.suppress(DocumentError):  # an unreadable version: use the draft
            doc = guide.published_document()
    first = next_question(doc, {}) if doc is not None else None
    return first.slug if first is not None else None


def part_lists(request: HttpRequest, guide: Guide, doc: GuideDocument | None) -> list[PartList]:
    """The guide's lists of parts the user may see, in the editor's order, with their sizes."""
    user, lists = request.user, part_links(guide, doc)
    return [
        PartList(name, url, count)
        for (name, url, _add, count), (_name, model, _keys) in zip(lists, PARTS, strict=True)
        if user.has_perm(f"guides.view_{model}") or user.has_perm(f"guides.change_{model}")
    ]


def language_lines(guide: Guide, doc: GuideDocument | None) -> list[tuple[str, str, str]]:
    """("Français", "complete" or "12 missing, 3 out of date", the Translations page)."""
    if doc is None:
        return []
    data, lines = doc.to_data(), []
    for code, name in translation_languages():
        status = language_status(data, code)
        if status.complete:
            words = _("complete")
        elif not status.translated and not status.out_of_date:
            words = _("not started (%(total)s texts)") % {"total": status.total}
        else:
            words = _("%(missing)s missing, %(stale)s out of date")
            words %= {"missing": len(status.missing), "stale": len(status.out_of_date)}
        url = reverse("admin:guides_guide_translations", args=[guide.pk, code])
        lines.append((name, words, url))
    return lines
