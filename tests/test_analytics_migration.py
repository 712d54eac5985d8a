"""AnswerCounter moved from the content app ("guides") to analytics: no counter is lost.

The database goes back to where main left it (guides 0010, no analytics app), counters
are written with the models of that time, and `migrate` runs forward as on a deploy.
Runs on SQLite and, with bin/with-postgres, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from decisionguide.analytics.models import AnswerCounter
from tests.migrations import latest, migrate

BEFORE_THE_MOVE = [("guides", "0010_one_condition_model"), ("analytics", None)]


@pytest.mark.django_db(transaction=True)
def test_counters_written_before_the_move_are_read_after_it() -> None:
    old = migrate(BEFORE_THE_MOVE)
    OldGuide = old.get_model("guides", "Guide")
    OldCounter = old.get_model("guides", "AnswerCounter")
    guide = OldGuide.objects.create(slug="moved", title="Moved", summary="S.", version=1)
    day = dt.date(2026, 3, 2)
    OldCounter.objects.create(
        guide=guide, version=1, question="q1", choice="", day=day, kind="shown", count=5
    )
    OldCounter.objects.create(
        guide=guide, version=1, question="q1", choice="yes", day=day, kind="answered", count=3
    )
    try:
        migrate(latest())
    finally:
        migrate(latest())  # whatever happened, the other tests get today's schema

    rows = AnswerCounter.objects.filter(guide_id=guide.pk).order_by("kind")
    assert [(c.kind, c.question, c.choice, c.day, c.count) for c in rows] == [
        ("answered", "q1", "yes", day, 3),
        ("shown", "q1", "", day, 5),
    ]
    assert AnswerCounter._meta.db_table == "guides_answercounter"
    # The new kinds are allowed now, and the counters keep counting in the same table.
    AnswerCounter.objects.create(
        guide_id=guide.pk, version=1, question="", choice="a", day=day, kind="result", count=1
    )
    assert AnswerCounter.objects.filter(guide_id=guide.pk).count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_editors_keep_their_permission_on_the_counters() -> None:
    old = migrate(BEFORE_THE_MOVE)
    content_type, _ = old.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="guides", model="answercounter"
    )
    permission, _ = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="view_answercounter", defaults={"name": "Can view"}
    )
    group, _ = old.get_model("auth", "Group").objects.get_or_create(name="Editors")
    group.permissions.add(permission)
    migrate(latest())
    editors = Group.objects.get(name="Editors")
    granted = editors.permissions.filter(codename="view_answercounter")
    assert [p.content_type.app_label for p in granted] == ["analytics"]
