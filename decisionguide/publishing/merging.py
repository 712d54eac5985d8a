"""Three-way merge of a save made on an older draft: only real collisions are refused.

A page carries the draft version it was built on (V). When the draft has
moved on (to W) by the time it is saved, the save still goes ahead inside
its transaction, over the rows as they are now; then, before the version is
frozen, three documents are compared part by part and field by field
(`decision.docmerge`):

- V, the frozen version the page showed (what the editor started from),
- W, the rows just before this save (their changes since V),
- P, the rows after this save (the form's values written over W).

A field the form wrote back unchanged from V while they changed it gets
their value again; a field only this editor changed keeps the new value; a
field both changed differently is a `Conflict`, and the save is refused
(`StaleDraft` with the conflicts, so the transaction rolls back). Lists of
parts are matched by slug, so a different question changed by someone else
never collides. "Save mine anyway" (`SAVE_OVER_FIELD`, the version the
refusal showed, S) takes this editor's value where the draft still holds
what the refusal showed; a field a third save changed after S is refused
again. Restoring their values is written through `content.rows.write_rows`,
so every editor form, inline formsets included, merges the same way.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _

from decisionguide.content.models import Guide, GuideVersion
from decisionguide.content.rows import build_document, guide_values, write_rows
from decisionguide.decision.docmerge import (
    MISSING,
    UNSEEN,
    changed_paths,
    merge_documents,
    value_at,
)
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.decision.parsing import parse_document
from decisionguide.publishing.concurrency import (
    DRAFT_VERSION_FIELD,
    SAVE_OVER_FIELD,
    StaleDraft,
    changes_since,
    posted_number,
)
from decisionguide.publishing.drafts import GuideInvalid, record_edit
from decisionguide.publishing.merge_words import (
    Conflict,
    describe,
    merged_message,
    shown,
    version_words,
)

# Set on the request between claiming the draft and freezing the merged save.
REQUEST_PENDING = "_decisionguide_pending_merge"
REQUEST_MERGED = "_decisionguide_merged"
# Whether a guide is listed is not content (frozen versions leave it out).
NOT_CONTENT = ("published",)


def as_data(doc: GuideDocument) -> dict[str, Any]:
    """Full document data (defaults included, so every side has every key)."""
    data = doc.model_dump(mode="json", by_alias=True)
    for key in NOT_CONTENT:
        data.pop(key, None)
    return data


@dataclass
class Pending:
    """A save started on an older draft: what its page showed, and the draft before it."""

    guide_id: int
    base: int
    current: int
    base_data: dict[str, Any]
    before: dict[str, Any]
    seen: int | None = None
    seen_data: Any = UNSEEN


# ---------------------------------------------------------------------------
# In the saving transaction


def _frozen_data(guide: Guide, number: int | None) -> dict[str, Any] | None:
    version = GuideVersion.objects.filter(guide_id=guide.pk, version=number).first()
    if number is None or version is None:
        return None
    try:
        return as_data(version.as_document())
    except DocumentError:  # an old version this schema can no longer read: no merge
        return None


def claim_for_merge(request: HttpRequest, guide: Guide, shown: int | None = None) -> None:
    """Inside the saving transaction, before anything is written: hold the guide's row.

    `shown` is the version a page gave outside a form (a list's drag: in its URL).

    A page built on the current draft saves as ever. One built on an older
    draft saves too, and `settle_merge` (after the writes, before the version
    is frozen) keeps the others' changes or refuses a collision. A page whose
    version can't be read (none posted, a crafted number) is refused outright.
    """
    setattr(request, REQUEST_PENDING, None)
    base = shown or posted_number(request, DRAFT_VERSION_FIELD)
    base = base or posted_number(request, SAVE_OVER_FIELD)
    # version = version: no change, but the UPDATE takes the row lock (see concurrency).
    Guide.objects.filter(pk=guide.pk).update(version=F("version"))
    row = Guide.objects.filter(pk=guide.pk).values_list("version", "title").first()
    current, title = row or (0, "")
    if base == current:
        return
    base_data = _frozen_data(guide, base) if base is not None and base < current else None
    try:
        before = as_data(build_document(guide)) if base_data is not None else None
    except DocumentError:
        before = None
    seen = posted_number(request, SAVE_OVER_FIELD)
    if base_data is None or before is None:
        if seen == current:
            return  # knowingly saved over the draft the refusal showed
        raise StaleDraft(title, base, current, changes_since(guide, base))
    seen_data = _frozen_data(guide, seen) if seen and base < seen <= current else None
    pending = Pending(guide.pk, base, current, base_data, before)
    if seen_data is not None:
        pending.seen, pending.seen_data = seen, seen_data
    setattr(request, REQUEST_PENDING, pending)


def settle_merge(request: HttpRequest, guide: Guide) -> None:
    """After the save's writes, before `record_edit`: merge with the changes since its page.

    Raises StaleDraft naming each collision (the caller rolls back and shows
    them), or GuideInvalid when both changes together don't make a guide.
    """
    pending: Pending | None = getattr(request, REQUEST_PENDING, None)
    if pending is None or pending.guide_id != guide.pk:
        return
    setattr(request, REQUEST_PENDING, None)
    try:
        after = build_document(guide)
    except DocumentError:
        return  # record_edit lists what is wrong with the rows
    mine = as_data(after)
    merged, collisions = merge_documents(pending.base_data, pending.before, mine, pending.seen_data)
    history = _history(guide, pending.base, pending.current)
    if collisions:
        conflicts = tuple(
            Conflict(
                *describe(path, pending.before),
                theirs=shown(theirs),
                yours=shown(yours),
                by=version_words(_who_changed(history, path)),
            )
            for path, theirs, yours in collisions
        )
        raise StaleDraft(
            pending.before.get("title", guide.title),
            pending.base,
            pending.current,
            changes_since(guide, pending.base),
            conflicts=conflicts,
            seen=pending.seen,
        )
    if merged != mine:
        _write(guide, merged, after)
    kept = changed_paths(pending.base_data, pending.before)
    after_base = [(v, d) for v, d in history if v.version > pending.base]
    setattr(request, REQUEST_MERGED, merged_message(after_base, kept, pending.before))


def _write(guide: Guide, merged: dict[str, Any], after: GuideDocument) -> None:
    try:
        doc = parse_document({**merged, "published": after.published})
    except DocumentError as exc:
        words = _("Together with the changes saved since your page was loaded: %(problem)s")
        raise GuideInvalid([words % {"problem": exc}]) from exc
    fresh = Guide.objects.get(pk=guide.pk)
    for name, value in guide_values(doc).items():
        setattr(fresh, name, value)
    write_rows(fresh, doc)


# How far back a refusal looks for who changed a field (the history page has the rest).
ATTRIBUTED_VERSIONS = 12


def _history(guide: Guide, base: int, current: int) -> list[tuple[GuideVersion, Any]]:
    """(version, its data) from `base` to `current`, at most the newest dozen and the base."""
    first = max(base, current - ATTRIBUTED_VERSIONS)
    rows = (
        GuideVersion.objects.filter(guide_id=guide.pk, version__gte=first, version__lte=current)
        .select_related("created_by")
        .order_by("version")
    )
    found = []
    for version in rows:
        try:
            found.append((version, as_data(version.as_document())))
        except DocumentError:
            found.append((version, MISSING))
    return found


def _who_changed(history: list[tuple[GuideVersion, Any]], path: tuple) -> GuideVersion | None:
    """The newest version that changed what `path` holds."""
    for (_version, older), (version, newer) in reversed(list(itertools.pairwise(history))):
        if value_at(older, path) != value_at(newer, path):
            return version
    return history[-1][0] if history else None


def merged_note(request: HttpRequest) -> str:
    """The merge this request's save made, in words ('' when it didn't need one)."""
    return getattr(request, REQUEST_MERGED, "") or ""


def record_merged_edit(request: HttpRequest, guide: Guide, note: str) -> GuideVersion | None:
    """`record_edit` for a save begun with `claim_for_merge`: merged first (see above)."""
    settle_merge(request, guide)
    return record_edit(guide, user=request.user, note=note)


def page_version(request: HttpRequest, stale: StaleDraft | None, current: int) -> int:
    """The draft a page carries: a refused one keeps the version it was built on."""
    return (posted_number(request, DRAFT_VERSION_FIELD) if stale else None) or current


def show_saved_names(context: dict[str, Any]) -> None:
    """After a refused save, headings and breadcrumbs name what is saved, not what was typed."""
    original = context.get("original")
    saved = type(original)._default_manager.filter(pk=original.pk).first() if original else None
    if saved is not None:
        context.update(original=saved, subtitle=str(saved))
