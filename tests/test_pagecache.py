"""Pages served from the page cache: same content as a fresh render, never stale, never
shared wrongly (decisionguide/pagecache/)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.decision.parsing import parse_document
from decisionguide.guidefiles.loading import apply_document
from decisionguide.pagecache import CSRF_PLACEHOLDER
from decisionguide.results.models import Result

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def republish_with(guide: Guide, **changes: str) -> None:
    """Publish a new version of the guide with these top-level fields changed."""
    data = {**guide.published_document().to_data(), **changes}
    _, changed = apply_document(parse_document(data))
    assert changed


def first_question_url(guide: Guide) -> str:
    question = guide.published_document().questions[0]
    return reverse("questionnaire-question", args=[guide.slug, question.slug])


def check_url(guide: Guide) -> str:
    doc = guide.published_document()
    answers = dict(doc.scenarios[0].answers)
    return reverse("questionnaire-check", args=[guide.slug]) + "?" + urlencode(answers)


def test_a_second_visit_replays_the_page_without_rendering(client: Client, seed_guide: Guide):
    url = first_question_url(seed_guide)
    first = client.get(url)
    again = client.get(url)
    assert first.templates, "the first visit renders"
    assert again.templates == [], "the second visit is replayed"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]


def test_htmx_panels_and_full_pages_are_kept_apart(client: Client, seed_guide: Guide):
    url = first_question_url(seed_guide)
    full = client.get(url)
    panel = client.get(url, headers={"HX-Request": "true"})
    assert b"<html" in full.content
    assert b"<html" not in panel.content
    # And the other way round, once both are memoised.
    assert b"<html" in client.get(url).content
    assert b"<html" not in client.get(url, headers={"HX-Request": "true"}).content


def test_each_visitor_gets_their_own_working_csrf_token(seed_guide: Guide):
    url = check_url(seed_guide)
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(url)
        body = page.content.decode()
        assert CSRF_PLACEHOLDER not in body
        (token,) = TOKEN.findall(body)
        tokens.append(token)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
        response = visitor.post(reverse("result-create", args=[seed_guide.slug]), fields)
        assert response.status_code == 303, "the replayed token is accepted"
    assert tokens[0] != tokens[1]
    assert Result.objects.count() == 2


def test_a_redirect_is_replayed_too(client: Client, seed_guide: Guide):
    start = reverse("questionnaire-start", args=[seed_guide.slug])
    first, again = client.get(start), client.get(start)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert again.templates == []


def test_publishing_makes_replayed_pages_show_the_new_version(client: Client, seed_guide: Guide):
    guide_url = reverse("guide-detail", args=[seed_guide.slug])
    question_url = first_question_url(seed_guide)
    client.get(guide_url), client.get(question_url)
    republish_with(seed_guide, title="A renamed guide")
    assert "A renamed guide" in client.get(guide_url).content.decode()
    assert "A renamed guide" in client.get(question_url).content.decode()


def test_a_permalink_is_replayed_until_the_guide_moves_on(client: Client, seed_guide: Guide):
    response = client.post(
        reverse("result-create", args=[seed_guide.slug]),
        dict(seed_guide.published_document().scenarios[0].answers),
    )
    permalink = response["Location"]
    first, again = client.get(permalink), client.get(permalink)
    assert again.templates == [] and again.content == first.content
    republish_with(seed_guide, title="A renamed guide")
    later = client.get(permalink)
    assert later.templates, "a new published version renders the page again"
    assert later.content != first.content  # the banner about the newer version
    assert later["ETag"] != first["ETag"]


def test_draft_previews_are_never_cached(editor_client: Client, small_guide: Guide):
    url = first_question_url(small_guide)
    Guide.objects.filter(pk=small_guide.pk).update(title="A draft title", version=2)
    for _ in range(2):
        preview = editor_client.get(url, {"preview": "draft"})
        assert preview.templates, "every preview renders the draft afresh"
        assert "A draft title" in preview.content.decode()
        assert "private" in preview["Cache-Control"]
    # Nor does a preview stand in for the published page, or the other way round.
    visitor = Client().get(url)
    assert "A draft title" not in visitor.content.decode()
    assert "A draft title" in editor_client.get(url, {"preview": "draft"}).content.decode()


def test_a_head_request_gets_the_cached_headers_without_a_body(client: Client, seed_guide):
    url = first_question_url(seed_guide)
    page = client.get(url)
    head = client.head(url)
    assert head.templates == []
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Type"] == page["Content-Type"]


def test_the_version_lookup_reads_the_same_row_with_or_without_a_query_watcher(seed_guide):
    # PageQuery runs on the driver's own cursor unless something watches queries; both must
    # read the same row, and a watcher (a test's query count, a debug tool) must see it.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from decisionguide.pagecache import GUIDE_ROW

    plain = GUIDE_ROW.first_row(seed_guide.slug)
    with CaptureQueriesContext(connection) as watched:
        counted = GUIDE_ROW.first_row(seed_guide.slug)
    assert plain == counted
    assert plain[:3] == (seed_guide.pk, True, seed_guide.published_version_id)
    assert len(watched.captured_queries) == 1
    assert GUIDE_ROW.first_row("no-such-guide") is None
