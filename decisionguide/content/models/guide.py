"""A guide, its frozen versions, and the lookups public pages start with."""

from __future__ import annotations

import copy
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import IntegrityError, connections, models, router, transaction
from django.urls import reverse

from decisionguide.content.models.fields import slug_field
from decisionguide.decision.document import TEXT_MAX_LENGTH, GuideDocument
from decisionguide.decision.parsing import parse_document

if TYPE_CHECKING:
    pass


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
    file_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The draft version the last load of a content file (loadguide, bin/serve) "
        "left. Once the draft is edited past it, loading the file again is skipped, so "
        "restarts never replace an editor's work.",
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
        data = self.draft_document().to_data()
        try:
            with transaction.atomic():
                return GuideVersion.objects.create(guide=self, version=self.version, document=data)
        except IntegrityError:  # another request froze it first
            return GuideVersion.objects.get(guide=self, version=self.version)

    def draft_document(self) -> GuideDocument:
        """The draft as it is in the rows right now (raises DocumentError if they are broken).

        Built by `content.rows.build_document`, which imports these models, so they
        don't import it: the content app's config holds it (`ContentConfig.ready`).
        """
        return apps.get_app_config(self._meta.app_label).build_document(self)

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
