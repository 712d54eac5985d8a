"""Drafts, versions and publishing.

The guide's rows are its draft. Every saved change is checked as a whole
document and frozen as a new `GuideVersion` (`record_edit`), so the history
holds who changed what and when, and any version can be restored
(`revert`, which itself makes a new version: nothing is lost). Visitors see
`Guide.published_version` only; `publish` moves it to the draft's version (and
records who and when in a `PublishEvent`, never as a content change), and
refuses while any check fails.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from decisionguide.checking.checks import GuideReport, report_of
from decisionguide.checking.problem_words import problems_in_words
from decisionguide.content.models import Guide, GuideVersion
from decisionguide.content.ordering import renumber_guide
from decisionguide.content.rows import build_document_data
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.guidefiles.loading import apply_document, freeze_version, put_live, take_off_site
from decisionguide.guidefiles.validation import validate_document
from decisionguide.guidefiles.yaml_io import dump_document_yaml

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser | None


class GuideInvalid(Exception):
    """The rows don't make a valid guide; `messages` say why, one line each."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(map(str, messages)))
        self.messages = messages


class PublishRefused(Exception):
    """The draft fails a scenario check, or some answers contradict themselves.

    `messages` say why in the names editors see (scenario titles, outcome names).
    """

    def __init__(self, report: GuideReport, doc: GuideDocument) -> None:
        self.report = report
        self.words = problems_in_words(report, doc)
        super().__init__("; ".join(map(str, self.words)))

    @property
    def messages(self) -> list[str]:
        """Why, one line each, in the language active when read."""
        return [str(words) for words in self.words]


# ---------------------------------------------------------------------------
# Saving changes


def record_edit(guide: Guide, *, user: User = None, note: str = "") -> GuideVersion | None:
    """Check the guide's rows as a whole and freeze them as a new draft version.

    Call it after every change to a guide's rows, inside the transaction that
    made it: raises GuideInvalid (so the caller rolls back) when the rows no
    longer make a valid guide. Returns the new version, or None when the
    rows hold exactly the latest version already (nothing to record). Places
    are numbered 0, 1, 2, ... in each group first, so no two rows share one.
    """
    renumber_guide(guide)
    version, created = freeze_version(guide, checked_rows(guide), user=user, note=note)
    if created:
        # A review asked for the earlier draft no longer covers what would go live.
        Guide.objects.filter(pk=guide.pk, review_version__isnull=False).update(
            review_version=None, review_requested_by=None, review_requested_at=None
        )
    return version if created else None


def checked_rows(guide: Guide) -> GuideDocument:
    """The guide's rows as a document; GuideInvalid lists every problem if they aren't one."""
    data = build_document_data(guide)
    doc, problems = validate_document(data)
    if doc is None:
        raise GuideInvalid([describe_problem(data, problem) for problem in problems])
    return doc


def draft_report(guide: Guide) -> tuple[GuideVersion, GuideReport]:
    """The checks of the draft version (memoised per frozen version)."""
    version = guide.draft_version()
    return version, report_for(version)


def report_for(version: GuideVersion) -> GuideReport:
    """The checks of a frozen version (memoised by its content, see `checks.report_of`)."""
    return report_of(version.as_document())


# ---------------------------------------------------------------------------
# Publishing


class DraftMoved(Exception):
    """The draft is no longer the version the editor asked to publish."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(f"expected draft version {expected}, the draft is version {current}")
        self.expected = expected
        self.current = current


def checked_draft(
    guide: Guide, *, user: User, expected_version: int | None, note: str = ""
) -> tuple[Guide, GuideVersion]:
    """Inside a transaction: the guide's row, locked, and its draft frozen and checked.

    Raises DraftMoved when the draft is no longer `expected_version` (checked under the
    lock: every save bumps the version holding it, so none slips in between), GuideInvalid
    or PublishRefused. Rows changed outside the admin (a shell, a script) are frozen
    first, so what goes live is always a version the history shows.
    """
    locked = Guide.objects.select_for_update().get(pk=guide.pk)
    if expected_version is not None and locked.version != expected_version:
        raise DraftMoved(expected_version, locked.version)
    version, _ = freeze_version(locked, checked_rows(locked), user=user, note=note)
    report = report_for(version)
    if not report.passes:
        raise PublishRefused(report, version.as_document())
    return locked, version


def publish(
    guide: Guide, *, user: User = None, expected_version: int | None = None, note: str = ""
) -> GuideVersion:
    """Make the draft what visitors see; raises PublishRefused unless `report.passes`.

    Publishing is a record of its own (a `PublishEvent`, with `note`), never a
    content change: the draft's frozen version goes live as it is. With
    `expected_version` (the draft version the editor looked at), raises
    DraftMoved instead of publishing a draft that changed since.
    """
    with transaction.atomic():
        locked, version = checked_draft(
            guide, user=user, expected_version=expected_version, note="Saved before publishing"
        )
        put_live(locked, version, user=user, note=note)
        # Publishing now replaces any schedule: it must not bring an older version back.
        Guide.objects.filter(pk=locked.pk).update(
            publish_at=None, scheduled_version=None, scheduled_by=None
        )
    _refresh(guide)
    return version


def unpublish(guide: Guide, *, user: User = None, note: str = "") -> None:
    """Take the guide off the site; its published version stays ready for publishing again.

    Recorded as a `PublishEvent`; no content version is made.
    """
    with transaction.atomic():
        locked = Guide.objects.select_for_update().get(pk=guide.pk)
        if not locked.is_published:
            return
        take_off_site(locked, user=user, note=note)
    _refresh(guide)


def revert(guide: Guide, number: int, *, user: User = None) -> Guide:
    """Make version `number` the draft again, as a new version (the draft stays a draft).

    The guide keeps its slug and its listing; everything else is restored.
    """
    old = GuideVersion.objects.get(guide=guide, version=number)
    doc = old.as_document().model_copy(update={"slug": guide.slug, "published": guide.is_published})
    apply_document(doc, publish=False, user=user, note=f"Reverted to version {number}")
    _refresh(guide)
    return guide


def _refresh(guide: Guide) -> None:
    """Reload the caller's instance: its fields and cached document key changed."""
    guide.refresh_from_db()
    guide._state.fields_cache.pop("published_version", None)


# ---------------------------------------------------------------------------
# Diffs and readable problems


def yaml_diff(old: GuideDocument | None, new: GuideDocument, old_name: str, new_name: str) -> str:
    """A unified diff of two documents as content files ('' when equal)."""
    before = dump_document_yaml(old).splitlines() if old is not None else []
    after = dump_document_yaml(new).splitlines()
    lines = difflib.unified_diff(before, after, old_name, new_name, lineterm="", n=2)
    return "\n".join(lines)


LIST_NAMES = {
    "outcomes": gettext_lazy("Outcome"),
    "criteria": gettext_lazy("Criterion"),
    "scenarios": gettext_lazy("Scenario"),
    "linked_pages": gettext_lazy("Linked page"),
    "questions": gettext_lazy("Question"),
    "choices": gettext_lazy("choice"),
    "gates": gettext_lazy("Gate"),
    "notes": gettext_lazy("Note"),
    "edge_cases": gettext_lazy("Edge case"),
    "missteps": gettext_lazy("Misstep"),
    "failure_checks": gettext_lazy("Failure check"),
    "tie_breaks": gettext_lazy("Tie-break"),
}
PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def describe_problem(data: dict[str, Any], problem: DocumentError) -> str:
    """A document problem with its key path in the names editors see in the admin.

    `questions[2].show_if.all[0].question: ...` becomes
    `Question 'helpers' > show_if > all 1 > question: ...`.
    """
    parts: list[str] = []
    node: Any = data
    pending_list: str | None = None
    for name, index in PATH_PART.findall(problem.path):
        if name:
            node = node.get(name) if isinstance(node, dict) else None
            if name in LIST_NAMES and isinstance(node, list):
                pending_list = name
                continue
            parts.append(name)
            continue
        position = int(index)
        item = node[position] if isinstance(node, list) and position < len(node) else None
        if pending_list is not None:
            label = LIST_NAMES[pending_list]
            slug = item.get("slug") if isinstance(item, dict) else None
            parts.append(f"{label} '{slug}'" if slug else f"{label} {position + 1}")
            pending_list = None
        else:
            parts.append(f"{parts.pop() if parts else ''} {position + 1}".strip())
        node = item
    where = " > ".join(parts)
    return f"{where}: {problem.message}" if where else problem.message
