"""The decision engine: answers in, a recommendation (and why) out.

Pure and deterministic: plain functions over an immutable `GuideDocument` and
a mapping of answers (question slug -> choice slug). No Django, no database,
no clock, so the same answers to the same guide version always give the same
`Decision`, and a stored result can be recomputed or re-rendered at any time.

Rules, in short (see the semantics in notes/CONTEXT.md):

- Questions are asked in order. A question is shown when its `show_if` holds
  against the answers kept so far; a choice with a `route` ends the
  questionnaire and sends the visitor to a linked page instead.
- score[outcome] = sum of the points of the chosen choices.
- A gate excludes its outcome unless its `unless` condition holds.
- The winner is the best-scoring outcome that is not excluded; ties go to the
  default outcome if it is among them, else to the first in outcome order.
- Flips: every single-answer change that would change the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from decisionguide.decision.document import Choice, Condition, GuideDocument, Question

Answers = Mapping[str, str]

# How far ahead the winner must be (in points) for each clarity word.
CLEAR_MARGIN = 4
LEANING_MARGIN = 2
CLEAR = "clear"
LEANING = "leaning"
CLOSE = "close"

# "Why this recommendation" lists at most this many answers.
MAX_REASONS = 5


# ---------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Reason:
    """An answer that pushed the recommended outcome, worth `points` towards it."""

    question: str
    choice: str
    text: str
    points: int


@dataclass(frozen=True)
class Flip:
    """Changing only the answer to `question` into `choice` gives this result instead."""

    question: str
    choice: str
    outcome: str | None
    route: str | None


@dataclass(frozen=True)
class AnswerProblem:
    """Why a set of answers can't be used as given; `message` is one complete line."""

    question: str
    message: str
    allowed: tuple[str, ...]

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Decision:
    """The engine's answer. Exactly one of `outcome` and `route` is set."""

    outcome: str | None
    route: str | None
    scores: dict[str, int]
    excluded: dict[str, str]
    notes: tuple[str, ...]
    scenario: str | None
    reasons: tuple[Reason, ...]
    flips: tuple[Flip, ...]
    margin: int | None
    clarity: str

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (what `manage.py recommend` prints and results store)."""
        return {
            "outcome": self.outcome,
            "route": self.route,
            "scores": dict(self.scores),
            "excluded": dict(self.excluded),
            "notes": list(self.notes),
            "scenario": self.scenario,
            "reasons": [
                {"question": r.question, "choice": r.choice, "text": r.text, "points": r.points}
                for r in self.reasons
            ],
            "flips": [
                {"question": f.question, "choice": f.choice, "outcome": f.outcome, "route": f.route}
                for f in self.flips
            ],
            "margin": self.margin,
            "clarity": self.clarity,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Decision:
        """The inverse of `to_json`, for re-rendering a stored decision."""
        return cls(
            outcome=data.get("outcome"),
            route=data.get("route"),
            scores=dict(data.get("scores") or {}),
            excluded=dict(data.get("excluded") or {}),
            notes=tuple(data.get("notes") or ()),
            scenario=data.get("scenario"),
            reasons=tuple(
                Reason(r["question"], r["choice"], r["text"], r["points"])
                for r in data.get("reasons") or ()
            ),
            flips=tuple(
                Flip(f["question"], f["choice"], f.get("outcome"), f.get("route"))
                for f in data.get("flips") or ()
            ),
            margin=data.get("margin"),
            clarity=data.get("clarity") or "",
        )


# ---------------------------------------------------------------------------
# Lookups, built once per document


@dataclass(frozen=True)
class _Index:
    questions: tuple[Question, ...]
    position: dict[str, int]
    choices: dict[str, dict[str, Choice]]
    # True when some later question's show_if looks at this question, so changing
    # its answer may show or hide other questions (flips then re-clean the answers).
    has_dependents: dict[str, bool]
    outcomes: tuple[str, ...]


# Documents are immutable, so lookups are kept per document object. Each entry
# holds the document itself, so its id can't be reused while the entry lives.
_INDEXES: dict[int, tuple[GuideDocument, _Index]] = {}
_MAX_INDEXES = 64


def _index(doc: GuideDocument) -> _Index:
    entry = _INDEXES.get(id(doc))
    if entry is not None and entry[0] is doc:
        return entry[1]
    looked_at: set[str] = set()
    for question in doc.questions:
        if question.show_if is not None:
            looked_at.update(clause.question for _, _, clause in question.show_if.clauses())
    index = _Index(
        questions=doc.questions,
        position={q.slug: i for i, q in enumerate(doc.questions)},
        choices={q.slug: {c.slug: c for c in q.choices} for q in doc.questions},
        has_dependents={q.slug: q.slug in looked_at for q in doc.questions},
        outcomes=tuple(o.slug for o in doc.outcomes),
    )
    if len(_INDEXES) >= _MAX_INDEXES:
        _INDEXES.clear()
    _INDEXES[id(doc)] = (doc, index)
    return index


# ---------------------------------------------------------------------------
# Which questions are asked


def condition_holds(condition: Condition | None, answers: Answers) -> bool:
    """Every `all` clause holds and, if there are `any` clauses, one of them does."""
    if condition is None:
        return True
    if not all(answers.get(c.question) in c.in_ for c in condition.all_):
        return False
    return not condition.any_ or any(answers.get(c.question) in c.in_ for c in condition.any_)


@dataclass(frozen=True)
class _Walk:
    shown: tuple[Question, ...]
    kept: dict[str, str]
    route: str | None


def _walk(
    index: _Index, answers: Answers, start: int = 0, kept: dict[str, str] | None = None
) -> _Walk:
    """Ask the questions from `start` in order, keeping the answers that count.

    `kept` holds the (already clean) answers to the questions before `start`.
    """
    kept = {} if kept is None else kept
    shown: list[Question] = []
    for question in index.questions[start:]:
        if not condition_holds(question.show_if, kept):
            continue
        shown.append(question)
        value = answers.get(question.slug)
        choice = index.choices[question.slug].get(value) if isinstance(value, str) else None
        if choice is None:
            continue
        kept[question.slug] = choice.slug
        if choice.route is not None:
            return _Walk(tuple(shown), kept, choice.route)
    return _Walk(tuple(shown), kept, None)


def clean_answers(doc: GuideDocument, answers: Answers) -> dict[str, str]:
    """The answers that count, in question order.

    An answer is kept only if its question is shown (against the answers kept
    so far) and names one of its choices; nothing after a routing choice is
    kept; unknown keys are dropped.
    """
    return _walk(_index(doc), answers).kept


def shown_questions(doc: GuideDocument, answers: Answers) -> list[Question]:
    """The questions asked for these answers, in order, ending at a routing answer."""
    return list(_walk(_index(doc), answers).shown)


def next_question(doc: GuideDocument, answers: Answers) -> Question | None:
    """The first shown question without an answer; None when done or routed."""
    walk = _walk(_index(doc), answers)
    if walk.route is not None:
        return None
    return next((q for q in walk.shown if q.slug not in walk.kept), None)


def describe_condition(condition: Condition) -> str:
    """A condition in the `question=choice` words the command line uses."""

    def clause_text(question: str, choices: Iterable[str]) -> str:
        return " or ".join(f"{question}={choice}" for choice in choices)

    parts = [clause_text(c.question, c.in_) for c in condition.all_]
    if condition.any_:
        parts.append(" or ".join(clause_text(c.question, c.in_) for c in condition.any_))
    if len(parts) > 1:
        parts = [f"({part})" if " or " in part else part for part in parts]
    return " and ".join(parts)


def check_answers(
    doc: GuideDocument, answers: Answers, *, complete: bool = True
) -> list[AnswerProblem]:
    """Everything wrong with a set of answers, strictly (for tools, not visitors).

    Unknown questions first, then in question order: unknown choices, answers
    to questions that are not asked with these answers and, when `complete`,
    shown questions left unanswered. Each problem names the allowed values.
    """
    index = _index(doc)
    problems: list[AnswerProblem] = []
    question_slugs = tuple(q.slug for q in index.questions)
    for slug in answers:
        if slug not in index.position:
            problems.append(
                AnswerProblem(
                    slug,
                    f"unknown question {slug!r} (questions: {', '.join(question_slugs)})",
                    question_slugs,
                )
            )

    kept: dict[str, str] = {}
    routed_by: tuple[str, str] | None = None
    for question in index.questions:
        slug = question.slug
        choices = tuple(index.choices[slug])
        allowed = ", ".join(choices)
        answered = slug in answers
        value = answers.get(slug)
        if routed_by is not None:
            if answered:
                problems.append(
                    AnswerProblem(
                        slug,
                        f"{slug}: not asked, because {routed_by[0]}={routed_by[1]} ends the "
                        "questions; leave this answer out",
                        (),
                    )
                )
            continue
        if not condition_holds(question.show_if, kept):
            if answered:
                assert question.show_if is not None  # only a condition can hide a question
                problems.append(
                    AnswerProblem(
                        slug,
                        f"{slug}: not asked with these answers (asked only when "
                        f"{describe_condition(question.show_if)}); leave this answer out",
                        (),
                    )
                )
            continue
        if not answered:
            if complete:
                problems.append(
                    AnswerProblem(slug, f"{slug}: missing answer (allowed: {allowed})", choices)
                )
            continue
        choice = index.choices[slug].get(value) if isinstance(value, str) else None
        if choice is None:
            problems.append(
                AnswerProblem(
                    slug, f"{slug}: unknown choice {value!r} (allowed: {allowed})", choices
                )
            )
            continue
        kept[slug] = choice.slug
        if choice.route is not None:
            routed_by = (slug, choice.slug)
    return problems


# ---------------------------------------------------------------------------
# Scoring


def _scores(index: _Index, answers: Mapping[str, str]) -> dict[str, int]:
    scores = dict.fromkeys(index.outcomes, 0)
    for question_slug, choice_slug in answers.items():
        for outcome, points in index.choices[question_slug][choice_slug].points.items():
            scores[outcome] += points
    return scores


def _excluded(doc: GuideDocument, answers: Answers) -> dict[str, str]:
    excluded: dict[str, str] = {}
    for gate in doc.gates:
        if gate.outcome not in excluded and not condition_holds(gate.unless, answers):
            excluded[gate.outcome] = gate.reason
    return excluded


def _winner(
    doc: GuideDocument, index: _Index, scores: Mapping[str, int], excluded: Mapping[str, str]
) -> tuple[str, int | None]:
    """The recommended outcome and its lead over the best other one (None: no other left)."""
    candidates = [o for o in index.outcomes if o not in excluded]
    if not candidates:
        return doc.default_outcome, None
    top = max(scores[o] for o in candidates)
    tied = [o for o in candidates if scores[o] == top]
    winner = doc.default_outcome if doc.default_outcome in tied else tied[0]
    others = [scores[o] for o in candidates if o != winner]
    return winner, (scores[winner] - max(others)) if others else None


def clarity_for(margin: int | None) -> str:
    if margin is None or margin >= CLEAR_MARGIN:
        return CLEAR
    if margin >= LEANING_MARGIN:
        return LEANING
    return CLOSE


def _reasons(index: _Index, answers: Mapping[str, str], outcome: str) -> tuple[Reason, ...]:
    pushes: list[tuple[int, int, Reason]] = []
    for question_slug, choice_slug in answers.items():
        choice = index.choices[question_slug][choice_slug]
        points = choice.points.get(outcome, 0)
        if points > 0:
            position = index.position[question_slug]
            question = index.questions[position]
            text = choice.reason or f"{question.short}: {choice.label}"
            pushes.append((-points, position, Reason(question_slug, choice_slug, text, points)))
    pushes.sort(key=lambda item: item[:2])
    return tuple(reason for _, _, reason in pushes[:MAX_REASONS])


def _nearest_scenario(doc: GuideDocument, answers: Answers, outcome: str) -> str | None:
    """The scenario whose answer profile shares most answers (at least one) with these."""
    best: tuple[int, bool] | None = None
    nearest: str | None = None
    for scenario in doc.scenarios:
        matches = sum(1 for q, c in scenario.answers.items() if answers.get(q) == c)
        if matches == 0:
            continue
        rank = (matches, scenario.outcome == outcome)
        # Strictly better only, so file order breaks the remaining ties.
        if best is None or rank > best:
            best, nearest = rank, scenario.slug
    return nearest


def _result(
    doc: GuideDocument, index: _Index, walk_route: str | None, kept: dict[str, str]
) -> tuple[str | None, str | None]:
    """Just the outcome or route (what a flip needs)."""
    if walk_route is not None:
        return None, walk_route
    scores = _scores(index, kept)
    return _winner(doc, index, scores, _excluded(doc, kept))[0], None


def _flips(
    doc: GuideDocument,
    index: _Index,
    answers: dict[str, str],
    scores: dict[str, int],
    current: tuple[str | None, str | None],
) -> tuple[Flip, ...]:
    flips: list[Flip] = []
    for question_slug, chosen_slug in answers.items():
        position = index.position[question_slug]
        choices = index.choices[question_slug]
        chosen = choices[chosen_slug]
        prefix: dict[str, str] | None = None
        for choice in choices.values():
            if choice.slug == chosen_slug:
                continue
            if choice.route is not None:
                # Nothing before this question routes (else it would not be
                # answered), so the questions end right here.
                result: tuple[str | None, str | None] = (None, choice.route)
            elif not index.has_dependents[question_slug]:
                # No question's show_if looks at this one, so the other answers
                # all still count: only this answer and its points change.
                if chosen.route is None and current[1] is not None:
                    result = current  # a later answer still routes
                else:
                    changed = dict(answers)
                    changed[question_slug] = choice.slug
                    new_scores = dict(scores)
                    for outcome, points in chosen.points.items():
                        new_scores[outcome] -= points
                    for outcome, points in choice.points.items():
                        new_scores[outcome] += points
                    excluded = _excluded(doc, changed)
                    result = (_winner(doc, index, new_scores, excluded)[0], None)
            else:
                # Later questions may appear or vanish: ask them again from here.
                if prefix is None:
                    prefix = {k: v for k, v in answers.items() if index.position[k] < position}
                changed = dict(answers)
                changed[question_slug] = choice.slug
                walk = _walk(index, changed, position, dict(prefix))
                result = _result(doc, index, walk.route, walk.kept)
            if result != current:
                flips.append(Flip(question_slug, choice.slug, result[0], result[1]))
    return tuple(flips)


def evaluate(doc: GuideDocument, answers: Answers) -> Decision:
    """The decision for these answers.

    Answers are cleaned first (a no-op for clean answers), so only shown,
    answered questions count whatever is passed in.
    """
    index = _index(doc)
    walk = _walk(index, answers)
    kept = walk.kept
    scores = _scores(index, kept)
    notes = tuple(note.slug for note in doc.notes if condition_holds(note.when, kept))
    if walk.route is not None:
        current: tuple[str | None, str | None] = (None, walk.route)
        return Decision(
            outcome=None,
            route=walk.route,
            scores=scores,
            excluded={},
            notes=notes,
            scenario=None,
            reasons=(),
            flips=_flips(doc, index, kept, scores, current),
            margin=None,
            clarity="",
        )
    excluded = _excluded(doc, kept)
    outcome, margin = _winner(doc, index, scores, excluded)
    return Decision(
        outcome=outcome,
        route=None,
        scores=scores,
        excluded=excluded,
        notes=notes,
        scenario=_nearest_scenario(doc, kept, outcome),
        reasons=_reasons(index, kept, outcome),
        flips=_flips(doc, index, kept, scores, (outcome, None)),
        margin=margin,
        clarity=clarity_for(margin),
    )
