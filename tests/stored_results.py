"""Stored results for tests: creating one as a visitor does, its URLs, and reading its page.

Shared by the results, permalink and result-explanation tests.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.parsing import parse_document
from decisionguide.guidefiles.loading import apply_document
from decisionguide.results.ids import RESULT_ID_PATTERN
from tests.answers import complete, free_text_question

ID_RE = re.compile(rf"^/r/({RESULT_ID_PATTERN})/$")
BANNER_RE = re.compile(r'<div class="result-update">.*?</div>', re.DOTALL)


def scenario_answers(doc: GuideDocument, index: int = 0) -> dict[str, str]:
    return complete(doc, dict(doc.scenarios[index].answers))


def with_free_text(doc: GuideDocument, answers: dict[str, str]) -> dict[str, str]:
    """The answers, with the free-text question answered with the choice that asks for it."""
    question = free_text_question(doc)
    return complete(doc, {**answers, question.slug: question.free_text.choice})


def create_url(doc: GuideDocument) -> str:
    return reverse("result-create", args=[doc.slug])


def post_result(client: Client, doc: GuideDocument, data, **extra):
    return client.post(create_url(doc), data, **extra)


def create(client: Client, doc: GuideDocument, answers: dict[str, str], **texts: str) -> str:
    """Store a result; returns its permalink path."""
    data = {**answers, **{f"{slug}_text": text for slug, text in texts.items()}}
    response = post_result(client, doc, data)
    assert response.status_code == 303, response.content.decode()[:500]
    return response["Location"]


def stored_urls(client: Client, doc: GuideDocument) -> tuple[str, str, str]:
    """Store the first scenario's result; its permalink, JSON and Markdown paths."""
    path = create(client, doc, scenario_answers(doc))
    return path, json_url(path), markdown_url(path)


def result_id(path: str) -> str:
    match = ID_RE.match(path)
    assert match, path
    return match.group(1)


def json_url(path: str) -> str:
    return reverse("result-json", args=[result_id(path)])


def markdown_url(path: str) -> str:
    return reverse("result-markdown", args=[result_id(path)])


def main_html(response) -> str:
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def without_banner(html: str) -> str:
    return BANNER_RE.sub("", html)


def squeezed(html: str) -> str:
    # Template tags around the banner leave different blank lines behind.
    return " ".join(html.split())


def banner_text(response) -> str:
    match = BANNER_RE.search(response.content.decode())
    return unescape(re.sub(r"<[^>]+>", "", match.group(0))) if match else ""


def republish(guide: Guide, change) -> GuideDocument:
    """Apply `change` to the published document's data and publish it as a new version."""
    data = guide.published_document().to_data()
    change(data)
    doc = parse_document(data)
    _, changed = apply_document(doc)
    assert changed
    return doc


class PageReader(HTMLParser):
    """Forms with their inputs, meta and link tags, script tags and elements by id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.meta: dict[str, str] = {}
        self.links: list[dict] = []
        self.anchors: list[dict] = []
        self.scripts: list[dict] = []
        self.ids: dict[str, dict] = {}
        self.styled: list[str] = []
        self.h1 = ""
        self._in_h1 = False
        self._anchor: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = {k: v if v is not None else "" for k, v in attrs}
        if "id" in attrs:
            self.ids[attrs["id"]] = {"tag": tag, **attrs}
        if "style" in attrs:
            self.styled.append(tag)
        if tag == "form":
            self.forms.append({**attrs, "inputs": []})
        elif tag == "input" and self.forms:
            self.forms[-1]["inputs"].append(attrs)
        elif tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta[key] = attrs.get("content", "")
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script":
            self.scripts.append(attrs)
        elif tag == "a":
            self._anchor = {**attrs, "text": ""}
            self.anchors.append(self._anchor)
        elif tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False
        elif tag == "a":
            self._anchor = None

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data
        if self._anchor is not None:
            self._anchor["text"] += data

    def form(self, cls: str) -> dict | None:
        return next((f for f in self.forms if cls in f.get("class", "").split()), None)

    def link(self, rel: str) -> dict:
        return next(link for link in self.links if link.get("rel") == rel)

    def anchor(self, text: str) -> dict:
        return next(a for a in self.anchors if " ".join(a["text"].split()) == text)


def read(response) -> PageReader:
    return PageReader(response.content.decode())


def submit_check_page(client: Client, check_response):
    """Press "See my recommendation" as a browser does: every input of the form, posted."""
    form = read(check_response).form("result-form")
    assert form is not None
    data = [(i["name"], i.get("value", "")) for i in form["inputs"] if i.get("name")]
    return client.post(form["action"], urlencode(data), content_type=FORM)


FORM = "application/x-www-form-urlencoded"
