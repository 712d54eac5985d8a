"""Does one result page contradict itself? Every sentence it shows, held to the answers.

Pure (no Django). For one complete set of answers the page shows notes, the
ruled-out reason of the first gate per ruled-out outcome (`Decision.excluded`),
the failure checks shown beside the recommendation, its failure mode and the
closest example. Notes, gate reasons and failure checks may say what they claim
(`decision.document.Claims`); this module checks, wherever a sentence is shown:

- no sentence argues against the recommendation, and no two argue for and
  against the same outcome. The failure mode speaks for the recommendation, and
  so does the closest example unless the page says it ends differently; they
  speak against nothing, so a sentence that disagrees with them is one that
  argues against the recommendation and is counted as that;
- every `asserts` condition holds for the answers;
- every `counted` claim is among `Decision.reasons`;
- with the whole decision at hand (`flip_checks`): every change listed under
  "What would change it" is real, and the heading is never empty.

`PageChecks.check` takes one answer set, `Tally` keeps the counts by kind and a
few examples of each, in words an editor can act on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from decisionguide.checking.coherence import Tally
from decisionguide.checking.findings import Finding, excerpt
from decisionguide.checking.flip_checks import FlipChecks
from decisionguide.decision.document import (
    Clause,
    Condition,
    FailureCheck,
    Gate,
    GuideDocument,
    Note,
)
from decisionguide.decision.engine import (
    condition_holds,
    describe_condition,
    evaluate,
    shown_failure_checks,
)
from decisionguide.decision.verdict import Decision
from decisionguide.decision.words import Words, gettext_lazy, listing

Role = Literal["note", "ruled-out reason", "failure check"]
ROLE_ORDER: dict[str, int] = {"note": 0, "ruled-out reason": 1, "failure check": 2}


@dataclass(frozen=True)
class Statement:
    """One sentence a page may show and what it claims."""

    number: int  # unique within the guide, for the pair cache
    role: Role
    ref: str  # where it lives in the guide file: notes[slug], gates[2], failure_checks[0]
    words: Words  # how reports name it
    argues_for: frozenset[str]
    argues_against: frozenset[str]
    asserts: Condition | None
    counted: tuple[Clause, ...]
    sided: bool = field(init=False)  # argues for or against something

    def __post_init__(self) -> None:
        object.__setattr__(self, "sided", bool(self.argues_for or self.argues_against))


def _sides(
    outcomes: Iterable[str], argues_for: Iterable[str], argues_against: Iterable[str]
) -> tuple[frozenset[str], frozenset[str]]:
    """(for, against): a sentence for some outcomes speaks against every other."""
    for_ = frozenset(argues_for)
    against = set(argues_against)
    if for_:
        against.update(o for o in outcomes if o not in for_)
    return for_, frozenset(against)


class PageChecks:
    """The sentences of a guide's result pages, checked one answer set at a time."""

    def __init__(self, doc: GuideDocument) -> None:
        self.doc = doc
        self.names = {o.slug: o.name for o in doc.outcomes}
        outcomes = tuple(self.names)
        self.tally = Tally()
        self.flips = FlipChecks(doc, self.outcome_name)
        number = 0
        self.notes: dict[str, Statement] = {}
        for note in doc.notes:
            for_, against = _sides(outcomes, note.argues_for, note.argues_against)
            self.notes[note.slug] = Statement(
                number,
                "note",
                f"notes[{note.slug}]",
                gettext_lazy("note “%(title)s” (%(slug)s)", title=note.title, slug=note.slug),
                for_,
                against,
                note.asserts,
                note.counted,
            )
            number += 1
        self.gates: list[Statement] = []
        for i, gate in enumerate(doc.gates):
            for_, against = _sides(outcomes, gate.argues_for, gate.argues_against)
            self.gates.append(
                Statement(
                    number,
                    "ruled-out reason",
                    f"gates[{i}]",
                    gettext_lazy(
                        "the ruled-out reason of gate %(number)s for %(outcome)s (“%(text)s”)",
                        number=i + 1,
                        outcome=self.outcome_name(gate.outcome),
                        text=excerpt(gate.reason),
                    ),
                    for_ - {gate.outcome},
                    against | {gate.outcome},
                    gate.asserts,
                    gate.counted,
                )
            )
            number += 1
        self.checks: list[Statement] = []
        for i, check in enumerate(doc.failure_checks):
            for_, against = _sides(outcomes, check.argues_for, check.argues_against)
            self.checks.append(
                Statement(
                    number,
                    "failure check",
                    f"failure_checks[{i}]",
                    gettext_lazy(
                        "failure check %(number)s (“%(text)s”)",
                        number=i + 1,
                        text=excerpt(check.text),
                    ),
                    for_,
                    against,
                    check.asserts,
                    check.counted,
                )
            )
            number += 1
        # The gate behind each reason `Decision.excluded` can show; None when two gates
        # for one outcome share a reason (then the answers tell which is first).
        by_reason: dict[tuple[str, str], int | None] = {}
        for i, gate in enumerate(doc.gates):
            key = (gate.outcome, gate.reason)
            by_reason[key] = None if key in by_reason else i
        self._gate_by_reason = by_reason
        # Only sentences that claim something can contradict anything.
        # Claiming notes, each with the questions its condition looks at and what the
        # condition gave for the answers to them: `shown_notes` on every answer set
        # would cost more than the rest of the walk.
        self._switches = [
            (note, self.notes[note.slug], _looked_at(note.when), {})
            for note in doc.notes
            if _claims(self.notes[note.slug])
        ]
        self._notes_beside: dict[str, list[_Switch]] = {}
        self._checks_beside: dict[str, tuple[Statement, ...]] = {}
        self._pairs: dict[tuple[int, int], tuple[str, Statement, Statement] | None] = {}
        self._sides_memo: dict[tuple[str | int, ...], list[Finding]] = {}

    def outcome_name(self, slug: str | None) -> str:
        return self.names.get(slug or "", str(slug))

    # -- What the page shows ------------------------------------------------------------

    def shown(
        self, answers: Mapping[str, str], outcome: str, excluded: Mapping[str, str]
    ) -> list[Statement]:
        """The sentences that claim something among those the page shows, in page order
        (every gate's reason claims something: it argues against its outcome)."""
        shown: list[Statement] = []
        switches = self._notes_beside.get(outcome)
        if switches is None:
            switches = [switch for switch in self._switches if switch[0].shows_with(outcome)]
            self._notes_beside[outcome] = switches
        for note, statement, questions, seen in switches:
            key = tuple(map(answers.get, questions))
            holds = seen.get(key)
            if holds is None:
                holds = seen[key] = condition_holds(note.when, answers)
            if holds:
                shown.append(statement)
        for ruled_out, reason in excluded.items():
            gate = self._first_gate(ruled_out, reason, answers)
            if gate is not None:
                shown.append(gate)
        checks = self._checks_beside.get(outcome)
        if checks is None:
            indexes = shown_failure_checks(self.doc, outcome)
            checks = tuple(self.checks[i] for i in indexes if _claims(self.checks[i]))
            self._checks_beside[outcome] = checks
        shown += checks
        return shown

    def _first_gate(
        self, outcome: str, reason: str, answers: Mapping[str, str]
    ) -> Statement | None:
        """The gate whose reason `Decision.excluded` shows for a ruled-out outcome."""
        index = self._gate_by_reason.get((outcome, reason))
        if index is not None:
            return self.gates[index]
        for i, gate in enumerate(self.doc.gates):
            if (
                gate.outcome == outcome
                and gate.reason == reason
                and not condition_holds(gate.unless, answers)
            ):
                return self.gates[i]
        return None  # not the engine's gates: `engine_findings` says so where it runs

    # -- Checking one page --------------------------------------------------------------

    def check(
        self,
        answers: Mapping[str, str],
        outcome: str,
        excluded: Mapping[str, str],
        weight: int,
        *,
        whole_decision: bool,
    ) -> None:
        """Check the page of one complete answer set (standing for `weight` of them).

        `outcome` and `excluded` are what the walk worked out with the engine's
        functions; `whole_decision` also runs `evaluate` and checks its flips.
        """
        shown, findings = self.claims(answers, outcome, excluded)
        self.finish(shown, findings, answers, outcome, excluded, weight, whole_decision)

    def claims(
        self, answers: Mapping[str, str], outcome: str, excluded: Mapping[str, str]
    ) -> tuple[list[Statement], list[Finding]]:
        """The sentences the page shows and what is wrong with them without the whole
        decision: answers count only through the conditions of notes and asserts and
        the gates' (`walk_memo` keeps the result by them)."""
        shown = self.shown(answers, outcome, excluded)
        # Which sentences argue with which depends only on the sentences and the
        # recommendation: worked out once for each combination the walk meets.
        key = (outcome, *(s.number for s in shown))
        sides = self._sides_memo.get(key)
        if sides is None:
            sides = self._sides_memo[key] = self.side_findings(shown, outcome)
        return shown, [*sides, *self.assert_findings(shown, answers, outcome)]

    def finish(
        self,
        shown: list[Statement],
        findings: list[Finding],
        answers: Mapping[str, str],
        outcome: str,
        excluded: Mapping[str, str],
        weight: int,
        whole_decision: bool,
    ) -> None:
        """`check` after `claims`: what needs the whole decision, then the tally."""
        decision: Decision | None = None
        if whole_decision or any(s.counted for s in shown):
            decision = evaluate(self.doc, answers)
            findings = [*findings, *self.engine_findings(decision, answers, outcome, excluded)]
            findings += self.counted_findings(shown, decision, outcome)
        if whole_decision and decision is not None:
            self.tally.decisions_checked += weight
            findings += self.flips.findings(answers, decision)
        self.tally.record(findings, answers, outcome, weight)

    def side_findings(self, shown: list[Statement], outcome: str) -> list[Finding]:
        """Sentences arguing against the recommendation, and pairs arguing opposite ways."""
        name = self.outcome_name(outcome)
        findings = [
            Finding(
                "against",
                (statement.ref, outcome),
                gettext_lazy(
                    "%(sentence)s argues against %(outcome)s, the recommendation",
                    sentence=statement.words,
                    outcome=name,
                ),
            )
            for statement in shown
            if outcome in statement.argues_against
        ]
        sided = [s for s in shown if s.sided]
        for i, first in enumerate(sided):
            for second in sided[i + 1 :]:
                pair = self._conflict(first, second)
                if pair is not None:
                    findings.append(self._pair_finding(*pair, name))
        return findings

    def assert_findings(
        self, shown: list[Statement], answers: Mapping[str, str], outcome: str
    ) -> list[Finding]:
        return [
            Finding(
                "asserts",
                (statement.ref,),
                gettext_lazy(
                    "%(sentence)s is shown on a %(outcome)s result although what it "
                    "asserts (%(condition)s) does not hold",
                    sentence=statement.words,
                    outcome=self.outcome_name(outcome),
                    condition=describe_condition(statement.asserts),
                ),
            )
            for statement in shown
            if statement.asserts is not None and not condition_holds(statement.asserts, answers)
        ]

    def _conflict(
        self, first: Statement, second: Statement
    ) -> tuple[str, Statement, Statement] | None:
        """(outcome, the one for it, the one against it) when two sentences disagree."""
        key = (first.number, second.number)
        if key not in self._pairs:
            found = None
            for outcome in self.names:
                if outcome in first.argues_for and outcome in second.argues_against:
                    found = (outcome, first, second)
                elif outcome in second.argues_for and outcome in first.argues_against:
                    found = (outcome, second, first)
                if found:
                    break
            self._pairs[key] = found
        return self._pairs[key]

    def _pair_finding(
        self, outcome: str, pro: Statement, con: Statement, shown_name: str | Words
    ) -> Finding:
        a, b = sorted((pro, con), key=lambda s: (ROLE_ORDER[s.role], s.number))
        kind = f"{a.role} vs {b.role}"
        name = self.outcome_name(outcome)
        return Finding(
            kind,
            (a.ref, b.ref),
            gettext_lazy(
                "%(pro)s argues for %(outcome)s beside %(con)s, which argues against it, on a "
                "%(shown)s result",
                pro=pro.words,
                outcome=name,
                con=con.words,
                shown=shown_name,
            ),
        )

    def counted_findings(
        self, shown: list[Statement], decision: Decision, outcome: str
    ) -> list[Finding]:
        counted_for = {(r.question, r.choice) for r in decision.reasons}
        findings = []
        for statement in shown:
            for clause in statement.counted:
                if any((clause.question, c) in counted_for for c in clause.in_):
                    continue
                findings.append(
                    Finding(
                        "counted",
                        (statement.ref, clause.question),
                        gettext_lazy(
                            "%(sentence)s says %(answer)s counted towards %(outcome)s, but the "
                            "reasons for it don't list that answer",
                            sentence=statement.words,
                            answer=self._clause_words(clause),
                            outcome=self.outcome_name(outcome),
                        ),
                    )
                )
        return findings

    def _clause_words(self, clause: Clause) -> object:
        question = self.doc.question(clause.question)
        if question is None:
            return describe_condition(Condition(all=(clause,)))
        labels = [
            gettext_lazy("“%(label)s”", label=choice.label)
            for slug in clause.in_
            if (choice := question.choice(slug))
        ]
        return gettext_lazy(
            "“%(question)s” → %(answers)s", question=question.short, answers=listing(labels, "or")
        )

    def engine_findings(
        self,
        decision: Decision,
        answers: Mapping[str, str],
        outcome: str,
        excluded: Mapping[str, str],
    ) -> list[Finding]:
        """The walk's view of the page must be the engine's: else a stand-in is stale."""
        notes = [s.ref for s in self.shown(answers, outcome, excluded) if s.role == "note"]
        engine_notes = [
            statement.ref for slug in decision.notes if _claims(statement := self.notes[slug])
        ]
        if (
            decision.outcome == outcome
            and dict(decision.excluded) == dict(excluded)
            and notes == engine_notes
        ):
            return []
        return [
            Finding(
                "engine",
                ("engine",),
                gettext_lazy(
                    "the checks worked out %(outcome)s but the engine recommends %(engine)s",
                    outcome=self.outcome_name(outcome),
                    engine=self.outcome_name(decision.outcome),
                ),
            )
        ]


def _claims(statement: Statement) -> bool:
    return statement.sided or statement.asserts is not None or bool(statement.counted)


_Switch = tuple[Note, Statement, tuple[str, ...], dict[tuple[str | None, ...], bool]]


def _looked_at(condition: Condition) -> tuple[str, ...]:
    return tuple(dict.fromkeys(clause.question for _, _, clause in condition.clauses()))


def claims_something(part: Note | Gate | FailureCheck) -> bool:
    """Whether a note, gate or failure check says anything the checks can hold it to
    (a gate's reason always argues against its outcome)."""
    return bool(
        isinstance(part, Gate)
        or part.argues_for
        or part.argues_against
        or part.asserts is not None
        or part.counted
    )
