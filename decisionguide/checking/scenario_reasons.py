"""A scenario's result in the editor's words: question prompts, choice labels and
outcome names instead of slugs, and which outcome each answer pushed by how much.

Pure, like `checks`, which attaches an `Explanation` to every scenario it runs
(`ScenarioCheck.explanation`): the admin's checks page and the message after
every save (`publishing.feedback`) both read it, so they say the same thing.
Slugs stay on every piece so the admin can link to the rows they name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from decisionguide.decision.document import GuideDocument
from decisionguide.decision.verdict import Decision
from decisionguide.decision.words import Words, gettext_lazy, joined, ngettext_lazy


@dataclass(frozen=True)
class Push:
    """Points for one outcome: one answer's push, or an outcome's total score."""

    outcome: str
    outcome_name: str
    points: int

    def text(self, signed: bool = True) -> str:
        points = f"{self.points:+d}" if signed else str(self.points)
        return f"{self.outcome_name} {points}"


@dataclass(frozen=True)
class Answer:
    """One counted answer of the scenario and the points it gave each outcome."""

    question: str
    prompt: str
    choice: str
    label: str
    pushes: tuple[Push, ...]

    def answer_text(self) -> Words:
        return gettext_lazy("“%(prompt)s” → “%(label)s”", prompt=self.prompt, label=self.label)

    def pushes_text(self) -> Words | object:
        """E.g. "CRM-first +1, Hybrid -2" (names and numbers: no words to translate)."""
        return joined(p.text() for p in self.pushes) if self.pushes else gettext_lazy("nothing")

    def text(self) -> Words:
        """E.g. “When does lost revenue hurt most?” → “Before kickoff” pushed CRM-first +5."""
        return gettext_lazy(
            "%(answer)s pushed %(pushes)s", answer=self.answer_text(), pushes=self.pushes_text()
        )

    def points_for(self, outcome: str | None) -> int:
        return sum(p.points for p in self.pushes if p.outcome == outcome)


@dataclass(frozen=True)
class RuledOut:
    """An outcome a gate rules out for the scenario's answers, and the gate's reason."""

    outcome: str
    outcome_name: str
    reason: str


@dataclass(frozen=True)
class Explanation:
    """Why a scenario ends where it does, in names the admin shows."""

    expected: str
    expected_name: str
    # The outcome's slug (None when an answer ended the questions) and its name,
    # or "the linked page “…”" (in words) when an answer ended them.
    result: str | None
    result_name: str | Words
    scores: tuple[Push, ...]
    ruled_out: tuple[RuledOut, ...]
    answers: tuple[Answer, ...]
    # The answer that ended the questions with a linked page, if one did.
    routed_by: Answer | None = None
    runner_up_name: str = ""
    margin: int | None = None
    close_call: bool = False
    # Prompts of profile answers that don't count, and of questions it leaves out.
    ignored: tuple[str, ...] = ()
    unanswered: tuple[str, ...] = ()

    def summary(self) -> Words:
        """E.g. gives “CRM-first”, expected “PM-first” (after the scenario's name)."""
        if self.result is None:  # "the linked page “…”", quoted already
            return gettext_lazy(
                "gives %(result)s, expected “%(expected)s”",
                result=self.result_name,
                expected=self.expected_name,
            )
        return gettext_lazy(
            "gives “%(result)s”, expected “%(expected)s”",
            result=self.result_name,
            expected=self.expected_name,
        )

    def scores_text(self) -> str:
        return ", ".join(p.text(signed=False) for p in self.scores)

    def lead_text(self) -> Words | str:
        """How the result led, after "<result> is" (empty when no outcome led)."""
        if self.routed_by is not None or not self.runner_up_name or self.margin is None:
            return ""
        if self.close_call:
            return gettext_lazy(
                "a close call against %(name)s: the default outcome took it",
                name=self.runner_up_name,
            )
        return ngettext_lazy(
            "%(count)s point ahead of %(name)s",
            "%(count)s points ahead of %(name)s",
            self.margin,
            count=self.margin,
            name=self.runner_up_name,
        )

    def deciding_answers(self) -> tuple[Answer, ...]:
        """What a failure turns on: the answers worth more to the result than to the
        expected outcome or the other way round (every pushing answer when the
        questions ended on a page, or the scenario passes)."""
        if self.result is None or self.result == self.expected:
            return self.answers
        return tuple(
            a for a in self.answers if a.points_for(self.result) != a.points_for(self.expected)
        )

    def expected_ruled_out(self) -> tuple[RuledOut, ...]:
        return tuple(r for r in self.ruled_out if r.outcome == self.expected)


def explain(
    doc: GuideDocument,
    expected: str,
    kept: Mapping[str, str],
    decision: Decision,
    *,
    ignored: tuple[str, ...] = (),
    unanswered: tuple[str, ...] = (),
) -> Explanation:
    """The explanation of `decision`, reached from the clean answers `kept`."""
    names = {o.slug: o.name for o in doc.outcomes}
    answers = tuple(_answers(doc, kept, names))
    routed_by = None
    if decision.route is not None:
        routed_by = next(
            (a for a in answers if _route_of(doc, a) == decision.route),
            None,
        )
    return Explanation(
        expected=expected,
        expected_name=names.get(expected, expected),
        result=decision.outcome,
        result_name=_result_name(doc, decision, names),
        scores=tuple(Push(o, names.get(o, o), p) for o, p in decision.scores.items()),
        ruled_out=tuple(
            RuledOut(o, names.get(o, o), _first_line(reason))
            for o, reason in decision.excluded.items()
        ),
        answers=tuple(a for a in answers if a.pushes),
        routed_by=routed_by,
        runner_up_name=names.get(decision.runner_up or "", ""),
        margin=decision.margin,
        close_call=decision.close_call,
        ignored=tuple(_prompt(doc, q) for q in ignored),
        unanswered=tuple(_prompt(doc, q) for q in unanswered),
    )


def _answers(doc: GuideDocument, kept: Mapping[str, str], names: Mapping[str, str]):
    for question in doc.questions:
        choice = question.choice(kept.get(question.slug, ""))
        if choice is None:
            continue
        pushes = tuple(Push(o, names.get(o, o), p) for o, p in choice.points.items() if p)
        yield Answer(question.slug, question.prompt, choice.slug, choice.label, pushes)


def _route_of(doc: GuideDocument, answer: Answer) -> str | None:
    question = doc.question(answer.question)
    choice = question.choice(answer.choice) if question else None
    return choice.route if choice else None


def _result_name(doc: GuideDocument, decision: Decision, names: Mapping[str, str]) -> str | Words:
    if decision.route is None:
        return names.get(decision.outcome or "", str(decision.outcome))
    page = doc.linked_page(decision.route)
    return linked_page_words(page.title if page else decision.route)


def linked_page_words(title: str) -> Words:
    return gettext_lazy("the linked page “%(title)s”", title=title)


def _prompt(doc: GuideDocument, slug: str) -> str:
    question = doc.question(slug)
    return question.prompt if question else slug


def _first_line(text: str, limit: int = 100) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"
