"""The decision engine: answers in, a recommendation (and why) out.

Pure and deterministic: plain functions over an immutable `GuideDocument` and
a mapping of answers (question slug -> choice slug). No Django, no database,
no clock, so the same answers to the same guide version always give the same
`Decision`, and a stored result can be recomputed or re-rendered at any time.

Rules, in short:

- Questions are asked in order. A question is shown when its `show_if` holds
  against the answers kept so far; a choice with a `route` ends the
  questionnaire and sends the visitor to a linked page instead.
- score[outcome] = sum of the points of the chosen choices.
- A gate excludes its outcome unless its `unless` condition holds.
- The winner is the best-scoring outcome that is not excluded; ties go to the
  default outcome if it is among them, else to the first in outcome order; a
  lead of at most the guide's `close_call_margin` over the default goes to
  the default (`pick_outcome`).
- Reasons: each answer's points for the winner minus its points for the
  runner-up, so for and against add up to the margin.
- Notes: shown when their condition holds and the winner is one they may
  appear with (`Note.shown_with`).
- Flips: every single-answer change that would change the result, the most
  decisive first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from decisionguide.decision.document import Choice, Condition, GuideDocument, Question
from decisionguide.decision.verdict import LEAD_BASIS, Decision, Flip, Reason, clarity_for

Answers = Mapping[str, str]


@dataclass(frozen=True)
class AnswerProblem:
    """Why a set of answers can't be used as given; `message` is one complete line."""

    question: str
    message: str
    allowed: tuple[str, ...]

    def __str__(self) -> str:
        return self.message


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
    question_slugs = tuple(q.slug for q in index.questions)
    problems = [
        AnswerProblem(
            slug,
            f"unknown question {slug!r} (questions: {', '.join(question_slugs)})",
            question_slugs,
        )
        for slug in answers
        if slug not in index.position
    ]
    kept: dict[str, str] = {}
    routed_by: tuple[str, str] | None = None
    for question in index.questions:
        problem = _answer_problem(index, question, answers, kept, routed_by, complete)
        if problem is not None:
            problems.append(problem)
            continue
        value = answers.get(question.slug)
        choice = index.choices[question.slug].get(value) if isinstance(value, str) else None
        # No problem and a known choice: the answer counts for the questions after it.
        if choice is not None and routed_by is None and condition_holds(question.show_if, kept):
            kept[question.slug] = choice.slug
            if choice.route is not None:
                routed_by = (question.slug, choice.slug)
    return problems


def _answer_problem(
    index: _Index,
    question: Question,
    answers: Answers,
    kept: Mapping[str, str],
    routed_by: tuple[str, str] | None,
    complete: bool,
) -> AnswerProblem | None:
    """What is wrong with the answer to one question, given the answers kept before it."""
    slug = question.slug
    answered = slug in answers
    if routed_by is not None:
        if not answered:
            return None
        message = (
            f"{slug}: not asked, because {routed_by[0]}={routed_by[1]} ends the questions; "
            "leave this answer out"
        )
        return AnswerProblem(slug, message, ())
    if not condition_holds(question.show_if, kept):
        if not answered:
            return None
        assert question.show_if is not None  # only a condition can hide a question
        message = (
            f"{slug}: not asked with these answers (asked only when "
            f"{describe_condition(question.show_if)}); leave this answer out"
        )
        return AnswerProblem(slug, message, ())
    choices = tuple(index.choices[slug])
    allowed = ", ".join(choices)
    if not answered:
        if not complete:
            return None
        return AnswerProblem(slug, f"{slug}: missing answer (allowed: {allowed})", choices)
    value = answers.get(slug)
    if not isinstance(value, str) or value not in index.choices[slug]:
        return AnswerProblem(
            slug, f"{slug}: unknown choice {value!r} (allowed: {allowed})", choices
        )
    return None


# ---------------------------------------------------------------------------
# Scoring


def _scores(index: _Index, answers: Mapping[str, str]) -> dict[str, int]:
    scores = dict.fromkeys(index.outcomes, 0)
    for question_slug, choice_slug in answers.items():
        for outcome, points in index.choices[question_slug][choice_slug].points.items():
            scores[outcome] += points
    return scores


def excluded_outcomes(doc: GuideDocument, answers: Answers) -> dict[str, str]:
    """Outcome -> the reason of the first gate that rules it out for these answers."""
    excluded: dict[str, str] = {}
    for gate in doc.gates:
        if gate.outcome not in excluded and not condition_holds(gate.unless, answers):
            excluded[gate.outcome] = gate.reason
    return excluded


@dataclass(frozen=True)
class Standing:
    """Who is recommended, against whom, by how much, and whether a close call decided it."""

    outcome: str
    runner_up: str | None
    margin: int | None
    close_call: bool


def pick_outcome(
    doc: GuideDocument, scores: Mapping[str, int], excluded: Iterable[str]
) -> Standing:
    """The recommendation among the outcomes not ruled out.

    The best score wins; a tie goes to the default outcome if it is among
    them, else to the first in outcome order. A close call goes to the
    default: when the leader is at most `close_call_margin` points ahead of
    it, the default is recommended instead ("if still unsure, ...").
    """
    ruled_out = excluded if isinstance(excluded, dict | set | frozenset) else set(excluded)
    candidates = [o for o in _index(doc).outcomes if o not in ruled_out]
    default = doc.default_outcome
    if not candidates:
        return Standing(default, None, None, False)
    top = max(scores[o] for o in candidates)
    tied = [o for o in candidates if scores[o] == top]
    leader = default if default in tied else tied[0]
    winner = leader
    if (
        leader != default
        and default in candidates
        and top - scores[default] <= doc.close_call_margin
    ):
        winner = default
    others = [o for o in candidates if o != winner]
    if not others:
        return Standing(winner, None, None, False)
    # Against the leader when the default took a close call, else the best other.
    runner_up = leader if leader != winner else max(others, key=lambda o: scores[o])
    margin = scores[winner] - scores[runner_up]
    return Standing(winner, runner_up, margin, winner == default and margin <= 0)


def _reasons(
    index: _Index, answers: Mapping[str, str], standing: Standing
) -> tuple[tuple[Reason, ...], tuple[Reason, ...]]:
    """Answers that counted for the recommendation, and those that counted for the runner-up.

    Each answer is worth its points for the recommendation minus its points
    for the runner-up, so the two lists differ by exactly the margin; answers
    that count the same for both are left out. Biggest first, then in
    question order.
    """
    pros: list[tuple[int, int, Reason]] = []
    cons: list[tuple[int, int, Reason]] = []
    for question_slug, choice_slug in answers.items():
        choice = index.choices[question_slug][choice_slug]
        net = choice.points.get(standing.outcome, 0)
        if standing.runner_up is not None:
            net -= choice.points.get(standing.runner_up, 0)
        if net == 0:
            continue
        position = index.position[question_slug]
        question = index.questions[position]
        text = choice.reason or f"{question.short}: {choice.label}"
        reason = Reason(question_slug, choice_slug, text, abs(net))
        (pros if net > 0 else cons).append((-abs(net), position, reason))
    pros.sort(key=lambda item: item[:2])
    cons.sort(key=lambda item: item[:2])
    return tuple(r for _, _, r in pros), tuple(r for _, _, r in cons)


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


def shown_notes(doc: GuideDocument, answers: Answers, outcome: str | None) -> tuple[str, ...]:
    """The notes these answers switch on that may appear beside this recommendation."""
    return tuple(
        note.slug
        for note in doc.notes
        if note.shows_with(outcome) and condition_holds(note.when, answers)
    )


# ---------------------------------------------------------------------------
# What would change it


def _standing_after(
    doc: GuideDocument,
    index: _Index,
    answers: dict[str, str],
    question_slug: str,
    choice: Choice,
    scores: dict[str, int],
) -> tuple[str | None, str | None, int | None]:
    """(outcome, route, margin) if only the answer to `question_slug` were `choice`."""
    if choice.route is not None:
        # Nothing before this question routes (else it would not be
        # answered), so the questions end right here.
        return None, choice.route, None
    if index.has_dependents[question_slug]:
        # Later questions may appear or vanish: ask them again from here.
        position = index.position[question_slug]
        prefix = {k: v for k, v in answers.items() if index.position[k] < position}
        walk = _walk(index, {**answers, question_slug: choice.slug}, position, prefix)
        if walk.route is not None:
            return None, walk.route, None
        changed, new_scores = walk.kept, _scores(index, walk.kept)
    else:
        # No question's show_if looks at this one, so the other answers
        # all still count: only this answer and its points change.
        chosen = index.choices[question_slug][answers[question_slug]]
        changed = {**answers, question_slug: choice.slug}
        new_scores = dict(scores)
        for outcome, points in chosen.points.items():
            new_scores[outcome] -= points
        for outcome, points in choice.points.items():
            new_scores[outcome] += points
    standing = pick_outcome(doc, new_scores, excluded_outcomes(doc, changed))
    return standing.outcome, None, standing.margin


def _flips(
    doc: GuideDocument,
    index: _Index,
    answers: dict[str, str],
    scores: dict[str, int],
    current: tuple[str | None, str | None],
) -> tuple[Flip, ...]:
    """Every single-answer change that changes the result, most direct first.

    A change is more direct the clearer the result it gives: a flip to an
    outcome that then leads by 5 points ranks above one that tips a close
    call. Routes come last; ties keep question order.
    """
    flips: list[Flip] = []
    for question_slug, chosen_slug in answers.items():
        for choice in index.choices[question_slug].values():
            if choice.slug == chosen_slug:
                continue
            if choice.route is None and current[1] is not None:
                chosen = index.choices[question_slug][chosen_slug]
                if chosen.route is None and not index.has_dependents[question_slug]:
                    continue  # a later answer still routes
            outcome, route, margin = _standing_after(
                doc, index, answers, question_slug, choice, scores
            )
            if (outcome, route) != current:
                flips.append(Flip(question_slug, choice.slug, outcome, route, margin))
    order = {slug: i for i, slug in enumerate(answers)}
    return tuple(
        sorted(
            flips,
            key=lambda f: (
                f.route is not None,
                -(f.margin if f.margin is not None else 10**6),
                order[f.question],
            ),
        )
    )


def evaluate(doc: GuideDocument, answers: Answers) -> Decision:
    """The decision for these answers.

    Answers are cleaned first (a no-op for clean answers), so only shown,
    answered questions count whatever is passed in.
    """
    index = _index(doc)
    walk = _walk(index, answers)
    kept = walk.kept
    scores = _scores(index, kept)
    if walk.route is not None:
        current: tuple[str | None, str | None] = (None, walk.route)
        return Decision(
            outcome=None,
            route=walk.route,
            scores=scores,
            excluded={},
            notes=shown_notes(doc, kept, None),
            scenario=None,
            reasons=(),
            flips=_flips(doc, index, kept, scores, current),
            margin=None,
            clarity="",
        )
    excluded = excluded_outcomes(doc, kept)
    standing = pick_outcome(doc, scores, excluded)
    outcome = standing.outcome
    reasons, counter_reasons = _reasons(index, kept, standing)
    return Decision(
        outcome=outcome,
        route=None,
        scores=scores,
        excluded=excluded,
        notes=shown_notes(doc, kept, outcome),
        scenario=_nearest_scenario(doc, kept, outcome),
        reasons=reasons,
        flips=_flips(doc, index, kept, scores, (outcome, None)),
        margin=standing.margin,
        clarity=clarity_for(standing.margin, close_call=standing.close_call),
        runner_up=standing.runner_up,
        close_call=standing.close_call,
        counter_reasons=counter_reasons,
        basis=LEAD_BASIS,
    )
