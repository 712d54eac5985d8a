"""Same check page, same result: a double click or a retry stores one result and costs the
visitor nothing; the 429 page says the real wait and leads back to the answers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.decision.engine import evaluate
from decisionguide.questionnaire.state import State, check_url
from decisionguide.results import permalink, ratelimit
from decisionguide.results.models import RateLimitCounter, Result
from decisionguide.results.ratelimit import wait_in_words
from tests.answers import free_text_question
from tests.stored_results import (
    read,
    scenario_answers,
    submit_check_page,
    with_free_text,
)

pytestmark = pytest.mark.django_db


def browser() -> Client:
    """A client that checks CSRF as a browser's requests are checked."""
    return Client(enforce_csrf_checks=True)


def check_page(client: Client, doc, answers: dict[str, str], **texts: str):
    state = State(answers=answers, texts=texts)
    response = client.get(check_url(doc, state))
    assert response.status_code == 200
    return response


def attempts() -> int:
    return sum(RateLimitCounter.objects.values_list("count", flat=True))


def test_the_same_check_page_sent_twice_gives_one_result(seed_guide):
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    answers = with_free_text(doc, scenario_answers(doc, 0))
    client = browser()
    page = check_page(client, doc, answers, **{question.slug: "Mine"})
    first = submit_check_page(client, page)
    again = submit_check_page(client, page)  # a double click, or the browser's retry
    assert first.status_code == again.status_code == 303
    assert first["Location"] == again["Location"]
    result = Result.objects.get()
    assert result.get_absolute_url() == first["Location"]
    assert result.answers == answers and result.free_texts == {question.slug: "Mine"}
    assert len(result.submission_key) == 64
    assert attempts() == 1  # the repeat didn't count against the limit


def test_a_repeat_is_let_through_when_the_limit_is_reached(seed_guide, settings):
    settings.DECISIONGUIDE_RESULTS_PER_HOUR = 1
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    client = browser()
    page = check_page(client, doc, answers)
    first = submit_check_page(client, page)
    assert submit_check_page(client, page)["Location"] == first["Location"]
    # The page opened again is a new submission: that one is over the limit.
    assert submit_check_page(client, check_page(client, doc, answers)).status_code == 429
    assert Result.objects.count() == 1


def test_two_visitors_with_the_same_answers_get_a_result_each(seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    one, two = browser(), browser()
    # The same URL, so the second page comes from the page cache: its token is still its own.
    pages = [check_page(one, doc, answers), check_page(two, doc, answers)]
    locations = {
        submit_check_page(client, page)["Location"]
        for client, page in zip((one, two), pages, strict=True)
    }
    assert len(locations) == 2
    assert Result.objects.count() == 2
    # And one visitor opening the check page again gets a new result too.
    submit_check_page(one, check_page(one, doc, answers))
    assert Result.objects.count() == 3


def test_a_page_whose_answers_changed_is_a_new_submission(seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    client = browser()
    page = check_page(client, doc, answers)
    first = submit_check_page(client, page)
    form = read(page).form("result-form")
    data = {i["name"]: i.get("value", "") for i in form["inputs"] if i.get("name")}
    question = doc.question("team")
    data["team"] = next(c.slug for c in question.choices if c.slug != answers["team"])
    second = client.post(form["action"], data)
    assert second.status_code == 303 and second["Location"] != first["Location"]
    assert Result.objects.count() == 2


def test_a_repeat_that_loses_the_race_gets_the_first_result_and_costs_nothing(
    seed_guide, monkeypatch
):
    """Two requests with the same page at once: both miss the lookup, one stores, the
    other's insert clashes on the key; it is sent to the first's result, and its
    counted attempt is rolled back with its transaction."""
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    client = browser()
    page = check_page(client, doc, answers)
    first = submit_check_page(client, page)
    # The view's lookup misses (the other request hasn't committed yet, as it were);
    # store_result's own lookup, after the clash, finds it.
    lookup = permalink.stored_for
    calls = []

    def late_lookup(key):
        calls.append(key)
        return None if len(calls) == 1 else lookup(key)

    monkeypatch.setattr(permalink, "stored_for", late_lookup)
    again = submit_check_page(client, page)
    assert len(calls) == 2
    assert again.status_code == 303 and again["Location"] == first["Location"]
    assert Result.objects.count() == 1
    assert attempts() == 1


def test_store_result_raises_already_stored_for_a_known_key(seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    state = State(answers=answers)
    decision = evaluate(doc, answers)
    version = seed_guide.published_version
    first = permalink.store_result(version, state, decision, submission_key="k" * 64)
    with pytest.raises(permalink.AlreadyStored) as raised:
        permalink.store_result(version, state, decision, submission_key="k" * 64)
    assert raised.value.result.pk == first.pk
    # Without a key every call stores a result of its own, as before.
    permalink.store_result(version, state, decision)
    permalink.store_result(version, state, decision)
    assert Result.objects.count() == 3


# ---------------------------------------------------------------------------
# The 429 page


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "less than a minute"),
        (59, "less than a minute"),
        (60, "about 1 minute"),
        (61, "about 2 minutes"),
        (47 * 60, "about 47 minutes"),
        (3600, "about 60 minutes"),
        (2 * 3600, "about 2 hours"),
    ],
)
def test_wait_in_words(seconds, words):
    assert wait_in_words(seconds) == words


def test_the_429_page_states_the_real_wait_and_links_back_to_the_answers(
    seed_guide, settings, monkeypatch
):
    settings.DECISIONGUIDE_RESULTS_PER_HOUR = 1
    # 13 minutes into the hour: 47 minutes until the window ends.
    now = datetime(2026, 5, 4, 10, 13, 0, tzinfo=UTC)
    monkeypatch.setattr(ratelimit, "timezone", SimpleNamespace(now=lambda: now))
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    answers = with_free_text(doc, scenario_answers(doc, 1))
    client = browser()
    submit_check_page(client, check_page(client, doc, answers))
    refused = submit_check_page(client, check_page(client, doc, answers, **{question.slug: "Mine"}))
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(47 * 60)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", refused.content.decode())).split())
    assert "You can save this one in about 47 minutes." in text
    assert "wait a few minutes" not in text
    link = next(a for a in read(refused).anchors if a["text"] == "go back to your answers")
    url = urlsplit(link["href"])
    assert url.path == reverse("questionnaire-check", args=[doc.slug])
    assert dict(parse_qsl(url.query)) == {**answers, f"{question.slug}_text": "Mine"}
    back = client.get(link["href"])
    assert back.status_code == 200 and read(back).form("result-form") is not None
    # Once the window is over, that page stores the result.
    monkeypatch.setattr(
        ratelimit, "timezone", SimpleNamespace(now=lambda: now + timedelta(minutes=47))
    )
    assert submit_check_page(client, back).status_code == 303
    assert Result.objects.count() == 2


@pytest.mark.parametrize("minute", [0, 30, 59])
def test_retry_after_and_the_words_come_from_one_number(seed_guide, settings, monkeypatch, minute):
    settings.DECISIONGUIDE_RESULTS_PER_HOUR = 0
    now = datetime(2026, 5, 4, 10, minute, 30, tzinfo=UTC)
    monkeypatch.setattr(ratelimit, "timezone", SimpleNamespace(now=lambda: now))
    doc = seed_guide.published_document()
    client = browser()
    refused = submit_check_page(client, check_page(client, doc, scenario_answers(doc, 0)))
    words = wait_in_words(int(refused["Retry-After"]))
    assert f"You can save this one in {words}." in unescape(refused.content.decode())
