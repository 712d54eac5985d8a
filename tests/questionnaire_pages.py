"""Questionnaire pages for tests: their URLs, a reader for their HTML, and a browser-like submit.

Shared by the questionnaire test files; answers come from tests/answers.py.
"""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.test import Client
from django.urls import reverse

from decisionguide.decision.document import Choice, GuideDocument, Question
from decisionguide.decision.engine import clean_answers, shown_questions
from tests.answers import HTMX, complete, unsure_staying_choice

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


def answers_up_to(doc: GuideDocument, question: Question) -> dict[str, str]:
    """Filler answers to every question before `question` (as clean answers)."""
    earlier = doc.questions[: doc.questions.index(question)]
    return clean_answers(doc, {q.slug: unsure_staying_choice(q).slug for q in earlier})


def triage(doc: GuideDocument) -> tuple[Question, Choice]:
    for question in doc.questions:
        for choice in question.choices:
            if choice.route is not None:
                return question, choice
    raise AssertionError("the guide has no routing choice")


def text_label(label: str) -> str:
    """The free text's label as shown: the form adds "(optional)" itself."""
    return label.removesuffix("(optional)").strip()


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
        choice = profile.get(question.slug) or unsure_staying_choice(question).slug
        asked.append(question.slug)
        response = submit(client, page, choice, question, text, **headers)
    raise AssertionError("the questionnaire never reached the check page")
