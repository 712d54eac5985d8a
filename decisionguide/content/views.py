"""Reading pages. Templates render from the guide's immutable document, not from rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from decisionguide.content.markdown import is_safe_page_url
from decisionguide.content.models import Guide
from decisionguide.content.pagecache import pages
from decisionguide.content.preview import document_for_request, wants_draft
from decisionguide.decision.document import Criterion, GuideDocument, Outcome, Rating


@dataclass(frozen=True)
class Section:
    anchor: str
    heading: str


@dataclass(frozen=True)
class MatrixCell:
    outcome: Outcome
    rating: Rating


@dataclass(frozen=True)
class MatrixRow:
    criterion: Criterion
    cells: tuple[MatrixCell, ...]


def visible_guide(request: HttpRequest, slug: str) -> Guide:
    """The guide at `slug` if this visitor may read it: published, or staff previewing."""
    guide = Guide.objects.for_page(slug)
    # Only an unpublished guide needs the user (and the session queries behind it).
    if guide is None or not (guide.is_published or request.user.is_staff):
        raise Http404("No such guide")
    return guide


def guide_sections(doc: GuideDocument) -> dict[str, Section]:
    """The page's h2 sections in order, keyed for templates; empty optional parts are left out."""
    parts = [
        ("about", "About this decision", True),
        ("fit", "Is this the right guide?", True),
        ("options", "The options", True),
        ("comparison", "Side by side", bool(doc.criteria)),
        ("shortcut", "A quick way to choose", True),
        ("criteria", "What matters most", bool(doc.decision_criteria)),
        ("scenarios", "Examples", bool(doc.scenarios)),
        ("edge_cases", "When the answer changes", bool(doc.edge_cases)),
        ("missteps", "Common missteps", bool(doc.missteps)),
        ("failure_check", "Quick failure check", bool(doc.failure_checks)),
        ("snapshot", "Quick decision snapshot", bool(doc.snapshot)),
        ("next", "Where to go next", bool(doc.linked_pages)),
        ("decide", "Get your recommendation", bool(doc.questions)),
    ]
    return {
        key: Section(anchor=key.replace("_", "-"), heading=heading)
        for key, heading, shown in parts
        if shown
    }


def matrix_rows(doc: GuideDocument) -> list[MatrixRow]:
    """Ratings in outcome (column) order, whatever order the content file used."""
    return [
        MatrixRow(
            criterion,
            tuple(MatrixCell(outcome, criterion.ratings[outcome.slug]) for outcome in doc.outcomes),
        )
        for criterion in doc.criteria
    ]


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    # Titles and summaries come from the published documents, not the draft rows.
    listed = Guide.objects.published().select_related("published_version")
    guides = [guide.document() for guide in listed]
    return render(request, "guides/index.html", {"guides": guides})


@require_safe
def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide = visible_guide(request, slug)
    draft = wants_draft(request)
    doc = document_for_request(request, guide)
    preview = draft or not guide.is_published

    def render_page() -> str:
        context = {
            "doc": doc,
            "preview": preview,
            "showing_draft": draft,
            "sections": guide_sections(doc),
            "matrix": matrix_rows(doc),
        }
        return render_to_string("guides/guide_detail.html", context, request)

    if draft:  # a staff preview of unpublished edits: never memoised
        return HttpResponse(render_page())
    # The page depends on nothing but the guide version: render it once per worker.
    key = f"guide-detail:{guide.document_cache_key}:{preview}"
    return HttpResponse(pages.get_or_render(key, lambda: render_page().encode()))


@require_safe
def linked_page(request: HttpRequest, slug: str, page_slug: str) -> HttpResponse:
    guide = visible_guide(request, slug)
    doc = document_for_request(request, guide)
    page = doc.linked_page(page_slug)
    if page is None:
        raise Http404("No such page in this guide")
    # Checked again before redirecting: an address that is not safe to follow gets the
    # page on this site instead, as linked_page_url() links it.
    if page.url and is_safe_page_url(page.url):
        return redirect(page.url)
    context = {"doc": doc, "page": page, "preview": not guide.is_published}
    return render(request, "guides/linked_page.html", context)
