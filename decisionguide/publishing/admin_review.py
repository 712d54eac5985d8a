"""The guide admin's review step: mark the draft ready for review, approve it.

Marking needs the change permission; approving needs `guides.approve_guide`
(the Reviewers group, superusers) and another editor than the one who asked.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from decisionguide.content.language_lines import with_languages
from decisionguide.content.schedule import when_text
from decisionguide.publishing.admin_pages import admin_url, get_guide, joined, require
from decisionguide.publishing.admin_schedule import WHEN_FIELD, posted_time
from decisionguide.publishing.admin_views import posted_version, return_url
from decisionguide.publishing.drafts import DraftMoved, GuideInvalid, PublishRefused
from decisionguide.publishing.review import ReviewRefused, approve, request_review
from decisionguide.publishing.scheduling import NotInFuture


@require_POST
def request_review_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(model_admin.has_change_permission(request, guide))
    back = HttpResponseRedirect(return_url(request, guide))
    seen = posted_version(request)
    if seen is None:
        messages.error(request, _("Not marked: the form needs the version. Reload and try again."))
        return back
    try:
        version = request_review(guide, user=request.user, expected_version=seen)
    except DraftMoved as exc:
        words = _(
            "Not marked: this page showed version %(seen)s, but the draft is version "
            "%(current)s now. Review it and mark it again."
        )
        messages.error(request, words % {"seen": exc.expected, "current": exc.current})
        return back
    except PublishRefused as exc:
        words = _("Not marked: the draft must pass every check. %(problems)s")
        messages.error(request, words % {"problems": joined(exc.messages)})
        return HttpResponseRedirect(admin_url("checks", guide.pk))
    except GuideInvalid as exc:
        messages.error(request, _("Not marked: %(problems)s") % {"problems": joined(exc.messages)})
        return back
    model_admin.log_change(request, guide, f"Marked version {version.version} ready for review.")
    words = _(
        "Version %(number)s is ready for review: another editor who may approve publishes it. "
        "Saving any change before then clears the request."
    )
    messages.success(request, words % {"number": version.version})
    return back


@require_POST
def approve_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(request.user.has_perm("guides.approve_guide"))
    back = HttpResponseRedirect(return_url(request, guide))
    seen = posted_version(request)
    when = posted_time(request) if request.POST.get(WHEN_FIELD, "").strip() else None
    if seen is None or (request.POST.get(WHEN_FIELD, "").strip() and when is None):
        messages.error(request, _("Not approved: the form was incomplete. Reload and try again."))
        return back
    try:
        version = approve(guide, user=request.user, expected_version=seen, when=when)
    except ReviewRefused as exc:
        messages.error(request, _("Not approved: %(why)s") % {"why": exc})
        return back
    except NotInFuture:
        messages.error(request, _("Not approved: that time has passed. Choose a later one."))
        return back
    except DraftMoved as exc:
        words = _(
            "Not approved: this page showed version %(seen)s, but the draft is version "
            "%(current)s now."
        )
        messages.error(request, words % {"seen": exc.expected, "current": exc.current})
        return back
    except (PublishRefused, GuideInvalid) as exc:
        messages.error(request, _("Not approved: %(why)s") % {"why": joined(exc.messages)})
        return back
    words = {"number": version.version, "time": when_text(when) if when else ""}
    if when is not None:
        done = _("Approved: version %(number)s goes live at %(time)s.") % words
    else:
        done = _("Approved and published version %(number)s: visitors see it now.") % words
        done = with_languages(done, guide)
    model_admin.log_change(request, guide, done)
    messages.success(request, done)
    return back
