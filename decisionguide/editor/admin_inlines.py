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
from django.utils.translation import gettext_lazy as _

from decisionguide.content.models import (
    Choice,
    Clause,
    FailureCheck,
    Guide,
    GuideItem,
    Outcome,
    OutcomeNextPage,
    Rating,
    ScenarioAnswer,
    TieBreak,
    TieBreakSettle,
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
    BoundedModelMultipleChoiceField,
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
    prepopulated_fields = {"slug": ("name",)}  # a new row's slug follows its name until typed


class GuideItemInline(SmallOrderedInline, GuideInlineMixin, admin.StackedInline):
    model = GuideItem
    fields = ["kind", "text", "order"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class OutcomeNextPageInline(SmallOrderedInline, GuideInlineMixin, admin.StackedInline):
    model = OutcomeNextPage
    verbose_name = _("next page")
    verbose_name_plural = _("next pages (suggested after this recommendation, in order)")


class RatingInline(SmallOrderedInline, GuideInlineMixin, admin.StackedInline):
    model = Rating
    fields = ["outcome", "label", "level", "order"]


class ScenarioAnswerInline(SmallOrderedInline, GuideBoundInline, admin.StackedInline):
    model = ScenarioAnswer
    form = ScenarioAnswerForm
    verbose_name = _("answer")
    verbose_name_plural = _("answer profile (visitors who answer like this resemble the example)")


class ChoiceInline(OrderedInline, GuideInlineMixin, admin.StackedInline):
    model = Choice
    form = ChoiceForm
    fk_name = "question"
    min_num = 2  # a question offers at least two answers
    show_change_link = True
    # A new choice's slug follows its label until typed; saved ones are left alone.
    prepopulated_fields = {"slug": ("label",)}

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
        (_("What picking it does"), {"fields": effect}),
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
    """The clauses of one condition of the page's question, gate, note or check.

    An owner may have three (`Clause.role`): the condition that switches it on,
    what its sentence asserts, and the answers it says counted; each has its
    own inline, and its fields are named `<role>_<relation>-0-question`.
    """

    model = Clause
    form = ClauseForm
    formset = ConditionFormSet
    fields = ["group", "question", "answers", "order"]
    role = Clause.Role.CONDITION

    def form_arguments(self, obj: Any) -> dict[str, Any]:
        # A question's condition: only questions before it.
        return {"owner": obj, "role": self.role}

    def get_queryset(self, request: HttpRequest):
        rows = super().get_queryset(request).filter(role=self.role)
        return rows.prefetch_related("clause_choices")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        relation = condition_relation(self.parent_model)
        # A class made per call.
        formset.relation = f"{self.role}_{relation}" if self.role else relation
        return formset


class QuestionConditionInline(ConditionInline):
    verbose_name = _("show-if clause")
    verbose_name_plural = _(
        "show this question only when (no clauses: always; 'all' clauses must all hold, "
        "and at least one 'any' clause if there are some; only questions before it are offered)"
    )


class GateConditionInline(ConditionInline):
    verbose_name = _("clause")
    verbose_name_plural = _("the outcome can be recommended only when")


class NoteConditionInline(ConditionInline):
    verbose_name = _("clause")
    verbose_name_plural = _("show the note on the result when")


class AssertsInline(ConditionInline):
    role = Clause.Role.ASSERTS
    verbose_name = _("asserted clause")
    verbose_name_plural = _(
        "what the sentence says about the visitor's answers (optional; the guide's checks "
        "refuse to publish while some answers would show it where this does not hold)"
    )


class CountedInline(ConditionInline):
    role = Clause.Role.COUNTED
    fields = ["question", "answers", "order"]
    verbose_name = _("answer said to count")
    verbose_name_plural = _(
        "answers the sentence says counted towards the recommendation (optional; each "
        "must be among the reasons the result lists wherever the sentence is shown)"
    )


class FailureCheckInline(SmallOrderedInline, GuideInlineMixin, admin.StackedInline):
    """The guide's "Check again in a month" lines; claims on each line's own page."""

    model = FailureCheck
    fields = ["text", "shown_with", "order"]
    show_change_link = True
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    verbose_name = _("failure check")
    verbose_name_plural = _("failure checks (the result page's list to check again in a month)")

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        guide = request_guide(request)
        kwargs["queryset"] = (
            Outcome.objects.filter(guide=guide) if guide else Outcome.objects.none()
        )
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TieBreakInline(SmallOrderedInline, GuideInlineMixin, admin.StackedInline):
    """Which answers settle a close call before the default does, first that applies wins."""

    model = TieBreak
    fields = ["question", "explanation", "order"]
    show_change_link = True
    verbose_name = _("tie-break")
    verbose_name_plural = _(
        "tie-breaks for close calls (tried in order before the default outcome; "
        "which answer settles for which outcome is set on each tie-break's own page)"
    )


class TieBreakSettleInline(SmallOrderedInline, GuideInlineMixin, admin.StackedInline):
    model = TieBreakSettle
    fields = ["choice", "outcome", "order"]
    verbose_name = _("answer that settles a close call")
    verbose_name_plural = _("answers that settle a close call, and for which outcome")

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "choice":
            tie_break = getattr(request, "_decisionguide_tie_break", None)
            kwargs["queryset"] = (
                Choice.objects.filter(question_id=tie_break.question_id)
                if tie_break is not None
                else Choice.objects.none()
            )
            return admin.StackedInline.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
