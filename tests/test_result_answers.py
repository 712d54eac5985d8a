"""A stored result lists the answers it came from: on its page, in `.md` and in `.json`.

Typed words are a visitor's own: the Markdown export escapes them, so a
`<script>` or a `[link](javascript:...)` typed into the questionnaire comes
out as text in any Markdown reader.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import markdown
import pytest
from markdown_it import MarkdownIt

from decisionguide.results.summary import visitor_text
from tests.answers import free_text_question
from tests.stored_results import (
    create,
    json_url,
    markdown_url,
    scenario_answers,
    with_free_text,
)

pytestmark = pytest.mark.django_db

# What a visitor might type to get markup into someone else's notes.
TYPED = (
    "<script>alert(1)</script> [click](javascript:alert(2)) "
    "![pixel](https://elsewhere.example/p.png) **loud** <img src=x onerror=alert(3)> "
    "`code` {: onclick=alert(4)} <https://elsewhere.example/>"
)


class Markup(HTMLParser):
    """The elements and link targets some HTML has, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.targets: list[str] = []
        self.attributes: list[str] = []
        self.text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        self.targets += [value or "" for name, value in attrs if name in ("href", "src")]

    def handle_data(self, data: str) -> None:
        self.text += data


def stored_with_typed_text(client, doc, typed: str = TYPED):
    question = free_text_question(doc)
    answers = with_free_text(doc, scenario_answers(doc, 0))
    return create(client, doc, answers, **{question.slug: typed}), answers, question


def test_the_permalink_lists_every_answer_and_the_typed_words(client, seed_guide):
    doc = seed_guide.published_document()
    path, answers, _ = stored_with_typed_text(client, doc, "CRM until the deposit")
    html = client.get(path).content.decode()
    listed = re.search(r'<dl class="summary-list answer-list">.*?</dl>', html, re.S).group(0)
    keys = [unescape(k) for k in re.findall(r'<dt class="summary-key">(.*?)</dt>', listed)]
    values = [
        " ".join(unescape(re.sub(r"<span.*", "", v, flags=re.S)).split())
        for v in re.findall(r'<dd class="summary-value">(.*?)</dd>', listed, re.S)
    ]
    expected = [
        (doc.question(s).short, doc.question(s).choice(c).label) for s, c in answers.items()
    ]
    assert list(zip(keys, values, strict=True)) == expected
    assert '<q class="written-answer">CRM until the deposit</q>' in listed
    # They come before "What would change it".
    assert html.index("answer-list") < html.index('id="change-heading"')


def test_the_exports_list_the_answers_too(client, seed_guide):
    doc = seed_guide.published_document()
    path, answers, question = stored_with_typed_text(client, doc, "CRM until the deposit")
    data = client.get(json_url(path)).json()
    listed = data["answers_listed"]
    assert [(item["question"], item["choice"]) for item in listed] == list(answers.items())
    for item in listed:
        asked = doc.question(item["question"])
        assert item["question_short"] == asked.short
        assert item["choice_label"] == asked.choice(item["choice"]).label
    typed = next(item for item in listed if item["question"] == question.slug)
    assert typed["text"] == "CRM until the deposit"
    text = client.get(markdown_url(path)).content.decode()
    rows = text[text.index("## Your answers") :]
    for slug, choice in answers.items():
        asked = doc.question(slug)
        assert f"- {asked.short}: {asked.choice(choice).label}" in rows
    assert "CRM until the deposit" in rows


@pytest.mark.parametrize(
    "render",
    [
        pytest.param(lambda text: MarkdownIt("commonmark").render(text), id="commonmark"),
        # Tables and strikethrough too (linkify needs a package we don't have).
        pytest.param(
            lambda text: MarkdownIt("gfm-like", {"linkify": False}).render(text), id="gfm-like"
        ),
        pytest.param(lambda text: markdown.markdown(text), id="python-markdown"),
    ],
)
def test_typed_markup_in_the_markdown_export_comes_out_inert(client, seed_guide, render):
    doc = seed_guide.published_document()
    path, _, _ = stored_with_typed_text(client, doc)
    text = client.get(markdown_url(path)).content.decode()
    # Unescaped, the typed words would be raw HTML and links in the Markdown itself.
    assert "<script>" not in text and "](javascript:" not in text and "<img" not in text
    rendered = Markup(render(text))
    assert "script" not in rendered.tags and "img" not in rendered.tags
    assert not [t for t in rendered.targets if "javascript" in t or "elsewhere" in t]
    assert "onerror" not in rendered.attributes and "onclick" not in rendered.attributes
    # The words themselves are still there, to read.
    for words in ("alert(1)", "[click](javascript:alert(2))", "**loud**", "`code`"):
        assert words in rendered.text


def test_visitor_text_escapes_what_starts_markup_and_nothing_in_plain_words():
    assert visitor_text("Handoff at signature, then PM owns it") == (
        "Handoff at signature, then PM owns it"
    )
    assert visitor_text("1. list? - no") == "1\\. list? - no"
    assert visitor_text("- item") == "\\- item"
    assert visitor_text("a\n\n# heading") == "a \\# heading"
    assert visitor_text("<b>") == "&lt;b&gt;"
    assert visitor_text("[x](y)") == "\\[x\\]\\(y\\)"
