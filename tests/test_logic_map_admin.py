"""The logic map in the guide's admin: the draft drawn, every element linked to its edit page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Choice, Gate, Guide, LinkedPage, Note, Outcome, Question
from decisionguide.publishing.drafts import record_edit
from tests.questionnaire_pages import PageReader

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def logic_url(guide: Guide, **query: str) -> str:
    url = reverse("admin:guides_guide_logic", args=[guide.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def page_map(client: Client, url: str) -> tuple[ET.Element, str]:
    """The page's SVG, parsed, and the whole page's HTML."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'<svg [^>]*class="logic-map".*?</svg>', html, re.S)
    assert found is not None, "no map on the page"
    return ET.fromstring(found.group(0)), html


def texts(root: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def hrefs(root: ET.Element) -> set[str]:
    return {a.get("href") for a in root.iter(f"{SVG}a")}


def change(obj: object) -> str:
    return reverse(f"admin:guides_{obj._meta.model_name}_change", args=[obj.pk])  # type: ignore[attr-defined]


def test_the_map_holds_every_question_and_outcome_and_links_to_each_edit_page(
    editor_client: Client, seed_guide: Guide
) -> None:
    root, html = page_map(editor_client, logic_url(seed_guide))
    words, found = texts(root), hrefs(root)
    questions = list(Question.objects.filter(guide=seed_guide).order_by("order", "id"))
    assert questions
    for number, question in enumerate(questions, start=1):
        assert f"{number}. {question.prompt[:40]}" in words
        assert change(question) in found
    for choice in Choice.objects.filter(question__guide=seed_guide):
        assert change(choice) in found, choice.label
    for outcome in Outcome.objects.filter(guide=seed_guide):
        assert outcome.name in words
        assert change(outcome) in found
    gates = list(Gate.objects.filter(guide=seed_guide))
    notes = list(Note.objects.filter(guide=seed_guide))
    assert gates and notes
    assert {change(row) for row in gates + notes} <= found
    routes = LinkedPage.objects.filter(guide=seed_guide, slug__in=_routes(seed_guide))
    assert routes and {change(page) for page in routes} <= found
    # Nothing links anywhere but an edit page of this guide's rows.
    assert all(re.fullmatch(r"/admin/guides/\w+/\d+/change/", href) for href in found)
    # The same facts in words beside it, linked the same way.
    listed = {link.get("href") for link in PageReader(html).links}
    assert {change(q) for q in questions} <= listed


def _routes(guide: Guide) -> set[str]:
    doc = guide.draft_document()
    return {c.route for q in doc.questions for c in q.choices if c.route}


def test_the_map_redraws_for_the_draft_and_can_show_the_published_version(
    editor_client: Client, editor_user, seed_guide: Guide
) -> None:
    question = Question.objects.filter(guide=seed_guide).order_by("order").first()
    before = question.prompt
    question.prompt = "Which one record should you open first each morning?"
    question.save()
    record_edit(seed_guide, user=editor_user)
    seed_guide.refresh_from_db()

    draft, html = page_map(editor_client, logic_url(seed_guide))
    assert question.prompt in texts(draft) and before not in texts(draft)
    assert f"version {seed_guide.version}" in unescape(html)

    published, _ = page_map(editor_client, logic_url(seed_guide, doc="published"))
    assert before in texts(published) and question.prompt not in texts(published)
    # Still linked where the row exists, but gates (matched by position) only on the draft.
    assert change(question) in hrefs(published)
    assert not {change(gate) for gate in Gate.objects.filter(guide=seed_guide)} & hrefs(published)


def test_the_map_page_is_safe_under_the_content_security_policy(
    editor_client: Client, seed_guide: Guide
) -> None:
    response = editor_client.get(logic_url(seed_guide))
    policy = response.headers["Content-Security-Policy"]
    style_src = re.search(r"style-src ([^;]*)", policy)
    assert style_src is not None and "unsafe-inline" not in style_src.group(1)
    root, _ = page_map(editor_client, logic_url(seed_guide))
    assert all("style" not in element.attrib for element in root.iter())
    assert not list(root.iter(f"{SVG}style")) and not list(root.iter(f"{SVG}script"))
    # A map of links is a group (an image's content would hide them), named by its title.
    title_id = root.get("aria-labelledby")
    assert root.get("role") == "group"
    assert (
        "".join(root.find(f"{SVG}title").itertext())
        and root.find(f"{SVG}title").get("id") == title_id
    )


@pytest.mark.parametrize("page", ["change", "checks", "try"])
def test_the_guides_pages_link_to_its_map(editor_client: Client, small_guide: Guide, page: str):
    html = editor_client.get(reverse(f"admin:guides_guide_{page}", args=[small_guide.pk])).content
    links = {(link["text"].strip(), link.get("href")) for link in PageReader(html.decode()).links}
    assert ("Logic map", logic_url(small_guide)) in links


def test_a_guide_whose_rows_make_no_guide_gets_a_reason_not_an_error(
    editor_client: Client, half_made_guide: Guide
) -> None:
    broken = half_made_guide
    response = editor_client.get(logic_url(broken))
    assert response.status_code == 200
    assert "can't be drawn" in response.content.decode()
    assert 'class="logic-map"' not in response.content.decode()
