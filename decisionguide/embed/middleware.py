"""`/embed/...`: the public pages again, frameless, for the guide's allowed origins only."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, set_script_prefix, set_urlconf

from decisionguide.analytics import counting as analytics
from decisionguide.embed.origins import framing_origin, published_guide, result_origins

PREFIX = "/embed"
EMBED_URLCONF = "decisionguide.embed.urls"
# Pages of the guide itself stay in the frame, in any language (/fr/guides/...); every
# other link opens in the top window.
_IN_FRAME = re.compile(
    r"^(?:/[a-z]{2}(?:-[a-z]+)?)?"
    r"(?:/guides/[\w-]+/(?:(?:questions/.*|check/|route/|result/|results/)?(?:\?.*)?(?:#.*)?)"
    r"|/r/[\w-]+/(?:what-if/)?(?:\?.*)?(?:#.*)?)$"
)
_LINK = re.compile(rb'<a\s[^>]*?href="([^"]*)"[^>]*>')


class EmbedMiddleware:
    """Serve `/embed/<path>` as `<path>` with the embed URLs, and frame it for the guide's sites.

    The prefix is made the script prefix for the request, so every URL a view or
    template reverses stays in embed mode; `request.embedded` tells templates
    (`context.embed`) and views that care (the check page's form) which mode it is.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not path.startswith(PREFIX + "/"):
            return self.get_response(request)
        previous = get_script_prefix()
        request.path_info = path[len(PREFIX) :]
        request.urlconf = EMBED_URLCONF
        request.embedded = True  # type: ignore[attr-defined]
        request.embed_prefix = previous.rstrip("/") + PREFIX  # type: ignore[attr-defined]
        request.embed_origins = ()  # type: ignore[attr-defined]
        set_script_prefix(request.embed_prefix + "/")  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            # Later code in this thread (a test, the next request) reverses the full site.
            set_script_prefix(previous)
            set_urlconf(None)
        return framed(request, response)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        if not getattr(request, "embedded", False):
            return None
        if "slug" in kwargs:
            guide = published_guide(kwargs["slug"])
            origins = guide.origins if guide is not None else None
            if guide is not None and origins and starts_a_visit(request):
                analytics.embedded_visit(
                    guide.guide_id, guide.version, framing_origin(request, origins)
                )
        elif "result_id" in kwargs:
            origins = result_origins(str(kwargs["result_id"]))
        else:
            return None  # oEmbed and the like: no guide, never framed
        if origins is None:
            return None  # the view answers 404 as on the full site
        request.embed_origins = origins  # type: ignore[attr-defined]
        if not origins:
            return render(request, "embed/not_embeddable.html", status=403)
        return None


def starts_a_visit(request: HttpRequest) -> bool:
    """The snippet's frame opening the questionnaire (not a HEAD, not a staff preview)."""
    match = request.resolver_match
    return (
        request.method == "GET"
        and match is not None
        and match.url_name == "questionnaire-start"
        and "preview" not in request.GET
        and not previewed_by_staff(request)
    )


def framed(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Let the guide's allowed origins (exactly those) frame the page, and no one else."""
    origins = list(getattr(request, "embed_origins", ()))
    if previewed_by_staff(request):
        origins.append("'self'")  # the guide's admin page shows the embed in a frame
    response._csp_replace = {"frame-ancestors": origins or ["'none'"]}  # type: ignore[attr-defined]
    if origins:
        # X-Frame-Options can't name origins; the CSP above is what browsers enforce.
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        response.content = leave_frame(response.content, request.embed_prefix)  # type: ignore[attr-defined]
        if response.has_header("Content-Length"):  # CommonMiddleware, inside, counted before
            response["Content-Length"] = str(len(response.content))
    return response


def previewed_by_staff(request: HttpRequest) -> bool:
    """A signed-in editor (their session cookie is only sent first-party, as from the
    admin's preview), so our own pages may frame it too; visitors' pages never."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # no session: no query, and no Vary: Cookie on visitors' pages
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_staff)


def leave_frame(html: bytes, prefix: str) -> bytes:
    """Links that leave the guide open in the top window, on the full site.

    Done on the HTML, not per template, so Markdown links, linked pages and the
    result's exports are all covered, and it works without JavaScript.
    """
    embed = prefix.encode() + b"/"

    def fix(match: re.Match[bytes]) -> bytes:
        tag, href = match.group(0), match.group(1)
        if href.startswith(b"#"):
            return tag
        if href.startswith(embed):
            if _IN_FRAME.match(href[len(embed) - 1 :].decode("utf-8", "replace")):
                return tag
            tag = tag.replace(b'href="' + href, b'href="' + href[len(embed) - 1 :], 1)
        if b" target=" in tag:
            return tag
        return tag[:2] + b' target="_top"' + tag[2:]

    return _LINK.sub(fix, html)
