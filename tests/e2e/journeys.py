"""Where the browser tests go and what they answer, worked out from the guide itself.

Nothing here names a question or a choice: the walks follow whatever the
loaded guide asks, so the tests keep working when editors change the content.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.urls import reverse
from playwright.sync_api import Page

from decisionguide.decision.document import Choice, GuideDocument, Question
from decisionguide.decision.engine import clean_answers, next_question, shown_questions
from decisionguide.questionnaire.state import (
    State,
    answer_url,
    check_url,
    question_url,
    route_url,
    text_param,
)
from decisionguide.results.models import Result

# What a visitor types into a free-text box (cut to the box's limit).
TYPED_TEXT = "Once the proposal is signed, the project board owns the client."


@dataclass(frozen=True)
class Step:
    """One answered question: the choice to pick and any text to type under it."""

    question: Question
    choice: Choice
    text: str = ""


Picker = Callable[[GuideDocument, Question, dict[str, str]], Choice]


def staying_choices(question: Question) -> list[Choice]:
    return [choice for choice in question.choices if choice.route is None]


def pick_most_questions(doc: GuideDocument, question: Question, answers: dict[str, str]) -> Choice:
    """The choice that keeps the visitor in the guide and shows the most questions."""

    def shown_after(choice: Choice) -> int:
        changed = clean_answers(doc, {**answers, question.slug: choice.slug})
        return len(shown_questions(doc, changed))

    choices = staying_choices(question)
    return max(choices, key=shown_after)  # max() keeps the first of equals


def pick_first(doc: GuideDocument, question: Question, answers: dict[str, str]) -> Choice:
    """The first choice: what Tab then Space selects in a radio group."""
    return question.choices[0]


def walk(doc: GuideDocument, pick: Picker = pick_most_questions) -> list[Step]:
    """Answer questions in order with `pick` until the questionnaire is done."""
    steps: list[Step] = []
    answers: dict[str, str] = {}
    while (question := next_question(doc, answers)) is not None:
        choice = pick(doc, question, answers)
        free_text = question.free_text
        text = ""
        if free_text is not None and free_text.choice == choice.slug:
            text = TYPED_TEXT[: free_text.max_length].strip()
        steps.append(Step(question, choice, text))
        answers[question.slug] = choice.slug
    return steps


def answers_of(steps: list[Step]) -> dict[str, str]:
    return {step.question.slug: step.choice.slug for step in steps}


def state_of(steps: list[Step]) -> State:
    return State(
        answers=answers_of(steps),
        texts={step.question.slug: step.text for step in steps if step.text},
    )


def result_url(doc: GuideDocument, state: State) -> str:
    return reverse("questionnaire-result", args=[doc.slug]) + state.query(with_return=False)


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def path_of(url: str) -> str:
    return urlsplit(url).path


def first_route(doc: GuideDocument) -> Step:
    """The first answer in the guide that sends the visitor to another page."""
    for question in doc.questions:
        for choice in question.choices:
            if choice.route is not None and not question.show_if:
                return Step(question, choice)
    raise AssertionError("the seed guide has no routing answer on an unconditional question")


def text_step(steps: list[Step]) -> Step:
    """The step whose choice asks for a typed text."""
    return next(step for step in steps if step.text)


def public_pages(doc: GuideDocument) -> dict[str, str]:
    """Every public page and questionnaire state, by a short name: name -> URL.

    Each question is reached with the answers before it; the error state is
    a Continue without a choice; the result uses the longest walk.
    """
    steps = walk(doc)
    internal_page = next(page for page in doc.linked_pages if not page.url)
    pages = {
        "index": reverse("index"),
        "guide": reverse("guide-detail", args=[doc.slug]),
        "linked-page": reverse("linked-page", args=[doc.slug, internal_page.slug]),
    }
    for index, step in enumerate(steps):
        before = state_of(steps[:index])
        pages[f"question-{step.question.slug}"] = question_url(doc, step.question, before)
    index, step = next((i, s) for i, s in enumerate(steps) if s.text)
    # The text box revealed under its chosen answer, with text typed in.
    pages["question-with-text"] = question_url(doc, step.question, state_of(steps[: index + 1]))
    pages["error-no-answer"] = answer_url(doc, steps[0].question)
    too_long = "x" * (step.question.free_text.max_length + 1)
    params = [
        *state_of(steps[:index]).params(),
        (step.question.slug, step.choice.slug),
        (text_param(step.question.slug), too_long),
    ]
    pages["error-text-too-long"] = f"{answer_url(doc, step.question)}?{urlencode(params)}"
    route = first_route(doc)
    pages["check"] = check_url(doc, state_of(steps))
    pages["route"] = route_url(doc, State(answers={route.question.slug: route.choice.slug}))
    pages["result"] = result_url(doc, state_of(steps))
    pages["not-found"] = reverse("guide-detail", args=["no-such-guide"])
    return pages


def save_result(page: Page, doc: GuideDocument) -> Result:
    """Confirm the longest walk's answers on the check page; land on the new permalink."""
    page.goto(check_url(doc, state_of(walk(doc))))
    page.get_by_role("button", name="See my recommendation").click()
    page.wait_for_url(re.compile(r"/r/[^/]+/$"))
    result = Result.objects.get()
    assert page.url.endswith(result.get_absolute_url())
    return result
