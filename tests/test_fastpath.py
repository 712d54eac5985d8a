"""The fast path (decisionguide/pagecache/fastpath.py): a page the cache served before is
answered again before the middleware chain, exactly as the chain answered it."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decisionguide.analytics import counting as analytics
from decisionguide.analytics.models import AnswerCounter
from decisionguide.content.models import Guide
from decisionguide.pagecache import fastpath
from decisionguide.results.models import Result
from tests.answers import result_form
from tests.test_pagecache import check_url, first_question_url, republish_with

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Headers the chain sets anew for each response, whoever answers: a compressed page's
# length varies, as GZipMiddleware pads it at random (its BREACH mitigation).
PER_RESPONSE = {"Set-Cookie", "Content-Length"}
# A cookie's expiry date, to the second of the response that set it.
EXPIRES = re.compile(r"expires=[^;]+; ")


def fast(client: Client, url: str, method: str = "get", **kwargs):
    """A request the fast path must answer: the chain past it is not reached."""
    with mock.patch.object(
        fastpath.FastPathMiddleware, "__call__", autospec=True, side_effect=_fast_only
    ):
        return getattr(client, method)(url, **kwargs)


def _fast_only(self, request):
    key = fastpath.signature(request)
    record = fastpath.RECORDS.get(key)
    assert record is not None, "no record for this request"
    response = self.serve(request, record)
    assert response is not None, "the record's check failed"
    return response


def chain_hit(client: Client, url: str, **kwargs):
    """Render, then a cache hit through the whole chain (which makes the record)."""
    client.get(url, **kwargs)
    return client.get(url, **kwargs)


def headers(response) -> dict[str, str]:
    return {k: v for k, v in response.items() if k not in PER_RESPONSE}


def guide_url(guide: Guide) -> str:
    return reverse("guide-detail", args=[guide.slug])


@pytest.mark.parametrize("encoding", ["", "gzip, br"])
def test_a_fast_answer_has_the_chains_status_headers_and_body(
    client: Client, seed_guide: Guide, encoding: str
):
    extra = {"HTTP_ACCEPT_ENCODING": encoding} if encoding else {}
    for url in (guide_url(seed_guide), first_question_url(seed_guide)):
        hit = chain_hit(client, url, **extra)
        again = fast(client, url, **extra)
        assert again.status_code == hit.status_code == 200
        assert headers(again) == headers(hit)
        if not encoding:
            assert again["Content-Length"] == hit["Content-Length"]
        assert "Content-Security-Policy" in again and again["X-Frame-Options"] == "DENY"
        body = again.content
        if encoding:
            assert again["Content-Encoding"] == "gzip"
            body = gzip.decompress(body)
        assert seed_guide.published_document().title.encode() in body
        # The next one is the answer kept from this one (a page without a form), the same.
        kept = fast(client, url, **extra)
        assert headers(kept) == headers(hit) and kept.content == again.content
        assert kept["Content-Length"] == again["Content-Length"]


@pytest.mark.parametrize("encoding", ["", "gzip, br"])
def test_a_fast_answer_with_a_form_is_the_chains_but_for_the_visitors_token(
    seed_guide: Guide, encoding: str
):
    extra = {"HTTP_ACCEPT_ENCODING": encoding} if encoding else {}
    url = check_url(seed_guide)
    chain_hit(Client(), url, **extra)
    hit = Client().get(url, **extra)  # another first visit the chain serves from the cache

    def page_and_cookie(response) -> tuple[str, str]:
        body = gzip.decompress(response.content) if encoding else response.content
        (token,) = TOKEN.findall(body.decode())
        cookie = response.cookies["csrftoken"]
        assert _unmask_cipher_token(token) == cookie.value
        # The page and the cookie's line with this visitor's token and secret left out.
        line = cookie.OutputString().replace(cookie.value, "SECRET")
        return body.decode().replace(token, "TOKEN"), EXPIRES.sub("", line)

    for _ in range(3):  # the first fast answer, then each from what the first one kept
        again = fast(Client(), url, **extra)
        assert again.status_code == 200 and headers(again) == headers(hit)
        assert again["Content-Length"] == str(len(again.content))
        assert page_and_cookie(again) == page_and_cookie(hit)


def test_htmx_panels_and_languages_are_answered_apart(client: Client, seed_guide: Guide):
    url = first_question_url(seed_guide)
    panel = {"HTTP_HX_REQUEST": "true"}
    chain_hit(client, url)
    chain_hit(client, url, **panel)
    chain_hit(client, "/fr" + url)
    assert b"<html" in fast(client, url).content
    assert b"<html" not in fast(client, url, **panel).content
    french = fast(client, "/fr" + url)
    assert french["Content-Language"] == "fr"
    assert b'lang="fr"' in french.content


def test_each_visitor_gets_their_own_working_csrf_token(seed_guide: Guide):
    url = check_url(seed_guide)
    chain_hit(Client(), url)
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = fast(visitor, url)
        assert "csrftoken" in page.cookies and "Cookie" in page["Vary"]
        (token,) = TOKEN.findall(page.content.decode())
        tokens.append(token)
        form = result_form(page.content.decode())
        assert visitor.post(form.action, dict(form.fields)).status_code == 303
        # A visitor whose browser holds the cookie keeps their secret, with a new mask.
        again = fast(visitor, url)
        (held,) = TOKEN.findall(again.content.decode())
        assert held != token
        assert (
            visitor.post(form.action, dict(result_form(again.content.decode()).fields)).status_code
            == 303
        )
    assert tokens[0] != tokens[1]
    assert Result.objects.count() == 4


def test_analytics_count_every_fast_visit_but_not_head(client: Client, seed_guide: Guide):
    url = first_question_url(seed_guide)
    question = seed_guide.published_document().questions[0].slug

    def shown() -> int:
        analytics.buffer.flush()
        row = AnswerCounter.objects.filter(
            guide=seed_guide, kind=analytics.SHOWN, question=question
        ).first()
        return row.count if row else 0

    chain_hit(client, url)
    assert shown() == 2
    fast(client, url)
    fast(client, url)
    assert shown() == 4
    head = fast(client, url, "head")
    assert head.content == b"" and int(head["Content-Length"]) > 0
    assert shown() == 4


def test_a_publish_is_seen_on_the_next_request(client: Client, seed_guide: Guide):
    url = guide_url(seed_guide)
    chain_hit(client, url)
    republish_with(seed_guide, title="A brand new title")
    page = client.get(url)
    assert "A brand new title" in page.content.decode()


def test_a_withdrawn_guide_is_gone_on_the_next_request(client: Client, seed_guide: Guide):
    url = guide_url(seed_guide)
    chain_hit(client, url)
    Guide.objects.filter(pk=seed_guide.pk).update(is_published=False)
    assert client.get(url).status_code == 404
    assert fastpath.RECORDS == {}, "an out-of-date record is dropped, not checked again"


def test_a_due_schedule_goes_live_on_the_next_request(client: Client, small_guide: Guide):
    url = guide_url(small_guide)
    chain_hit(client, url)
    version = small_guide.published_version
    Guide.objects.filter(pk=small_guide.pk).update(
        publish_at=timezone.now() - dt.timedelta(seconds=1),
        scheduled_version=version,
    )
    client.get(url)
    small_guide.refresh_from_db()
    assert small_guide.publish_at is None, "the chain applied the schedule"


def test_staff_and_conditional_requests_take_the_chain(editor_client: Client, seed_guide):
    url = guide_url(seed_guide)
    client = Client()
    chain_hit(client, url)
    assert fastpath.RECORDS
    request_with_session = editor_client.get(url)
    assert request_with_session.wsgi_request.resolver_match is not None, "the chain resolved it"
    stale = client.get(url, HTTP_IF_NONE_MATCH='"x"')
    assert stale.wsgi_request.resolver_match is not None


def test_a_permalink_is_answered_fast_until_its_guide_moves_on(seed_guide: Guide):
    visitor = Client()
    page = visitor.get(check_url(seed_guide))
    form = result_form(page.content.decode())
    created = visitor.post(form.action, dict(form.fields))
    url = created["Location"]
    hit = chain_hit(Client(), url)
    again = fast(Client(), url)
    assert headers(again) == headers(hit) and again.content == hit.content
    assert again["ETag"] == hit["ETag"]
    republish_with(seed_guide, title="Moved on")
    moved = Client().get(url)
    assert moved["ETag"] != hit["ETag"]


def test_a_database_error_in_the_check_leaves_it_to_the_chain(client: Client, seed_guide):
    url = guide_url(seed_guide)
    chain_hit(client, url)
    (record,) = fastpath.RECORDS.values()
    failing = mock.Mock(side_effect=OperationalError("database is locked"))
    with mock.patch.object(fastpath, "RECORDS", {k: r for k, r in fastpath.RECORDS.items()}):
        key = next(iter(fastpath.RECORDS))
        fastpath.RECORDS[key] = fastpath.Record(
            failing, (), record.expected, record.status, record.headers, record.entry
        )
        response = client.get(url)
    assert failing.called
    assert response.wsgi_request.resolver_match is not None, "the chain answered"
    assert response.status_code == 200


def test_unknown_query_strings_make_no_record(client: Client, seed_guide: Guide):
    url = guide_url(seed_guide)
    for n in range(5):
        chain_hit(client, f"{url}?junk={n}")
    assert fastpath.RECORDS == {}


def test_records_are_bounded(client: Client, seed_guide: Guide, monkeypatch):
    monkeypatch.setattr(fastpath, "MAX_RECORDS", 2)
    doc = seed_guide.published_document()
    for question in doc.questions[:1]:
        for url in (
            guide_url(seed_guide),
            reverse("questionnaire-question", args=[doc.slug, question.slug]),
            "/fr" + guide_url(seed_guide),
        ):
            chain_hit(client, url)
    assert len(fastpath.RECORDS) == 2


def test_a_page_without_a_form_is_compressed_once_a_form_every_time(seed_guide: Guide):
    gzipped = {"HTTP_ACCEPT_ENCODING": "gzip"}
    url = guide_url(seed_guide)
    chain_hit(Client(), url, **gzipped)
    first, second = fast(Client(), url, **gzipped), fast(Client(), url, **gzipped)
    assert first.content == second.content and headers(first) == headers(second)
    assert first["Content-Length"] == str(len(first.content))
    assert seed_guide.published_document().title in gzip.decompress(first.content).decode()
    # Uncompressed answers are unaffected by the kept compressed body.
    plain = fast(Client(), url)
    assert "Content-Encoding" not in plain and plain.content == gzip.decompress(first.content)

    form_page = check_url(seed_guide)
    chain_hit(Client(), form_page, **gzipped)
    tokens = {
        TOKEN.findall(gzip.decompress(fast(Client(), form_page, **gzipped).content).decode())[0]
        for _ in range(2)
    }
    assert len(tokens) == 2, "each response has its own token, compressed afresh"


def test_a_french_page_follows_the_version_french_shows(client: Client, seed_guide: Guide):
    """English moving on without French keeps the French page as it was; French published
    again is seen on the next request (the record's check names both versions)."""
    url = "/fr" + guide_url(seed_guide)
    data = seed_guide.published_document().to_data()
    [french_title] = [e["text"] for e in data["translations"]["fr"] if e["path"] == "title"]
    chain_hit(client, url)
    republish_with(seed_guide, title="A brand new English title")
    kept = client.get(url).content.decode()
    assert french_title in kept and "A brand new English title" not in kept
    entries = [
        e | {"text": "Un tout nouveau titre", "source": "A brand new English title"}
        if e["path"] == "title"
        else e
        for e in data["translations"]["fr"]
    ]
    republish_with(seed_guide, title="A brand new English title", translations={"fr": entries})
    chain_hit(client, url)
    assert "Un tout nouveau titre" in fast(client, url).content.decode()
