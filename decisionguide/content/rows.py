"""Rows <-> document, driven by the one table in `content.mapping`.

`build_document(guide)` reads a guide's rows back into its GuideDocument with
one query per table, whatever the guide's size (tests/test_models.py counts
them). `write_rows(guide, doc)` writes a document over the rows: rows are
matched by key (slug, position, or the part they name), only changed fields
are saved, and rows the document no longer has are deleted at the end,
dependants first, once every kept row points at its new targets. The caller
holds the transaction and sets the guide's own columns (`guidefiles.loading`).

Nothing here knows a particular part of a guide except conditions, which are
`Clause` rows whatever owns them.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from graphlib import TopologicalSorter
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet

from decisionguide.content.mapping import (
    CHOICES,
    GUIDE,
    QUESTIONS,
    Column,
    Condition,
    Embedded,
    Part,
    Ref,
    Shape,
    walk,
)
from decisionguide.content.models import Clause, ClauseChoice, Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.parsing import parse_document

Data = dict[str, Any]
M = TypeVar("M", bound=models.Model)

# What a condition's clauses name: the question looked at, and answers of that question.
LOOKED_AT = Ref("question", "question_id", QUESTIONS)
ANSWER = Ref("in", "choice_id", CHOICES, within="question_id")


def build_document(guide: Guide) -> GuideDocument:
    """The document the guide's rows describe, in a fixed number of queries.

    Raises DocumentError when the rows don't make a valid guide (the admin
    checks every save with `document_problems`, so only other writes can).
    """
    return parse_document(build_document_data(guide))


def build_document_data(guide: Guide) -> Data:
    """The rows as plain document data, not yet validated."""
    return _Reader(GuideRows(guide)).entry(GUIDE, guide)


def guide_values(doc: GuideDocument) -> Data:
    """The guide's own columns for `doc` (its references are written with its parts)."""
    data = doc.model_dump(mode="json", by_alias=True)
    return {f.column: f.to_row(data[f.key]) for f in GUIDE.fields if isinstance(f, Column)}


def write_rows(guide: Guide, doc: GuideDocument) -> None:
    """Write `doc`'s parts over the guide's rows and save the guide (see the module doc)."""
    _Writer(guide).write(doc.model_dump(mode="json", by_alias=True))


# ---------------------------------------------------------------------------
# Reading every row of a guide


class GuideRows:
    """Every row of one guide, by part and parent row, read with one query per table.

    Parts that share a table and a parent (the guide's three lists of items)
    share one query too; each row goes to the part whose `fixed` values it has.
    """

    def __init__(self, guide: Guide) -> None:
        self.guide = guide
        self.by_parent: dict[Part, dict[int, list[models.Model]]] = {}
        self.unclaimed: list[models.Model] = []  # rows of no part (a kind no part has)
        # target -> row pk -> its slug, and the row's position among them
        self.names: dict[str, dict[int, str]] = defaultdict(dict)
        self.positions: dict[str, dict[int, int]] = defaultdict(dict)
        self.clauses: dict[tuple[str, int], list[Clause]] = defaultdict(list)
        self.clause_choices: dict[int, list[ClauseChoice]] = defaultdict(list)
        self._read_conditions(self._read_parts())

    def _read_parts(self) -> list[tuple[Part, QuerySet]]:
        """Read every part's rows; returns the parts that own conditions, with their rows."""
        tables: dict[tuple[type[models.Model], Part], list[Part]] = defaultdict(list)
        for parent, part in walk():
            tables[part.model, parent].append(part)
        scopes: dict[Part, QuerySet] = {}
        for (model, parent), parts in tables.items():
            column = parts[0].parent
            if parent is GUIDE:
                in_parent = Q(**{column: self.guide.pk})
            else:
                in_parent = Q(**{f"{column}__in": scopes[parent].values("pk")})
            kinds = functools.reduce(operator.or_, (Q(**part.fixed) for part in parts))
            queryset = model._default_manager.filter(in_parent, kinds)
            for part in parts:
                scopes[part] = queryset.filter(**part.fixed)
                self.by_parent[part] = defaultdict(list)
            for row in queryset:
                self._claim(parts, row)
        return [(part, scopes[part]) for _, part in walk() if part.conditions]

    def _claim(self, parts: list[Part], row: models.Model) -> None:
        fits = (p for p in parts if all(getattr(row, c) == v for c, v in p.fixed.items()))
        part = next(fits, None)
        if part is None:
            self.unclaimed.append(row)
            return
        parent = getattr(row, part.parent)
        self.by_parent[part][parent].append(row)
        if part.target:
            names = self.names[part.target]
            self.positions[part.target][row.pk] = len(names)
            names[row.pk] = row.slug  # type: ignore[attr-defined]

    def _read_conditions(self, owners: list[tuple[Part, QuerySet]]) -> None:
        """Every clause of every condition in the guide: one query, and one for their answers."""
        if not owners:
            return
        owned = functools.reduce(
            operator.or_,
            (
                Q(
                    content_type__app_label=part.model._meta.app_label,
                    content_type__model=part.model._meta.model_name,
                    object_id__in=rows.values("pk"),
                )
                for part, rows in owners
            ),
        )
        clauses = Clause.objects.filter(owned)
        for clause in clauses.select_related("content_type"):
            owner_type = clause.content_type
            self.clauses[f"{owner_type.app_label}.{owner_type.model}", clause.object_id].append(
                clause
            )
        for link in ClauseChoice.objects.filter(clause__in=clauses):
            self.clause_choices[link.clause_id].append(link)

    def rows_of(self, part: Part, parent_pk: int) -> list[models.Model]:
        """The part's rows under one parent row, in document order."""
        rows = self.by_parent[part].get(parent_pk, [])
        if part.ordered:
            return rows
        # No order column (many-to-many rows): in the order of the rows they name.
        ref = part.fields[0]
        assert isinstance(ref, Ref), part.key
        positions = self.positions[ref.target]
        return sorted(rows, key=lambda row: positions.get(getattr(row, ref.column), len(positions)))

    def clauses_of(self, owner: models.Model) -> list[Clause]:
        return self.clauses.get((owner._meta.label_lower, owner.pk), [])

    def slug_of(self, ref: Ref, pk: int | None) -> str | None:
        """The slug of the row a reference points at ("" for none, or a row of another guide).

        Whether it is one the document may name there (a choice of the question a
        clause looks at) is for the document's checks to say, in their own words.
        """
        if pk is None:
            return None if ref.optional else ""
        return self.names[ref.target].get(pk, "")

    def every_row(self) -> Iterator[models.Model]:
        for rows_by_parent in self.by_parent.values():
            for rows in rows_by_parent.values():
                yield from rows
        yield from self.unclaimed
        for clauses in self.clauses.values():
            yield from clauses
        for links in self.clause_choices.values():
            yield from links


class _Reader:
    def __init__(self, rows: GuideRows) -> None:
        self.rows = rows

    def entry(self, part: Part, row: models.Model) -> Data:
        data = {field.key: self.value(field, row) for field in part.fields}
        for child in part.children:
            entries = [self.entry(child, r) for r in self.rows.rows_of(child, row.pk)]
            data[child.key] = _shaped(child, entries)
        return data

    def value(self, field: Column | Ref | Embedded | Condition, row: models.Model) -> Any:
        match field:
            case Column():
                return field.to_document(getattr(row, field.column))
            case Ref():
                return self.rows.slug_of(field, getattr(row, field.column))
            case Embedded():
                if getattr(row, field.present) is None:
                    return None
                return {sub.key: self.value(sub, row) for sub in field.fields}
            case Condition():
                return self.condition(field, row)

    def condition(self, field: Condition, owner: models.Model) -> Data | list[Data] | None:
        clauses = [c for c in self.rows.clauses_of(owner) if c.role == field.role]
        if not clauses and field.optional:
            return None
        groups: Data = {group: [] for group in Clause.Group.values}
        for clause in clauses:  # in (order, id) order
            links = self.rows.clause_choices.get(clause.pk, [])
            groups.setdefault(clause.group, []).append(
                {
                    "question": self.rows.slug_of(LOOKED_AT, clause.question_id),
                    "in": [self.rows.slug_of(ANSWER, link.choice_id) for link in links],
                }
            )
        if field.flat:
            return [clause for group in groups.values() for clause in group]
        return groups


def _shaped(part: Part, entries: list[Data]) -> Any:
    """The document's container of a part, from one flat entry per row."""
    if part.shape is Shape.LIST:
        return entries
    first, *rest = part.fields
    if part.shape is Shape.VALUES:
        return [entry[first.key] for entry in entries]
    if len(rest) == 1:
        return {entry[first.key]: entry[rest[0].key] for entry in entries}
    return {entry[first.key]: {f.key: entry[f.key] for f in rest} for entry in entries}


def _unshaped(part: Part, container: Any) -> list[Data]:
    """One flat entry per row, from the document's container of a part (`_shaped` undone)."""
    if part.shape is Shape.LIST:
        return list(container)
    first, *rest = part.fields
    if part.shape is Shape.VALUES:
        return [{first.key: value} for value in container]
    if len(rest) == 1:
        return [{first.key: key, rest[0].key: value} for key, value in container.items()]
    return [{first.key: key, **value} for key, value in container.items()]


# ---------------------------------------------------------------------------
# Writing a document over the rows


def _columns_of(part: Part, entry: Data) -> Iterator[tuple[Column | Ref, Any, bool]]:
    """(field, document value, given) for every column a part's entry fills.

    An embedded object that is None gives none of its columns: they get their
    model defaults.
    """
    for field in part.fields:
        if isinstance(field, Embedded):
            inner = entry[field.key]
            for sub in field.fields:
                yield sub, None if inner is None else inner[sub.key], inner is not None
        elif isinstance(field, Column | Ref):
            yield field, entry[field.key], True


class _Writer:
    """Writes one document into one guide's rows (see the module docstring)."""

    def __init__(self, guide: Guide) -> None:
        self.guide = guide
        self.rows = GuideRows(guide)
        self.pks: dict[str, dict[tuple[int, str], int]] = defaultdict(dict)
        self.kept: set[tuple[type[models.Model], int]] = set()

    def write(self, data: Data) -> None:
        for part in GUIDE.children:
            self.write_part(part, self.guide, data[part.key])
        for field in GUIDE.fields:
            if isinstance(field, Ref):  # known once the parts are written
                setattr(self.guide, field.column, self.pk_of(field, data[field.key], {}))
        self.guide.save()
        self.delete_stale()

    def write_part(self, part: Part, parent: models.Model, container: Any) -> None:
        current = _by_key(self.rows.rows_of(part, parent.pk), operator.attrgetter(part.match))
        for position, entry in enumerate(_unshaped(part, container)):
            values = self.values(part, entry, parent, position)
            row = self.save(part.model, current, values[part.match], values)
            if part.target:
                self.pks[part.target][parent.pk, row.slug] = row.pk  # type: ignore[attr-defined]
            for child in part.children:
                self.write_part(child, row, entry[child.key])
            for condition in part.conditions:
                self.write_condition(row, condition, entry[condition.key])
            late = self.late_values(part, entry, row)
            if late:
                self.save(part.model, {row.pk: row}, row.pk, late)

    def values(self, part: Part, entry: Data, parent: models.Model, position: int) -> Data:
        """The row's columns (attnames, so comparing never loads a relation)."""
        values: Data = {part.parent: parent.pk, **part.fixed}
        if part.ordered:
            values["order"] = position
        for field, value, given in _columns_of(part, entry):
            if not given:
                values[field.column] = part.model._meta.get_field(field.column).get_default()
            elif isinstance(field, Column):
                values[field.column] = field.to_row(value)
            elif not field.late:
                values[field.column] = self.pk_of(field, value, values, parent)
        return values

    def late_values(self, part: Part, entry: Data, row: models.Model) -> Data:
        """References to the row's own children, written once they exist."""
        return {
            field.column: self.pk_of(field, value, {"pk": row.pk}) if given else None
            for field, value, given in _columns_of(part, entry)
            if isinstance(field, Ref) and field.late
        }

    def pk_of(
        self, ref: Ref, slug: str | None, values: Data, parent: models.Model | None = None
    ) -> int | None:
        if slug is None:
            return None
        if ref.within.startswith("^"):  # a column of the parent row
            scope = getattr(parent, ref.within[1:])
        else:
            scope = values[ref.within] if ref.within else self.guide.pk
        return self.pks[ref.target][scope, slug]

    def write_condition(
        self, owner: models.Model, field: Condition, condition: Data | list[Data] | None
    ) -> None:
        """Store a condition as clause rows (matched by role, group and position) with
        their answers."""
        owner_type = ContentType.objects.get_for_model(owner)
        mine = [c for c in self.rows.clauses_of(owner) if c.role == field.role]
        current = _by_key(mine, operator.attrgetter("group", "order"))
        if field.flat:
            condition = {Clause.Group.ALL.value: condition or []}
        assert not isinstance(condition, list)
        for group, clauses in (condition or {}).items():
            for order, clause in enumerate(clauses):
                question_id = self.pk_of(LOOKED_AT, clause["question"], {})
                values = {
                    "content_type_id": owner_type.pk,
                    "object_id": owner.pk,
                    "question_id": question_id,
                    "role": field.role,
                    "group": group,
                    "order": order,
                }
                row = self.save(Clause, current, (group, order), values)
                links = self.rows.clause_choices.get(row.pk, [])
                picked = _by_key(links, operator.attrgetter("choice_id"))
                for position, slug in enumerate(clause["in"]):
                    choice_id = self.pk_of(ANSWER, slug, values)
                    link = {"clause_id": row.pk, "choice_id": choice_id, "order": position}
                    self.save(ClauseChoice, picked, choice_id, link)

    def save(self, model: type[M], current: dict[Hashable, M], key: Hashable, values: Data) -> M:
        row = _upsert(model, current, key, values)
        self.kept.add((model, row.pk))
        return row

    def delete_stale(self) -> None:
        """Delete every row read that the document no longer has, dependants first."""
        stale: dict[type[models.Model], list[int]] = defaultdict(list)
        for row in self.rows.every_row():
            if (type(row), row.pk) not in self.kept:
                stale[type(row)].append(row.pk)
        for model in deletion_order():
            if stale.get(model):
                model._default_manager.filter(pk__in=stale[model]).delete()


def _by_key(rows: Iterable[M], key: Callable[[M], Hashable]) -> dict[Hashable, M]:
    """Rows by key; a second row with the same key (only positions can repeat) is not kept."""
    found: dict[Hashable, M] = {}
    for row in rows:
        found.setdefault(key(row), row)
    return found


def _upsert(model: type[M], current: dict[Hashable, M], key: Hashable, values: Data) -> M:
    """Update the row under `key` in place (saving only changed fields), or create it.

    The row is taken out of `current`, so a key written twice makes a second row.
    """
    row = current.pop(key, None)
    if row is None:
        return model._default_manager.create(**values)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
    return row


@functools.cache
def deletion_order() -> tuple[type[models.Model], ...]:
    """Every mapped model, each before the models it points at (so RESTRICT never trips)."""
    mapped = [*dict.fromkeys(part.model for _, part in walk()), Clause, ClauseChoice]
    # model -> the models whose rows go first (dicts, not sets: the same order every run)
    before: dict[type[models.Model], dict[type[models.Model], None]] = {m: {} for m in mapped}
    for model in mapped:
        for field in model._meta.concrete_fields:
            target = field.related_model
            if target not in before or target is model:
                continue
            # SET_NULL never blocks a delete (and it breaks the question <-> choice loop).
            if field.remote_field.on_delete is not models.SET_NULL:
                before[target][model] = None
    return tuple(TopologicalSorter(before).static_order())
