"""The seed guide's checks in well under 2 s (issue 25, item 7): the exhaustive walk works
each page out once per distinct case (`checking.walk_memo`), and reports exactly what
the straightforward walk (every answer set judged on its own) does.

No timings are asserted (bench/run --checks measures them): how much work is
saved is, by counting the pages worked out.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from decisionguide.checking import checks, page_claims
from decisionguide.checking.answer_space import search
from decisionguide.checking.memo import Memo
from decisionguide.decision import answers as answer_lookups
from decisionguide.decision.answers import index_of
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import evaluate
from decisionguide.decision.parsing import parse_document
from decisionguide.guidefiles.yaml_io import check_guide_text
from tests.builders import build, choice, contradicting_guide, question, tiny_document, when
from tests.test_coherence_kinds import every_answer_set

SEED_GUIDE = Path(__file__).resolve().parent.parent / "content" / "crm-pm-hybrid.yaml"
OUTCOMES = ("crm", "pm", "hybrid")


def seed_guide() -> GuideDocument:
    doc, errors = check_guide_text(SEED_GUIDE.read_text(), SEED_GUIDE.name)
    assert doc is not None and not errors
    return doc


def random_condition(rng: random.Random, asked: list[tuple[str, list[str]]]) -> dict[str, Any]:
    """One or two clauses on the questions in `asked`, as `all` or `any`."""
    picked = rng.sample(asked, k=min(len(asked), rng.randint(1, 2)))
    clauses = {
        slug: rng.sample(choices, k=rng.randint(1, len(choices) - 1)) for slug, choices in picked
    }
    return when(all_=clauses) if rng.random() < 0.6 else when(any_=clauses)


def random_sides(rng: random.Random) -> dict[str, Any]:
    """Sometimes argues for or against an outcome: contradictions get a chance."""
    roll = rng.random()
    if roll < 0.3:
        return {"argues_against": [rng.choice(OUTCOMES)]}
    if roll < 0.5:
        return {"argues_for": [rng.choice(OUTCOMES)]}
    return {}


def random_guide(seed: int) -> GuideDocument:
    """A small guide with show-ifs, a route, gates, notes, asserts, counted claims, failure
    checks and a tie-break, drawn at random: many of them contradict themselves."""
    rng = random.Random(seed)
    questions: list[dict[str, Any]] = []
    asked: list[tuple[str, list[str]]] = []
    for number in range(rng.randint(4, 6)):
        slug = f"q{number}"
        slugs = [f"c{c}" for c in range(rng.randint(2, 4))]
        choices = []
        for c in slugs:
            points = {o: rng.randint(-1, 3) for o in rng.sample(OUTCOMES, k=rng.randint(0, 2))}
            choices.append(choice(c, points=points))
        if number == 2 and rng.random() < 0.5:
            choices.append(choice("away", route="agency-page"))
        extra = {}
        if asked and rng.random() < 0.4:
            extra["show_if"] = random_condition(rng, asked)
        questions.append(question(slug, *choices, **extra))
        asked.append((slug, slugs))
    default = rng.choice(OUTCOMES)
    gates = [
        {
            "outcome": rng.choice([o for o in OUTCOMES if o != default]),
            "unless": random_condition(rng, asked),
            "reason": rng.choice(("Needs more.", "Not yet.")),
            **({"asserts": random_condition(rng, asked)} if rng.random() < 0.3 else {}),
            **random_sides(rng),
        }
        for _ in range(rng.randint(0, 3))
    ]
    notes = []
    for number in range(rng.randint(1, 4)):
        note: dict[str, Any] = {
            "slug": f"note-{number}",
            "title": f"Note {number}",
            "text": "Text.",
            "when": random_condition(rng, asked),
            **random_sides(rng),
        }
        if rng.random() < 0.3:
            note["asserts"] = random_condition(rng, asked)
        if rng.random() < 0.2:
            slug, slugs = rng.choice(asked)
            note["counted"] = [{"question": slug, "in": [rng.choice(slugs)]}]
        if rng.random() < 0.3:
            note["shown_with"] = [rng.choice(OUTCOMES)]
        notes.append(note)
    checks = [
        {"text": "Check it.", **random_sides(rng)}
        | ({"asserts": random_condition(rng, asked)} if rng.random() < 0.3 else {})
        for _ in range(rng.randint(0, 2))
    ]
    slug, slugs = rng.choice(asked)
    tie_breaks = [
        {"question": slug, "settles": {slugs[0]: rng.choice(OUTCOMES)}, "explanation": "So."}
    ]
    return build(
        questions,
        default_outcome=default,
        close_call_margin=rng.randint(0, 2),
        tie_breaks=tie_breaks if rng.random() < 0.6 else [],
        gates=gates,
        notes=notes,
        failure_checks=checks,
    )


@pytest.mark.parametrize("budget", [0, None])
def test_the_memo_walk_reports_what_the_straightforward_walk_does(budget: int | None) -> None:
    contradicting = 0
    kinds: set[str] = set()
    guides = [tiny_document(), contradicting_guide(), *(random_guide(s) for s in range(30))]
    for doc in guides:
        fast = search(doc, decision_budget=budget)
        # Counted before the walk (once per combination the show-ifs look at): what it tried.
        assert fast[0].method == "exhaustive" and fast[0].space == fast[0].tried
        assert fast == search(doc, decision_budget=budget, memo=False)
        contradicting += not fast[1].holds
        kinds.update(kind.kind for kind in fast[1].found)
    # The guides contradict themselves in many ways, so every path of the walk is held.
    assert contradicting >= 10
    assert {"against", "asserts", "counted", "note vs note"} <= kinds


def test_the_seed_guide_reports_the_same_working_each_page_out_once_per_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = seed_guide()
    pages = 0
    claims = page_claims.PageChecks.claims

    def counting(self: page_claims.PageChecks, *args: Any) -> Any:
        nonlocal pages
        pages += 1
        return claims(self, *args)

    monkeypatch.setattr(page_claims.PageChecks, "claims", counting)
    reachability, coherence = fast = search(doc)
    assert reachability.tried == 116_644 and reachability.answer_sets == 174_964
    assert coherence.decisions_checked > 2_000
    # 116,640 complete answer sets (4 cases are routes), under 2,000 distinct pages.
    assert 0 < pages < 2_000
    assert fast == search(doc, memo=False)


def test_the_engine_decides_the_same_with_what_it_kept_from_earlier_decisions() -> None:
    """`flips` keeps standings per document (`Index.standings`): a decision worked out
    after thousands of others is the one worked out first, on a fresh document."""
    for seed in range(12):
        doc = random_guide(seed)
        every = list(every_answer_set(doc))
        warm = [evaluate(doc, answers) for answers in every]
        assert index_of(doc).standings  # kept from the decisions before
        for answers, decision in zip(every, warm, strict=True):
            answer_lookups._INDEXES.clear()  # nothing kept
            assert evaluate(doc, answers) == decision


def test_a_space_one_over_the_limit_is_searched_in_bounds() -> None:
    for seed in range(12):
        doc = random_guide(seed)
        size = search(doc, decision_budget=0)[0].tried
        assert search(doc, decision_budget=0, exhaustive_limit=size)[0].method == "exhaustive"
        bounded = search(doc, decision_budget=0, exhaustive_limit=size - 1, bounded_budget=50)[0]
        assert bounded.method == "bounded"


def edited_texts(data: Any, key: str = "") -> Any:
    """The guide's data with every text visitors read changed (not its logic, nor the
    translations, whose source words would then be out of date)."""
    if key == "translations":
        return data
    if key in checks.TEXT_KEYS and isinstance(data, str):
        return f"{data} (edited)" if data else data
    if key in checks.TEXT_KEYS and isinstance(data, list):
        return [edited_texts(item, key) for item in data]
    if key in checks.LOGIC_MAPS:
        return data
    if isinstance(data, dict):
        return {name: edited_texts(value, name) for name, value in data.items()}
    if isinstance(data, list):
        return [edited_texts(item, "text" if key == "failure_checks" else "") for item in data]
    return data


def test_a_text_edit_reuses_the_search_and_gets_the_report_worked_out_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checks, "_reports", Memo(size=16))
    monkeypatch.setattr(checks, "_searches", Memo(size=16))
    searches = 0
    plain_search = checks.search

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal searches
        searches += 1
        return plain_search(*args, **kwargs)

    monkeypatch.setattr(checks, "search", counting)
    doc = seed_guide()
    assert checks.report_of(doc).passes and searches == 1
    data = doc.to_data()
    edited = parse_document(edited_texts(data))
    # Every text changed: titles, prompts, labels, note and check texts, outcome pages.
    assert edited.questions[0].prompt != doc.questions[0].prompt
    assert edited.failure_checks[0].text != doc.failure_checks[0].text
    assert edited.notes[0].text != doc.notes[0].text
    assert checks.without_texts(edited.to_data()) == checks.without_texts(data)
    reused = checks.report_of(edited)
    assert searches == 1
    assert reused == checks.check_document(edited, time_budget=checks.CHECK_TIME_BUDGET)
    assert searches == 2
    # Translations are other languages' words: dropping them all reuses the search too.
    assert edited.translations
    untranslated = {k: v for k, v in edited.to_data().items() if k != "translations"}
    assert checks.report_of(parse_document(untranslated)).passes
    assert searches == 2
    # A change of logic (a point) is searched again.
    data["questions"][0]["choices"][0]["points"] = {"hybrid": 7}
    assert checks.report_of(parse_document(data)).reachability.finished
    assert searches == 3
