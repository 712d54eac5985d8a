"""The guide admin's tools: the ratings grid, export and import, trying the draft on any
answers and the Markdown preview (the analytics page is `analytics_page`).

Each view takes the guide's model admin (bound in `GuideAdmin.get_urls`,
which wraps them in `admin_site.admin_view`: staff only, CSRF-checked) and
checks the permission it needs itself. Logic lives in `publishing`,
`guidefiles.yaml_io` and `guidefiles.loading`; these functions only read
the request and render.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from decisionguide.content.language_lines import with_languages
from decisionguide.content.models import Criterion, Guide, Outcome
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.decision.engine import check_answers, clean_answers, evaluate, shown_questions
from decisionguide.editor.admin_scenarios import can_add_scenarios, save_form_for
from decisionguide.editor.forms import ImportForm, RatingsGridForm, try_form_for
from decisionguide.guidefiles.loading import apply_document
from decisionguide.guidefiles.yaml_io import check_guide_text, dump_document_yaml, dump_guide_yaml
from decisionguide.guides.markdown import render_markdown
from decisionguide.publishing.admin_pages import (
    admin_url,
    get_guide,
    page,
    require,
    version_of,
)
from decisionguide.publishing.concurrency import StaleDraft, claim_for_import, import_snapshot
from decisionguide.publishing.drafts import GuideInvalid, PublishRefused, publish
from decisionguide.publishing.feedback import report_scenarios
from decisionguide.publishing.merging import claim_for_merge, page_version, record_merged_edit
from decisionguide.publishing.review import request_review

YAML_CONTENT_TYPE = "application/yaml; charset=utf-8"

# ---------------------------------------------------------------------------
# Ratings grid


@require_http_methods(["GET", "POST"])
def ratings_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    can_change = model_admin.has_change_permission(request, guide)
    criteria = list(Criterion.objects.filter(guide=guide))
    outcomes = list(Outcome.objects.filter(guide=guide))
    data = request.POST if request.method == "POST" else None
    form = RatingsGridForm(criteria, outcomes, data)
    problems: list[str] = []
    stale: StaleDraft | None = None
    if request.method == "POST":
        require(can_change)
        if form.is_valid():
            try:
                with transaction.atomic():
                    claim_for_merge(request, guide)
                    changed = form.save()
                    if changed:
                        record_merged_edit(request, guide, f"Changed {changed} ratings in the grid")
            except StaleDraft as exc:
                stale = exc
            except GuideInvalid as exc:
                problems = exc.messages
            else:
                if changed:
                    model_admin.log_change(request, guide, f"Changed {changed} ratings.")
                saved = ngettext(
                    "Saved: %(count)d rating changed.", "Saved: %(count)d ratings changed.", changed
                )
                messages.success(request, saved % {"count": changed})
                report_scenarios(request, guide)
                return HttpResponseRedirect(admin_url("ratings", guide.pk))
    return page(
        model_admin,
        request,
        "admin/guides/guide/ratings.html",
        _("Ratings: %(guide)s") % {"guide": guide.title},
        guide,
        form=form,
        outcomes=outcomes,
        problems=problems,
        can_change=can_change,
        stale_draft=stale,
        # A refused save keeps the version it had: Save again is refused again.
        draft_version=page_version(request, stale, guide.version),
    )


# ---------------------------------------------------------------------------
# Export and import


@require_safe
def export_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
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
            messages.error(
                request, _("The draft can't be exported: %(problem)s") % {"problem": exc}
            )
            return HttpResponseRedirect(admin_url("change", guide.pk))
        filename = f"{guide.slug}.yaml"
    response = HttpResponse(text, content_type=YAML_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
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
            except StaleDraft as exc:
                refused = _(
                    "Not imported. %(refusal)s Importing would replace those changes. Look at "
                    "them first (the guide's history), then choose the file again on this "
                    "reloaded page if you still want it."
                )
                since = _("Saved since: %(change)s")
                problems = [
                    refused % {"refusal": exc},
                    *(since % {"change": change} for change in exc.changes),
                ]
            except GuideInvalid as exc:
                # The file passed its own check, but the guide it makes doesn't (nothing is kept).
                problems = [_("Not imported: the guide it makes isn't valid."), *exc.messages]
            except PublishRefused as exc:
                problems = [
                    _(
                        "Not imported: it can't be published (or marked ready for review) "
                        "while a check fails. Untick “Publish it right away” to import it as "
                        "the draft."
                    )
                ]
                problems += exc.messages
            else:
                model_admin.log_change(request, guide, f"Imported {name}.")
                messages.success(request, import_message(guide, form.cleaned_data["publish"]))
                report_scenarios(request, guide)
                return HttpResponseRedirect(admin_url("change", guide.pk))
    return page(
        model_admin,
        request,
        "admin/guides/guide/import.html",
        _("Import a guide from YAML"),
        form=form,
        problems=problems,
        # Every guide's draft as this page shows it: an import replaces only that one.
        draft_versions=import_snapshot(),
    )


def import_document(
    doc: GuideDocument, name: str, request: HttpRequest, *, publish_now: bool
) -> Guide:
    """Apply an uploaded document as the draft (and publish it), all or nothing.

    The file's `published:` is not used: a draft saved as `published: true`
    keeps the guide's listing as it is, so an import never takes a guide off
    the site (Unpublish does that) and only the form's box publishes.
    """
    doc = doc.model_copy(update={"published": True})
    with transaction.atomic():
        claim_for_import(request, doc.slug)
        guide, _ = apply_document(doc, publish=False, user=request.user, note=f"Imported {name}")
        if publish_now and guide.publishing_needs_review:
            # The review step holds for imports too: the imported draft is marked ready
            # for review (if it passes every check), and another editor approves it.
            request_review(guide, user=request.user)
        elif publish_now:
            publish(guide, user=request.user)
    return guide


def import_message(guide: Guide, published: bool) -> str:
    if published and not guide.publishing_needs_review:
        done = _("Imported and published %(slug)s (version %(version)s).")
        return with_languages(done % {"slug": guide.slug, "version": guide.version}, guide)
    text = (
        _(
            "Imported %(slug)s as the draft (version %(version)s) and marked it ready for "
            "review: publishing this guide needs a review, so it was not published. Another "
            "editor who may approve publishes it; visitors see the published version until "
            "then."
        )
        if published
        else _(
            "Imported %(slug)s as the draft (version %(version)s). Visitors see the published "
            "version until you publish."
        )
    )
    return text % {"slug": guide.slug, "version": guide.version}


# ---------------------------------------------------------------------------
# Draft result checker


@require_safe
def try_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    use_published = request.GET.get("doc") == "published" and guide.published_version_id
    version = guide.published_version if use_published else guide.draft_version()
    doc = guide.published_document() if use_published else guide.draft_document()
    submitted = "run" in request.GET
    form = try_form_for(doc, request.GET if submitted else None)
    result, save_form = None, None
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
        if decision.outcome and kept and not use_published and can_add_scenarios(request):
            save_form = save_form_for(doc, kept, decision.outcome)
    return page(
        model_admin,
        request,
        "admin/guides/guide/try.html",
        (
            _("Try the published version: %(guide)s")
            if use_published
            else _("Try the draft: %(guide)s")
        )
        % {"guide": guide.title},
        guide,
        form=form,
        result=result,
        version=version,
        use_published=bool(use_published),
        save_form=save_form,
        # A scenario saved from this page claims the draft it ran on.
        draft_version=version.version,
    )


# ---------------------------------------------------------------------------
# Markdown preview


@dataclass(frozen=True)
class _NoGuide:
    """Enough of a document for render_markdown when the text's guide isn't saved yet."""

    slug: str = "preview"
    linked_pages: tuple[()] = ()
    link_query: str = ""


@require_POST
def markdown_preview(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    """The Markdown of a text area as visitors will see it (sanitized HTML fragment)."""
    require(model_admin.has_view_or_change_permission(request))
    text = request.POST.get("text", "")[:100_000]
    guide_id = request.POST.get("guide", "")
    guide = Guide.objects.filter(pk=int(guide_id)).first() if guide_id.isdigit() else None
    doc: Any = _NoGuide()
    if guide is not None:
        with contextlib.suppress(DocumentError):  # broken rows: preview without page links
            doc = guide.draft_document()
    html = render_markdown(text, doc) or "<p>{}</p>".format(_("(nothing to show)"))
    return HttpResponse(html, content_type="text/html; charset=utf-8")
