"""Reviewer links: the draft guide and questionnaire for someone without a login.

Made and withdrawn on the guide's admin page; a link opens the draft with its
banner, keeps working through the questionnaire, stores and counts nothing, and
stops working when it expires or is withdrawn.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decisionguide.analytics import counting as analytics
from decisionguide.content.models import Guide, Question
from decisionguide.content.preview import make_review_token, review_cookie
from decisionguide.publishing.drafts import record_edit
from decisionguide.results.models import Result
from tests.admin_forms import read_form

pytestmark = pytest.mark.django_db

DRAFT_PROMPT = "How many shoots fill a typical month?"
PREVIEW = {"preview": "draft"}


@pytest.fixture
def drafted(small_guide: Guide) -> Guide:
    Question.objects.filter(guide=small_guide, slug="shoots").update(prompt=DRAFT_PROMPT)
    record_edit(small_guide)
    return Guide.objects.get(pk=small_guide.pk)


def make_link(editor: Client, guide: Guide, days: str = "7") -> str:
    """Press "Make a reviewer link" on the guide's admin page; the link the message gives."""
    change = reverse("admin:guides_guide_change", args=[guide.pk])
    form = read_form(editor, change, "review_form")
    response = editor.post(
        reverse("admin:guides_guide_review_links", args=[guide.pk]),
        {**form.data(), "days": days, "action": "make"},
        follow=True,
    )
    html = unescape(response.content.decode())
    found = re.search(r'<code class="review-link">http://testserver(/[^<]+)</code>', html)
    assert found, "no link in the message"
    return found.group(1)


def test_a_reviewer_link_opens_the_draft_logged_out_and_counts_nothing(
    drafted: Guide, editor_client: Client
) -> None:
    link = make_link(editor_client, drafted)
    reviewer = Client()
    opened = reviewer.get(link)
    assert opened.status_code == 302
    assert opened["Location"] == f"{drafted.get_absolute_url()}?preview=draft"
    cookie = opened.cookies[review_cookie(drafted.pk)]
    assert cookie["path"] == "/" and cookie["httponly"]
    assert 6 * 86400 < int(cookie["max-age"]) <= 7 * 86400

    page = reviewer.get(opened["Location"])
    assert page.status_code == 200
    assert b"Draft preview." in page.content
    # The French pages are the same guide's: the link opens them too.
    french = reviewer.get(f"/fr{drafted.get_absolute_url()}", PREVIEW)
    assert french.status_code == 200 and 'lang="fr"' in french.content.decode()
    start = reviewer.get(reverse("questionnaire-start", args=[drafted.slug]), PREVIEW)
    question = reviewer.get(start["Location"])
    assert DRAFT_PROMPT in question.content.decode()
    assert b"Draft preview." in question.content
    result = reviewer.get(
        reverse("questionnaire-result", args=[drafted.slug]),
        {"shoots": "few", "helpers": "no-one", **PREVIEW},
    )
    assert result.status_code == 200 and b"Draft preview." in result.content
    assert "no-store" in result["Cache-Control"]
    assert analytics.buffer.pending() == 0  # nothing counted
    assert Result.objects.count() == 0
    # The link opens only its own guide's draft; visitors without it are refused.
    assert Client().get(drafted.get_absolute_url(), PREVIEW).status_code == 403


def test_withdrawing_stops_every_link_and_every_browser_that_opened_one(
    drafted: Guide, editor_client: Client
) -> None:
    link = make_link(editor_client, drafted)
    reviewer = Client()
    reviewer.get(link)
    assert reviewer.get(drafted.get_absolute_url(), PREVIEW).status_code == 200

    form = read_form(
        editor_client, reverse("admin:guides_guide_change", args=[drafted.pk]), "review_form"
    )
    withdrawn = editor_client.post(
        reverse("admin:guides_guide_review_links", args=[drafted.pk]),
        {**form.data(), "action": "withdraw"},
        follow=True,
    )
    assert "Every reviewer link made so far stopped working" in withdrawn.content.decode()

    refused = reviewer.get(drafted.get_absolute_url(), PREVIEW)
    assert refused.status_code == 403
    assert b"This preview needs a login or a reviewer link" in refused.content
    again = Client().get(link)
    assert again.status_code == 403
    assert b"This reviewer link no longer works" in again.content
    # A new link works again.
    assert Client().get(make_link(editor_client, drafted)).status_code == 302


def test_an_expired_forged_or_foreign_link_is_refused(
    drafted: Guide, half_made_guide: Guide
) -> None:
    past = timezone.now() - dt.timedelta(minutes=1)
    expired = make_review_token(drafted.pk, drafted.review_links, past)
    future = timezone.now() + dt.timedelta(days=1)
    good = make_review_token(drafted.pk, drafted.review_links, future)
    for slug, token in [
        (drafted.slug, expired),
        (drafted.slug, good[:-2] + ("AA" if not good.endswith("AA") else "BB")),  # forged
        (drafted.slug, "not-a-token"),
        (half_made_guide.slug, good),  # another guide's
    ]:
        response = Client().get(reverse("review-link", args=[slug, token]))
        assert response.status_code == 403, token
        assert b"This reviewer link no longer works" in response.content
    # A cookie that has expired opens nothing either.
    reviewer = Client()
    reviewer.cookies[review_cookie(drafted.pk)] = expired
    assert reviewer.get(drafted.get_absolute_url(), PREVIEW).status_code == 403


def test_only_editors_who_may_change_the_guide_make_links(
    drafted: Guide, client: Client, django_user_model
) -> None:
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    client.force_login(viewer)
    url = reverse("admin:guides_guide_review_links", args=[drafted.pk])
    assert client.post(url, {"action": "make", "days": "7"}).status_code in (403, 404)
    assert Guide.objects.get(pk=drafted.pk).review_links == 0
