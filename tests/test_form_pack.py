"""decisionguide_gds, our crispy-forms template pack, on forms of its own.

The question page's behaviour is tested in test_questionnaire.py and the
browser tests (axe, vnu, keyboard); here the pack's markup is read back as a
screen reader would follow it: which ids a control's `aria-describedby`
names, what those elements say, which box a radio reveals.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.http import QueryDict
from django.template import Context, Template

from decisionguide.questionnaire.form_layout import (
    CharacterCount,
    HiddenInputs,
    Radios,
    SubmitButton,
)
from decisionguide.questionnaire.state import State, question_url, text_param
from tests.e2e.journeys import pick_first, state_of, text_step, walk


class Markup(HTMLParser):
    """Every element in order (tag, attributes, own text) and each id's element."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[dict] = []
        self.ids: dict[str, dict] = {}
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        element = {"tag": tag, **{k: v or "" for k, v in attrs}, "text": ""}
        self.elements.append(element)
        if "id" in element:
            assert element["id"] not in self.ids, f"id {element['id']!r} is used twice"
            self.ids[element["id"]] = element
        if tag not in ("input", "br", "img", "meta", "link"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()["tag"] == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element["text"] += data

    def text(self, element_id: str) -> str:
        return " ".join(self.ids[element_id]["text"].split())

    def described_by(self, element_id: str) -> list[str]:
        """The texts a screen reader reads after the control's name, in order."""
        ids = self.ids[element_id].get("aria-describedby", "").split()
        return [self.text(i) for i in ids]

    def tags(self, tag: str) -> list[dict]:
        return [e for e in self.elements if e["tag"] == tag]


def render(form: forms.Form, helper: FormHelper | None = None) -> Markup:
    if helper is not None:
        form.helper = helper
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))
    return Markup(html)


# ---------------------------------------------------------------------------
# One field: label, hint, error and aria-describedby


class NameForm(forms.Form):
    name = forms.CharField(label="Your studio's name", help_text="As clients know it.")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea)


def test_a_field_names_its_hint_and_error_in_aria_describedby():
    form = NameForm(QueryDict("name="), auto_id="%s")
    page = render(form)

    field = page.ids["name"]
    assert field["tag"] == "input"
    assert page.described_by("name") == [
        "As clients know it.",
        f"Error: {form.errors['name'][0]}",
    ]
    # "Error:" is for screen readers; sighted visitors see the red message.
    error = page.ids["name-error"]
    prefix = next(e for e in page.elements if e.get("class") == "visually-hidden")
    assert prefix["text"] == "Error:" and error["class"] == "field-error"
    label = next(e for e in page.tags("label") if e["for"] == "name")
    assert " ".join(label["text"].split()) == "Your studio's name"


def test_a_field_without_error_is_described_by_its_hint_only():
    page = render(NameForm(auto_id="%s"))

    assert page.described_by("name") == ["As clients know it."]
    assert "name-error" not in page.ids
    # No hint and no error: nothing to describe it.
    assert "aria-describedby" not in page.ids["notes"]


def test_an_optional_field_says_so_and_a_required_one_does_not():
    page = render(NameForm(auto_id="%s"))
    labels = {e["for"]: " ".join(e["text"].split()) for e in page.tags("label")}

    assert labels == {"name": "Your studio's name", "notes": "Notes (optional)"}


def test_the_form_tag_carries_the_helpers_method_action_and_attributes():
    helper = FormHelper()
    helper.form_method = "get"
    helper.form_action = "/somewhere/"
    helper.attrs = {"novalidate": True, "data-hx-get": "/somewhere/"}
    page = render(NameForm(auto_id="%s"), helper)

    (form,) = page.tags("form")
    assert (form["method"], form["action"], form["data-hx-get"]) == (
        "get",
        "/somewhere/",
        "/somewhere/",
    )
    assert "novalidate" in form
    # A GET form sends no CSRF token: it would land in the URL.
    assert not [e for e in page.tags("input") if e.get("name") == "csrfmiddlewaretoken"]


def test_the_crispy_filter_renders_fields_with_the_pack_and_no_form_tag():
    form = NameForm(QueryDict("name="), auto_id="%s")
    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))
    page = Markup(html)

    assert not page.tags("form")
    assert page.described_by("name") == ["As clients know it.", f"Error: {form.errors['name'][0]}"]
    assert page.ids["notes"]["tag"] == "textarea"


# ---------------------------------------------------------------------------
# A radio group with per-choice hints and a revealed text box


class ContactForm(forms.Form):
    contact = forms.ChoiceField(
        label="How should we reach you?",
        help_text="Pick one.",
        widget=forms.RadioSelect,
        choices=[("email", "Email"), ("phone", "Phone"), ("other", "Another way")],
    )
    contact_text = forms.CharField(
        label="Which way?", help_text="A word or two.", required=False, widget=forms.Textarea
    )


def contact_helper(**radios) -> FormHelper:
    helper = FormHelper()
    helper.form_method = "get"
    helper.layout = Layout(
        Radios(
            "contact",
            hints={"phone": "Weekdays only."},
            reveals={"other": CharacterCount("contact_text", max_length=40)},
            **radios,
        ),
        SubmitButton("Continue"),
    )
    return helper


def test_radios_sit_in_a_fieldset_whose_legend_is_the_question():
    page = render(ContactForm(auto_id="%s"), contact_helper(caption="Step 2 of 5", heading=True))

    (fieldset,) = page.tags("fieldset")
    (legend,) = page.tags("legend")
    (h1,) = page.tags("h1")
    assert " ".join(legend["text"].split()) == "Step 2 of 5 How should we reach you?"
    assert " ".join(h1["text"].split()) == "How should we reach you?"
    assert h1["tabindex"] == "-1"  # focused after an HTMX swap
    assert fieldset["aria-describedby"] == "contact-hint"
    radios = [e for e in page.tags("input") if e["type"] == "radio"]
    assert [r["value"] for r in radios] == ["email", "phone", "other"]
    assert {r["name"] for r in radios} == {"contact"}


def test_without_heading_the_legend_is_plain_text():
    page = render(ContactForm(auto_id="%s"), contact_helper())

    assert not page.tags("h1")
    (legend,) = page.tags("legend")
    assert " ".join(legend["text"].split()) == "How should we reach you?"


def test_the_first_radio_carries_the_fields_id_for_the_error_summary():
    form = ContactForm(QueryDict(""), auto_id="%s")
    page = render(form, contact_helper())

    assert page.ids["contact"]["value"] == "email"
    assert page.ids["contact-phone"]["value"] == "phone"
    assert page.described_by("contact") == []  # the fieldset carries the group's hint and error
    fieldset = page.tags("fieldset")[0]
    assert fieldset["aria-describedby"] == "contact-hint contact-error"
    assert page.text("contact-error") == f"Error: {form.errors['contact'][0]}"
    assert "form-group-error" in page.tags("div")[0]["class"].split()


def test_a_choice_hint_describes_its_radio_only():
    page = render(ContactForm(auto_id="%s"), contact_helper())

    assert page.described_by("contact-phone") == ["Weekdays only."]
    assert "aria-describedby" not in page.ids["contact"]
    # Its id can't clash with the group's hint, "<field>-hint".
    assert page.ids["contact-hint"]["text"].strip() == "Pick one."


def test_the_revealed_box_follows_its_choice_and_is_named_by_it():
    page = render(ContactForm(auto_id="%s"), contact_helper())

    other = page.ids["contact-other"]
    box_id = other["aria-controls"]
    assert other["data-reveals"] == box_id  # site.js hides it until "other" is picked
    box = page.ids[box_id]
    assert "radio-conditional" in box["class"]
    order = [e.get("id") for e in page.elements]
    assert order.index("contact-other") < order.index(box_id) < order.index("contact_text")
    # Only the choice that reveals it names it.
    assert [e["id"] for e in page.elements if "aria-controls" in e] == ["contact-other"]
    textarea = page.ids["contact_text"]
    assert textarea["tag"] == "textarea" and textarea["data-max-length"] == "40"
    assert page.described_by("contact_text") == [
        "A word or two.",
        "You can enter up to 40 characters.",
    ]
    assert textarea["data-count-status"] in page.ids
    assert page.ids[textarea["data-count-status"]]["aria-live"] == "polite"


def test_a_revealed_box_shows_its_own_error_and_the_typed_text():
    form = ContactForm(QueryDict("contact=other&contact_text=by+pigeon"), auto_id="%s")
    form.is_valid()
    form.add_error("contact_text", "Keep it short")
    page = render(form, contact_helper())

    assert "checked" in page.ids["contact-other"]
    assert "checked" not in page.ids["contact"]
    assert page.ids["contact_text"]["text"] == "by pigeon"
    assert page.described_by("contact_text")[-1] == "Error: Keep it short"
    box = page.ids[page.ids["contact-other"]["aria-controls"]]
    assert "form-group-error" in box["class"]
    # The group itself is fine: its fieldset names only its hint.
    assert page.tags("fieldset")[0]["aria-describedby"] == "contact-hint"


def test_an_unbound_form_shows_its_initial_choice_and_text():
    form = ContactForm(initial={"contact": "other", "contact_text": "fax"}, auto_id="%s")
    page = render(form, contact_helper())

    assert [e["id"] for e in page.tags("input") if "checked" in e] == ["contact-other"]
    assert page.ids["contact_text"]["text"] == "fax"


def test_the_submit_button_adds_nothing_to_the_query_string():
    page = render(ContactForm(auto_id="%s"), contact_helper())

    (button,) = page.tags("button")
    assert button["type"] == "submit" and "name" not in button
    assert button["text"].strip() == "Continue"


# ---------------------------------------------------------------------------
# Text from editors and visitors stays text


TEMPLATE_SYNTAX = "{{ form }}{% now 'Y' %}<b>bold</b>"


def test_template_syntax_in_labels_hints_and_hidden_values_is_shown_as_typed():
    form = ContactForm(auto_id="%s")
    form.fields["contact"].label = TEMPLATE_SYNTAX
    form.fields["contact"].help_text = TEMPLATE_SYNTAX
    helper = contact_helper(heading=True, caption=TEMPLATE_SYNTAX)
    helper.layout.insert(0, HiddenInputs([("earlier_text", TEMPLATE_SYNTAX)]))
    page = render(form, helper)

    (hidden,) = [e for e in page.tags("input") if e["type"] == "hidden"]
    assert hidden["value"] == TEMPLATE_SYNTAX
    assert page.text("contact-hint") == TEMPLATE_SYNTAX
    assert page.tags("h1")[0]["text"] == TEMPLATE_SYNTAX
    assert page.tags("span")[0]["text"] == TEMPLATE_SYNTAX  # the caption
    assert not page.tags("b")  # escaped, so no element from it


@pytest.mark.django_db
def test_the_question_page_carries_a_typed_text_with_template_syntax_as_typed(client, seed_guide):
    """The visitor's earlier text rides in a hidden input of the next question's form."""
    doc = seed_guide.published_document()
    steps = walk(
        doc, lambda d, q, a: q.choice(q.free_text.choice) if q.free_text else pick_first(d, q, a)
    )
    typed = text_step(steps)
    later = steps[steps.index(typed) + 1]
    before = state_of(steps[: steps.index(later)])
    state = State(answers=before.answers, texts={typed.question.slug: TEMPLATE_SYNTAX})

    page = Markup(client.get(question_url(doc, later.question, state)).content.decode())

    hidden = {e["name"]: e["value"] for e in page.tags("input") if e["type"] == "hidden"}
    assert hidden[text_param(typed.question.slug)] == TEMPLATE_SYNTAX
    assert not page.tags("b")
