from __future__ import annotations

from typing import NamedTuple

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisionguide.content.models.fields import parent_link
from decisionguide.pagecache.query import PageQuery
from decisionguide.results.ids import RESULT_ID_LENGTH, new_result_id


class PageStamp(NamedTuple):
    """What decides a permalink page's content besides the frozen result: see permalink.py."""

    result_id: str
    guide_version_id: int
    guide_slug: str
    published_version_id: int | None
    guide_is_listed: bool


class ResultManager(models.Manager["Result"]):
    def page_stamp(self, result_id: str) -> PageStamp | None:
        """The result's page stamp in one small query (None if there is no such result).

        A permalink served from the page cache needs only this, so it is a
        PageQuery: compiled once (three tables joined: compiling cost more than the page).
        """
        row = STAMP_ROW.first_row(result_id)
        if row is None:
            return None
        result_id, version_id, slug, published_id, is_published = row
        listed = bool(is_published) and published_id is not None
        return PageStamp(result_id, version_id, slug, published_id, listed)


class Result(models.Model):
    """One completed questionnaire, frozen: the answers and the decision as shown.

    It points at the immutable guide version it was computed with, so its
    page reads the same however the guide is edited later. Nothing about the
    visitor (address, browser) is stored.
    """

    id = models.CharField(
        _("ID"),
        primary_key=True,
        max_length=RESULT_ID_LENGTH,
        default=new_result_id,
        editable=False,
    )
    guide_version = parent_link(
        "guides.GuideVersion",
        "results",
        _("The frozen guide content this result was computed with."),
        on_delete=models.PROTECT,
    )
    answers = models.JSONField(_("answers"), help_text=_("Question slug to choice slug."))
    free_texts = models.JSONField(
        _("free texts"),
        default=dict,
        blank=True,
        help_text=_("Texts the visitor typed, by question slug."),
    )
    decision = models.JSONField(
        _("decision"), help_text=_("The engine's decision, as `manage.py recommend` prints it.")
    )
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # The same check page sent twice (a double click, a retry) must give the same
    # result: see decisionguide.results.idempotency. Empty for results stored before.
    submission_key = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "A keyed hash of the check page that sent it and its answers; "
            "nothing about the visitor."
        ),
    )

    objects = ResultManager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        outcome = self.decision.get("outcome") or self.decision.get("route") or "?"
        return f"{self.id} ({outcome})"

    def get_absolute_url(self) -> str:
        return reverse("result-detail", args=[self.id])


STAMP_ROW = PageQuery(
    Result,
    lambda result_id: (
        Result.objects.filter(pk=result_id)
        .values_list(
            "pk",
            "guide_version",
            "guide_version__guide__slug",
            "guide_version__guide__published_version",
            "guide_version__guide__is_published",
        )
        .order_by()[:1]
    ),
)


class RateLimitCounter(models.Model):
    """Attempts per client and time window (see decisionguide.results.ratelimit)."""

    key = models.CharField(max_length=64, help_text=_("Keyed hash of scope and client address."))
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="one_counter_per_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.window_start:%Y-%m-%d %H:%M} = {self.count}"
