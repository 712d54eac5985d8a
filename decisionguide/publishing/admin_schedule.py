"""The guide admin's Publish at: schedule the draft for a time (in UTC), or cancel it.

Bound like the other guide pages (`GuideAdmin.get_urls`: staff only, CSRF-checked);
both need the publish permission.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from decisionguide.content.schedule import when_text
from decisionguide.publishing.admin_pages import admin_url, get_guide, joined, require
from decisionguide.publishing.admin_views import posted_version, return_url
from decisionguide.publishing.drafts import DraftMoved, GuideInvalid, PublishRefused
from decisionguide.publishing.scheduling import NotInFuture, cancel_schedule, schedule_publish

WHEN_FIELD = "publish_at"


def posted_time(request: HttpRequest) -> dt.datetime | None:
    """The form's date and time (a datetime-local input, read as UTC); None if not one."""
    text = request.POST.get(WHEN_FIELD, "").strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


@require_POST
def schedule_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(request.user.has_perm("guides.publish_guide"))
    back = HttpResponseRedirect(return_url(request, guide))
    if guide.publishing_needs_review:
        words = _(
            "Not scheduled: publishing this guide needs a review. Mark the draft ready for "
            "review; the editor who approves it may schedule it."
        )
        messages.error(request, words)
        return back
    seen = posted_version(request)
    when = posted_time(request)
    if seen is None or when is None:
        words = (
            _("Not scheduled: the form needs the version to publish. Reload and try again.")
            if seen is None
            else _("Not scheduled: the form needs a date and time (UTC). Reload and try again.")
        )
        messages.error(request, words)
        return back
    try:
        version = schedule_publish(guide, when, user=request.user, expected_version=seen)
    except NotInFuture:
        words = _("Not scheduled: %(time)s has passed. Choose a later time, or publish now.")
        messages.error(request, words % {"time": when_text(when)})
        return back
    except DraftMoved as exc:
        words = _(
            "Not scheduled: this page showed version %(seen)s, but the draft moved on to "
            "version %(current)s since you loaded it. Review it and schedule again."
        )
        messages.error(request, words % {"seen": exc.expected, "current": exc.current})
        return back
    except PublishRefused as exc:
        words = _("Not scheduled: the draft must pass every check. %(problems)s")
        messages.error(request, words % {"problems": joined(exc.messages)})
        return HttpResponseRedirect(admin_url("checks", guide.pk))
    except GuideInvalid as exc:
        messages.error(request, _("Not scheduled: %(why)s") % {"why": joined(exc.messages)})
        return back
    model_admin.log_change(
        request, guide, f"Scheduled version {version.version} for {when_text(when)}."
    )
    words = _(
        "Scheduled: version %(number)s goes live at %(time)s, if it still passes every check "
        "then. Visitors see the published version until then."
    )
    messages.success(request, words % {"number": version.version, "time": when_text(when)})
    return back


@require_POST
def cancel_schedule_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(request.user.has_perm("guides.publish_guide"))
    if cancel_schedule(guide):
        model_admin.log_change(request, guide, "Cancelled the scheduled publish.")
        messages.success(request, _("Cancelled: nothing is scheduled to go live."))
    else:
        messages.info(request, _("Nothing was scheduled (or it has gone live already)."))
    return HttpResponseRedirect(return_url(request, guide))
