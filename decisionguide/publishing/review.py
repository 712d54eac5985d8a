"""The review step: an editor marks the draft ready for review; another editor approves it.

Only for guides with `publishing_needs_review`: Publish and Publish at are then
refused in the admin, and the draft goes live through `approve`, by an editor
with `guides.approve_guide` who did not ask for the review. The request names
a frozen version: any later save moves the draft on, which clears it
(`record_edit`), so what was reviewed is exactly what goes live.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from decisionguide.content.models import Guide, GuideVersion
from decisionguide.publishing.drafts import DraftMoved, checked_draft, publish
from decisionguide.publishing.scheduling import schedule_publish

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

REVIEW_FIELDS = {"review_version": None, "review_requested_by": None, "review_requested_at": None}


class ReviewRefused(Exception):
    """Approving isn't possible now; the message says why, for the editor."""


def request_review(
    guide: Guide, *, user: AbstractBaseUser, expected_version: int | None = None
) -> GuideVersion:
    """Mark the draft ready for review; it must pass every check (PublishRefused otherwise)."""
    with transaction.atomic():
        locked, version = checked_draft(guide, user=user, expected_version=expected_version)
        Guide.objects.filter(pk=locked.pk).update(
            review_version=version, review_requested_by=user, review_requested_at=timezone.now()
        )
    guide.refresh_from_db()
    return version


def approve(
    guide: Guide,
    *,
    user: AbstractBaseUser,
    expected_version: int | None = None,
    when: dt.datetime | None = None,
) -> GuideVersion:
    """Approve the version marked ready: publish it now, or at `when`.

    Raises ReviewRefused (nothing ready, or the approver asked for it), DraftMoved,
    PublishRefused or NotInFuture; then nothing changes.
    """
    with transaction.atomic():
        locked = Guide.objects.select_for_update().get(pk=guide.pk)
        if not locked.ready_for_review:
            raise ReviewRefused(
                _(
                    "Nothing is ready for review: the draft was saved after the review was "
                    "asked for, or no one asked. The editor marks it ready for review again."
                )
            )
        if locked.review_requested_by_id == user.pk:
            raise ReviewRefused(
                _("You marked this draft ready for review: another editor must approve it.")
            )
        if expected_version is not None and locked.version != expected_version:
            raise DraftMoved(expected_version, locked.version)
        asked_by = locked.review_requested_by.get_username() if locked.review_requested_by else ""
        Guide.objects.filter(pk=locked.pk).update(**REVIEW_FIELDS)
        if when is not None:
            version = schedule_publish(locked, when, user=user, expected_version=locked.version)
        else:
            note = f"Approved; review asked by {asked_by}" if asked_by else "Approved"
            version = publish(locked, user=user, expected_version=locked.version, note=note)
    guide.refresh_from_db()
    return version
