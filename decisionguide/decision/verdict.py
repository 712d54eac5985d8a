"""What the engine answers: a `Decision`, with its reasons and flips, as plain data.

Results store `Decision.to_json()` and are shown again months later from
`Decision.from_json()`, so every field added here must have a default that
reads an older stored decision the way it was first shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

# How far ahead the winner must be (in points) for each clarity word.
CLEAR_MARGIN = 4
LEANING_MARGIN = 2
CLEAR = "clear"
LEANING = "leaning"
CLOSE = "close"

# `Decision.basis`: reasons count each answer's points for the winner minus its
# points for the runner-up, so they add up to the margin. Decisions stored
# before that have no basis: their reasons are the points for the winner alone.
LEAD_BASIS = "lead"
# `Decision.decided_by` when a close call went to the guide's default outcome.
DECIDED_BY_DEFAULT = "default"


@dataclass(frozen=True)
class Reason:
    """One answer and the points it is worth: towards the recommendation in
    `Decision.reasons`, towards the runner-up in `Decision.counter_reasons`."""

    question: str
    choice: str
    text: str
    points: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reason:
        return cls(data["question"], data["choice"], data["text"], data["points"])


@dataclass(frozen=True)
class Flip:
    """Changing the answer to `question` into `choice` gives this result instead.

    `also` holds the other answers that change with it, as (question, choice):
    the follow-up questions the new answer brings, answered as given, or a
    second changed answer (a two-answer change). The original answers with
    these applied (and cleaned) are a complete, valid answer set that gives
    exactly this result. `margin` is the new recommendation's lead with that
    change (None for a route, or when nothing else is left to compare with).
    """

    question: str
    choice: str
    outcome: str | None
    route: str | None
    margin: int | None = None
    also: tuple[tuple[str, str], ...] = ()

    def changes(self) -> tuple[tuple[str, str], ...]:
        """Every (question, choice) this flip sets, its own first."""
        return ((self.question, self.choice), *self.also)

    def to_json(self) -> dict[str, Any]:
        # Every field, in order: stored results keep this shape for good.
        data = asdict(self)
        data["also"] = [list(pair) for pair in self.also]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Flip:
        return cls(
            data["question"],
            data["choice"],
            data.get("outcome"),
            data.get("route"),
            data.get("margin"),
            # Flips stored before follow-ups were counted changed one answer only.
            tuple((str(q), str(c)) for q, c in data.get("also") or ()),
        )


@dataclass(frozen=True)
class Decision:
    """The engine's answer. Exactly one of `outcome` and `route` is set.

    `margin` is the recommendation's lead over `runner_up` in points; it may
    be zero or negative when `close_call` gave a near-tie to a tie-break's
    outcome or the guide's default (`decided_by` says which).
    `reasons` and `counter_reasons` hold every answer that counted more for
    one of the two, so their sums differ by exactly `margin`.
    """

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
    runner_up: str | None = None
    close_call: bool = False
    counter_reasons: tuple[Reason, ...] = ()
    basis: str = ""
    # What settled a close call: "" (the scores), "default", or a tie-break's question.
    decided_by: str = ""
    # The questions on which the closest example agrees with the answers, weightiest first.
    scenario_matches: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (what `manage.py recommend` prints and results store)."""
        return {
            "outcome": self.outcome,
            "route": self.route,
            "scores": dict(self.scores),
            "excluded": dict(self.excluded),
            "notes": list(self.notes),
            "scenario": self.scenario,
            "runner_up": self.runner_up,
            "margin": self.margin,
            "clarity": self.clarity,
            "close_call": self.close_call,
            "basis": self.basis,
            "decided_by": self.decided_by,
            "scenario_matches": list(self.scenario_matches),
            "reasons": [r.to_json() for r in self.reasons],
            "counter_reasons": [r.to_json() for r in self.counter_reasons],
            "flips": [f.to_json() for f in self.flips],
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
            reasons=tuple(Reason.from_json(r) for r in data.get("reasons") or ()),
            flips=tuple(Flip.from_json(f) for f in data.get("flips") or ()),
            margin=data.get("margin"),
            clarity=data.get("clarity") or "",
            runner_up=data.get("runner_up"),
            close_call=bool(data.get("close_call")),
            counter_reasons=tuple(Reason.from_json(r) for r in data.get("counter_reasons") or ()),
            basis=data.get("basis") or "",
            # Before tie-breaks, every close call went to the default.
            decided_by=data.get("decided_by")
            or (DECIDED_BY_DEFAULT if data.get("close_call") else ""),
            scenario_matches=tuple(data.get("scenario_matches") or ()),
        )

    @property
    def reasons_add_up(self) -> bool:
        """The reasons are counted against the runner-up, so they sum to the margin."""
        return self.basis == LEAD_BASIS and self.runner_up is not None


def clarity_for(margin: int | None, *, close_call: bool = False) -> str:
    if close_call:
        return CLOSE
    if margin is None or margin >= CLEAR_MARGIN:
        return CLEAR
    if margin >= LEANING_MARGIN:
        return LEANING
    return CLOSE
