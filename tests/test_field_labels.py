"""Every field of every inline row has a name of its own (editor/field_labels.py).

Table-style inlines show a field's label once, as a column heading; each input
in the rows is named "<label> (<row> N)" for screen readers, <row> being what
the inline holds ("answer"), and the blank row that "Add another" copies
"<label> (new <row>)". The browser check (axe on every
admin page) is tests/e2e/test_admin_accessibility.py; this one reads the HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import models
from django.forms import CheckboxSelectMultiple, Form, ModelChoiceField, MultipleChoiceField
from django.forms.formsets import formset_factory
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import (
    Criterion,
    Gate,
    Guide,
    GuideItem,
    Note,
    Outcome,
    Question,
    Scenario,
)
from decisionguide.editor.field_labels import labelled_formset, row_name, shows_a_table

# An inline row's field: "<prefix>-<row>-<field>", the blank row's row being "__prefix__".
ROW_FIELD = re.compile(r"^(?P<prefix>[a-z_]+)-(?P<row>\d+|__prefix__)-(?P<field>\w+)$")


class Fields(HTMLParser):
    """The fields a person fills in or ticks (name -> aria-label, None: none), their ids,
    and the text of each <label for>, by the id it names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: dict[str, str | None] = {}
        self.ids: dict[str, str] = {}
        self.label_texts: dict[str, str] = {}
        self._label_for: str | None = None

    @property
    def labelled(self) -> set[str]:
        return set(self.label_texts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self._label_for = a["for"] or ""
            self.label_texts.setdefault(self._label_for, "")
        name = a.get("name")
        if tag not in {"input", "select", "textarea"} or not name:
            return
        if tag == "input" and a.get("type") in {"hidden", "submit", "button"}:
            return
        self.names[name] = a.get("aria-label")
        self.ids[name] = a.get("id") or ""

    def handle_data(self, data: str) -> None:
        if self._label_for is not None:
            self.label_texts[self._label_for] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_for = None

    def accessible_name(self, name: str) -> str:
        """A field's name as a screen reader reads it: its aria-label, else its <label>."""
        return self.names[name] or " ".join(self.label_texts.get(self.ids[name], "").split())


def read_fields(client: Client, url: str) -> Fields:
    response = client.get(url)
    assert response.status_code == 200
    parser = Fields()
    parser.feed(response.content.decode())
    return parser


def inline_fields(client: Client, url: str) -> tuple[Fields, list[str]]:
    """The page's fields and its inline rows' fields (their names), each checked to have a
    name of its own: an aria-label or a <label>."""
    parser = read_fields(client, url)
    rows = [name for name in parser.names if ROW_FIELD.match(name)]
    unnamed = [name for name in rows if not parser.accessible_name(name)]
    assert unnamed == [], "fields with neither a label nor a name"
    return parser, rows


def change_url(row: models.Model) -> str:
    return reverse(f"admin:guides_{row._meta.model_name}_change", args=[row.pk])


def parent_with_rows(model: type[models.Model], guide: Guide) -> models.Model:
    """A row of the seed guide whose inline has the most rows (the one that needs names most)."""
    if model is Guide:
        return guide
    related = {
        Outcome: "next_page_links",
        Criterion: "ratings",
        Scenario: "answers",
        Question: "show_clauses",
        Gate: "clauses",
        Note: "clauses",
    }[model]
    return (
        model.objects.filter(guide=guide).annotate(n=models.Count(related)).order_by("-n").first()
    )


@pytest.mark.parametrize("model", [Guide, Outcome, Criterion, Scenario, Question, Gate, Note])
def test_every_inline_field_an_editor_sees_is_named_by_label_and_row(
    editor_client: Client, seed_guide: Guide, model: type[models.Model]
) -> None:
    parser, fields = inline_fields(editor_client, change_url(parent_with_rows(model, seed_guide)))
    rows = {ROW_FIELD.match(name)["row"] for name in fields}
    # A row and the blank one at least (a question of the seed guide has one clause).
    assert {"0", "__prefix__"} <= rows, f"inline rows: {sorted(fields)}"
    # Rows drawn as a table name each field "<label> (<row> N)": no two alike.
    named = {name: parser.names[name] for name in fields if parser.names[name]}
    for name, label in named.items():
        row = ROW_FIELD.match(name)["row"]
        where = r"new [^()]+" if row == "__prefix__" else rf"[^()]+ {int(row) + 1}"
        assert re.search(rf" \({where}\)$", label), (name, label)
    assert len(set(named.values())) == len(named), "two fields share a name"


def test_guide_items_are_named_by_their_field_labels(
    editor_client: Client, seed_guide: Guide
) -> None:
    parser, _ = inline_fields(editor_client, change_url(seed_guide))
    kind = GuideItem._meta.get_field("kind").verbose_name.capitalize()
    text = GuideItem._meta.get_field("text").verbose_name.capitalize()
    assert parser.accessible_name("items-0-kind").startswith(kind)
    assert parser.accessible_name("items-1-text").startswith(text)
    assert parser.accessible_name("items-__prefix__-kind").startswith(kind)


def test_stacked_rows_keep_their_visible_labels(editor_client: Client, seed_guide: Guide) -> None:
    """A question's choices are stacked, each field with its <label>: no second name."""
    question = seed_guide.questions.first()
    parser = read_fields(editor_client, change_url(question))
    assert parser.names["choices-0-label"] is None
    assert parser.ids["choices-0-label"] in parser.labelled


class Picks(Form):
    outcome = ModelChoiceField(queryset=Outcome.objects.none(), label="Outcome")
    answers = MultipleChoiceField(choices=[("a", "A")], widget=CheckboxSelectMultiple)


def test_boxes_with_labels_of_their_own_keep_them_and_rows_keep_their_own_names() -> None:
    formset = labelled_formset(formset_factory(Picks, extra=2))()
    first, second = formset.forms
    assert first.fields["outcome"].widget.attrs["aria-label"] == row_name("Outcome", 0)
    assert second.fields["outcome"].widget.attrs["aria-label"] == "Outcome (row 2)"
    assert formset.empty_form.fields["outcome"].widget.attrs["aria-label"] == "Outcome (new row)"
    assert "aria-label" not in first.fields["answers"].widget.attrs
    assert "aria-label" not in Picks.base_fields["outcome"].widget.attrs


@pytest.mark.parametrize(
    ("template", "table"),
    [
        ("admin/edit_inline/tabular.html", True),
        ("adminsortable2/edit_inline/tabular-django-5.2.html", True),
        ("admin/edit_inline/stacked.html", False),
        ("admin/guides/edit_inline/ordered.html", False),
    ],
)
def test_only_inlines_drawn_as_tables_get_names(template: str, table: bool) -> None:
    class Inline:
        pass

    inline = Inline()
    inline.template = template
    assert shows_a_table(inline) is table
