"""One clause of a condition (a question's show-if, a gate's, a note's), as admin fields.

The clause looks at one question and holds when its answer is one of the
ticked choices. A question's condition may only look at questions before it
(a visitor has answered only those when it is shown), so its picker offers
only those, and their choices as tick boxes grouped by question (guide-admin.js
shows the picked question's group alone). A later question posted anyway is
refused with a message saying why; gates and notes are read after every
answer, so theirs offer every question.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from decisionguide.content.models import Choice, Clause, ClauseChoice, Question
from decisionguide.editor.forms import (
    BoundedModelMultipleChoiceField,
    choices_of_guide,
    mark_question_select,
)


def questions_of_guide(guide_id: int | None) -> list[Question]:
    queryset = Question.objects.filter(guide_id=guide_id) if guide_id else Question.objects.none()
    return list(queryset.order_by("order", "id"))


def comes_before(question: Question, owner: Question) -> bool:
    return _place(question) < _place(owner)


def _place(question: Question) -> tuple[int, int]:
    # A refused post can leave the owner's place empty (None) in memory: count it as last.
    order = question.order if isinstance(question.order, int) else 2**63
    return order, question.pk or 0


class AnswerCheckboxes(forms.CheckboxSelectMultiple):
    """Tick boxes for the answers, one group (a fieldset named after its question) each."""

    template_name = "admin/guides/widgets/answer_checkboxes.html"

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if isinstance(instance, Choice):
            option["question"] = instance.question
        return option

    def optgroups(self, name: str, value: Any, attrs: Any = None) -> list[tuple[Any, list, int]]:
        groups: list[tuple[Any, list, int]] = []
        for _question, options, index in super().optgroups(name, value, attrs):
            for option in options:
                question = option.get("question")
                if groups and groups[-1][0] == question:
                    groups[-1][1].append(option)
                else:
                    groups.append((question, [option], index))
        return groups


class AnswersField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Choice) -> str:
        return _("%(name)s (%(slug)s)") % {"name": obj.label, "slug": obj.slug}


class QuestionPicker(forms.ModelChoiceField):
    def label_from_instance(self, obj: Question) -> str:
        return _("%(name)s (%(slug)s)") % {"name": obj.short, "slug": obj.slug}


class ClauseForm(forms.ModelForm):
    """One clause: the answer to `question` is one of `answers` (see the module doc)."""

    question = QuestionPicker(
        queryset=Question.objects.none(),
        help_text=_(
            "The question whose answer is looked at. A question's condition can only "
            "look at questions before it."
        ),
    )
    answers = AnswersField(
        queryset=Choice.objects.none(),
        widget=AnswerCheckboxes(attrs={"class": "clause-answers"}),
        label=_("Answers"),
        help_text=_(
            "The clause holds when the visitor's answer to that question is one of the ticked ones."
        ),
    )

    class Meta:
        model = Clause
        fields = ["group", "question", "order"]

    def __init__(
        self,
        *args: Any,
        guide_id: int | None = None,
        owner: models.Model | None = None,
        role: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Which of the owner's conditions this clause is part of (`Clause.role`).
        self.instance.role = role
        questions = questions_of_guide(guide_id)
        # A saved question's condition: only questions before it. A new question goes
        # last unless placed otherwise, and the whole-guide check catches that.
        self.owner_id = owner.pk if isinstance(owner, Question) else None
        if isinstance(owner, Question) and owner.pk is not None:
            self.later = {q.pk for q in questions if not comes_before(q, owner)}
        else:
            self.later = set()
        self.fields["question"].queryset = Question.objects.filter(
            pk__in=[q.pk for q in questions]
        ).order_by("order", "id")
        self.fields["answers"].queryset = choices_of_guide(guide_id)
        self.offer_only_earlier()
        mark_question_select(self.fields["question"])
        if self.instance.pk is not None:
            self.initial["answers"] = [
                link.choice_id for link in self.instance.clause_choices.all()
            ]

    def offer_only_earlier(self) -> None:
        """Later questions and their answers stay valid choices, to be refused by name."""
        if not self.later:
            return
        for name in ("question", "answers"):
            field = self.fields[name]
            field.widget.choices = [
                (value, label)
                for value, label in field.choices
                if not value or self.question_of(value.instance) not in self.later
            ]

    @staticmethod
    def question_of(row: Question | Choice) -> int:
        return row.pk if isinstance(row, Question) else row.question_id

    def clean_question(self) -> Question:
        question = self.cleaned_data["question"]
        if question.pk == self.owner_id:
            raise forms.ValidationError(
                _(
                    "A question can't be shown depending on its own answer: pick a question "
                    "before it."
                )
            )
        if question.pk in self.later:
            raise forms.ValidationError(
                _(
                    "“%(question)s” is a later question: a visitor has not answered it yet "
                    "when this one is shown. Pick a question before this one, or move this "
                    "one below it."
                )
                % {"question": question.short}
            )
        return question

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        question = cleaned.get("question")
        answers = cleaned.get("answers")
        if question is not None and answers is not None:
            strays = [c for c in answers if c.question_id != question.pk]
            if strays:
                allowed = ", ".join(c.slug for c in question.choices.all())
                self.add_error(
                    "answers",
                    _("Pick answers of the question “%(question)s” (%(allowed)s); not %(strays)s")
                    % {
                        "question": question.slug,
                        "allowed": allowed,
                        "strays": ", ".join(f"{c.question.slug}: {c.slug}" for c in strays),
                    },
                )
        return cleaned

    def save(self, commit: bool = True) -> Clause:
        clause = super().save(commit=commit)
        if commit:
            self.save_answers()
        else:
            save_m2m = self.save_m2m

            def save_m2m_and_answers() -> None:
                save_m2m()
                self.save_answers()

            self.save_m2m = save_m2m_and_answers
        return clause

    def save_answers(self) -> None:
        """Keep the written order of answers still picked; add new ones in question order."""
        picked = list(self.cleaned_data["answers"])
        picked_ids = {c.pk for c in picked}
        links = list(self.instance.clause_choices.all())
        for link in links:
            if link.choice_id not in picked_ids:
                link.delete()
        kept = [link.choice_id for link in links if link.choice_id in picked_ids]
        new = [c.pk for c in picked if c.pk not in kept]
        for order, choice_id in enumerate(kept + new):
            ClauseChoice.objects.update_or_create(
                clause=self.instance, choice_id=choice_id, defaults={"order": order}
            )
