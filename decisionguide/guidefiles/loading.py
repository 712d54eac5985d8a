"""Loading documents into guides: apply a document, freeze a version, load content files.

`apply_document` is how a whole document becomes a guide's rows (content
files, the admin's import and revert): in one transaction, rows written by
`content.rows` (matched by key, so unchanged rows keep their primary keys),
and a change bumps the guide's version once and freezes the document as a new
GuideVersion. An identical document writes nothing. `freeze_version` freezes
rows the admin already changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from django.db import transaction
from django.db.models import Max

from decisionguide.content.models import Guide, GuideVersion, PublishEvent
from decisionguide.content.rows import build_document, guide_values, write_rows
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.decision.translations import languages_going_live
from decisionguide.guidefiles.validation import check_storable
from decisionguide.guidefiles.yaml_io import (
    CONTENT_FILE_MAX_BYTES,
    display_name,
    read_guide_files,
)
from decisionguide.languages import translated_languages

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# "published": the content was already in the rows, but its version wasn't live yet.
# "skipped": the draft was edited after the file was last loaded (see `edited_since_load`).
Status = Literal["created", "updated", "published", "unchanged", "skipped"]


@dataclass(frozen=True)
class LoadReport:
    guide: Guide
    status: Status
    source: str = ""

    def __str__(self) -> str:
        slug, version = self.guide.slug, self.guide.version
        if self.status == "updated":
            return f"{slug}: updated to version {version}"
        if self.status == "published":
            return f"{slug}: published version {version}"
        if self.status == "skipped":
            return self.skipped_message()
        return f"{slug}: {self.status} (version {version})"

    def skipped_message(self) -> str:
        guide = self.guide
        if guide.file_version is None:
            since = "was made or imported in the admin, not loaded from this file"
        else:
            since = (
                f"was edited after {self.source} was last loaded (version "
                f"{guide.file_version}; the draft is version {guide.version} now)"
            )
        return (
            f"{guide.slug}: skipped {self.source}: the draft {since}, and loading the file "
            "would replace those edits. To keep them, export the draft to the file "
            f"(manage.py dumpguide {guide.slug} > {self.source}); to replace them with the "
            f"file, run manage.py loadguide --force {self.source} (the edits stay in the history)."
        )

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


def load_guide_file(path: str | Path) -> LoadReport:
    """Read, validate and apply one content file."""
    (report,) = load_guide_files([path])
    return report


def load_guide_files(
    paths: Iterable[str | Path],
    *,
    max_bytes: int = CONTENT_FILE_MAX_BYTES,
    may_publish: Callable[[GuideDocument], bool] | None = None,
    force: bool = False,
) -> list[LoadReport]:
    """Validate all files, then apply them all in one transaction.

    A file marked `published: true` (the default) is published at once, as
    `loadguide` is how content reaches a fresh site, unless `may_publish`
    (asked for each such document before anything is written) says no: then
    it is loaded as the draft.

    A guide whose draft was edited since its file was last loaded is skipped
    (status "skipped"), unless `force`: a restart must never undo an editor's work.
    """
    paths = list(paths)
    docs = read_guide_files(paths, max_bytes=max_bytes)
    publish = [doc.published and (may_publish is None or may_publish(doc)) for doc in docs]
    reports = []
    with transaction.atomic():
        for doc, path, listed in zip(docs, paths, publish, strict=True):
            source = display_name(path)
            edited = None if force else edited_since_load(doc)
            if edited is not None:
                reports.append(LoadReport(edited, "skipped", source))
                continue
            report = _apply(doc, publish=listed, user=None, note=f"Loaded from {source}")
            if report.guide.file_version != report.guide.version:
                report.guide.file_version = report.guide.version
                Guide.objects.filter(pk=report.guide.pk).update(file_version=report.guide.version)
            reports.append(LoadReport(report.guide, report.status, source))
    return reports


def edited_since_load(doc: GuideDocument) -> Guide | None:
    """The guide `doc` would load into, if its draft changed since a file was last loaded.

    None when loading is safe: a new guide, a draft still as the last load left
    it, or one that already holds exactly this document.
    """
    guide = Guide.objects.select_for_update().filter(slug=doc.slug).first()
    if guide is None or guide.version == guide.file_version or _same(guide, doc):
        return None
    return guide


def apply_document(
    doc: GuideDocument,
    *,
    publish: bool | None = None,
    user: AbstractBaseUser | None = None,
    note: str = "",
) -> tuple[Guide, bool]:
    """Create or update the guide the document describes; True when anything changed.

    All in one transaction. Rows are matched by slug (gates and list items by
    position), so unchanged rows keep their primary keys; rows no longer in
    the document are deleted. A change bumps `version` by one and freezes the
    document as a new GuideVersion (by `user`, with `note`); an identical
    document writes nothing.

    `publish` (default: the document's `published`) makes the new version the
    one visitors see. Without it the change stays a draft and the guide keeps
    whatever listing it had (a new guide starts unlisted).
    """
    if publish is None:
        publish = doc.published
    report = _apply(doc, publish=publish, user=user, note=note)
    return report.guide, report.changed


def _apply(
    doc: GuideDocument, *, publish: bool, user: AbstractBaseUser | None, note: str
) -> LoadReport:
    check_storable(doc)
    with transaction.atomic():
        guide = Guide.objects.select_for_update().filter(slug=doc.slug).first()
        # What the rows will say about listing: published content is listed,
        # a draft keeps the guide's current state.
        listed = True if publish else (doc.published and guide is not None and guide.is_published)
        if doc.published != listed:
            doc = doc.model_copy(update={"published": listed})
        if guide is None:
            # Unlisted until its first version is frozen (a listed guide needs one).
            guide = Guide.objects.create(version=1, **{**guide_values(doc), "is_published": False})
            status: Status = "created"
        elif _same(guide, doc):
            if publish and not _is_live(guide):
                put_live(guide, guide.draft_version(), user=user, note=note)
                return LoadReport(guide, "published")
            if guide.is_published and not listed:
                take_off_site(guide, user=user, note=note)
            return LoadReport(guide, "unchanged")
        else:
            for name, value in guide_values(doc).items():
                setattr(guide, name, value)
            # Not listed yet: the new version it needs is frozen below.
            guide.is_published = guide.is_published and guide.published_version_id is not None
            # Never reuse a frozen version number, even if `version` was edited by hand.
            frozen = GuideVersion.objects.filter(guide=guide).aggregate(latest=Max("version"))
            guide.version = max(guide.version, frozen["latest"] or 0) + 1
            status = "updated"
        write_rows(guide, doc)  # saves the guide too
        version = GuideVersion.objects.create(
            guide=guide,
            version=guide.version,
            document=unlisted(doc).to_data(),
            created_by=user,
            note=note[:NOTE_MAX_LENGTH],
        )
        if publish:
            put_live(guide, version, user=user, note=note)
        return LoadReport(guide, status)


NOTE_MAX_LENGTH = GuideVersion._meta.get_field("note").max_length


def _is_live(guide: Guide) -> bool:
    """Listed, showing exactly the draft's version."""
    if not guide.is_published or guide.published_version_id is None:
        return False
    return guide.published_version.version == guide.version


def unlisted(doc: GuideDocument) -> GuideDocument:
    """The document as a frozen version holds it: without its listing.

    Whether a guide is listed is not content. Frozen versions leave it out
    (the schema's default), so publishing or unpublishing never makes a new
    version, and comparing versions compares only what visitors read.
    """
    return doc if doc.published else doc.model_copy(update={"published": True})


def take_off_site(guide: Guide, *, user: AbstractBaseUser | None = None, note: str = "") -> None:
    """Unlist the guide (its published version stays) and log who did it: a PublishEvent."""
    guide.is_published = False
    guide.save(update_fields=["is_published", "updated"])
    if guide.published_version_id is not None:
        PublishEvent.objects.create(
            guide=guide,
            version_id=guide.published_version_id,
            action=PublishEvent.Action.UNPUBLISH,
            created_by=user,
            note=note[:NOTE_MAX_LENGTH],
        )


def put_live(
    guide: Guide, version: GuideVersion, *, user: AbstractBaseUser | None = None, note: str = ""
) -> None:
    """Make `version` what visitors see and log who did it: a PublishEvent, no new version."""
    guide.published_version = version
    guide.is_published = True
    # Each language moves to `version` only when complete in it (content.language_lines).
    guide.language_versions = languages_going_live(
        version.document, translated_languages(), guide.language_versions, version.pk
    )
    guide.save(update_fields=["published_version", "language_versions", "is_published", "updated"])
    PublishEvent.objects.create(
        guide=guide,
        version=version,
        action=PublishEvent.Action.PUBLISH,
        created_by=user,
        note=note[:NOTE_MAX_LENGTH],
    )


def freeze_version(
    guide: Guide,
    doc: GuideDocument,
    *,
    user: AbstractBaseUser | None = None,
    note: str = "",
) -> tuple[GuideVersion, bool]:
    """Freeze `doc` (the guide's rows as they are now) as the draft's version.

    Returns the version and whether it is new: when the latest frozen
    version already holds this document, nothing is written. Otherwise the
    guide's `version` goes up by one (once, however many rows changed).
    """
    with transaction.atomic():
        locked = Guide.objects.select_for_update().only("pk", "version").get(pk=guide.pk)
        latest = GuideVersion.objects.filter(guide=guide).order_by("-version").first()
        doc = unlisted(doc)
        if latest is not None and latest.version == locked.version and latest.as_document() == doc:
            return latest, False
        number = locked.version if latest is None else max(locked.version, latest.version) + 1
        guide.version = number
        guide.save(update_fields=["version", "updated"])
        version = GuideVersion.objects.create(
            guide=guide,
            version=number,
            document=doc.to_data(),
            created_by=user,
            note=note[:NOTE_MAX_LENGTH],
        )
        return version, True


def _same(guide: Guide, doc: GuideDocument) -> bool:
    try:
        current = build_document(guide)
    except DocumentError:  # broken by hand edits: rewrite it from the document
        return False
    # JSON text, not dict equality: the order of keys (ratings, points) counts too.
    # The listing is not content (see `unlisted`): the caller handles it.
    return json.dumps(unlisted(current).to_data()) == json.dumps(unlisted(doc).to_data())
