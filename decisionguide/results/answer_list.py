"""A result's answers as a reader needs them: each question, the answer, typed words, and
the other answers it could have been, each a link to the what-if view of that one change.

The permalink page, its `.md` and `.json` exports and the what-if view all list
the answers from here, so they name them the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext

from decisionguide.decision.document import Choice, GuideDocument, Question
from decisionguide.decision.engine import shown_questions
from decisionguide.questionnaire.state import text_label

# Where a what-if link leads, given the question and the other choice.
LinkFor = Callable[[Question, Choice], str]


@dataclass(frozen=True)
class Alternative:
    """Another answer to a question; `url` shows the result with it ("" for no link)."""

    choice: Choice
    url: str
    current: bool = False  # the what-if page shows this one now


@dataclass(frozen=True)
class AnswerRow:
    """One answered question."""

    question: Question
    choice: Choice
    text: str  # the visitor's typed words for this answer, if any
    text_label: str
    alternatives: tuple[Alternative, ...]

    @property
    def changed(self) -> bool:
        return any(alternative.current for alternative in self.alternatives)

    def to_data(self) -> dict[str, Any]:
        data = {
            "question": self.question.slug,
            "question_short": self.question.short,
            "question_prompt": self.question.prompt,
            "choice": self.choice.slug,
            "choice_label": self.choice.label,
        }
        if self.text:
            data |= {"text_label": self.text_label, "text": self.text}
        return data


@dataclass(frozen=True)
class AnswerList:
    """The rows and how the list is introduced (`results/_your_answers.html`)."""

    rows: tuple[AnswerRow, ...]
    heading: str = field(default_factory=lambda: gettext("Your answers"))
    # Links to what-if views: the list then says what they do.
    explorable: bool = False


def answer_rows(
    doc: GuideDocument,
    answers: Mapping[str, str],
    texts: Mapping[str, str],
    *,
    link: LinkFor | None = None,
    current: tuple[str, str] | None = None,
) -> tuple[AnswerRow, ...]:
    """The answered questions in the order they were asked.

    With `link`, every other choice of each question gets its what-if URL;
    `current` (question, choice) is the change a what-if page shows, listed
    without a link.
    """
    rows = []
    for question in shown_questions(doc, answers):
        choice = question.choice(answers.get(question.slug, ""))
        if choice is None:
            continue
        free_text = question.free_text
        asks_text = free_text is not None and free_text.choice == choice.slug
        alternatives = ()
        if link is not None:
            alternatives = tuple(
                Alternative(
                    other,
                    "" if (question.slug, other.slug) == current else link(question, other),
                    current=(question.slug, other.slug) == current,
                )
                for other in question.choices
                if other.slug != choice.slug
            )
        rows.append(
            AnswerRow(
                question=question,
                choice=choice,
                text=texts.get(question.slug, "") if asks_text else "",
                text_label=text_label(free_text.label) if asks_text and free_text else "",
                alternatives=alternatives,
            )
        )
    return tuple(rows)


def whatif_query(doc: GuideDocument, pairs: Iterable[tuple[str, str]]) -> str:
    """The what-if view's canonical query for these (question, choice) pairs: question
    order, no "?" (the page cache keeps a what-if page under this query only)."""
    position = {question.slug: index for index, question in enumerate(doc.questions)}
    return urlencode(sorted(pairs, key=lambda pair: position.get(pair[0], len(position))))


def whatif_url(result_id: str, doc: GuideDocument, pairs: Iterable[tuple[str, str]]) -> str:
    return f"{reverse('result-whatif', args=[result_id])}?{whatif_query(doc, pairs)}"


def whatif_links(result_id: str, doc: GuideDocument) -> LinkFor:
    """Links that change one answer of the stored result `result_id`."""
    return lambda question, choice: whatif_url(result_id, doc, [(question.slug, choice.slug)])
