"""The rows <-> document table (content/mapping.py) covers every column of every mapped model."""

from __future__ import annotations

from typing import Annotated, get_args, get_origin

import pytest
from django.db import models
from pydantic import BaseModel

from decisionguide.content.mapping import GUIDE, Column, Embedded, Part, Ref, Shape, walk
from decisionguide.content.models import Choice, Clause, Guide, GuideItem, Question
from decisionguide.content.rows import deletion_order
from decisionguide.decision.document import GuideDocument

# Columns that are no part of the document: the guide's versions and timestamps, and the
# workflow around publishing it (reviewer links, schedules, the review step).
BOOKKEEPING = {
    Guide: {"version", "file_version", "published_version_id", "created", "updated"}
    | {"review_links", "publish_at", "scheduled_version_id", "scheduled_by_id", "schedule_problem"}
    | {"publishing_needs_review", "review_requested_at", "review_requested_by_id"}
    | {"review_version_id", "language_versions"}
}
PARTS = [GUIDE, *(part for _, part in walk())]


def mapped_columns(part: Part) -> set[str]:
    columns = {part.model._meta.pk.attname, part.parent, "order", *part.fixed}
    for field in part.fields:
        inner = field.fields if isinstance(field, Embedded) else (field,)
        columns |= {f.column for f in inner if isinstance(f, Column | Ref)}
    return columns


@pytest.mark.parametrize("part", PARTS, ids=lambda part: part.key or "guide")
def test_every_column_of_a_part_is_mapped(part: Part) -> None:
    columns = {f.attname for f in part.model._meta.concrete_fields}
    missing = columns - mapped_columns(part) - BOOKKEEPING.get(part.model, set())
    assert not missing, f"{part.model.__name__}: add {sorted(missing)} to content/mapping.py"


def schema_keys(schema: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in schema.model_fields.items()}


def item_schema(schema: type[BaseModel], key: str) -> type[BaseModel]:
    """The schema of one item of a list field (`tuple[Outcome, ...]`), or of an optional one."""
    annotation = schema.model_fields[key].annotation
    # An item may be Annotated (failure checks read plain strings too): look inside.
    args = [get_args(a)[0] if get_origin(a) is Annotated else a for a in get_args(annotation)]
    return next(a for a in args if isinstance(a, type) and issubclass(a, BaseModel))


def check_keys(part: Part, schema: type[BaseModel]) -> None:
    keys = {field.key for field in part.fields} | {child.key for child in part.children}
    assert keys == schema_keys(schema), part.key or "guide"
    for field in part.fields:
        if isinstance(field, Embedded):
            assert {f.key for f in field.fields} == schema_keys(item_schema(schema, field.key))
    for child in part.children:
        if child.shape is Shape.LIST:
            check_keys(child, item_schema(schema, child.key))


def test_every_document_key_is_mapped() -> None:
    """Each list part's keys are exactly its schema's fields: reading and writing miss none."""
    check_keys(GUIDE, GuideDocument)


def test_item_lists_share_one_table_by_kind() -> None:
    kinds = [part.fixed["kind"] for part in GUIDE.children if part.model is GuideItem]
    assert sorted(kinds) == sorted(GuideItem.Kind.values)


def test_dependants_are_deleted_before_what_they_point_at() -> None:
    position = {model: index for index, model in enumerate(deletion_order())}
    # Every foreign key between mapped models that would block a delete (SET_NULL never does).
    blocking = [
        (model, field.related_model)
        for model in position
        for field in model._meta.concrete_fields
        if field.related_model in position and field.related_model is not model
        if field.remote_field.on_delete is not models.SET_NULL
    ]
    assert (Choice, Question) in blocking and (Clause, Question) in blocking
    assert [pair for pair in blocking if position[pair[0]] > position[pair[1]]] == []
