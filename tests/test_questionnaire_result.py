"""The questionnaire's result page, for the seed guide and the small test guide.

Expected text is read from the loaded documents and expected decisions from the engine.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from decisionguide.decision.engine import evaluate
from decisionguide.guides.markdown import linked_page_url, render_markdown
from tests.answers import complete
from tests.questionnaire_pages import conditional_setup, page_url, read, see_result, text_of, walk

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Result


def test_result_explains_the_recommendation(client, seed_guide):
    doc = seed_guide.published_document()
    answers = complete(doc, doc.scenarios[0].answers)
    decision = evaluate(doc, answers)
    outcome = doc.outcome(decision.outcome)
    response = client.get(page_url("questionnaire-result", doc, answers))
    assert response.status_code == 200
    page = read(response)
    html = response.content.decode()
    body = text_of(response)
    assert outcome.name in page.h1 and page.h1_count == 1
    assert outcome.tagline in body
    for reason in decision.reasons:
        assert f'{reason.text} <span class="reason-points">+{reason.points}</span>' in body
    for reason in decision.counter_reasons:
        assert f'{reason.text} <span class="reason-points">+{reason.points}</span>' in body
    for flip in decision.flips:
        said = [
            f"“{doc.question(q).choice(c).label}” to “{doc.question(q).prompt}”"
            for q, c in flip.changes()
        ]
        sentence = f"If you answered {said[0]}"
        if flip.outcome is not None:
            # With the follow-up answers it brings, or the second answer of a two-answer change.
            listed = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
            name = doc.outcome(flip.outcome).name
            assert f"If you answered {listed}, the recommendation would be {name}." in body
        else:  # a triage answer that leaves the guide is not a different recommendation
            assert sentence not in body
    for slug, reason in decision.excluded.items():
        assert escape(doc.outcome(slug).name) in html and render_markdown(reason, doc) in html
    for part in (outcome.strengths, outcome.tradeoffs):
        assert render_markdown(part, doc) in html
    # The failure mode to watch is highlighted.
    callout = html.index('class="callout callout-warning"')
    assert html.index(render_markdown(outcome.failure_mode, doc), callout) > callout
    # The recommended column is named in words, not by colour alone.
    headers = [" ".join(h.split()) for h in page.column_headers]
    assert sum(h.endswith(f"{outcome.name} (recommended)") for h in headers) == 1
    assert sum("(recommended)" in h for h in headers) == 1
    for check in doc.failure_checks:
        # Only the lines that concern this recommendation (the hybrid's only on Hybrid).
        shown = render_markdown(check.text, doc) in html
        assert shown == check.shows_with(outcome.slug), check.text
    for slug in outcome.next_pages:
        assert page.links_to(linked_page_url(doc, slug))
    assert page.links_to(page_url("questionnaire-check", doc, answers))
    assert page.links_to(reverse("questionnaire-start", args=[doc.slug]))
    scenario = next(s for s in doc.scenarios if s.slug == decision.scenario)
    assert f"The closest example: {scenario.title}" in body
    for note in doc.notes:
        shown = render_markdown(note.text, doc) in html
        assert shown == (note.slug in decision.notes), note.slug


def test_result_says_how_clear_cut_it_is(client, seed_guide):
    from decisionguide.results.presenter import CLARITY_WORDS

    doc = seed_guide.published_document()
    seen = set()
    for scenario in doc.scenarios:
        answers = complete(doc, scenario.answers)
        decision = evaluate(doc, answers)
        body = text_of(client.get(page_url("questionnaire-result", doc, answers)))
        name = doc.outcome(decision.outcome).name
        assert CLARITY_WORDS[decision.clarity].format(name=name) in body
        seen.add(decision.clarity)
    assert seen


def test_result_ignores_answers_to_hidden_questions(client, seed_guide):
    doc = seed_guide.published_document()
    conditional, _, showing, hiding = conditional_setup(doc)
    tampered = {**hiding, conditional.slug: showing[conditional.slug]}
    response = client.get(page_url("questionnaire-result", doc, tampered))
    assert response.status_code == 200
    assert read(response).links_to(page_url("questionnaire-check", doc, hiding))


def test_result_context_needs_no_database(seed_document, django_assert_num_queries):
    from decisionguide.decision.verdict import Decision
    from decisionguide.results.presenter import build_result_context

    doc = seed_document
    answers = complete(doc, doc.scenarios[0].answers)
    # A stored decision (JSON) renders the same as a fresh one.
    decision = Decision.from_json(evaluate(doc, answers).to_json())
    with django_assert_num_queries(0):
        context = build_result_context(doc, decision, {}, page_url=lambda slug: f"/p/{slug}")
    assert context["outcome"] == doc.outcome(decision.outcome)
    assert [row.criterion for row in context["matrix_rows"]] == list(doc.criteria)
    # Only the recommendation's column is marked.
    marked = {
        cell.outcome.slug
        for row in context["matrix_rows"]
        for cell in row.cells
        if cell.recommended
    }
    assert marked == {decision.outcome}
    assert [item["url"] for item in context["next_pages"]] == [
        f"/p/{slug}" for slug in context["outcome"].next_pages
    ]


# ---------------------------------------------------------------------------
# The small test guide: the same flow works for any guide


def test_small_guide_walks_to_a_result(client, small_guide):
    doc = small_guide.published_document()
    check, asked = walk(client, doc, {}, "", htmx=False)
    answers = complete(doc, {})
    assert asked == list(answers)
    result = see_result(client, read(check).form("result-form"))
    outcome = doc.outcome(evaluate(doc, answers).outcome)
    assert outcome.name in read(result).h1
