"""What the guide admin's own pages share: finding the guide, permission checks, the
admin page frame, links between the pages, and the status panel of a guide's change page.

The views (`admin_views`, `admin_tools`) take the guide's model admin as
`model_admin`: any `admin.ModelAdmin` of `Guide` (`editor.admin.GuideAdmin`
binds itself in its `get_urls`), so these modules never import `editor.admin`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from decisionguide.checking.checks import GuideReport
from decisionguide.content.models import Guide, GuideVersion
from decisionguide.content.preview import PREVIEW_DRAFT, PREVIEW_PARAM
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.publishing.drafts import draft_report

# ---------------------------------------------------------------------------
# Shared helpers


def get_guide(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> Guide:
    guide = model_admin.get_object(request, unquote(object_id))
    if guide is None:
        raise Http404("No such guide")
    if not model_admin.has_view_or_change_permission(request, guide):
        raise PermissionDenied
    return guide


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def admin_url(name: str, *args: Any) -> str:
    return reverse(f"admin:guides_guide_{name}", args=args)


def joined(problems: Iterable[object]) -> str:
    """Problems in one message (str(): the checks' sentences are translated when shown)."""
    return "; ".join(map(str, problems))


def page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    template: str,
    title: str,
    guide: Guide | None = None,
    **context: Any,
) -> TemplateResponse:
    """One of the guide's own admin pages; a guide's pages get its tool links (`links`) and
    whether this editor may change it (`can_change`)."""
    about_guide = (
        {"links": links(guide), "can_change": model_admin.has_change_permission(request, guide)}
        if guide is not None
        else {}
    )
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": title,
            "guide": guide,
            "original": guide,
            **about_guide,
            **context,
        },
    )


def version_of(guide: Guide, number: int) -> GuideVersion:
    version = GuideVersion.objects.filter(guide=guide, version=number).first()
    if version is None:
        raise Http404("No such version")
    return version


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "remove", "hunk", "file" or "" (context)
    text: str


# A unified diff's line kinds by how the line starts, the first that matches.
DIFF_KINDS = (("+++", "file"), ("---", "file"), ("@@", "hunk"), ("+", "add"), ("-", "remove"))


def diff_lines(diff: str) -> list[DiffLine]:
    return [
        DiffLine(next((kind for start, kind in DIFF_KINDS if line.startswith(start)), ""), line)
        for line in diff.splitlines()
    ]


def links(guide: Guide) -> dict[str, str]:
    return {
        "change": admin_url("change", guide.pk),
        "checks": admin_url("checks", guide.pk),
        "logic": admin_url("logic", guide.pk),
        "ratings": admin_url("ratings", guide.pk),
        "history": admin_url("history", guide.pk),
        "export": admin_url("export", guide.pk),
        "try": admin_url("try", guide.pk),
        "analytics": admin_url("analytics", guide.pk),
        "publish": admin_url("publish", guide.pk),
        "unpublish": admin_url("unpublish", guide.pk),
        "schedule": admin_url("schedule", guide.pk),
        "cancel_schedule": admin_url("cancel_schedule", guide.pk),
        "request_review": admin_url("request_review", guide.pk),
        "approve": admin_url("approve", guide.pk),
        "public": guide.get_absolute_url(),
        "preview": f"{guide.get_absolute_url()}?{PREVIEW_PARAM}={PREVIEW_DRAFT}",
        "preview_questionnaire": (
            f"{reverse('questionnaire-start', args=[guide.slug])}?{PREVIEW_PARAM}={PREVIEW_DRAFT}"
        ),
    }


# A guide's lists of parts, in the order an editor thinks of them: (name, model, the
# document's keys holding them). The home page and the guide's page both list them so.
PARTS: tuple[tuple[Any, str, tuple[str, ...]], ...] = (
    (gettext_lazy("Questions"), "question", ("questions",)),
    (gettext_lazy("Outcomes"), "outcome", ("outcomes",)),
    (gettext_lazy("Criteria"), "criterion", ("criteria",)),
    (gettext_lazy("Scenarios"), "scenario", ("scenarios",)),
    (gettext_lazy("Notes"), "note", ("notes",)),
    (gettext_lazy("Gates"), "gate", ("gates",)),
    (gettext_lazy("Linked pages"), "linkedpage", ("linked_pages",)),
    (gettext_lazy("Tie-breaks for close calls"), "tiebreak", ("tie_breaks",)),
    (gettext_lazy("Edge cases and missteps"), "guideitem", ("edge_cases", "missteps")),
    (gettext_lazy("Failure checks"), "failurecheck", ("failure_checks",)),
)


def part_links(guide: Guide, doc: GuideDocument | None) -> list[tuple[str, str, str, int]]:
    """(name, list URL, add URL, count) for every kind of part, counted in the draft `doc`."""
    return [
        (
            name,
            f"{reverse(f'admin:guides_{model}_changelist')}?guide__id__exact={guide.pk}",
            f"{reverse(f'admin:guides_{model}_add')}?guide={guide.pk}",
            sum(len(getattr(doc, key)) for key in keys) if doc is not None else 0,
        )
        for name, model, keys in PARTS
    ]


def safe_draft_report(guide: Guide) -> tuple[GuideReport | None, str]:
    """The draft's checks, or why the draft can't be checked."""
    try:
        return draft_report(guide)[1], ""
    except DocumentError as exc:
        return None, str(exc)


def safe_draft_document(guide: Guide) -> GuideDocument | None:
    try:
        return guide.draft_document()
    except DocumentError:
        return None


def guide_panel_context(
    model_admin: admin.ModelAdmin, request: HttpRequest, guide: Guide
) -> dict[str, Any]:
    """Status, checks summary and links shown at the top of the guide's change page."""
    report, problem = safe_draft_report(guide)
    published = guide.published_version
    return {
        "panel": {
            "report": report,
            "problem": problem,
            "published_number": published.version if published else None,
            "unpublished_changes": guide.has_unpublished_changes(),
            "links": links(guide),
            "parts": part_links(guide, safe_draft_document(guide)),
            "can_publish": request.user.has_perm("guides.publish_guide"),
            "can_analytics": request.user.has_perm("guides.view_analytics"),
        }
    }


def scenario_status(guide: Guide, slug: str) -> str:
    """ "pass" / "FAIL: got y" for one scenario of the draft (a list column)."""
    report = safe_draft_report(guide)[0]
    check = next((s for s in report.scenarios if s.slug == slug), None) if report else None
    if check is None:
        return "?"
    return _("pass") if check.passed else _("FAIL: got %(got)s") % {"got": check.result_text()}
