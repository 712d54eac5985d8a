"""The one condition model's migration, run on a database built by the code before it.

tests/data/before-14.sqlite3 was made by `tests/data/build-before-14-db` with the code
at git tag `before-14`, which kept conditions in six tables (a clause and a clause-choice
table each for question show-ifs, gates and notes): its `migrate`, `loadguide` of
content/crm-pm-hybrid.yaml and tests/data/small-guide.yaml, then three edits of
conditions saved the way its admin saved them (rows, then `record_edit`, which freezes
each as a new draft version): a second show-if clause with a gap in the clause orders
and answers in reverse order, an "any" clause added to a gate, a note's answers changed.

A copy is migrated with today's code (`manage.py migrate` on it, in a subprocess); every
guide's rows must then read back (`dumpguide`) as exactly the document its latest frozen
version held before, conditions included, and the clause rows must carry every owner,
question, group, order and answer order over (orders as places 0, 1, 2, ... in each group:
0016_no_shared_places closes the gap). Migrating back restores the old tables.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from decisionguide.decision.parsing import parse_document
from tests.servers import manage as run_manage

BEFORE_14 = Path(__file__).resolve().parent / "data" / "before-14.sqlite3"
# Old clause table, its clause-choice table, the owner column, the owner's model.
OLD_TABLES = (
    ("guides_questionshowclause", "guides_questionshowclausechoice", "shown_id", "question"),
    ("guides_gateclause", "guides_gateclausechoice", "gate_id", "gate"),
    ("guides_noteclause", "guides_noteclausechoice", "note_id", "note"),
)

pytestmark = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="the database built by before-14 is an SQLite file, migrated in a subprocess of "
    "its own: the SQLite run of the suite covers it, and a PostgreSQL run would repeat it",
)

Clauses = dict[str, list[tuple[int, int, str, int, list[int]]]]


def manage(database: Path, *args: str) -> str:
    """A management command of today's code, on the database file given."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    result = run_manage(list(args), env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def query(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


def tables(database: Path) -> set[str]:
    return {name for (name,) in query(database, "SELECT name FROM sqlite_master")}


def latest_documents(database: Path) -> dict[str, str]:
    """Each guide's latest frozen document, as JSON text (SQLite keeps the key order)."""
    rows = query(
        database,
        "SELECT g.slug, v.document FROM guides_guide g JOIN guides_guideversion v "
        "ON v.guide_id = g.id WHERE v.version = "
        "(SELECT MAX(version) FROM guides_guideversion WHERE guide_id = g.id)",
    )
    return {slug: json.dumps(parse_document(json.loads(doc)).to_data()) for slug, doc in rows}


def old_clauses(database: Path) -> Clauses:
    """Per owner model: (owner, question, group, order, answers in order) of each old clause."""
    found: Clauses = {}
    for clause_table, choice_table, owner, model in OLD_TABLES:
        clauses = query(
            database,
            f'SELECT id, {owner}, question_id, "group", "order" FROM {clause_table} '
            f'ORDER BY {owner}, "order", id',
        )
        found[model] = [
            (*clause[1:], answers(database, choice_table, clause[0])) for clause in clauses
        ]
    return found


def new_clauses(database: Path) -> Clauses:
    found: Clauses = {}
    for *_, model in OLD_TABLES:
        clauses = query(
            database,
            'SELECT c.id, c.object_id, c.question_id, c."group", c."order" FROM guides_clause c '
            "JOIN django_content_type t ON t.id = c.content_type_id "
            f"WHERE t.app_label = 'guides' AND t.model = '{model}' "
            'ORDER BY c.object_id, c."order", c.id',
        )
        found[model] = [
            (*clause[1:], answers(database, "guides_clausechoice", clause[0])) for clause in clauses
        ]
    return found


def answers(database: Path, table: str, clause: int) -> list[int]:
    rows = query(
        database, f'SELECT choice_id FROM {table} WHERE clause_id = {clause} ORDER BY "order", id'
    )
    return [choice for (choice,) in rows]


def ranked(clauses: Clauses) -> Clauses:
    """The same clauses with each order replaced by its place in its group (0, 1, 2, ...):
    0016_no_shared_places closes gaps and keeps the order clauses read in."""
    found: Clauses = {}
    for model, rows in clauses.items():
        seen: dict[tuple[int, str], int] = {}
        found[model] = []
        for owner, question, group, _, chosen in rows:
            place = seen.get((owner, group), 0)
            seen[owner, group] = place + 1
            found[model].append((owner, question, group, place, chosen))
    return found


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    database = tmp_path / "before-14.sqlite3"
    shutil.copyfile(BEFORE_14, database)
    return database


def test_migrating_keeps_every_condition_and_every_guide(copy: Path) -> None:
    documents = latest_documents(copy)
    clauses = old_clauses(copy)
    # The file holds what the test is about: both guides, each kind of condition, the
    # edits (draft versions past the published ones), answers out of choice order.
    assert set(documents) == {"crm-pm-hybrid", "photo-bookings"}
    assert all(clauses[model] for model in ("question", "gate", "note"))
    assert any(group == "any" for _, _, group, _, _ in clauses["gate"])
    assert any(order == 7 for _, _, _, order, _ in clauses["question"])

    manage(copy, "migrate", "--no-input")

    assert not tables(copy) & {table for pair in OLD_TABLES for table in pair[:2]}
    # Every owner, question, group and answer order carried over; the gap closed.
    assert new_clauses(copy) == ranked(clauses) != clauses
    for slug, frozen in documents.items():
        dumped = parse_document(yaml.safe_load(manage(copy, "dumpguide", slug)))
        assert json.dumps(dumped.to_data()) == frozen, slug


def test_migrating_back_restores_the_old_tables(copy: Path) -> None:
    clauses = old_clauses(copy)
    manage(copy, "migrate", "--no-input")

    manage(copy, "migrate", "guides", "0009", "--no-input")

    assert "guides_clause" not in tables(copy)
    assert ranked(old_clauses(copy)) == ranked(clauses)
