"""Flips worked out the slow way, to hold the engine's fast ones to."""

from __future__ import annotations

from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import clean_answers, evaluate, next_question
from decisionguide.decision.verdict import Flip


def completions(
    doc: GuideDocument, answers: dict[str, str], follow_ups: tuple[tuple[str, str], ...] = ()
) -> list[tuple[tuple[str, str], ...]]:
    """Every way of answering the questions a change brings (depth first)."""
    given = clean_answers(doc, {**answers, **dict(follow_ups)})
    missing = next_question(doc, given)
    if missing is None:
        return [follow_ups]
    return [
        done
        for choice in missing.choices
        for done in completions(doc, answers, (*follow_ups, (missing.slug, choice.slug)))
    ]


def brute_force_flips(doc: GuideDocument, answers: dict[str, str]) -> list[Flip]:
    """Every single-answer change to the answers that count, with each way of answering
    the follow-up questions it brings, evaluated from scratch."""
    answers = clean_answers(doc, answers)
    base = evaluate(doc, answers)
    flips = []
    for q_slug, c_slug in answers.items():
        for other in doc.question(q_slug).choices:
            if other.slug == c_slug:
                continue
            changed = {**answers, q_slug: other.slug}
            for also in completions(doc, changed):
                result = evaluate(doc, {**changed, **dict(also)})
                if (result.outcome, result.route) != (base.outcome, base.route):
                    flips.append(
                        Flip(q_slug, other.slug, result.outcome, result.route, result.margin, also)
                    )
    return flips
