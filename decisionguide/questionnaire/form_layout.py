"""Layout objects of `decisionguide_gds`, our crispy-forms template pack.

The pack (templates in this app's `templates/decisionguide_gds/`) writes the site's own
GOV.UK-style markup: a fieldset whose legend can be the page's heading, a hint
and an error message (with a visually hidden "Error:") that the fieldset or
the control names in `aria-describedby`, radios with per-choice hints, and a
text box revealed under the choice that asks for it. Ids follow the GOV.UK
convention the error summary relies on: a field's first control carries the
field's own id, so a `#<field id>` link lands on it.

Editor and visitor text is only ever rendered as template *variables*
(escaped). crispy's own `Hidden`, `Submit`, `StrictButton` and `Fieldset`
compile their value or legend as a template, which would run whatever a
visitor typed into a free-text answer, so the pack has its own objects for
hidden inputs and the button.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crispy_forms.layout import Field, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK, render_field
from django import forms
from django.template import Context
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


def reveal_id(field_id: str) -> str:
    """The id of the box that holds a revealed field (radios name it in `aria-controls`)."""
    return f"{field_id}-reveal"


class CharacterCount(Field):
    """A text box, with "You can enter up to N characters" and a live count when
    `max_length` is given (static/js/site.js keeps the count; the server checks it)."""

    template = "%s/layout/textarea.html"

    def __init__(self, field_name: str, *, max_length: int | None = None, rows: int = 4) -> None:
        super().__init__(field_name)
        self.max_length = max_length
        self.rows = rows

    def render(
        self,
        form: forms.BaseForm,
        context: Context,
        template_pack: Any = TEMPLATE_PACK,
        extra_context: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> SafeString:
        extra = {"max_length": self.max_length, "rows": self.rows, **(extra_context or {})}
        return super().render(form, context, template_pack, extra_context=extra, **kwargs)


class Radios(LayoutObject):
    """One choice field as a radio group in a fieldset.

    `caption` is a line above the legend's text ("Question 2 of 9"); with
    `heading` the legend's text is the page's `<h1>` (focused after an HTMX
    swap). `hints` maps a choice's value to the hint under its label, and
    `reveals` maps a choice's value to a layout object (a `CharacterCount`)
    shown under that choice: always without JavaScript, only while the choice
    is picked with it.
    """

    template = "%s/layout/radios.html"

    def __init__(
        self,
        field_name: str,
        *,
        caption: str = "",
        heading: bool = False,
        hints: Mapping[str, str] | None = None,
        reveals: Mapping[str, Field] | None = None,
    ) -> None:
        self.fields = [field_name]
        self.caption = caption
        self.heading = heading
        self.hints = dict(hints or {})
        self.reveals = dict(reveals or {})

    def render(
        self,
        form: forms.BaseForm,
        context: Context,
        template_pack: Any = TEMPLATE_PACK,
        **kwargs: Any,
    ) -> SafeString:
        (name,) = self.fields
        bound = form[name]
        picked = bound.value()
        items = []
        for index, (value, label) in enumerate(bound.field.choices):
            item_id = bound.auto_id if index == 0 else f"{bound.auto_id}-{value}"
            item = {
                "id": item_id,
                "value": value,
                "label": label,
                "hint": self.hints.get(str(value), ""),
                "checked": picked is not None and str(value) == str(picked),
            }
            revealed = self.reveals.get(str(value))
            if revealed is not None:
                item["reveal_id"] = reveal_id(form[revealed.fields[0]].auto_id)
                item["reveal"] = revealed.render(
                    form,
                    context,
                    template_pack,
                    extra_context={
                        "wrapper_class": "radio-conditional",
                        "wrapper_id": item["reveal_id"],
                    },
                )
            items.append(item)
        extra = {"items": items, "caption": self.caption, "heading": self.heading}
        template = self.get_template_name(template_pack)
        return render_field(
            name, form, context, template=template, template_pack=template_pack, extra_context=extra
        )


class TemplateElement:
    """A layout element that is one template of the pack, filled from `template_context()`."""

    template = ""

    def template_context(self) -> dict[str, Any]:
        raise NotImplementedError

    def render(
        self,
        form: forms.BaseForm,
        context: Context,
        template_pack: Any = TEMPLATE_PACK,
        **kwargs: Any,
    ) -> SafeString:
        return render_to_string(self.template % template_pack, self.template_context())


class HiddenInputs(TemplateElement):
    """`<input type="hidden">` for each (name, value) pair, values escaped as text."""

    template = "%s/layout/hidden_inputs.html"

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = list(pairs)

    def template_context(self) -> dict[str, Any]:
        return {"pairs": self.pairs}


class SubmitButton(TemplateElement):
    """The form's `<button type="submit">`, with no name: it adds nothing to the query string."""

    template = "%s/layout/submit.html"

    def __init__(self, text: str) -> None:
        self.text = text

    def template_context(self) -> dict[str, Any]:
        return {"text": self.text}
