"""Staff take the draft questionnaire with `?preview=draft`; visitors never see the draft."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.analytics import counting as analytics
from decisionguide.content.models import ChoicePoints, Guide, Question
from decisionguide.publishing.drafts import record_edit
from decisionguide.results.models import Result

pytestmark = pytest.mark.django_db

DRAFT_PROMPT = "Roughly how many shoots land in your diary each month?"
PREVIEW = {"preview": "draft"}
# Many shoots, rarely a contract, no helpers: Studio app today; Calendar-first in the draft.
ANSWERS = {"shoots": "many", "contracts": "rarely", "helpers": "no-one"}


@pytest.fixture
def drafted(small_guide: Guide) -> Guide:
    """The small guide with an unpublished edit that changes a prompt and an outcome."""
    Question.objects.filter(guide=small_guide, slug="shoots").update(prompt=DRAFT_PROMPT)
    rarely = small_guide.questions.get(slug="contracts").choices.get(slug="rarely")
    calendar = small_guide.outcomes.get(slug="calendar")
    ChoicePoints.objects.update_or_create(choice=rarely, outcome=calendar, defaults={"points": 9})
    record_edit(small_guide)
    return Guide.objects.get(pk=small_guide.pk)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def walk(client: Client, guide: Guide, answers: dict[str, str], extra: dict[str, str]):
    """Answer each question the way a browser would, following every redirect."""
    response = client.get(reverse("questionnaire-start", args=[guide.slug]), extra)
    assert response.status_code == 302
    location = response["Location"]
    for question_slug, choice_slug in answers.items():
        page = client.get(location)
        assert page.status_code == 200, location
        hidden = {k: v[0] for k, v in query(location).items()}
        url = reverse("questionnaire-answer", args=[guide.slug, question_slug])
        response = client.get(url, {**hidden, question_slug: choice_slug})
        assert response.status_code == 303
        location = response["Location"]
    return location


def test_editor_walks_the_draft_from_start_to_result(drafted: Guide, editor_client: Client):
    start = editor_client.get(reverse("questionnaire-start", args=[drafted.slug]), PREVIEW)
    first = editor_client.get(start["Location"])
    assert DRAFT_PROMPT in first.content.decode()
    assert b"Draft preview." in first.content
    # The answer form carries the preview along with the answers.
    assert b'<input type="hidden" name="preview" value="draft">' in first.content

    check = walk(editor_client, drafted, ANSWERS, PREVIEW)
    assert urlsplit(check).path == reverse("questionnaire-check", args=[drafted.slug])
    assert query(check)["preview"] == ["draft"]
    check_page = editor_client.get(check)
    body = check_page.content.decode()
    # No form that would store a result: a link to the result page instead.
    assert reverse("result-create", args=[drafted.slug]) not in body
    result_url = reverse("questionnaire-result", args=[drafted.slug])
    assert f'href="{result_url}?' in body

    result = editor_client.get(result_url, {**ANSWERS, **PREVIEW})
    assert result.status_code == 200
    assert result.context["outcome"].slug == "calendar"  # the draft's answer
    assert b"Draft preview." in result.content
    assert Result.objects.count() == 0


def test_the_same_answers_give_the_published_outcome_without_preview(
    drafted: Guide, editor_client: Client
):
    check = walk(editor_client, drafted, ANSWERS, {})
    assert "preview" not in query(check)
    result = editor_client.get(reverse("questionnaire-result", args=[drafted.slug]), ANSWERS)
    assert result.context["outcome"].slug == "studio-app"
    page = editor_client.get(check)
    assert reverse("result-create", args=[drafted.slug]) in page.content.decode()


def test_visitors_asking_for_a_preview_are_told_it_needs_a_login_or_a_link(
    drafted: Guide, client: Client
):
    """Not the live guide served as if it were the draft, and not a visit counted."""
    pages = [
        reverse("guide-detail", args=[drafted.slug]),
        reverse("questionnaire-start", args=[drafted.slug]),
        reverse("questionnaire-question", args=[drafted.slug, "shoots"]),
    ]
    for url in pages:
        response = client.get(url, PREVIEW)
        html = response.content.decode()
        assert response.status_code == 403, url
        assert "This preview needs a login or a reviewer link" in html
        assert DRAFT_PROMPT not in html
        assert "no-store" in response["Cache-Control"]
    assert analytics.buffer.pending() == 0
    # Without the preview, the published guide as ever.
    check = walk(client, drafted, ANSWERS, {})
    result = client.get(reverse("questionnaire-result", args=[drafted.slug]), ANSWERS)
    assert "preview" not in query(check)
    assert result.context["outcome"].slug == "studio-app"


def test_preview_pages_are_never_kept_by_shared_caches(drafted: Guide, editor_client: Client):
    urls = [
        reverse("questionnaire-start", args=[drafted.slug]),
        reverse("questionnaire-question", args=[drafted.slug, "shoots"]),
        reverse("questionnaire-check", args=[drafted.slug]) + "?shoots=many&contracts=rarely",
        reverse("questionnaire-result", args=[drafted.slug]) + "?shoots=many&contracts=rarely",
    ]
    for url in urls:
        separator = "&" if "?" in url else "?"
        response = editor_client.get(f"{url}{separator}preview=draft")
        cache_control = response.get("Cache-Control", "")
        assert "private" in cache_control and "no-store" in cache_control, url


def test_htmx_steps_push_preview_urls(drafted: Guide, editor_client: Client):
    url = reverse("questionnaire-answer", args=[drafted.slug, "shoots"])
    response = editor_client.get(url, {"shoots": "many", **PREVIEW}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert query(response["HX-Push-Url"])["preview"] == ["draft"]
    assert b'name="preview" value="draft"' in response.content


def test_an_unpublished_guide_can_be_tried_by_staff_only(small_guide: Guide, editor_client: Client):
    Guide.objects.filter(pk=small_guide.pk).update(published_version=None, is_published=False)
    start = reverse("questionnaire-start", args=[small_guide.slug])
    assert Client().get(start, PREVIEW).status_code == 404
    assert editor_client.get(start, PREVIEW).status_code == 302
    # The staff-only guide page offers the draft questionnaire.
    page = editor_client.get(reverse("guide-detail", args=[small_guide.slug]))
    assert f'href="{start}?preview=draft"'.encode() in page.content


def test_back_from_the_first_question_returns_to_the_draft_guide_page(
    drafted: Guide, editor_client: Client
):
    page = editor_client.get(
        reverse("questionnaire-question", args=[drafted.slug, "shoots"]), PREVIEW
    )
    guide_url = reverse("guide-detail", args=[drafted.slug])
    assert page.context["back_url"] == f"{guide_url}?preview=draft"
    assert page.context["back_in_panel"] is False


def test_the_guide_admin_links_to_the_draft_questionnaire(drafted: Guide, editor_client: Client):
    change = reverse("admin:guides_guide_change", args=[drafted.pk])
    page = editor_client.get(change).content.decode()
    link = f"{reverse('questionnaire-start', args=[drafted.slug])}?preview=draft"
    assert f'href="{link}"' in page
    first = editor_client.get(link, follow=True)
    assert DRAFT_PROMPT in first.content.decode()


def test_the_draft_guide_page_says_it_shows_unpublished_edits(
    drafted: Guide, editor_client: Client
):
    url = reverse("guide-detail", args=[drafted.slug])
    draft = editor_client.get(url, PREVIEW).content.decode()
    assert "This page shows unpublished edits" in draft
    assert "Only staff can see this page until the guide is published" not in draft
    assert "Preview" not in editor_client.get(url).content.decode()  # the published page
