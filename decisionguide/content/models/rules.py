"""Gates, notes and the one condition model that switches them (and questions) on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

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
        _("Never recommended unless the conditions below hold. Not the default outcome."),
    )
    reason = fields.text_field(_("Markdown. Tells the visitor why it was ruled out."))
    argues_against = models.ManyToManyField(
        "Outcome",
        blank=True,
        related_name="+",
        help_text=_(
            "Other outcomes the reason warns against too (it always argues against "
            "the gate's own outcome). The checks refuse a guide where a page would show it "
            "beside a recommendation it argues against, or beside a sentence arguing the other way."
        ),
    )
    argues_for = models.ManyToManyField(
        "Outcome",
        blank=True,
        related_name="+",
        help_text=_(
            "Outcomes the reason speaks for; it then argues against every other one, "
            "and the same checks apply."
        ),
    )
    # Its condition (`unless` in the document), the reason's `asserts` and `counted`
    # clauses (by `Clause.role`): deleted with the gate.
    clauses = GenericRelation("Clause", related_query_name="gate")
    order = fields.order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]

    def __str__(self) -> str:
        return _("Gate on %(outcome)s") % {"outcome": self.outcome}


class Note(models.Model):
    """A remark added to the result when its condition holds."""

    guide = fields.guide_link("notes")
    slug = fields.slug_field(_("Identifies the note in content files and results."))
    title = models.CharField(max_length=300, help_text=_("The note's heading on the result."))
    text = fields.text_field(_("Markdown. The note's body on the result."))
    shown_with = models.ManyToManyField(
        "Outcome",
        blank=True,
        related_name="+",
        help_text=_(
            "Show the note only when the recommendation is one of these. None ticked: "
            "whatever is recommended."
        ),
    )
    argues_against = models.ManyToManyField(
        "Outcome",
        blank=True,
        related_name="+",
        help_text=_(
            "Outcomes this note warns against. Publishing is refused while some answers "
            "would show it beside one of them: turn the rule into a gate, or reword the note."
        ),
    )
    argues_for = models.ManyToManyField(
        "Outcome",
        blank=True,
        related_name="+",
        help_text=_(
            "Outcomes this note speaks for; it then argues against every other one, "
            "and the same check applies."
        ),
    )
    # Its condition (`when` in the document), its `asserts` and `counted` clauses
    # (by `Clause.role`): deleted with the note.
    clauses = GenericRelation("Clause", related_query_name="note")
    order = fields.order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]
        constraints = [fields.unique_per("guide", "slug", "note")]

    def __str__(self) -> str:
        return self.title


class FailureCheck(models.Model):
    """A line of "Check again in a month" on the result page."""

    guide = fields.guide_link("failure_checks")
    text = fields.text_field(_("Markdown. The line as visitors read it."))
    shown_with = models.ManyToManyField(
        "Outcome",
        blank=True,
        related_name="+",
        help_text=_(
            "Show the line only beside these recommendations (e.g. a line about a "
            "hybrid's upkeep only on Hybrid results). None ticked: beside every recommendation."
        ),
    )
    argues_against = models.ManyToManyField(
        "Outcome",
        blank=True,
        related_name="+",
        help_text=_(
            "Outcomes the line warns against. The checks refuse a guide where it "
            "would be shown beside one of them."
        ),
    )
    argues_for = models.ManyToManyField(
        "Outcome",
        blank=True,
        related_name="+",
        help_text=_("Outcomes the line speaks for; it then argues against every other one."),
    )
    # Its `asserts` and `counted` clauses (by `Clause.role`): deleted with it.
    clauses = GenericRelation("Clause", related_query_name="failure_check")
    order = fields.order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class TieBreak(models.Model):
    """In a close call, the answer to `question` settles it before the default does."""

    guide = fields.guide_link("tie_breaks")
    question = fields.parent_link(
        Question,
        "+",
        _(
            "When the scores are within the guide's close-call margin, the visitor's answer to "
            "this question settles the recommendation (tie-breaks are tried in order, the "
            "first that applies wins, then the default outcome)."
        ),
        on_delete=models.RESTRICT,
    )
    explanation = fields.text_field(
        _("Markdown. Tells the visitor, in plain words, why their answer decided a close call.")
    )
    order = fields.order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]

    def __str__(self) -> str:
        return _("Close calls: %(question)s") % {"question": self.question.slug}


class TieBreakSettle(models.Model):
    """One answer of a tie-break's question and the outcome it settles a close call for."""

    tie_break = fields.parent_link(TieBreak, "settles", _("The tie-break it belongs to."))
    choice = fields.parent_link(
        Choice,
        "+",
        _("An answer of the tie-break's question. Answers not listed don't settle anything."),
        on_delete=models.RESTRICT,
    )
    outcome = fields.parent_link(
        Outcome,
        "+",
        _(
            "The outcome a close call goes to when the visitor gave that answer (only if it is "
            "one of the close outcomes)."
        ),
        on_delete=models.RESTRICT,
    )
    order = fields.order_field()

    class Meta:
        ordering = ["tie_break_id", "order", "id"]
        constraints = [fields.unique_per("tie_break", "choice", "tiebreaksettle")]

    def __str__(self) -> str:
        return _("%(answer)s → %(outcome)s") % {
            "answer": self.choice.slug,
            "outcome": self.outcome.slug,
        }

    def clean(self) -> None:
        if self.tie_break_id is None or self.choice_id is None:
            return
        if self.choice.question_id != self.tie_break.question_id:
            raise ValidationError({"choice": _("Pick an answer of the tie-break's question.")})


class ClauseGroup(models.TextChoices):
    """How a clause counts in its condition (`Condition.all_` / `any_` in the document)."""

    ALL = "all", _("All of these")
    ANY = "any", _("Any of these")


class ClauseRole(models.TextChoices):
    """Which of its owner's conditions a clause belongs to (a note has up to three)."""

    CONDITION = "", _("The condition (show-if, unless, when)")
    ASSERTS = "asserts", _("What the sentence asserts about the answers")
    COUNTED = "counted", _("Answers the sentence says counted")


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
    Role = ClauseRole

    content_type = fields.parent_link(
        ContentType,
        "+",
        _("What kind of part the condition belongs to (question, gate or note)."),
    )
    object_id = models.PositiveBigIntegerField(
        help_text=_("Which question, gate or note the condition belongs to.")
    )
    owner = GenericForeignKey("content_type", "object_id")
    question = fields.parent_link(
        Question,
        "used_in_clauses",
        _("The earlier question whose answer is looked at."),
        on_delete=models.RESTRICT,
    )
    group = models.CharField(
        max_length=3,
        choices=ClauseGroup.choices,
        default=ClauseGroup.ALL,
        help_text=_("'all': this clause must hold. 'any': at least one 'any' clause must hold."),
    )
    role = models.CharField(
        max_length=8,
        choices=ClauseRole.choices,
        default=ClauseRole.CONDITION,
        blank=True,
        help_text=_(
            "Empty: part of the condition that switches its owner on. 'asserts': part "
            "of what the sentence claims about the visitor's answers (checked wherever it is "
            "shown). 'counted': an answer the sentence says counted towards the recommendation "
            "(checked against the reasons the page lists)."
        ),
    )
    choices = models.ManyToManyField(
        Choice,
        through="ClauseChoice",
        related_name="+",
        help_text=_("Answers that make the clause hold."),
    )
    order = fields.order_field()

    class Meta:
        ordering = ["content_type_id", "object_id", "order", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="guides_clause_owner")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(group__in=ClauseGroup.values), name="guides_clause_group_known"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=ClauseRole.values), name="guides_clause_role_known"
            ),
        ]

    def __str__(self) -> str:
        # `role` and `group` are the guide file's own keywords ("asserts", "any").
        said = {"role": self.role, "group": self.group, "question": self.question.slug}
        said["choices"] = ", ".join(self.choice_slugs())
        if self.role:
            return _("%(role)s %(group)s: %(question)s in (%(choices)s)") % said
        return _("%(group)s: %(question)s in (%(choices)s)") % said

    def choice_slugs(self) -> list[str]:
        links: Iterable[ClauseChoice] = self.clause_choices.select_related("choice")
        return [link.choice.slug for link in links]


class ClauseChoice(models.Model):
    """One answer that makes a clause hold, in the order the condition lists them."""

    clause = fields.parent_link(Clause, "clause_choices", _("The clause these answers belong to."))
    choice = fields.parent_link(
        Choice,
        "+",
        _("An answer that makes the clause hold."),
        on_delete=models.RESTRICT,
    )
    order = fields.order_field()

    class Meta:
        ordering = ["clause_id", "order", "id"]
        constraints = [fields.unique_per("clause", "choice", "clausechoice")]

    def __str__(self) -> str:
        return self.choice.slug
