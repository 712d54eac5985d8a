"""Stored results and their permalinks, walked against the loaded guides.

Expected text comes from the loaded documents and expected decisions from
the engine, so the tests follow the content as it changes.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from decisionguide.content.loading import apply_document
from decisionguide.content.markdown import linked_page_url
from decisionguide.content.models import Guide
from decisionguide.decision.document import Choice, GuideDocument, Question
from decisionguide.decision.engine import clean_answers, evaluate, next_question
from decisionguide.decision.parsing import parse_document
from decisionguide.results.ids import (
    RESULT_ID_ALPHABET,
    RESULT_ID_LENGTH,
    RESULT_ID_PATTERN,
    is_result_id,
    new_result_id,
)
from decisionguide.results.models import Result
from decisionguide.results.presenter import text_label

pytestmark = pytest.mark.django_db

ID_RE = re.compile(rf"^/r/({RESULT_ID_PATTERN})/$")
BANNER_RE = re.compile(r'<div class="result-update">.*?</div>', re.DOTALL)


# ---------------------------------------------------------------------------
# Helpers


def staying_choice(question: Question) -> Choice:
    staying = [c for c in question.choices if c.route is None]
    return next((c for c in staying if c.unsure), staying[0])


def complete(doc: GuideDocument, profile: dict[str, str]) -> dict[str, str]:
    """The profile's answers, with every other shown question answered too."""
    answers = dict(profile)
    while (question := next_question(doc, clean_answers(doc, answers))) is not None:
        answers[question.slug] = staying_choice(question).slug
    return clean_answers(doc, answers)


def scenario_answers(doc: GuideDocument, index: int = 0) -> dict[str, str]:
    return complete(doc, dict(doc.scenarios[index].answers))


def free_text_question(doc: GuideDocument) -> Question:
    return next(q for q in doc.questions if q.free_text is not None)


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
    # Nothing about the visitor: only these columns exist.
    columns = {field.attname for field in Result._meta.concrete_fields}
    assert columns == {"id", "guide_version_id", "answers", "free_texts", "decision", "created"}


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


# ---------------------------------------------------------------------------
# The permalink page


def test_permalink_page_shows_the_result(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 2)
    path = create(client, doc, answers)
    response = client.get(path)
    decision = evaluate(doc, answers)
    outcome = doc.outcome(decision.outcome)
    page = read(response)
    body = unescape(response.content.decode())
    assert outcome.name in page.h1
    assert outcome.tagline in body
    for reason in decision.reasons:
        assert reason.text in body
    for check in doc.failure_checks:
        assert check.rstrip(".") in body
    assert "result-update" not in body  # no banner while the guide is unchanged


def test_permalink_page_meta_for_sharing(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc)
    path = create(client, doc, answers)
    page = read(client.get(path))
    absolute = f"http://testserver{path}"
    outcome = doc.outcome(evaluate(doc, answers).outcome)
    assert page.link("canonical")["href"] == absolute
    assert page.meta["og:url"] == absolute
    assert outcome.name in page.meta["og:title"]
    assert page.meta["og:description"] == outcome.tagline
    assert "\n" not in page.meta["og:description"]
    assert page.meta["twitter:card"] == "summary"
    assert page.meta["robots"] == "noindex"


def test_permalink_page_copy_link_and_actions(client, seed_guide):
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    answers = with_free_text(doc, scenario_answers(doc))
    path = create(client, doc, answers, **{question.slug: "Mine"})
    page = read(client.get(path))
    # Without JavaScript: the address, ready to select.
    box = page.ids["result-link"]
    assert box["tag"] == "input" and "readonly" in box
    assert box["value"] == f"http://testserver{path}"
    # With it: a button results.js reveals, and a place for its confirmation.
    button = page.ids["copy-link"]
    assert button["tag"] == "button" and button["data-copy"] == "result-link"
    assert "hidden" in button
    assert page.ids[button["data-copy-status"]].get("aria-live") == "polite"
    scripts = [s["src"] for s in page.scripts]
    assert any(src.endswith("js/results.js") for src in scripts)
    results_js = next(s for s in page.scripts if s["src"].endswith("js/results.js"))
    assert "defer" in results_js
    assert all(s.get("src") for s in page.scripts)  # no inline scripts (CSP)
    assert page.styled == []  # no style attributes (CSP)
    # Adjust: the check page with these answers; Start again: the first question.
    adjust = client.get(page.anchor("Adjust my answers")["href"])
    assert adjust.status_code == 200
    hidden = read(adjust).form("result-form")["inputs"]
    sent = {i["name"]: i["value"] for i in hidden if i["name"] != "csrfmiddlewaretoken"}
    assert sent == {**answers, f"{question.slug}_text": "Mine"}
    start = page.anchor("Start again")["href"]
    assert start == reverse("questionnaire-start", args=[doc.slug])


def test_the_result_page_from_the_questionnaire_shares_the_result_body(client, seed_guide):
    """The permalink renders the same body as the questionnaire's result page."""
    doc = seed_guide.published_document()
    answers = scenario_answers(doc)
    live = client.get(reverse("questionnaire-result", args=[doc.slug]), answers)
    stored = client.get(create(client, doc, answers))
    start = '<p class="caption">'
    end = "</section>"

    def body(response) -> str:
        html = response.content.decode()
        section = html[html.index(start) :]
        return section[: section.rindex(end, 0, section.index('class="result-actions"'))]

    live_body = body(live)
    assert live_body in stored.content.decode()


def test_unknown_result_is_the_sites_not_found_page(client, seed_guide):
    response = client.get(reverse("result-detail", args=["a" * RESULT_ID_LENGTH]))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    for name in ("result-json", "result-markdown"):
        assert client.get(reverse(name, args=["b" * RESULT_ID_LENGTH])).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/r/abc/",
        "/r/" + "a" * 14 + "/",
        "/r/ABCDEFGHIJKLM/",
        "/r/abcdefghijkl0/",
        "/r/abcdefghijkl8/",
        "/r/abcdefghijk_m/",
        "/r/abcdefghijkl%20/",
        "/r/abc.json",
        "/r/ABCDEFGHIJKLM.md",
        "/r/" + "a" * 12 + ".json",
    ],
)
def test_malformed_ids_are_not_found_without_a_query(client, path, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 404


# ---------------------------------------------------------------------------
# Caching and cookies


def test_permalink_is_cached_privately_for_minutes_with_an_etag(client, seed_guide):
    doc = seed_guide.published_document()
    path = create(client, doc, scenario_answers(doc))
    for url in (path, json_url(path), markdown_url(path)):
        response = client.get(url)
        # The visitor's typed text: only their own browser keeps it, for five minutes.
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert cache_control == {"private", "max-age=300"}, url
        etag = response["ETag"]
        assert etag.startswith('"') and etag.endswith('"')
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304, url
        assert again.content == b""
        assert again["ETag"] == etag
        assert again["Cache-Control"] == response["Cache-Control"]
        other = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')
        assert other.status_code == 200


def test_permalinks_answer_head_requests(client, seed_guide):
    doc = seed_guide.published_document()
    path = create(client, doc, scenario_answers(doc))
    for url in (path, json_url(path), markdown_url(path)):
        response = client.head(url)
        assert response.status_code == 200, url
        assert response["ETag"] == client.get(url)["ETag"]
        assert client.post(url).status_code == 405


def test_etag_changes_when_a_new_version_is_published(client, seed_guide):
    doc = seed_guide.published_document()
    path = create(client, doc, scenario_answers(doc))
    first = client.get(path)["ETag"]

    def rename_first_outcome(data):
        data["outcomes"][0]["name"] += " (renamed)"

    republish(seed_guide, rename_first_outcome)
    response = client.get(path, HTTP_IF_NONE_MATCH=first)
    assert response.status_code == 200
    assert response["ETag"] != first


def test_a_draft_change_does_not_touch_the_permalink(client, seed_guide):
    """Visitors never see drafts: no banner until the change is published."""
    doc = seed_guide.published_document()
    path = create(client, doc, scenario_answers(doc))
    first = client.get(path)
    data = doc.to_data()
    data["outcomes"][0]["name"] += " (draft)"
    _, changed = apply_document(parse_document(data), publish=False)
    assert changed
    again = client.get(path)
    assert again["ETag"] == first["ETag"]
    assert again.content == first.content


def test_permalink_sets_no_cookie_and_does_not_vary_on_them(seed_guide):
    doc = seed_guide.published_document()
    client = Client()
    path = create(client, doc, scenario_answers(doc))
    # A visitor who has been on the check page (CSRF cookie) and the admin (session).
    client.cookies["csrftoken"] = "x" * 32
    client.cookies["sessionid"] = "not-a-session"
    for url in (path, json_url(path), markdown_url(path)):
        response = client.get(url)
        assert response.status_code == 200
        assert not response.cookies, url
        assert "Set-Cookie" not in response.headers
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        assert "cookie" not in vary, url
    assert "csrfmiddlewaretoken" not in client.get(path).content.decode()


def test_permalink_page_view_takes_at_most_two_queries(
    client, seed_guide, django_assert_max_num_queries
):
    doc = seed_guide.published_document()
    path = create(client, doc, scenario_answers(doc))
    client.get(path)  # the documents are memoised now
    with django_assert_max_num_queries(2):
        assert client.get(path).status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get(json_url(path)).status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get(markdown_url(path)).status_code == 200

    def rename(data):
        data["outcomes"][0]["name"] += " (renamed)"

    republish(seed_guide, rename)
    client.get(path)  # the new version's document is memoised now
    with django_assert_max_num_queries(2):
        response = client.get(path)
    assert "result-update" in response.content.decode()


# ---------------------------------------------------------------------------
# Snapshots: the page reads the same after the guide changes


def test_result_reads_the_same_after_the_guide_is_edited(client, seed_guide):
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    answers = with_free_text(doc, scenario_answers(doc, 1))
    path = create(client, doc, answers, **{question.slug: "CRM until signed"})
    decision = evaluate(doc, answers)
    before = client.get(path)
    json_before = client.get(json_url(path)).json()
    md_before = client.get(markdown_url(path)).content
    old_outcome = doc.outcome(decision.outcome)

    def edit(data):
        for outcome in data["outcomes"]:
            if outcome["slug"] == decision.outcome:
                outcome["name"] = f"{outcome['name']} Plus"
        # The scenario the result points at, and a note, disappear.
        data["scenarios"] = [s for s in data["scenarios"] if s["slug"] != decision.scenario]
        data["notes"] = data["notes"][1:]

    new_doc = republish(seed_guide, edit)
    seed_guide.refresh_from_db()
    assert seed_guide.version == Result.objects.get().guide_version.version + 1
    # The version the result points at is stored unchanged: the page is rendered from it.
    assert Result.objects.get().guide_version.document == doc.to_data()

    after = client.get(path)
    assert after.status_code == 200
    assert squeezed(without_banner(main_html(after))) == squeezed(main_html(before))
    assert client.get(json_url(path)).json() == json_before
    assert client.get(markdown_url(path)).content == md_before
    assert old_outcome.name in read(after).h1
    # The banner: the guide has changed, and what it says today for the same answers.
    banner = banner_text(after)
    new_name = new_doc.outcome(evaluate(new_doc, clean_answers(new_doc, answers)).outcome).name
    assert new_name == f"{old_outcome.name} Plus"
    assert new_name in banner
    assert "still recommends" in banner
    assert str(seed_guide.version) in banner


def test_banner_when_todays_guide_recommends_something_else(client, seed_guide):
    doc = seed_guide.published_document()
    # A scenario not ending in the default outcome, which can't be gated.
    index = next(i for i, s in enumerate(doc.scenarios) if s.outcome != doc.default_outcome)
    answers = scenario_answers(doc, index)
    path = create(client, doc, answers)
    recommended = evaluate(doc, answers).outcome
    first_question = doc.questions[0]
    chosen = answers[first_question.slug]

    def gate_out(data):
        # Rule the recommendation out unless the first answer differs from the one given.
        others = [c.slug for c in first_question.choices if c.slug != chosen]
        data.setdefault("gates", []).append(
            {
                "outcome": recommended,
                "unless": {"all": [{"question": first_question.slug, "in": others}]},
                "reason": "Ruled out for this test.",
            }
        )

    new_doc = republish(seed_guide, gate_out)
    today = evaluate(new_doc, clean_answers(new_doc, answers))
    assert today.outcome != recommended
    response = client.get(path)
    banner = banner_text(response)
    assert new_doc.outcome(today.outcome).name in banner
    assert "would recommend" in banner
    # The stored result still stands.
    assert doc.outcome(recommended).name in read(response).h1


def test_banner_when_the_answers_no_longer_complete_the_guide(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc)
    path = create(client, doc, answers)
    new_question = {
        "slug": "brand_new",
        "prompt": "Is this a question added after the result was saved?",
        "short": "New question",
        "choices": [{"slug": "yes", "label": "Yes"}, {"slug": "no", "label": "No"}],
    }
    republish(seed_guide, lambda data: data["questions"].append(new_question))
    response = client.get(path)
    banner = banner_text(response)
    assert "can't work out a recommendation" in banner
    retake = re.search(
        r'<div class="result-update">.*?href="([^"]+)"', response.content.decode(), re.S
    )
    follow = client.get(unescape(retake.group(1)))
    # The check page sends the visitor on to the one question left to answer.
    assert follow.status_code == 302
    assert follow["Location"].startswith(
        reverse("questionnaire-question", args=[doc.slug, "brand_new"])
    )


def test_unpublished_guide_keeps_its_results_without_a_comparison(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc)
    path = create(client, doc, answers)
    first = client.get(path)

    def rename(data):
        data["outcomes"][0]["name"] += " (renamed)"

    republish(seed_guide, rename)
    Guide.objects.filter(pk=seed_guide.pk).update(is_published=False)
    response = client.get(path)
    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]
    assert doc.outcome(evaluate(doc, answers).outcome).name in read(response).h1
    banner = banner_text(response)
    assert "no longer published" in banner
    assert "recommend" not in banner
    page = read(response)
    assert not any(" ".join(a["text"].split()) == "Adjust my answers" for a in page.anchors)
    assert client.get(json_url(path)).status_code == 200


# ---------------------------------------------------------------------------
# JSON and Markdown


def test_json_holds_the_decision_and_what_it_came_from(client, seed_guide):
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    answers = with_free_text(doc, scenario_answers(doc))
    path = create(client, doc, answers, **{question.slug: "Handoff at signature"})
    response = client.get(json_url(path))
    assert response["Content-Type"] == "application/json"
    assert response["X-Robots-Tag"] == "noindex"
    data = response.json()
    decision = evaluate(doc, answers).to_json()
    assert {key: data[key] for key in decision} == decision
    result = Result.objects.get()
    assert data["answers"] == answers
    assert data["free_texts"] == {question.slug: "Handoff at signature"}
    assert data["guide"] == doc.slug
    assert data["guide_version"] == result.guide_version.version
    assert datetime.fromisoformat(data["created"]) == result.created
    assert data["url"] == f"http://testserver{path}"


def test_markdown_summary(client, seed_guide):
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    answers = with_free_text(doc, scenario_answers(doc, 2))
    path = create(client, doc, answers, **{question.slug: "The CRM owns it until signature"})
    response = client.get(markdown_url(path))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode("utf-8")
    decision = evaluate(doc, answers)
    outcome = doc.outcome(decision.outcome)
    assert f"**Recommendation: {outcome.name}**" in text
    for reason in decision.reasons:
        assert reason.text in text
    assert f"## {text_label(question.free_text.label)}" in text
    assert "> The CRM owns it until signature" in text
    for check in doc.failure_checks:
        assert f"- [ ] {check}" in text
    for slug in outcome.next_pages:
        page = doc.linked_page(slug)
        url = linked_page_url(doc, slug)
        absolute = url if url.startswith("http") else f"http://testserver{url}"
        assert f"[{page.title}]({absolute})" in text
    assert "](page:" not in text
    assert f"http://testserver{path}" in text
    for slug, choice in answers.items():
        asked = doc.question(slug)
        assert f"- {asked.short}: {asked.choice(choice).label}" in text


# ---------------------------------------------------------------------------
# Admin


def test_admin_lists_results_read_only(client, seed_guide):
    doc = seed_guide.published_document()
    path = create(client, doc, scenario_answers(doc))
    rid = result_id(path)
    admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw-123456789")
    client.force_login(admin)
    changelist = client.get(reverse("admin:results_result_changelist"))
    assert changelist.status_code == 200
    assert rid in changelist.content.decode()
    assert client.get(reverse("admin:results_result_add")).status_code == 403
    detail = client.get(reverse("admin:results_result_change", args=[rid]))
    assert detail.status_code == 200
    assert 'name="answers"' not in detail.content.decode()  # nothing to edit
