"""The one form a visitor fills in: one question's answer, and its text box.

It is rendered by crispy-forms (`{% crispy form %}`) with our template pack,
`decisionguide_gds` (form_layout.py and templates/decisionguide_gds/ in this
app): `answer_helper` lays it out as the question page's GET form, which HTMX
sends and swaps into the page's panel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext, ngettext

from decisionguide.decision.document import Question
from decisionguide.questionnaire.form_layout import (
    CharacterCount,
    HiddenInputs,
    Radios,
    SubmitButton,
)
from decisionguide.questionnaire.state import normalise_text, text_label, text_param

# ---------------------------------------------------------------------------
# The one-question form


class FreeTextField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return normalise_text(super().to_python(value))


class AnswerForm(forms.Form):
    """One question's answer, plus its free text when the chosen answer asks for one.

    Field names are the query parameter names (`<question>` and `<question>_text`)
    and the field ids the summary's links point at. Unbound (no `data`), it
    shows `choice` and `text`: the answer already in the URL.
    """

    def __init__(
        self, question: Question, data: QueryDict | None = None, *, choice: str = "", text: str = ""
    ) -> None:
        text_name = text_param(question.slug)
        super().__init__(data, initial={question.slug: choice, text_name: text}, auto_id="%s")
        self.question = question
        self.fields[question.slug] = forms.ChoiceField(
            label=question.prompt,
            help_text=question.hint,
            widget=forms.RadioSelect,
            choices=[(c.slug, c.label) for c in question.choices],
            error_messages={
                "required": gettext("Choose an answer to “%(question)s”")
                % {"question": question.prompt},
                "invalid_choice": gettext("Choose one of the listed answers to “%(question)s”")
                % {"question": question.prompt},
            },
        )
        free_text = question.free_text
        if free_text is not None:
            # The length is checked in clean(): only when the text is wanted.
            self.fields[text_name] = FreeTextField(
                required=False,
                label=text_label(free_text.label),
                help_text=free_text.hint,
                widget=forms.Textarea,
            )

    @property
    def text_name(self) -> str:
        return text_param(self.question.slug)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        slug = self.question.slug
        # One question has one answer; several values mean a tampered URL.
        if len(self.data.getlist(slug)) > 1 and slug not in self.errors:
            self.add_error(slug, self.fields[slug].error_messages["invalid_choice"])
        free_text = self.question.free_text
        if free_text is not None and cleaned.get(slug) == free_text.choice:
            text = cleaned.get(self.text_name, "")
            if len(text) > free_text.max_length:
                self.add_error(
                    self.text_name,
                    ngettext(
                        "Keep it to %(most)d characters or fewer (you typed %(count)d)",
                        "Keep it to %(most)d characters or fewer (you typed %(count)d)",
                        len(text),
                    )
                    % {"most": free_text.max_length, "count": len(text)},
                )
        return cleaned

    @property
    def choice(self) -> str:
        return self.cleaned_data[self.question.slug]

    @property
    def text(self) -> str:
        return self.cleaned_data.get(self.text_name, "")

    def shown_choice(self) -> str:
        """The choice the page shows picked (submitted, or else initial), if it is one."""
        value = self[self.question.slug].value() or ""
        return value if self.question.choice(value) is not None else ""

    def error_links(self) -> list[tuple[str, str]]:
        """(field id, message) for each field in error: the error summary's links."""
        return [
            (self[name].auto_id, " ".join(self.errors[name]))
            for name in self.fields
            if name in self.errors
        ]


def answer_helper(
    form: AnswerForm,
    *,
    action: str,
    hidden: Sequence[tuple[str, str]],
    panel_id: str,
    caption: str,
) -> FormHelper:
    """The question page's form: a GET to `action` carrying the other answers in
    hidden inputs, which HTMX sends itself and swaps the panel `panel_id` with."""
    question = form.question
    helper = FormHelper()
    helper.form_method = "get"
    helper.form_action = action
    helper.form_class = "question-form"
    # Our own message and error summary, not the browser's.
    helper.attrs = {
        "novalidate": True,
        "data-hx-get": action,
        "data-hx-target": f"#{panel_id}",
        "data-hx-swap": "outerHTML show:window:top",
        "data-hx-push-url": "true",
    }
    free_text = question.free_text
    reveals = {}
    if free_text is not None:
        reveals[free_text.choice] = CharacterCount(form.text_name, max_length=free_text.max_length)
    helper.layout = Layout(
        HiddenInputs(hidden),
        Radios(
            question.slug,
            caption=caption,
            heading=True,
            hints={c.slug: c.hint for c in question.choices if c.hint},
            reveals=reveals,
        ),
        SubmitButton(gettext("Continue")),
    )
    return helper
