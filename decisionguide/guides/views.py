"""Reading pages. Templates render from the guide's immutable document, not from rows."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_safe

from decisionguide.content.matrix import matrix_rows
from decisionguide.content.models import Guide
from decisionguide.content.preview import (
    PREVIEW_DRAFT,
    PREVIEW_PARAM,
    keep_review_cookie,
    preview_refused,
    valid_review,
)
from decisionguide.decision.document import GuideDocument
from decisionguide.guides.markdown import is_safe_page_url
from decisionguide.pagecache import GuidePage, cached_page, guide_page
from decisionguide.pagecache.languages import listed_document


@dataclass(frozen=True)
class Section:
    """One h2 of the guide page: its id (the in-page link) and its heading."""

    anchor: str
    heading: str


def guide_sections(doc: GuideDocument) -> dict[str, Section]:
    """The page's h2 sections in order, keyed for templates; empty optional parts are left out."""
    parts = [
        ("about", gettext("About this decision"), True),
        ("fit", gettext("Is this the right guide?"), True),
        ("options", gettext("The options"), True),
        ("comparison", gettext("Side by side"), bool(doc.criteria)),
        ("shortcut", gettext("A quick way to choose"), True),
        ("criteria", gettext("What matters most"), bool(doc.decision_criteria)),
        ("scenarios", gettext("Examples"), bool(doc.examples)),
        ("edge_cases", gettext("When the answer changes"), bool(doc.edge_cases)),
        ("missteps", gettext("Common missteps"), bool(doc.missteps)),
        ("failure_check", gettext("Quick failure check"), bool(doc.failure_checks)),
        ("snapshot", gettext("Quick decision snapshot"), bool(doc.snapshot)),
        ("next", gettext("Where to go next"), bool(doc.linked_pages)),
        ("decide", gettext("Get your recommendation"), bool(doc.questions)),
    ]
    return {
        key: Section(anchor=key.replace("_", "-"), heading=heading)
        for key, heading, shown in parts
        if shown
    }


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    # Titles and summaries come from the published documents, not the draft rows:
    # one query, however many guides (each parsed once per worker).
    listed = Guide.objects.published().select_related("published_version")
    language = get_language()
    guides = [listed_document(guide, language) for guide in listed]
    return render(request, "guides/index.html", {"guides": guides})


@require_safe
@guide_page(staff_see_unlisted=True)
@cached_page
def guide_detail(request: HttpRequest, page: GuidePage) -> HttpResponse:
    doc = page.document
    context = {
        "doc": doc,
        # The banner: a draft preview, or a guide staff see before it is listed.
        "preview": page.preview or not page.listed,
        "showing_draft": page.preview,
        "sections": guide_sections(doc),
        "matrix": matrix_rows(doc),
        "oembed_url": oembed_url(request, doc),
    }
    return TemplateResponse(request, "guides/guide_detail.html", context)


def oembed_url(request: HttpRequest, doc: GuideDocument) -> str:
    """oEmbed discovery for a guide other sites may show: a CMS given this page's address
    asks the endpoint for the embed code (decisionguide.embed.views.oembed)."""
    if not doc.embed_origins or getattr(request, "embedded", False):
        return ""
    page = request.build_absolute_uri(reverse("guide-detail", args=[doc.slug]))
    # Absolute: a CMS fetches the link as it finds it (WordPress won't resolve a path).
    query = urlencode({"url": page, "format": "json"})
    return request.build_absolute_uri(f"{reverse('oembed')}?{query}")


@require_safe
@guide_page(staff_see_unlisted=True)
def linked_page(request: HttpRequest, page: GuidePage, page_slug: str) -> HttpResponse:
    doc = page.document
    linked = doc.linked_page(page_slug)
    if linked is None:
        raise Http404("No such page in this guide")
    # Checked again before redirecting: an address that is not safe to follow gets the
    # page on this site instead, as linked_page_url() links it.
    if linked.url and is_safe_page_url(linked.url):
        return redirect(linked.url)
    context = {
        "doc": doc,
        "page": linked,
        # The same banner as the guide page: a draft preview, or a guide not listed yet.
        "preview": page.preview or not page.listed,
        "showing_draft": page.preview,
    }
    return render(request, "guides/linked_page.html", context)


@require_safe
def review_link(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A reviewer link (`content.preview`): keeps its token in a cookie for this guide's
    pages and opens the draft guide page; an expired or withdrawn one says so (403)."""
    guide = get_object_or_404(Guide.objects.only("pk", "slug"), slug=slug)
    link = valid_review(token, guide.pk)
    if link is None:
        return preview_refused(request, slug, link_failed=True)
    response = redirect(f"{guide.get_absolute_url()}?{PREVIEW_PARAM}={PREVIEW_DRAFT}")
    keep_review_cookie(response, request, slug, token, link)
    patch_cache_control(response, private=True, no_store=True)
    return response
