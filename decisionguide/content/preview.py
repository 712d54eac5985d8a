"""Staff can look at the draft where visitors look at the published version.

Views call `document_for_request(request, guide)` (or `version_for_request`)
instead of `guide.document()`, and `?preview=draft` shows staff the draft.
"""

from __future__ import annotations

from django.http import HttpRequest

from decisionguide.content.models import Guide, GuideVersion
from decisionguide.decision.document import GuideDocument

PREVIEW_PARAM = "preview"
PREVIEW_DRAFT = "draft"


def wants_draft(request: HttpRequest) -> bool:
    """`?preview=draft` from a staff user who may see guides in the admin."""
    if not asks_for_preview(request) or request.GET.get(PREVIEW_PARAM) != PREVIEW_DRAFT:
        return False  # no session lookup for ordinary visitors
    user = getattr(request, "user", None)
    return bool(
        user is not None and user.is_active and user.is_staff and user.has_perm("guides.view_guide")
    )


def asks_for_preview(request: HttpRequest) -> bool:
    """Whether the query string may ask for a preview, without parsing all of it.

    Questionnaire URLs carry every answer, and a page served from memory
    otherwise never needs them parsed; a False here is exact, a True is checked.
    """
    return PREVIEW_PARAM in request.META.get("QUERY_STRING", "")


def version_for_request(request: HttpRequest, guide: Guide) -> GuideVersion:
    """The frozen version this request should see: the draft for a staff preview."""
    return guide.draft_version() if wants_draft(request) else guide.current_version()


def document_for_request(request: HttpRequest, guide: Guide) -> GuideDocument:
    """The document this request should see: the draft for a staff preview."""
    if wants_draft(request):
        return guide.draft_version().as_document()
    return guide.document()
