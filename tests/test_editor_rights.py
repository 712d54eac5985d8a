"""Editors edit every condition: rights on the one clause model (editor migration 0001).

guides 0010 merged the three clause models into `Clause`; the Editors group kept
rights on the old ones only, so an editor's question, gate and note pages showed
no condition at all.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Clause, Gate, Guide, Note, Question
from decisionguide.editor.roles import EDITORS_GROUP

MIGRATION = "decisionguide.editor.migrations.0001_editors_edit_conditions"


def clause_rights(group: Group) -> set[str]:
    return set(
        group.permissions.filter(content_type__model__in=["clause", "clausechoice"]).values_list(
            "codename", flat=True
        )
    )


@pytest.mark.django_db
def test_the_migrated_editors_group_may_edit_clauses() -> None:
    group = Group.objects.get(name=EDITORS_GROUP)
    assert clause_rights(group) == {
        f"{action}_{model}"
        for model in ("clause", "clausechoice")
        for action in ("add", "change", "delete", "view")
    }


@pytest.mark.django_db
def test_the_migration_gives_a_group_without_them_the_clause_rights() -> None:
    group = Group.objects.get(name=EDITORS_GROUP)
    group.permissions.remove(*Permission.objects.filter(content_type__model="clause"))
    assert not clause_rights(group) & {"change_clause"}
    import_module(MIGRATION).move_rights(apps)
    assert "change_clause" in clause_rights(group)


@pytest.mark.parametrize(
    ("model", "prefix"), [(Question, "show_clauses"), (Gate, "clauses"), (Note, "clauses")]
)
def test_an_editor_sees_and_edits_the_condition(
    editor_client: Client, seed_guide: Guide, model: type, prefix: str
) -> None:
    row = model.objects.filter(guide=seed_guide).exclude(**{prefix: None}).first()
    url = reverse(f"admin:guides_{model._meta.model_name}_change", args=[row.pk])
    page = editor_client.get(url).content.decode()
    # The condition's own clauses (a note's or gate's `asserts` and `counted` have their own).
    clauses = Clause.objects.filter(
        object_id=row.pk, content_type__model=model._meta.model_name, role=""
    )
    assert f'name="{prefix}-TOTAL_FORMS" value="{clauses.count()}"' in page
    assert f'name="{prefix}-0-question"' in page
