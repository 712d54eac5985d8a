"""STAND-INS for engine functions agreed in the shared spec but not on this branch yet.

The coherence checks must see exactly what a result page shows, so they use the
engine's public functions. Four of those are being added by the engine's own
branch at the same time; until it is merged, the minimal versions here follow the
shared spec. Each one is marked STAND-IN and says what replaces it. Wherever the
checks also run `evaluate`, they compare its result with what these gave
(`page_claims` kind "engine"), so a stand-in that falls out of step with the
engine fails the checks loudly instead of hiding a contradiction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields

from decisionguide.decision import engine
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.verdict import Decision, Flip


def shown_failure_checks(doc: GuideDocument, outcome: str | None) -> tuple[int, ...]:
    """Indexes of `doc.failure_checks` shown beside this recommendation.

    STAND-IN for `engine.shown_failure_checks` (used as soon as the engine has it).
    """
    real = getattr(engine, "shown_failure_checks", None)
    if real is not None:
        return tuple(real(doc, outcome))
    return tuple(i for i, check in enumerate(doc.failure_checks) if check.shows_with(outcome))


def recommended(
    doc: GuideDocument,
    scores: Mapping[str, int],
    excluded: Iterable[str],
    answers: Mapping[str, str],
) -> str:
    """The recommendation for these scores and answers, tie-breaks included.

    STAND-IN for the engine's close-call rule with tie-breaks (shared spec):
    candidates within `close_call_margin` of the top score form the close set;
    with more than one outcome in it, the first tie-break whose answer settles
    for an outcome in the set wins, then the default if it is in the set, then
    the leader. Without tie-breaks this is `engine.pick_outcome` unchanged, which
    it calls. Replace it with the engine's function that takes the answers.
    """
    ruled_out = set(excluded)
    standing = engine.pick_outcome(doc, scores, ruled_out)
    if not doc.tie_breaks:
        return standing.outcome
    candidates = [o.slug for o in doc.outcomes if o.slug not in ruled_out]
    if len(candidates) < 2:
        return standing.outcome
    top = max(scores[o] for o in candidates)
    close = {o for o in candidates if top - scores[o] <= doc.close_call_margin}
    if len(close) < 2:
        return standing.outcome
    for tie_break in doc.tie_breaks:
        settled = tie_break.settles.get(answers.get(tie_break.question, ""))
        if settled in close:
            return settled
    return standing.outcome


# STAND-IN: whether the engine's flips name the other answers that change with them.
# Until they do, a flip can't carry the follow-up questions its answer brings, so a
# flip whose only fault is such an unanswered follow-up is a warning ("flip follow-up"),
# not a contradiction no content edit could fix. With the engine's `Flip.also` this
# turns true by itself and such a flip is "flip invalid". Remove at merge.
FLIPS_NAME_FOLLOW_UPS = "also" in {f.name for f in fields(Flip)}


def flip_also(flip: Flip) -> tuple[tuple[str, str], ...]:
    """The other answers that change with a flip (`Flip.also`; none before it existed).

    STAND-IN: reads `flip.also` once the engine's `Flip` has it.
    """
    return tuple(getattr(flip, "also", ()))


def explains_robustness(decision: Decision) -> bool:
    """Whether the page says why no change of answers moves the result.

    STAND-IN: the engine's robust explanation is not on this branch yet, so
    "What would change it" counts as filled only by flips. Replace with the
    engine's field or function (e.g. `bool(decision.robust)`).
    """
    return bool(getattr(decision, "robust", None))
