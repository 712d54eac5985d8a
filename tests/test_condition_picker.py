"""The condition picker: a question's show-if offers only questions before it, and their
answers as tick boxes; a later question posted anyway is refused by name."""

from __future__ import annotations

from html.parser import HTMLParser

from django.test import Client

from decisionguide.content.models import Choice, Gate, Guide, Question
from tests.admin_forms import add_show_clause, admin_form, change_url, errors_of, post, state


class PickerReader(HTMLParser):
    """The options of one clause row's question select and the inputs of its answers."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix
        self.in_select = False
        self.questions: list[str] = []
        self.answer_inputs: list[tuple[str, str]] = []  # (type, value)
        self.multiple_selects = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "select":
            self.in_select = a.get("name") == f"{self.prefix}-question"
            self.multiple_selects += "multiple" in a
        elif tag == "option" and self.in_select and a.get("value"):
            self.questions.append(a["value"] or "")
        elif tag == "input" and a.get("name") == f"{self.prefix}-answers":
            self.answer_inputs.append((a.get("type") or "", a.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.in_select = False


def picker(client: Client, owner, prefix: str) -> PickerReader:
    reader = PickerReader(prefix)
    reader.feed(client.get(change_url(owner)).content.decode())
    return reader


def ids(rows) -> list[str]:
    return [str(row.pk) for row in rows]


def test_a_questions_condition_offers_only_earlier_questions_as_tick_boxes(
    superuser_client: Client, seed_guide: Guide
) -> None:
    shown = Question.objects.filter(guide=seed_guide, show_clauses__isnull=False).first()
    earlier = list(
        Question.objects.filter(guide=seed_guide, order__lt=shown.order).order_by("order")
    )
    assert earlier and shown.show_clauses.count() == 1

    reader = picker(superuser_client, shown, "show_clauses-0")

    assert reader.questions == ids(earlier)
    choices = Choice.objects.filter(question__in=earlier).order_by("question__order", "order")
    assert reader.answer_inputs == [("checkbox", str(pk)) for pk in ids(choices)]
    assert reader.multiple_selects == 0  # no Ctrl-click lists on the page


def test_the_second_question_can_look_only_at_the_first(
    superuser_client: Client, seed_guide: Guide
) -> None:
    first, second = seed_guide.questions.order_by("order")[:2]
    html = superuser_client.get(change_url(second)).content.decode()
    reader = PickerReader("show_clauses-__prefix__")  # the row "Add another" copies
    reader.feed(html)
    assert reader.questions == [str(first.pk)]
    assert [value for _, value in reader.answer_inputs] == ids(first.choices.order_by("order"))


def test_a_later_question_posted_anyway_is_refused_by_name(
    superuser_client: Client, seed_guide: Guide
) -> None:
    first, second = seed_guide.questions.order_by("order")[:2]
    form = admin_form(superuser_client, first)
    add_show_clause(form, second)
    before = state(seed_guide)

    response = post(superuser_client, change_url(first), form)

    assert response.status_code == 200
    message = errors_of(response)
    assert f"{second.short}" in message.replace("&#x27;", "'") and "later question" in message
    assert state(seed_guide) == before


def test_gates_offer_every_question(superuser_client: Client, seed_guide: Guide) -> None:
    gate = Gate.objects.filter(guide=seed_guide, clauses__isnull=False).first()
    reader = picker(superuser_client, gate, "clauses-0")
    assert reader.questions == ids(seed_guide.questions.order_by("order"))
    assert len(reader.answer_inputs) == Choice.objects.filter(question__guide=seed_guide).count()


def test_editors_see_and_edit_conditions(editor_client: Client, seed_guide: Guide) -> None:
    """The Editors group holds the permissions of the one condition model (0016)."""
    shown = Question.objects.filter(guide=seed_guide, show_clauses__isnull=False).first()
    reader = picker(editor_client, shown, "show_clauses-0")
    assert reader.questions and reader.answer_inputs
    first, second = seed_guide.questions.order_by("order")[:2]
    form = admin_form(editor_client, second)
    add_show_clause(form, first)
    response = post(editor_client, change_url(second), form)
    assert response.status_code == 302, errors_of(response)
    assert second.show_clauses.get().question == first
