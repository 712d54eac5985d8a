"""Small guide documents built in code, for tests of the engine and the checks."""

from __future__ import annotations

from typing import Any

from decisionguide.decision.document import GuideDocument
from decisionguide.decision.parsing import parse_document

# A decision's JSON (`Decision.to_json`), as `recommend --json` prints it and stored
# results keep it: a key dropped or renamed breaks permalinks saved months ago.
DECISION_JSON_KEYS = frozenset(
    {
        "outcome",
        "route",
        "scores",
        "decided_by",
        "scenario_matches",
        "excluded",
        "notes",
        "scenario",
        "reasons",
        "counter_reasons",
        "flips",
        "margin",
        "clarity",
        "runner_up",
        "close_call",
        "basis",
    }
)


def outcome(slug: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": slug.upper(),
        "tagline": f"The {slug} way.",
        "best_for": ["Someone"],
        "strengths": "Some.",
        "tradeoffs": "Some.",
        "failure_mode": "Drift.",
        "good_fit": "You.",
        "choose_if": "You like it.",
    }


def choice(slug: str, **extra: Any) -> dict[str, Any]:
    return {"slug": slug, "label": f"Label {slug}", **extra}


def question(slug: str, *choices: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "prompt": f"Prompt {slug}?",
        "short": f"Short {slug}",
        "choices": list(choices),
        **extra,
    }


def when(*, all_: dict[str, list[str]] | None = None, any_: dict[str, list[str]] | None = None):
    condition: dict[str, Any] = {}
    if all_:
        condition["all"] = [{"question": q, "in": c} for q, c in all_.items()]
    if any_:
        condition["any"] = [{"question": q, "in": c} for q, c in any_.items()]
    return condition


def build(questions: list[dict[str, Any]], **extra: Any) -> GuideDocument:
    data: dict[str, Any] = {
        "slug": "tiny",
        "title": "Tiny guide",
        "summary": "A guide for the tests.",
        "default_outcome": "crm",
        "intro": "Intro.",
        "right_page": "Right.",
        "wrong_page": "Wrong.",
        "shortcut": "Shortcut.",
        "outcomes": [outcome("crm"), outcome("pm"), outcome("hybrid")],
        "linked_pages": [
            {"slug": "agency-page", "title": "Agencies", "summary": "S.", "when": "W."}
        ],
        "questions": questions,
    }
    data.update(extra)
    return parse_document(data)


TINY_QUESTIONS = [
    question(
        "size",
        choice("small", points={"crm": 1}, reason="Only a few clients"),
        choice("big", points={"pm": 3, "crm": -1}),
        choice("unsure", unsure=True),
    ),
    question(
        "billing",
        choice("hourly", points={"crm": 2}),
        choice("fixed", points={"pm": 2}),
        show_if=when(all_={"size": ["big"]}),
    ),
    question(
        "team",
        choice("solo"),
        choice("team", points={"pm": 1, "hybrid": 1}),
        choice("agency", route="agency-page"),
    ),
    question(
        "handoff",
        choice("written", points={"hybrid": 5}),
        choice("none", points={"crm": 1}),
        show_if=when(any_={"size": ["unsure"], "team": ["team"]}),
    ),
    question(
        "tools",
        choice("one", points={"crm": 1, "pm": 1}),
        choice("many", points={"hybrid": 2}),
    ),
]


def tiny_document() -> GuideDocument:
    """Five questions, a route, a gate, a note and three scenarios: each engine rule, small."""
    return build(
        TINY_QUESTIONS,
        gates=[
            {
                "outcome": "hybrid",
                "unless": when(all_={"handoff": ["written"]}),
                "reason": "A hybrid needs a written handoff rule.",
            }
        ],
        notes=[
            {
                "slug": "team-note",
                "title": "Teams",
                "text": "Share the view.",
                "when": when(all_={"team": ["team"]}),
            }
        ],
        scenarios=[
            {
                "slug": "s-crm",
                "title": "CRM person",
                "description": "D.",
                "outcome": "crm",
                "answers": {"size": "small", "team": "solo"},
            },
            {
                "slug": "s-pm",
                "title": "PM person",
                "description": "D.",
                "outcome": "pm",
                "answers": {"size": "big", "billing": "fixed"},
            },
            {
                "slug": "s-hybrid",
                "title": "Hybrid person",
                "description": "D.",
                "outcome": "hybrid",
                "answers": {"team": "team", "handoff": "written"},
            },
        ],
    )


def slugs(items: list[Any]) -> list[str]:
    return [item.slug for item in items]


def contradicting_guide() -> GuideDocument:
    """A guide whose note warns against Hybrid but no gate keeps Hybrid out."""
    return build(
        [
            question("team", choice("solo", points={"pm": 1}), choice("va", points={"hybrid": 2})),
            question(
                "leads",
                choice("few", points={"pm": 2}),
                choice("some", points={"crm": 1}),
                choice("many", points={"crm": 3, "hybrid": 1}),
            ),
            question("handoff", choice("written", points={"hybrid": 2}), choice("vague")),
        ],
        default_outcome="pm",
        notes=[
            {
                "slug": "hybrid-alone",
                "title": "A hybrid is a lot to carry alone",
                "text": "Text.",
                "when": when(all_={"team": ["solo"]}),
                "argues_against": ["hybrid"],
            },
            {
                "slug": "few-leads-pm",
                "title": "Few leads: PM-first",
                "text": "Text.",
                "when": when(all_={"leads": ["few"]}),
                "argues_for": ["pm"],
            },
        ],
    )


# A large guide for the query budget and the content limits

GENERATED_OUTCOMES = ("alpha", "beta", "gamma")


def generated_document(questions: int = 200, choices_per_question: int = 5) -> GuideDocument:
    """A large guide: every question shown, every choice weighted, a few conditions."""
    question_data = []
    for q in range(questions):
        choices = []
        for c in range(choices_per_question):
            choices.append(
                {
                    "slug": f"c{c}",
                    "label": f"Choice {c} of question {q}",
                    "points": {GENERATED_OUTCOMES[(q + c) % 3]: 1 + c % 2},
                }
            )
        question = {
            "slug": f"q{q}",
            "prompt": f"Question number {q}?",
            "short": f"Question {q}",
            "choices": choices,
        }
        if q and q % 50 == 0:
            # Some conditional questions, shown for most answers to the one before.
            question["show_if"] = {"all": [{"question": f"q{q - 1}", "in": ["c0", "c1", "c2"]}]}
        question_data.append(question)
    return parse_document(
        {
            "slug": "generated",
            "title": "A generated guide",
            "summary": "Two hundred questions to keep the query budget honest.",
            "default_outcome": "alpha",
            "intro": "Generated.",
            "right_page": "Always.",
            "wrong_page": "Never.",
            "shortcut": "None.",
            "outcomes": [
                {
                    "slug": slug,
                    "name": slug.title(),
                    "tagline": f"The {slug} way.",
                    "best_for": ["Tests"],
                    "strengths": "Fast.",
                    "tradeoffs": "None.",
                    "failure_mode": "Slow pages.",
                    "good_fit": "Benchmarks.",
                    "choose_if": "You like numbers.",
                }
                for slug in GENERATED_OUTCOMES
            ],
            "criteria": [
                {
                    "slug": f"k{k}",
                    "name": f"Criterion {k}",
                    "ratings": {o: {"label": "Medium", "level": 2} for o in GENERATED_OUTCOMES},
                }
                for k in range(10)
            ],
            "failure_checks": ["Pages got slow."],
            "questions": question_data,
        }
    )
