"""Publish at, the editors' side: schedule the draft for a time, or cancel it.

Scheduling checks the draft as Publish does (refused while a check fails, or
when the draft moved on since the editor's page loaded); the version then goes
live when a public page first sees it due (`content.schedule.publish_due`),
after the checks pass once more.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from decisionguide.content.models import Guide, GuideVersion
from decisionguide.publishing.drafts import checked_draft

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class NotInFuture(Exception):
    """The time asked for has passed already: publish now instead."""


def schedule_publish(
    guide: Guide,
    when: dt.datetime,
    *,
    user: AbstractBaseUser | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> GuideVersion:
    """Schedule the draft's version to go live at `when` (replacing any earlier schedule).

    Raises NotInFuture, DraftMoved, PublishRefused or GuideInvalid, and then
    changes nothing.
    """
    if when <= (now or timezone.now()):
        raise NotInFuture
    with transaction.atomic():
        locked, version = checked_draft(
            guide, user=user, expected_version=expected_version, note="Saved before scheduling"
        )
        Guide.objects.filter(pk=locked.pk).update(
            publish_at=when, scheduled_version=version, scheduled_by=user, schedule_problem=""
        )
    guide.refresh_from_db()
    return version


def cancel_schedule(guide: Guide) -> bool:
    """Drop the guide's schedule; False when nothing was scheduled (or it went live first)."""
    cancelled = Guide.objects.filter(pk=guide.pk, publish_at__isnull=False).update(
        publish_at=None, scheduled_version=None, scheduled_by=None
    )
    guide.refresh_from_db()
    return bool(cancelled)
