"""What would change it: the changes of answers that give another result.

Every change listed is a complete, valid answer set: a new answer that
brings follow-up questions is tried with each way of answering them (up to
`MAX_COMPLETIONS`), and listed with the follow-up answers that make it flip
(`Flip.also`); a change none of whose follow-up answers flips it is left out.
When no single answer gives another recommendation, the smallest two-answer
changes that do are listed instead (at most `MAX_PAIRS_KEPT`, tried among
`MAX_PAIR_CANDIDATES` single changes so a 200-question guide stays quick).
When none of those exists either, the result holds within two answers and
the page says so (its gates and its lead are in the `Decision`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import combinations

from decisionguide.decision.answers import Index, condition_holds, walk
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.scoring import excluded_outcomes, pick_outcome, scores_of
from decisionguide.decision.verdict import Flip

# Follow-up answer sets tried for one change (a follow-up of two choices makes two).
MAX_COMPLETIONS = 16
# Single changes paired up when looking for two-answer changes, the nearest misses first.
MAX_PAIR_CANDIDATES = 60
# Two-answer changes kept: the clearest first, each other outcome at least once.
MAX_PAIRS_KEPT = 6

Change = tuple[str, str]
Result = tuple[str | None, str | None]


@dataclass(frozen=True)
class _Tried:
    """One way a change turns out: the follow-up answers given, and the result."""

    follow_ups: tuple[Change, ...]
    outcome: str | None
    route: str | None
    margin: int | None
    # The current recommendation's lead afterwards (how near a miss it was).
    lead: int | None = None


# Standings kept per document (`Index.standings`) before they are forgotten all at once:
# the seed guide's checks meet about 7,500; a few megabytes at most for each of the
# documents whose lookups are kept (`answers._MAX_INDEXES`).
MAX_STANDINGS = 10_000


def _standing(
    doc: GuideDocument,
    index: Index,
    answers: Mapping[str, str],
    scores: dict[str, int],
    current: str | None,
    holds: tuple[bool, ...] | None = None,
) -> tuple[str, int | None, int | None]:
    """(outcome, margin, the current outcome's lead) for complete answers that stay.

    `holds`: whether each gate's condition holds for these answers, if known."""
    if holds is None:
        excluded = excluded_outcomes(doc, answers)
    else:
        # Which gates hold says who is ruled out (the first gate's reason for each).
        known = index.excluded.get(holds)
        excluded = known if known is not None else excluded_outcomes(doc, answers)
        if known is None:
            index.excluded[holds] = excluded
    # All the rest depends on: who is ruled out, the points, the tie-break answers.
    key = (current, *excluded, *scores.items(), *map(answers.get, index.tie_break_questions))
    found = index.standings.get(key)
    if found is not None:
        return found
    standing = pick_outcome(doc, scores, excluded, answers)
    lead = None
    if current is not None and current not in excluded:
        others = [s for o, s in scores.items() if o != current and o not in excluded]
        lead = scores[current] - max(others) if others else None
    if len(index.standings) >= MAX_STANDINGS:
        index.standings.clear()
        index.excluded.clear()
    found = index.standings[key] = (standing.outcome, standing.margin, lead)
    return found


def _gates_hold(doc: GuideDocument, answers: Mapping[str, str]) -> tuple[bool, ...]:
    return tuple(condition_holds(gate.unless, answers) for gate in doc.gates)


def _try(
    doc: GuideDocument,
    index: Index,
    answers: dict[str, str],
    changes: tuple[Change, ...],
    scores: dict[str, int],
    current: str | None,
    holds: tuple[bool, ...],
) -> Iterator[_Tried]:
    """Each way `changes` (to clean, complete answers) can turn out; `holds`: whether
    each gate's condition holds for `answers`."""
    choices = index.choices
    plain = True
    for question, slug in changes:
        if (
            index.has_dependents[question]
            or choices[question][slug].route is not None
            or choices[question][answers[question]].route is not None
        ):
            plain = False
            break
    if plain:
        # No question's show_if looks at these, so the other answers all still
        # count: only these answers and their points change.
        new_scores = dict(scores)
        for question, slug in changes:
            for outcome, points in choices[question][answers[question]].points.items():
                new_scores[outcome] -= points
            for outcome, points in choices[question][slug].points.items():
                new_scores[outcome] += points
        changed = {**answers, **dict(changes)}
        # Only the gates that look at a changed answer may now hold otherwise.
        touched = [number for question, _ in changes for number in index.gates_on.get(question, ())]
        if touched:
            now = list(holds)
            for number in touched:
                now[number] = condition_holds(doc.gates[number].unless, changed)
            holds = tuple(now)
        outcome, margin, lead = _standing(doc, index, changed, new_scores, current, holds)
        yield _Tried((), outcome, None, margin, lead)
        return
    # Later questions may appear or vanish: ask them all again (and any question
    # left unanswered, so every result is a complete answer set).
    given = {**answers, **dict(changes)}
    for follow_ups, kept, route in _completions(index, given):
        if route is not None:
            yield _Tried(follow_ups, None, route, None)
        else:
            outcome, margin, lead = _standing(doc, index, kept, scores_of(index, kept), current)
            yield _Tried(follow_ups, outcome, None, margin, lead)


def _completions(
    index: Index, given: dict[str, str]
) -> list[tuple[tuple[Change, ...], dict[str, str], str | None]]:
    """(follow-up answers, the answers kept, route) for each way of answering
    the questions these answers bring that have no answer yet (depth first)."""
    found: list[tuple[tuple[Change, ...], dict[str, str], str | None]] = []

    def visit(follow_ups: tuple[Change, ...]) -> None:
        if len(found) >= MAX_COMPLETIONS:
            return
        done = walk(index, {**given, **dict(follow_ups)})
        missing = (
            None if done.route else next((q for q in done.shown if q.slug not in done.kept), None)
        )
        if missing is None:
            found.append((follow_ups, done.kept, done.route))
            return
        for choice in missing.choices:
            visit((*follow_ups, (missing.slug, choice.slug)))

    visit(())
    return found


def find_flips(
    doc: GuideDocument,
    index: Index,
    answers: dict[str, str],
    scores: dict[str, int],
    current: Result,
) -> tuple[Flip, ...]:
    """Every single-answer change that changes the result, most direct first; when
    none gives another recommendation, the smallest two-answer changes that do.

    A change is more direct the clearer the result it gives: a flip to an
    outcome that then leads by 5 points ranks above one that tips a close
    call. Routes come last; ties keep question order.
    """
    flips: list[Flip] = []
    near_misses: list[tuple[int, int, Change]] = []
    holds = _gates_hold(doc, answers)
    for question, chosen in answers.items():
        for choice in index.choices[question].values():
            if choice.slug == chosen:
                continue
            # From a route: a new answer that neither routes nor leaves the route
            # answer nor shows or hides a question still ends at that later route.
            stays = index.choices[question][chosen].route is None
            if (
                choice.route is None
                and current[1] is not None
                and stays
                and not index.has_dependents[question]
            ):
                continue
            change = (question, choice.slug)
            misses = []
            for tried in _try(doc, index, answers, (change,), scores, current[0], holds):
                if (tried.outcome, tried.route) != current:
                    flips.append(
                        Flip(*change, tried.outcome, tried.route, tried.margin, tried.follow_ups)
                    )
                elif tried.lead is not None:
                    misses.append(tried.lead)
            if misses and choice.route is None:
                near_misses.append((min(misses), len(near_misses), change))
    order = {slug: i for i, slug in enumerate(answers)}
    if current[0] is not None and not any(f.outcome is not None for f in flips):
        flips += _pairs(doc, index, answers, scores, current[0], near_misses, holds)
    return tuple(
        sorted(
            flips,
            key=lambda f: (
                f.route is not None,
                len(f.also) > 0 and f.also[0][0] in answers,  # two-answer changes after
                -(f.margin if f.margin is not None else 10**6),
                order[f.question],
            ),
        )
    )


def _pairs(
    doc: GuideDocument,
    index: Index,
    answers: dict[str, str],
    scores: dict[str, int],
    current: str,
    near_misses: list[tuple[int, int, Change]],
    holds: tuple[bool, ...],
) -> list[Flip]:
    """The clearest two-answer changes to another recommendation (see the module doc)."""
    candidates = [change for _, _, change in sorted(near_misses)[:MAX_PAIR_CANDIDATES]]
    candidates.sort(key=lambda change: index.position[change[0]])
    found: list[Flip] = []
    for first, second in combinations(candidates, 2):
        if first[0] == second[0]:
            continue
        for tried in _try(doc, index, answers, (first, second), scores, current, holds):
            if tried.outcome is not None and tried.outcome != current:
                also = (second, *tried.follow_ups)
                found.append(Flip(*first, tried.outcome, None, tried.margin, also))
    found.sort(key=lambda f: -(f.margin or 0))
    kept: list[Flip] = []
    for flip in found:  # the clearest change to each other outcome first
        if all(k.outcome != flip.outcome for k in kept):
            kept.append(flip)
    for flip in found:
        if len(kept) >= MAX_PAIRS_KEPT:
            break
        if flip not in kept:
            kept.append(flip)
    return kept[:MAX_PAIRS_KEPT]
