"""The questionnaire, plain and with HTMX: start, questions, answering, the check page, routes.

Expected text is read from the loaded documents (prompts, labels, names), and
expected flow from the engine, so the tests follow the content as it changes.
Helpers: tests/questionnaire_pages.py and tests/answers.py.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse
from django.utils.html import escape

from decisionguide.decision.engine import clean_answers, next_question, shown_questions
from decisionguide.guides.markdown import linked_page_url
from tests.answers import HTMX, complete, unsure_staying_choice
from tests.questionnaire_pages import (
    answer_fields,
    answer_url,
    answers_up_to,
    assert_panel_only,
    conditional_setup,
    page_url,
    question_url,
    read,
    see_result,
    submit,
    triage,
    walk,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Start and question pages


def test_start_redirects_to_the_first_question(client, seed_guide):
    doc = seed_guide.published_document()
    response = client.get(reverse("questionnaire-start", args=[doc.slug]))
    assert response.status_code == 302
    assert response["Location"] == question_url(doc, next_question(doc, {}))


def test_start_with_htmx_renders_the_first_question_panel(client, seed_guide):
    doc = seed_guide.published_document()
    first = next_question(doc, {})
    response = client.get(reverse("questionnaire-start", args=[doc.slug]), **HTMX)
    assert response.status_code == 200
    assert_panel_only(response)
    assert response["HX-Push-Url"] == question_url(doc, first)
    assert escape(first.prompt) in response.content.decode()


def test_question_page_is_one_question_in_a_fieldset(client, seed_guide):
    doc = seed_guide.published_document()
    first = next_question(doc, {})
    response = client.get(question_url(doc, first))
    assert response.status_code == 200
    page = read(response)
    assert page.h1_count == 1
    assert page.legend_h1.strip() == first.prompt
    assert page.title.startswith(first.prompt)
    body = response.content.decode()
    for index, choice in enumerate(first.choices):
        radio = page.ids[first.slug if index == 0 else f"{first.slug}-{choice.slug}"]
        assert radio["type"] == "radio" and radio["value"] == choice.slug
        assert f'for="{radio["id"]}">{escape(choice.label)}</label>' in body
        if choice.hint:
            assert page.ids[radio["aria-describedby"]]["tag"] == "p"
    # The seed guide has a follow-up question that the first answers can't settle.
    _, _, showing, _ = conditional_setup(doc)
    assert f"Question 1 of up to {len(shown_questions(doc, showing))}" in body
    # The first question's back link leads to the guide page.
    assert page.links_to(reverse("guide-detail", args=[doc.slug]))
    form = page.form("question-form")
    assert form["method"] == "get" and form["data-hx-get"] == form["action"]
    assert form["data-hx-push-url"] == "true"


def test_question_page_preselects_the_answer_in_the_query(client, seed_guide):
    doc = seed_guide.published_document()
    answers = complete(doc, {})
    question = shown_questions(doc, answers)[1]
    response = client.get(question_url(doc, question, answers))
    checked = [
        attrs["value"]
        for attrs in read(response).ids.values()
        if attrs.get("type") == "radio" and "checked" in attrs
    ]
    assert checked == [answers[question.slug]]


def test_question_page_with_htmx_returns_only_the_panel(client, seed_guide):
    doc = seed_guide.published_document()
    answers = complete(doc, {})
    question = shown_questions(doc, answers)[1]
    response = client.get(question_url(doc, question, answers), **HTMX)
    assert response.status_code == 200
    assert_panel_only(response)
    assert "HX-Request" in response["Vary"]
    # A swap updates the title too: htmx takes a <title> at the top of the response.
    assert read(response).title.startswith(question.prompt)


def test_history_restore_gets_the_whole_page(client, seed_guide):
    doc = seed_guide.published_document()
    first = next_question(doc, {})
    response = client.get(question_url(doc, first), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in response.content.decode()


def test_jumping_ahead_goes_to_the_first_unanswered_question(client, seed_guide):
    doc = seed_guide.published_document()
    answers = complete(doc, {})
    last = shown_questions(doc, answers)[-1]
    response = client.get(question_url(doc, last))
    assert response.status_code == 302
    assert response["Location"] == question_url(doc, next_question(doc, {}))


def test_back_link_leads_to_the_previous_question(client, seed_guide):
    doc = seed_guide.published_document()
    answers = complete(doc, {})
    shown = shown_questions(doc, answers)
    earlier = {q.slug: answers[q.slug] for q in shown[:2]}
    response = client.get(question_url(doc, shown[2], earlier))
    back = read(response).links_to(question_url(doc, shown[1], earlier))
    assert back and back[0]["data-hx-get"] == back[0]["href"]


# ---------------------------------------------------------------------------
# Answering


def test_answer_redirects_to_the_next_question(client, seed_guide):
    doc = seed_guide.published_document()
    first = next_question(doc, {})
    choice = unsure_staying_choice(first)
    response = client.get(answer_url(doc, first, {first.slug: choice.slug}))
    assert response.status_code == 303
    after = {first.slug: choice.slug}
    assert response["Location"] == question_url(doc, next_question(doc, after), after)


def test_answer_with_htmx_renders_the_next_question_and_pushes_its_url(client, seed_guide):
    doc = seed_guide.published_document()
    first = next_question(doc, {})
    choice = unsure_staying_choice(first)
    after = {first.slug: choice.slug}
    response = client.get(answer_url(doc, first, after), **HTMX)
    assert response.status_code == 200
    assert_panel_only(response)
    following = next_question(doc, after)
    assert response["HX-Push-Url"] == question_url(doc, following, after)
    assert read(response).legend_h1.strip() == following.prompt
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_scenario_walks_to_its_outcome(client, seed_guide, htmx):
    doc = seed_guide.published_document()
    assert doc.scenarios
    for scenario in doc.scenarios:
        if htmx and scenario is not doc.scenarios[0]:
            break
        check, asked = walk(client, doc, scenario.answers, scenario.handoff_rule, htmx)
        expected = complete(doc, scenario.answers)
        assert asked == list(expected)
        form = read(client.get(check["HX-Push-Url"]) if htmx else check).form("result-form")
        result = see_result(client, form)
        assert result.status_code == 200, scenario.slug
        outcome = doc.outcome(scenario.outcome)
        assert outcome.name in read(result).h1, scenario.slug


def test_progress_total_follows_the_conditional_question(client, seed_guide):
    """Before the controlling answer the total is an upper bound, whatever is preselected;
    past it, the follow-up is settled (tests/test_counter.py goes further)."""
    doc = seed_guide.published_document()
    conditional, controlling, showing, hiding = conditional_setup(doc)
    most = len(shown_questions(doc, showing))
    assert most == len(shown_questions(doc, hiding)) + 1
    for answers in (showing, hiding):
        response = client.get(question_url(doc, controlling, answers))
        position = [q.slug for q in shown_questions(doc, answers)].index(controlling.slug) + 1
        assert f"Question {position} of up to {most}<" in response.content.decode()
    response = client.get(question_url(doc, conditional, showing))
    assert f"Question {most} of {most}<" in response.content.decode()


# ---------------------------------------------------------------------------
# Check your answers and changing an answer


def test_check_page_lists_every_answer_with_a_change_link(client, seed_guide):
    doc = seed_guide.published_document()
    answers = complete(doc, doc.scenarios[0].answers)
    response = client.get(page_url("questionnaire-check", doc, answers))
    assert response.status_code == 200
    page = read(response)
    assert page.title.startswith("Check your answers")
    body = response.content.decode()
    for question in shown_questions(doc, answers):
        label = question.choice(answers[question.slug]).label
        assert escape(label) in body
        change = page.links_to(question_url(doc, question, answers, **{"return": "check"}))
        assert change, question.slug
        assert change[0]["text"] == f"Change {question.short}"
        assert f'<span class="visually-hidden"> {escape(question.short)}</span>' in body
    form = page.form("result-form")
    assert form["action"] == reverse("result-create", args=[doc.slug])
    assert form["method"] == "post"
    assert answer_fields(form) == list(answers.items())


def test_changing_an_answer_returns_to_the_check_page(client, seed_guide):
    doc = seed_guide.published_document()
    answers = complete(doc, doc.scenarios[0].answers)
    question = shown_questions(doc, answers)[-1]
    other = next(c for c in question.choices if c.slug != answers[question.slug] and not c.route)
    change_page = client.get(question_url(doc, question, answers, **{"return": "check"}))
    back_to_check = page_url("questionnaire-check", doc, answers)
    assert read(change_page).links_to(back_to_check)
    response = submit(client, read(change_page), other.slug, question)
    changed = clean_answers(doc, {**answers, question.slug: other.slug})
    assert response.status_code == 303
    assert response["Location"] == page_url("questionnaire-check", doc, changed)


def test_a_change_that_shows_a_question_asks_it_then_returns(client, seed_guide):
    doc = seed_guide.published_document()
    conditional, controlling, showing, hiding = conditional_setup(doc)
    start = client.get(question_url(doc, controlling, hiding, **{"return": "check"}))
    response = submit(client, read(start), showing[controlling.slug], controlling)
    assert response.status_code == 303
    changed = clean_answers(doc, {**hiding, controlling.slug: showing[controlling.slug]})
    assert response["Location"] == question_url(doc, conditional, changed, **{"return": "check"})
    asked = client.get(response["Location"])
    response = submit(client, read(asked), showing[conditional.slug], conditional)
    final = clean_answers(doc, {**changed, conditional.slug: showing[conditional.slug]})
    assert response["Location"] == page_url("questionnaire-check", doc, final)


def test_a_change_that_hides_a_question_drops_its_answer(client, seed_guide):
    doc = seed_guide.published_document()
    conditional, controlling, showing, hiding = conditional_setup(doc)
    start = client.get(question_url(doc, controlling, showing, **{"return": "check"}))
    response = submit(client, read(start), hiding[controlling.slug], controlling)
    location = response["Location"]
    assert urlsplit(location).path == reverse("questionnaire-check", args=[doc.slug])
    assert conditional.slug not in dict(parse_qsl(urlsplit(location).query))
    check = client.get(location)
    assert check.status_code == 200
    assert not read(check).links_to(question_url(doc, conditional, showing, **{"return": "check"}))


def test_change_link_with_htmx_swaps_in_the_question(client, seed_guide):
    doc = seed_guide.published_document()
    answers = complete(doc, {})
    question = shown_questions(doc, answers)[0]
    response = client.get(question_url(doc, question, answers, **{"return": "check"}), **HTMX)
    assert_panel_only(response)
    assert read(response).legend_h1.strip() == question.prompt


def test_check_page_with_htmx_returns_its_panel(client, seed_guide):
    doc = seed_guide.published_document()
    answers = complete(doc, {})
    response = client.get(page_url("questionnaire-check", doc, answers), **HTMX)
    assert response.status_code == 200
    assert_panel_only(response)
    assert "Check your answers" in read(response).h1


def test_the_last_answer_with_htmx_swaps_in_the_check_page(client, seed_guide):
    doc = seed_guide.published_document()
    answers = complete(doc, {})
    last = shown_questions(doc, answers)[-1]
    response = client.get(answer_url(doc, last, answers), **HTMX)
    assert_panel_only(response)
    assert response["HX-Push-Url"] == page_url("questionnaire-check", doc, answers)


@pytest.mark.parametrize("name", ["questionnaire-check", "questionnaire-result"])
def test_incomplete_answers_go_to_the_first_unanswered_question(client, seed_guide, name):
    doc = seed_guide.published_document()
    answers = complete(doc, {})
    shown = shown_questions(doc, answers)
    partial = {q.slug: answers[q.slug] for q in shown[:2]}
    response = client.get(page_url(name, doc, partial))
    assert response.status_code == 302
    assert response["Location"] == question_url(doc, next_question(doc, partial), partial)
    empty = client.get(page_url(name, doc))
    assert empty["Location"] == question_url(doc, next_question(doc, {}))


# ---------------------------------------------------------------------------
# Triage route


def test_a_routing_choice_ends_on_the_route_page(client, seed_guide):
    doc = seed_guide.published_document()
    question, choice = triage(doc)
    before = {
        q.slug: unsure_staying_choice(q).slug
        for q in doc.questions[: doc.questions.index(question)]
    }
    before = clean_answers(doc, before)
    response = client.get(answer_url(doc, question, {**before, question.slug: choice.slug}))
    routed = {**before, question.slug: choice.slug}
    assert response["Location"] == page_url("questionnaire-route", doc, routed)

    route = client.get(response["Location"])
    assert route.status_code == 200
    page = read(route)
    linked = doc.linked_page(choice.route)
    assert linked.title in page.h1
    assert page.links_to(linked_page_url(doc, linked.slug))
    assert page.links_to(question_url(doc, question, routed))  # back to the triage question

    staying = next(c for c in question.choices if c.route is None)
    stay = clean_answers(doc, {**routed, question.slug: staying.slug})
    following = next_question(doc, stay)
    if following is None:
        continue_url = page_url("questionnaire-check", doc, stay)
    else:
        continue_url = question_url(doc, following, stay)
    links = page.links_to(continue_url)
    assert links and links[0]["text"].strip() == "Continue with this guide anyway"
    assert client.get(continue_url).status_code == 200


def test_a_routing_choice_with_htmx_swaps_in_the_route_panel(client, seed_guide):
    doc = seed_guide.published_document()
    question, choice = triage(doc)
    routed = {**answers_up_to(doc, question), question.slug: choice.slug}
    response = client.get(answer_url(doc, question, routed), **HTMX)
    assert_panel_only(response)
    assert response["HX-Push-Url"] == page_url("questionnaire-route", doc, routed)
    assert doc.linked_page(choice.route).title in read(response).h1


def test_route_page_without_a_routing_answer_goes_to_the_questions(client, seed_guide):
    doc = seed_guide.published_document()
    response = client.get(page_url("questionnaire-route", doc))
    assert response["Location"] == question_url(doc, next_question(doc, {}))


def test_the_route_question_shows_an_honest_total_while_preselected(client, seed_guide):
    doc = seed_guide.published_document()
    question, choice = triage(doc)
    before = answers_up_to(doc, question)
    plain = client.get(question_url(doc, question, before)).content.decode()
    response = client.get(question_url(doc, question, {**before, question.slug: choice.slug}))
    # The counter rests on the answers before the question: a preselected answer that
    # would end the questions here (or any other) doesn't change it.
    caption = re.search(r"Question \d+ of [^<]+</span>", plain)
    assert caption and caption.group() in response.content.decode()
    assert "of 1</span>" not in response.content.decode()
