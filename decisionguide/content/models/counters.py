"""Anonymous daily counters of questions shown and answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from decisionguide.content.models.guide import Guide

if TYPE_CHECKING:
    pass


# ---------------------------------------------------------------------------
# Analytics: anonymous daily counters (see decisionguide.analytics.counting)


class AnswerCounter(models.Model):
    """How often a question was shown, or answered with a choice, on one day.

    One row per (guide, published version, question, choice, day, kind), bumped
    with a single UPDATE; nothing about the visitor is stored.
    """

    class Kind(models.TextChoices):
        SHOWN = "shown", "Shown"
        ANSWERED = "answered", "Answered"

    guide = models.ForeignKey(
        Guide,
        on_delete=models.CASCADE,
        related_name="answer_counters",
        help_text="The guide whose questionnaire was used.",
    )
    version = models.PositiveIntegerField(help_text="The published version visitors answered.")
    question = models.CharField(max_length=64, help_text="The question's slug.")
    choice = models.CharField(
        max_length=64, blank=True, help_text="The chosen answer's slug (empty when shown)."
    )
    day = models.DateField(help_text="The day (UTC) the visits happened.")
    kind = models.CharField(
        max_length=8, choices=Kind.choices, help_text="Shown to visitors, or answered by them."
    )
    count = models.PositiveIntegerField(default=0, help_text="How many times, that day.")

    class Meta:
        ordering = ["guide_id", "version", "day", "question", "kind", "choice"]
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "version", "question", "choice", "day", "kind"],
                name="guides_answercounter_unique_day",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["shown", "answered"]),
                name="guides_answercounter_kind_known",
            ),
        ]

    def __str__(self) -> str:
        what = f"{self.question}={self.choice}" if self.choice else self.question
        return f"{what} {self.kind} {self.count} times on {self.day} (v{self.version})"
