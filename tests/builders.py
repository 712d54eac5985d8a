"""Small guide documents built in code, for tests of the engine and the checks."""

from __future__ import annotations

from typing import Any

from decisionguide.decision.document import GuideDocument
from decisionguide.decision.parsing import parse_document


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
