"""Who may look at the draft where visitors look at the published version.

`?preview=draft` shows the draft on every public page of a guide
(`pagecache.find_guide_page` asks `may_see_draft`) to two kinds of people:

- a staff member who may view guides in the admin;
- a reviewer without an account, who opened a **reviewer link** an editor made
  on the guide's admin page: `/guides/<slug>/review/<token>/`. The token is
  signed with the site's secret and names the guide, the generation of its
  links (`Guide.review_links`) and when it expires. Opening it puts the token
  in a cookie for that guide's pages only, so every page of the preview (the
  guide, each question, the result) carries nothing but `?preview=draft`.
  Withdrawing a guide's links moves its generation on: every older link and
  cookie stops working at once.

Anyone else asking for `?preview=draft` is told the preview needs a login or a
link (`PreviewRefused`), never served the live guide as if it were the draft.
A preview is never cached nor counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control

from decisionguide.content.models import Guide

PREVIEW_PARAM = "preview"
PREVIEW_DRAFT = "draft"

REVIEW_SALT = "decisionguide.content.preview.review-link"
REVIEW_DAYS = (1, 3, 7, 14, 30)  # what an editor may pick; 7 by default
REVIEW_DEFAULT_DAYS = 7


class PreviewRefused(PermissionDenied):
    """`?preview=draft` from someone with neither a staff login nor a valid reviewer link."""


@dataclass(frozen=True)
class ReviewLink:
    """What a valid reviewer token says: which guide, which generation, until when."""

    guide_id: int
    generation: int
    expires: dt.datetime


def make_review_token(guide_id: int, generation: int, expires: dt.datetime) -> str:
    """A signed token for the draft of guide `guide_id`, good until `expires`."""
    return signing.dumps([guide_id, generation, int(expires.timestamp())], salt=REVIEW_SALT)


def read_review_token(token: str) -> ReviewLink | None:
    """The token's contents if it is signed by this site and well formed (None: not)."""
    try:
        guide_id, generation, expires = signing.loads(token, salt=REVIEW_SALT)
        when = dt.datetime.fromtimestamp(int(expires), tz=dt.UTC)
        return ReviewLink(int(guide_id), int(generation), when)
    except (signing.BadSignature, TypeError, ValueError, OverflowError, OSError):
        return None


def valid_review(token: str, guide_id: int) -> ReviewLink | None:
    """The link if `token` opens guide `guide_id`'s draft now: signed, for this guide,
    not expired and not withdrawn (one query, only for a signed token)."""
    link = read_review_token(token)
    if link is None or link.guide_id != guide_id or link.expires <= timezone.now():
        return None
    generation = Guide.objects.filter(pk=guide_id).values_list("review_links", flat=True).first()
    return link if generation == link.generation else None


def review_cookie(guide_id: int) -> str:
    return f"review-{guide_id}"


def keep_review_cookie(
    response: HttpResponse, request: HttpRequest, slug: str, token: str, link: ReviewLink
) -> None:
    """The reviewer's browser keeps the token for this guide's pages, until it expires.

    Path "/": the guide's pages are under /guides/<slug>/, /fr/guides/<slug>/ and
    /embed/..., and a cookie has one path. The token opens one guide's draft only."""
    response.set_cookie(
        review_cookie(link.guide_id),
        token,
        max_age=max(int((link.expires - timezone.now()).total_seconds()), 0),
        path="/",
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def asks_for_draft(request: HttpRequest) -> bool:
    """`?preview=draft` on a GET or HEAD (a form posted from a preview acts on the live guide)."""
    # Questionnaire URLs carry every answer: look for the word before parsing them all.
    if PREVIEW_PARAM not in request.META.get("QUERY_STRING", ""):
        return False  # no session lookup for ordinary visitors
    return request.method in ("GET", "HEAD") and request.GET.get(PREVIEW_PARAM) == PREVIEW_DRAFT


def is_guide_staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(
        user is not None and user.is_active and user.is_staff and user.has_perm("guides.view_guide")
    )


def may_see_draft(request: HttpRequest, guide_id: int, *, listed: bool) -> bool:
    """Whether this request gets guide `guide_id`'s draft: False when it does not ask;
    raises PreviewRefused when it asks without a staff login or a valid reviewer link
    (Http404 for a guide not listed: no hint that it exists)."""
    if not asks_for_draft(request):
        return False
    if is_guide_staff(request):
        return True
    token = request.COOKIES.get(review_cookie(guide_id), "")
    if token and valid_review(token, guide_id) is not None:
        return True
    if not listed:
        raise Http404("No such guide")
    raise PreviewRefused("the draft preview needs a staff login or a reviewer link")


def preview_refused(request: HttpRequest, slug: str, *, link_failed: bool = False) -> HttpResponse:
    """403: the draft needs a staff login or a reviewer link (`link_failed`: that link is
    expired, withdrawn or not one of ours). Nothing is counted; the live guide is linked."""
    context = {"slug": slug, "link_failed": link_failed}
    response = render(request, "preview_refused.html", context, status=403)
    patch_cache_control(response, private=True, no_store=True)
    return response
