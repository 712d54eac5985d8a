"""Questions, their choices and the points each choice gives."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from decisionguide.content.models.fields import (
    guide_link,
    optional_link,
    order_field,
    parent_link,
    slug_field,
    text_field,
    unique_per,
)
from decisionguide.content.models.parts import LinkedPage, Outcome, Scenario

# ---------------------------------------------------------------------------
# Questions, choices, points


class Question(models.Model):
    guide = guide_link("questions")
    slug = slug_field(_("Names the answer in result links; changing it breaks shared answers."))
    prompt = models.CharField(max_length=300, help_text=_("The question, as the page heading."))
    short = models.CharField(
        max_length=300, help_text=_("A few words naming the question in summaries and results.")
    )
    hint = text_field(_("Help text shown under the question."), blank=True)
    free_text_choice = optional_link(
        "Choice",
        _("When the visitor picks this choice, a text box is offered. Empty: no text box."),
    )
    free_text_label = models.CharField(
        max_length=300, blank=True, help_text=_("The text box's label.")
    )
    free_text_hint = text_field(_("Help text under the text box."), blank=True)
    free_text_max_length = models.PositiveSmallIntegerField(
        default=280,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Most characters a visitor may type."),
    )
    # Its show-condition (`show_if` in the document): shown only when these clauses hold.
    show_clauses = GenericRelation("Clause", related_query_name="shown")
    order = order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]
        constraints = [
            unique_per("guide", "slug", "question"),
            models.CheckConstraint(
                condition=models.Q(free_text_max_length__gte=1, free_text_max_length__lte=1000),
                name="guides_question_free_text_max_length_range",
            ),
        ]

    def __str__(self) -> str:
        return self.prompt

    def clean(self) -> None:
        if self.free_text_choice_id is not None:
            if self.free_text_choice.question_id != self.pk:
                raise ValidationError({"free_text_choice": _("Pick a choice of this question.")})
            if not self.free_text_label:
                raise ValidationError({"free_text_label": _("A text box needs a label.")})


class Choice(models.Model):
    question = parent_link(
        Question,
        "choices",
        _("The question this answer belongs to (fixed once created)."),
    )
    slug = slug_field(_("Names the answer in result links; changing it breaks shared answers."))
    label = models.CharField(max_length=300, help_text=_("The radio button text."))
    hint = text_field(_("Help text under the radio button."), blank=True)
    reason = text_field(_("How this answer reads in 'why this recommendation'."), blank=True)
    route = optional_link(
        LinkedPage,
        _(
            "Picking this ends the questions and sends the visitor to this page instead "
            "of a recommendation."
        ),
        on_delete=models.RESTRICT,
        related_name="routed_choices",
    )
    unsure = models.BooleanField(
        default=False, help_text=_("Marks an 'I'm not sure' answer (shown and summarised as such).")
    )
    order = order_field()

    class Meta:
        ordering = ["question_id", "order", "id"]
        constraints = [unique_per("question", "slug", "choice")]

    def __str__(self) -> str:
        # Names its question, so change summaries say which choice of which question.
        return _("%(question)s » %(answer)s") % {"question": self.question, "answer": self.label}

    def clean(self) -> None:
        if self.route_id is not None and self.route.guide_id != self.question.guide_id:
            raise ValidationError({"route": _("Pick a page of this guide.")})


class ChoicePoints(models.Model):
    choice = parent_link(Choice, "points", _("The answer that gives the points."))
    outcome = parent_link(Outcome, "choice_points", _("The outcome whose score gets the points."))
    points = models.IntegerField(
        help_text=_("Added to the outcome's score when this choice is picked (may be negative).")
    )
    order = order_field()

    class Meta:
        ordering = ["choice_id", "order", "id"]
        verbose_name_plural = _("choice points")
        constraints = [unique_per("choice", "outcome", "choicepoints")]

    def __str__(self) -> str:
        return _("%(points)s %(outcome)s") % {
            "points": f"{self.points:+d}",
            "outcome": self.outcome,
        }


class ScenarioAnswer(models.Model):
    """One answer of a scenario's profile: visitors who answer like this resemble it."""

    scenario = parent_link(Scenario, "answers", _("The example this answer profile belongs to."))
    question = parent_link(Question, "+", _("A question the example visitor answers."))
    choice = parent_link(Choice, "+", _("The answer they give (one of that question's)."))
    order = order_field()

    class Meta:
        ordering = ["scenario_id", "order", "id"]
        constraints = [unique_per("scenario", "question", "scenarioanswer")]

    def __str__(self) -> str:
        return _("%(question)s = %(answer)s") % {
            "question": self.question.slug,
            "answer": self.choice.slug,
        }

    def clean(self) -> None:
        if self.choice_id is not None and self.choice.question_id != self.question_id:
            raise ValidationError({"choice": _("Pick a choice of the selected question.")})
