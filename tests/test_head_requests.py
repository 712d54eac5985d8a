"""HEAD answers like GET on every public page (issue 13, reproduction 6).

The index, the guide page, its linked pages and every questionnaire step
used `require_GET` and refused HEAD with 405. tests/test_gunicorn.py checks
that a real gunicorn sends no body with the answer.
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
