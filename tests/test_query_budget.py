"""Query budget: every public page makes at most 2 queries once the guide is cached.

The budget must not grow with the guide: a generated guide of 200 questions
and 1,000 choices is held to the same number as the seed guide.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.content.loading import apply_document
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import clean_answers, next_question
from decisionguide.decision.parsing import parse_document

QUERY_BUDGET = 2
OUTCOMES = ("alpha", "beta", "gamma")


def generated_document(questions: int = 200, choices_per_question: int = 5) -> GuideDocument:
    """A large guide: every question shown, every choice weighted, a few conditions."""
    question_data = []
    for q in range(questions):
        choices = []
        for c in range(choices_per_question):
            choices.append(
                {
                    "slug": f"c{c}",
                    "label": f"Choice {c} of question {q}",
                    "points": {OUTCOMES[(q + c) % 3]: 1 + c % 2},
                }
            )
        question = {
            "slug": f"q{q}",
            "prompt": f"Question number {q}?",
            "short": f"Question {q}",
            "choices": choices,
        }
        if q and q % 50 == 0:
            # Some conditional questions, shown for most answers to the one before.
            question["show_if"] = {"all": [{"question": f"q{q - 1}", "in": ["c0", "c1", "c2"]}]}
        question_data.append(question)
    return parse_document(
        {
            "slug": "generated",
            "title": "A generated guide",
            "summary": "Two hundred questions to keep the query budget honest.",
            "default_outcome": "alpha",
            "intro": "Generated.",
            "right_page": "Always.",
            "wrong_page": "Never.",
            "shortcut": "None.",
            "outcomes": [
                {
                    "slug": slug,
                    "name": slug.title(),
                    "tagline": f"The {slug} way.",
                    "best_for": ["Tests"],
                    "strengths": "Fast.",
                    "tradeoffs": "None.",
                    "failure_mode": "Slow pages.",
                    "good_fit": "Benchmarks.",
                    "choose_if": "You like numbers.",
                }
                for slug in OUTCOMES
            ],
            "criteria": [
                {
                    "slug": f"k{k}",
                    "name": f"Criterion {k}",
                    "ratings": {o: {"label": "Medium", "level": 2} for o in OUTCOMES},
                }
                for k in range(10)
            ],
            "failure_checks": ["Pages got slow."],
            "questions": question_data,
        }
    )


def complete_answers(doc: GuideDocument) -> dict[str, str]:
    answers: dict[str, str] = {}
    while (question := next_question(doc, answers)) is not None:
        answers[question.slug] = question.choices[0].slug
        answers = clean_answers(doc, answers)
    return answers


@pytest.fixture
def generated_guide(db: None) -> Guide:
    guide, _ = apply_document(generated_document())
    return guide


def public_pages(doc: GuideDocument) -> dict[str, str]:
    answers = complete_answers(doc)
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
