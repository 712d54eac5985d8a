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

from decisionguide.content.models import Guide, GuideVersion
from decisionguide.content.rows import build_document, guide_values, write_rows
from decisionguide.content.validation import check_storable
from decisionguide.content.yaml_io import (
    CONTENT_FILE_MAX_BYTES,
    display_name,
    read_guide_files,
)
from decisionguide.decision.document import DocumentError, GuideDocument

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# "published": the content was already in the rows, but its version wasn't live yet.
Status = Literal["created", "updated", "published", "unchanged"]


@dataclass(frozen=True)
class LoadReport:
    guide: Guide
    status: Status

    def __str__(self) -> str:
        slug, version = self.guide.slug, self.guide.version
        if self.status == "updated":
            return f"{slug}: updated to version {version}"
        if self.status == "published":
            return f"{slug}: published version {version}"
        return f"{slug}: {self.status} (version {version})"

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
) -> list[LoadReport]:
    """Validate all files, then apply them all in one transaction.

    A file marked `published: true` (the default) is published at once, as
    `loadguide` is how content reaches a fresh site, unless `may_publish`
    (asked for each such document before anything is written) says no: then
    it is loaded as the draft.
    """
    paths = list(paths)
    docs = read_guide_files(paths, max_bytes=max_bytes)
    publish = [doc.published and (may_publish is None or may_publish(doc)) for doc in docs]
    with transaction.atomic():
        return [
            _apply(doc, publish=listed, user=None, note=f"Loaded from {display_name(path)}")
            for doc, path, listed in zip(docs, paths, publish, strict=True)
        ]


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
                _publish(guide, guide.draft_version())
                return LoadReport(guide, "published")
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
            document=doc.to_data(),
            created_by=user,
            note=note[:NOTE_MAX_LENGTH],
        )
        if publish:
            _publish(guide, version)
        return LoadReport(guide, status)


NOTE_MAX_LENGTH = GuideVersion._meta.get_field("note").max_length


def _is_live(guide: Guide) -> bool:
    """Listed, showing exactly the draft's version."""
    if not guide.is_published or guide.published_version_id is None:
        return False
    return guide.published_version.version == guide.version


def _publish(guide: Guide, version: GuideVersion) -> None:
    guide.published_version = version
    guide.is_published = True
    guide.save(update_fields=["published_version", "is_published", "updated"])


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
    return json.dumps(current.to_data()) == json.dumps(doc.to_data())
