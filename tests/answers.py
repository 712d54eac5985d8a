"""Answer sets and the URLs that carry them, worked out from a loaded guide.

Shared by the questionnaire, results and security tests (and the servers they
start), so that "a complete set of answers" means one thing in each place.
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from decisionguide.content.models import Guide
from decisionguide.decision.document import Choice, GuideDocument, Question
from decisionguide.decision.engine import clean_answers, next_question

HTMX = {"HTTP_HX_REQUEST": "true"}


# ---------------------------------------------------------------------------
# Answers that stay in the guide


def unsure_staying_choice(question: Question) -> Choice:
    """A choice that keeps the visitor in the guide: the unsure one if any."""
    staying = [c for c in question.choices if c.route is None]
    return next((c for c in staying if c.unsure), staying[0])


def complete(doc: GuideDocument, profile: dict[str, str]) -> dict[str, str]:
    """The profile's answers, with every other shown question answered too."""
    answers = dict(profile)
    while (question := next_question(doc, clean_answers(doc, answers))) is not None:
        answers[question.slug] = unsure_staying_choice(question).slug
    return clean_answers(doc, answers)


def free_text_question(doc: GuideDocument) -> Question:
    return next(q for q in doc.questions if q.free_text is not None)


def first_staying_choice(question: Question) -> Choice:
    """The first choice that keeps the visitor in the guide."""
    return next(choice for choice in question.choices if choice.route is None)


def complete_answers(doc: GuideDocument) -> dict[str, str]:
    """Every shown question answered with its first staying choice."""
    answers: dict[str, str] = {}
    while (question := next_question(doc, answers)) is not None:
        answers = clean_answers(
            doc, {**answers, question.slug: first_staying_choice(question).slug}
        )
    return answers


def first_choice_answers(doc: GuideDocument) -> dict[str, str]:
    """Every shown question answered with its first choice (for guides without routes)."""
    answers: dict[str, str] = {}
    while (question := next_question(doc, answers)) is not None:
        answers[question.slug] = question.choices[0].slug
        answers = clean_answers(doc, answers)
    return answers


def routed_answers(doc: GuideDocument) -> dict[str, str]:
    """Answers that end on the route page: the first routing choice, reached honestly."""
    answers: dict[str, str] = {}
    while (question := next_question(doc, answers)) is not None:
        routing = [choice for choice in question.choices if choice.route is not None]
        choice = routing[0] if routing else first_staying_choice(question)
        answers = clean_answers(doc, {**answers, question.slug: choice.slug})
        if routing:
            return answers
    raise AssertionError("the guide has no routing choice")


def with_query(url: str, answers: dict[str, str]) -> str:
    return f"{url}?{urlencode(answers)}"


# ---------------------------------------------------------------------------
# Random complete answer sets, built the way a visitor builds them


PROPERTY_SETTINGS = settings(
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def walk_answers(doc: GuideDocument, pick: Callable[[Question], Choice]) -> dict[str, str]:
    """Answer what `next_question` asks with `pick` until the questionnaire ends."""
    answers: dict[str, str] = {}
    while (question := next_question(doc, answers)) is not None:
        answers[question.slug] = pick(question).slug
    return answers


@st.composite
def random_complete_answers(draw: st.DrawFn, doc: GuideDocument) -> dict[str, str]:
    def pick(question: Question) -> Choice:
        # Routing choices end the walk at once; take them one time in ten so
        # most examples reach a recommendation.
        staying = [c for c in question.choices if c.route is None]
        routing = [c for c in question.choices if c.route is not None]
        if routing and (not staying or draw(st.integers(0, 9)) == 0):
            return draw(st.sampled_from(routing))
        return draw(st.sampled_from(staying))

    return walk_answers(doc, pick)


# ---------------------------------------------------------------------------
# Storing a result the way a visitor does


class FormReader(HTMLParser):
    """The check page's result form: its action and its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and "result-form" in values.get("class", "").split():
            self._in_form = True
            self.action = values.get("action", "")
        elif tag == "input" and self._in_form and values.get("name"):
            self.fields.append((values["name"], values.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def result_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    assert reader.action, "the check page has no result form"
    return reader


def stored_result_url(client: Client, guide: Guide) -> str:
    """Create a result the way a visitor does (the check page's form) and return its URL."""
    doc = guide.published_document()
    check = client.get(
        with_query(reverse("questionnaire-check", args=[doc.slug]), complete_answers(doc))
    )
    form = result_form(check.content.decode())
    response = client.post(form.action, dict(form.fields), secure=True)
    assert response.status_code == 303, response.content[:500]
    return response["Location"]


# ---------------------------------------------------------------------------
# Weeks of the seed guide's personas


IN_GUIDE = {"open_problem": "system-center"}


def week(**answers: str) -> dict[str, str]:
    """A complete, ordinary week; each persona overrides what the article talks about."""
    return {
        "revenue_loss": "after-kickoff",
        "lead_volume": "medium",
        "sales_cycle": "weeks",
        "delivery_shape": "repeatable",
        "status_checks": "delivery",
        "active_clients": "3-8",
        "team": "solo",
        "handoff_rule": "vague",
        "admin_tolerance": "avoid-duplication",
        "billing_strictness": "standard",
        "current_tools": "pm-only",
        **answers,
    }


# Both halves busy, a written rule, help, and patience for the upkeep.
BUSY_BOTH = week(
    revenue_loss="both",
    lead_volume="high",
    sales_cycle="long",
    delivery_shape="multi-project",
    status_checks="both",
    active_clients="9-plus",
    team="with-assistant",
    handoff_rule="written",
    admin_tolerance="accept-overhead",
    current_tools="crm-only",
)
