"""Every kind of contradiction a result page can show, each found by the checks.

Each small guide below has exactly one way of contradicting itself; the checks
must find it, count it like a brute-force walk through `evaluate` does (every
real answer set, one by one, every sentence of its page held to what it claims),
and pass once it is fixed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from decisionguide.checking import answer_space, walk_memo
from decisionguide.checking.checks import check_document, report_lines
from decisionguide.checking.coherence import KINDS
from decisionguide.checking.flip_checks import FlipChecks
from decisionguide.checking.page_claims import PageChecks, claims_something
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import check_answers, clean_answers, condition_holds, evaluate
from decisionguide.decision.scoring import Standing
from decisionguide.decision.verdict import Flip
from tests.answers import PROPERTY_SETTINGS, random_complete_answers
from tests.builders import build, choice, question, when

# ---------------------------------------------------------------------------
# A second, plain way of finding contradictions: evaluate every real answer set


def every_answer_set(doc: GuideDocument):
    def walk(index: int, answers: dict[str, str]):
        while index < len(doc.questions) and not condition_holds(
            doc.questions[index].show_if, answers
        ):
            index += 1
        if index == len(doc.questions):
            yield dict(answers)
            return
        q = doc.questions[index]
        for c in q.choices:
            if c.route is None:
                yield from walk(index + 1, {**answers, q.slug: c.slug})

    yield from walk(0, {})


def sides(doc: GuideDocument, part: Any, ruled_out: str | None = None):
    outcomes = {o.slug for o in doc.outcomes}
    for_ = set(part.argues_for)
    against = set(part.argues_against) | ((outcomes - for_) if for_ else set())
    if ruled_out is not None:
        for_.discard(ruled_out)
        against.add(ruled_out)
    return for_, against


def brute_force(doc: GuideDocument) -> Counter[str]:
    """Answer sets with each kind of contradiction, and "any" with at least one."""
    counts: Counter[str] = Counter()
    for answers in every_answer_set(doc):
        decision = evaluate(doc, answers)
        outcome = decision.outcome
        shown = []  # (role, part, for, against)
        for slug in decision.notes:
            note = next(n for n in doc.notes if n.slug == slug)
            shown.append(("note", note, *sides(doc, note)))
        for ruled_out in decision.excluded:
            gate = next(
                g
                for g in doc.gates
                if g.outcome == ruled_out and not condition_holds(g.unless, answers)
            )
            shown.append(("ruled-out reason", gate, *sides(doc, gate, ruled_out)))
        for check in doc.failure_checks:
            if check.shows_with(outcome):
                shown.append(("failure check", check, *sides(doc, check)))
        kinds = set()
        for i, (role, part, for_, against) in enumerate(shown):
            if outcome in against:
                kinds.add("against")
            if part.asserts is not None and not condition_holds(part.asserts, answers):
                kinds.add("asserts")
            reasons = {(r.question, r.choice) for r in decision.reasons}
            for clause in part.counted:
                if not any((clause.question, c) in reasons for c in clause.in_):
                    kinds.add("counted")
            for other_role, _, other_for, other_against in shown[i + 1 :]:
                if for_ & other_against or other_for & against:
                    kinds.add(f"{role} vs {other_role}")
        listed = [f for f in decision.flips if f.route is None]  # what the page lists
        for flip in listed:
            target = clean_answers(doc, {**answers, flip.question: flip.choice, **dict(flip.also)})
            if check_answers(doc, target):
                kinds.add("flip invalid")
                continue
            after = evaluate(doc, target)
            if (after.outcome, after.route) != (flip.outcome, flip.route):
                kinds.add("flip wrong")
        counts.update(kinds)
        counts["any"] += bool(kinds)
    return counts


def found(doc: GuideDocument) -> Counter[str]:
    """What the checks count, every whole decision included, as `brute_force` counts it."""
    coherence = check_document(doc, decision_budget=None).coherence
    counts = Counter({k.kind: k.count for k in coherence.found})
    counts["any"] = coherence.contradicting
    return counts


# ---------------------------------------------------------------------------
# One guide per kind, and its fix

# One answer per outcome: CRM-first for "a", PM-first for "b", Hybrid for "c".
PICK = question(
    "pick",
    choice("a", points={"crm": 2}),
    choice("b", points={"pm": 2}),
    choice("c", points={"hybrid": 2}),
)
EXTRA = question("extra", choice("x"), choice("y"))


def guide(**extra: Any) -> GuideDocument:
    return build([PICK, EXTRA], **extra)


def note(slug: str, shown: dict[str, list[str]], **claims: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "title": f"Note {slug}",
        "text": "Text.",
        "when": when(all_=shown),
        **claims,
    }


def gate(outcome: str, unless: dict[str, list[str]], **claims: Any) -> dict[str, Any]:
    return {"outcome": outcome, "unless": when(all_=unless), "reason": f"Not {outcome}.", **claims}


def failure_check(text: str, **claims: Any) -> dict[str, Any]:
    return {"text": text, **claims}


CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # A note for CRM-first or PM-first beside one against PM-first, on a CRM-first page.
    "note vs note": (
        {
            "notes": [
                note("either", {"pick": ["a"]}, argues_for=["crm", "pm"]),
                note("not-pm", {"pick": ["a"]}, argues_against=["pm"]),
            ]
        },
        {
            "notes": [
                note("either", {"pick": ["a"]}, argues_for=["crm", "pm"], shown_with=["pm"]),
                note("not-pm", {"pick": ["a"]}, argues_against=["pm"]),
            ]
        },
    ),
    # A note for Hybrid (among others) where a gate rules Hybrid out.
    "note vs ruled-out reason": (
        {
            "gates": [gate("hybrid", {"extra": ["x"]})],
            "notes": [note("hybrid-too", {"extra": ["y"]}, argues_for=["crm", "pm", "hybrid"])],
        },
        {
            "gates": [gate("hybrid", {"extra": ["x"]})],
            "notes": [note("hybrid-too", {"extra": ["x"]}, argues_for=["crm", "pm", "hybrid"])],
        },
    ),
    "note vs failure check": (
        {
            "failure_checks": [
                failure_check("Hybrid drifts.", argues_against=["hybrid"], shown_with=["crm", "pm"])
            ],
            "notes": [note("all", {"extra": ["y"]}, argues_for=["crm", "pm", "hybrid"])],
        },
        {
            "failure_checks": [
                failure_check("Hybrid drifts.", argues_against=["hybrid"], shown_with=["crm", "pm"])
            ],
            "notes": [
                note("all", {"extra": ["y"]}, argues_for=["crm", "pm"], shown_with=["crm", "pm"])
            ],
        },
    ),
    # Gate reasons that disagree: one for PM-first (among others), one ruling it out.
    "ruled-out reason vs ruled-out reason": (
        {
            "gates": [
                gate("hybrid", {"extra": ["x"]}, argues_for=["crm", "pm"]),
                gate("pm", {"pick": ["b"]}),
            ]
        },
        {"gates": [gate("hybrid", {"extra": ["x"]}), gate("pm", {"pick": ["b"]})]},
    ),
    "ruled-out reason vs failure check": (
        {
            "gates": [gate("hybrid", {"extra": ["x"]})],
            "failure_checks": [failure_check("Keep both.", argues_for=["crm", "pm", "hybrid"])],
        },
        {
            "gates": [gate("hybrid", {"extra": ["x"]})],
            "failure_checks": [failure_check("Keep both.")],
        },
    ),
    "failure check vs failure check": (
        {
            "failure_checks": [
                failure_check("One.", argues_for=["crm", "pm"], shown_with=["crm", "pm"]),
                failure_check("Two.", argues_against=["pm"]),
            ]
        },
        {
            "failure_checks": [
                failure_check("One.", argues_for=["crm", "pm"], shown_with=["crm", "pm"]),
                failure_check("Two.", argues_against=["pm"], shown_with=["hybrid"]),
            ]
        },
    ),
    # A gate's reason that also speaks against CRM-first, shown on CRM-first pages.
    "against": (
        {"gates": [gate("hybrid", {"extra": ["x"]}, argues_against=["crm"])]},
        {"gates": [gate("hybrid", {"extra": ["x"]})]},
    ),
    # "You picked x" shown to someone who picked y.
    "asserts": (
        {"notes": [note("picked-x", {"extra": ["x", "y"]}, asserts=when(all_={"extra": ["x"]}))]},
        {"notes": [note("picked-x", {"extra": ["x"]}, asserts=when(all_={"extra": ["x"]}))]},
    ),
    # "Your pick counted" on PM-first pages, where "b" counts for PM-first, and on
    # CRM-first pages, where "a" counts: the claim names "b" only.
    "counted": (
        {
            "notes": [
                note("b-counted", {"extra": ["x"]}, counted=[{"question": "pick", "in": ["b"]}])
            ]
        },
        {
            "notes": [
                note(
                    "b-counted",
                    {"extra": ["x"]},
                    counted=[{"question": "pick", "in": ["b"]}],
                    shown_with=["pm"],
                )
            ]
        },
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_each_kind_is_found_counted_like_a_brute_force_walk_and_fixed(kind: str) -> None:
    broken, fixed = (guide(**parts) for parts in CASES[kind])
    counts = found(broken)
    assert counts[kind] > 0
    assert counts == brute_force(broken)
    report = check_document(broken)
    assert not report.passes
    example = next(e for e in report.coherence.examples if e.kind == kind)
    assert evaluate(broken, example.answers).outcome == example.outcome
    assert found(fixed) == brute_force(fixed) == Counter()
    assert check_document(fixed).passes


def test_the_words_name_the_sentences_and_the_outcome() -> None:
    broken = guide(**CASES["note vs ruled-out reason"][0])
    lines = "\n".join(report_lines(check_document(broken), "tiny"))
    assert "note vs ruled-out reason: 3 answer sets" in lines
    assert (
        "CONTRADICTION (note vs ruled-out reason): note “Note hybrid-too” (hybrid-too) argues "
        "for HYBRID beside the ruled-out reason of gate 1 for HYBRID (“Not hybrid.”), which "
        "argues against it, on a CRM result, e.g. pick=a extra=y"
    ) in lines
    counted = guide(**CASES["counted"][0])
    text = next(str(e.text) for e in check_document(counted).coherence.examples)
    assert text == (
        "note “Note b-counted” (b-counted) says “Short pick” → “Label b” counted towards CRM, "
        "but the reasons for it don't list that answer"
    )


# ---------------------------------------------------------------------------
# What would change it


def with_follow_up() -> GuideDocument:
    """Answering "b" brings a follow-up question that decides the outcome."""
    return build(
        [
            question(
                "pick",
                choice("a", points={"crm": 2}),
                choice("b", points={"pm": 1}),
                choice("c", points={"hybrid": 3}),
            ),
            question(
                "follow",
                choice("pm-way", points={"pm": 5}),
                choice("crm-way", points={"crm": 5}),
                show_if=when(all_={"pick": ["b"]}),
            ),
        ]
    )


def test_a_change_that_leaves_a_follow_up_unanswered_is_found() -> None:
    doc = with_follow_up()
    flip = next(f for f in evaluate(doc, {"pick": "a"}).flips if f.question == "pick")
    # The engine answers the follow-up with the change: the change is complete.
    assert flip.also
    assert found(doc) == brute_force(doc) == Counter()
    # A change listed without the follow-up it brings is not a complete answer set.
    bare = Flip(flip.question, flip.choice, flip.outcome, flip.route, flip.margin)
    decision = evaluate(doc, {"pick": "a"})
    broken = type(decision)(**{**decision.__dict__, "flips": (bare,)})
    checks = FlipChecks(doc, str)
    (finding,) = checks.findings({"pick": "a"}, broken)
    assert finding.kind == "flip invalid"
    assert "follow: missing answer (allowed: pm-way, crm-way)" in str(finding.text)


def test_a_change_that_gives_another_result_than_it_says_is_found() -> None:
    doc = guide()
    decision = evaluate(doc, {"pick": "a", "extra": "x"})
    assert [(f.question, f.choice, f.outcome) for f in decision.flips] == [
        ("pick", "b", "pm"),
        ("pick", "c", "hybrid"),
    ]
    checks = FlipChecks(doc, lambda slug: str(slug).upper())
    assert checks.findings({"pick": "a", "extra": "x"}, decision) == []
    wrong = Flip("pick", "b", "hybrid", None, 2)  # "b" gives PM-first
    bogus = type(decision)(**{**decision.__dict__, "flips": (wrong,)})
    [finding] = checks.findings({"pick": "a", "extra": "x"}, bogus)
    assert finding.kind == "flip wrong"
    assert str(finding.text) == (
        "a CRM result lists answering “Short pick” → “Label b” (giving HYBRID), "
        "but those answers give PM"
    )
    unknown = Flip("pick", "zzz", "pm", None, 2)
    invalid = type(decision)(**{**decision.__dict__, "flips": (unknown,)})
    assert [f.kind for f in checks.findings({"pick": "a", "extra": "x"}, invalid)] == [
        "flip invalid"
    ]


def test_whole_decisions_are_checked_on_a_sample_above_the_budget() -> None:
    doc = with_follow_up()
    coherence = check_document(doc, decision_budget=1).coherence
    assert coherence.decisions_checked == 1
    assert "chosen at random" in str(coherence.decisions_method)
    everything = check_document(doc, decision_budget=None).coherence
    assert str(everything.decisions_method) == "every answer set"
    assert everything.decisions_checked == everything.checked == 4


def test_the_checks_say_when_they_no_longer_see_what_the_engine_shows(monkeypatch) -> None:
    doc = guide()
    # The walk's own pick of the outcome, made to disagree with `evaluate`.
    wrong = Standing("hybrid", None, None, False)
    monkeypatch.setattr(answer_space, "pick_outcome", lambda *args: wrong)
    monkeypatch.setattr(walk_memo, "pick_outcome", lambda *args: wrong)  # the exhaustive walk's
    coherence = check_document(doc, decision_budget=None).coherence
    assert {k.kind for k in coherence.found} >= {"engine"}
    assert "engine" in KINDS


# ---------------------------------------------------------------------------
# The checks see what the page shows


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_checks_see_the_sentences_the_seed_pages_show(
    seed_document: GuideDocument, data: st.DataObject
) -> None:
    answers = data.draw(random_complete_answers(seed_document))
    decision = evaluate(seed_document, answers)
    if decision.route is not None:
        return  # a linked page, not a result page
    pages = PageChecks(seed_document)
    shown = pages.shown(answers, decision.outcome, decision.excluded)
    claiming = {n.slug for n in seed_document.notes if claims_something(n)}
    assert [s.ref for s in shown if s.role == "note"] == [
        f"notes[{slug}]" for slug in decision.notes if slug in claiming
    ]
    gates = [s.ref for s in shown if s.role == "ruled-out reason"]
    assert len(gates) == len(decision.excluded)
    for ref, (outcome, reason) in zip(gates, decision.excluded.items(), strict=True):
        gate = seed_document.gates[int(ref[6:-1])]
        assert (gate.outcome, gate.reason) == (outcome, reason)
    assert pages.engine_findings(decision, answers, decision.outcome, decision.excluded) == []
