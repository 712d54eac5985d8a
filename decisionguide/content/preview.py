"""Staff can look at the draft where visitors look at the published version.

`?preview=draft` from a staff member who may view guides shows the draft on
every public page (`pagecache.find_guide_page` asks `wants_draft`); such a
page is never cached nor counted.
"""

from __future__ import annotations

from django.http import HttpRequest

PREVIEW_PARAM = "preview"
PREVIEW_DRAFT = "draft"


def wants_draft(request: HttpRequest) -> bool:
    """`?preview=draft` from a staff user who may see guides in the admin."""
    # Questionnaire URLs carry every answer: look for the word before parsing them all.
    if PREVIEW_PARAM not in request.META.get("QUERY_STRING", ""):
        return False  # no session lookup for ordinary visitors
    if request.GET.get(PREVIEW_PARAM) != PREVIEW_DRAFT:
        return False
    user = getattr(request, "user", None)
    return bool(
        user is not None and user.is_active and user.is_staff and user.has_perm("guides.view_guide")
    )
