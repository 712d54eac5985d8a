"""The parts of a guide a visitor reads: outcomes, linked pages, criteria, scenarios, lists."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from decisionguide.content.models.fields import (
    guide_link,
    order_field,
    parent_link,
    slug_field,
    text_field,
    unique_per,
)
from decisionguide.decision.document import (
    LINKED_PAGE_URL_PATTERN,
    URL_MAX_LENGTH,
)

# ---------------------------------------------------------------------------
# Outcomes, criteria, scenarios, linked pages


class Outcome(models.Model):
    guide = guide_link("outcomes")
    slug = slug_field(_("Identifies the outcome in answers, results and content files."))
    name = models.CharField(
        max_length=300, help_text=_("The name visitors see as a recommendation.")
    )
    tagline = models.CharField(max_length=300, help_text=_("One line under the name."))
    symbol = models.CharField(
        max_length=4, blank=True, help_text=_("A short mark (e.g. an emoji) shown beside the name.")
    )
    best_for = models.TextField(help_text=_("One item per line: the list of who this suits best."))
    strengths = text_field(_("Markdown. What this outcome does well."))
    tradeoffs = text_field(_("Markdown. What visitors give up by choosing it."))
    failure_mode = text_field(_("Markdown. How this set-up usually goes wrong."))
    good_fit = text_field(_("Markdown. Signs that the visitor fits this outcome."))
    choose_if = text_field(_("Markdown. The short rule for picking this outcome."))
    next_pages = models.ManyToManyField(
        "LinkedPage",
        through="OutcomeNextPage",
        related_name="next_for_outcomes",
        blank=True,
        help_text=_("Pages suggested after this recommendation, in order."),
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
    guide = guide_link("linked_pages")
    slug = slug_field(_("Used in Markdown links written [words](page:slug) and in routes."))
    title = models.CharField(max_length=300, help_text=_("The link text and page heading."))
    summary = text_field(_("Markdown. What visitors find on that page."))
    when = text_field(
        _(
            "Markdown. When a visitor should go there: shown in the guide's list of "
            "pages and on the page a routing answer leads to."
        )
    )
    body = text_field(
        _(
            "Markdown. The page's own text on this site (what it settles, what to have "
            "clear before going there). Not used when the page has a URL."
        ),
        blank=True,
    )
    url = models.CharField(
        max_length=URL_MAX_LENGTH,
        blank=True,
        validators=[
            RegexValidator(
                # \Z, not $: Python's $ would let a trailing newline through.
                LINKED_PAGE_URL_PATTERN.removesuffix("$") + r"\Z",
                _(
                    "Use https://… or http://… with a host name, or a path on this site that "
                    "starts with a single /."
                ),
            )
        ],
        help_text=_("Where the link goes. Empty: a page on this site shows the summary."),
    )
    order = order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]
        constraints = [unique_per("guide", "slug", "linkedpage")]

    def __str__(self) -> str:
        return self.title


class OutcomeNextPage(models.Model):
    outcome = parent_link(
        Outcome,
        "next_page_links",
        _("The recommendation the page is suggested after."),
    )
    page = parent_link(
        LinkedPage,
        "+",
        _("The page suggested to visitors who get this recommendation."),
    )
    order = order_field()

    class Meta:
        ordering = ["outcome_id", "order", "id"]
        constraints = [unique_per("outcome", "page", "outcomenextpage")]

    def __str__(self) -> str:
        return _("%(outcome)s → %(page)s") % {"outcome": self.outcome, "page": self.page}


class Criterion(models.Model):
    guide = guide_link("criteria")
    slug = slug_field(_("Identifies the criterion in content files."))
    name = models.CharField(max_length=300, help_text=_("A row heading of the comparison table."))
    description = text_field(_("Explains the row under its heading."), blank=True)
    order = order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]
        verbose_name_plural = _("criteria")
        constraints = [unique_per("guide", "slug", "criterion")]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    criterion = parent_link(Criterion, "ratings", _("The table row."))
    outcome = parent_link(Outcome, "ratings", _("The table column."))
    label = models.CharField(max_length=300, help_text=_("The table cell text."))
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(3)],
        help_text=_("0 weakest to 3 strongest: how strongly the cell is highlighted."),
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
        cell = {
            "row": self.criterion,
            "column": self.outcome,
            "label": self.label,
            "level": self.level,
        }
        return _("%(row)s — %(column)s: %(label)s (%(level)s/3)") % cell


class Scenario(models.Model):
    guide = guide_link("scenarios")
    slug = slug_field(_("Identifies the scenario in content files and results."))
    title = models.CharField(
        max_length=300,
        help_text=_(
            "The scenario's name for editors (visitors see it only on a public example "
            "without a title of its own below)."
        ),
    )
    description = text_field(
        _(
            "Markdown. The situation these answers describe, for editors (visitors see it only on "
            "a public example without a description of its own below)."
        )
    )
    # New scenarios are tests only; the migration kept the existing ones public.
    public = models.BooleanField(
        _("public example"),
        default=False,
        help_text=_(
            "Show it to visitors as an example: under Examples on the guide page and as "
            "a result's closest example. Unticked, it only checks that these answers get the "
            "expected outcome. Publishing is refused while a public example has placeholder text."
        ),
    )
    public_title = models.CharField(
        _("title for visitors"),
        max_length=300,
        blank=True,
        help_text=_("The example's heading on public pages. Blank: the title above."),
    )
    public_description = text_field(
        _(
            "Markdown. The situation as visitors read it on public pages. Blank: the description "
            "above."
        ),
        blank=True,
    )
    outcome = parent_link(
        Outcome,
        "scenarios",
        _("The outcome these answers must get (the scenario fails otherwise)."),
        on_delete=models.RESTRICT,
    )
    handoff_example = text_field(_("Markdown. A handoff in practice."), blank=True)
    handoff_rule = text_field(_("The one-line rule the example follows."), blank=True)
    order = order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]
        constraints = [unique_per("guide", "slug", "scenario")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.outcome_id is not None and self.outcome.guide_id != self.guide_id:
            raise ValidationError({"outcome": _("Pick an outcome of this guide.")})


class GuideItem(models.Model):
    """One item of a guide's short lists (edge cases, missteps).

    Failure checks were items too, until they could say which recommendations
    they belong with (`rules.FailureCheck`).
    """

    class Kind(models.TextChoices):
        EDGE_CASE = "edge_case", _("Edge case")
        MISSTEP = "misstep", _("Misstep")

    guide = guide_link("items")
    kind = models.CharField(
        max_length=20, choices=Kind.choices, help_text=_("Which list on the guide page it is in.")
    )
    text = text_field(_("Markdown. The item as visitors read it."))
    order = order_field()

    class Meta:
        ordering = ["guide_id", "kind", "order", "id"]
        # Named for what they are: "guide item" said nothing.
        verbose_name = _("edge case or misstep")
        verbose_name_plural = _("edge cases and missteps")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["edge_case", "misstep"]),
                name="guides_guideitem_kind_known",
            )
        ]

    def __str__(self) -> str:
        return _("%(kind)s: %(text)s") % {"kind": self.get_kind_display(), "text": self.text[:60]}
