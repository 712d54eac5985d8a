"""Scores, gates, close calls and what is shown beside a recommendation.

Pure: plain functions over a `GuideDocument` and clean answers (see
`decision.answers`). `engine.evaluate` puts them together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from decisionguide.decision.answers import Answers, Index, condition_holds, index_of
from decisionguide.decision.document import GuideDocument, TieBreak
from decisionguide.decision.verdict import DECIDED_BY_DEFAULT, Reason


def scores_of(index: Index, answers: Mapping[str, str]) -> dict[str, int]:
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
    """Who is recommended, against whom, by how much, and what settled a close call.

    `decided_by` is "" when the scores decided, "default" when a close call
    went to the guide's default, else the question of the tie-break that
    settled it (`verdict.Decision.decided_by`).
    """

    outcome: str
    runner_up: str | None
    margin: int | None
    close_call: bool
    decided_by: str = ""


def pick_outcome(
    doc: GuideDocument,
    scores: Mapping[str, int],
    excluded: Iterable[str],
    answers: Answers | None = None,
) -> Standing:
    """The recommendation among the outcomes not ruled out.

    The best score leads; a tie goes to the default outcome if it is among
    them, else to the first in outcome order. Outcomes at most
    `close_call_margin` points behind the top score are a close call with
    it: the guide's tie-breaks are tried in order (the first whose answer
    settles for an outcome of the close set wins), then the default if it
    is in the close set, then the leader. With no tie-breaks, a close call
    goes to the default ("if still unsure, ...").
    """
    ruled_out = excluded if isinstance(excluded, dict | set | frozenset) else set(excluded)
    candidates = [o for o in index_of(doc).outcomes if o not in ruled_out]
    default = doc.default_outcome
    if not candidates:
        return Standing(default, None, None, False)
    top = max(scores[o] for o in candidates)
    tied = [o for o in candidates if scores[o] == top]
    leader = default if default in tied else tied[0]
    close = [o for o in candidates if top - scores[o] <= doc.close_call_margin]
    winner, decided_by = leader, ""
    if len(close) > 1:
        winner, decided_by = _settle(doc, close, answers or {}, leader)
    others = [o for o in candidates if o != winner]
    if not others:
        return Standing(winner, None, None, False)
    # Against the leader when a close call went elsewhere, else the best other.
    runner_up = leader if leader != winner else max(others, key=lambda o: scores[o])
    margin = scores[winner] - scores[runner_up]
    if margin > 0 and winner == leader and winner == _settle(doc, close, {}, leader, ())[0]:
        decided_by = ""  # it leads on its own and would win anyway: the scores decided
    return Standing(winner, runner_up, margin, bool(decided_by), decided_by)


def _settle(
    doc: GuideDocument,
    close: list[str],
    answers: Answers,
    leader: str,
    tie_breaks: tuple[TieBreak, ...] | None = None,
) -> tuple[str, str]:
    """(winner, decided_by) for a close call between the outcomes in `close`."""
    for tie_break in doc.tie_breaks if tie_breaks is None else tie_breaks:
        settled = tie_break.settles.get(answers.get(tie_break.question, ""))
        if settled in close:
            return settled, tie_break.question
    if doc.default_outcome in close:
        return doc.default_outcome, DECIDED_BY_DEFAULT
    return leader, ""


def reasons_for(
    index: Index, answers: Mapping[str, str], standing: Standing
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


def answer_weight(index: Index, question: str, choice: str) -> int:
    """How many points an answer moves, whichever way: what a shared answer weighs."""
    picked = index.choices.get(question, {}).get(choice)
    return sum(abs(points) for points in picked.points.values()) if picked else 0


def nearest_scenario(
    doc: GuideDocument, answers: Answers, outcome: str
) -> tuple[str | None, tuple[str, ...]]:
    """The closest example, and the questions it agrees with these answers on.

    Only public scenarios are examples (the others are the editors' tests). An
    example with the same outcome comes first, then the one whose shared
    answers weigh most (`answer_weight`), then file order; it must share at
    least one answer. The questions come weightiest first, then in question order.
    """
    index = index_of(doc)
    best: tuple[bool, int] | None = None
    nearest: str | None = None
    matches: tuple[str, ...] = ()
    for scenario in doc.examples:
        shared = [q for q, c in scenario.answers.items() if answers.get(q) == c]
        if not shared:
            continue
        weight = sum(answer_weight(index, q, answers[q]) for q in shared)
        rank = (scenario.outcome == outcome, weight)
        # Strictly better only, so file order breaks the remaining ties.
        if best is None or rank > best:
            best, nearest = rank, scenario.slug
            matches = tuple(
                sorted(
                    shared,
                    key=lambda q: (
                        -answer_weight(index, q, answers[q]),
                        index.position.get(q, len(index.position)),
                    ),
                )
            )
    return nearest, matches


def shown_notes(doc: GuideDocument, answers: Answers, outcome: str | None) -> tuple[str, ...]:
    """The notes these answers switch on that may appear beside this recommendation."""
    return tuple(
        note.slug
        for note in doc.notes
        if note.shows_with(outcome) and condition_holds(note.when, answers)
    )


def shown_failure_checks(doc: GuideDocument, outcome: str | None) -> tuple[int, ...]:
    """Indexes of the guide's failure checks shown beside this recommendation (None: a route).

    The result page, its exports and the guide's checks all ask this, so they agree.
    """
    return tuple(i for i, check in enumerate(doc.failure_checks) if check.shows_with(outcome))
