from __future__ import annotations

import functools
from typing import NamedTuple

from django.db import connections, models, router
from django.urls import reverse
from django.utils import timezone

from decisionguide.results.ids import RESULT_ID_LENGTH, new_result_id


class PageStamp(NamedTuple):
    """What decides a permalink page's content besides the frozen result: see permalink.py."""

    result_id: str
    guide_version_id: int
    guide_slug: str
    published_version_id: int | None
    guide_is_listed: bool


class ResultManager(models.Manager["Result"]):
    # On the manager, not a queryset: the hot path needs no queryset at all.
    def page_stamp(self, result_id: str) -> PageStamp | None:
        """The result's page stamp in one small query (None if there is no such result).

        A permalink served from memory needs only this, so it is a fixed SQL
        string: compiling the ORM's three-table join cost more than the page.
        """
        alias = router.db_for_read(self.model)
        with connections[alias].cursor() as cursor:
            cursor.execute(page_stamp_sql(alias), [result_id])
            row = cursor.fetchone()
        if row is None:
            return None
        result_id, version_id, slug, published_id, is_published = row
        listed = bool(is_published) and published_id is not None
        return PageStamp(result_id, version_id, slug, published_id, listed)


@functools.cache
def page_stamp_sql(alias: str) -> str:
    from decisionguide.content.models import Guide, GuideVersion

    quote = connections[alias].ops.quote_name
    result, version, guide = Result._meta, GuideVersion._meta, Guide._meta

    def column(meta: models.options.Options, name: str) -> str:
        return quote(meta.get_field(name).column)

    return (
        f"SELECT r.{column(result, 'id')}, r.{column(result, 'guide_version')}, "
        f"g.{column(guide, 'slug')}, g.{column(guide, 'published_version')}, "
        f"g.{column(guide, 'is_published')} "
        f"FROM {quote(result.db_table)} r "
        f"INNER JOIN {quote(version.db_table)} v "
        f"ON v.{column(version, 'id')} = r.{column(result, 'guide_version')} "
        f"INNER JOIN {quote(guide.db_table)} g "
        f"ON g.{column(guide, 'id')} = v.{column(version, 'guide')} "
        f"WHERE r.{column(result, 'id')} = %s"
    )


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

    objects = ResultManager()

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
