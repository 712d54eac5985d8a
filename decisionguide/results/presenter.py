"""A decision told in the visitor's words: what the result page, `.md` and `.json` say.

Pure (no database, no request): everything comes from the frozen guide
document and the stored `Decision`, so a result reads the same months later.
The page, the Markdown export and the JSON export all take their sentences
from here, so they can't say different things.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from decisionguide.content.matrix import matrix_rows
from decisionguide.decision.document import (
    Choice,
    GuideDocument,
    LinkedPage,
    Note,
    Outcome,
    Question,
)
from decisionguide.decision.engine import shown_failure_checks
from decisionguide.decision.verdict import DECIDED_BY_DEFAULT, Decision, Flip, Reason
from decisionguide.languages import quoted
from decisionguide.questionnaire.state import text_label
from decisionguide.results.sentences import (
    change_sentence,
    example_sentence,
    matches_sentence,
    robust_sentence,
    standing_sentence,
    sum_sentence,
)

# How clear-cut a recommendation is, from the engine's `clarity` ({name}: the outcome).
CLARITY_WORDS = {
    "clear": gettext_lazy("A clear fit"),
    "leaning": gettext_lazy("Leaning towards {name}"),
    "close": gettext_lazy("A close call"),
}
# "What would change it" shows this many changes before the disclosure.
FIRST_CHANGES = 3


@dataclass(frozen=True)
class Counted:
    """One answer and how many points it counted for one side."""

    question: Question
    choice: Choice
    text: str
    points: int

    def to_data(self) -> dict[str, Any]:
        return {
            "question": self.question.slug,
            "question_prompt": self.question.prompt,
            "choice": self.choice.slug,
            "choice_label": self.choice.label,
            "text": self.text,
            "points": self.points,
        }


@dataclass(frozen=True)
class Side:
    """What counted for one outcome (its answers and their total)."""

    outcome: Outcome
    items: tuple[Counted, ...]

    @property
    def total(self) -> int:
        return sum(item.points for item in self.items)

    def to_data(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.slug,
            "total": self.total,
            "answers": [item.to_data() for item in self.items],
        }


@dataclass(frozen=True)
class Change:
    """A change of answers that would change the recommendation: one answer (with
    the follow-up answers it brings, `also`) or, when no single answer would, two."""

    question: Question
    choice: Choice
    outcome: Outcome
    sentence: str
    also: tuple[tuple[str, str], ...] = ()

    def to_data(self) -> dict[str, Any]:
        return {
            "question": self.question.slug,
            "choice": self.choice.slug,
            "outcome": self.outcome.slug,
            "sentence": self.sentence,
            "also": [{"question": q, "choice": c} for q, c in self.also],
        }


def _counted(doc: GuideDocument, reasons: tuple[Reason, ...]) -> tuple[Counted, ...]:
    items = []
    for reason in reasons:
        question = doc.question(reason.question)
        choice = question.choice(reason.choice) if question else None
        if question is None or choice is None:
            continue
        items.append(Counted(question, choice, reason.text or choice.reason, reason.points))
    return tuple(items)


def _also(doc: GuideDocument, flip: Flip) -> list[tuple[Question, Choice]] | None:
    pairs = []
    for question_slug, choice_slug in flip.also:
        question = doc.question(question_slug)
        choice = question.choice(choice_slug) if question else None
        if question is None or choice is None:
            return None
        pairs.append((question, choice))
    return pairs


def changes(doc: GuideDocument, flips: tuple[Flip, ...]) -> tuple[list[Change], list[Change]]:
    """The changes to show first (one per question, most decisive first) and the rest.

    Routes are left out: the result page is about outcomes, not the triage answers.
    """
    first: list[Change] = []
    rest: list[Change] = []
    questions_first: set[str] = set()
    for flip in flips:
        question = doc.question(flip.question)
        choice = question.choice(flip.choice) if question else None
        outcome = doc.outcome(flip.outcome or "")
        also = _also(doc, flip)
        if question is None or choice is None or outcome is None or also is None:
            continue
        sentence = change_sentence(question, choice, outcome, also)
        change = Change(question, choice, outcome, sentence, flip.also)
        if len(first) < FIRST_CHANGES and question.slug not in questions_first:
            first.append(change)
            questions_first.add(question.slug)
        else:
            rest.append(change)
    return first, rest


def decided_by_data(
    doc: GuideDocument, decision: Decision, answers: Mapping[str, str]
) -> dict[str, str] | None:
    """What settled a close call, in plain words: a tie-break (its explanation and the
    visitor's answer) or the guide's default; None when the scores decided."""
    if not decision.close_call:
        return None
    tie_break = next((t for t in doc.tie_breaks if t.question == decision.decided_by), None)
    question = doc.question(tie_break.question) if tie_break else None
    choice = question.choice(answers.get(question.slug, "")) if question else None
    if tie_break is None or question is None or choice is None:
        default = doc.outcome(doc.default_outcome)
        name = default.name if default else doc.default_outcome
        return {
            "kind": "default",
            "answer": "",
            "text": gettext(
                "When the scores are this close and no answer settles it, the guide starts "
                "from its default, %(outcome)s."
            )
            % {"outcome": name},
        }
    return {
        "kind": "tie_break",
        "answer": gettext("You answered %(answer)s to %(question)s")
        % {"answer": quoted(choice.label), "question": quoted(question.prompt)},
        "text": tie_break.explanation,
    }


def build_result_context(
    doc: GuideDocument,
    decision: Decision,
    texts: Mapping[str, str],
    *,
    page_url: Callable[[str], str],
    answers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the result template shows, from the document and the decision alone.

    `texts` are the visitor's typed texts by question slug; `answers` their
    answers (to say where the closest example differs); `page_url` says
    where a linked page lives.
    """
    answers = answers or {}
    outcome = doc.outcome(decision.outcome or "")
    first_changes, more_changes = changes(doc, decision.flips)
    every_change = [*first_changes, *more_changes]
    # Two-answer changes are listed only when no single answer changes it.
    two_answers = bool(every_change) and all(
        any(q in answers for q, _ in change.also) for change in every_change
    )
    robust = (
        robust_sentence(doc, decision, outcome, two_answers)
        if two_answers or not every_change
        else ""
    )
    # Only a public example is ever shown, even if a stored decision names another.
    scenario = next((s for s in doc.examples if s.slug == decision.scenario), None)
    notes = [note for slug in decision.notes if (note := _note(doc, slug)) is not None]
    return {
        "doc": doc,
        "decision": decision,
        "outcome": outcome,
        **_why(doc, decision, outcome),
        "close_call": decision.close_call,
        "notes": notes,
        "excluded": [
            {"outcome": excluded_outcome, "reason": reason}
            for slug, reason in decision.excluded.items()
            if (excluded_outcome := doc.outcome(slug)) is not None
        ],
        "first_changes": first_changes,
        "more_changes": more_changes,
        "robust": robust,
        "decided_by": decided_by_data(doc, decision, answers),
        "scenario": scenario,
        "scenario_outcome": doc.outcome(scenario.outcome) if scenario else None,
        "scenario_differs": (
            example_sentence(doc, scenario, outcome, answers) if scenario and outcome else ""
        ),
        "scenario_why": matches_sentence(doc, decision) if scenario else "",
        **_matrix(doc, outcome),
        "next_pages": [
            {"page": page, "url": page_url(page.slug), "external": _is_external(page)}
            for slug in (outcome.next_pages if outcome else ())
            if (page := doc.linked_page(slug)) is not None
        ],
        "written": _written(doc, texts),
        # Only the lines that concern the shown recommendation (an old result too).
        "failure_checks": [
            doc.failure_checks[i] for i in shown_failure_checks(doc, decision.outcome)
        ],
    }


def _why(doc: GuideDocument, decision: Decision, outcome: Outcome | None) -> dict[str, Any]:
    """The verdict's standing and what counted for and against it."""
    runner_up = doc.outcome(decision.runner_up or "") if decision.runner_up else None
    if runner_up is None and decision.margin is not None and not decision.basis:
        runner_up = _best_other(doc, decision)  # stored before the runner-up was kept
    side_for = Side(outcome, _counted(doc, decision.reasons)) if outcome else None
    side_against = (
        Side(runner_up, _counted(doc, decision.counter_reasons))
        if runner_up is not None and decision.reasons_add_up
        else None
    )
    return {
        "runner_up": runner_up,
        "clarity": _clarity_words(decision, outcome),
        "clarity_sentence": standing_sentence(outcome, runner_up, decision),
        "side_for": side_for,
        "side_against": side_against,
        "sum_sentence": (
            sum_sentence(side_for, side_against, decision, _tie_break_question(doc, decision))
            if side_for and side_against
            else ""
        ),
        # Older results counted only the points for the winner.
        "reasons_add_up": decision.reasons_add_up,
    }


def explanation_data(context: Mapping[str, Any]) -> dict[str, Any]:
    """The result page's words as plain data, for the JSON export."""
    outcome: Outcome | None = context["outcome"]
    side_for: Side | None = context["side_for"]
    side_against: Side | None = context["side_against"]
    return {
        "recommendation": outcome.name if outcome else None,
        "clarity": context["clarity"],
        "standing": context["clarity_sentence"],
        "close_call": context["close_call"],
        "decided_by": context["decided_by"],
        "notes": [{"slug": n.slug, "title": n.title, "text": n.text} for n in context["notes"]],
        "counted_for": side_for.to_data() if side_for else None,
        "counted_against": side_against.to_data() if side_against else None,
        "sum": context["sum_sentence"],
        "ruled_out": [
            {
                "outcome": item["outcome"].slug,
                "name": item["outcome"].name,
                "reason": item["reason"],
            }
            for item in context["excluded"]
        ],
        "what_would_change_it": [
            change.to_data() for change in [*context["first_changes"], *context["more_changes"]]
        ],
        "what_holds_it": context["robust"],
        "check_again": [check.text for check in context["failure_checks"]],
        "failure_mode": outcome.failure_mode if outcome else None,
        "read_next": [
            {"title": item["page"].title, "url": item["url"]} for item in context["next_pages"]
        ],
        "closest_example": (
            {
                "scenario": context["scenario"].slug,
                "title": context["scenario"].shown_title,
                "outcome": context["scenario_outcome"].slug,
                "differs": context["scenario_differs"],
                "why": context["scenario_why"],
            }
            if context["scenario"] is not None and context["scenario_outcome"] is not None
            else None
        ),
    }


def _tie_break_question(doc: GuideDocument, decision: Decision) -> Question | None:
    if decision.decided_by in ("", DECIDED_BY_DEFAULT):
        return None
    return doc.question(decision.decided_by)


def _clarity_words(decision: Decision, outcome: Outcome | None) -> str:
    words = CLARITY_WORDS.get(decision.clarity, "")
    return str(words).format(name=outcome.name) if outcome is not None else ""


def _matrix(doc: GuideDocument, outcome: Outcome | None) -> dict[str, Any]:
    columns = [
        {"outcome": o, "recommended": outcome is not None and o.slug == outcome.slug}
        for o in doc.outcomes
    ]
    rows = matrix_rows(doc, outcome.slug if outcome is not None else None)
    return {"matrix_outcomes": columns, "matrix_rows": rows}


def _written(doc: GuideDocument, texts: Mapping[str, str]) -> list[dict[str, str]]:
    written = []
    for question_slug, text in texts.items():
        question = doc.question(question_slug)
        if question is not None and question.free_text is not None and text:
            written.append({"label": text_label(question.free_text.label), "text": text})
    return written


def _is_external(page: LinkedPage) -> bool:
    return bool(page.url) and "://" in (page.url or "")


def _note(doc: GuideDocument, slug: str) -> Note | None:
    return next((n for n in doc.notes if n.slug == slug), None)


def _best_other(doc: GuideDocument, decision: Decision) -> Outcome | None:
    """The best-scoring outcome other than the recommendation that is not excluded."""
    others = [
        o for o in doc.outcomes if o.slug != decision.outcome and o.slug not in decision.excluded
    ]
    if not others:
        return None
    return max(others, key=lambda o: decision.scores.get(o.slug, 0))
