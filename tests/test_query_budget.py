"""Query budget: every public page makes at most 2 queries once the guide is cached.

The budget must not grow with the guide: a generated guide of 200 questions
and 1,000 choices is held to the same number as the seed guide.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.guidefiles.loading import apply_document
from tests.answers import first_choice_answers
from tests.builders import generated_document

QUERY_BUDGET = 2


@pytest.fixture
def generated_guide(db: None) -> Guide:
    guide, _ = apply_document(generated_document())
    return guide


def public_pages(doc: GuideDocument) -> dict[str, str]:
    answers = first_choice_answers(doc)
    first_two = dict(list(answers.items())[:2])
    third = list(answers)[2]
    return {
        "index": reverse("index"),
        "guide": reverse("guide-detail", args=[doc.slug]),
        "question": reverse("questionnaire-question", args=[doc.slug, third])
        + "?"
        + urlencode(first_two),
        "check": reverse("questionnaire-check", args=[doc.slug]) + "?" + urlencode(answers),
        "result": reverse("questionnaire-result", args=[doc.slug]) + "?" + urlencode(answers),
    }


@pytest.mark.parametrize("page", ["index", "guide", "question", "check", "result"])
@pytest.mark.parametrize("guide_fixture", ["seed_guide", "generated_guide"])
def test_public_pages_stay_within_the_query_budget(
    page: str,
    guide_fixture: str,
    request: pytest.FixtureRequest,
    django_assert_max_num_queries,
    settings,
) -> None:
    # Production buffering: analytics are written in batches, not on every page.
    settings.DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS = 10_000
    settings.DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS = 3600
    guide: Guide = request.getfixturevalue(guide_fixture)
    doc = guide.published_document()
    path = public_pages(doc)[page]
    client = Client()
    # Warm up: the first request may freeze and memoise the guide's document.
    assert client.get(path).status_code == 200
    for htmx in (False, True):
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        with django_assert_max_num_queries(QUERY_BUDGET):
            response = client.get(path, **headers)
        assert response.status_code == 200


def test_generated_guide_is_as_large_as_promised(generated_guide: Guide) -> None:
    doc = generated_guide.published_document()
    assert len(doc.questions) == 200
    assert sum(len(q.choices) for q in doc.questions) == 1000
