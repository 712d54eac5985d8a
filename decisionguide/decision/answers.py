"""Which questions are asked, and which answers count: the walk through a guide.

Pure, like the rest of the engine: a `GuideDocument` and a mapping of answers
(question slug -> choice slug) in, plain data out. `engine` re-exports the
public names, so callers keep importing them from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from decisionguide.decision.document import Choice, Condition, GuideDocument, Question
from decisionguide.decision.words import Listing, Words, gettext_lazy, joined, listing

Answers = Mapping[str, str]


@dataclass(frozen=True)
class AnswerProblem:
    """Why a set of answers can't be used as given; `message` is one complete line."""

    question: str
    words: Words  # what is wrong, put into the reader's language when read
    allowed: tuple[str, ...]

    @property
    def message(self) -> str:
        return str(self.words)

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------------------
# Lookups, built once per document


@dataclass(frozen=True)
class Index:
    questions: tuple[Question, ...]
    position: dict[str, int]
    choices: dict[str, dict[str, Choice]]
    # True when some later question's show_if looks at this question, so changing
    # its answer may show or hide other questions (flips then re-clean the answers).
    has_dependents: dict[str, bool]
    outcomes: tuple[str, ...]
    # The questions the tie-breaks look at, in order.
    tie_break_questions: tuple[str, ...] = ()
    # Question -> the gates (by position) whose condition looks at it.
    gates_on: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # What `flips` worked out for complete answers by what it depends on (thousands of
    # changes tried for a page share a few hundred): kept with the document's lookups.
    standings: dict[tuple[object, ...], tuple[str, int | None, int | None]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # Whether each gate's condition holds -> the outcomes ruled out (`flips` again).
    excluded: dict[tuple[bool, ...], dict[str, str]] = field(
        default_factory=dict, compare=False, repr=False
    )


# Documents are immutable, so lookups are kept per document object. Each entry
# holds the document itself, so its id can't be reused while the entry lives.
_INDEXES: dict[int, tuple[GuideDocument, Index]] = {}
_MAX_INDEXES = 64


def index_of(doc: GuideDocument) -> Index:
    entry = _INDEXES.get(id(doc))
    if entry is not None and entry[0] is doc:
        return entry[1]
    looked_at: set[str] = set()
    for question in doc.questions:
        if question.show_if is not None:
            looked_at.update(clause.question for _, _, clause in question.show_if.clauses())
    index = Index(
        questions=doc.questions,
        position={q.slug: i for i, q in enumerate(doc.questions)},
        choices={q.slug: {c.slug: c for c in q.choices} for q in doc.questions},
        has_dependents={q.slug: q.slug in looked_at for q in doc.questions},
        outcomes=tuple(o.slug for o in doc.outcomes),
        tie_break_questions=tuple(t.question for t in doc.tie_breaks),
        gates_on=_gates_on(doc),
    )
    if len(_INDEXES) >= _MAX_INDEXES:
        _INDEXES.clear()
    _INDEXES[id(doc)] = (doc, index)
    return index


def _gates_on(doc: GuideDocument) -> dict[str, tuple[int, ...]]:
    gates: dict[str, list[int]] = {}
    for number, gate in enumerate(doc.gates):
        for question in dict.fromkeys(clause.question for _, _, clause in gate.unless.clauses()):
            gates.setdefault(question, []).append(number)
    return {question: tuple(numbers) for question, numbers in gates.items()}


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
class Walk:
    shown: tuple[Question, ...]
    kept: dict[str, str]
    route: str | None


def walk(
    index: Index, answers: Answers, start: int = 0, kept: dict[str, str] | None = None
) -> Walk:
    """Ask the questions from `start` in order, keeping the answers that count.

    `kept` holds the (already clean) answers to the questions before `start`.
    """
    kept = {} if kept is None else kept
    shown: list[Question] = []
    choices = index.choices
    for question in index.questions[start:]:
        # Most questions are always asked: no call for them (flips walk thousands of times).
        show_if = question.show_if
        if show_if is not None and not condition_holds(show_if, kept):
            continue
        shown.append(question)
        slug = question.slug
        value = answers.get(slug)
        choice = choices[slug].get(value) if isinstance(value, str) else None
        if choice is None:
            continue
        kept[slug] = choice.slug
        if choice.route is not None:
            return Walk(tuple(shown), kept, choice.route)
    return Walk(tuple(shown), kept, None)


def clean_answers(doc: GuideDocument, answers: Answers) -> dict[str, str]:
    """The answers that count, in question order.

    An answer is kept only if its question is shown (against the answers kept
    so far) and names one of its choices; nothing after a routing choice is
    kept; unknown keys are dropped.
    """
    return walk(index_of(doc), answers).kept


def shown_questions(doc: GuideDocument, answers: Answers) -> list[Question]:
    """The questions asked for these answers, in order, ending at a routing answer."""
    return list(walk(index_of(doc), answers).shown)


def next_question(doc: GuideDocument, answers: Answers) -> Question | None:
    """The first shown question without an answer; None when done or routed."""
    done = walk(index_of(doc), answers)
    if done.route is not None:
        return None
    return next((q for q in done.shown if q.slug not in done.kept), None)


def describe_condition(condition: Condition) -> Listing:
    """A condition in the `question=choice` words the command line uses, joined by "or"
    and "and" in the reader's language."""

    def either(items: list[object]) -> object:
        return items[0] if len(items) == 1 else listing(items, "or")

    def clause_text(question: str, choices: Iterable[str]) -> object:
        return either([f"{question}={choice}" for choice in choices])

    parts = [clause_text(c.question, c.in_) for c in condition.all_]
    if condition.any_:
        parts.append(either([clause_text(c.question, c.in_) for c in condition.any_]))
    if len(parts) > 1:  # "(a or b) and c": brackets, no words
        parts = [
            joined(("(", part, ")"), "") if isinstance(part, Listing) else part for part in parts
        ]
    return listing(parts, "and")


def check_answers(
    doc: GuideDocument, answers: Answers, *, complete: bool = True
) -> list[AnswerProblem]:
    """Everything wrong with a set of answers, strictly (for tools, not visitors).

    Unknown questions first, then in question order: unknown choices, answers
    to questions that are not asked with these answers and, when `complete`,
    shown questions left unanswered. Each problem names the allowed values.
    """
    index = index_of(doc)
    question_slugs = tuple(q.slug for q in index.questions)
    problems = [
        AnswerProblem(
            slug,
            gettext_lazy(
                "unknown question “%(slug)s” (questions: %(questions)s)",
                slug=slug,
                questions=", ".join(question_slugs),
            ),
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
    index: Index,
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
        message = gettext_lazy(
            "%(slug)s: not asked, because %(answer)s ends the questions; leave this answer out",
            slug=slug,
            answer=f"{routed_by[0]}={routed_by[1]}",
        )
        return AnswerProblem(slug, message, ())
    if not condition_holds(question.show_if, kept):
        if not answered:
            return None
        assert question.show_if is not None  # only a condition can hide a question
        message = gettext_lazy(
            "%(slug)s: not asked with these answers (asked only when %(condition)s); leave "
            "this answer out",
            slug=slug,
            condition=describe_condition(question.show_if),
        )
        return AnswerProblem(slug, message, ())
    choices = tuple(index.choices[slug])
    allowed = ", ".join(choices)
    if not answered:
        if not complete:
            return None
        return AnswerProblem(
            slug,
            gettext_lazy(
                "%(slug)s: missing answer (allowed: %(allowed)s)", slug=slug, allowed=allowed
            ),
            choices,
        )
    value = answers.get(slug)
    if not isinstance(value, str) or value not in index.choices[slug]:
        return AnswerProblem(
            slug,
            gettext_lazy(
                "%(slug)s: unknown choice %(value)s (allowed: %(allowed)s)",
                slug=slug,
                value=repr(value),
                allowed=allowed,
            ),
            choices,
        )
    return None
