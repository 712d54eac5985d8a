"""Is "What would change it" true, and never empty? The flips of one decision, checked.

Pure (no Django). Every change the engine lists (`Decision.flips`) is applied
to the answers it was computed from, with the other answers that change with
it (`Flip.also`), and cleaned the way the questionnaire cleans them: the
result must be a complete, valid set of answers (`check_answers` finds
nothing) whose recommendation, or linked page, is the one the flip names.
Only the changes the result page lists count: those to another recommendation
(it leaves out answers that would end the questions on a linked page).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from decisionguide.checking.findings import Finding
from decisionguide.checking.scenario_reasons import linked_page_words
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import (
    check_answers,
    clean_answers,
    excluded_outcomes,
    next_question,
    pick_outcome,
)
from decisionguide.decision.verdict import Decision, Flip
from decisionguide.decision.words import Words, gettext_lazy, listing

Result = tuple[str | None, str | None]  # (outcome, route): exactly one is set


class FlipChecks:
    """Checks the flips of decisions of one guide; remembers results it worked out."""

    def __init__(
        self, doc: GuideDocument, outcome_name: Callable[[str | None], str | Words]
    ) -> None:
        self.doc = doc
        self.outcome_name = outcome_name
        self.choices = {q.slug: {c.slug: c for c in q.choices} for q in doc.questions}
        self.shorts = {q.slug: q.short for q in doc.questions}
        self.outcomes = tuple(o.slug for o in doc.outcomes)
        self._results: dict[tuple[tuple[str, str], ...], Result] = {}

    def result_of(self, kept: Mapping[str, str]) -> Result:
        """What complete, clean answers give: the linked page of a routing answer, else
        the recommendation (the walk's way: the engine's gates and close-call rule on
        the points of the answers)."""
        key = tuple(kept.items())
        found = self._results.get(key)
        if found is None:
            scores = dict.fromkeys(self.outcomes, 0)
            route = None
            for question, choice_slug in kept.items():
                choice = self.choices[question][choice_slug]
                route = route or choice.route
                for outcome, points in choice.points.items():
                    scores[outcome] += points
            if route is not None:
                found = (None, route)
            else:
                excluded = excluded_outcomes(self.doc, kept)
                found = (pick_outcome(self.doc, scores, excluded, kept).outcome, None)
            self._results[key] = found
        return found

    def findings(self, answers: Mapping[str, str], decision: Decision) -> list[Finding]:
        """What is untrue or missing under "What would change it" for these answers."""
        shown = self.result_words((decision.outcome, decision.route))
        # The result page lists the changes that lead to another recommendation; changes
        # that would end the questions on a linked page are left out of it.
        listed = [f for f in decision.flips if f.route is None and f.outcome is not None]
        # With no change listed, the page says why the result holds instead (the
        # presenter's "holds firm" sentence), so the heading is never empty.
        findings = []
        for flip in listed:
            finding = self.flip_finding(answers, flip, shown)
            if finding is not None:
                findings.append(finding)
        return findings

    def flip_finding(
        self, answers: Mapping[str, str], flip: Flip, shown: str | Words
    ) -> Finding | None:
        changed = dict(answers)
        changed[flip.question] = flip.choice
        for question, choice in flip.also:
            changed[question] = choice
        kept = clean_answers(self.doc, changed)
        listed = gettext_lazy(
            "%(change)s (giving %(result)s)",
            change=self.flip_words(flip),
            result=self.result_words((flip.outcome, flip.route)),
        )
        problems: list[object] = []
        if kept.get(flip.question) != flip.choice:
            problems.append(
                gettext_lazy("%(question)s: not asked with those answers", question=flip.question)
            )
        elif next_question(self.doc, kept) is not None:
            # Clean answers can only be incomplete (the cheap test, on every flip);
            # `check_answers` says which answers are missing.
            problems = [problem.words for problem in check_answers(self.doc, kept)]
        if problems:
            return Finding(
                "flip invalid",
                (flip.question, flip.choice),
                gettext_lazy(
                    "a %(shown)s result lists %(listed)s, but those answers are not "
                    "complete and valid: %(problem)s",
                    shown=shown,
                    listed=listed,
                    problem=problems[0],
                ),
            )
        actual = self.result_of(kept)
        if actual != (flip.outcome, flip.route):
            return Finding(
                "flip wrong",
                (flip.question, flip.choice),
                gettext_lazy(
                    "a %(shown)s result lists %(listed)s, but those answers give %(actual)s",
                    shown=shown,
                    listed=listed,
                    actual=self.result_words(actual),
                ),
            )
        return None

    def answer_words(self, question: str, choice: str) -> Words:
        found = self.choices.get(question, {}).get(choice)
        return gettext_lazy(
            "“%(prompt)s” → “%(label)s”",
            prompt=self.shorts.get(question, question),
            label=found.label if found else choice,
        )

    def flip_words(self, flip: Flip) -> Words:
        answer = self.answer_words(flip.question, flip.choice)
        if not flip.also:
            return gettext_lazy("answering %(answer)s", answer=answer)
        return gettext_lazy(
            "answering %(answer)s with %(also)s",
            answer=answer,
            also=listing(self.answer_words(q, c) for q, c in flip.also),
        )

    def result_words(self, result: Result) -> str | Words:
        outcome, route = result
        if route is not None:
            page = self.doc.linked_page(route)
            return linked_page_words(page.title if page else route)
        return self.outcome_name(outcome)
