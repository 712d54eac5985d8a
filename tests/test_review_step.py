"""The review step: ready for review, then another editor with the approve permission publishes."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decisionguide.content.models import Guide
from decisionguide.publishing.drafts import record_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed_guide(small_guide: Guide) -> Guide:
    """The small guide, with a review step and a changed draft (version 2)."""
    Guide.objects.filter(pk=small_guide.pk).update(
        publishing_needs_review=True, title="Reviewed title"
    )
    small_guide.refresh_from_db()
    record_edit(small_guide)
    return small_guide


@pytest.fixture
def reviewer_client(db: None, django_user_model) -> Client:
    """A second editor, also in the Reviewers group (created by a migration)."""
    user = django_user_model.objects.create_user("reviewer", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"), Group.objects.get(name="Reviewers"))
    client = Client()
    client.force_login(user)
    return client


def url(name: str, guide: Guide) -> str:
    return reverse(f"admin:guides_guide_{name}", args=[guide.pk])


def post(client: Client, name: str, guide: Guide, **extra: str):
    data = {"version": str(guide.version), "from": "change", **extra}
    return client.post(url(name, guide), data, follow=True)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_reviewers_group_may_approve() -> None:
    codenames = set(
        Group.objects.get(name="Reviewers").permissions.values_list("codename", flat=True)
    )
    assert {"approve_guide", "publish_guide"} <= codenames


def test_another_editor_approves_and_that_publishes(
    editor_client: Client, reviewer_client: Client, reviewed_guide: Guide
) -> None:
    # Publishing directly is refused while the guide needs a review.
    refused = post(editor_client, "publish", reviewed_guide)
    assert "Not published: publishing this guide needs a review" in page_text(refused)
    assert 'id="request_review_form"' in page_text(refused)

    marked = page_text(post(editor_client, "request_review", reviewed_guide))
    assert "Version 2 is ready for review" in marked
    assert "You asked for this review: another editor must approve it." in marked

    change = page_text(reviewer_client.get(url("change", reviewed_guide)))
    assert "Ready for review:" in change and "asked by editor" in change
    assert 'id="approve_form"' in change
    approved = page_text(post(reviewer_client, "approve", reviewed_guide))
    assert "Approved and published version 2" in approved
    reviewed_guide.refresh_from_db()
    assert reviewed_guide.published_version.version == 2
    assert "Reviewed title" in Client().get(reviewed_guide.get_absolute_url()).content.decode()


def test_the_requester_cannot_approve_their_own(
    superuser_client: Client, reviewed_guide: Guide
) -> None:
    post(superuser_client, "request_review", reviewed_guide)
    response = page_text(post(superuser_client, "approve", reviewed_guide))
    assert "Not approved: You marked this draft ready for review" in response
    reviewed_guide.refresh_from_db()
    assert reviewed_guide.published_version.version == 1


def test_approving_needs_the_permission(
    editor_client: Client, reviewer_client: Client, reviewed_guide: Guide
) -> None:
    post(reviewer_client, "request_review", reviewed_guide)
    # An editor without the approve permission (the Editors group alone).
    response = editor_client.post(url("approve", reviewed_guide), {"version": "2"})
    assert response.status_code == 403
    reviewed_guide.refresh_from_db()
    assert reviewed_guide.published_version.version == 1


def test_a_save_after_the_request_clears_it(
    editor_client: Client, reviewer_client: Client, reviewed_guide: Guide
) -> None:
    post(editor_client, "request_review", reviewed_guide)
    reviewed_guide.refresh_from_db()
    assert reviewed_guide.ready_for_review
    Guide.objects.filter(pk=reviewed_guide.pk).update(title="Changed after the request")
    reviewed_guide.refresh_from_db()
    record_edit(reviewed_guide)
    reviewed_guide.refresh_from_db()
    assert not reviewed_guide.ready_for_review
    response = page_text(post(reviewer_client, "approve", reviewed_guide))
    assert "Not approved: Nothing is ready for review" in response
    reviewed_guide.refresh_from_db()
    assert reviewed_guide.published_version.version == 1


def test_approving_can_schedule(
    editor_client: Client, reviewer_client: Client, reviewed_guide: Guide
) -> None:
    post(editor_client, "request_review", reviewed_guide)
    when = (timezone.now() + dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    response = post(
        reviewer_client, "approve", reviewed_guide, publish_at=when.strftime("%Y-%m-%dT%H:%M")
    )
    assert f"goes live at {when.strftime('%d %b %Y, %H:%M UTC')}" in page_text(response)
    reviewed_guide.refresh_from_db()
    assert reviewed_guide.publish_at == when
    assert reviewed_guide.published_version.version == 1


def test_only_approvers_may_switch_the_review_step(
    editor_client: Client, reviewer_client: Client, reviewed_guide: Guide
) -> None:
    field = 'name="publishing_needs_review"'
    assert field not in editor_client.get(url("change", reviewed_guide)).content.decode()
    assert field in reviewer_client.get(url("change", reviewed_guide)).content.decode()
