"""Content checks for one guide document: does it still give the answers editors expect?

Pure (no Django, no database), like the engine it runs:

- every scenario's answer profile is evaluated and compared with the outcome
  the scenario says it ends with;
- which outcomes some complete set of answers can reach, which questions can
  ever be shown, and which routes can be taken, and whether any set of
  answers shows a note beside a recommendation the note argues against
  (`answer_space.search`, exhaustive when the space is small enough);
- choices that have no effect at all: no points, no route, no text box, and
  not looked at by any condition, gate, note or scenario;
- linked pages with no address of their own (a warning: visitors get the
  page's body here).

A report `passes` when every scenario gives its outcome, every outcome is
reachable and no result page contradicts itself. `checkguide` exits non-zero
otherwise, and neither the admin's Publish nor `loadguide` publishes it.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from decisionguide.checking.answer_space import (
    BOUNDED_BUDGET,
    DECISION_WORK_BUDGET,
    EXHAUSTIVE_LIMIT,
    Coherence,
    Contradiction,
    Reachability,
    search,
)
from decisionguide.checking.coherence import contradiction_lines
from decisionguide.checking.memo import Memo
from decisionguide.checking.scenario_reasons import Explanation, explain
from decisionguide.decision.document import Condition, GuideDocument
from decisionguide.decision.engine import (
    clean_answers,
    describe_condition,
    evaluate,
    shown_questions,
)
from decisionguide.decision.verdict import Decision
from decisionguide.decision.words import Words, gettext_lazy, number, pgettext_lazy

# The report's sentences an editor reads (the admin's checks page, a refused publish or
# import) are `Words`, put into the reader's language when shown. The one-line summaries
# by slug (`ScenarioCheck.why`, `GuideReport.problems`, `report_lines`) are `checkguide`'s
# log for operators and stay English.

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
    # The same in the editor's words: prompts, labels, outcome names, each answer's push.
    explanation: Explanation | None = None
    # Shown to visitors as an example (else an editors' test only).
    public: bool = True

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


class PlaceholderExample(NamedTuple):
    """A public example that would show visitors text meant to be replaced."""

    slug: str
    title: str  # the editors' title, to find it by
    field: Words  # in words: "title", "description", ...
    found: str  # the placeholder as written


# Text that is there to be replaced: what "Save these answers as a scenario" writes
# (`editor.admin_scenarios`), and the usual fillers. Upper-case markers only as words
# in capitals, so "a todo list" in a real example is not taken for one.
PLACEHOLDER_TEXT = re.compile(
    r"describe the situation here|answers tried on|saved from try the draft|lorem ipsum"
    r"|(?-i:\b(?:TODO|TBD|FIXME|XXX)\b)",
    re.IGNORECASE,
)


def placeholder_examples(doc: GuideDocument) -> Iterator[PlaceholderExample]:
    """Every text of a public example, as visitors would read it, that is a placeholder."""
    for scenario in doc.examples:
        shown = (
            (pgettext_lazy("a scenario's text", "title"), scenario.shown_title),
            (pgettext_lazy("a scenario's text", "description"), scenario.shown_description),
            (pgettext_lazy("a scenario's text", "handoff example"), scenario.handoff_example),
            (pgettext_lazy("a scenario's text", "handoff rule"), scenario.handoff_rule),
        )
        for field, text in shown:
            if match := PLACEHOLDER_TEXT.search(text):
                yield PlaceholderExample(scenario.slug, scenario.title, field, match.group(0))


class UnusedChoice(NamedTuple):
    """A choice no scenario picks: nothing tests what it does."""

    question: str
    choice: str
    label: str


@dataclass(frozen=True)
class GuideReport:
    """Everything `checkguide` and the admin's checks page say about one guide document."""

    slug: str
    scenarios: tuple[ScenarioCheck, ...]
    reachability: Reachability
    unused_choices: tuple[UnusedChoice, ...]
    coherence: Coherence
    # Linked pages with no address of their own: shown from their body on this site.
    pages_without_url: tuple[str, ...] = ()
    # Public examples whose visitor-facing text is still a placeholder: blocks publishing.
    placeholder_examples: tuple[PlaceholderExample, ...] = ()

    @property
    def failed_scenarios(self) -> tuple[ScenarioCheck, ...]:
        return tuple(s for s in self.scenarios if not s.passed)

    @property
    def scenarios_pass(self) -> bool:
        return not self.failed_scenarios

    @property
    def passes(self) -> bool:
        """Visitors may get this guide: checked in full, scenarios pass, every outcome can
        be reached, no result page contradicts itself and no public example shows a
        placeholder."""
        return (
            self.reachability.finished
            and self.scenarios_pass
            and self.coherence.holds
            and not self.reachability.unreachable
            and not self.placeholder_examples
        )

    @property
    def unfinished(self) -> Words | str:
        """Why a report cut short blocks publishing (empty when the checks finished)."""
        return "" if self.reachability.finished else unfinished_line(self)

    def problems(self) -> list[str]:
        """What makes the report fail, one line each, by slug (`checkguide`'s log)."""
        lines = [self.unfinished] if self.unfinished else []
        lines += [
            f"scenario {s.slug}: expected {s.expected}, got {s.result_text()}"
            for s in self.failed_scenarios
        ]
        lines += [
            f"outcome {slug} is unreachable ({self.reachability.describe_method()})"
            for slug in self.reachability.unreachable
        ]
        lines += [
            f"the public example “{p.title}” ({p.slug}) shows visitors placeholder text in its "
            f"{p.field} (“{p.found}”): write it for visitors, or untick “Public example”"
            for p in self.placeholder_examples
        ]
        lines += contradiction_lines(
            self.coherence,
            lambda example: f"{example.kind}: {example.text}",
            answers_text,
            self.coherence.summary(),
        )
        return [str(line) for line in lines]


def unfinished_line(report: GuideReport) -> Words:
    """Why a report cut short by its time budget blocks publishing, and what to do."""
    return gettext_lazy(
        "Not fully checked: the checks stopped after %(seconds)s seconds (%(tried)s answer "
        "sets tried), so an outcome may be unreachable or a result page contradict itself "
        "unseen. It can't be published until it is checked in full: make the guide smaller "
        "(fewer questions, choices or conditions), or have it checked and loaded from the "
        "command line (manage.py checkguide, then loadguide), which take the time they need.",
        seconds=f"{report.reachability.stopped_after:g}",
        tried=number(report.reachability.tried),
    )


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
    decision_budget: int | None = DECISION_WORK_BUDGET,
    time_budget: float | None = None,
    searched: tuple[Reachability, Coherence] | None = None,
) -> GuideReport:
    """The report; `searched`: the answer-space search's result, if already known."""
    reachability, coherence = searched or search(
        doc,
        exhaustive_limit=exhaustive_limit,
        bounded_budget=bounded_budget,
        decision_budget=decision_budget,
        time_budget=time_budget,
    )
    return GuideReport(
        slug=doc.slug,
        scenarios=tuple(check_scenarios(doc)),
        reachability=reachability,
        unused_choices=tuple(unused_choices(doc)),
        coherence=coherence,
        pages_without_url=tuple(p.slug for p in doc.linked_pages if not p.url),
        placeholder_examples=tuple(placeholder_examples(doc)),
    )


# Reports by document content: the same document, the same report. The answer-space
# search takes under two seconds on the seed guide (4.4 before walk_memo), and every
# admin page, save, publish and load of an unchanged document would repeat it. Each is
# kept with when it was made.
_reports: Memo[tuple[float, GuideReport]] = Memo(size=16)
# Seconds the checks may take when a request waits for them (admin pages, Publish,
# imports): a safety net, far above what the seed guide's exhaustive search takes on a
# machine busy with other work (30 s at worst measured), as a cut-short report blocks
# publishing. Past it the report says "not fully checked" and publishing waits.
CHECK_TIME_BUDGET = 60.0
# A report cut short is kept this long, then tried again: the same document would likely
# be cut short again (every page would wait the whole budget), but a busy moment passes.
RETRY_CUT_SHORT_AFTER = 600.0


def report_of(doc: GuideDocument, *, in_full: bool = False) -> GuideReport:
    """`check_document(doc)`, worked out once per distinct document, budget and process
    (a report cut short by its budget: again after RETRY_CUT_SHORT_AFTER seconds).

    Within CHECK_TIME_BUDGET unless `in_full` (commands run from a shell).
    """
    time_budget = None if in_full else CHECK_TIME_BUDGET
    data = doc.to_data()
    key = f"{_digest(data)}:{time_budget}"
    kept = _reports.get(key)
    if kept is not None:
        made_at, report = kept
        if report.reachability.finished or time.monotonic() - made_at < RETRY_CUT_SHORT_AFTER:
            return report
    logic = _digest(without_texts(data))
    report = check_document(doc, time_budget=time_budget, searched=_searches.get(logic))
    if report.reachability.finished and report.coherence.holds:
        # Nothing in it comes from a text (slugs, counts, answers): a text edit reuses it.
        _searches.put(logic, (report.reachability, report.coherence))
    _reports.put(key, (time.monotonic(), report))
    return report


# The search's result by the document's logic (its texts left out), when it holds no
# words of the guide's: finished, with no contradiction (whose examples quote texts).
# Most edits change only texts, and the search is what takes the time.
_searches: Memo[tuple[Reachability, Coherence]] = Memo(size=16)
# Keys whose texts (strings, lists of strings) visitors read and the search never does:
# blanked for the logic key. Not "reason": gates tell their reasons apart. The maps
# below hold slugs as keys (an answer to a question named like a text): kept whole.
TEXT_KEYS = frozenset(
    {
        *("title", "summary", "intro", "right_page", "wrong_page", "start_elsewhere"),
        *("shortcut", "decision_criteria", "snapshot", "explanation", "name", "tagline"),
        *("best_for", "strengths", "tradeoffs", "failure_mode", "good_fit", "choose_if"),
        *("description", "label", "text", "prompt", "short", "hint", "handoff_example"),
        *("handoff_rule", "body", "when", "edge_cases", "missteps"),
    }
)
LOGIC_MAPS = frozenset({"answers", "points", "settles", "show_if", "unless", "asserts"})


def without_texts(data: object, key: str = "") -> object:
    """`GuideDocument.to_data()` with every text blanked (lists keep their length)."""
    if key in TEXT_KEYS and _is_text(data):
        return "" if isinstance(data, str) else [""] * len(data)  # type: ignore[arg-type]
    if key in TEXT_KEYS or key in LOGIC_MAPS:
        return data  # a note's condition ("when"), a map by slugs
    if isinstance(data, dict):
        # Translations left out: other languages' words, which the search never reads.
        return {
            name: without_texts(value, name)
            for name, value in data.items()
            if name != "translations"
        }
    if isinstance(data, list):
        # A failure check with nothing but its text is written as that text.
        if key == "failure_checks":
            return [without_texts(item, "text" if isinstance(item, str) else "") for item in data]
        return [without_texts(item) for item in data]
    return data


def _is_text(data: object) -> bool:
    return isinstance(data, str) or (
        isinstance(data, list) and all(isinstance(item, str) for item in data)
    )


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def check_scenarios(doc: GuideDocument) -> Iterator[ScenarioCheck]:
    for scenario in doc.scenarios:
        answers = dict(scenario.answers)
        kept = clean_answers(doc, answers)
        decision = evaluate(doc, kept)
        shown = shown_questions(doc, kept)
        ignored = tuple(q for q in answers if q not in kept)
        unanswered = tuple(q.slug for q in shown if q.slug not in kept)
        yield ScenarioCheck(
            slug=scenario.slug,
            title=scenario.title,
            expected=scenario.outcome,
            decision=decision,
            ignored=ignored,
            unanswered=unanswered,
            explanation=explain(
                doc, scenario.outcome, kept, decision, ignored=ignored, unanswered=unanswered
            ),
            public=scenario.public,
        )


# ---------------------------------------------------------------------------
# Choices with no effect


def unused_choices(doc: GuideDocument) -> Iterator[UnusedChoice]:
    looked_at: set[tuple[str, str]] = set()
    for condition in _every_condition(doc):
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


def _every_condition(doc: GuideDocument) -> Iterator[Condition]:
    for question in doc.questions:
        if question.show_if is not None:
            yield question.show_if
    for gate in doc.gates:
        yield gate.unless
    for note in doc.notes:
        yield note.when


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
    lines += coherence_lines(report.coherence)
    for placeholder in report.placeholder_examples:
        lines.append(
            f"  PLACEHOLDER in public example {placeholder.slug}, {placeholder.field}: "
            f"{placeholder.found!r}"
        )
    for slug in report.pages_without_url:
        lines.append(
            f"  WARNING: linked page {slug} has no URL; visitors read its body on this site"
        )
    lines.append("  Result: " + ("OK" if report.passes else "; ".join(report.problems())))
    return lines


def coherence_lines(coherence: Coherence) -> list[str]:
    """Every sentence of every result page checked: counts by kind, examples in words."""
    lines = [
        f"  Coherence ({coherence.method}): {coherence.checked:,} answer sets checked, every "
        "sentence of each result page; whole decisions (every change under “What would "
        f"change it”) on {coherence.decisions_method} "
        f"({coherence.decisions_checked:,} answer sets)",
        f"    {coherence.contradicting:,} answer sets show a result that contradicts itself",
    ]
    for kind in coherence.found:
        lines.append(f"    {kind.kind}: {kind.count:,} answer sets ({kind.words})")
    for example in coherence.examples:
        lines.append(
            f"    CONTRADICTION ({example.kind}): {example.text}, e.g. {answers_text(example)}"
        )
    return lines


def answers_text(example: Contradiction) -> str:
    """The example's answers as `recommend` takes them."""
    return " ".join(f"{q}={c}" for q, c in example.answers.items())


def condition_text(condition: Condition | None) -> object:
    """A condition as the admin shows it ("always" when there is none)."""
    return gettext_lazy("always") if condition is None else describe_condition(condition)
