"""The question counter: "of up to N" while a later question may appear, exact once settled.

Each expectation is checked against brute force: every way the remaining
questions could still be answered (staying in the guide) and the number of
questions each way shows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from decisionguide.decision.document import GuideDocument, Question
from decisionguide.decision.engine import clean_answers, next_question, shown_questions
from decisionguide.questionnaire.counter import Count, count_questions
from tests.answers import complete
from tests.builders import build, choice, question, tiny_document, when
from tests.questionnaire_pages import PageReader as read_html
from tests.questionnaire_pages import conditional_setup, question_url


def staying(q: Question) -> list[str]:
    return [c.slug for c in q.choices if c.route is None]


def totals_from_here(doc: GuideDocument, here: Question, earlier: dict[str, str]) -> set[int]:
    """How many questions each way of answering `here` and everything after it shows."""

    def finish(answers: dict[str, str]) -> Iterator[int]:
        upcoming = next_question(doc, answers)
        if upcoming is None:
            yield len(shown_questions(doc, answers))
            return
        for slug in staying(upcoming):
            yield from finish(clean_answers(doc, {**answers, upcoming.slug: slug}))

    return {
        total
        for slug in staying(here)
        for total in finish(clean_answers(doc, {**earlier, here.slug: slug}))
    }


def reachable_states(doc: GuideDocument) -> Iterator[tuple[Question, dict[str, str]]]:
    """Every question a visitor can reach, with each set of answers before it."""

    def visit(answers: dict[str, str]) -> Iterator[tuple[Question, dict[str, str]]]:
        here = next_question(doc, answers)
        if here is None:
            return
        yield here, answers
        for slug in staying(here):
            yield from visit(clean_answers(doc, {**answers, here.slug: slug}))

    yield from visit({})


def assert_honest(doc: GuideDocument, here: Question, earlier: dict[str, str]) -> Count:
    count = count_questions(doc, here, earlier)
    totals = totals_from_here(doc, here, earlier)
    assert count.total == max(totals), (here.slug, earlier)
    assert count.exact == (len(totals) == 1), (here.slug, earlier)
    position = [q.slug for q in shown_questions(doc, earlier)].index(here.slug) + 1
    assert count.position == position
    return count


# ---------------------------------------------------------------------------
# The counter itself, on small guides


def test_every_reachable_question_of_the_tiny_guide_counts_honestly() -> None:
    doc = tiny_document()
    states = list(reachable_states(doc))
    assert len(states) > 10
    captions = {assert_honest(doc, here, earlier).caption for here, earlier in states}
    # Both kinds occur: an upper bound while a follow-up may come, an exact count after.
    assert any("up to" in caption for caption in captions)
    assert any("up to" not in caption for caption in captions)


def test_an_answer_before_the_question_settles_a_follow_up() -> None:
    # size, billing (if size=big), team, handoff (if size=unsure or team=team), tools
    doc = tiny_document()
    team = doc.question("team")
    # "unsure" makes handoff certain; "small" leaves it to the team answer still to come.
    assert count_questions(doc, team, {"size": "unsure"}) == Count(2, 4, exact=True)
    assert count_questions(doc, team, {"size": "small"}) == Count(2, 4, exact=False)
    assert count_questions(doc, team, {"size": "small"}).caption == "Question 2 of up to 4"
    # Later answers, even one that would settle it, don't count: they may still change.
    later = {"size": "small", "team": "solo", "tools": "one"}
    assert count_questions(doc, team, later) == Count(2, 4, exact=False)
    assert count_questions(doc, doc.question("tools"), later).caption == "Question 3 of 3"


def test_conditions_that_can_never_hold_or_always_hold_give_an_exact_count() -> None:
    doc = build(
        [
            question("a", choice("x"), choice("y")),
            # Asked only for x and y at once: never.
            question(
                "never",
                choice("p"),
                choice("q"),
                show_if={"all": [{"question": "a", "in": ["x"]}, {"question": "a", "in": ["y"]}]},
            ),
            # Asked for x or y: always, once a is answered.
            question("always", choice("p"), choice("q"), show_if=when(any_={"a": ["x", "y"]})),
            question("last", choice("p"), choice("q")),
        ]
    )
    first = doc.question("a")
    assert count_questions(doc, first, {}) == Count(1, 3, exact=True)
    assert_honest(doc, first, {})


# ---------------------------------------------------------------------------
# The seed guide, in its pages


def caption_of(client, doc: GuideDocument, here: Question, answers: dict[str, str]) -> str:
    html = client.get(question_url(doc, here, answers)).content.decode()
    assert read_html(html).legend_h1.strip() == here.prompt
    start = html.index('<span class="question-progress">') + len('<span class="question-progress">')
    return html[start : html.index("</span>", start)]


@pytest.mark.django_db
def test_seed_guide_counts_up_to_the_follow_up_then_exactly(client, seed_guide) -> None:
    doc = seed_guide.published_document()
    follow_up, tools, showing, hiding = conditional_setup(doc)
    most = len(shown_questions(doc, showing))
    before = {k: v for k, v in showing.items() if k not in (tools.slug, follow_up.slug)}
    position = [q.slug for q in shown_questions(doc, showing)].index(tools.slug) + 1

    # Before the tools answer: the follow-up may come ("12 of up to 13").
    assert caption_of(client, doc, tools, before) == f"Question {position} of up to {most}"
    # Coming back to it with either answer kept says the same: it may still change.
    for kept in (showing, hiding):
        assert caption_of(client, doc, tools, kept) == f"Question {position} of up to {most}"
    # After an answer that brings the follow-up: exact ("13 of 13").
    assert caption_of(client, doc, follow_up, showing) == f"Question {most} of {most}"
    # The first question says "up to" too, and is honest about it.
    first = next_question(doc, {})
    assert caption_of(client, doc, first, {}) == f"Question 1 of up to {most}"


@pytest.mark.django_db
def test_seed_guide_counts_honestly_near_the_end(seed_guide) -> None:
    """Brute force over the last questions of a long walk (the whole space is too big here)."""
    doc = seed_guide.published_document()
    _, _, showing, _ = conditional_setup(doc)
    answers = complete(doc, showing)
    shown = shown_questions(doc, answers)
    for here in shown[-4:]:
        place = [q.slug for q in shown].index(here.slug)
        earlier = {q.slug: answers[q.slug] for q in shown[:place]}
        assert_honest(doc, here, earlier)
