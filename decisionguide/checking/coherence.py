"""What the coherence checks found: counts of contradicting answer sets by kind, and
a few examples of each in words (`page_claims` and `flip_checks` find them).

Pure data, read by `checkguide`, the admin's Checks page and its dashboard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from decisionguide.checking.findings import Finding
from decisionguide.decision.words import Words, gettext_lazy, joined, ngettext_lazy, number

Method = Literal["exhaustive", "bounded"]

# Kinds of contradiction, in the order reports list them, with their words. The keys
# are names for `checkguide`'s log (and for code); editors read the words.
KINDS: dict[str, Words] = {
    "against": gettext_lazy("a sentence argues against the recommendation"),
    "note vs note": gettext_lazy("two notes argue opposite ways"),
    "note vs ruled-out reason": gettext_lazy("a note and a ruled-out reason argue opposite ways"),
    "note vs failure check": gettext_lazy("a note and a failure check argue opposite ways"),
    "ruled-out reason vs ruled-out reason": gettext_lazy(
        "two ruled-out reasons argue opposite ways"
    ),
    "ruled-out reason vs failure check": gettext_lazy(
        "a ruled-out reason and a failure check argue opposite ways"
    ),
    "failure check vs failure check": gettext_lazy("two failure checks argue opposite ways"),
    "asserts": gettext_lazy("a sentence is shown where what it asserts is untrue"),
    "counted": gettext_lazy("a sentence says an answer counted, but the reasons don't list it"),
    "flip invalid": gettext_lazy(
        "a change under “What would change it” is not a complete, valid set of answers"
    ),
    "flip wrong": gettext_lazy(
        "a change under “What would change it” doesn't give the result it names"
    ),
    "engine": gettext_lazy("the checks and the engine disagree about what the page shows"),
}
# Examples kept per kind: the first answer set for each of this many different sentences.
EXAMPLES_PER_KIND = 5


@dataclass(frozen=True)
class Contradiction:
    """One kind of contradiction, in words, and a set of answers that shows it."""

    kind: str
    text: Words
    outcome: str
    answers: dict[str, str]
    refs: tuple[str, ...] = ()

    @property
    def kind_words(self) -> Words | str:
        return KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class KindCount:
    kind: str
    words: Words
    # Answer sets (each visitor answer set once) with this kind of contradiction.
    count: int


@dataclass(frozen=True)
class Coherence:
    method: Method
    # Complete answer sets whose result page was checked (each visitor answer set once).
    checked: int
    # How many of them show any contradiction.
    contradicting: int
    examples: tuple[Contradiction, ...]
    by_kind: tuple[KindCount, ...] = ()
    # Answer sets whose whole decision (every listed change, "What would change it")
    # was checked, and how they were chosen.
    decisions_checked: int = 0
    decisions_method: Words | str = ""

    @property
    def holds(self) -> bool:
        return self.contradicting == 0

    @property
    def found(self) -> tuple[KindCount, ...]:
        """The kinds of contradiction with at least one answer set."""
        return tuple(k for k in self.by_kind if k.count)

    def summary(self) -> str:
        """E.g. "note vs note 12, counted 3" (empty when it holds), for `checkguide`."""
        return ", ".join(f"{k.kind} {k.count:,}" for k in self.found)

    def summary_words(self) -> object:
        """E.g. "two notes argue opposite ways: 12; a sentence says an answer counted, but
        the reasons don't list it: 3", for editors (empty when it holds)."""
        return joined(
            (
                gettext_lazy("%(kind)s: %(count)s", kind=k.words, count=number(k.count))
                for k in self.found
            ),
            "; ",
        )


@dataclass
class Tally:
    """Counts by kind and examples, over every answer set checked."""

    checked: int = 0
    contradicting: int = 0
    decisions_checked: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    examples: dict[str, dict[tuple[str, ...], Contradiction]] = field(default_factory=dict)

    def record(
        self, findings: list[Finding], answers: Mapping[str, str], outcome: str, weight: int
    ) -> None:
        self.checked += weight
        if not findings:
            return
        kinds = {f.kind for f in findings}
        self.contradicting += weight
        for kind in kinds:
            self.counts[kind] += weight
        for finding in findings:
            kept = self.examples.setdefault(finding.kind, {})
            if finding.key not in kept and len(kept) < EXAMPLES_PER_KIND:
                kept[finding.key] = Contradiction(
                    finding.kind, finding.text, outcome, dict(answers), finding.key
                )

    def coherence(self, method: Method, decisions_method: Words) -> Coherence:
        examples = tuple(
            example for kind in KINDS for example in self.examples.get(kind, {}).values()
        )
        by_kind = tuple(KindCount(kind, KINDS[kind], self.counts[kind]) for kind in KINDS)
        return Coherence(
            method,
            self.checked,
            self.contradicting,
            examples,
            by_kind,
            self.decisions_checked,
            decisions_method,
        )


def contradiction_lines(
    coherence: Coherence,
    kind_of: Callable[[Contradiction], object],
    answers_of: Callable[[Contradiction], object],
    kinds: object,
) -> list[Words]:
    """The count of contradicting answer sets, then one example of each kind (empty: none);
    `kind_of` and `answers_of` name them, by slug for checkguide or in editors' words."""
    if coherence.holds:
        return []
    lines = [
        ngettext_lazy(
            "%(contradicting)s of %(count)s answer set shows a result that contradicts "
            "itself (%(kinds)s)",
            "%(contradicting)s of %(count)s answer sets show a result that contradicts "
            "itself (%(kinds)s)",
            coherence.checked,
            contradicting=number(coherence.contradicting),
            count=number(coherence.checked),
            kinds=kinds,
        )
    ]
    seen: set[str] = set()
    for example in coherence.examples:
        if example.kind not in seen:
            seen.add(example.kind)
            lines.append(
                gettext_lazy(
                    "%(kind)s, e.g. %(answers)s", kind=kind_of(example), answers=answers_of(example)
                )
            )
    return lines
