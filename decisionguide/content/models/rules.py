"""Gates, notes and the one condition model that switches them (and questions) on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models

from decisionguide.content.models import fields
from decisionguide.content.models.parts import Outcome
from decisionguide.content.models.questions import Choice, Question

if TYPE_CHECKING:
    from collections.abc import Iterable


# ---------------------------------------------------------------------------
# Gates, notes and the conditions that switch them (and questions) on


class Gate(models.Model):
    """Rules out `outcome` unless the gate's condition holds."""

    guide = fields.guide_link("gates")
    outcome = fields.parent_link(
        Outcome,
        "gates",
        "Never recommended unless the conditions below hold. Not the default outcome.",
    )
    reason = fields.text_field("Markdown. Tells the visitor why it was ruled out.")
    # Its condition (`unless` in the document): deleted with the gate.
    clauses = GenericRelation("Clause", related_query_name="gate")
    order = fields.order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]

    def __str__(self) -> str:
        return f"Gate on {self.outcome}"


class Note(models.Model):
    """A remark added to the result when its condition holds."""

    guide = fields.guide_link("notes")
    slug = fields.slug_field("Identifies the note in content files and results.")
    title = models.CharField(max_length=300, help_text="The note's heading on the result.")
    text = fields.text_field("Markdown. The note's body on the result.")
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
    # Its condition (`when` in the document): deleted with the note.
    clauses = GenericRelation("Clause", related_query_name="note")
    order = fields.order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]
        constraints = [fields.unique_per("guide", "slug", "note")]

    def __str__(self) -> str:
        return self.title


class ClauseGroup(models.TextChoices):
    """How a clause counts in its condition (`Condition.all_` / `any_` in the document)."""

    ALL = "all", "All of these"
    ANY = "any", "Any of these"


class Clause(models.Model):
    """One clause of a condition: the answer to `question` is one of `choices`.

    Question show-conditions, gates and notes all keep their conditions here:
    one model, whatever owns the condition. The owner is a generic relation
    (content type + object id) rather than one nullable foreign key per kind of
    owner, so a new kind of part with a condition needs only a `GenericRelation`
    to this model (no new table, column or migration), and the admin edits any
    owner's clauses with one `GenericTabularInline`. Each owner's
    `GenericRelation` deletes its clauses with it (the database can't: the
    owner is no foreign key). `choices` keep the order they were written in
    through `ClauseChoice`, so a condition reads back exactly as written.

    A condition holds when every "all" clause holds and, if it has "any"
    clauses, at least one of those.
    """

    Group = ClauseGroup

    content_type = fields.parent_link(
        ContentType,
        "+",
        "What kind of part the condition belongs to (question, gate or note).",
    )
    object_id = models.PositiveBigIntegerField(
        help_text="Which question, gate or note the condition belongs to."
    )
    owner = GenericForeignKey("content_type", "object_id")
    question = fields.parent_link(
        Question,
        "used_in_clauses",
        "The earlier question whose answer is looked at.",
        on_delete=models.RESTRICT,
    )
    group = models.CharField(
        max_length=3,
        choices=ClauseGroup.choices,
        default=ClauseGroup.ALL,
        help_text="'all': this clause must hold. 'any': at least one 'any' clause must hold.",
    )
    choices = models.ManyToManyField(
        Choice,
        through="ClauseChoice",
        related_name="+",
        help_text="Answers that make the clause hold.",
    )
    order = fields.order_field()

    class Meta:
        ordering = ["content_type_id", "object_id", "order", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="guides_clause_owner")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(group__in=ClauseGroup.values), name="guides_clause_group_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.question.slug} in ({', '.join(self.choice_slugs())})"

    def choice_slugs(self) -> list[str]:
        links: Iterable[ClauseChoice] = self.clause_choices.select_related("choice")
        return [link.choice.slug for link in links]


class ClauseChoice(models.Model):
    """One answer that makes a clause hold, in the order the condition lists them."""

    clause = fields.parent_link(Clause, "clause_choices", "The clause these answers belong to.")
    choice = fields.parent_link(
        Choice,
        "+",
        "An answer that makes the clause hold.",
        on_delete=models.RESTRICT,
    )
    order = fields.order_field()

    class Meta:
        ordering = ["clause_id", "order", "id"]
        constraints = [fields.unique_per("clause", "choice", "clausechoice")]

    def __str__(self) -> str:
        return self.choice.slug
