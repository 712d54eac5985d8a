"""A result never argues against itself: close calls, notes that know their side, the sweep.

The engine rules are tested on small guides built here; the sweep over every
answer set is checked against a brute-force walk through `evaluate`, and the
seed guide is held to it by a hypothesis property and by `checkguide`.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from decisionguide.checking.checks import check_document
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.decision.engine import condition_holds, evaluate
from decisionguide.decision.parsing import parse_document
from decisionguide.publishing.drafts import PublishRefused, publish
from tests.answers import PROPERTY_SETTINGS, random_complete_answers
from tests.builders import build, choice, contradicting_guide, question, when
from tests.guide_files import write_guide

# ---------------------------------------------------------------------------
# Close calls go to the default


def two_way(margin: int, *, default: str = "pm") -> GuideDocument:
    return build(
        [
            question("q1", choice("a", points={"crm": 3}), choice("b", points={"crm": 2})),
            question("q2", choice("a", points={"pm": 2}), choice("b", points={"pm": 1})),
        ],
        default_outcome=default,
        close_call_margin=margin,
    )


def test_a_lead_within_the_margin_goes_to_the_default() -> None:
    doc = two_way(1)
    decision = evaluate(doc, {"q1": "a", "q2": "a"})  # crm 3, pm 2
    assert (decision.outcome, decision.runner_up) == ("pm", "crm")
    assert decision.close_call and decision.margin == -1
    assert decision.clarity == "close"


def test_a_lead_beyond_the_margin_stands() -> None:
    decision = evaluate(two_way(1), {"q1": "a", "q2": "b"})  # crm 3, pm 1
    assert (decision.outcome, decision.margin, decision.close_call) == ("crm", 2, False)


def test_without_a_margin_only_a_tie_goes_to_the_default() -> None:
    doc = two_way(0)
    assert evaluate(doc, {"q1": "a", "q2": "a"}).outcome == "crm"
    tie = evaluate(doc, {"q1": "b", "q2": "a"})  # crm 2, pm 2
    assert (tie.outcome, tie.margin, tie.close_call) == ("pm", 0, True)


def test_a_close_call_needs_the_default_close_too() -> None:
    # crm leads hybrid by one, but the default (pm) is far behind: no close call.
    doc = build(
        [question("q", choice("a", points={"crm": 5, "hybrid": 4}), choice("b"))],
        default_outcome="pm",
        close_call_margin=1,
    )
    decision = evaluate(doc, {"q": "a"})
    assert (decision.outcome, decision.runner_up, decision.close_call) == ("crm", "hybrid", False)


def test_the_close_call_margin_is_bounded() -> None:
    with pytest.raises(DocumentError, match="close_call_margin"):
        two_way(-1)


# ---------------------------------------------------------------------------
# Notes: shown_with, argues_against, argues_for


def noted(**note: Any) -> GuideDocument:
    return build(
        [
            question(
                "q",
                choice("a", points={"crm": 2}),
                choice("b", points={"pm": 2}),
                choice("c", points={"hybrid": 2}),
            )
        ],
        default_outcome="pm",
        notes=[
            {
                "slug": "n",
                "title": "A note",
                "text": "Text.",
                "when": when(all_={"q": ["a", "b"]}),
                **note,
            }
        ],
    )


def test_a_note_shown_with_some_outcomes_appears_only_beside_them() -> None:
    doc = noted(shown_with=["crm"])
    assert evaluate(doc, {"q": "a"}).notes == ("n",)
    assert evaluate(doc, {"q": "b"}).notes == ()


def test_which_side_a_note_argues() -> None:
    against = noted(argues_against=["crm"]).notes[0]
    assert against.argues_against_outcome("crm")
    assert not against.argues_against_outcome("pm")
    for_pm = noted(argues_for=["pm"]).notes[0]
    assert for_pm.argues_against_outcome("crm") and for_pm.argues_against_outcome("hybrid")
    assert not for_pm.argues_against_outcome("pm")
    neutral = noted().notes[0]
    assert not any(neutral.argues_against_outcome(o) for o in ("crm", "pm", "hybrid"))


@pytest.mark.parametrize(
    ("note", "path"),
    [
        ({"argues_against": ["nope"]}, "notes[0].argues_against[0]"),
        ({"argues_for": ["nope"]}, "notes[0].argues_for[0]"),
        ({"shown_with": ["nope"]}, "notes[0].shown_with[0]"),
        ({"argues_against": ["crm"], "argues_for": ["crm"]}, "notes[0].argues_against"),
    ],
)
def test_a_note_names_real_outcomes_and_one_side_each(note: dict, path: str) -> None:
    with pytest.raises(DocumentError) as raised:
        noted(**note)
    assert raised.value.path == path


# ---------------------------------------------------------------------------
# The sweep over every answer set


def brute_force(doc: GuideDocument) -> tuple[int, int]:
    """(complete answer sets, those showing a note against their outcome), one by one."""
    total = contradicting = 0

    def walk(index: int, answers: dict[str, str]) -> None:
        nonlocal total, contradicting
        while index < len(doc.questions) and not condition_holds(
            doc.questions[index].show_if, answers
        ):
            index += 1
        if index == len(doc.questions):
            total += 1
            decision = evaluate(doc, answers)
            notes = [n for n in doc.notes if n.slug in decision.notes]
            contradicting += any(n.argues_against_outcome(decision.outcome) for n in notes)
            return
        q = doc.questions[index]
        for c in q.choices:
            if c.route is None:
                walk(index + 1, {**answers, q.slug: c.slug})

    walk(0, {})
    return total, contradicting


def against_count(report) -> int:
    return next(k.count for k in report.coherence.by_kind if k.kind == "against")


def test_the_sweep_counts_exactly_what_a_brute_force_walk_finds() -> None:
    doc = contradicting_guide()
    total, contradicting = brute_force(doc)
    report = check_document(doc)
    assert report.coherence.checked == total == 12
    assert against_count(report) == contradicting > 0
    assert report.reachability.answer_sets == total
    assert not report.passes
    pairs = set()
    for example in report.coherence.examples:
        if example.kind != "against":
            continue
        note_ref, outcome = example.refs
        decision = evaluate(doc, example.answers)
        assert decision.outcome == example.outcome == outcome
        assert note_ref == f"notes[{note_ref[6:-1]}]" and note_ref[6:-1] in decision.notes
        pairs.add((note_ref[6:-1], outcome))
    assert ("hybrid-alone", "hybrid") in pairs


def test_a_gate_makes_the_same_guide_coherent() -> None:
    data = contradicting_guide().to_data()
    hybrid_needs = when(all_={"team": ["va"], "leads": ["some", "many"]})
    data["gates"] = [{"outcome": "hybrid", "unless": hybrid_needs, "reason": "R."}]
    data["gates"].append(
        {"outcome": "crm", "unless": when(any_={"leads": ["some", "many"]}), "reason": "R."}
    )
    report = check_document(parse_document(data))
    assert against_count(report) == 0
    assert brute_force(parse_document(data))[1] == 0


def test_the_seed_guide_is_coherent_over_every_answer_set(seed_document: GuideDocument) -> None:
    report = check_document(seed_document)
    assert report.coherence.method == "exhaustive"
    # Every answer set a visitor could give, routes included.
    assert report.reachability.answer_sets == report.coherence.checked + len(
        [c for c in seed_document.questions[0].choices if c.route]
    )
    assert report.coherence.checked > 100_000
    assert report.coherence.contradicting == 0
    assert report.passes


@PROPERTY_SETTINGS
@given(data=st.data())
def test_no_seed_result_carries_a_note_against_its_own_outcome(
    seed_document: GuideDocument, data: st.DataObject
) -> None:
    answers = data.draw(random_complete_answers(seed_document))
    decision = evaluate(seed_document, answers)
    for slug in decision.notes:
        note = next(n for n in seed_document.notes if n.slug == slug)
        assert decision.outcome is None or not note.argues_against_outcome(decision.outcome)


# ---------------------------------------------------------------------------
# checkguide, publishing and the admin


def test_checkguide_fails_on_a_contradiction(tmp_path) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "checkguide", "--file", write_guide(tmp_path, contradicting_guide()), stdout=out
        )
    assert raised.value.returncode == 1
    text = out.getvalue()
    assert (
        "CONTRADICTION (against): note “A hybrid is a lot to carry alone” (hybrid-alone) "
        "argues against HYBRID, the recommendation, e.g. team=solo"
    ) in text
    assert "12 answer sets checked" in text
    assert "    against: 2 answer sets (a sentence argues against the recommendation)" in text


def test_checkguide_warns_about_linked_pages_without_a_url(tmp_path) -> None:
    out = io.StringIO()
    call_command("checkguide", "--file", write_guide(tmp_path, noted()), stdout=out)
    assert "WARNING: linked page agency-page has no URL" in out.getvalue()


def make_seed_note_argue_against(guide, outcome_slug: str) -> str:
    """Mark a seed note that some answers show beside `outcome_slug` as arguing against it."""
    from decisionguide.content.models import Note, Outcome
    from decisionguide.publishing.drafts import record_edit

    note = Note.objects.get(guide=guide, slug="document-before-buying")
    note.argues_against.add(Outcome.objects.get(guide=guide, slug=outcome_slug))
    record_edit(guide, note="test: a note that now argues against PM-first")
    return note.slug


@pytest.mark.django_db
def test_publishing_is_refused_while_answers_contradict_themselves(seed_guide) -> None:
    published_before = seed_guide.published_version_id
    make_seed_note_argue_against(seed_guide, "pm-first")
    seed_guide.refresh_from_db()
    with pytest.raises(PublishRefused) as refused:
        publish(seed_guide)
    assert "argues against" in str(refused.value)
    seed_guide.refresh_from_db()
    assert seed_guide.published_version_id == published_before


@pytest.mark.django_db
def test_the_admin_checks_show_the_contradiction(seed_guide, editor_client) -> None:
    make_seed_note_argue_against(seed_guide, "pm-first")
    url = reverse("admin:guides_guide_checks", args=[seed_guide.pk])
    html = editor_client.get(url).content.decode()
    assert "show a result that contradicts itself" in html
    assert "A sentence argues against the recommendation</th>" in html
    assert (
        "note “Write the process down before buying tools” (document-before-buying) argues "
        "against PM-first, the recommendation <code>notes[document-before-buying]</code>"
    ) in html.replace("&quot;", '"')
    assert "Publishing is refused" in html
    change = editor_client.get(reverse("admin:guides_guide_change", args=[seed_guide.pk]))
    assert 'aria-describedby="publish-blocked"' in change.content.decode()


@pytest.mark.django_db
def test_an_editor_marks_a_note_and_a_contradicting_save_is_shown(seed_guide, editor_client):
    from decisionguide.content.models import Note, Outcome
    from tests.admin_forms import admin_form, change_url, errors_of, post

    note = Note.objects.get(guide=seed_guide, slug="unsure-keep-a-tally")
    form = admin_form(editor_client, note)
    # The guide's outcomes are offered as tick boxes, none ticked for a neutral note.
    outcomes = {str(o.pk): o.slug for o in Outcome.objects.filter(guide=seed_guide)}
    assert "argues_for" not in form.names()
    form["argues_for"] = [pk for pk, slug in outcomes.items() if slug == "hybrid"]
    response = post(editor_client, change_url(note), form)
    assert response.status_code == 302, errors_of(response)
    seed_guide.refresh_from_db()
    draft = seed_guide.draft_document()
    assert next(n for n in draft.notes if n.slug == note.slug).argues_for == ("hybrid",)
    # Unsure visitors mostly get PM-first: the checks now see the contradiction.
    report = check_document(draft)
    assert not report.passes
    assert ("notes[unsure-keep-a-tally]", "pm-first") in {
        c.refs for c in report.coherence.examples if c.kind == "against"
    }
