"""The embed's own views: the result POST without cookies, and oEmbed."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from decisionguide.embed import snippet as embed_snippet
from decisionguide.embed.origins import guide_origins, site_origin
from decisionguide.embed.tokens import TOKEN_FIELD, token_nonce
from decisionguide.locale import language_of_path, prefixed_languages
from decisionguide.pagecache import find_guide_page
from decisionguide.questionnaire.state import check_url, read_state
from decisionguide.results.views import store_checked_answers

MAX_WIDTH = 720


def refused(request: HttpRequest, slug: str, reason: str) -> HttpResponse:
    page = find_guide_page(request, slug, staff_see_unlisted=False)
    state = read_state(page.document, request.POST)
    context = {"doc": page.document, "reason": reason, "retry_url": check_url(page.document, state)}
    return render(request, "embed/refused.html", context, status=403)


def sent_from_here(request: HttpRequest) -> bool:
    """The POST came from our own page in the frame (or, in case a browser names the
    framing site, from one of the guide's allowed origins)."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        # Browsers that send no Origin on a same-origin POST send Sec-Fetch-Site.
        return origin is None and request.headers.get("Sec-Fetch-Site") == "same-origin"
    return origin.lower() in (site_origin(request), *getattr(request, "embed_origins", ()))


@csrf_exempt
@require_POST
def create_result(request: HttpRequest, slug: str) -> HttpResponse:
    """Store a result posted from an embed's check page, where no cookie is sent.

    Instead of the CSRF cookie: the browser's `Origin` (a page on another site can't
    forge it) and the page's signed, expiring form token (tokens.py). Otherwise the
    same as the full site's: its checks, idempotency and rate limit.
    """
    if not sent_from_here(request):
        return refused(request, slug, gettext("They came from a page that is not this guide."))
    nonce = token_nonce(request.POST.get(TOKEN_FIELD, ""), slug)
    if nonce is None:
        return refused(request, slug, gettext("The page they came from is too old or was changed."))
    page = find_guide_page(request, slug, staff_see_unlisted=False)
    return store_checked_answers(request, page, nonce)


@require_safe
def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed (oembed.com) for a guide's address: the embed snippet as a "rich" type."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse("Only format=json is supported.", status=501, content_type="text/plain")
    url = request.GET.get("url", "")
    try:
        parts = urlsplit(url)
        # A French page's address (/fr/guides/...) resolves, and embeds, in French.
        language = language_of_path(parts.path, prefixed_languages())
        with translation.override(language):
            match = resolve(parts.path)
    except (ValueError, Resolver404):
        return HttpResponse("Not a guide's address.", status=400, content_type="text/plain")
    site = site_origin(request)
    slug = match.kwargs.get("slug")
    if f"{parts.scheme}://{parts.netloc}".lower() != site or not isinstance(slug, str):
        return HttpResponse("Not a guide's address.", status=400, content_type="text/plain")
    origins = guide_origins(slug)
    if not origins:
        return HttpResponse("No such embeddable guide.", status=404, content_type="text/plain")
    with translation.override(language):
        doc = find_guide_page(request, slug, staff_see_unlisted=False).document
    try:
        width = min(int(request.GET.get("maxwidth", MAX_WIDTH)), MAX_WIDTH)
    except ValueError:
        width = MAX_WIDTH
    data = {
        "version": "1.0",
        "type": "rich",
        "provider_name": "Decision Guide",
        "provider_url": f"{site}/",
        "title": doc.title,
        "html": embed_snippet.snippet(site, slug, doc.title, language=language),
        "width": max(width, 1),
        "height": embed_snippet.START_HEIGHT,
    }
    return JsonResponse(data)
