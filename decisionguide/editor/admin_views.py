"""The guide admin's own pages: checks, publishing, history, ratings grid, import/export,
the draft result checker, analytics and the Markdown preview.

Each view takes the GuideAdmin first (bound in `GuideAdmin.get_urls`, which
wraps them in `admin_site.admin_view`: staff only, CSRF-checked) and checks
the permission it needs itself. Logic lives in publishing, checks, analytics
and content_io; these functions only read the request and render.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from decisionguide.analytics import report as analytics
from decisionguide.content.checks import GuideReport
from decisionguide.content.content_io import (
    apply_document,
    check_guide_text,
    dump_document_yaml,
    dump_guide_yaml,
)
from decisionguide.content.markdown import render_markdown
from decisionguide.content.models import Criterion, Guide, GuideVersion, Outcome
from decisionguide.content.preview import PREVIEW_DRAFT, PREVIEW_PARAM
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.decision.engine import check_answers, clean_answers, evaluate, shown_questions
from decisionguide.editor.forms import ImportForm, RatingsGridForm, try_form_for
from decisionguide.editor.publishing import (
    DraftMoved,
    GuideInvalid,
    PublishRefused,
    draft_report,
    publish,
    record_edit,
    revert,
    unpublish,
    yaml_diff,
)
from decisionguide.results.stats import weekly_results

if TYPE_CHECKING:
    from decisionguide.editor.admin import GuideAdmin

HISTORY_PAGE_SIZE = 20
YAML_CONTENT_TYPE = "application/yaml; charset=utf-8"


# ---------------------------------------------------------------------------
# Shared helpers


def get_guide(model_admin: GuideAdmin, request: HttpRequest, object_id: str) -> Guide:
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


def page(
    model_admin: GuideAdmin,
    request: HttpRequest,
    template: str,
    title: str,
    guide: Guide | None = None,
    **context: Any,
) -> TemplateResponse:
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": title,
            "guide": guide,
            "original": guide,
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


def diff_lines(diff: str) -> list[DiffLine]:
    lines = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "remove"
        else:
            kind = ""
        lines.append(DiffLine(kind, line))
    return lines


def links(guide: Guide) -> dict[str, str]:
    return {
        "change": admin_url("change", guide.pk),
        "checks": admin_url("checks", guide.pk),
        "ratings": admin_url("ratings", guide.pk),
        "history": admin_url("history", guide.pk),
        "export": admin_url("export", guide.pk),
        "try": admin_url("try", guide.pk),
        "analytics": admin_url("analytics", guide.pk),
        "publish": admin_url("publish", guide.pk),
        "unpublish": admin_url("unpublish", guide.pk),
        "public": guide.get_absolute_url(),
        "preview": f"{guide.get_absolute_url()}?{PREVIEW_PARAM}={PREVIEW_DRAFT}",
        "preview_questionnaire": (
            f"{reverse('questionnaire-start', args=[guide.slug])}?{PREVIEW_PARAM}={PREVIEW_DRAFT}"
        ),
    }


def part_links(guide: Guide) -> list[tuple[str, str, str, int]]:
    """(name, list URL, add URL, count) for every kind of part of the guide."""
    parts = [
        ("Outcomes", "outcome", guide.outcomes.count()),
        ("Criteria", "criterion", guide.criteria.count()),
        ("Questions", "question", guide.questions.count()),
        ("Scenarios", "scenario", guide.scenarios.count()),
        ("Gates", "gate", guide.gates.count()),
        ("Notes", "note", guide.notes.count()),
        ("Linked pages", "linkedpage", guide.linked_pages.count()),
        ("List items", "guideitem", guide.items.count()),
    ]
    return [
        (
            name,
            f"{reverse(f'admin:guides_{model}_changelist')}?guide__id__exact={guide.pk}",
            f"{reverse(f'admin:guides_{model}_add')}?guide={guide.pk}",
            count,
        )
        for name, model, count in parts
    ]


def safe_draft_report(guide: Guide) -> tuple[GuideReport | None, str]:
    """The draft's checks, or why the draft can't be checked."""
    try:
        return draft_report(guide)[1], ""
    except DocumentError as exc:
        return None, str(exc)


def guide_panel_context(
    model_admin: GuideAdmin, request: HttpRequest, guide: Guide
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
            "parts": part_links(guide),
            "can_publish": request.user.has_perm("guides.publish_guide"),
            "can_analytics": request.user.has_perm("guides.view_analytics"),
        }
    }


def scenario_status(guide: Guide, slug: str) -> str:
    """ "pass" / "FAIL: expected x, got y" for one scenario of the draft (a list column)."""
    report, _ = safe_draft_report(guide)
    if report is None:
        return "?"
    check = next((s for s in report.scenarios if s.slug == slug), None)
    if check is None:
        return "?"
    return "pass" if check.passed else f"FAIL: got {check.result_text()}"


# ---------------------------------------------------------------------------
# Checks and publishing


@require_safe
def checks_view(request: HttpRequest, object_id: str, *, model_admin: GuideAdmin) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    report, problem = safe_draft_report(guide)
    doc = guide.draft_document() if report else None
    return page(
        model_admin,
        request,
        "admin/guides/guide/checks.html",
        f"Checks: {guide.title} (draft, version {guide.version})",
        guide,
        report=report,
        problem=problem,
        doc=doc,
        links=links(guide),
        can_publish=request.user.has_perm("guides.publish_guide"),
        unpublished_changes=guide.has_unpublished_changes(),
    )


# The publish forms post the draft version their page showed, and which page that was.
SEEN_VERSION_FIELD = "version"
RETURN_FIELD = "from"
RETURN_PAGES = ("change", "checks")


def posted_version(request: HttpRequest) -> int | None:
    """The draft version the publish form showed; None if it's missing or not a number."""
    value = request.POST.get(SEEN_VERSION_FIELD, "")
    # ASCII digits only: int() would also take " 3", "+3", "3_0" and "٣".
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        return None
    return int(value)


def return_url(request: HttpRequest, guide: Guide) -> str:
    """The guide page the publish form was on: only our own page names, never a URL."""
    name = request.POST.get(RETURN_FIELD, "")
    return admin_url(name if name in RETURN_PAGES else "change", guide.pk)


@require_POST
def publish_view(request: HttpRequest, object_id: str, *, model_admin: GuideAdmin) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(request.user.has_perm("guides.publish_guide"))
    seen = posted_version(request)
    if seen is None:
        # Without it the draft would be published unseen: what this check is for.
        blank = not request.POST.get(SEEN_VERSION_FIELD, "").strip()
        problem = "is missing" if blank else "is not a version number"
        messages.error(
            request,
            f"Not published: the version to publish {problem}. "
            "Reload this page, review the draft and publish again.",
        )
        return HttpResponseRedirect(return_url(request, guide))
    try:
        version = publish(guide, user=request.user, expected_version=seen)
    except DraftMoved as exc:
        messages.error(
            request,
            f"Not published: this page showed version {exc.expected}, but the draft moved on "
            f"to version {exc.current} since you loaded it. Review version {exc.current} "
            "and publish again.",
        )
        return HttpResponseRedirect(return_url(request, guide))
    except PublishRefused as exc:
        messages.error(
            request,
            "Not published: every scenario must give its expected outcome first. "
            + "; ".join(exc.report.problems()),
        )
        return HttpResponseRedirect(admin_url("checks", guide.pk))
    except GuideInvalid as exc:
        messages.error(request, "Not published: " + "; ".join(exc.messages))
        return HttpResponseRedirect(admin_url("change", guide.pk))
    model_admin.log_change(request, guide, f"Published version {version.version}.")
    messages.success(request, f"Published version {version.version}: visitors see it now.")
    return HttpResponseRedirect(admin_url("change", guide.pk))


@require_POST
def unpublish_view(
    request: HttpRequest, object_id: str, *, model_admin: GuideAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(request.user.has_perm("guides.publish_guide"))
    try:
        unpublish(guide, user=request.user)
    except GuideInvalid as exc:
        messages.error(request, "Not unpublished: " + "; ".join(exc.messages))
        return HttpResponseRedirect(admin_url("change", guide.pk))
    model_admin.log_change(request, guide, "Unpublished.")
    messages.success(request, "Unpublished: the guide is no longer listed or answerable.")
    return HttpResponseRedirect(admin_url("change", guide.pk))


# ---------------------------------------------------------------------------
# History


@require_safe
def history_view(request: HttpRequest, object_id: str, *, model_admin: GuideAdmin) -> HttpResponse:
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
    entries = []
    for index, version in enumerate(shown):
        previous = shown[index + 1] if index + 1 < len(shown) else older
        diff = yaml_diff(
            previous.as_document() if previous else None,
            version.as_document(),
            f"version {previous.version}" if previous else "nothing",
            f"version {version.version}",
        )
        entries.append({"version": version, "diff": diff_lines(diff), "previous": previous})
    return page(
        model_admin,
        request,
        "admin/guides/guide/history.html",
        f"History: {guide.title}",
        guide,
        entries=entries,
        page_obj=current,
        published_id=guide.published_version_id,
        links=links(guide),
        can_change=model_admin.has_change_permission(request, guide),
    )


@require_safe
def version_view(
    request: HttpRequest, object_id: str, number: int, *, model_admin: GuideAdmin
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
        f"{guide.title}: version {version.version}",
        guide,
        version=version,
        text=dump_document_yaml(version.as_document()),
        diff=diff_lines(diff),
        is_draft=version.version == guide.version,
        is_published=version.pk == guide.published_version_id,
        links=links(guide),
        can_change=model_admin.has_change_permission(request, guide),
    )


@require_POST
def revert_view(
    request: HttpRequest, object_id: str, number: int, *, model_admin: GuideAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(model_admin.has_change_permission(request, guide))
    version_of(guide, number)
    try:
        revert(guide, number, user=request.user)
    except DocumentError as exc:
        messages.error(request, f"Version {number} can't be restored: {exc}")
        return HttpResponseRedirect(admin_url("history", guide.pk))
    model_admin.log_change(request, guide, f"Restored version {number} as the draft.")
    messages.success(
        request,
        f"Version {number} is the draft again (as version {guide.version}). Visitors see the "
        "published version until you publish.",
    )
    return HttpResponseRedirect(admin_url("history", guide.pk))


# ---------------------------------------------------------------------------
# Ratings grid


@require_http_methods(["GET", "POST"])
def ratings_view(request: HttpRequest, object_id: str, *, model_admin: GuideAdmin) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    can_change = model_admin.has_change_permission(request, guide)
    criteria = list(Criterion.objects.filter(guide=guide))
    outcomes = list(Outcome.objects.filter(guide=guide))
    data = request.POST if request.method == "POST" else None
    form = RatingsGridForm(criteria, outcomes, data)
    problems: list[str] = []
    if request.method == "POST":
        require(can_change)
        if form.is_valid():
            try:
                with transaction.atomic():
                    changed = form.save()
                    if changed:
                        record_edit(
                            guide, user=request.user, note=f"Changed {changed} ratings in the grid"
                        )
            except GuideInvalid as exc:
                problems = exc.messages
            else:
                if changed:
                    model_admin.log_change(request, guide, f"Changed {changed} ratings.")
                messages.success(request, f"Saved: {changed} ratings changed.")
                return HttpResponseRedirect(admin_url("ratings", guide.pk))
    return page(
        model_admin,
        request,
        "admin/guides/guide/ratings.html",
        f"Ratings: {guide.title}",
        guide,
        form=form,
        outcomes=outcomes,
        problems=problems,
        can_change=can_change,
        links=links(guide),
    )


# ---------------------------------------------------------------------------
# Export and import


@require_safe
def export_view(request: HttpRequest, object_id: str, *, model_admin: GuideAdmin) -> HttpResponse:
    """The draft as a content file; `?version=N` for a frozen version."""
    guide = get_guide(model_admin, request, object_id)
    number = request.GET.get("version", "")
    if number.isdigit():
        text = dump_document_yaml(version_of(guide, int(number)).as_document())
        filename = f"{guide.slug}-v{number}.yaml"
    else:
        try:
            text = dump_guide_yaml(guide)
        except DocumentError as exc:
            messages.error(request, f"The draft can't be exported: {exc}")
            return HttpResponseRedirect(admin_url("change", guide.pk))
        filename = f"{guide.slug}.yaml"
    response = HttpResponse(text, content_type=YAML_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest, *, model_admin: GuideAdmin) -> HttpResponse:
    require(model_admin.has_add_permission(request) or model_admin.has_change_permission(request))
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        name = request.FILES["file"].name
        doc, errors = check_guide_text(form.cleaned_data["file"], name)
        problems = [str(error) for error in errors]
        if doc is not None:
            existing = Guide.objects.filter(slug=doc.slug).first()
            if existing is None:
                require(model_admin.has_add_permission(request))
            else:
                require(model_admin.has_change_permission(request, existing))
            try:
                guide = import_document(
                    doc, name, request, publish_now=form.cleaned_data["publish"]
                )
            except PublishRefused as exc:
                problems = ["Not imported: it can't be published while a scenario fails."]
                problems += exc.report.problems()
            else:
                model_admin.log_change(request, guide, f"Imported {name}.")
                messages.success(request, import_message(guide, form.cleaned_data["publish"]))
                return HttpResponseRedirect(admin_url("change", guide.pk))
    return page(
        model_admin,
        request,
        "admin/guides/guide/import.html",
        "Import a guide from YAML",
        form=form,
        problems=problems,
    )


def import_document(
    doc: GuideDocument, name: str, request: HttpRequest, *, publish_now: bool
) -> Guide:
    """Apply an uploaded document as the draft (and publish it), all or nothing."""
    with transaction.atomic():
        guide, _ = apply_document(doc, publish=False, user=request.user, note=f"Imported {name}")
        if publish_now:
            publish(guide, user=request.user)
    return guide


def import_message(guide: Guide, published: bool) -> str:
    if published:
        return f"Imported and published {guide.slug} (version {guide.version})."
    return (
        f"Imported {guide.slug} as the draft (version {guide.version}). Visitors see the "
        "published version until you publish."
    )


# ---------------------------------------------------------------------------
# Draft result checker


@require_safe
def try_view(request: HttpRequest, object_id: str, *, model_admin: GuideAdmin) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    use_published = request.GET.get("doc") == "published" and guide.published_version_id
    version = guide.published_version if use_published else guide.draft_version()
    doc = version.as_document()
    submitted = "run" in request.GET
    form = try_form_for(doc, request.GET if submitted else None)
    result = None
    if submitted and form.is_valid():
        answers = {slug: value for slug, value in form.cleaned_data.items() if value}
        kept = clean_answers(doc, answers)
        decision = evaluate(doc, kept)
        result = {
            "decision": decision,
            "outcome": doc.outcome(decision.outcome) if decision.outcome else None,
            "route": doc.linked_page(decision.route) if decision.route else None,
            "problems": [p.message for p in check_answers(doc, answers, complete=True)],
            "shown": [q.slug for q in shown_questions(doc, kept)],
            "notes": [n for n in doc.notes if n.slug in decision.notes],
            "excluded": [(doc.outcome(slug), reason) for slug, reason in decision.excluded.items()],
            "scores": [(doc.outcome(slug), points) for slug, points in decision.scores.items()],
        }
    return page(
        model_admin,
        request,
        "admin/guides/guide/try.html",
        f"Try the {'published version' if use_published else 'draft'}: {guide.title}",
        guide,
        form=form,
        result=result,
        version=version,
        use_published=bool(use_published),
        links=links(guide),
    )


# ---------------------------------------------------------------------------
# Analytics


@require_safe
def analytics_view(
    request: HttpRequest, object_id: str, *, model_admin: GuideAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(request.user.has_perm("guides.view_analytics"))
    versions = analytics.counted_versions(guide)
    published = guide.published_version
    if published is not None and published.version not in versions:
        versions = sorted([*versions, published.version], reverse=True)
    wanted = request.GET.get("version", "")
    number = int(wanted) if wanted.isdigit() else (versions[0] if versions else None)
    stats, routes, results, doc = [], [], [], None
    if number is not None:
        doc = version_of(guide, number).as_document()
        counts = analytics.totals(guide, number)
        stats = analytics.question_stats(counts, doc)
        routes = analytics.routes_taken(counts, doc)
        results = analytics.results_shown(counts, doc)
    weekly = weekly_results(guide, doc or guide.draft_document())
    return page(
        model_admin,
        request,
        "admin/guides/guide/analytics.html",
        f"Analytics: {guide.title}",
        guide,
        versions=versions,
        number=number,
        stats=stats,
        routes=routes,
        results=results,
        weekly=weekly,
        links=links(guide),
    )


# ---------------------------------------------------------------------------
# Markdown preview


@dataclass(frozen=True)
class _NoGuide:
    """Enough of a document for render_markdown when the text's guide isn't saved yet."""

    slug: str = "preview"
    linked_pages: tuple[()] = ()


@require_POST
def markdown_preview(request: HttpRequest, *, model_admin: GuideAdmin) -> HttpResponse:
    """The Markdown of a text area as visitors will see it (sanitized HTML fragment)."""
    require(model_admin.has_view_or_change_permission(request))
    text = request.POST.get("text", "")[:100_000]
    guide_id = request.POST.get("guide", "")
    guide = Guide.objects.filter(pk=int(guide_id)).first() if guide_id.isdigit() else None
    doc: Any = _NoGuide()
    if guide is not None:
        with contextlib.suppress(DocumentError):  # broken rows: preview without page links
            doc = guide.draft_document()
    html = render_markdown(text, doc) or "<p>(nothing to show)</p>"
    return HttpResponse(html, content_type="text/html; charset=utf-8")
