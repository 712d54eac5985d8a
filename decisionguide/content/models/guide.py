"""A guide, its frozen versions, and the one way to read the document visitors see.

Outside this app a guide's document is read in exactly three ways:

- `Guide.objects.published()`: the guides visitors can open;
- `guide.published_document()`: the frozen document they see, whose row is
  `guide.published_version` (results point at it, analytics count per its number);
- `guide.draft_document()`: the editors' draft, the frozen version of the rows'
  current version number (`draft_version()`, frozen from the rows if missing).

Parsed documents are kept per worker (`parsed_documents`): a version never
changes, so the copy can't go stale, and pages and the engine reuse one object.
"""

from __future__ import annotations

import copy
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from decisionguide.checking.memo import Memo
from decisionguide.content.models.fields import (
    optional_link,
    parent_link,
    recorded_by,
    slug_field,
    text_field,
)
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.origins import check_origin
from decisionguide.decision.parsing import parse_document

# Parsing and validating a document takes milliseconds; each worker does it once per
# version. Keys are `GuideVersion.stamp`s, which name one frozen row for good.
parsed_documents: Memo[GuideDocument] = Memo(size=32)

# ---------------------------------------------------------------------------
# Guide and its frozen versions


# What a public page reads of a guide and of the version it shows: enough to name the
# version (the page cache's key) and to find its document, which is parsed once per worker.
PAGE_FIELDS = (
    "slug",
    "is_published",
    "version",
    "published_version",
    "published_version__guide",
    "published_version__version",
    "published_version__created",
)


class GuideQuerySet(models.QuerySet["Guide"]):
    def published(self) -> GuideQuerySet:
        """Guides visitors can see: listed, with a published version."""
        return self.filter(is_published=True, published_version__isnull=False)

    def for_pages(self) -> GuideQuerySet:
        """With the published version's row, and nothing a page doesn't read (`PAGE_FIELDS`)."""
        return self.select_related("published_version").only(*PAGE_FIELDS)


GuideManager = models.Manager.from_queryset(GuideQuerySet)


def validate_origins(text: str) -> None:
    """Each line an origin, as the document's check wants it (decision.origins.check_origin)."""
    for line in filter(None, (line.strip() for line in text.splitlines())):
        try:
            check_origin(line)
        except ValueError as exc:
            raise ValidationError(
                _("%(origin)s: %(problem)s") % {"origin": line, "problem": exc}
            ) from None


class Guide(models.Model):
    slug = slug_field(
        _(
            "The last part of the guide's web address, as in /guides/crm-pm-hybrid/. "
            "Changing it breaks links visitors have shared."
        )
    )
    title = models.CharField(max_length=300, help_text=_("The page heading and browser title."))
    summary = models.CharField(
        max_length=320,
        help_text=_("One or two sentences shown in the guide list and to search engines."),
    )
    intro = text_field(_("Markdown. The opening text of the guide page."))
    right_page = text_field(
        _(
            "Markdown. Tells visitors who this guide is for, so they know they are in the "
            "right place."
        )
    )
    wrong_page = text_field(
        _("Markdown. Tells visitors whose problem is different where to go instead.")
    )
    start_elsewhere = text_field(
        _("Markdown. Optional pointers for visitors who should start elsewhere."), blank=True
    )
    shortcut = text_field(
        _("Markdown. The short answer for visitors who don't want the questionnaire.")
    )
    decision_criteria = text_field(
        _("Markdown. Introduces the comparison table of criteria."), blank=True
    )
    snapshot = text_field(_("Markdown. A quick overview shown next to the outcomes."), blank=True)
    default_outcome = optional_link(
        "Outcome",
        _(
            "Recommended on a tie or when every outcome is excluded. Must be an outcome "
            "of this guide; the guide can't be shown without it."
        ),
    )
    close_call_margin = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Points. When the leading outcome is at most this far ahead of the default "
            "outcome, visitors are recommended the default instead, and told it was a close call. "
            "0: only an exact tie goes to the default."
        ),
    )
    embed_origins = models.TextField(
        blank=True,
        default="",
        validators=[validate_origins],
        help_text=_(
            "One per line, such as https://example.com: the sites that may show this "
            "guide inside their own pages, with the snippet or by pasting its address (oEmbed). "
            "Visitors there take the guide without leaving that page. Leave empty and no other "
            "site can show it. Takes effect when the guide is published."
        ),
    )
    translations = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "The guide's texts in other languages, with the source words each was "
            "translated from (edited on the guide's Translations page). Visitors of a language "
            "see it once it is complete and published."
        ),
    )
    version = models.PositiveIntegerField(
        default=1,
        help_text=_(
            "The draft's version: goes up by one with every saved change. Visitors see "
            "the published version until an editor publishes the draft."
        ),
    )
    file_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The draft version the last load of a content file (loadguide, bin/serve) "
            "left. Once the draft is edited past it, loading the file again is skipped, so "
            "restarts never replace an editor's work."
        ),
    )
    is_published = models.BooleanField(
        default=False,
        help_text=_(
            "Listed and answerable by visitors. Set by Publish, cleared by Unpublish; "
            "a guide can only be listed once a version is published."
        ),
    )
    published_version = models.ForeignKey(
        "GuideVersion",
        null=True,
        blank=True,
        editable=False,
        # Deleting the guide deletes its versions too; nothing else may.
        on_delete=models.RESTRICT,
        related_name="+",
        help_text=_("The frozen version visitors see and results point to."),
    )
    language_versions = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "Language -> id of the version its visitors see: a language moves to the "
            "version being published only when complete in it, else keeps the last one that was."
        ),
    )
    # Publish at: `scheduled_version` goes live at `publish_at`, applied by the first
    # public page that sees it due (publishing.schedule), so no cron job is needed.
    publish_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the scheduled version goes live (empty: nothing is scheduled)."),
    )
    scheduled_version = optional_link(
        "GuideVersion",
        _("The version an editor scheduled to go live at `publish_at`."),
        editable=False,
    )
    scheduled_by = recorded_by(_("Who scheduled the version."), editable=False)
    schedule_problem = models.TextField(
        blank=True,
        default="",
        editable=False,
        help_text=_("Why the last scheduled publish did not go live (empty: nothing failed)."),
    )
    # The review step: with `publishing_needs_review`, an editor marks the draft ready
    # and another editor with `approve_guide` publishes it (publishing.review).
    publishing_needs_review = models.BooleanField(
        _("publishing needs a review"),
        default=False,
        help_text=_(
            "Publishing waits for a review: an editor marks the draft ready for review, "
            "and another editor who may approve publishes it (or schedules it)."
        ),
    )
    review_version = optional_link(
        "GuideVersion",
        _("The draft version marked ready for review (stale once the draft moves on)."),
        editable=False,
    )
    review_requested_by = recorded_by(
        _("Who marked the draft ready for review: they may not approve it."), editable=False
    )
    review_requested_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When the review was asked for.")
    )
    created = models.DateTimeField(auto_now_add=True, help_text=_("When the guide was created."))
    updated = models.DateTimeField(auto_now=True, help_text=_("When the guide's row last changed."))
    review_links = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=_(
            "Generation of the reviewer links to the draft: a link names the generation "
            "it was made in, and withdrawing the links moves it on, so every older link stops "
            "working (`content.preview`)."
        ),
    )

    objects = GuideManager()

    class Meta:
        ordering = ["title", "id"]
        permissions = [
            ("publish_guide", "Can publish or unpublish a guide"),
            ("view_analytics", "Can view guide analytics"),
            ("approve_guide", "Can approve another editor's draft for publishing"),
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

    @property
    def ready_for_review(self) -> bool:
        """A review is asked for the current draft (any later save makes it stale)."""
        return self.review_version_id is not None and self.review_version.version == self.version

    def clean(self) -> None:
        if self.default_outcome_id is not None and (
            self.pk is None or self.default_outcome.guide_id != self.pk
        ):
            raise ValidationError({"default_outcome": _("Pick an outcome of this guide.")})

    def published_document(self) -> GuideDocument:
        """The frozen document visitors see: `published_version`'s, parsed once per worker.

        Raises GuideVersion.DoesNotExist for a guide that was never published.
        """
        if self.published_version_id is None:
            raise GuideVersion.DoesNotExist(f"guide {self.slug!r} was never published")
        return self.published_version.as_document()

    def draft_version(self) -> GuideVersion:
        """The frozen row of the draft's version, frozen from the rows if missing.

        Every admin save and load freezes one, so it is missing only for rows
        written some other way (a shell, an old database).
        """
        frozen = GuideVersion.objects.filter(guide=self, version=self.version).first()
        if frozen is not None:
            return frozen
        # Rows -> document is `content.rows.build_document`, which imports these models, so
        # they don't import it: the content app's config holds it (`ContentConfig.ready`).
        data = apps.get_app_config(self._meta.app_label).build_document(self).to_data()
        try:
            with transaction.atomic():
                return GuideVersion.objects.create(guide=self, version=self.version, document=data)
        except IntegrityError:  # another request froze it first
            return GuideVersion.objects.get(guide=self, version=self.version)

    def draft_document(self) -> GuideDocument:
        """The draft as editors see it: `draft_version()`'s document, parsed once per worker.

        Raises DocumentError if the rows had to be frozen and don't make a guide.
        """
        return self.draft_version().as_document()

    def has_unpublished_changes(self) -> bool:
        if self.published_version_id is None:
            return True
        return self.published_version.version != self.version


class GuideVersion(models.Model):
    """One version of a guide, frozen: results point here, so it never changes."""

    guide = parent_link(Guide, "versions", _("The guide this is a version of."))
    version = models.PositiveIntegerField(help_text=_("The guide's version number it froze."))
    document = models.JSONField(help_text=_("The whole guide document (GuideDocument.to_data())."))
    created = models.DateTimeField(auto_now_add=True, help_text=_("When the change was saved."))
    created_by = recorded_by(_("Who saved the change (empty: a content file or a script)."))
    note = models.CharField(
        max_length=300, blank=True, help_text=_("What the change was, in a few words.")
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
        slug = self.document.get("slug", self.guide_id)
        return _("%(slug)s v%(version)s") % {"slug": slug, "version": self.version}

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("A guide version is frozen; create a new version instead.")
        super().save(*args, **kwargs)

    @property
    def stamp(self) -> str:
        """Names this frozen version even across databases that reuse primary keys
        (a rolled-back transaction, a restored backup): its id and creation time."""
        created = self.created.timestamp() if self.created else 0
        return f"{self.pk}.{created}"

    def as_document(self) -> GuideDocument:
        """The frozen document as objects (parsed once per worker: `parsed_documents`)."""
        key = self.stamp
        doc = parsed_documents.get(key)
        if doc is None:
            doc = parsed_documents.put(key, parse_document(in_schema_order(self.document)))
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
