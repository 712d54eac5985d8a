"""A guide at the content limits, for the tests and the checks benchmark (bench/checks.py).

Plain data, no pytest or Django imports, so `bench/run --checks` builds the same guide.
"""

from __future__ import annotations

from typing import Any

from decisionguide.decision import document as schema

Data = dict[str, Any]


MARKDOWN_PARAGRAPH = (
    "Most freelancers keep **one place** for what is promised and another for what is "
    "done. Read [the basics](page:p0) before moving anything, and keep a list:\n\n"
    "- who asked for it\n- when it is due\n- what it costs\n\n"
)


def markdown_text(length: int) -> str:
    return (MARKDOWN_PARAGRAPH * (length // len(MARKDOWN_PARAGRAPH) + 1))[:length].strip()


def outcome(n: int) -> Data:
    return {
        "slug": f"o{n}",
        "name": f"Outcome {n}",
        "tagline": f"The {n}th way to work.",
        "best_for": [f"Case {k}" for k in range(schema.MAX_LIST_ITEMS)] if n == 0 else ["All"],
        "strengths": "Strong.",
        "tradeoffs": "Some.",
        "failure_mode": "Drift.",
        "good_fit": "Often.",
        "choose_if": "You like it.",
        "next_pages": [f"p{k}" for k in range(schema.MAX_LIST_ITEMS)] if n == 0 else ["p1"],
    }


def question(n: int, choices: int) -> Data:
    return {
        "slug": f"q{n}",
        "prompt": f"Question {n}?",
        "short": f"Q{n}",
        "choices": [
            {"slug": f"c{c}", "label": f"Answer {c}", "points": {f"o{(n + c) % 20}": 1}}
            for c in range(choices)
        ],
    }


def when_first_answer() -> Data:
    return {"all": [{"question": "q0", "in": ["c0"]}]}


def guide_at_the_limits() -> Data:
    """Every list as long as allowed where they fit together, then texts up to the size
    limit: the guide page's Markdown first, as that is the page most visited."""
    outcomes = range(schema.MAX_OUTCOMES)
    data: Data = {
        "slug": "at-the-limits",
        "title": "T" * schema.LINE_MAX_LENGTH,
        "summary": "S" * schema.SUMMARY_MAX_LENGTH,
        "default_outcome": "o0",
        "outcomes": [outcome(n) for n in outcomes],
        "criteria": [
            {
                "slug": f"k{k}",
                "name": f"K{k}",
                "ratings": {f"o{n}": {"label": "ok", "level": 2} for n in outcomes},
            }
            for k in range(schema.MAX_CRITERIA)
        ],
        "scenarios": [
            {"slug": f"s{n}", "title": f"S{n}", "description": "D.", "outcome": "o0"}
            for n in range(schema.MAX_SCENARIOS)
        ],
        "linked_pages": [
            {"slug": f"p{n}", "title": f"P{n}", "summary": "S.", "when": "W."}
            for n in range(schema.MAX_LINKED_PAGES)
        ],
        "edge_cases": ["E."] * schema.MAX_LIST_ITEMS,
        "missteps": ["M."] * schema.MAX_LIST_ITEMS,
        "failure_checks": ["F."] * schema.MAX_LIST_ITEMS,
        "questions": [question(0, schema.MAX_CHOICES)]
        + [question(n, 2) for n in range(1, schema.MAX_QUESTIONS)],
        "gates": [
            {"outcome": f"o{1 + n % 19}", "unless": when_first_answer(), "reason": "G."}
            for n in range(schema.MAX_GATES)
        ],
        "notes": [
            {"slug": f"n{n}", "title": f"N{n}", "text": "N.", "when": when_first_answer()}
            for n in range(schema.MAX_NOTES)
        ],
    }
    fill_with_markdown(data)
    return data


def fill_with_markdown(data: Data) -> None:
    """Long Markdown in the guide page's texts, then the outcomes', up to the size limit."""
    fields = [(data, name) for name in schema.MARKDOWN_FIELDS]
    for item in data["outcomes"]:
        fields += [(item, name) for name in ("strengths", "tradeoffs", "failure_mode")]
    for parent, name in fields:
        room = schema.DOCUMENT_MAX_CHARACTERS - characters(data) - 100
        if room <= 0:
            return
        parent[name] = markdown_text(min(schema.TEXT_MAX_LENGTH, room + len(parent.get(name, ""))))


def characters(data: Any) -> int:
    if isinstance(data, str):
        return len(data)
    if isinstance(data, dict):
        return sum(characters(k) + characters(v) for k, v in data.items())
    if isinstance(data, list):
        return sum(characters(item) for item in data)
    return 0
