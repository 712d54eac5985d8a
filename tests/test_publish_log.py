"""Publishing is a record of its own: who put which version live, when, with what note.

Publish and Unpublish never make a content version; the history marks every
version that was ever live, and Unpublish asks before taking a guide off the site.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide, PublishEvent
from tests.admin_forms import admin_form, change_url, post, read_form

pytestmark = pytest.mark.django_db


def history_of(client: Client, guide: Guide) -> list[str]:
    """Each version's entry on the history page, newest first, as text."""
    html = client.get(reverse("admin:guides_guide_history", args=[guide.pk])).content.decode()
    return html.split('<ol class="version-list">')[1].split("</ol>")[0].split("<h2>")[1:]


def edit_and_publish(client: Client, guide: Guide, tagline: str, note: str) -> None:
    outcome = guide.outcomes.first()
    form = admin_form(client, outcome)
    form["tagline"] = tagline
    assert post(client, change_url(outcome), form).status_code == 302
    publish = read_form(client, change_url(guide), "publish_form")
    publish["note"] = note
    url = reverse("admin:guides_guide_publish", args=[guide.pk])
    assert post(client, url, publish).status_code == 302


def test_the_history_marks_every_version_that_was_live(
    superuser_client: Client, small_guide: Guide
) -> None:
    edit_and_publish(superuser_client, small_guide, "Second wording.", "Spring update")
    edit_and_publish(superuser_client, small_guide, "Third wording.", "Summer update")
    small_guide.refresh_from_db()
    # Two edits, two publishes: two new versions, no more.
    assert small_guide.versions.count() == 3
    assert small_guide.published_version.version == 3

    newest, middle, oldest = history_of(superuser_client, small_guide)
    assert "live now" in newest and "Summer update" in newest and "by admin" in newest
    assert "was live" in middle and "Spring update" in middle
    assert "was live" in oldest  # live from the first load
    events = PublishEvent.objects.filter(guide=small_guide).order_by("pk")
    assert [(e.version.version, e.note) for e in events][-2:] == [
        (2, "Spring update"),
        (3, "Summer update"),
    ]


def test_unpublish_asks_first_and_is_logged_without_a_new_version(
    superuser_client: Client, small_guide: Guide
) -> None:
    url = reverse("admin:guides_guide_unpublish", args=[small_guide.pk])
    confirm = read_form(superuser_client, url, "unpublish-form")
    assert "confirm" not in confirm.names()  # the box starts unticked
    refused = post(superuser_client, url, confirm)
    assert refused.status_code == 200
    assert Client().get(small_guide.get_absolute_url()).status_code == 200

    confirm["confirm"] = "yes"
    confirm["note"] = "Rewriting the examples"
    assert post(superuser_client, url, confirm).status_code == 302

    assert Client().get(small_guide.get_absolute_url()).status_code == 404
    small_guide.refresh_from_db()
    assert small_guide.versions.count() == 1
    event = PublishEvent.objects.filter(guide=small_guide).latest("pk")
    assert (event.action, event.note, event.created_by.username) == (
        "unpublish",
        "Rewriting the examples",
        "admin",
    )
    (entry,) = history_of(superuser_client, small_guide)
    assert "Rewriting the examples" in entry and "was live" in entry
