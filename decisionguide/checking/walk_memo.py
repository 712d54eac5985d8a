"""What the exhaustive walk works out once per distinct case, not once per answer set.

Pure (no Django). On one complete answer set, the outcomes ruled out depend on
the answers only through whether each gate's condition holds; the
recommendation on those, the points and the answers to the tie-break
questions; the sentences the page shows and what is wrong with them (short of
the whole decision) on the recommendation and whether the conditions of the
gates, of the notes that may show beside it and of what the sentences assert
hold. The seed guide's 116,644 distinct cases share under 2,000 pages.

The walk decides the questions in order. It carries down which clauses hold
(one bit each, set by the answer that makes it hold) and which conditions do
(one bit each, worked out as soon as the last question it looks at is decided,
answered or skipped, once per combination of its clauses). Everything is
worked out with the straightforward functions the first time its key is met:
the keys only say when an earlier result must be the same. Counting the answer
sets before the walk (`count_answer_sets`) likewise counts what is below a
question once per combination of the answers the show-ifs from it on look at.
`test_checking_speed` holds the whole report to the straightforward walk's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol

from decisionguide.checking.findings import Finding
from decisionguide.checking.page_claims import PageChecks, Statement, claims_something
from decisionguide.decision.document import Choice, Condition, GuideDocument, Question
from decisionguide.decision.engine import condition_holds, excluded_outcomes, pick_outcome

# What a page key gives: the sentences shown, what is wrong with them, and whether
# one says an answer counted (then the whole decision is needed to check it).
Page = tuple[list[Statement], list[Finding], bool]


class LeafMemo:
    """Clause and condition bits for the walk, and the results they key."""

    def __init__(self, doc: GuideDocument, outcomes: Sequence[str], pages: PageChecks) -> None:
        self.doc = doc
        self.outcomes = outcomes
        self.pages = pages
        self.tie_breaks = tuple(dict.fromkeys(t.question for t in doc.tie_breaks))
        position = {q.slug: i for i, q in enumerate(doc.questions)}
        clauses: dict[tuple[str, tuple[str, ...]], int] = {}
        conditions: dict[Condition, int] = {}
        # Per position of the last question a condition looks at, plus one (0: it looks
        # at none of the guide's): (its bit, it), and the bits of their clauses.
        self.decided_after: list[list[tuple[int, Condition]]] = [
            [] for _ in range(len(doc.questions) + 1)
        ]
        for condition in _page_conditions(doc):
            if condition in conditions:
                continue
            conditions[condition] = 1 << len(conditions)
            last = -1
            for _, _, clause in condition.clauses():
                clauses.setdefault((clause.question, clause.in_), len(clauses))
                last = max(last, position.get(clause.question, -1))
            self.decided_after[last + 1].append((conditions[condition], condition))
        self.clauses = clauses
        self.conditions = conditions
        # The clauses the conditions decided at each point look at: what `settle` keys on.
        self.clauses_after = [
            _or(self._clause_bits(condition) for _, condition in group)
            for group in self.decided_after
        ]
        self.gate_bits = self._bits(gate.unless for gate in doc.gates)
        self.page_bits = {outcome: self._page_bits(outcome) for outcome in outcomes}
        self._settled: dict[tuple[int, int], int] = {}
        self._excluded: dict[int, tuple[dict[str, str], frozenset[str]]] = {}
        self._outcomes: dict[tuple[object, ...], str] = {}
        self._pages: dict[tuple[str, int], Page] = {}

    # -- Bits ---------------------------------------------------------------------------

    def _clause_bits(self, condition: Condition) -> int:
        return _or(1 << self.clauses[(c.question, c.in_)] for _, _, c in condition.clauses())

    def _bits(self, conditions: Iterable[Condition | None]) -> int:
        return _or(self.conditions[c] for c in conditions if c is not None)

    def _page_bits(self, outcome: str) -> int:
        """The conditions the page of `outcome` depends on (see the module doc)."""
        doc = self.doc
        notes = [note for note in doc.notes if claims_something(note) and note.shows_with(outcome)]
        return (
            self.gate_bits
            | self._bits(gate.asserts for gate in doc.gates)
            | self._bits(check.asserts for check in doc.failure_checks)
            | self._bits(note.when for note in notes)
            | self._bits(note.asserts for note in notes)
        )

    def option_clauses(self, question: str, choice: str) -> int:
        """The clauses this answer makes hold."""
        bits = 0
        for (asked, in_), number in self.clauses.items():
            if asked == question and choice in in_:
                bits |= 1 << number
        return bits

    def settle(self, decided: int, answers: Mapping[str, str], clauses: int, held: int) -> int:
        """`held` with the conditions whose last question is number `decided` (-1: none)
        that hold; call it for each question once it is answered or skipped."""
        key = (decided, clauses & self.clauses_after[decided + 1])
        bits = self._settled.get(key)
        if bits is None:
            bits = 0
            for bit, condition in self.decided_after[decided + 1]:
                if condition_holds(condition, answers):
                    bits |= bit
            self._settled[key] = bits
        return held | bits

    # -- Results ------------------------------------------------------------------------

    def leaf(
        self, scores: list[int], held: int, answers: Mapping[str, str]
    ) -> tuple[str, dict[str, str], Page]:
        """(outcome, ruled out, page) of one complete answer set."""
        gates = held & self.gate_bits
        ruled_out = self._excluded.get(gates)
        if ruled_out is None:
            excluded = excluded_outcomes(self.doc, answers)
            ruled_out = self._excluded[gates] = (excluded, frozenset(excluded))
        excluded, excluded_set = ruled_out
        key = (excluded_set, *scores, *map(answers.get, self.tie_breaks))
        outcome = self._outcomes.get(key)
        if outcome is None:
            scored = dict(zip(self.outcomes, scores, strict=True))
            outcome = pick_outcome(self.doc, scored, excluded, answers).outcome
            self._outcomes[key] = outcome
        page_key = (outcome, held & self.page_bits[outcome])
        page = self._pages.get(page_key)
        if page is None:
            shown, findings = self.pages.claims(answers, outcome, excluded)
            page = self._pages[page_key] = (shown, findings, any(s.counted for s in shown))
        return outcome, excluded, page

    def __len__(self) -> int:
        return len(self._pages)


def _page_conditions(doc: GuideDocument) -> Iterator[Condition]:
    """Every condition a page's result or sentences depend on (the rest: points)."""
    for gate in doc.gates:
        yield gate.unless
    for note in doc.notes:
        if claims_something(note):
            yield note.when
    for part in (*doc.notes, *doc.gates, *doc.failure_checks):
        if part.asserts is not None:
            yield part.asserts


def _or(bits: Iterable[int]) -> int:
    result = 0
    for bit in bits:
        result |= bit
    return result


class Folded(Protocol):
    """A way of answering a question (`answer_space` folds choices that act alike)."""

    choice: Choice
    route: str | None


def count_answer_sets(
    questions: Sequence[Question], options: Sequence[Sequence[Folded]], limit: int
) -> int | None:
    """Number of complete answer sets (folded, routes included), or None above `limit`."""
    # What is below a question depends only on the answers the show-ifs from it on look
    # at: each such combination is counted once (the seed guide: a few hundred, not 185,000).
    looked_at: list[tuple[str, ...]] = [()] * (len(questions) + 1)
    for index in range(len(questions) - 1, -1, -1):
        show_if = questions[index].show_if
        later = looked_at[index + 1]
        if show_if is not None:
            later = tuple(dict.fromkeys((*later, *(c.question for _, _, c in show_if.clauses()))))
        looked_at[index] = later
    counted: dict[tuple[object, ...], int] = {}

    def count(index: int, answers: dict[str, str]) -> int:
        """Answer sets from question `index` on; TooMany past the limit."""
        while index < len(questions) and not condition_holds(questions[index].show_if, answers):
            index += 1
        if index == len(questions):
            return 1
        key = (index, *map(answers.get, looked_at[index]))
        found = counted.get(key)
        if found is not None:
            return found
        question = questions[index]
        total = 0
        for option in options[index]:
            if option.route is not None:
                total += 1
            else:
                answers[question.slug] = option.choice.slug
                total += count(index + 1, answers)
                del answers[question.slug]
            if total > limit:
                raise _TooMany
        counted[key] = total
        return total

    try:
        return count(0, {})
    except _TooMany:
        return None


class _TooMany(Exception):
    """More answer sets than the limit: no need to count on."""
