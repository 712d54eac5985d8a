"""Stored results: ids, creating one from the check page, tampered answers and the rate limit.

Expected text comes from the loaded documents and expected decisions from
the engine, so the tests follow the content as it changes.
Helpers: tests/stored_results.py and tests/answers.py.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import unescape
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.decision.document import Question
from decisionguide.decision.engine import clean_answers, evaluate
from decisionguide.results.ids import (
    RESULT_ID_ALPHABET,
    RESULT_ID_LENGTH,
    is_result_id,
    new_result_id,
)
from decisionguide.results.models import Result
from decisionguide.results.presenter import text_label
from tests.answers import free_text_question
from tests.stored_results import (
    FORM,
    create,
    create_url,
    post_result,
    read,
    result_id,
    scenario_answers,
    submit_check_page,
    with_free_text,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Ids


def test_result_ids_are_short_random_and_url_safe():
    ids = [new_result_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert all(len(value) == RESULT_ID_LENGTH == 13 for value in ids)
    assert all(set(value) <= set(RESULT_ID_ALPHABET) for value in ids)
    assert all(is_result_id(value) for value in ids)
    # Random, not sequential: every position takes many different characters.
    for position in range(RESULT_ID_LENGTH - 1):  # the last one carries a single random bit
        assert len({value[position] for value in ids}) == len(RESULT_ID_ALPHABET)
    assert sorted(ids[:50]) != ids[:50]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "a" * 12,
        "a" * 14,
        "ABCDEFGHIJKLM",
        "abcdefghijkl0",
        "abcdefghijkl1",
        "abcdefghijkl-",
    ],
)
def test_malformed_ids_are_not_ids(value):
    assert not is_result_id(value)


# ---------------------------------------------------------------------------
# Creating a result


def test_check_page_posts_to_the_create_view_with_a_csrf_token(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc)
    check = client.get(reverse("questionnaire-check", args=[doc.slug]), answers)
    form = read(check).form("result-form")
    assert form["method"] == "post"
    assert form["action"] == create_url(doc)
    assert not any(name.startswith("hx-") for name in form)  # a plain full-page POST
    hidden = [(i["name"], i["value"]) for i in form["inputs"] if i.get("type") == "hidden"]
    assert ("csrfmiddlewaretoken", "") not in hidden
    assert any(name == "csrfmiddlewaretoken" and value for name, value in hidden)
    assert [pair for pair in hidden if pair[0] != "csrfmiddlewaretoken"] == list(answers.items())


def test_check_panel_with_htmx_also_posts_a_full_page_form(client, seed_guide):
    doc = seed_guide.published_document()
    check = client.get(
        reverse("questionnaire-check", args=[doc.slug]),
        scenario_answers(doc),
        HTTP_HX_REQUEST="true",
    )
    assert "<html" not in check.content.decode()
    form = read(check).form("result-form")
    assert form["method"] == "post"
    assert any(i["name"] == "csrfmiddlewaretoken" for i in form["inputs"])


def test_every_scenario_is_stored_and_redirects_to_its_permalink(seed_guide):
    doc = seed_guide.published_document()
    client = Client(enforce_csrf_checks=True)
    for index, scenario in enumerate(doc.scenarios):
        answers = scenario_answers(doc, index)
        check = client.get(reverse("questionnaire-check", args=[doc.slug]), answers)
        response = submit_check_page(client, check)
        assert response.status_code == 303, scenario.slug
        path = response["Location"]
        result = Result.objects.get(pk=result_id(path))
        assert result.answers == answers
        page = client.get(path)
        assert page.status_code == 200
        outcome = doc.outcome(scenario.outcome)
        assert outcome.name in read(page).h1, scenario.slug
        assert evaluate(doc, answers).outcome == scenario.outcome


def test_small_guide_result_with_its_free_text(client, small_guide):
    doc = small_guide.published_document()
    question = free_text_question(doc)
    answers = with_free_text(doc, scenario_answers(doc))
    written = "My editor, Sam & co <b>"
    path = create(client, doc, answers, **{question.slug: written})
    result = Result.objects.get(pk=result_id(path))
    assert result.free_texts == {question.slug: written}
    body = client.get(path).content.decode()
    assert "My editor, Sam &amp; co &lt;b&gt;" in body
    assert text_label(question.free_text.label) in unescape(body)


def test_the_stored_row_holds_the_version_answers_texts_and_decision(client, seed_guide):
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    answers = with_free_text(doc, scenario_answers(doc, 1))
    before = datetime.now().astimezone()
    path = create(client, doc, answers, **{question.slug: "  CRM until signed  "})
    result = Result.objects.get(pk=result_id(path))
    assert result.guide_version == seed_guide.published_version
    assert result.guide_version.version == seed_guide.version
    assert result.answers == answers
    assert result.free_texts == {question.slug: "CRM until signed"}
    assert result.decision == evaluate(doc, answers).to_json()
    assert result.created >= before
    # Nothing about the visitor: only these columns exist (the submission key is a keyed
    # hash of the check page's nonce and the answers, and empty for a post without one).
    columns = {field.attname for field in Result._meta.concrete_fields}
    assert columns == {
        "id",
        "guide_version_id",
        "answers",
        "free_texts",
        "decision",
        "created",
        "submission_key",
    }
    assert result.submission_key is None


def test_a_result_row_stays_small(client, seed_guide):
    """A result stores answers and a decision, never a copy of the guide."""
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    longest = "x" * question.free_text.max_length
    guide_size = len(json.dumps(doc.to_data()))
    for index in range(len(doc.scenarios)):
        answers = with_free_text(doc, scenario_answers(doc, index))
        path = create(client, doc, answers, **{question.slug: longest})
        result = Result.objects.get(pk=result_id(path))
        sizes = [len(json.dumps(v)) for v in (result.answers, result.free_texts, result.decision)]
        # The decision keeps every reason for and against, and every flip.
        assert sum(sizes) < 4000, sizes
        assert sum(sizes) < guide_size / 10


def test_creating_needs_post(client, seed_guide):
    doc = seed_guide.published_document()
    response = client.get(create_url(doc), scenario_answers(doc))
    assert response.status_code == 405
    assert not Result.objects.exists()


def test_creating_for_an_unknown_guide_is_not_found(client, seed_guide):
    response = client.post(reverse("result-create", args=["no-such-guide"]), {})
    assert response.status_code == 404


def test_creating_needs_the_csrf_token(seed_guide):
    doc = seed_guide.published_document()
    client = Client(enforce_csrf_checks=True)
    response = post_result(client, doc, scenario_answers(doc))
    assert response.status_code == 403
    assert not Result.objects.exists()


# ---------------------------------------------------------------------------
# Tampered answers


def _last_answered(doc, answers) -> Question:
    return doc.question(list(answers)[-1])


def _unknown_choice(doc, answers):
    question = _last_answered(doc, answers)
    return {**answers, question.slug: "no-such-choice"}, question


def _missing_answer(doc, answers):
    question = _last_answered(doc, answers)
    return {k: v for k, v in answers.items() if k != question.slug}, question


def _hidden_question(doc, answers):
    for question in doc.questions:
        if question.show_if is None or question.slug in answers:
            continue
        return {**answers, question.slug: question.choices[0].slug}, question
    raise AssertionError("every conditional question is shown for these answers")


def _routing_answer(doc, answers):
    for question in doc.questions:
        for choice in question.choices:
            if choice.route is not None:
                routed = clean_answers(doc, {**answers, question.slug: choice.slug})
                return routed, question
    raise AssertionError("the guide has no routing choice")


@pytest.mark.parametrize(
    "tamper", [_unknown_choice, _missing_answer, _hidden_question, _routing_answer]
)
def test_tampered_answers_give_the_check_page_back_with_an_error(client, seed_guide, tamper):
    doc = seed_guide.published_document()
    tampered, question = tamper(doc, scenario_answers(doc))
    response = post_result(client, doc, tampered)
    assert response.status_code == 400
    page = read(response)
    assert "error-summary" in response.content.decode()
    assert page.h1.strip() == "Check your answers"
    summary = re.search(
        r'<ul class="error-summary-list">(.*?)</ul>', response.content.decode(), re.S
    )
    assert question.prompt in unescape(summary.group(1))
    assert not Result.objects.exists()


def test_an_answer_sent_twice_is_refused(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc)
    question = _last_answered(doc, answers)
    other = next(c.slug for c in question.choices if c.slug != answers[question.slug])
    data = urlencode([*answers.items(), (question.slug, other)])
    response = client.post(create_url(doc), data, content_type=FORM)
    assert response.status_code == 400
    assert not Result.objects.exists()


def test_after_a_dropped_answer_the_check_page_can_be_sent_again(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc)
    tampered, _ = _hidden_question(doc, answers)
    response = post_result(client, doc, tampered)
    assert response.status_code == 400
    # The form carries the clean answers: sending it again stores them.
    again = submit_check_page(client, response)
    assert again.status_code == 303
    assert Result.objects.get().answers == answers


def test_with_an_answer_missing_the_error_links_to_its_question(client, seed_guide):
    doc = seed_guide.published_document()
    tampered, question = _missing_answer(doc, scenario_answers(doc))
    response = post_result(client, doc, tampered)
    page = read(response)
    assert page.form("result-form") is None  # nothing complete to send
    link = next(a for a in page.anchors if question.prompt in unescape(a["text"]))
    follow = client.get(link["href"])
    assert follow.status_code == 200
    assert read(follow).h1.strip() == question.prompt


def test_junk_posts_never_fail(client, seed_guide):
    doc = seed_guide.published_document()
    for data in ({}, {"x": "y"}, {doc.questions[0].slug: "\x00"}, {"csrfmiddlewaretoken": "z"}):
        assert post_result(client, doc, data).status_code == 400
    assert not Result.objects.exists()


# ---------------------------------------------------------------------------
# Rate limit


def test_result_creation_is_rate_limited_per_client(client, seed_guide, settings):
    settings.DECISIONGUIDE_RESULTS_PER_HOUR = 2
    doc = seed_guide.published_document()
    answers = scenario_answers(doc)
    for _ in range(2):
        assert post_result(client, doc, answers).status_code == 303
    refused = post_result(client, doc, answers)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "429.html" in [t.name for t in refused.templates]
    assert Result.objects.count() == 2
    # Another address has its own allowance.
    other = post_result(client, doc, answers, REMOTE_ADDR="192.0.2.77")
    assert other.status_code == 303
    assert post_result(client, doc, answers).status_code == 429
    assert Result.objects.count() == 3


def test_refused_answers_do_not_use_up_the_allowance(client, seed_guide, settings):
    settings.DECISIONGUIDE_RESULTS_PER_HOUR = 1
    doc = seed_guide.published_document()
    answers = scenario_answers(doc)
    tampered, _ = _unknown_choice(doc, answers)
    for _ in range(3):
        assert post_result(client, doc, tampered).status_code == 400
    assert post_result(client, doc, answers).status_code == 303
