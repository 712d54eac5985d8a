"""HEAD answers like GET on every public page (issue 13, reproduction 6).

The index, the guide page, its linked pages and every questionnaire step
used `require_GET` and refused HEAD with 405. The site sends HEAD no body (below), and
tests/test_gunicorn_errors.py checks that a real gunicorn sends none and warns of nothing.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.questionnaire.state import answer_url
from tests.e2e.journeys import public_pages, state_of, walk

pytestmark = pytest.mark.django_db


def every_page(doc) -> dict[str, str]:
    pages = public_pages(doc)
    steps = walk(doc)
    pages["start"] = reverse("questionnaire-start", args=[doc.slug])
    # An answer that moves on (a redirect) and one to a question not reached yet.
    pages["answer"] = (
        answer_url(doc, steps[0].question)
        + "?"
        + "&".join(f"{k}={v}" for k, v in state_of(steps[:1]).params())
    )
    pages["stale question"] = reverse(
        "questionnaire-question", args=[doc.slug, steps[-1].question.slug]
    )
    return pages


def test_head_answers_every_public_page_like_get(seed_guide):
    doc = seed_guide.published_document()
    client = Client()
    pages = every_page(doc)
    assert len(pages) > len(doc.questions) + 5
    for name, url in pages.items():
        get = client.get(url)
        head = client.head(url)
        assert head.status_code == get.status_code, (name, head.status_code)
        assert head.status_code != 405
        assert head["Content-Type"] == get["Content-Type"], name
        assert head.get("Location") == get.get("Location"), name
        assert head.content == b""


def test_head_is_not_counted_as_a_question_shown(seed_guide, settings):
    from decisionguide.analytics.models import AnswerCounter

    doc = seed_guide.published_document()
    question = reverse("questionnaire-question", args=[doc.slug, doc.questions[0].slug])
    from decisionguide.analytics import counting as analytics

    assert Client().head(question).status_code == 200
    analytics.buffer.flush()
    assert not AnswerCounter.objects.exists()
    assert Client().get(question).status_code == 200
    analytics.buffer.flush()
    assert AnswerCounter.objects.exists()  # the check above can fail


def served(environ: dict) -> tuple[str, dict[str, str], bytes]:
    """The site as a WSGI server calls it: status, headers and every body byte it yields."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    answer: dict = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    # As Django's test client does: the test's transaction keeps its connection (with
    # PostgreSQL's pool, a request's end would otherwise hand it back mid-test).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = WSGIHandler()(environ, start_response)
        try:
            content = b"".join(body)
        finally:
            body.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content


def test_the_site_itself_sends_head_without_a_body(seed_guide, settings):
    # Django's test client drops HEAD bodies on its own, as gunicorn does (with a WARNING
    # each time): called as a WSGI server calls it, the site must send none.
    from django.test import RequestFactory

    settings.ALLOWED_HOSTS = ["testserver"]
    doc = seed_guide.published_document()
    factory = RequestFactory()
    pages = every_page(doc) | {"static": "/static/css/site.css", "missing": "/no/such/page/"}
    for name, url in pages.items():
        get_status, get_headers, get_body = served(factory.get(url).environ)
        status, headers, body = served(factory.head(url).environ)
        assert body == b"", name
        assert status == get_status, name
        assert headers.get("Content-Length") == get_headers.get("Content-Length"), name
        if name in {"guide", "static"}:
            # A rendered page and a file whitenoise streams: each had a body to leave out.
            assert get_status.startswith("200") and get_body, name
