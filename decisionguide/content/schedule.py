"""Publish at: a scheduled version goes live when a public page first sees it due.

There is no cron job to forget: the one query every public page runs
(`pagecache.GUIDE_ROW`) also says whether the guide's `publish_at` has passed,
and the page then calls `publish_due` before choosing the version it shows.
Several servers may see it due at once: the row is locked (PostgreSQL) and the
schedule claimed with a conditional UPDATE, so exactly one request publishes it
and the others find nothing left to do.

The checks ran when the editor scheduled; they run again here (memoised by
content, so usually free): a version that fails them then does not go live,
and `Guide.schedule_problem` says why, for the dashboard and the history.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import dateformat, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from decisionguide.checking.checks import report_of
from decisionguide.checking.problem_words import problems_in_words
from decisionguide.content.language_lines import with_languages
from decisionguide.content.models import Guide, GuideVersion, PublishEvent
from decisionguide.decision.translations import languages_going_live
from decisionguide.languages import translated_languages

SCHEDULE_FIELDS = ["publish_at", "scheduled_version", "scheduled_by"]
NOTE_MAX_LENGTH = PublishEvent._meta.get_field("note").max_length


def when_text(moment: dt.datetime) -> str:
    """A time as editors read it everywhere: in UTC, with the zone named (the month in
    the active language)."""
    return dateformat.format(moment.astimezone(dt.UTC), r"d M Y, H:i \U\T\C")


def publish_due(guide_id: int, *, now: dt.datetime | None = None) -> bool:
    """Apply guide `guide_id`'s schedule if its time has come; True if a version went live.

    Safe to call from any number of requests at once: only the one whose
    conditional UPDATE clears the schedule publishes it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Guide.objects.select_for_update()
            .filter(pk=guide_id, publish_at__lte=now)
            .only("pk", "language_versions", *SCHEDULE_FIELDS)
            .first()
        )
        if locked is None:
            return False
        claimed = Guide.objects.filter(
            pk=guide_id,
            publish_at=locked.publish_at,
            scheduled_version_id=locked.scheduled_version_id,
        ).update(publish_at=None, scheduled_version=None, scheduled_by=None)
        if not claimed:
            return False  # another request published it first
        # What it records is in the site's language: it is no editor's request.
        with translation.override(settings.LANGUAGE_CODE):
            return _go_live(locked, now)


def _go_live(guide: Guide, now: dt.datetime) -> bool:
    """Publish the claimed version if it still passes every check; else record why not."""
    when = when_text(guide.publish_at or now)
    version = (
        GuideVersion.objects.filter(pk=guide.scheduled_version_id).first()
        if guide.scheduled_version_id
        else None
    )
    if version is None:
        problem = _("The version scheduled for %(when)s no longer exists: nothing went live.")
        problem %= {"when": when}
        Guide.objects.filter(pk=guide.pk).update(schedule_problem=problem)
        return False
    doc = version.as_document()
    report = report_of(doc)
    if not report.passes:
        reasons = "; ".join(str(problem) for problem in problems_in_words(report, doc))
        problem = _(
            "Version %(version)s was scheduled for %(when)s but did not go live: it failed "
            "the checks then. %(reasons)s"
        ) % {"version": version.version, "when": when, "reasons": reasons}
        Guide.objects.filter(pk=guide.pk).update(schedule_problem=problem)
        return False
    shown = languages_going_live(
        version.document, translated_languages(), guide.language_versions, version.pk
    )
    Guide.objects.filter(pk=guide.pk).update(
        published_version=version,
        language_versions=shown,
        is_published=True,
        schedule_problem="",
        updated=now,
    )
    # The record says what went live in each language, as an editor's publish message does.
    published = Guide.objects.select_related("published_version").get(pk=guide.pk)
    note = with_languages(_("Scheduled for %(when)s.") % {"when": when}, published)
    PublishEvent.objects.create(
        guide_id=guide.pk,
        version=version,
        action=PublishEvent.Action.PUBLISH,
        created_by_id=guide.scheduled_by_id,
        note=Truncator(note).chars(NOTE_MAX_LENGTH),
    )
    return True
