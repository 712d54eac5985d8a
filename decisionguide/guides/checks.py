"""Content checks for one guide document: does it still give the answers editors expect?

Pure (no Django, no database), like the engine it runs:

- every scenario's answer profile is evaluated and compared with the outcome
  the scenario says it ends with;
- which outcomes some complete set of answers can reach, which questions can
  ever be shown, and which routes can be taken. The search is exhaustive when
  the answer space is small enough (choices that act alike are tried once),
  else a bounded search: random answer sets plus a hill climb aimed at each
  outcome not reached yet. The report says which it was;
- choices that have no effect at all: no points, no route, no text box, and
  not looked at by any condition, gate, note or scenario.

A report `passes` when every scenario gives its outcome and every outcome is
reachable; `checkguide` exits non-zero otherwise and publishing is refused
while a scenario fails.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from decisionguide.decision.document import Choice, Condition, GuideDocument, Question
from decisionguide.decision.engine import (
    Decision,
    clean_answers,
    condition_holds,
    describe_condition,
    evaluate,
    shown_questions,
)

# Complete answer sets tried one by one before switching to a bounded search.
EXHAUSTIVE_LIMIT = 200_000
# Answer sets a bounded search may try.
BOUNDED_BUDGET = 20_000
# Fixed, so a report never changes between two runs on the same document.
RANDOM_SEED = 20240601

Method = Literal["exhaustive", "bounded"]


# ---------------------------------------------------------------------------
# Report


@dataclass(frozen=True)
class ScenarioCheck:
    """A scenario's profile run through the engine."""

    slug: str
    title: str
    expected: str
    decision: Decision
    # Profile answers that don't count (question not asked with these answers).
    ignored: tuple[str, ...]
    # Questions asked with these answers that the profile leaves out.
    unanswered: tuple[str, ...]

    @property
    def actual(self) -> str | None:
        return self.decision.outcome

    @property
    def passed(self) -> bool:
        return self.decision.route is None and self.decision.outcome == self.expected

    def result_text(self) -> str:
        route = self.decision.route
        return f"route {route}" if route is not None else str(self.decision.outcome)

    def why(self) -> str:
        """One line: what decided it, in the engine's terms."""
        decision = self.decision
        if decision.route is not None:
            return f"the answers end the questions with route {decision.route!r}"
        scores = ", ".join(f"{slug} {points}" for slug, points in decision.scores.items())
        parts = [f"scores: {scores}"]
        for outcome, reason in decision.excluded.items():
            parts.append(f"{outcome} ruled out ({first_line(reason)})")
        if decision.margin is not None:
            parts.append(f"margin {decision.margin} ({decision.clarity})")
        if not self.passed and self.expected in decision.excluded:
            parts.insert(0, f"expected {self.expected} is ruled out by a gate")
        return "; ".join(parts)


@dataclass(frozen=True)
class Reachability:
    method: Method
    # Complete answer sets evaluated.
    tried: int
    # Size of the answer space searched (choices that act alike counted once);
    # None when it is too large to count.
    space: int | None
    # Outcome -> one set of answers that reaches it.
    outcomes: dict[str, dict[str, str]]
    unreachable: tuple[str, ...]
    # Route (linked page slug) -> one set of answers that takes it.
    routes: dict[str, dict[str, str]]
    never_shown: tuple[str, ...]

    def describe_method(self) -> str:
        if self.method == "exhaustive":
            return f"exhaustive search over {self.tried} answer sets"
        space = f" of about {self.space}" if self.space else ""
        return (
            f"bounded search: {self.tried} answer sets tried{space}; an outcome listed as "
            "unreachable may still be reachable"
        )


@dataclass(frozen=True)
class UnusedChoice:
    question: str
    choice: str
    label: str


@dataclass(frozen=True)
class GuideReport:
    slug: str
    scenarios: tuple[ScenarioCheck, ...]
    reachability: Reachability
    unused_choices: tuple[UnusedChoice, ...]

    @property
    def failed_scenarios(self) -> tuple[ScenarioCheck, ...]:
        return tuple(s for s in self.scenarios if not s.passed)

    @property
    def scenarios_pass(self) -> bool:
        return not self.failed_scenarios

    @property
    def passes(self) -> bool:
        return self.scenarios_pass and not self.reachability.unreachable

    def problems(self) -> list[str]:
        """What makes the report fail, one line each."""
        lines = [
            f"scenario {s.slug}: expected {s.expected}, got {s.result_text()}"
            for s in self.failed_scenarios
        ]
        lines += [
            f"outcome {slug} is unreachable ({self.reachability.describe_method()})"
            for slug in self.reachability.unreachable
        ]
        return lines


def first_line(text: str, limit: int = 100) -> str:
    """The first line of a text, cut at `limit` characters (for one-line summaries)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


# ---------------------------------------------------------------------------
# Entry point


def check_document(
    doc: GuideDocument,
    *,
    exhaustive_limit: int = EXHAUSTIVE_LIMIT,
    bounded_budget: int = BOUNDED_BUDGET,
) -> GuideReport:
    return GuideReport(
        slug=doc.slug,
        scenarios=tuple(check_scenarios(doc)),
        reachability=reachability(
            doc, exhaustive_limit=exhaustive_limit, bounded_budget=bounded_budget
        ),
        unused_choices=tuple(unused_choices(doc)),
    )


def check_scenarios(doc: GuideDocument) -> Iterator[ScenarioCheck]:
    for scenario in doc.scenarios:
        answers = dict(scenario.answers)
        kept = clean_answers(doc, answers)
        decision = evaluate(doc, kept)
        shown = shown_questions(doc, kept)
        yield ScenarioCheck(
            slug=scenario.slug,
            title=scenario.title,
            expected=scenario.outcome,
            decision=decision,
            ignored=tuple(q for q in answers if q not in kept),
            unanswered=tuple(q.slug for q in shown if q.slug not in kept),
        )


# ---------------------------------------------------------------------------
# Choices with no effect


def unused_choices(doc: GuideDocument) -> Iterator[UnusedChoice]:
    looked_at: set[tuple[str, str]] = set()
    for condition in _conditions(doc, with_notes=True):
        for _, _, clause in condition.clauses():
            looked_at.update((clause.question, slug) for slug in clause.in_)
    for scenario in doc.scenarios:
        looked_at.update(scenario.answers.items())
    for question in doc.questions:
        text_choice = question.free_text.choice if question.free_text else None
        for choice in question.choices:
            if (
                not any(choice.points.values())
                and choice.route is None
                and choice.slug != text_choice
                and (question.slug, choice.slug) not in looked_at
            ):
                yield UnusedChoice(question.slug, choice.slug, choice.label)


def _conditions(doc: GuideDocument, *, with_notes: bool) -> Iterator[Condition]:
    for question in doc.questions:
        if question.show_if is not None:
            yield question.show_if
    for gate in doc.gates:
        yield gate.unless
    if with_notes:
        for note in doc.notes:
            yield note.when


# ---------------------------------------------------------------------------
# Reachability


@dataclass
class _Option:
    """One way of answering a question: a representative choice for all that act alike."""

    choice: Choice
    points: list[int]
    route: str | None


@dataclass
class _Space:
    doc: GuideDocument
    outcomes: tuple[str, ...]
    questions: tuple[Question, ...]
    options: tuple[tuple[_Option, ...], ...]
    found: dict[str, dict[str, str]] = field(default_factory=dict)
    routes: dict[str, dict[str, str]] = field(default_factory=dict)
    shown: set[str] = field(default_factory=set)
    tried: int = 0


def _options(doc: GuideDocument, outcomes: tuple[str, ...]) -> tuple[tuple[_Option, ...], ...]:
    """Per question, its choices with those that act alike folded into one.

    Two choices act alike for the outcome when they give the same points, the
    same route and are looked at by exactly the same show-if and gate clauses
    (notes never change the outcome).
    """
    memberships: dict[tuple[str, str], set[int]] = {}
    clause_id = 0
    for condition in _conditions(doc, with_notes=False):
        for _, _, clause in condition.clauses():
            for slug in clause.in_:
                memberships.setdefault((clause.question, slug), set()).add(clause_id)
            clause_id += 1
    result = []
    for question in doc.questions:
        seen: dict[tuple[object, ...], _Option] = {}
        for choice in question.choices:
            points = [choice.points.get(o, 0) for o in outcomes]
            key = (
                tuple(points),
                choice.route,
                frozenset(memberships.get((question.slug, choice.slug), ())),
            )
            if key not in seen:
                seen[key] = _Option(choice, points, choice.route)
        result.append(tuple(seen.values()))
    return tuple(result)


def _space_size(space: _Space, limit: int) -> int | None:
    """Number of complete answer sets (folded), or None when above `limit`."""
    count = 0

    def walk(index: int, answers: dict[str, str]) -> bool:
        nonlocal count
        while index < len(space.questions) and not condition_holds(
            space.questions[index].show_if, answers
        ):
            index += 1
        if index == len(space.questions):
            count += 1
            return count <= limit
        question = space.questions[index]
        for option in space.options[index]:
            if option.route is not None:
                count += 1
                if count > limit:
                    return False
                continue
            answers[question.slug] = option.choice.slug
            if not walk(index + 1, answers):
                return False
            del answers[question.slug]
        return True

    return count if walk(0, {}) else None


def _winner(space: _Space, scores: list[int], answers: Mapping[str, str]) -> str:
    doc = space.doc
    excluded = {g.outcome for g in doc.gates if not condition_holds(g.unless, answers)}
    candidates = [i for i, o in enumerate(space.outcomes) if o not in excluded]
    if not candidates:
        return doc.default_outcome
    top = max(scores[i] for i in candidates)
    tied = [space.outcomes[i] for i in candidates if scores[i] == top]
    return doc.default_outcome if doc.default_outcome in tied else tied[0]


def _exhaustive(space: _Space) -> None:
    scores = [0] * len(space.outcomes)

    def walk(index: int, answers: dict[str, str]) -> None:
        while index < len(space.questions) and not condition_holds(
            space.questions[index].show_if, answers
        ):
            index += 1
        if index == len(space.questions):
            space.tried += 1
            outcome = _winner(space, scores, answers)
            space.found.setdefault(outcome, dict(answers))
            return
        question = space.questions[index]
        space.shown.add(question.slug)
        for option in space.options[index]:
            if option.route is not None:
                space.tried += 1
                space.routes.setdefault(
                    option.route, {**answers, question.slug: option.choice.slug}
                )
                continue
            answers[question.slug] = option.choice.slug
            for i, points in enumerate(option.points):
                scores[i] += points
            walk(index + 1, answers)
            for i, points in enumerate(option.points):
                scores[i] -= points
            del answers[question.slug]

    walk(0, {})


def _play(space: _Space, pick: list[int]) -> tuple[dict[str, str], list[int], str | None]:
    """Answer in order, taking option `pick[i]` (wrapped) at each shown question.

    Returns the answers, the scores and the route taken (if any); records
    what was shown.
    """
    answers: dict[str, str] = {}
    scores = [0] * len(space.outcomes)
    for index, question in enumerate(space.questions):
        if not condition_holds(question.show_if, answers):
            continue
        space.shown.add(question.slug)
        options = space.options[index]
        option = options[pick[index] % len(options)]
        answers[question.slug] = option.choice.slug
        if option.route is not None:
            space.routes.setdefault(option.route, dict(answers))
            return answers, scores, option.route
        for i, points in enumerate(option.points):
            scores[i] += points
    return answers, scores, None


def _lead(space: _Space, target: int, scores: list[int], answers: Mapping[str, str]) -> float:
    """How close these answers come to recommending outcome `target` (higher is better)."""
    slug = space.outcomes[target]
    penalty = sum(
        1000
        for g in space.doc.gates
        if g.outcome == slug and not condition_holds(g.unless, answers)
    )
    others = [s for i, s in enumerate(scores) if i != target]
    lead = scores[target] - (max(others) if others else 0)
    return lead - penalty


def _bounded(space: _Space, budget: int) -> None:
    rng = random.Random(RANDOM_SEED)
    sizes = [len(options) for options in space.options]

    def record(pick: list[int]) -> tuple[list[int], dict[str, str], str | None]:
        space.tried += 1
        answers, scores, route = _play(space, pick)
        if route is None:
            outcome = _winner(space, scores, answers)
            space.found.setdefault(outcome, answers)
        return scores, answers, route

    # Random answer sets: a broad first look (and every route and shown question).
    for _ in range(budget // 2):
        record([rng.randrange(n) for n in sizes])
    # Hill climbs from random starts towards each outcome not reached yet.
    for target, slug in enumerate(space.outcomes):
        while slug not in space.found and space.tried < budget:
            pick = [rng.randrange(n) for n in sizes]
            scores, answers, route = record(pick)
            best = -1e9 if route else _lead(space, target, scores, answers)
            improved = True
            while improved and slug not in space.found and space.tried < budget:
                improved = False
                for index, size in enumerate(sizes):
                    for option in range(size):
                        if option == pick[index] % size:
                            continue
                        candidate = [*pick[:index], option, *pick[index + 1 :]]
                        scores, answers, route = record(candidate)
                        value = -1e9 if route else _lead(space, target, scores, answers)
                        if value > best:
                            best, pick, improved = value, candidate, True
                        if slug in space.found or space.tried >= budget:
                            break


def reachability(
    doc: GuideDocument,
    *,
    exhaustive_limit: int = EXHAUSTIVE_LIMIT,
    bounded_budget: int = BOUNDED_BUDGET,
) -> Reachability:
    outcomes = tuple(o.slug for o in doc.outcomes)
    space = _Space(doc, outcomes, doc.questions, _options(doc, outcomes))
    size = _space_size(space, exhaustive_limit)
    if size is not None:
        method: Method = "exhaustive"
        _exhaustive(space)
    else:
        method = "bounded"
        _bounded(space, bounded_budget)
        size = _estimate_size(space)
    found = {o: space.found[o] for o in outcomes if o in space.found}
    return Reachability(
        method=method,
        tried=space.tried,
        space=size,
        outcomes=found,
        unreachable=tuple(o for o in outcomes if o not in found),
        routes=dict(space.routes),
        never_shown=tuple(q.slug for q in doc.questions if q.slug not in space.shown),
    )


def _estimate_size(space: _Space) -> int:
    """An upper bound: every question asked, every folded choice tried."""
    size = 1
    for options in space.options:
        size *= len(options)
    return size


# ---------------------------------------------------------------------------
# Text output (checkguide)


def report_lines(report: GuideReport, heading: str) -> list[str]:
    lines = [heading]
    lines.append("  Scenarios:")
    if not report.scenarios:
        lines.append("    none")
    for check in report.scenarios:
        status = "PASS" if check.passed else "FAIL"
        lines.append(
            f"    {status} {check.slug}: expected {check.expected}, got {check.result_text()}"
        )
        lines.append(f"         why: {check.why()}")
        if check.ignored:
            lines.append(f"         answers not asked: {', '.join(check.ignored)}")
        if check.unanswered:
            lines.append(f"         questions left out: {', '.join(check.unanswered)}")
    reach = report.reachability
    lines.append(f"  Reachability ({reach.describe_method()}):")
    lines.append(f"    outcomes reached: {', '.join(reach.outcomes) or 'none'}")
    for slug in reach.unreachable:
        lines.append(f"    UNREACHABLE outcome: {slug}")
    lines.append(f"    routes taken: {', '.join(reach.routes) or 'none'}")
    lines.append(f"    questions never shown: {', '.join(reach.never_shown) or 'none'}")
    if report.unused_choices:
        unused = ", ".join(f"{c.question}={c.choice}" for c in report.unused_choices)
        lines.append(f"  Choices with no effect: {unused}")
    else:
        lines.append("  Choices with no effect: none")
    lines.append("  Result: " + ("OK" if report.passes else "; ".join(report.problems())))
    return lines


def condition_text(condition: Condition | None) -> str:
    """A condition as the admin shows it ("always" when there is none)."""
    return "always" if condition is None else describe_condition(condition)
