"""No lost answers, on the server's side (issue 22, point 7).

Going back through the pages' own Back links keeps every answer, later ones
included; each question's form carries them on, so Continue goes to the next
unanswered question or straight to the check page; an answer that hides a
follow-up still drops it. site.js relies on the question panel naming its own
page (`data-restore`) to ask for it again with the visit's answers after the
browser's Back; the browser tests are in tests/e2e/test_back_and_refresh.py.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.urls import reverse

from decisionguide.decision.document import GuideDocument, Question
from decisionguide.decision.engine import clean_answers, shown_questions
from tests.answers import HTMX, complete
from tests.questionnaire_pages import (
    PageReader,
    conditional_setup,
    page_url,
    question_url,
    read,
    submit,
)

pytestmark = pytest.mark.django_db

WAY_BACK = "To go back without losing any answers, use the Back link at the top of this page"


def checked_choice(page: PageReader, question: Question) -> str | None:
    checked = [
        attrs["value"]
        for attrs in page.ids.values()
        if attrs.get("type") == "radio"
        and attrs.get("name") == question.slug
        and "checked" in attrs
    ]
    assert len(checked) <= 1
    return checked[0] if checked else None


def back_link(page: PageReader) -> str:
    (link,) = [link for link in page.links if "back-link" in link.get("class", "")]
    return link["href"]


def answers_in(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def full_answers(doc: GuideDocument) -> dict[str, str]:
    """A complete answer set that shows the follow-up question: the longest walk."""
    _, _, showing, _ = conditional_setup(doc)
    return complete(doc, showing)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_back_links_from_the_check_page_keep_every_answer(client, seed_guide, htmx):
    """The issue's walk with the page's own links: Back three times, then Continue."""
    doc = seed_guide.published_document()
    answers = full_answers(doc)
    shown = shown_questions(doc, answers)
    headers = HTMX if htmx else {}
    page = read(client.get(page_url("questionnaire-check", doc, answers), **headers))
    for question in reversed(shown[-3:]):
        url = back_link(page)
        assert answers_in(url) == answers, question.slug
        page = read(client.get(url, **headers))
        assert page.legend_h1.strip() == question.prompt
        assert checked_choice(page, question) == answers[question.slug]
        # The form carries every other answer, later ones too, in question order.
        others = [(k, v) for k, v in answers.items() if k != question.slug]
        assert page.form("question-form")["hidden"] == others
    # Continue with the choice as it is: every later answer is still there.
    response = submit(client, page, answers[question.slug], question, **headers)
    destination = response["HX-Push-Url"] if htmx else response["Location"]
    assert destination == page_url("questionnaire-check", doc, answers)


def test_a_changed_answer_goes_on_to_the_check_page_with_the_later_ones(client, seed_guide):
    doc = seed_guide.published_document()
    answers = full_answers(doc)
    question = shown_questions(doc, answers)[2]
    other = next(c for c in question.choices if c.slug != answers[question.slug] and not c.route)
    page = read(client.get(question_url(doc, question, answers)))
    response = submit(client, page, other.slug, question)
    changed = clean_answers(doc, {**answers, question.slug: other.slug})
    assert changed.keys() == answers.keys()
    assert response.status_code == 303
    assert response["Location"] == page_url("questionnaire-check", doc, changed)


def test_an_answer_that_hides_the_follow_up_drops_it_for_good(client, seed_guide):
    """Kept answers never bring back a follow-up that a changed answer hid."""
    doc = seed_guide.published_document()
    follow_up, controlling, showing, hiding = conditional_setup(doc)
    answers = complete(doc, showing)
    page = read(client.get(question_url(doc, controlling, answers)))
    response = submit(client, page, hiding[controlling.slug], controlling)
    check = response["Location"]
    assert urlsplit(check).path == reverse("questionnaire-check", args=[doc.slug])
    assert follow_up.slug not in answers_in(check)
    # Back from the check page and choose the answer that shows it again: it is asked afresh.
    page = read(client.get(check))
    page = read(client.get(back_link(page)))
    while page.legend_h1.strip() != controlling.prompt:
        page = read(client.get(back_link(page)))
    response = submit(client, page, showing[controlling.slug], controlling)
    assert urlsplit(response["Location"]).path == urlsplit(question_url(doc, follow_up)).path
    asked = read(client.get(response["Location"]))
    assert checked_choice(asked, follow_up) is None
    assert follow_up.slug not in dict(asked.form("question-form")["hidden"])


def test_continue_without_a_choice_keeps_the_later_answers(client, seed_guide):
    doc = seed_guide.published_document()
    answers = full_answers(doc)
    question = shown_questions(doc, answers)[3]
    page = read(client.get(question_url(doc, question, answers)))
    form = page.form("question-form")
    # Sent with no choice picked: its hidden inputs only.
    error = read(client.get(f"{form['action']}?{urlencode(form['hidden'])}"))
    others = [(k, v) for k, v in answers.items() if k != question.slug]
    assert error.form("question-form")["hidden"] == others
    assert answers_in(back_link(error)).items() >= dict(others).items()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_question_panel_names_its_page_for_site_js(client, seed_guide, htmx):
    """What site.js asks for after the browser's Back: the page itself, with the kept answers."""
    doc = seed_guide.published_document()
    answers = full_answers(doc)
    shown = shown_questions(doc, answers)
    question = shown[4]
    headers = HTMX if htmx else {}
    earlier = {q.slug: answers[q.slug] for q in shown[:4]}
    panel = read(client.get(question_url(doc, question, earlier), **headers)).ids["questionnaire"]
    assert panel["data-restore"] == reverse(
        "questionnaire-question", args=[doc.slug, question.slug]
    )
    # Asked again with every answer: the choice is shown, the later answers ride along,
    # and the address stays (no HX-Push-Url: site.js replaces the history entry itself).
    restored = client.get(question_url(doc, question, answers), **HTMX)
    assert restored.status_code == 200 and "HX-Push-Url" not in restored
    page = read(restored)
    assert checked_choice(page, question) == answers[question.slug]
    assert dict(page.form("question-form")["hidden"]).keys() == answers.keys() - {question.slug}


def test_a_restored_follow_up_that_no_longer_applies_names_where_to_go(client, seed_guide):
    """The kept answers may have hidden the question on screen: the panel says where instead."""
    doc = seed_guide.published_document()
    follow_up, _, _, hiding = conditional_setup(doc)
    response = client.get(question_url(doc, follow_up, hiding), **HTMX)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == page_url("questionnaire-check", doc, hiding)


def test_the_way_back_is_explained_where_the_back_link_keeps_the_answers(client, seed_guide):
    doc = seed_guide.published_document()
    answers = full_answers(doc)
    first, second = shown_questions(doc, answers)[:2]
    # The first question's Back link leads to the guide page, out of the questions.
    assert WAY_BACK not in client.get(question_url(doc, first, answers)).content.decode()
    body = client.get(question_url(doc, second, answers)).content.decode()
    assert WAY_BACK in body
    assert 'class="hint way-back"' in body
