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
