from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone

from decisionguide.results.ids import RESULT_ID_LENGTH, new_result_id


class Result(models.Model):
    """One completed questionnaire, frozen: the answers and the decision as shown.

    It points at the immutable guide version it was computed with, so its
    page reads the same however the guide is edited later. Nothing about the
    visitor (address, browser) is stored.
    """

    id = models.CharField(
        primary_key=True, max_length=RESULT_ID_LENGTH, default=new_result_id, editable=False
    )
    guide_version = models.ForeignKey(
        "guides.GuideVersion",
        on_delete=models.PROTECT,
        related_name="results",
        help_text="The frozen guide content this result was computed with.",
    )
    answers = models.JSONField(help_text="Question slug to choice slug.")
    free_texts = models.JSONField(
        default=dict, blank=True, help_text="Texts the visitor typed, by question slug."
    )
    decision = models.JSONField(
        help_text="The engine's decision, as `manage.py recommend` prints it."
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        outcome = self.decision.get("outcome") or self.decision.get("route") or "?"
        return f"{self.id} ({outcome})"

    def get_absolute_url(self) -> str:
        return reverse("result-detail", args=[self.id])


class RateLimitCounter(models.Model):
    """Attempts per client and time window (see decisionguide.results.ratelimit)."""

    key = models.CharField(max_length=64, help_text="Keyed hash of scope and client address.")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="one_counter_per_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.window_start:%Y-%m-%d %H:%M} = {self.count}"
