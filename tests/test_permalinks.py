"""Result permalinks: the page, caching and cookies, snapshots, JSON and Markdown, the admin list.

Expected text comes from the loaded documents and expected decisions from
the engine, so the tests follow the content as it changes.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.decision.engine import clean_answers, evaluate
from decisionguide.decision.parsing import parse_document
from decisionguide.guidefiles.loading import apply_document
from decisionguide.guides.markdown import linked_page_url
from decisionguide.results.ids import RESULT_ID_LENGTH
from decisionguide.results.models import Result
from decisionguide.results.presenter import text_label
from tests.answers import free_text_question
from tests.stored_results import (
    banner_text,
    create,
    json_url,
    main_html,
    markdown_url,
    read,
    republish,
    result_id,
    scenario_answers,
    squeezed,
    stored_urls,
    with_free_text,
    without_banner,
)

pytestmark = pytest.mark.django_db


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
        assert check.text.rstrip(".") in body
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

    def answers_section(html: str) -> str:
        return re.search(r'<section class="guide-section result-answers".*?</section>', html, re.S)[
            0
        ]

    live_body = body(live)
    # The same answers, but only the stored result's list has what-if links.
    live_answers = answers_section(live_body)
    stored_answers = answers_section(stored.content.decode())
    assert "what-if" not in live_answers and "what-if" in stored_answers
    assert re.findall(r"<dt[^>]*>(.*?)</dt>", live_answers) == re.findall(
        r"<dt[^>]*>(.*?)</dt>", stored_answers
    )
    assert live_body.replace(live_answers, stored_answers) in stored.content.decode()


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
    for url in stored_urls(client, doc):
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
    for url in stored_urls(client, doc):
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
    urls = stored_urls(client, doc)
    # A visitor who has been on the check page (CSRF cookie) and the admin (session).
    client.cookies["csrftoken"] = "x" * 32
    client.cookies["sessionid"] = "not-a-session"
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert not response.cookies, url
        assert "Set-Cookie" not in response.headers
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        assert "cookie" not in vary, url
    assert "csrfmiddlewaretoken" not in client.get(urls[0]).content.decode()


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
        assert f"- [ ] {check.text}" in text
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
