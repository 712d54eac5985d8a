"""Anonymous daily counters of what the questionnaire showed and what visitors answered.

The table kept its name from when the model lived in the content app
("guides_answercounter"): migrations 0001-0002 moved it here without copying a row.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from decisionguide.content.models import Guide
from decisionguide.content.models.fields import parent_link


class AnswerCounter(models.Model):
    """How often something happened in a guide's questionnaire on one day.

    One row per (guide, published version, question, choice, day, kind), bumped
    with a single UPDATE; nothing about the visitor is stored. For a result,
    `question` is empty and `choice` holds the recommended outcome's slug. For
    "depth", `question` is empty and `choice` holds a number N: an answer that was
    the visit's Nth (how many questions it had answered so far), from which the
    report works out how many questions visits answer, without following anyone.
    For a "whatif" (a stored result looked at with one answer changed, not a result
    shown), `question` and `choice` are the changed answer and `version` is the
    version the result was worked out with, which the what-if runs on. For a
    "check" (the *Check your answers* page shown), both are empty.
    For "embedded" (the questionnaire started inside another site's page, decisionguide.embed),
    `question` is empty and `choice` holds that site's origin, one of the guide's allowed
    origins (empty when the request named none of them): the site, not the visitor.
    """

    class Kind(models.TextChoices):
        SHOWN = "shown", _("Question shown")
        ANSWERED = "answered", _("Question answered")
        ROUTED = "routed", _("Sent to another page")
        RESULT = "result", _("Recommendation shown")
        DEPTH = "depth", _("Answers given so far")
        WHATIF = "whatif", _("What-if shown")
        EMBEDDED = "embedded", _("Visit started inside another site")
        CHECK = "check", _("Check page shown")

    guide = parent_link(Guide, "answer_counters", _("The guide whose questionnaire was used."))
    version = models.PositiveIntegerField(help_text=_("The published version visitors answered."))
    question = models.CharField(
        max_length=64, help_text=_("The question's slug (empty for a recommendation or a depth).")
    )
    choice = models.CharField(
        max_length=64,
        blank=True,
        help_text=_(
            "The chosen answer's slug (empty when shown; the outcome's slug for a "
            "recommendation; the number of answers given so far for a depth)."
        ),
    )
    day = models.DateField(help_text=_("The day (UTC) the visits happened."))
    kind = models.CharField(max_length=8, choices=Kind.choices, help_text=_("What happened."))
    count = models.PositiveIntegerField(default=0, help_text=_("How many times, that day."))

    class Meta:
        db_table = "guides_answercounter"
        ordering = ["guide_id", "version", "day", "question", "kind", "choice"]
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "version", "question", "choice", "day", "kind"],
                name="guides_answercounter_unique_day",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "shown",
                        "answered",
                        "routed",
                        "result",
                        "depth",
                        "whatif",
                        "embedded",
                        "check",
                    ]
                ),
                name="guides_answercounter_kind_known",
            ),
        ]

    def __str__(self) -> str:
        what = f"{self.question}={self.choice}" if self.choice else self.question
        return f"{what} {self.kind} {self.count} times on {self.day} (v{self.version})"
