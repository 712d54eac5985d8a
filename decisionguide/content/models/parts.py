"""The parts of a guide a visitor reads: outcomes, linked pages, criteria, scenarios, lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from decisionguide.content.models.fields import order_field, slug_field, unique_per
from decisionguide.content.models.guide import Guide
from decisionguide.decision.document import (
    LINKED_PAGE_URL_PATTERN,
    TEXT_MAX_LENGTH,
    URL_MAX_LENGTH,
)

if TYPE_CHECKING:
    pass


# ---------------------------------------------------------------------------
# Outcomes, criteria, scenarios, linked pages


class Outcome(models.Model):
    guide = models.ForeignKey(
        Guide,
        on_delete=models.CASCADE,
        related_name="outcomes",
        help_text="The guide this belongs to (fixed once created).",
    )
    slug = slug_field("Identifies the outcome in answers, results and content files.")
    name = models.CharField(max_length=300, help_text="The name visitors see as a recommendation.")
    tagline = models.CharField(max_length=300, help_text="One line under the name.")
    symbol = models.CharField(
        max_length=4, blank=True, help_text="A short mark (e.g. an emoji) shown beside the name."
    )
    best_for = models.TextField(help_text="One item per line: the list of who this suits best.")
    strengths = models.TextField(
        max_length=TEXT_MAX_LENGTH, help_text="Markdown. What this outcome does well."
    )
    tradeoffs = models.TextField(
        max_length=TEXT_MAX_LENGTH, help_text="Markdown. What visitors give up by choosing it."
    )
    failure_mode = models.TextField(
        max_length=TEXT_MAX_LENGTH, help_text="Markdown. How this set-up usually goes wrong."
    )
    good_fit = models.TextField(
        max_length=TEXT_MAX_LENGTH, help_text="Markdown. Signs that the visitor fits this outcome."
    )
    choose_if = models.TextField(
        max_length=TEXT_MAX_LENGTH, help_text="Markdown. The short rule for picking this outcome."
    )
    next_pages = models.ManyToManyField(
        "LinkedPage",
        through="OutcomeNextPage",
        related_name="next_for_outcomes",
        blank=True,
        help_text="Pages suggested after this recommendation, in order.",
    )
    order = order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]
        constraints = [unique_per("guide", "slug", "outcome")]

    def __str__(self) -> str:
        return self.name

    def best_for_lines(self) -> list[str]:
        return [line.strip() for line in self.best_for.splitlines() if line.strip()]


class LinkedPage(models.Model):
    guide = models.ForeignKey(
        Guide,
        on_delete=models.CASCADE,
        related_name="linked_pages",
        help_text="The guide this belongs to (fixed once created).",
    )
    slug = slug_field("Used in Markdown links written [words](page:slug) and in routes.")
    title = models.CharField(max_length=300, help_text="The link text and page heading.")
    summary = models.TextField(
        max_length=TEXT_MAX_LENGTH, help_text="Markdown. What visitors find on that page."
    )
    when = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        help_text="Markdown. When a visitor should go there: shown in the guide's list of "
        "pages and on the page a routing answer leads to.",
    )
    body = models.TextField(
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        help_text="Markdown. The page's own text on this site (what it settles, what to have "
        "clear before going there). Not used when the page has a URL.",
    )
    url = models.CharField(
        max_length=URL_MAX_LENGTH,
        blank=True,
        validators=[
            RegexValidator(
                # \Z, not $: Python's $ would let a trailing newline through.
                LINKED_PAGE_URL_PATTERN.removesuffix("$") + r"\Z",
                "Use https://… or http://… with a host name, or a path on this site that "
                "starts with a single /.",
            )
        ],
        help_text="Where the link goes. Empty: a page on this site shows the summary.",
    )
    order = order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]
        constraints = [unique_per("guide", "slug", "linkedpage")]

    def __str__(self) -> str:
        return self.title


class OutcomeNextPage(models.Model):
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.CASCADE,
        related_name="next_page_links",
        help_text="The recommendation the page is suggested after.",
    )
    page = models.ForeignKey(
        LinkedPage,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The page suggested to visitors who get this recommendation.",
    )
    order = order_field()

    class Meta:
        ordering = ["outcome_id", "order", "id"]
        constraints = [unique_per("outcome", "page", "outcomenextpage")]

    def __str__(self) -> str:
        return f"{self.outcome} → {self.page}"


class Criterion(models.Model):
    guide = models.ForeignKey(
        Guide,
        on_delete=models.CASCADE,
        related_name="criteria",
        help_text="The guide this belongs to (fixed once created).",
    )
    slug = slug_field("Identifies the criterion in content files.")
    name = models.CharField(max_length=300, help_text="A row heading of the comparison table.")
    description = models.TextField(
        max_length=TEXT_MAX_LENGTH, blank=True, help_text="Explains the row under its heading."
    )
    order = order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]
        verbose_name_plural = "criteria"
        constraints = [unique_per("guide", "slug", "criterion")]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        related_name="ratings",
        help_text="The table row.",
    )
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.CASCADE,
        related_name="ratings",
        help_text="The table column.",
    )
    label = models.CharField(max_length=300, help_text="The table cell text.")
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(3)],
        help_text="0 weakest to 3 strongest: how strongly the cell is highlighted.",
    )
    order = order_field()

    class Meta:
        ordering = ["criterion_id", "order", "id"]
        constraints = [
            unique_per("criterion", "outcome", "rating"),
            models.CheckConstraint(
                condition=models.Q(level__lte=3), name="guides_rating_level_range"
            ),
        ]

    def __str__(self) -> str:
        # Names the cell, so change summaries say which one changed.
        return f"{self.criterion} \N{EM DASH} {self.outcome}: {self.label} ({self.level}/3)"


class Scenario(models.Model):
    guide = models.ForeignKey(
        Guide,
        on_delete=models.CASCADE,
        related_name="scenarios",
        help_text="The guide this belongs to (fixed once created).",
    )
    slug = slug_field("Identifies the example in content files and results.")
    title = models.CharField(max_length=300, help_text="The example's heading.")
    description = models.TextField(
        max_length=TEXT_MAX_LENGTH, help_text="Markdown. The situation the example describes."
    )
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.RESTRICT,
        related_name="scenarios",
        help_text="The outcome this example ends up with.",
    )
    handoff_example = models.TextField(
        max_length=TEXT_MAX_LENGTH, blank=True, help_text="Markdown. A handoff in practice."
    )
    handoff_rule = models.TextField(
        max_length=TEXT_MAX_LENGTH, blank=True, help_text="The one-line rule the example follows."
    )
    order = order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]
        constraints = [unique_per("guide", "slug", "scenario")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.outcome_id is not None and self.outcome.guide_id != self.guide_id:
            raise ValidationError({"outcome": "Pick an outcome of this guide."})


class GuideItem(models.Model):
    """One item of a guide's short lists (edge cases, missteps, failure checks)."""

    class Kind(models.TextChoices):
        EDGE_CASE = "edge_case", "Edge case"
        MISSTEP = "misstep", "Misstep"
        FAILURE_CHECK = "failure_check", "Failure check"

    guide = models.ForeignKey(
        Guide,
        on_delete=models.CASCADE,
        related_name="items",
        help_text="The guide this belongs to (fixed once created).",
    )
    kind = models.CharField(
        max_length=20, choices=Kind.choices, help_text="Which list on the guide page it is in."
    )
    text = models.TextField(
        max_length=TEXT_MAX_LENGTH, help_text="Markdown. The item as visitors read it."
    )
    order = order_field()

    class Meta:
        ordering = ["guide_id", "kind", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["edge_case", "misstep", "failure_check"]),
                name="guides_guideitem_kind_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"
