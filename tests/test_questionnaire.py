"""The questionnaire, plain and with HTMX, walked against the loaded guides.

Expected text is read from the loaded documents (prompts, labels, names), and
expected flow from the engine, so the tests follow the content as it changes.
"""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from decisionguide.content.markdown import linked_page_url, render_markdown
from decisionguide.decision.document import Choice, GuideDocument, Question
from decisionguide.decision.engine import clean_answers, evaluate, next_question, shown_questions

HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Helpers: URLs, content lookups and a small HTML reader


def query(answers: dict[str, str], **extra: str) -> str:
    pairs = [*answers.items(), *extra.items()]
    return f"?{urlencode(pairs)}" if pairs else ""


def question_url(doc: GuideDocument, question: Question, answers=None, **extra: str) -> str:
    path = reverse("questionnaire-question", args=[doc.slug, question.slug])
    return path + query(answers or {}, **extra)


def answer_url(doc: GuideDocument, question: Question, answers=None, **extra: str) -> str:
    path = reverse("questionnaire-answer", args=[doc.slug, question.slug])
    return path + query(answers or {}, **extra)


def page_url(name: str, doc: GuideDocument, answers=None, **extra: str) -> str:
    return reverse(name, args=[doc.slug]) + query(answers or {}, **extra)


def staying_choice(question: Question) -> Choice:
    """A choice that keeps the visitor in the guide: the unsure one if any."""
    staying = [c for c in question.choices if c.route is None]
    return next((c for c in staying if c.unsure), staying[0])


def complete(doc: GuideDocument, profile: dict[str, str]) -> dict[str, str]:
    """The profile's answers, with every other shown question answered too."""
    answers = dict(profile)
    while (question := next_question(doc, clean_answers(doc, answers))) is not None:
        answers[question.slug] = staying_choice(question).slug
    return clean_answers(doc, answers)


def answers_up_to(doc: GuideDocument, question: Question) -> dict[str, str]:
    """Filler answers to every question before `question` (as clean answers)."""
    earlier = doc.questions[: doc.questions.index(question)]
    return clean_answers(doc, {q.slug: staying_choice(q).slug for q in earlier})


def triage(doc: GuideDocument) -> tuple[Question, Choice]:
    for question in doc.questions:
        for choice in question.choices:
            if choice.route is not None:
                return question, choice
    raise AssertionError("the guide has no routing choice")


def text_label(label: str) -> str:
    """The free text's label as shown: the form adds "(optional)" itself."""
    return label.removesuffix("(optional)").strip()


def free_text_question(doc: GuideDocument) -> Question:
    return next(q for q in doc.questions if q.free_text is not None)


def conditional_setup(doc: GuideDocument):
    """A question shown only for some answers to an earlier one.

    Returns (conditional, controlling, showing answers, hiding answers) where
    both answer sets are complete and differ only in the controlling answer.
    """
    for conditional in doc.questions:
        if conditional.show_if is None:
            continue
        _, _, clause = next(conditional.show_if.clauses())
        controlling = doc.question(clause.question)
        shows = complete(doc, {})
        for show_choice in clause.in_:
            for hide_choice in controlling.choices:
                if hide_choice.route is not None:
                    continue
                showing = complete(doc, {**shows, controlling.slug: show_choice})
                hiding = complete(doc, {**showing, controlling.slug: hide_choice.slug})
                if conditional.slug in showing and conditional.slug not in hiding:
                    return conditional, controlling, showing, hiding
    raise AssertionError("the guide has no question that appears for some answers only")


class PageReader(HTMLParser):
    """Collects what the tests look at: forms and their hidden fields, links, ids, titles."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[dict] = []
        self.ids: dict[str, dict] = {}
        self.title = ""
        self.h1 = ""
        self.legend_h1 = ""
        self.h1_count = 0
        self.column_headers: list[str] = []
        self.elements: list[tuple[str, dict]] = []
        self._stack: list[str] = []
        self._link: dict | None = None
        self._column_header = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = {k: v or "" for k, v in attrs}
        self._stack.append(tag)
        self.elements.append((tag, attrs))
        if "id" in attrs:
            self.ids[attrs["id"]] = {"tag": tag, **attrs}
        if tag == "form":
            self.forms.append({**attrs, "hidden": []})
        elif tag == "input" and attrs.get("type") == "hidden" and self.forms:
            self.forms[-1]["hidden"].append((attrs["name"], attrs.get("value", "")))
        elif tag == "a":
            self._link = {**attrs, "text": ""}
            self.links.append(self._link)
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "th":
            self._column_header = attrs.get("scope") == "col"
            if self._column_header:
                self.column_headers.append("")
        if tag in {"input", "meta", "link", "br"}:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass
        if tag == "a":
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1] == "title":
            self.title += data
        if "h1" in self._stack:
            self.h1 += data
            if "legend" in self._stack:
                self.legend_h1 += data
        if self._link is not None:
            self._link["text"] += data
        if "th" in self._stack and self._column_header:
            self.column_headers[-1] += data

    def form(self, cls: str) -> dict:
        return next(f for f in self.forms if cls in f.get("class", "").split())

    def links_to(self, url: str) -> list[dict]:
        # Attribute values arrive unescaped from the parser.
        return [link for link in self.links if link.get("href") == url]


def read(response) -> PageReader:
    return PageReader(response.content.decode())


def text_of(response) -> str:
    return unescape(response.content.decode())


def submit(client: Client, page: PageReader, choice: str, question: Question, text="", **headers):
    """Submit the question form the way a browser does: hidden fields plus the answer."""
    form = page.form("question-form")
    params = [*form["hidden"], (question.slug, choice)]
    if question.free_text is not None:
        params.append((f"{question.slug}_text", text))
    return client.get(f"{form['action']}?{urlencode(params)}", **headers)


CSRF_FIELD = "csrfmiddlewaretoken"


def answer_fields(form: dict) -> list[tuple[str, str]]:
    """The result form's hidden answers, without its CSRF token."""
    return [(name, value) for name, value in form["hidden"] if name != CSRF_FIELD]


def see_result(client: Client, form: dict):
    """Press "See my recommendation": the POST stores a result and redirects to its page."""
    response = client.post(form["action"], dict(form["hidden"]))
    assert response.status_code == 303
    return client.get(response["Location"])


def assert_panel_only(response) -> None:
    body = response.content.decode()
    assert "<html" not in body and "<body" not in body
    assert 'id="questionnaire"' in body


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
    total = len(shown_questions(doc, {}))
    assert f"Question 1 of {total}" in body
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
    choice = staying_choice(first)
    response = client.get(answer_url(doc, first, {first.slug: choice.slug}))
    assert response.status_code == 303
    after = {first.slug: choice.slug}
    assert response["Location"] == question_url(doc, next_question(doc, after), after)


def test_answer_with_htmx_renders_the_next_question_and_pushes_its_url(client, seed_guide):
    doc = seed_guide.published_document()
    first = next_question(doc, {})
    choice = staying_choice(first)
    after = {first.slug: choice.slug}
    response = client.get(answer_url(doc, first, after), **HTMX)
    assert response.status_code == 200
    assert_panel_only(response)
    following = next_question(doc, after)
    assert response["HX-Push-Url"] == question_url(doc, following, after)
    assert read(response).legend_h1.strip() == following.prompt
    assert "HX-Request" in response["Vary"]


def walk(client: Client, doc: GuideDocument, profile: dict[str, str], text: str, htmx: bool):
    """Answer question after question through the pages' own forms; return the check page."""
    headers = HTMX if htmx else {}
    response = client.get(reverse("questionnaire-start", args=[doc.slug]), **headers)
    asked = []
    for _ in range(len(doc.questions) + 1):
        if htmx:
            assert response.status_code == 200
            assert_panel_only(response)
            url = response["HX-Push-Url"]
        else:
            assert response.status_code in (302, 303)
            url = response["Location"]
            response = client.get(url)
        path = urlsplit(url).path
        if path == reverse("questionnaire-check", args=[doc.slug]):
            return response, asked
        question = doc.question(path.rstrip("/").split("/")[-1])
        page = read(response)
        assert page.legend_h1.strip() == question.prompt
        answers = clean_answers(doc, dict(parse_qsl(urlsplit(url).query)))
        position = [q.slug for q in shown_questions(doc, answers)].index(question.slug) + 1
        assert f"Question {position} of " in response.content.decode()
        choice = profile.get(question.slug) or staying_choice(question).slug
        asked.append(question.slug)
        response = submit(client, page, choice, question, text, **headers)
    raise AssertionError("the questionnaire never reached the check page")


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
    doc = seed_guide.published_document()
    conditional, controlling, showing, hiding = conditional_setup(doc)
    totals = {}
    for answers in (showing, hiding):
        response = client.get(question_url(doc, controlling, answers))
        position = [q.slug for q in shown_questions(doc, answers)].index(controlling.slug) + 1
        total = len(shown_questions(doc, answers))
        assert f"Question {position} of {total}" in response.content.decode()
        totals[conditional.slug in answers] = total
    assert totals[True] == totals[False] + 1


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
        q.slug: staying_choice(q).slug for q in doc.questions[: doc.questions.index(question)]
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
    response = client.get(question_url(doc, question, {**before, question.slug: choice.slug}))
    total = len(shown_questions(doc, before))
    assert f"of {total}</span>" in response.content.decode()


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


# ---------------------------------------------------------------------------
# Result


def test_result_explains_the_recommendation(client, seed_guide):
    doc = seed_guide.published_document()
    answers = complete(doc, doc.scenarios[0].answers)
    decision = evaluate(doc, answers)
    outcome = doc.outcome(decision.outcome)
    response = client.get(page_url("questionnaire-result", doc, answers))
    assert response.status_code == 200
    page = read(response)
    html = response.content.decode()
    body = text_of(response)
    assert outcome.name in page.h1 and page.h1_count == 1
    assert outcome.tagline in body
    for reason in decision.reasons:
        assert f'{reason.text} <span class="reason-points">+{reason.points}</span>' in body
    for reason in decision.counter_reasons:
        assert f'{reason.text} <span class="reason-points">+{reason.points}</span>' in body
    for flip in decision.flips:
        question = doc.question(flip.question)
        label = question.choice(flip.choice).label
        sentence = f"If you answered “{label}” to “{question.prompt}”"
        if flip.outcome is not None:
            assert (
                f"{sentence}, the recommendation would be {doc.outcome(flip.outcome).name}." in body
            )
        else:  # a triage answer that leaves the guide is not a different recommendation
            assert sentence not in body
    for slug, reason in decision.excluded.items():
        assert escape(doc.outcome(slug).name) in html and render_markdown(reason, doc) in html
    for part in (outcome.strengths, outcome.tradeoffs):
        assert render_markdown(part, doc) in html
    # The failure mode to watch is highlighted.
    callout = html.index('class="callout callout-warning"')
    assert html.index(render_markdown(outcome.failure_mode, doc), callout) > callout
    # The recommended column is named in words, not by colour alone.
    headers = [" ".join(h.split()) for h in page.column_headers]
    assert sum(h.endswith(f"{outcome.name} (recommended)") for h in headers) == 1
    assert sum("(recommended)" in h for h in headers) == 1
    for check in doc.failure_checks:
        assert render_markdown(check, doc) in html
    for slug in outcome.next_pages:
        assert page.links_to(linked_page_url(doc, slug))
    assert page.links_to(page_url("questionnaire-check", doc, answers))
    assert page.links_to(reverse("questionnaire-start", args=[doc.slug]))
    scenario = next(s for s in doc.scenarios if s.slug == decision.scenario)
    assert f"The closest example: {scenario.title}" in body
    for note in doc.notes:
        shown = render_markdown(note.text, doc) in html
        assert shown == (note.slug in decision.notes), note.slug


def test_result_says_how_clear_cut_it_is(client, seed_guide):
    from decisionguide.results.presenter import CLARITY_WORDS

    doc = seed_guide.published_document()
    seen = set()
    for scenario in doc.scenarios:
        answers = complete(doc, scenario.answers)
        decision = evaluate(doc, answers)
        body = text_of(client.get(page_url("questionnaire-result", doc, answers)))
        name = doc.outcome(decision.outcome).name
        assert CLARITY_WORDS[decision.clarity].format(name=name) in body
        seen.add(decision.clarity)
    assert seen


def test_result_ignores_answers_to_hidden_questions(client, seed_guide):
    doc = seed_guide.published_document()
    conditional, _, showing, hiding = conditional_setup(doc)
    tampered = {**hiding, conditional.slug: showing[conditional.slug]}
    response = client.get(page_url("questionnaire-result", doc, tampered))
    assert response.status_code == 200
    assert read(response).links_to(page_url("questionnaire-check", doc, hiding))


def test_result_context_needs_no_database(seed_document, django_assert_num_queries):
    from decisionguide.decision.verdict import Decision
    from decisionguide.results.presenter import build_result_context

    doc = seed_document
    answers = complete(doc, doc.scenarios[0].answers)
    # A stored decision (JSON) renders the same as a fresh one.
    decision = Decision.from_json(evaluate(doc, answers).to_json())
    with django_assert_num_queries(0):
        context = build_result_context(doc, decision, {}, page_url=lambda slug: f"/p/{slug}")
    assert context["outcome"] == doc.outcome(decision.outcome)
    assert [row["criterion"] for row in context["matrix_rows"]] == list(doc.criteria)
    assert [item["url"] for item in context["next_pages"]] == [
        f"/p/{slug}" for slug in context["outcome"].next_pages
    ]


# ---------------------------------------------------------------------------
# The small test guide: the same flow works for any guide


def test_small_guide_walks_to_a_result(client, small_guide):
    doc = small_guide.published_document()
    check, asked = walk(client, doc, {}, "", htmx=False)
    answers = complete(doc, {})
    assert asked == list(answers)
    result = see_result(client, read(check).form("result-form"))
    outcome = doc.outcome(evaluate(doc, answers).outcome)
    assert outcome.name in read(result).h1
