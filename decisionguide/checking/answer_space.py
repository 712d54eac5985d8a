"""Every complete set of answers a guide can be given, searched in one pass.

Pure (no Django, no database). One walk over the answer space finds:

- which outcomes some complete set of answers reaches, which routes can be
  taken and which questions can ever be shown (reachability);
- every set of answers whose result page contradicts itself (coherence:
  `page_claims` checks each page's sentences, `flip_checks` its changes).

The walk is exhaustive when the space is small enough. Choices that act
alike are tried once and counted for each of them: the same points, the
same route, looked at by exactly the same show-if, gate, note, asserts and
counted clauses, and settling close calls the same way in every tie-break.
Above the limit it is a bounded search (random answer sets plus a hill climb
towards each outcome not reached yet), and the report says so. Its cost grows
with the guide's content, not its answer space: the random first look gives
RANDOM_ANSWERS_BUDGET answers in all (fewer answer sets on a longer guide), and
scoring adds only the points a choice gives. With a time budget (a request
waiting: `checks.report_of`) any walk stops when it is used up, and the
reachability says it was not fully checked, which blocks publishing.

Every page's sentences are checked on every answer set walked; the exhaustive
walk works each page out once per distinct case (`walk_memo`: the points, which
gates and conditions hold, the tie-break answers), the same as judging each
answer set on its own (`memo=False`, which tests compare it with). The whole
decision (`evaluate`, whose flips try every other answer to every question)
costs far more, so it is checked on every answer set only while that stays
within `DECISION_WORK_BUDGET`; above it, on answer sets chosen at random with a
fixed seed (the report says how many), and `decision_budget=None` checks all.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from decisionguide.checking.coherence import Coherence, Contradiction, Method
from decisionguide.checking.page_claims import PageChecks, claims_something
from decisionguide.checking.walk_memo import LeafMemo, count_answer_sets
from decisionguide.decision.document import Choice, Condition, GuideDocument, Question
from decisionguide.decision.engine import condition_holds, excluded_outcomes, pick_outcome
from decisionguide.decision.words import Words, gettext_lazy, ngettext_lazy, number, rough_count

__all__ = ["Coherence", "Contradiction", "Reachability", "search"]

# Complete answer sets (choices that act alike counted once) walked one by one
# before switching to a bounded search.
EXHAUSTIVE_LIMIT = 200_000
# Answer sets a bounded search may try.
BOUNDED_BUDGET = 20_000
# Answers its random first half may give in all (an answer set of 300 questions costs
# 23 times one of 13): at most half the budget, fewer on a guide with many questions.
RANDOM_ANSWERS_BUDGET = 1_000_000
# Fixed, so a report never changes between two runs on the same document.
RANDOM_SEED = 20240601
# How much work whole decisions may take. One costs at most a flip for every other
# choice of every question, each walking the questions again: 27 x 13 on the seed
# guide (so about 1,400 of its 70,000 distinct answer sets, under a second), 800 x 200
# on the 200-question benchmark guide (3 answer sets).
DECISION_WORK_BUDGET = 500_000
# How often (in answer sets) the walk looks at the clock when it has a time budget.
CLOCK_EVERY = 256


class OutOfTime(Exception):
    """The search used up its time budget before it finished."""


@dataclass(frozen=True)
class Reachability:
    method: Method
    # Complete answer sets evaluated (choices that act alike counted once).
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
    # Every complete answer set a visitor could give that the search covered.
    answer_sets: int = 0
    # Seconds of the time budget after which the search stopped unfinished (None: finished).
    # Then what it found holds, but an outcome may be unreachable or a page contradict
    # itself unseen: such a report never lets a guide be published.
    stopped_after: float | None = None

    @property
    def finished(self) -> bool:
        return self.stopped_after is None

    def describe_method(self) -> Words:
        """How the outcomes were searched for, in words (after "By" on the checks page)."""
        if not self.finished:
            return ngettext_lazy(
                "a search stopped unfinished after %(seconds)s seconds (%(count)s answer set "
                "tried): not fully checked",
                "a search stopped unfinished after %(seconds)s seconds (%(count)s answer sets "
                "tried): not fully checked",
                self.tried,
                seconds=f"{self.stopped_after:g}",
                count=number(self.tried),
            )
        if self.method == "exhaustive":
            return ngettext_lazy(
                "exhaustive search over all %(count)s answer sets (%(cases)s distinct cases)",
                "exhaustive search over all %(count)s answer sets (%(cases)s distinct cases)",
                self.answer_sets,
                count=number(self.answer_sets),
                cases=number(self.tried),
            )
        if self.space:
            return gettext_lazy(
                "bounded search: %(tried)s answer sets tried of %(space)s; an outcome listed "
                "as unreachable may still be reachable",
                tried=number(self.tried),
                space=rough_count(self.space),
            )
        return gettext_lazy(
            "bounded search: %(tried)s answer sets tried; an outcome listed as unreachable "
            "may still be reachable",
            tried=number(self.tried),
        )


@dataclass
class _Option:
    """One way of answering a question: a representative choice for all that act alike."""

    choice: Choice
    points: list[int]
    route: str | None
    # How many of the question's choices it stands for.
    weight: int = 1

    @property
    def gains(self) -> tuple[tuple[int, int], ...]:
        """(outcome index, points) for each outcome it gives points to: most choices give
        points to one or two outcomes of many, so adding these is what scoring costs."""
        return tuple((i, p) for i, p in enumerate(self.points) if p)


@dataclass
class _Space:
    doc: GuideDocument
    outcomes: tuple[str, ...]
    questions: tuple[Question, ...]
    options: tuple[tuple[_Option, ...], ...]
    pages: PageChecks
    found: dict[str, dict[str, str]] = field(default_factory=dict)
    routes: dict[str, dict[str, str]] = field(default_factory=dict)
    shown: set[str] = field(default_factory=set)
    tried: int = 0
    answer_sets: int = 0
    # Which answer sets (by the order the walk meets them, routes included) get their
    # whole decision checked; None: every one.
    whole: set[int] | None = None
    # time.monotonic() past which the walk stops (OutOfTime); None: no time budget.
    deadline: float | None = None
    # Per question, per option: its `gains`, worked out once.
    gains: tuple[tuple[tuple[tuple[int, int], ...], ...], ...] = field(init=False)

    def __post_init__(self) -> None:
        self.gains = tuple(tuple(option.gains for option in options) for options in self.options)

    def tick(self) -> None:
        """Count one more answer set tried; stop the walk once its time is up."""
        self.tried += 1
        if (
            self.deadline is not None
            and self.tried % CLOCK_EVERY == 0
            and time.monotonic() > self.deadline
        ):
            raise OutOfTime

    def judge(self, scores: list[int], answers: Mapping[str, str], weight: int) -> str:
        """Record one complete answer set (standing for `weight` real ones); its outcome.

        Call it after counting the answer set in `tried`.
        """
        doc = self.doc
        excluded = excluded_outcomes(doc, answers)
        scored = dict(zip(self.outcomes, scores, strict=True))
        outcome = pick_outcome(doc, scored, excluded, answers).outcome
        if outcome not in self.found:
            self.found[outcome] = dict(answers)
        whole = self.whole is None or self.tried - 1 in self.whole
        self.pages.check(answers, outcome, excluded, weight, whole_decision=whole)
        return outcome


def _conditions(doc: GuideDocument) -> list[Condition]:
    """Every condition that can change a result, what it shows beside it or whether
    what it shows holds: show-ifs, gates, notes, and what sentences assert or say counted."""
    conditions = [q.show_if for q in doc.questions if q.show_if is not None]
    conditions += [gate.unless for gate in doc.gates]
    # A note that claims nothing can't contradict anything: when it shows doesn't matter.
    conditions += [note.when for note in doc.notes if claims_something(note)]
    for part in (*doc.notes, *doc.gates, *doc.failure_checks):
        if part.asserts is not None:
            conditions.append(part.asserts)
        # Each counted clause on its own: an answer counts or it doesn't.
        conditions += [Condition(all=(clause,)) for clause in part.counted]
    return conditions


def _options(doc: GuideDocument, outcomes: tuple[str, ...]) -> tuple[tuple[_Option, ...], ...]:
    """Per question, its choices with those that act alike folded into one."""
    memberships: dict[tuple[str, str], set[object]] = {}
    clause_id = 0
    for condition in _conditions(doc):
        for _, _, clause in condition.clauses():
            for slug in clause.in_:
                memberships.setdefault((clause.question, slug), set()).add(clause_id)
            clause_id += 1
    # A tie-break tells choices apart by the outcome each settles a close call for.
    for place, tie_break in enumerate(doc.tie_breaks):
        for slug, settled in tie_break.settles.items():
            memberships.setdefault((tie_break.question, slug), set()).add((place, settled))
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
            if key in seen:
                seen[key].weight += 1
            else:
                seen[key] = _Option(choice, points, choice.route)
        result.append(tuple(seen.values()))
    return tuple(result)


def _next_shown(space: _Space, index: int, answers: Mapping[str, str]) -> int:
    questions = space.questions
    while index < len(questions) and not condition_holds(questions[index].show_if, answers):
        index += 1
    return index


def _space_size(space: _Space, limit: int) -> int | None:
    """Number of complete answer sets (folded), or None when above `limit`."""
    # Every mix of the (folded, not routing) options of the questions always shown
    # completes at least one answer set: past the limit, no need to count them one by one.
    at_least = 1
    for question, options in zip(space.questions, space.options, strict=True):
        if question.show_if is None:
            at_least *= max(1, sum(1 for option in options if option.route is None))
            if at_least > limit:
                return None
    return count_answer_sets(space.questions, space.options, limit)


def _exhaustive(space: _Space, *, memo: bool = True) -> None:
    """Every answer set in order. With `memo`, each condition is held to the answers once
    per combination of its clauses and each page worked out once per key (`walk_memo`);
    without, every answer set is judged on its own (the straightforward walk)."""
    scores = [0] * len(space.outcomes)
    questions = space.questions
    leaves = LeafMemo(space.doc, space.outcomes, space.pages)
    holds = [
        [leaves.option_clauses(q.slug, option.choice.slug) for option in options]
        for q, options in zip(questions, space.options, strict=True)
    ]

    # Whether any condition is decided once question i - 1 is (most questions: none).
    decides = [bool(group) for group in leaves.decided_after]
    show_ifs = [q.show_if for q in questions]
    record = space.pages.tally.record
    found = space.found

    def walk(index: int, answers: dict[str, str], weight: int, clauses: int, held: int) -> None:
        if decides[index]:
            held = leaves.settle(index - 1, answers, clauses, held)
        while index < len(questions) and not (
            show_ifs[index] is None or condition_holds(show_ifs[index], answers)
        ):
            if decides[index + 1]:
                held = leaves.settle(index, answers, clauses, held)
            index += 1
        if index == len(questions):
            space.tick()
            space.answer_sets += weight
            if not memo:
                space.judge(scores, answers, weight)
                return
            outcome, excluded, (shown, findings, counted) = leaves.leaf(scores, held, answers)
            if outcome not in found:
                found[outcome] = dict(answers)
            whole = space.whole is None or space.tried - 1 in space.whole
            if whole or counted:
                space.pages.finish(shown, findings, answers, outcome, excluded, weight, whole)
            else:
                record(findings, answers, outcome, weight)
            return
        question = questions[index]
        space.shown.add(question.slug)
        for option, gains, clause_bits in zip(
            space.options[index], space.gains[index], holds[index], strict=True
        ):
            if option.route is not None:
                space.tick()
                space.answer_sets += weight * option.weight
                space.routes.setdefault(
                    option.route, {**answers, question.slug: option.choice.slug}
                )
                continue
            answers[question.slug] = option.choice.slug
            for i, points in gains:
                scores[i] += points
            walk(index + 1, answers, weight * option.weight, clauses | clause_bits, held)
            for i, points in gains:
                scores[i] -= points
            del answers[question.slug]

    walk(0, {}, 1, 0, 0)


def _play(space: _Space, pick: list[int]) -> tuple[dict[str, str], list[int], str | None]:
    """Answer in order, taking option `pick[i]` (wrapped) at each shown question.

    Returns the answers, the scores and the route taken (if any); records
    what was shown.
    """
    answers: dict[str, str] = {}
    scores = [0] * len(space.outcomes)
    shown = space.shown
    for question, options, gains, at in zip(
        space.questions, space.options, space.gains, pick, strict=True
    ):
        if question.show_if is not None and not condition_holds(question.show_if, answers):
            continue
        shown.add(question.slug)
        at %= len(options)
        option = options[at]
        answers[question.slug] = option.choice.slug
        if option.route is not None:
            space.routes.setdefault(option.route, dict(answers))
            return answers, scores, option.route
        for i, points in gains[at]:
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


def random_pick(rng: random.Random, sizes: list[int]) -> list[int]:
    """An option at random for each question (as `randrange`, a third of its cost: the
    bounded search draws one for every question of thousands of answer sets)."""
    return [int(rng.random() * n) for n in sizes]


def _bounded(space: _Space, budget: int) -> None:
    rng = random.Random(RANDOM_SEED)
    sizes = [len(options) for options in space.options]

    def record(pick: list[int]) -> tuple[list[int], dict[str, str], str | None]:
        space.tick()
        answers, scores, route = _play(space, pick)
        if route is None:
            space.judge(scores, answers, 1)
        return scores, answers, route

    # Random answer sets: a broad first look (and every route and shown question).
    asked = max(1, len(sizes))
    for _ in range(min(budget // 2, max(1, RANDOM_ANSWERS_BUDGET // asked))):
        record(random_pick(rng, sizes))
    # Hill climbs from random starts towards each outcome not reached yet.
    for target, slug in enumerate(space.outcomes):
        while slug not in space.found and space.tried < budget:
            pick = random_pick(rng, sizes)
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


def search(
    doc: GuideDocument,
    *,
    exhaustive_limit: int = EXHAUSTIVE_LIMIT,
    bounded_budget: int = BOUNDED_BUDGET,
    decision_budget: int | None = DECISION_WORK_BUDGET,
    time_budget: float | None = None,
    memo: bool = True,
) -> tuple[Reachability, Coherence]:
    """Walk the answer space once: what can be reached, and what contradicts itself.

    With `time_budget` (seconds), the walk stops when it is used up and the
    reachability says so (`stopped_after`): a request never waits longer. Without
    `memo`, an exhaustive walk judges every answer set on its own (slower, the same
    report: tests compare the two).
    """
    started = time.monotonic()
    outcomes = tuple(o.slug for o in doc.outcomes)
    space = _Space(doc, outcomes, doc.questions, _options(doc, outcomes), PageChecks(doc))
    if time_budget is not None:
        space.deadline = started + time_budget
    stopped_after: float | None = None
    # Whole decisions this budget affords.
    work = max(1, sum(len(q.choices) - 1 for q in doc.questions) * len(doc.questions))
    affordable = None if decision_budget is None else max(1, decision_budget // work)
    size = _space_size(space, exhaustive_limit)
    if size is not None:
        method: Method = "exhaustive"
        if affordable is not None and affordable < size:
            space.whole = set(random.Random(RANDOM_SEED).sample(range(size), affordable))
            decisions = ngettext_lazy(
                "%(count)s distinct answer set chosen at random",
                "%(count)s distinct answer sets chosen at random",
                affordable,
                count=number(affordable),
            )
        else:
            decisions = gettext_lazy("every answer set")
        try:
            _exhaustive(space, memo=memo)
        except OutOfTime:
            stopped_after = time_budget
    else:
        method = "bounded"
        if affordable is not None:
            space.whole = set(range(affordable))
        decisions = (
            gettext_lazy("every answer set tried")
            if affordable is None
            else ngettext_lazy(
                "the first %(count)s answer set tried",
                "the first %(count)s answer sets tried",
                affordable,
                count=number(affordable),
            )
        )
        try:
            _bounded(space, bounded_budget)
        except OutOfTime:
            stopped_after = time_budget
        size = _estimate_size(space)
        space.answer_sets = space.tried
    found = {o: space.found[o] for o in outcomes if o in space.found}
    reachability = Reachability(
        method=method,
        tried=space.tried,
        space=size,
        outcomes=found,
        # Stopped short, an outcome not found yet is not known to be unreachable.
        unreachable=tuple(o for o in outcomes if o not in found and stopped_after is None),
        routes=dict(space.routes),
        never_shown=tuple(q.slug for q in doc.questions if q.slug not in space.shown),
        answer_sets=space.answer_sets,
        stopped_after=stopped_after,
    )
    return reachability, space.pages.tally.coherence(method, decisions)


def _estimate_size(space: _Space) -> int:
    """An upper bound: every question asked, every folded choice tried."""
    size = 1
    for options in space.options:
        size *= len(options)
    return size
