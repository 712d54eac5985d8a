"""Accessible names for the fields of inline rows (WCAG 1.3.1, 4.1.2).

A table-style inline labels each column once, in its heading: a screen reader
would announce "edit text" ten times over. So every visible field of each row
gets an `aria-label`, its label and the row: "Order (answer 3)", or "Order (new
answer)" in the blank row "Add another" copies. It starts with the visible label,
so speech input ("click Order") still finds it. Stacked inlines label each field
already; radio buttons and tick boxes keep their per-option labels.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.forms.formsets import BaseFormSet
from django.forms.utils import pretty_name
from django.utils.translation import gettext_lazy as _


def row_name(label: str, index: int | None, row: str = "") -> str:
    """The accessible name of a field in row `index` (counted from 0; None: the blank row)
    of an inline whose rows are each a `row` ("answer", "show-if clause")."""
    row = row or _("row")
    if index is None:
        return _("%(label)s (new %(row)s)") % {"label": label, "row": row}
    return _("%(label)s (%(row)s %(number)s)") % {"label": label, "row": row, "number": index + 1}


def names_itself(widget: forms.Widget) -> bool:
    """Whether each option has a label of its own (RadioSelect, CheckboxSelectMultiple)."""
    return isinstance(widget, forms.RadioSelect)


def name_row_fields(form: forms.BaseForm, index: int | None, row: str = "") -> None:
    """Give every visible field of one inline row an aria-label, unless it has one."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, RelatedFieldWidgetWrapper):
            # The select it wraps is the form's own copy (the wrapper's attrs are shared).
            widget = widget.widget
        if widget.is_hidden or names_itself(widget):
            continue
        label = str(field.label) if field.label else pretty_name(name)
        widget.attrs.setdefault("aria-label", row_name(label, index, row))


def labelled_formset(formset_class: type[BaseFormSet], row: str = "") -> type[BaseFormSet]:
    """The inline's formset class, naming the fields of every row it builds (each a `row`).

    `add_fields` runs for every row, the blank one included, after the form's
    own fields (and the "Delete" box) exist; each form holds copies of the
    widgets, so a row's names stay its own.
    """

    class Labelled(formset_class):  # type: ignore[misc, valid-type]
        def add_fields(self, form: forms.BaseForm, index: Any) -> None:
            super().add_fields(form, index)
            name_row_fields(form, index, row)

    Labelled.__name__ = formset_class.__name__
    Labelled.__qualname__ = formset_class.__qualname__
    return Labelled


def shows_a_table(inline: InlineModelAdmin) -> bool:
    """Whether the inline is drawn as a table, its labels as column headings: Django's
    tabular template or one named after it (django-admin-sortable2's tabular-django-5.2)."""
    return "tabular" in str(inline.template).rsplit("/", 1)[-1]


def name_table_rows(inline: InlineModelAdmin, formset: type[BaseFormSet]) -> type[BaseFormSet]:
    """The inline's formset class, naming its rows' fields if the inline is a table."""
    if not shows_a_table(inline):
        return formset
    return labelled_formset(formset, str(inline.verbose_name))
