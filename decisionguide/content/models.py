"""The guide content as database rows, one model per part of a GuideDocument.

Editors change these rows (admin, `loadguide`); visitors never read them
directly. The rows are the guide's *draft*: every content change bumps
`Guide.version` and freezes the whole document into a `GuideVersion` (the
history). Visitors see only `Guide.published_version`, which moves when an
editor publishes (or `loadguide` loads a file marked `published: true`);
pages, the engine and stored results read that frozen document.
`content_io` is the only code that maps documents to rows and back, so the
two shapes can't drift apart.

Deletion rules: parts that only make sense with their parent cascade;
references that would silently change a guide's meaning if they vanished
(a scenario's outcome, a choice's route, what a condition looks at) are
RESTRICT, so an editor must fix the referring row first, while deleting a
whole guide still removes everything.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import IntegrityError, connections, models, router, transaction
from django.urls import reverse

from decisionguide.decision.document import (
    LINKED_PAGE_URL_PATTERN,
    SLUG_PATTERN,
    TEXT_MAX_LENGTH,
    URL_MAX_LENGTH,
    GuideDocument,
    parse_document,
)

if TYPE_CHECKING:
    from collections.abc import Iterable


class DocumentMemo:
    """A small in-process LRU of parsed, immutable guide documents.

    Documents never change once frozen and every key names its version, so
    each worker may keep its own copy without any coordination: no pickling,
    no shared cache round trip, no re-validation on every request.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[str, GuideDocument] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> GuideDocument | None:
        with self._lock:
            doc = self._items.get(key)
            if doc is not None:
                self._items.move_to_end(key)
            return doc

    def put(self, key: str, doc: GuideDocument) -> GuideDocument:
        with self._lock:
            self._items[key] = doc
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return doc

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


documents = DocumentMemo()

slug_validator = RegexValidator(
    SLUG_PATTERN, "Use lowercase letters and digits, separated by single - or _."
)


def slug_field(help_text: str) -> models.SlugField:
    # No separate index: every slug is covered by a unique constraint.
    return models.SlugField(
        max_length=64, db_index=False, validators=[slug_validator], help_text=help_text
    )


def order_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        default=0, help_text="Position among its siblings on the page (smallest first)."
    )


def unique_per(parent: str, field: str, model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=[parent, field], name=f"guides_{model}_unique_{field}")


# ---------------------------------------------------------------------------
# Guide and its frozen versions


# What a public page needs to find the version it shows; the other fields load on access.
PAGE_LOOKUP_FIELDS = ("id", "slug", "is_published", "published_version", "version", "updated")


class GuideQuerySet(models.QuerySet["Guide"]):
    def published(self) -> GuideQuerySet:
        """Guides visitors can see: listed, with a published version."""
        return self.filter(is_published=True, published_version__isnull=False)


class GuideManager(models.Manager.from_queryset(GuideQuerySet)):  # type: ignore[misc]
    # On the manager, not the queryset: the hot path needs no queryset at all.
    def for_page(self, slug: str) -> Guide | None:
        """The guide at `slug` with the fields that name its versions, or None.

        Every public page starts with this lookup, so it runs a fixed SQL
        string through the ORM's own column converters (dates, booleans),
        skipping the query compiler: compiling took a third of a memoised
        page's time. The other fields load on first access.
        """
        alias = router.db_for_read(self.model)
        lookup = page_lookup(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(lookup.sql, [slug])
            row = cursor.fetchone()
        if row is None:
            return None
        return guide_from_row(alias, tuple(row))


@dataclass(frozen=True)
class PageLookup:
    sql: str
    attnames: tuple[str, ...]
    converters: tuple[tuple[tuple[Callable[..., Any], ...], Any], ...]
    alias: str

    def convert(self, row: tuple[Any, ...]) -> list[Any]:
        """Database values as the ORM would return them (e.g. SQLite's text dates)."""
        connection = connections[self.alias]
        values = list(row)
        for index, (functions, column) in enumerate(self.converters):
            for function in functions:
                values[index] = function(values[index], column, connection)
        return values


@functools.lru_cache(maxsize=64)
def guide_from_row(alias: str, row: tuple[Any, ...]) -> Guide:
    """One shared, read-only Guide per distinct row, so a page skips building a model.

    The row holds the version, published version and `updated` stamp, so any
    saved change or publish gives a new row and a new instance. Public pages
    only read it (and render from the immutable document); never save it.
    """
    lookup = page_lookup(alias)
    return Guide.from_db(alias, lookup.attnames, lookup.convert(row))


@functools.cache
def page_lookup(alias: str) -> PageLookup:
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = Guide._meta
    # In the model's field order: from_db() assigns values to fields in that order.
    wanted = {meta.get_field(name) for name in PAGE_LOOKUP_FIELDS}
    fields = [field for field in meta.concrete_fields if field in wanted]
    columns = ", ".join(quote(field.column) for field in fields)
    slug = quote(meta.get_field("slug").column)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {slug} = %s"
    converters = []
    for field in fields:
        column = field.get_col(meta.db_table)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        converters.append((tuple(functions), column))
    return PageLookup(sql, tuple(f.attname for f in fields), tuple(converters), alias)


class Guide(models.Model):
    slug = slug_field(
        "The last part of the guide's web address, as in /guides/crm-pm-hybrid/. "
        "Changing it breaks links visitors have shared."
    )
    title = models.CharField(max_length=300, help_text="The page heading and browser title.")
    summary = models.CharField(
        max_length=320,
        help_text="One or two sentences shown in the guide list and to search engines.",
    )
    intro = models.TextField(
        max_length=TEXT_MAX_LENGTH, help_text="Markdown. The opening text of the guide page."
    )
    right_page = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        help_text="Markdown. Tells visitors who this guide is for, so they know they are in "
        "the right place.",
    )
    wrong_page = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        help_text="Markdown. Tells visitors whose problem is different where to go instead.",
    )
    start_elsewhere = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text="Markdown. Optional pointers for visitors who should start elsewhere.",
    )
    shortcut = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        help_text="Markdown. The short answer for visitors who don't want the questionnaire.",
    )
    decision_criteria = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text="Markdown. Introduces the comparison table of criteria.",
    )
    snapshot = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text="Markdown. A quick overview shown next to the outcomes.",
    )
    default_outcome = models.ForeignKey(
        "Outcome",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Recommended on a tie or when every outcome is excluded. Must be an outcome "
        "of this guide; the guide can't be shown without it.",
    )
    close_call_margin = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(100)],
        help_text="Points. When the leading outcome is at most this far ahead of the default "
        "outcome, visitors are recommended the default instead, and told it was a close call. "
        "0: only an exact tie goes to the default.",
    )
    version = models.PositiveIntegerField(
        default=1,
        help_text="The draft's version: goes up by one with every saved change. Visitors see "
        "the published version until an editor publishes the draft.",
    )
    is_published = models.BooleanField(
        default=False,
        help_text="Listed and answerable by visitors. Set by Publish, cleared by Unpublish; "
        "a guide can only be listed once a version is published.",
    )
    published_version = models.ForeignKey(
        "GuideVersion",
        null=True,
        blank=True,
        editable=False,
        # Deleting the guide deletes its versions too; nothing else may.
        on_delete=models.RESTRICT,
        related_name="+",
        help_text="The frozen version visitors see and results point to.",
    )
    created = models.DateTimeField(auto_now_add=True, help_text="When the guide was created.")
    updated = models.DateTimeField(auto_now=True, help_text="When the guide's row last changed.")

    objects = GuideManager()

    class Meta:
        ordering = ["title", "id"]
        permissions = [
            ("publish_guide", "Can publish or unpublish a guide"),
            ("view_analytics", "Can view guide analytics"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="guides_guide_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="guides_guide_version_positive"
            ),
            # Visitors only ever see a frozen, published version.
            models.CheckConstraint(
                condition=models.Q(is_published=False) | models.Q(published_version__isnull=False),
                name="guides_guide_listed_has_published_version",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("guide-detail", args=[self.slug])

    @property
    def is_listed(self) -> bool:
        """Visitors can open it: the same test as `Guide.objects.published()`."""
        return self.is_published and self.published_version_id is not None

    def clean(self) -> None:
        if self.default_outcome_id is not None and (
            self.pk is None or self.default_outcome.guide_id != self.pk
        ):
            raise ValidationError({"default_outcome": "Pick an outcome of this guide."})

    @property
    def document_cache_key(self) -> str:
        """Names what visitors see: changes when a version is published (or unpublished).

        `updated` keeps keys apart when a primary key is reused (restored
        backups, rolled-back test transactions).
        """
        stamp = self.updated.timestamp() if self.updated else 0
        shown = self.published_version_id or f"draft{self.version}"
        return f"guides:document:{self.pk}:{shown}:{stamp}"

    def current_version(self) -> GuideVersion:
        """The frozen version visitors see: the published one.

        A guide that was never published can't be listed (see the check
        constraint), so only staff previews reach it; they get the draft.
        """
        if self.published_version_id is not None:
            return self.published_version
        return self.draft_version()

    def document(self) -> GuideDocument:
        """The immutable document visitors see (memoised; no query on a hit)."""
        key = self.document_cache_key
        doc = documents.get(key)
        if doc is None:
            doc = documents.put(key, self.current_version().as_document())
        return doc

    def draft_version(self) -> GuideVersion:
        """The frozen row of the draft's version, frozen from the rows if missing.

        Every admin save and load freezes one, so it is missing only for rows
        written some other way (a shell, an old database).
        """
        frozen = GuideVersion.objects.filter(guide=self, version=self.version).first()
        if frozen is not None:
            return frozen
        from decisionguide.content.content_io import build_document

        data = build_document(self).to_data()
        try:
            with transaction.atomic():
                return GuideVersion.objects.create(guide=self, version=self.version, document=data)
        except IntegrityError:  # another request froze it first
            return GuideVersion.objects.get(guide=self, version=self.version)

    def draft_document(self) -> GuideDocument:
        """The draft as it is in the rows right now (raises DocumentError if they are broken)."""
        from decisionguide.content.content_io import build_document

        return build_document(self)

    def has_unpublished_changes(self) -> bool:
        if self.published_version_id is None:
            return True
        return self.published_version.version != self.version


class GuideVersion(models.Model):
    """One version of a guide, frozen: results point here, so it never changes."""

    guide = models.ForeignKey(
        Guide,
        on_delete=models.CASCADE,
        related_name="versions",
        help_text="The guide this is a version of.",
    )
    version = models.PositiveIntegerField(help_text="The guide's version number it froze.")
    document = models.JSONField(help_text="The whole guide document (GuideDocument.to_data()).")
    created = models.DateTimeField(auto_now_add=True, help_text="When the change was saved.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who saved the change (empty: a content file or a script).",
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="What the change was, in a few words."
    )

    class Meta:
        ordering = ["guide_id", "-version"]
        get_latest_by = "version"
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "version"], name="guides_guideversion_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document.get('slug', self.guide_id)} v{self.version}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("A guide version is frozen; create a new version instead.")
        super().save(*args, **kwargs)

    def as_document(self) -> GuideDocument:
        """The frozen document as objects (memoised per version row)."""
        stamp = self.created.timestamp() if self.created else 0
        key = f"guides:version:{self.pk}:{stamp}"
        doc = documents.get(key)
        if doc is None:
            doc = documents.put(key, parse_document(in_schema_order(self.document)))
        return doc


def in_schema_order(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of document data whose mappings follow the order of outcomes and questions.

    PostgreSQL's jsonb doesn't keep the order of object keys, so the mappings
    of a frozen document (ratings, points, scenario answers) are put back in a
    fixed order: the same on every database, and the order pages show.
    """
    data = copy.deepcopy(data)
    if not isinstance(data, dict):
        return data  # let parse_document say what is wrong
    outcomes = _positions(data.get("outcomes"))
    questions = _positions(data.get("questions"))
    for criterion in _dicts(data.get("criteria")):
        _reorder(criterion, "ratings", outcomes)
    for question in _dicts(data.get("questions")):
        for choice in _dicts(question.get("choices")):
            _reorder(choice, "points", outcomes)
    for scenario in _dicts(data.get("scenarios")):
        _reorder(scenario, "answers", questions)
    return data


def _dicts(items: object) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _positions(items: object) -> dict[str, int]:
    return {item.get("slug"): index for index, item in enumerate(_dicts(items))}


def _reorder(parent: dict[str, Any], key: str, positions: dict[str, int]) -> None:
    mapping = parent.get(key)
    if isinstance(mapping, dict):
        last = len(positions)
        parent[key] = dict(sorted(mapping.items(), key=lambda item: positions.get(item[0], last)))


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
        return f"{self.label} ({self.level}/3)"


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


# ---------------------------------------------------------------------------
# Questions, choices, points


class Question(models.Model):
    guide = models.ForeignKey(
        Guide,
        on_delete=models.CASCADE,
        related_name="questions",
        help_text="The guide this belongs to (fixed once created).",
    )
    slug = slug_field("Names the answer in result links; changing it breaks shared answers.")
    prompt = models.CharField(max_length=300, help_text="The question, as the page heading.")
    short = models.CharField(
        max_length=300, help_text="A few words naming the question in summaries and results."
    )
    hint = models.TextField(
        max_length=TEXT_MAX_LENGTH, blank=True, help_text="Help text shown under the question."
    )
    free_text_choice = models.ForeignKey(
        "Choice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="When the visitor picks this choice, a text box is offered. Empty: no text box.",
    )
    free_text_label = models.CharField(
        max_length=300, blank=True, help_text="The text box's label."
    )
    free_text_hint = models.TextField(
        max_length=TEXT_MAX_LENGTH, blank=True, help_text="Help text under the text box."
    )
    free_text_max_length = models.PositiveSmallIntegerField(
        default=280,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Most characters a visitor may type.",
    )
    order = order_field()

    class Meta:
        ordering = ["guide_id", "order", "id"]
        constraints = [
            unique_per("guide", "slug", "question"),
            models.CheckConstraint(
                condition=models.Q(free_text_max_length__gte=1, free_text_max_length__lte=1000),
                name="guides_question_free_text_max_length_range",
            ),
        ]

    def __str__(self) -> str:
        return self.prompt

    def clean(self) -> None:
        if self.free_text_choice_id is not None:
            if self.free_text_choice.question_id != self.pk:
                raise ValidationError({"free_text_choice": "Pick a choice of this question."})
            if not self.free_text_label:
                raise ValidationError({"free_text_label": "A text box needs a label."})


class Choice(models.Model):
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="choices",
        help_text="The question this answer belongs to (fixed once created).",
    )
    slug = slug_field("Names the answer in result links; changing it breaks shared answers.")
    label = models.CharField(max_length=300, help_text="The radio button text.")
    hint = models.TextField(
        max_length=TEXT_MAX_LENGTH, blank=True, help_text="Help text under the radio button."
    )
    reason = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text="How this answer reads in 'why this recommendation'.",
    )
    route = models.ForeignKey(
        LinkedPage,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="routed_choices",
        help_text="Picking this ends the questions and sends the visitor to this page instead "
        "of a recommendation.",
    )
    unsure = models.BooleanField(
        default=False, help_text="Marks an 'I'm not sure' answer (shown and summarised as such)."
    )
    order = order_field()

    class Meta:
        ordering = ["question_id", "order", "id"]
        constraints = [unique_per("question", "slug", "choice")]

    def __str__(self) -> str:
        return f"{self.label} ({self.slug})"

    def clean(self) -> None:
        if self.route_id is not None and self.route.guide_id != self.question.guide_id:
            raise ValidationError({"route": "Pick a page of this guide."})


class ChoicePoints(models.Model):
    choice = models.ForeignKey(
        Choice,
        on_delete=models.CASCADE,
        related_name="points",
        help_text="The answer that gives the points.",
    )
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.CASCADE,
        related_name="choice_points",
        help_text="The outcome whose score gets the points.",
    )
    points = models.IntegerField(
        help_text="Added to the outcome's score when this choice is picked (may be negative)."
    )
    order = order_field()

    class Meta:
        ordering = ["choice_id", "order", "id"]
        verbose_name_plural = "choice points"
        constraints = [unique_per("choice", "outcome", "choicepoints")]

    def __str__(self) -> str:
        return f"{self.points:+d} {self.outcome}"


class ScenarioAnswer(models.Model):
    """One answer of a scenario's profile: visitors who answer like this resemble it."""

    scenario = models.ForeignKey(
        Scenario,
        on_delete=models.CASCADE,
        related_name="answers",
        help_text="The example this answer profile belongs to.",
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A question the example visitor answers.",
    )
    choice = models.ForeignKey(
        Choice,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The answer they give (one of that question's).",
    )
    order = order_field()

    class Meta:
        ordering = ["scenario_id", "order", "id"]
        constraints = [unique_per("scenario", "question", "scenarioanswer")]

    def __str__(self) -> str:
        return f"{self.question.slug} = {self.choice.slug}"

    def clean(self) -> None:
        if self.choice_id is not None and self.choice.question_id != self.question_id:
            raise ValidationError({"choice": "Pick a choice of the selected question."})


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
