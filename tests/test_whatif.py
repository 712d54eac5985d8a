"""What-if views of a stored result: one answer changed, on the result's frozen version.

Expected decisions come from the engine on the loaded documents, so the tests
follow the content as it changes. Helpers: tests/stored_results.py.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.analytics import counting as analytics
from decisionguide.analytics.models import AnswerCounter
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import clean_answers, evaluate, next_question
from decisionguide.results.models import Result
from tests.answers import HTMX, free_text_question
from tests.stored_results import create, read, republish, scenario_answers, with_free_text

pytestmark = pytest.mark.django_db

WHATIF = AnswerCounter.Kind.WHATIF
RESULT = AnswerCounter.Kind.RESULT


def whatif(path: str, *pairs: tuple[str, str]) -> str:
    return f"{path}what-if/?{urlencode(pairs)}"


INLINE_TAGS = re.compile(r"</?(?:a|strong|span|q|em|code)\b[^>]*>")


def words(html: str) -> str:
    """The words of some HTML: inline tags dropped, others a space, spaces squeezed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", INLINE_TAGS.sub("", html))).split())


def text_of(response) -> str:
    return words(response.content.decode())


def section(response, heading_id: str) -> str:
    """The words of the <section> headed by `heading_id`."""
    html = response.content.decode()
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert match, heading_id
    return words(match.group(0))


def first_flip(client: Client, doc: GuideDocument):
    """A stored scenario and a change that moves its recommendation:
    (permalink, answers, question, choice, changed answers)."""
    for index in range(len(doc.scenarios)):
        answers = scenario_answers(doc, index)
        outcome = evaluate(doc, answers).outcome
        for question, choice, changed in changes(doc, answers):
            if evaluate(doc, changed).outcome != outcome:
                return create(client, doc, answers), answers, question, choice, changed
    raise AssertionError("no single answer moves any scenario's recommendation")


def whatif_hrefs(response) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]*/what-if/[^"]*)"', response.text)]


def changes(doc: GuideDocument, answers: dict[str, str]):
    """Every single-answer change of a complete answer set that asks nothing new:
    (question, choice, the changed answers, cleaned)."""
    for slug, chosen in answers.items():
        question = doc.question(slug)
        for choice in question.choices:
            if choice.slug == chosen or choice.route is not None:
                continue
            changed = clean_answers(doc, {**answers, slug: choice.slug})
            if next_question(doc, changed) is None:
                yield question, choice, changed


def quoted(titles: list[str]) -> str:
    return ", ".join(f"“{title}”" for title in titles)


def counted(kind: str) -> int:
    analytics.buffer.flush()
    return sum(c.count for c in AnswerCounter.objects.filter(kind=kind))


# ---------------------------------------------------------------------------
# Links on the permalink


def test_every_answer_on_the_permalink_links_each_alternative(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 2)
    path = create(client, doc, answers)
    response = client.get(path)
    hrefs = whatif_hrefs(response)
    expected = {
        whatif(path, (slug, choice.slug))
        for slug, chosen in answers.items()
        for choice in doc.question(slug).choices
        if choice.slug != chosen
    }
    assert set(hrefs) == expected
    # Each link also swaps the result body with HTMX, from the same address.
    html = response.content.decode()
    for href in hrefs[:3]:
        tag = re.search(rf'<a href="{re.escape(href.replace("&", "&amp;"))}"[^>]*>', html).group()
        assert 'data-hx-target="#result-body"' in tag and "data-hx-push-url" in tag
    assert 'id="result-body"' in html


def test_a_whatif_runs_the_engine_with_that_one_answer_changed(client, seed_guide):
    doc = seed_guide.published_document()
    # A change that moves the recommendation, as the engine works it out.
    path, answers, question, choice, changed = first_flip(client, doc)
    before = evaluate(doc, answers)
    response = client.get(whatif(path, (question.slug, choice.slug)))
    assert response.status_code == 200
    after = evaluate(doc, changed)
    old, new = doc.outcome(before.outcome), doc.outcome(after.outcome)
    page = text_of(response)
    assert f"What if you answered “{choice.label}”" in read(response).h1
    assert f"It changes from {old.name} to {new.name}." in section(response, "moved-heading")
    assert new.tagline in page
    for reason in after.reasons:
        assert reason.text in page
    # Nothing is stored.
    assert Result.objects.count() == 1


def test_what_moved_names_the_notes_and_ruled_out_options_that_changed(client, seed_guide):
    doc = seed_guide.published_document()
    titles = {note.slug: note.title for note in doc.notes}
    names = {outcome.slug: outcome.name for outcome in doc.outcomes}
    seen_notes = seen_ruled_out = False
    for index in range(len(doc.scenarios)):
        answers = scenario_answers(doc, index)
        before = evaluate(doc, answers)
        path = create(client, doc, answers)
        for question, choice, changed in changes(doc, answers):
            after = evaluate(doc, changed)
            shown = [titles[s] for s in after.notes if s not in before.notes]
            hidden = [titles[s] for s in before.notes if s not in after.notes]
            added = [names[s] for s in after.excluded if s not in before.excluded]
            removed = [names[s] for s in before.excluded if s not in after.excluded]
            if not (shown or hidden) and not (added or removed):
                continue
            moved = section(client.get(whatif(path, (question.slug, choice.slug))), "moved-heading")
            if shown:
                assert f"Now shown: {quoted(shown)}." in moved
            if hidden:
                assert f"No longer shown: {quoted(hidden)}." in moved
            if added:
                assert f"Now ruled out: {', '.join(added)}." in moved
            if removed:
                assert f"No longer ruled out: {', '.join(removed)}." in moved
            seen_notes |= bool(shown or hidden)
            seen_ruled_out |= bool(added or removed)
    assert seen_notes and seen_ruled_out


def test_the_margin_line_compares_the_standing_before_and_after(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    before = evaluate(doc, answers)
    path = create(client, doc, answers)
    question, choice, _ = next(
        (q, c, a)
        for q, c, a in changes(doc, answers)
        if (d := evaluate(doc, a)).outcome == before.outcome and d.margin != before.margin
    )
    moved = section(client.get(whatif(path, (question.slug, choice.slug))), "moved-heading")
    outcome = doc.outcome(before.outcome)
    assert f"It stays {outcome.name}." in moved
    assert "Before: " in moved and " Now: " in moved


# ---------------------------------------------------------------------------
# The frozen version, and today's guide


def test_a_whatif_uses_the_frozen_version_and_says_when_today_differs(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    path = create(client, doc, answers)
    question, choice, changed = next(changes(doc, answers))
    frozen = evaluate(doc, changed)
    # Today's guide: that choice now pushes hard for an outcome the frozen one didn't give.
    other = next(
        o.slug for o in doc.outcomes if o.slug != frozen.outcome and o.slug not in frozen.excluded
    )

    def push(data):
        for q in data["questions"]:
            if q["slug"] == question.slug:
                for c in q["choices"]:
                    if c["slug"] == choice.slug:
                        c["points"] = {other: 100}

    today = republish(seed_guide, push)
    assert evaluate(today, clean_answers(today, changed)).outcome == other
    response = client.get(whatif(path, (question.slug, choice.slug)))
    assert response.status_code == 200
    panel = re.search(r'<p class="result-outcome">(.*?)</p>', response.text, re.S).group(1)
    assert doc.outcome(frozen.outcome).name in unescape(panel)
    page = text_of(response)
    assert "Today's guide answers differently." in page
    assert f"would recommend {today.outcome(other).name} for these answers" in page
    # Keeping the answers goes to today's guide, which says it has changed.
    keep = section(response, "keep-heading")
    assert "The guide has changed since your result was saved" in keep


def test_a_whatif_says_so_when_today_agrees(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    path = create(client, doc, answers)
    question, choice, changed = next(changes(doc, answers))
    republish(seed_guide, lambda data: data.update(title=f"{data['title']} (revised)"))
    page = text_of(client.get(whatif(path, (question.slug, choice.slug))))
    name = doc.outcome(evaluate(doc, changed).outcome).name
    assert f"gives the same for these answers: {name}" in page
    assert "answers differently" not in page


# ---------------------------------------------------------------------------
# Follow-up questions and dropped answers


def test_an_answer_that_brings_a_question_asks_it_before_any_result(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    assert answers["current_tools"] != "both"
    path = create(client, doc, answers)
    response = client.get(whatif(path, ("current_tools", "both")))
    assert response.status_code == 200
    follow_up = doc.question("authority_after_signature")
    asked = section(response, "follow-up-heading")
    assert follow_up.prompt in asked
    # No result worked out without the follow-up's answer.
    assert 'id="moved-heading"' not in response.text
    assert 'class="result-outcome"' not in response.text
    for choice in follow_up.choices:
        full = clean_answers(doc, {**answers, "current_tools": "both", follow_up.slug: choice.slug})
        outcome = doc.outcome(evaluate(doc, full).outcome)
        url = whatif(path, ("current_tools", "both"), (follow_up.slug, choice.slug))
        assert url in whatif_hrefs(response)
        assert f"{choice.label}: the recommendation would be {outcome.name}" in asked
        # Following it gives that result, with both answers named.
        answered = client.get(url)
        assert answered.status_code == 200
        moved = section(answered, "moved-heading")
        assert outcome.name in moved
        assert f"{follow_up.short}: {choice.label}" in text_of(answered)


def test_an_answer_that_hides_a_question_drops_its_answer(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 2)
    assert answers["current_tools"] == "both" and "authority_after_signature" in answers
    path = create(client, doc, answers)
    response = client.get(whatif(path, ("current_tools", "pm-only")))
    assert response.status_code == 200
    hidden = doc.question("authority_after_signature")
    dropped = hidden.choice(answers[hidden.slug])
    page = text_of(response)
    assert f"doesn't ask “{hidden.short}”, so that answer is left out: “{dropped.label}”" in page
    changed = clean_answers(doc, {**answers, "current_tools": "pm-only"})
    assert hidden.slug not in changed
    outcome = doc.outcome(evaluate(doc, changed).outcome)
    assert re.search(rf'class="result-outcome">.*?{re.escape(outcome.name)}', response.text, re.S)


def test_a_routing_answer_says_where_the_guide_would_send_the_visitor(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    path = create(client, doc, answers)
    question = doc.questions[0]
    choice = next(c for c in question.choices if c.route is not None)
    response = client.get(whatif(path, (question.slug, choice.slug)))
    assert response.status_code == 200
    page = doc.linked_page(choice.route)
    assert f"send you to {page.title} instead" in text_of(response)


# ---------------------------------------------------------------------------
# Keeping the answers


def test_the_new_answers_can_be_kept_as_a_result_of_their_own(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    path = create(client, doc, answers)
    question, choice, changed = next(changes(doc, answers))
    response = client.get(whatif(path, (question.slug, choice.slug)))
    keep = read(response).anchor("Check and save these answers")["href"]
    url = urlsplit(keep)
    assert url.path == reverse("questionnaire-check", args=[doc.slug])
    assert dict(parse_qsl(url.query)) == changed
    check = client.get(keep)
    assert check.status_code == 200
    assert "The guide has changed" not in section(response, "keep-heading")
    # The permalink page is cookie-free: no form, no CSRF token on the what-if.
    assert "csrfmiddlewaretoken" not in response.text
    assert not response.cookies


# ---------------------------------------------------------------------------
# Caching, HTMX, counting


def test_whatif_is_cacheable_like_the_permalink(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    path = create(client, doc, answers)
    question, choice, _ = next(changes(doc, answers))
    url = whatif(path, (question.slug, choice.slug))
    fresh = Client()  # no session, no cookie
    response = fresh.get(url)
    assert response["Cache-Control"] == "private, max-age=300"
    assert "HX-Request" in response["Vary"] and "Cookie" not in response["Vary"]
    assert response["X-Robots-Tag"] == "noindex"
    assert not response.cookies
    again = fresh.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    panel = fresh.get(url, **HTMX)
    assert panel.status_code == 200
    assert panel["ETag"] != response["ETag"]
    assert "<html" not in panel.text
    assert panel.text.lstrip().startswith('<div id="result-body"')
    assert "<title>" in panel.text and " autofocus" in panel.text
    assert fresh.get(url, HTTP_IF_NONE_MATCH=response["ETag"], **HTMX).status_code == 200


def test_whatifs_are_counted_apart_from_results(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    path = create(client, doc, answers)
    results = counted(RESULT)
    question, choice, _ = next(changes(doc, answers))
    url = whatif(path, (question.slug, choice.slug))
    for _ in range(2):  # the second one comes from the page cache, and counts too
        assert client.get(url).status_code == 200
    client.head(url)  # nobody visited
    client.get(whatif(path, ("no_such_question", "x")))  # refused: not a what-if shown
    assert counted(RESULT) == results
    counter = AnswerCounter.objects.get(kind=WHATIF)
    assert (counter.question, counter.choice, counter.count) == (question.slug, choice.slug, 2)
    assert counter.version == Result.objects.get().guide_version.version


def test_the_analytics_page_shows_the_whatif_count(client, editor_client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    path = create(client, doc, answers)
    question, choice, _ = next(changes(doc, answers))
    client.get(whatif(path, (question.slug, choice.slug)))
    analytics.buffer.flush()
    page = text_of(editor_client.get(reverse("admin:guides_guide_analytics", args=[seed_guide.pk])))
    assert re.search(r"What-if views of saved results \([^)]*\) 1\b", page)


# ---------------------------------------------------------------------------
# What-if queries that don't fit


def refusals(doc: GuideDocument, answers: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    question, choice, _ = next(changes(doc, answers))
    other_question, other_choice, _ = next(
        (q, c, a) for q, c, a in changes(doc, answers) if q.slug != question.slug
    )
    return {
        "unknown question": [("no_such_question", "x")],
        "unknown choice": [(question.slug, "no-such-choice")],
        "answer repeated": [(question.slug, choice.slug), (question.slug, choice.slug)],
        "unchanged answer": [(question.slug, answers[question.slug])],
        "two changes": [(question.slug, choice.slug), (other_question.slug, other_choice.slug)],
        "follow-up without its question": [("authority_after_signature", "clear")],
        "junk": [("\x00", "<script>"), (question.slug, "\x00")],
    }


def test_a_whatif_that_does_not_fit_is_a_clear_400(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    path = create(client, doc, answers)
    for name, pairs in refusals(doc, answers).items():
        response = client.get(whatif(path, *pairs))
        assert response.status_code == 400, name
        assert "This what-if can't be shown" in read(response).h1, name
        assert "<script>" not in response.text, name
        assert any(a["href"] == path for a in read(response).anchors), name
    assert not AnswerCounter.objects.filter(kind=WHATIF).exists()


def test_a_shared_whatif_link_with_tracking_parameters_still_works(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    path = create(client, doc, answers)
    question, choice, _ = next(changes(doc, answers))
    plain = client.get(whatif(path, (question.slug, choice.slug)))
    tracked = client.get(whatif(path, ("utm_source", "newsletter"), (question.slug, choice.slug)))
    assert plain.status_code == tracked.status_code == 200
    assert read(tracked).h1 == read(plain).h1


def test_unknown_results_and_empty_whatifs(client, seed_guide):
    doc = seed_guide.published_document()
    path = create(client, doc, scenario_answers(doc, 0))
    missing = reverse("result-whatif", args=["a" * 13])
    assert client.get(f"{missing}?team=solo").status_code == 404
    empty = client.get(f"{path}what-if/")
    assert empty.status_code == 302 and empty["Location"] == path
    assert client.post(whatif(path, ("team", "solo"))).status_code == 405


def test_a_whatif_of_an_unpublished_guide_still_works_but_offers_no_keeping(client, seed_guide):
    doc = seed_guide.published_document()
    answers = scenario_answers(doc, 0)
    path = create(client, doc, answers)
    question, choice, _ = next(changes(doc, answers))
    seed_guide.is_published = False
    seed_guide.save(update_fields=["is_published"])
    response = client.get(whatif(path, (question.slug, choice.slug)))
    assert response.status_code == 200
    assert "no longer published" in section(response, "keep-heading")
    assert reverse("questionnaire-check", args=[doc.slug]) not in response.text


def test_typed_words_on_a_whatif_page_are_escaped(client, seed_guide):
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    answers = with_free_text(doc, scenario_answers(doc, 0))
    typed = '"><script>bad()</script>'
    path = create(client, doc, answers, **{question.slug: typed})
    other, choice, _ = next((q, c, a) for q, c, a in changes(doc, answers) if q != question)
    response = client.get(whatif(path, (other.slug, choice.slug)))
    assert "<script>bad()" not in response.text
    assert "&lt;script&gt;bad()&lt;/script&gt;" in response.text
