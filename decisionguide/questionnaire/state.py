"""The questionnaire's state, carried in the URL, and the URLs that carry it.

Answers travel in the query string (`?<question>=<choice>&<question>_text=...`),
so refresh and bookmarks keep them and nothing is kept on the server or in a
cookie. A page's own links and form carry every answer it knows, later ones
included; an older history entry holds only the answers given before it, so
static/js/site.js keeps the visit's answers for the browser's Back (and a page
says how to go back without JavaScript). Whatever arrives is passed through
`clean_answers`, so answers to questions that are not shown (or not known)
are dropped without a fuss.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from decisionguide.content.preview import PREVIEW_DRAFT, PREVIEW_PARAM
from decisionguide.decision.document import TEXT_PARAM_SUFFIX, Choice, GuideDocument, Question
from decisionguide.decision.engine import clean_answers, next_question, shown_questions
from decisionguide.questionnaire.counter import Count, count_questions

RETURN_PARAM = "return"
RETURN_TO_CHECK = "check"
OPTIONAL_MARK = re.compile(r"\s*\(optional\)\s*$", re.IGNORECASE)


def text_label(label: str) -> str:
    """A free text's label without an "(optional)" the form adds itself."""
    return OPTIONAL_MARK.sub("", label).strip()


# ---------------------------------------------------------------------------
# State carried in the URL


@dataclass(frozen=True)
class State:
    """Clean answers, typed texts (by question slug) and where "Back" leads.

    `preview` marks a staff member taking the draft questionnaire: every URL
    carries `?preview=draft`, so each step shows the draft, not the published guide.
    """

    answers: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    return_to_check: bool = False
    preview: bool = False

    def without(self, question_slug: str) -> State:
        answers = {k: v for k, v in self.answers.items() if k != question_slug}
        texts = {k: v for k, v in self.texts.items() if k != question_slug}
        return replace(self, answers=answers, texts=texts)

    def params(self, *, with_return: bool = True) -> list[tuple[str, str]]:
        """Query parameters in question order, each text right after its answer."""
        pairs: list[tuple[str, str]] = []
        for question_slug, choice_slug in self.answers.items():
            pairs.append((question_slug, choice_slug))
            if question_slug in self.texts:
                pairs.append((text_param(question_slug), self.texts[question_slug]))
        if with_return and self.return_to_check:
            pairs.append((RETURN_PARAM, RETURN_TO_CHECK))
        if self.preview:
            pairs.append((PREVIEW_PARAM, PREVIEW_DRAFT))
        return pairs

    def query(self, *, with_return: bool = True) -> str:
        pairs = self.params(with_return=with_return)
        return f"?{urlencode(pairs)}" if pairs else ""

    def cache_query(self, *, with_return: bool = True) -> str | None:
        """The query string (no "?") under which the page cache keeps a page of this state:
        the one `query` links to. None when it carries typed text, one visitor's own words."""
        return None if self.texts else urlencode(self.params(with_return=with_return))


def text_param(question_slug: str) -> str:
    return f"{question_slug}{TEXT_PARAM_SUFFIX}"


def normalise_text(value: str) -> str:
    # Browsers send line breaks as CRLF; count them as one character, as the page does.
    # NUL characters have no place in a sentence (and some databases refuse them).
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()


def clean_texts(
    doc: GuideDocument, answers: Mapping[str, str], raw: Mapping[str, str]
) -> dict[str, str]:
    """Keep a typed text only where its question's answer is the choice that asks for it.

    A text that is too long here was not typed into our form (the form
    rejects it with a message), so it is cut to the limit rather than refused.
    """
    texts: dict[str, str] = {}
    for question in doc.questions:
        free_text = question.free_text
        if free_text is None or answers.get(question.slug) != free_text.choice:
            continue
        text = normalise_text(raw.get(question.slug) or "")[: free_text.max_length].strip()
        if text:
            texts[question.slug] = text
    return texts


def raw_answers(doc: GuideDocument, params: QueryDict) -> dict[str, str]:
    """Values of the parameters named after questions, unchecked; everything else is ignored."""
    return {q.slug: params[q.slug] for q in doc.questions if params.get(q.slug)}


def raw_texts(doc: GuideDocument, params: QueryDict) -> dict[str, str]:
    return {q.slug: params.get(text_param(q.slug), "") for q in doc.questions if q.free_text}


def read_state(doc: GuideDocument, params: QueryDict, *, preview: bool = False) -> State:
    """The clean state a query string describes (`preview`: the viewer may see the draft)."""
    answers = clean_answers(doc, raw_answers(doc, params))
    return State(
        answers=answers,
        texts=clean_texts(doc, answers, raw_texts(doc, params)),
        return_to_check=params.get(RETURN_PARAM) == RETURN_TO_CHECK,
        preview=preview,
    )


def answers_around(
    doc: GuideDocument, question: Question, raw: Mapping[str, str]
) -> dict[str, str]:
    """The other answers to keep while `question` has no valid answer.

    Those that are clean for at least one of its choices: a later question
    that depends on it keeps its answer while the visitor corrects a mistake.
    """
    kept: dict[str, str] = {}
    for choice in question.choices:
        kept |= clean_answers(doc, {**raw, question.slug: choice.slug})
    return {
        q.slug: kept[q.slug] for q in doc.questions if q.slug in kept and q.slug != question.slug
    }


def routed_choice(doc: GuideDocument, answers: Mapping[str, str]) -> tuple[Question, Choice] | None:
    """The answered question whose choice sends the visitor to another page, if any."""
    for question in shown_questions(doc, answers):
        choice = question.choice(answers.get(question.slug, ""))
        if choice is not None and choice.route is not None:
            return question, choice
    return None


def is_reachable(doc: GuideDocument, question: Question, answers: Mapping[str, str]) -> bool:
    """The question is shown and every shown question before it has an answer."""
    for shown in shown_questions(doc, answers):
        if shown.slug == question.slug:
            return True
        if shown.slug not in answers:
            return False
    return False


def progress(doc: GuideDocument, question: Question, answers: Mapping[str, str]) -> Count:
    """The question's counter: its place, and the total the earlier answers allow
    ("of up to N" while a later question may still appear or vanish; see counter.py)."""
    return count_questions(doc, question, answers)


# ---------------------------------------------------------------------------
# URLs


def preview_query(state: State) -> str:
    """`?preview=draft` in a draft preview, else nothing: for links that drop the answers."""
    return State(preview=state.preview).query()


def start_url(doc: GuideDocument, state: State) -> str:
    """The first question, with no answers (but still in a preview, if this is one)."""
    return reverse("questionnaire-start", args=[doc.slug]) + preview_query(state)


def guide_url(doc: GuideDocument, state: State) -> str:
    return reverse("guide-detail", args=[doc.slug]) + preview_query(state)


def question_url(doc: GuideDocument, question: Question, state: State) -> str:
    return reverse("questionnaire-question", args=[doc.slug, question.slug]) + state.query()


def answer_url(doc: GuideDocument, question: Question) -> str:
    return reverse("questionnaire-answer", args=[doc.slug, question.slug])


def check_url(doc: GuideDocument, state: State) -> str:
    return reverse("questionnaire-check", args=[doc.slug]) + state.query(with_return=False)


def result_url(doc: GuideDocument, state: State) -> str:
    return reverse("questionnaire-result", args=[doc.slug]) + state.query(with_return=False)


def route_url(doc: GuideDocument, state: State) -> str:
    return reverse("questionnaire-route", args=[doc.slug]) + state.query(with_return=False)


def destination_url(doc: GuideDocument, state: State) -> str:
    """Where these answers lead: the route page, the next question or the check page."""
    if routed_choice(doc, state.answers) is not None:
        return route_url(doc, state)
    question = next_question(doc, state.answers)
    if question is not None:
        return question_url(doc, question, state)
    return check_url(doc, state)
