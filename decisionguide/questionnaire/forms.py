"""The one form a visitor fills in: one question's answer, and its text box."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from decisionguide.decision.document import Question
from decisionguide.questionnaire.state import normalise_text, text_param

# ---------------------------------------------------------------------------
# The one-question form


class FreeTextField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return normalise_text(super().to_python(value))


class AnswerForm(forms.Form):
    """One question's answer, plus its free text when the chosen answer asks for one.

    Field names are the query parameter names (`<question>` and `<question>_text`)
    and the field ids the summary's links point at.
    """

    def __init__(self, question: Question, data: QueryDict) -> None:
        super().__init__(data, auto_id="%s")
        self.question = question
        self.fields[question.slug] = forms.ChoiceField(
            choices=[(c.slug, c.label) for c in question.choices],
            error_messages={
                "required": f"Choose an answer to “{question.prompt}”",
                "invalid_choice": f"Choose one of the listed answers to “{question.prompt}”",
            },
        )
        if question.free_text is not None:
            # The length is checked in clean(): only when the text is wanted.
            self.fields[text_param(question.slug)] = FreeTextField(required=False)

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
                    f"Keep it to {free_text.max_length} characters or fewer "
                    f"(you typed {len(text)})",
                )
        return cleaned

    @property
    def choice(self) -> str:
        return self.cleaned_data[self.question.slug]

    @property
    def text(self) -> str:
        return self.cleaned_data.get(self.text_name, "")

    def submitted_choice(self) -> str:
        """What was picked, for re-showing the page, when it is one of the choices."""
        value = self.data.get(self.question.slug, "")
        return value if self.question.choice(value) is not None else ""

    def submitted_text(self) -> str:
        return self.data.get(self.text_name, "")
