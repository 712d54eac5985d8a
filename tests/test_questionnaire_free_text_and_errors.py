"""The questionnaire's free text and its answers to bad input: never a 500, always a way on.

Expected text is read from the loaded documents and expected flow from the engine.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.urls import reverse
from django.utils.html import escape

from decisionguide.decision.document import GuideDocument, Question
from decisionguide.decision.engine import clean_answers, next_question, shown_questions
from tests.answers import HTMX, complete, free_text_question
from tests.questionnaire_pages import (
    answer_fields,
    answer_url,
    assert_panel_only,
    conditional_setup,
    page_url,
    question_url,
    read,
    submit,
    text_label,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Free text


def answers_before(doc: GuideDocument, question: Question, profile=None) -> dict[str, str]:
    answers = complete(doc, profile or {})
    while question.slug not in [q.slug for q in shown_questions(doc, answers)]:
        raise AssertionError(f"{question.slug} is not shown for the filler answers")
    index = [q.slug for q in shown_questions(doc, answers)].index(question.slug)
    return {q.slug: answers[q.slug] for q in shown_questions(doc, answers)[:index]}


def free_text_profile(doc: GuideDocument) -> dict[str, str]:
    """A scenario's answers in which the free-text question is asked (else none)."""
    question = free_text_question(doc)
    for scenario in doc.scenarios:
        if question.slug in complete(doc, scenario.answers):
            return dict(scenario.answers)
    return {}


def test_free_text_is_offered_under_its_choice(client, seed_guide):
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    before = answers_before(doc, question, free_text_profile(doc))
    response = client.get(question_url(doc, question, before))
    page = read(response)
    name = f"{question.slug}_text"
    assert page.ids[name]["tag"] == "textarea"
    body = response.content.decode()
    label = escape(text_label(question.free_text.label))
    assert f'{label} <span class="optional">(optional)</span>' in body
    assert f"up to {question.free_text.max_length} characters" in body
    radio_id = next(k for k, v in page.ids.items() if v.get("value") == question.free_text.choice)
    assert page.ids[radio_id]["aria-controls"] in page.ids


def test_free_text_travels_to_the_check_page_and_result(client, seed_guide):
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    profile = free_text_profile(doc)
    before = answers_before(doc, question, profile)
    # An ampersand and quotes check the escaping on the way; cut to the guide's limit.
    written = 'Signed & "paid": delivery takes over'[: question.free_text.max_length].strip()
    page = read(client.get(question_url(doc, question, before)))
    response = submit(client, page, question.free_text.choice, question, f"  {written}\r\n")
    params = dict(parse_qsl(urlsplit(response["Location"]).query))
    assert params[f"{question.slug}_text"] == written
    answers = complete(doc, {**profile, **before, question.slug: question.free_text.choice})
    text_param = {f"{question.slug}_text": written}
    check = client.get(page_url("questionnaire-check", doc, answers, **text_param))
    assert escape(written) in check.content.decode()
    assert dict(read(check).form("result-form")["hidden"])[f"{question.slug}_text"] == written
    result = client.get(page_url("questionnaire-result", doc, answers, **text_param))
    assert escape(written) in result.content.decode()


def test_free_text_is_dropped_with_another_choice(client, seed_guide):
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    before = answers_before(doc, question, free_text_profile(doc))
    other = next(c for c in question.choices if c.slug != question.free_text.choice and not c.route)
    page = read(client.get(question_url(doc, question, before)))
    response = submit(client, page, other.slug, question, "a rule nobody asked for")
    assert f"{question.slug}_text" not in response["Location"]


def test_over_long_free_text_is_refused_and_kept(client, seed_guide):
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    before = answers_before(doc, question, free_text_profile(doc))
    limit = question.free_text.max_length
    typed = "x" * (limit + 1)
    page = read(client.get(question_url(doc, question, before)))
    response = submit(client, page, question.free_text.choice, question, typed)
    assert response.status_code == 200
    error_page = read(response)
    name = f"{question.slug}_text"
    assert error_page.title.startswith("Error: ")
    assert error_page.links_to(f"#{name}")
    assert f">{typed}</textarea>" in response.content.decode()
    assert f"{name}-error" in error_page.ids[name]["aria-describedby"]
    assert str(limit) in error_page.links_to(f"#{name}")[0]["text"]
    # The chosen answer stays chosen.
    radio = next(v for v in error_page.ids.values() if v.get("value") == question.free_text.choice)
    assert "checked" in radio
    # Exactly at the limit is fine.
    ok = submit(client, page, question.free_text.choice, question, "x" * limit)
    assert ok.status_code == 303


# ---------------------------------------------------------------------------
# Bad input: never a 500, always a way on


def error_response(client, doc, question, before, params, **headers):
    path = reverse("questionnaire-answer", args=[doc.slug, question.slug])
    return client.get(f"{path}?{urlencode([*before.items(), *params])}", **headers)


@pytest.mark.parametrize(
    "params",
    [
        [],  # no choice
        [("QUESTION", "")],  # empty choice
        [("QUESTION", "not-a-choice")],  # unknown choice
        [("QUESTION", "FIRST"), ("QUESTION", "SECOND")],  # tampered: two answers
        [("QUESTION", "<script>alert(1)</script>")],
    ],
    ids=["missing", "empty", "unknown", "twice", "markup"],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_bad_answer_shows_the_question_with_an_error(client, seed_guide, params, htmx):
    doc = seed_guide.published_document()
    answers = complete(doc, {})
    question = shown_questions(doc, answers)[1]
    before = {q.slug: answers[q.slug] for q in shown_questions(doc, answers)[:1]}
    first, second = question.choices[0].slug, question.choices[1].slug
    params = [
        (question.slug, value.replace("FIRST", first).replace("SECOND", second))
        for _, value in params
    ]
    response = error_response(client, doc, question, before, params, **(HTMX if htmx else {}))
    assert response.status_code == 200
    page = read(response)
    body = response.content.decode()
    assert page.title.startswith("Error: ")
    assert 'class="error-summary" role="alert" tabindex="-1"' in body
    assert "There is a problem" in body
    summary_link = page.links_to(f"#{question.slug}")
    assert summary_link and question.prompt in summary_link[0]["text"]
    assert page.ids[question.slug]["type"] == "radio"  # the link lands on the first radio
    # The message sits by the radios and the fieldset points at it.
    assert "field-error" in page.ids[f"{question.slug}-error"]["class"]
    fieldset = next(attrs for tag, attrs in page.elements if tag == "fieldset")
    assert f"{question.slug}-error" in fieldset["aria-describedby"].split()
    assert "<script>alert" not in body
    # Nothing else was lost: the earlier answers are still in the form.
    assert page.form("question-form")["hidden"] == list(before.items())
    if htmx:
        assert_panel_only(response)


def test_an_error_keeps_answers_that_depend_on_the_question(client, seed_guide):
    doc = seed_guide.published_document()
    conditional, controlling, showing, _ = conditional_setup(doc)
    start = client.get(question_url(doc, controlling, showing, **{"return": "check"}))
    form = read(start).form("question-form")
    response = client.get(f"{form['action']}?{urlencode(form['hidden'])}")  # nothing picked
    assert read(response).title.startswith("Error: ")
    kept = dict(read(response).form("question-form")["hidden"])
    assert kept[conditional.slug] == showing[conditional.slug]
    assert kept["return"] == "check"


def test_an_answer_to_a_question_not_yet_reached_goes_to_the_right_one(client, seed_guide):
    doc = seed_guide.published_document()
    answers = complete(doc, {})
    last = shown_questions(doc, answers)[-1]
    jumped = {last.slug: answers[last.slug]}
    response = client.get(answer_url(doc, last, jumped))
    # The answer is kept (clean_answers keeps it while its question is shown) for later.
    kept = clean_answers(doc, jumped)
    assert response["Location"] == question_url(doc, next_question(doc, kept), kept)
    assert next_question(doc, kept).slug != last.slug


def test_tampered_and_unknown_parameters_are_dropped(client, seed_guide):
    doc = seed_guide.published_document()
    conditional, controlling, showing, hiding = conditional_setup(doc)
    tampered = {
        **hiding,
        conditional.slug: showing[conditional.slug],  # not shown for these answers
        "utm_source": "newsletter",
        "no-such-question": "yes",
    }
    first = shown_questions(doc, hiding)[0]
    tampered[first.slug] = hiding[first.slug]
    response = client.get(page_url("questionnaire-check", doc, tampered))
    assert response.status_code == 200
    assert answer_fields(read(response).form("result-form")) == list(hiding.items())
    bad_choice = {**hiding, controlling.slug: "not-a-choice"}
    response = client.get(page_url("questionnaire-check", doc, bad_choice))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse(
        "questionnaire-question", args=[doc.slug, controlling.slug]
    )


@pytest.mark.parametrize(
    "url",
    [
        "/guides/no-such-guide/questions/",
        "/guides/no-such-guide/questions/anything/",
        "/guides/no-such-guide/check/",
        "/guides/no-such-guide/result/",
        "/guides/no-such-guide/route/",
    ],
)
def test_unknown_guide_is_404(client, seed_guide, url):
    assert client.get(url).status_code == 404


def test_unknown_question_is_404(client, seed_guide):
    doc = seed_guide.published_document()
    for name in ("questionnaire-question", "questionnaire-answer"):
        assert client.get(reverse(name, args=[doc.slug, "no-such-question"])).status_code == 404


def test_unpublished_guide_is_404(client, seed_guide):
    seed_guide.is_published = False
    seed_guide.save()
    response = client.get(reverse("questionnaire-start", args=[seed_guide.slug]))
    assert response.status_code == 404


def test_only_get_is_allowed(client, seed_guide):
    doc = seed_guide.published_document()
    first = next_question(doc, {})
    response = client.post(answer_url(doc, first), {first.slug: first.choices[0].slug})
    assert response.status_code == 405
