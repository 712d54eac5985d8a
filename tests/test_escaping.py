"""Editors' text never becomes markup: every text field carries a quote-bearing payload.

Issue 13, reproduction 2: a linked page's summary reached
`<meta name="description" content="…">` unescaped, so a `"` broke out of the
attribute and `http-equiv="refresh"` sent Chromium to another site. Here the
small test guide gets the payload in every text field the document schema
has (found by walking the pydantic models, so a field added later is covered
too), the visitor types it as well, and every public page, the permalink in
its three formats and the admin pages for the guide are parsed: no element
may gain an attribute from the payload, and no script may appear but ours.
"""

from __future__ import annotations

import typing
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import yaml
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.guidefiles.loading import load_guide_file
from decisionguide.publishing.admin_pages import links
from decisionguide.questionnaire.state import (
    State,
    answer_url,
    check_url,
    question_url,
    result_url,
    route_url,
)
from tests.conftest import SMALL_FILE
from tests.e2e.journeys import first_route, pick_most_questions, state_of, walk

pytestmark = pytest.mark.django_db

# Breaks out of a double- or single-quoted attribute, opens a script, and is a
# meta refresh to another site if it ever lands in a <meta> unescaped.
PAYLOAD = (
    'x" onmouseover="alert(1)\' <script>bad()</script> '
    '0;url=https://elsewhere.example/" http-equiv="refresh'
)
# For fields that must be a URL, and for very short ones (an outcome's symbol).
URL_PAYLOAD = 'https://elsewhere.example/x"onmouseover="alert(1)"<script>bad()</script>'
SHORT_PAYLOAD = "\"'<>"
CANDIDATES = (PAYLOAD, URL_PAYLOAD, SHORT_PAYLOAD)
# Attributes only the payload could have put on an element.
PAYLOAD_ATTRIBUTES = {"onmouseover", "http-equiv", "refresh", "alert(1)"}


# ---------------------------------------------------------------------------
# The payload in every text field


def accepts(field: FieldInfo, value: str) -> bool:
    annotation = field.annotation
    if field.metadata:
        annotation = typing.Annotated[annotation, *field.metadata]
    adapter = TypeAdapter(annotation)
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The Part model an annotation holds (directly, optionally, in a tuple or a dict)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = model_of(argument)
        if found is not None:
            return found
    return None


def poisoned_text(field: FieldInfo, value: Any) -> Any:
    """The first payload this text field accepts; a slug or reference stays as it was."""
    return next((candidate for candidate in CANDIDATES if accepts(field, candidate)), value)


def poisoned_item(field: FieldInfo, item: Any) -> Any:
    if isinstance(item, str):
        (element,) = [a for a in get_args(field.annotation) if a is not Ellipsis][:1]
        return poisoned_text(FieldInfo.from_annotation(element), item)
    return item


def poison(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """`data` for `model` with the payload in every text field, present or defaulting to ""."""
    out = dict(data)
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key not in data:
            if field.default == "":  # an optional text, left empty: fill it in
                out[key] = poisoned_text(field, "")
            continue
        value, inner = data[key], model_of(field.annotation)
        if isinstance(value, str):
            out[key] = poisoned_text(field, value)
        elif isinstance(value, dict) and inner is not None and get_origin(field.annotation) is dict:
            out[key] = {k: poison(inner, v) for k, v in value.items()}
        elif isinstance(value, dict) and inner is not None:
            out[key] = poison(inner, value)
        elif isinstance(value, list):
            out[key] = [
                poison(inner, item)
                if isinstance(item, dict) and inner
                else poisoned_item(field, item)
                for item in value
            ]
    return out


def text_fields(model: type[BaseModel], doc: BaseModel) -> list[tuple[str, str]]:
    """(path, value) of every string in a parsed document, for the coverage check."""
    found = []
    for name in model.model_fields:
        value = getattr(doc, name)
        items = (
            value.items()
            if isinstance(value, dict)
            else enumerate(value)
            if isinstance(value, tuple)
            else [(None, value)]
        )
        for key, item in items:
            path = name if key is None else f"{name}[{key}]"
            if isinstance(item, str):
                found.append((path, item))
            elif isinstance(item, BaseModel):
                found += [(f"{path}.{p}", v) for p, v in text_fields(type(item), item)]
    return found


@pytest.fixture
def poisoned_guide(tmp_path: Path) -> Guide:
    data = poison(GuideDocument, yaml.safe_load(SMALL_FILE.read_text(encoding="utf-8")))
    path = tmp_path / "poisoned.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_guide_file(path).guide


def test_the_payload_reaches_every_text_field_but_slugs(poisoned_guide):
    doc = poisoned_guide.published_document()
    texts = text_fields(GuideDocument, doc)
    carrying = [path for path, value in texts if value in CANDIDATES]
    others = [(path, value) for path, value in texts if value not in CANDIDATES]
    # Whatever is left unpoisoned is a slug or a reference to one (or a URL the
    # schema refuses the payload for).
    slug_letters = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
    assert all(set(v) <= slug_letters or p.endswith(".url") for p, v in others), others
    expected = [
        "title",
        "summary",
        "intro",
        "start_elsewhere",
        "linked_pages[0].summary",
        "outcomes[0].symbol",
        "outcomes[0].best_for[0]",
        "criteria[0].ratings[calendar].label",
        "questions[0].choices[0].hint",
        "questions[2].free_text.label",
        "gates[0].reason",
        "notes[0].title",
    ]
    assert set(expected) <= set(carrying), set(expected) - set(carrying)
    assert len(carrying) > 60


# ---------------------------------------------------------------------------
# Reading the pages


class MarkupAudit(HTMLParser):
    """Attributes and scripts as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if names & PAYLOAD_ATTRIBUTES or any(name.startswith("on") for name in names):
            self.problems.append(f"<{tag}> gained {sorted(names)}")
        values = dict(attrs)
        if tag == "meta" and "http-equiv" in names:
            self.problems.append(f"<meta http-equiv={values['http-equiv']!r}>")
        if tag == "script":
            self._in_script = True
            source = values.get("src") or ""
            ours = source.startswith(("/static/", reverse("admin:index")))
            if not ours and values.get("type") != "application/json":
                self.problems.append(f"<script src={source!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "bad()" in data:
            self.problems.append("the payload's script ran as a script")


def audit(name: str, response) -> list[str]:
    assert response.status_code in {200, 302, 404}, (name, response.status_code)
    if not response["Content-Type"].startswith("text/html"):
        # YAML, JSON, Markdown: data, which the browser must not sniff into a page.
        assert response["X-Content-Type-Options"] == "nosniff", name
        return []
    parser = MarkupAudit()
    parser.feed(response.content.decode())
    parser.close()
    return [f"{name}: {problem}" for problem in parser.problems]


def pick_typing(doc: GuideDocument, question, answers: dict[str, str]):
    """The choice that asks for a typed text, where there is one."""
    if question.free_text is not None:
        return question.choice(question.free_text.choice)
    return pick_most_questions(doc, question, answers)


def typed_state(doc: GuideDocument) -> State:
    """Every question answered, with the payload typed into each text box."""
    steps = walk(doc, pick_typing)
    typed = {s.question.slug: PAYLOAD[: s.question.free_text.max_length] for s in steps if s.text}
    assert typed, "the guide has no free-text question"
    return State(answers=state_of(steps).answers, texts=typed)


def public_pages(doc: GuideDocument) -> dict[str, str]:
    """Every public page: each question (reached honestly, and with no answer picked),
    the check, route and result pages with the payload typed, and a 404."""
    state = typed_state(doc)
    steps = walk(doc, pick_typing)
    pages = {"index": reverse("index"), "guide": reverse("guide-detail", args=[doc.slug])}
    for page in doc.linked_pages:
        pages[f"page {page.slug}"] = reverse("linked-page", args=[doc.slug, page.slug])
    for index, step in enumerate(steps):
        answered = state_of(steps[:index]).answers
        before = State(
            answers=answered, texts={k: state.texts[k] for k in answered if k in state.texts}
        )
        pages[f"question {step.question.slug}"] = question_url(doc, step.question, before)
        pages[f"no answer to {step.question.slug}"] = (
            answer_url(doc, step.question) + before.query()
        )
    typed = doc.question(next(iter(state.texts)))
    pages["typed question"] = question_url(doc, typed, state)
    route = first_route(doc)
    pages["route"] = route_url(doc, State(answers={route.question.slug: route.choice.slug}))
    pages["check"] = check_url(doc, state)
    pages["result"] = result_url(doc, state)
    pages["not found"] = f"/guides/{doc.slug}/no/such/page/"
    return pages


def stored_permalink(client: Client, doc: GuideDocument) -> str:
    """A result saved with the payload typed into the free-text box."""
    saved = client.post(reverse("result-create", args=[doc.slug]), dict(typed_state(doc).params()))
    assert saved.status_code == 303, saved.content[:500]
    return saved["Location"]


def admin_pages(guide: Guide) -> list[str]:
    """The admin's index, every list of the site's models, and every change page of this guide."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in {"guides", "results"}:
            continue
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        for pk in model._default_manager.values_list("pk", flat=True)[:5]:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk]))
    # Not pages: the buttons that post (publish, schedule, review), and unpublish's confirmation.
    posts = {"publish", "unpublish", "schedule", "cancel_schedule", "request_review", "approve"}
    urls += [url for name, url in links(guide).items() if name not in posts]
    urls.append(reverse("admin:guides_guide_version", args=[guide.pk, guide.version]))
    # The Translations page: every text's label (part names) and source words.
    urls.append(reverse("admin:guides_guide_translations", args=[guide.pk, "fr"]))
    return urls


def test_no_page_gains_markup_from_editors_or_visitors_text(poisoned_guide, superuser_client):
    doc = poisoned_guide.published_document()
    visitor = Client()
    problems: list[str] = []
    pages = public_pages(doc)
    assert len(pages) >= 12
    for name, url in pages.items():
        problems += audit(name, visitor.get(url))
        problems += audit(f"{name} (htmx)", visitor.get(url, HTTP_HX_REQUEST="true"))
    permalink = stored_permalink(visitor, doc)
    for suffix in ("/", ".json", ".md"):
        problems += audit(f"permalink{suffix}", visitor.get(permalink.rstrip("/") + suffix))
    for url in admin_pages(poisoned_guide):
        problems += audit(url, superuser_client.get(url))
    assert problems == [], "\n".join(problems)


def test_the_payload_is_shown_as_text(poisoned_guide):
    """The check above can fail: the payload is on the pages, only escaped."""
    doc = poisoned_guide.published_document()
    html = (
        Client()
        .get(reverse("linked-page", args=[doc.slug, doc.linked_pages[0].slug]))
        .content.decode()
    )
    assert '<meta name="description" content="x&quot; onmouseover=&quot;alert(1)&#x27;' in html
    broken = MarkupAudit()
    broken.feed(html.replace("&quot;", '"'))
    assert broken.problems  # unescaped, the same page would fail the audit


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in strings_in(item)]
    return []


def test_the_permalink_formats_carry_the_payload_as_data(poisoned_guide):
    doc = poisoned_guide.published_document()
    client = Client()
    permalink = stored_permalink(client, doc)
    data = client.get(permalink.rstrip("/") + ".json")
    assert data["Content-Type"] == "application/json"
    assert data["X-Content-Type-Options"] == "nosniff"
    typed = next(iter(typed_state(doc).texts.values()))
    assert typed in strings_in(data.json())  # kept as it was typed, as data
    text = client.get(permalink.rstrip("/") + ".md")
    assert text["Content-Type"].startswith("text/markdown")
    assert text["X-Content-Type-Options"] == "nosniff"
