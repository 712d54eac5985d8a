"""Inlines: the small rows of a guide edited on their parent's page, never on their own.

Points, ratings, scenario answers, next pages and the clauses of every
condition (a question's show-if, a gate's, a note's: one `Clause` model, one
`ConditionInline`) are edited here, each offering only rows of the page's guide.
Rows with a place are dragged or moved into order (`admin_ordering.OrderedInline`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericStackedInline
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.http import HttpRequest

from decisionguide.content.models import (
    Choice,
    Clause,
    Guide,
    GuideItem,
    Outcome,
    OutcomeNextPage,
    Rating,
    ScenarioAnswer,
)
from decisionguide.editor.admin_ordering import (
    OrderedGenericInlineFormSet,
    OrderedInline,
    SmallOrderedInline,
)
from decisionguide.editor.admin_support import (
    GuideBoundInline,
    GuideInlineMixin,
    request_guide,
)
from decisionguide.editor.clause_forms import ClauseForm
from decisionguide.editor.forms import (
    ChoiceForm,
    ScenarioAnswerForm,
    choice_form_for,
    points_fields,
)

# ---------------------------------------------------------------------------
# Parts of parts


class OutcomeInline(GuideInlineMixin, admin.StackedInline):
    """On the add page only: a new guide needs at least one outcome to be valid."""

    model = Outcome
    min_num = 1
    exclude = ["next_pages"]


class GuideItemInline(SmallOrderedInline, GuideInlineMixin, admin.StackedInline):
    model = GuideItem
    fields = ["kind", "text", "order"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class OutcomeNextPageInline(SmallOrderedInline, GuideInlineMixin, admin.StackedInline):
    model = OutcomeNextPage
    verbose_name = "next page"
    verbose_name_plural = "next pages (suggested after this recommendation, in order)"


class RatingInline(SmallOrderedInline, GuideInlineMixin, admin.StackedInline):
    model = Rating
    fields = ["outcome", "label", "level", "order"]


class ScenarioAnswerInline(SmallOrderedInline, GuideBoundInline, admin.StackedInline):
    model = ScenarioAnswer
    form = ScenarioAnswerForm
    verbose_name = "answer"
    verbose_name_plural = "answer profile (visitors who answer like this resemble the example)"


class ChoiceInline(OrderedInline, GuideInlineMixin, admin.StackedInline):
    model = Choice
    form = ChoiceForm
    fk_name = "question"
    min_num = 2  # a question offers at least two answers
    show_change_link = True

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("points")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs):
        guide = request_guide(request)
        outcomes = list(Outcome.objects.filter(guide=guide)) if guide else []
        self.form = choice_form_for(outcomes)
        return super().get_formset(request, obj, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        # One flat list: the ordered template lays it out in rows that wrap.
        guide = request_guide(request)
        outcomes = list(Outcome.objects.filter(guide=guide)) if guide else []
        points = points_fields(choice_form_for(outcomes))
        fields = ["label", "slug", "order", "route", "unsure", "hint", "reason", *points]
        return [(None, {"fields": fields})]


def choice_fieldsets(guide: Guide | None, first: list[str]) -> list[tuple[str | None, dict]]:
    """A choice's fields, with one points field per outcome of its guide on one line."""
    outcomes = list(Outcome.objects.filter(guide=guide)) if guide else []
    points = points_fields(choice_form_for(outcomes))
    effect: list[Any] = [tuple(points), "route", "unsure"] if points else ["route", "unsure"]
    return [
        (None, {"fields": [*first, ("slug", "order"), "label", "hint", "reason"]}),
        ("What picking it does", {"fields": effect}),
    ]


# ---------------------------------------------------------------------------
# Conditions: one inline for the clauses of whatever owns the condition


def condition_relation(owner: type[models.Model]) -> str:
    """The owner's `GenericRelation` to its clauses (`show_clauses`, `clauses`)."""
    return next(
        field.name
        for field in owner._meta.private_fields
        if isinstance(field, GenericRelation) and field.related_model is Clause
    )


class ConditionFormSet(OrderedGenericInlineFormSet):
    """Named after the owner's relation, so the fields read `show_clauses-0-question`
    (not `guides-clause-content_type-object_id-0-question`) whatever owns them."""

    relation = ""

    @classmethod
    def get_default_prefix(cls) -> str:
        return cls.relation or super().get_default_prefix()


class ConditionInline(OrderedInline, GuideBoundInline, GenericStackedInline):
    """The clauses of the condition of the page's question, gate or note."""

    model = Clause
    form = ClauseForm
    formset = ConditionFormSet
    fields = ["group", "question", "answers", "order"]

    def form_arguments(self, obj: Any) -> dict[str, Any]:
        return {"owner": obj}  # a question's condition: only questions before it

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("clause_choices")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.relation = condition_relation(self.parent_model)  # a class made per call
        return formset


class QuestionConditionInline(ConditionInline):
    verbose_name = "show-if clause"
    verbose_name_plural = (
        "show this question only when (no clauses: always; 'all' clauses must all hold, "
        "and at least one 'any' clause if there are some; only questions before it are offered)"
    )


class GateConditionInline(ConditionInline):
    verbose_name = "clause"
    verbose_name_plural = "the outcome can be recommended only when"


class NoteConditionInline(ConditionInline):
    verbose_name = "clause"
    verbose_name_plural = "show the note on the result when"
