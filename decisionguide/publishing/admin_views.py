"""The guide admin's own pages for the draft's life: checks, publishing, history and revert.

Each view takes the guide's model admin (bound in `GuideAdmin.get_urls`,
which wraps them in `admin_site.admin_view`: staff only, CSRF-checked) and
checks the permission it needs itself. Logic lives in `publishing` and
`checking.checks`; these functions only read the request and render.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from decisionguide.checking.problem_words import problems_in_words
from decisionguide.content.language_lines import with_languages
from decisionguide.content.models import Guide, GuideVersion, PublishEvent
from decisionguide.decision.document import DocumentError
from decisionguide.guidefiles.yaml_io import dump_document_yaml
from decisionguide.publishing.admin_pages import (
    DiffLine,
    admin_url,
    diff_lines,
    get_guide,
    joined,
    page,
    require,
    safe_draft_report,
    version_of,
)
from decisionguide.publishing.concurrency import StaleDraft, claim_posted_draft, posted_number
from decisionguide.publishing.drafts import (
    DraftMoved,
    GuideInvalid,
    PublishRefused,
    publish,
    revert,
    unpublish,
    yaml_diff,
)
from decisionguide.publishing.feedback import report_scenarios

HISTORY_PAGE_SIZE = 20

# ---------------------------------------------------------------------------
# Checks and publishing


@require_safe
def checks_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    report, problem = safe_draft_report(guide)
    doc = guide.draft_document() if report else None
    return page(
        model_admin,
        request,
        "admin/guides/guide/checks.html",
        _("Checks: %(title)s (draft, version %(number)s)")
        % {"title": guide.title, "number": guide.version},
        guide,
        report=report,
        problem=problem,
        doc=doc,
        problems=problems_in_words(report, doc) if report and doc else [],
        can_publish=request.user.has_perm("guides.publish_guide"),
        unpublished_changes=guide.has_unpublished_changes(),
    )


# The publish forms post the draft version their page showed, and which page that was.
SEEN_VERSION_FIELD = "version"
RETURN_FIELD = "from"
RETURN_PAGES = ("change", "checks")


def posted_version(request: HttpRequest) -> int | None:
    """The draft version the publish form showed; None if it's missing or not a number."""
    return posted_number(request, SEEN_VERSION_FIELD)


def return_url(request: HttpRequest, guide: Guide) -> str:
    """The guide page the publish form was on: only our own page names, never a URL."""
    name = request.POST.get(RETURN_FIELD, "")
    return admin_url(name if name in RETURN_PAGES else "change", guide.pk)


@require_POST
def publish_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(request.user.has_perm("guides.publish_guide"))
    if guide.publishing_needs_review:
        words = _(
            "Not published: publishing this guide needs a review. Mark the draft ready for "
            "review; another editor who may approve then publishes it."
        )
        messages.error(request, words)
        return HttpResponseRedirect(return_url(request, guide))
    seen = posted_version(request)
    if seen is None:
        # Without it the draft would be published unseen: what this check is for.
        words = (
            _(
                "Not published: the version to publish is missing. Reload this page, review "
                "the draft and publish again."
            )
            if not request.POST.get(SEEN_VERSION_FIELD, "").strip()
            else _(
                "Not published: the version to publish is not a version number. Reload "
                "this page, review the draft and publish again."
            )
        )
        messages.error(request, words)
        return HttpResponseRedirect(return_url(request, guide))
    try:
        note = request.POST.get("note", "").strip()
        version = publish(guide, user=request.user, expected_version=seen, note=note)
    except DraftMoved as exc:
        words = _(
            "Not published: this page showed version %(seen)s, but the draft moved on to "
            "version %(current)s since you loaded it. Review version %(current)s and publish again."
        )
        messages.error(request, words % {"seen": exc.expected, "current": exc.current})
        return HttpResponseRedirect(return_url(request, guide))
    except PublishRefused as exc:
        words = (
            _("Not published: every scenario must give its expected outcome first. %(problems)s")
            if not exc.report.scenarios_pass
            else _("Not published: every check must pass first. %(problems)s")
        )
        messages.error(request, words % {"problems": joined(exc.messages)})
        return HttpResponseRedirect(admin_url("checks", guide.pk))
    except GuideInvalid as exc:
        messages.error(
            request, _("Not published: %(problems)s") % {"problems": joined(exc.messages)}
        )
        return HttpResponseRedirect(admin_url("change", guide.pk))
    model_admin.log_change(request, guide, f"Published version {version.version}.")
    done = _("Published version %(number)s: visitors see it now.") % {"number": version.version}
    messages.success(request, with_languages(done, guide))
    return HttpResponseRedirect(admin_url("change", guide.pk))


@require_http_methods(["GET", "HEAD", "POST"])
def unpublish_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """GET asks for confirmation (taking a guide off the site is one click too easy);
    POST, with the confirmation ticked, does it."""
    guide = get_guide(model_admin, request, object_id)
    require(request.user.has_perm("guides.publish_guide"))
    if not guide.is_published:
        messages.info(request, _("The guide is not on the site: nothing to unpublish."))
        return HttpResponseRedirect(admin_url("change", guide.pk))
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return page(
            model_admin,
            request,
            "admin/guides/guide/unpublish.html",
            _("Unpublish %(title)s?") % {"title": guide.title},
            guide,
            results=guide.published_version.results.count(),
            problem=request.method == "POST",
        )
    unpublish(guide, user=request.user, note=request.POST.get("note", "").strip())
    model_admin.log_change(request, guide, "Unpublished.")
    messages.success(request, _("Unpublished: the guide is no longer listed or answerable."))
    return HttpResponseRedirect(admin_url("change", guide.pk))


# ---------------------------------------------------------------------------
# History


@require_safe
def history_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    versions = guide.versions.select_related("created_by").order_by("-version")
    paginator = Paginator(versions, HISTORY_PAGE_SIZE)
    current = paginator.get_page(request.GET.get("page"))
    shown = list(current.object_list)
    # The version before the last one on this page, for its diff.
    older = (
        guide.versions.filter(version__lt=shown[-1].version).order_by("-version").first()
        if shown
        else None
    )
    events: dict[int, list[PublishEvent]] = {}
    for event in PublishEvent.objects.filter(version__in=shown).select_related("created_by"):
        events.setdefault(event.version_id, []).append(event)
    entries = [
        {"version": v, "previous": p, "diff": changes(p, v), "events": events.get(v.pk, [])}
        for v, p in zip(shown, [*shown[1:], older], strict=True)
    ]
    return page(
        model_admin,
        request,
        "admin/guides/guide/history.html",
        _("History: %(title)s") % {"title": guide.title},
        guide,
        entries=entries,
        page_obj=current,
        published_id=guide.published_version_id,
    )


def changes(previous: GuideVersion | None, version: GuideVersion) -> list[DiffLine]:
    """A version's changes from the one before it (from nothing for the first)."""
    before = previous.as_document() if previous else None
    named = f"version {previous.version}" if previous else "nothing"
    return diff_lines(yaml_diff(before, version.as_document(), named, f"version {version.version}"))


@require_safe
def version_view(
    request: HttpRequest, object_id: str, number: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    version = version_of(guide, number)
    draft = guide.draft_version()
    diff = yaml_diff(
        version.as_document(),
        draft.as_document(),
        f"version {version.version}",
        f"draft (version {draft.version})",
    )
    return page(
        model_admin,
        request,
        "admin/guides/guide/version.html",
        _("%(title)s: version %(number)s") % {"title": guide.title, "number": version.version},
        guide,
        version=version,
        text=dump_document_yaml(version.as_document()),
        diff=diff_lines(diff),
        is_draft=version.version == guide.version,
        is_published=version.pk == guide.published_version_id,
    )


@require_POST
def revert_view(
    request: HttpRequest, object_id: str, number: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(model_admin.has_change_permission(request, guide))
    version_of(guide, number)
    try:
        with transaction.atomic():
            claim_posted_draft(request, guide)
            revert(guide, number, user=request.user)
    except StaleDraft as exc:
        words = _(
            "Not restored: %(why)s Saved since: %(changes)s. Look at the history again, then "
            "restore if you still want to."
        )
        messages.error(request, words % {"why": exc.why, "changes": joined(exc.changes)})
        return HttpResponseRedirect(admin_url("history", guide.pk))
    except DocumentError as exc:
        words = _("Version %(number)s can't be restored: %(problem)s")
        messages.error(request, words % {"number": number, "problem": exc})
        return HttpResponseRedirect(admin_url("history", guide.pk))
    model_admin.log_change(request, guide, f"Restored version {number} as the draft.")
    words = _(
        "Version %(number)s is the draft again (as version %(draft)s). Visitors see the "
        "published version until you publish."
    )
    messages.success(request, words % {"number": number, "draft": guide.version})
    report_scenarios(request, guide)
    return HttpResponseRedirect(admin_url("history", guide.pk))
