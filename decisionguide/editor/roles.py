"""The "Editors" role: who may do what in the admin.

Editors maintain guide content, publish it and read results and analytics;
they never manage users, groups or permissions. The group is created by a
data migration; `ensure_editors_group()` (run by `createeditor`) brings an
existing group up to date when new content models appear.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

EDITORS_GROUP = "Editors"

# Rows editors add, change and delete freely: every part of a guide.
# fmt: off
CONTENT_MODELS = (
    "outcome", "linkedpage", "outcomenextpage", "criterion", "rating", "scenario",
    "scenarioanswer", "guideitem", "question", "choice", "choicepoints", "gate", "note",
    "failurecheck", "tiebreak", "tiebreaksettle",
    # Every condition (a question's, a gate's, a note's) is clauses and their answers.
    "clause", "clausechoice",
)
# fmt: on


def editor_permissions() -> list[tuple[str, str]]:
    """(app label, codename) pairs granted to the Editors group."""
    perms = [
        ("guides", f"{action}_{model}")
        for model in CONTENT_MODELS
        for action in ("add", "change", "delete", "view")
    ]
    perms += [
        # A whole guide is deleted only by an administrator (results point at it).
        ("guides", "add_guide"),
        ("guides", "change_guide"),
        ("guides", "view_guide"),
        ("guides", "publish_guide"),
        ("guides", "view_analytics"),
        ("guides", "view_guideversion"),
        ("analytics", "view_answercounter"),
        ("results", "view_result"),
    ]
    return perms


def ensure_editors_group() -> Group:
    """The Editors group with exactly the editor permissions that exist in this database."""
    wanted = editor_permissions()
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
        found = [
            perm
            for perm in Permission.objects.select_related("content_type")
            if (perm.content_type.app_label, perm.codename) in wanted
        ]
        group.permissions.set(found)
    return group
