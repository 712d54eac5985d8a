"""Publish at: a scheduled draft goes live when a public page first sees it due, no command run."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decisionguide.content.models import Guide, PublishEvent
from decisionguide.content.schedule import publish_due
from decisionguide.publishing.drafts import record_edit

pytestmark = pytest.mark.django_db


def retitle(guide: Guide, title: str) -> None:
    Guide.objects.filter(pk=guide.pk).update(title=title)
    guide.refresh_from_db()
    record_edit(guide)


def schedule(client: Client, guide: Guide, when: dt.datetime, from_page: str = "change"):
    url = reverse("admin:guides_guide_schedule", args=[guide.pk])
    data = {
        "version": str(guide.version),
        "from": from_page,
        "publish_at": when.strftime("%Y-%m-%dT%H:%M"),
    }
    return client.post(url, data, follow=True)


def text_of(response) -> str:
    """The page's text without tags (the times are in <time> elements)."""
    return html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))


def make_due(guide: Guide) -> None:
    """The scheduled minute has passed (moved back in time: no sleeping in tests)."""
    Guide.objects.filter(pk=guide.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=1))


def test_a_scheduled_draft_goes_live_on_time_with_no_command(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    retitle(small_guide, "The scheduled title")
    when = (timezone.now() + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
    when += dt.timedelta(minutes=1)
    response = schedule(superuser_client, small_guide, when)
    text = html.unescape(response.content.decode())
    stamp = when.strftime("%d %b %Y, %H:%M UTC")
    assert f"Scheduled: version 2 goes live at {stamp}" in text
    # The edit page, the dashboard and the history all say what is scheduled, in UTC.
    assert 'id="cancel_schedule_form"' in text
    dashboard = text_of(superuser_client.get(reverse("admin:index")))
    assert f"version 2 goes live at {stamp}" in dashboard
    history = superuser_client.get(reverse("admin:guides_guide_history", args=[small_guide.pk]))
    assert f"version 2 goes live at {stamp}" in text_of(history)
    assert '<span class="badge">scheduled</span>' in history.content.decode()

    visitor = Client()
    before = visitor.get(small_guide.get_absolute_url()).content.decode()
    assert small_document.title in before
    assert "The scheduled title" not in before

    make_due(small_guide)
    after = visitor.get(small_guide.get_absolute_url()).content.decode()
    assert "The scheduled title" in after
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 2
    assert small_guide.publish_at is None and small_guide.scheduled_version is None
    event = PublishEvent.objects.get(guide=small_guide, version__version=2)
    assert event.created_by.username == "admin"
    assert event.note.startswith("Scheduled for ")


def test_a_due_schedule_is_applied_once(small_guide: Guide) -> None:
    retitle(small_guide, "Once")
    Guide.objects.filter(pk=small_guide.pk).update(
        publish_at=timezone.now() - dt.timedelta(minutes=1),
        scheduled_version=small_guide.draft_version(),
    )
    # Several servers seeing it due: only the first claims it.
    assert publish_due(small_guide.pk) is True
    assert publish_due(small_guide.pk) is False
    assert PublishEvent.objects.filter(guide=small_guide, version__version=2).count() == 1


def test_a_schedule_not_yet_due_changes_nothing(small_guide: Guide) -> None:
    retitle(small_guide, "Later")
    later = timezone.now() + dt.timedelta(minutes=1)
    Guide.objects.filter(pk=small_guide.pk).update(
        publish_at=later, scheduled_version=small_guide.draft_version()
    )
    assert publish_due(small_guide.pk) is False
    assert "Later" not in Client().get(small_guide.get_absolute_url()).content.decode()
    # At the scheduled time it goes.
    assert publish_due(small_guide.pk, now=later) is True


def test_a_version_failing_its_checks_when_due_does_not_go_live(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    scenario = small_guide.scenarios.order_by("order", "id").first()
    scenario.outcome = small_guide.outcomes.exclude(pk=scenario.outcome_id).first()
    scenario.save()
    record_edit(small_guide)
    # Scheduled when the checks passed (set directly: the form refuses it now).
    Guide.objects.filter(pk=small_guide.pk).update(
        publish_at=timezone.now() - dt.timedelta(seconds=1),
        scheduled_version=small_guide.draft_version(),
    )
    page = Client().get(small_guide.get_absolute_url()).content.decode()
    assert small_document.title in page
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 1
    assert small_guide.publish_at is None
    assert "Version 2 was scheduled for" in small_guide.schedule_problem
    assert f"Scenario “{scenario.title}” gives" in small_guide.schedule_problem
    dashboard = html.unescape(superuser_client.get(reverse("admin:index")).content.decode())
    assert "did not go live: it failed the checks then" in dashboard


def test_scheduling_is_refused_for_a_failing_draft_or_a_past_time(
    superuser_client: Client, small_guide: Guide
) -> None:
    response = schedule(superuser_client, small_guide, timezone.now() - dt.timedelta(minutes=5))
    assert "has passed. Choose a later time" in html.unescape(response.content.decode())
    scenario = small_guide.scenarios.order_by("order", "id").first()
    scenario.outcome = small_guide.outcomes.exclude(pk=scenario.outcome_id).first()
    scenario.save()
    record_edit(small_guide)
    small_guide.refresh_from_db()
    response = schedule(superuser_client, small_guide, timezone.now() + dt.timedelta(hours=1))
    text = html.unescape(response.content.decode())
    assert f"Not scheduled: the draft must pass every check. Scenario “{scenario.title}”" in text
    small_guide.refresh_from_db()
    assert small_guide.publish_at is None


def test_an_editor_can_cancel_a_schedule(superuser_client: Client, small_guide: Guide) -> None:
    retitle(small_guide, "Never shown")
    schedule(superuser_client, small_guide, timezone.now() + dt.timedelta(hours=1), "checks")
    small_guide.refresh_from_db()
    assert small_guide.publish_at is not None
    url = reverse("admin:guides_guide_cancel_schedule", args=[small_guide.pk])
    response = superuser_client.post(url, {"from": "checks"}, follow=True)
    assert "Cancelled: nothing is scheduled" in html.unescape(response.content.decode())
    make_due(small_guide)  # nothing left to become due
    assert "Never shown" not in Client().get(small_guide.get_absolute_url()).content.decode()


def test_scheduling_needs_the_publish_permission(
    client: Client, django_user_model, small_guide: Guide
) -> None:
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create(username="viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_guide"))
    client.force_login(user)
    when = timezone.now() + dt.timedelta(hours=1)
    url = reverse("admin:guides_guide_schedule", args=[small_guide.pk])
    data = {"version": "1", "publish_at": when.strftime("%Y-%m-%dT%H:%M")}
    assert client.post(url, data).status_code == 403
    small_guide.refresh_from_db()
    assert small_guide.publish_at is None
