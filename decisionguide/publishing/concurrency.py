"""Optimistic concurrency: a save counts only against the draft its page was loaded from.

Every editor form carries the draft version it showed (`DRAFT_VERSION_FIELD`).
The saving transaction claims the guide's row for that version (`claim_draft`):
a conditional UPDATE, which takes the row lock (PostgreSQL) or runs under the
write lock SQLite's IMMEDIATE transactions already hold, so two saves of the same
draft can't both pass. A save against a newer draft raises `StaleDraft`, which
names each version saved since and who saved it; the pages show it above the
editor's own input (nothing typed is lost) with a reload link, and a tick box
to save over those changes knowingly (`SAVE_OVER_FIELD`, which carries the
version the editor was shown, so a third save in between is refused again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from decisionguide.content.models import Guide, GuideVersion

DRAFT_VERSION_FIELD = "_draft_version"
SAVE_OVER_FIELD = "_save_over"
# An import page lists every guide's draft version at the time it was shown.
IMPORT_SNAPSHOT_FIELD = "_draft_versions"
# Enough to say what happened; the history page has the rest.
SHOWN_CHANGES = 8


@dataclass(frozen=True)
class StaleDraft(Exception):
    """The draft moved on since the editor's page was loaded."""

    guide_title: str
    expected: int | None
    current: int
    changes: tuple[str, ...]
    # Field by field, what both sides changed (`merging.Conflict`); empty when the
    # whole draft was compared (a page that can't merge).
    conflicts: tuple[Any, ...] = ()
    # The version a "save mine anyway" was shown (a third save collided after it).
    seen: int | None = None

    def __str__(self) -> str:
        return self.summary

    @property
    def summary(self) -> str:
        return _("Not saved: %(why)s") % {"why": self.why}

    @property
    def why(self) -> str:
        """What happened, for "Not saved: …", "Not restored: …" and the like."""
        if self.expected is None:
            text = _(
                "this page was loaded before the current draft of “%(guide_title)s” (version "
                "%(current)s) existed."
            )
        elif self.conflicts:
            text = ngettext(
                "%(count)s field you changed on “%(guide_title)s” was changed by someone else "
                "after you opened this page (the draft is version %(current)s now).",
                "%(count)s fields you changed on “%(guide_title)s” were changed by someone else "
                "after you opened this page (the draft is version %(current)s now).",
                len(self.conflicts),
            )
        else:
            text = _(
                "“%(guide_title)s” changed after you opened this page (you had version "
                "%(expected)s, the draft is version %(current)s now)."
            )
        return text % {**vars(self), "count": len(self.conflicts)}


def number_in(value: str) -> int | None:
    # ASCII digits only: int() would also take " 3", "+3", "3_0" and "٣".
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        return None
    return int(value)


def posted_number(request: HttpRequest, field: str) -> int | None:
    return number_in(request.POST.get(field, ""))


def expected_version(request: HttpRequest) -> int | None:
    """The draft version the posted page was built on (or the one it chose to save over)."""
    return posted_number(request, SAVE_OVER_FIELD) or posted_number(request, DRAFT_VERSION_FIELD)


def saved_by(version: GuideVersion) -> dict[str, object]:
    """Who saved `version` and when, in the editor's language: its sentences' placeholders."""
    who = version.created_by.get_username() if version.created_by else _("a script or import")
    when = date_format(timezone.localtime(version.created), "d M Y H:i")
    return {"number": version.version, "editor": who, "time": when}


def changes_since(guide: Guide, expected: int | None) -> tuple[str, ...]:
    """Each version saved after `expected`: its number, when, who, and what it changed."""
    newer = GuideVersion.objects.filter(guide_id=guide.pk).select_related("created_by")
    if expected is not None:
        newer = newer.filter(version__gt=expected)
    return tuple(
        _("Version %(number)s, %(time)s, by %(editor)s: %(what)s")
        % {**saved_by(version), "what": version.note or _("no description")}
        for version in newer.order_by("-version")[:SHOWN_CHANGES]
    )


def claim_draft(guide: Guide, expected: int | None) -> None:
    """Inside the saving transaction: hold the guide's row if its draft is still `expected`.

    Raises StaleDraft (so the caller rolls back and shows why) otherwise.
    """
    if expected is not None:
        # version = version: no change, but the UPDATE locks the row and counts only a match.
        claimed = Guide.objects.filter(pk=guide.pk, version=expected).update(version=F("version"))
        if claimed:
            return
    current = Guide.objects.filter(pk=guide.pk).values_list("version", flat=True).first()
    raise StaleDraft(guide.title, expected, current or 0, changes_since(guide, expected))


def claim_posted_draft(request: HttpRequest, guide: Guide) -> None:
    claim_draft(guide, expected_version(request))


def import_snapshot() -> str:
    """Every guide's draft version now, for an import form: `slug:version,...`."""
    rows = Guide.objects.order_by("slug").values_list("slug", "version")
    return ",".join(f"{slug}:{version}" for slug, version in rows)


def claim_for_import(request: HttpRequest, slug: str) -> None:
    """An import replaces the draft of `slug`: only the one its page was shown with.

    A guide that didn't exist when the page was shown but does now was made by
    someone else in between: refused too.
    """
    seen: dict[str, int] = {}
    for pair in request.POST.get(IMPORT_SNAPSHOT_FIELD, "").split(","):
        name, _, number = pair.partition(":")
        if number.isascii() and number.isdigit() and len(number) <= 9:
            seen[name] = int(number)
    guide = Guide.objects.filter(slug=slug).first()
    if guide is None:
        return
    claim_draft(guide, seen.get(slug))
