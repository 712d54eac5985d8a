"""Gates, notes and the conditions that switch them (and questions) on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from decisionguide.content.models.fields import order_field, slug_field, unique_per
from decisionguide.content.models.guide import Guide
from decisionguide.content.models.parts import Outcome
from decisionguide.content.models.questions import Choice, Question
from decisionguide.decision.document import (
    TEXT_MAX_LENGTH,
)

if TYPE_CHECKING:
    from collections.abc import Iterable


# ---------------------------------------------------------------------------
# Gates, notes and the conditions that switch them (and questions) on


class Gate(models.Model):
    """Rules out `outcome` unless the gate's condition holds."""

    guide = models.ForeignKey(
        Guide,
        on_delete=models.CASCADE,
        related_name="gates",
        help_text="The guide this belongs to (fixed once created).",
    )
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.CASCADE,
        related_name="gates",
        help_text="Never recommended unless the conditions below hold. Not the default outcome.",
    )
    reason = models.TextField(
        max_length=TEXT_MAX_LENGTH, help_text="Markdown. Tells the visitor why it was ruled out."
    )
    order = order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]

    def __str__(self) -> str:
        return f"Gate on {self.outcome}"


class Note(models.Model):
    """A remark added to the result when its condition holds."""

    guide = models.ForeignKey(
        Guide,
        on_delete=models.CASCADE,
        related_name="notes",
        help_text="The guide this belongs to (fixed once created).",
    )
    slug = slug_field("Identifies the note in content files and results.")
    title = models.CharField(max_length=300, help_text="The note's heading on the result.")
    text = models.TextField(
        max_length=TEXT_MAX_LENGTH, help_text="Markdown. The note's body on the result."
    )
    shown_with = models.ManyToManyField(
        "Outcome",
        blank=True,
        related_name="+",
        help_text="Show the note only when the recommendation is one of these. None ticked: "
        "whatever is recommended.",
    )
    argues_against = models.ManyToManyField(
        "Outcome",
        blank=True,
        related_name="+",
        help_text="Outcomes this note warns against. Publishing is refused while some answers "
        "would show it beside one of them: turn the rule into a gate, or reword the note.",
    )
    argues_for = models.ManyToManyField(
        "Outcome",
        blank=True,
        related_name="+",
        help_text="Outcomes this note speaks for; it then argues against every other one, "
        "and the same check applies.",
    )
    order = order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]
        constraints = [unique_per("guide", "slug", "note")]

    def __str__(self) -> str:
        return self.title


class ClauseBase(models.Model):
    """One clause of a condition: the answer to `question` is one of `choices`.

    A condition holds when every "all" clause holds and, if it has "any"
    clauses, at least one of those. Each concrete clause has its own ordered
    through model for `choices`, so a condition reads back exactly as written.
    """

    class Group(models.TextChoices):
        ALL = "all", "All of these"
        ANY = "any", "Any of these"

    question = models.ForeignKey(
        Question,
        on_delete=models.RESTRICT,
        related_name="used_in_%(class)s",
        help_text="The earlier question whose answer is looked at.",
    )
    group = models.CharField(
        max_length=3,
        choices=Group.choices,
        default=Group.ALL,
        help_text="'all': this clause must hold. 'any': at least one 'any' clause must hold.",
    )
    order = order_field()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.group}: {self.question.slug} in ({', '.join(self.choice_slugs())})"

    def choice_slugs(self) -> list[str]:
        links: Iterable[ClauseChoiceBase] = self.clause_choices.select_related("choice")
        return [link.choice.slug for link in links]


def group_constraint(model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(group__in=["all", "any"]), name=f"guides_{model}_group_known"
    )


class QuestionShowClause(ClauseBase):
    """Shows `shown` only when its clauses hold (no clauses: always shown)."""

    shown = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="show_clauses",
        help_text="The question shown only when the clauses hold.",
    )
    choices = models.ManyToManyField(
        Choice,
        through="QuestionShowClauseChoice",
        related_name="+",
        help_text="Answers that make the clause hold.",
    )

    class Meta:
        ordering = ["shown_id", "order", "id"]
        constraints = [group_constraint("questionshowclause")]


class GateClause(ClauseBase):
    gate = models.ForeignKey(
        Gate,
        on_delete=models.CASCADE,
        related_name="clauses",
        help_text="The gate whose condition this clause is part of.",
    )
    choices = models.ManyToManyField(
        Choice,
        through="GateClauseChoice",
        related_name="+",
        help_text="Answers that make the clause hold.",
    )

    class Meta:
        ordering = ["gate_id", "order", "id"]
        constraints = [group_constraint("gateclause")]


class NoteClause(ClauseBase):
    note = models.ForeignKey(
        Note,
        on_delete=models.CASCADE,
        related_name="clauses",
        help_text="The note whose condition this clause is part of.",
    )
    choices = models.ManyToManyField(
        Choice,
        through="NoteClauseChoice",
        related_name="+",
        help_text="Answers that make the clause hold.",
    )

    class Meta:
        ordering = ["note_id", "order", "id"]
        constraints = [group_constraint("noteclause")]


class ClauseChoiceBase(models.Model):
    choice = models.ForeignKey(
        Choice,
        on_delete=models.RESTRICT,
        related_name="+",
        help_text="An answer that makes the clause hold.",
    )
    order = order_field()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.choice.slug


class QuestionShowClauseChoice(ClauseChoiceBase):
    clause = models.ForeignKey(
        QuestionShowClause,
        on_delete=models.CASCADE,
        related_name="clause_choices",
        help_text="The clause these answers belong to.",
    )

    class Meta:
        ordering = ["clause_id", "order", "id"]
        constraints = [unique_per("clause", "choice", "questionshowclausechoice")]


class GateClauseChoice(ClauseChoiceBase):
    clause = models.ForeignKey(
        GateClause,
        on_delete=models.CASCADE,
        related_name="clause_choices",
        help_text="The clause these answers belong to.",
    )

    class Meta:
        ordering = ["clause_id", "order", "id"]
        constraints = [unique_per("clause", "choice", "gateclausechoice")]


class NoteClauseChoice(ClauseChoiceBase):
    clause = models.ForeignKey(
        NoteClause,
        on_delete=models.CASCADE,
        related_name="clause_choices",
        help_text="The clause these answers belong to.",
    )

    class Meta:
        ordering = ["clause_id", "order", "id"]
        constraints = [unique_per("clause", "choice", "noteclausechoice")]
