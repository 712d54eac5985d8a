"""Whether data is a guide the rows can hold: every problem at once, with its key path.

`validate_document` is what an upload, a content file and every admin save
go through: types and references (`decision.parsing`), then what the document
allows but the rows can't hold (a best-for line with a line break, points
beyond what an integer column holds, a slug listed twice where rows are
matched by it). Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError

from decisionguide.content.models import LinkedPage
from decisionguide.decision.document import Condition, DocumentError, GuideDocument
from decisionguide.decision.parsing import check_references, size_problem, type_problem

URL_MAX_LENGTH = LinkedPage._meta.get_field("url").max_length
POINTS_RANGE = (-(2**31), 2**31 - 1)  # what an IntegerField holds on every database


def document_problems(data: Any) -> list[DocumentError]:
    """Every problem that stops `data` from being stored as a guide (empty: it can be).

    Like `parse_document` followed by `check_storable`, but listing them all,
    so an editor sees every mistake of an upload or an admin save at once.
    """
    return validate_document(data)[1]


def validate_document(data: Any) -> tuple[GuideDocument | None, list[DocumentError]]:
    """The document `data` describes and can be stored as, or None and every problem."""
    if not isinstance(data, dict):
        problem = _("the file must hold a mapping of guide fields at the top level")
        return None, [DocumentError("", problem)]
    if data.get("default_outcome") == "":
        # Rows whose default outcome was deleted: say so in words, not as a bad slug.
        problem = _("pick a default outcome: the guide can't be shown without one")
        return None, [DocumentError("default_outcome", problem)]
    too_large = size_problem(data)
    if too_large is not None:
        return None, [too_large]
    try:
        doc = GuideDocument.model_validate(data)
    except ValidationError as exc:
        return None, [type_problem(error) for error in exc.errors()]
    problems = list(check_references(doc)) or list(_storage_problems(doc))
    return (None, problems) if problems else (doc, [])


def check_storable(doc: GuideDocument) -> None:
    """Raise DocumentError for what the document allows but the rows can't hold.

    Called before any write, so a file that would fail halfway through
    saving is refused up front instead.
    """
    problem = next(_storage_problems(doc), None)
    if problem is not None:
        raise problem


def _storage_problems(doc: GuideDocument) -> Iterator[DocumentError]:
    for i, outcome in enumerate(doc.outcomes):
        for j, line in enumerate(outcome.best_for):
            if "\n" in line:
                yield DocumentError(
                    f"outcomes[{i}].best_for[{j}]", _("each item must be a single line")
                )
        repeated = _("page “%(slug)s” is listed twice")
        yield from _repeats(outcome.next_pages, f"outcomes[{i}].next_pages", repeated)
    for i, page in enumerate(doc.linked_pages):
        if page.url is not None and len(page.url) > URL_MAX_LENGTH:
            too_long = _("at most %(count)s characters allowed") % {"count": URL_MAX_LENGTH}
            yield DocumentError(f"linked_pages[{i}].url", too_long)
    low, high = POINTS_RANGE
    for i, question in enumerate(doc.questions):
        for j, choice in enumerate(question.choices):
            for slug, points in choice.points.items():
                if not low <= points <= high:
                    yield DocumentError(
                        f"questions[{i}].choices[{j}].points.{slug}",
                        _("points must be between %(low)s and %(high)s")
                        % {"low": low, "high": high},
                    )
    # Clause answers are rows matched by the choice they name: each at most once.
    for path, condition in conditions_in(doc):
        for group, index, clause in condition.clauses():
            repeated = _("choice “%(slug)s” is listed twice")
            yield from _repeats(clause.in_, f"{path}.{group}[{index}].in", repeated)


def conditions_in(part: BaseModel, path: str = "") -> Iterator[tuple[str, Condition]]:
    """Every condition in a document, wherever a part has one, with its key path."""
    for name, field in type(part).model_fields.items():
        value = getattr(part, name)
        key = f"{path}.{field.alias or name}" if path else field.alias or name
        if isinstance(value, Condition):
            yield key, value
        elif isinstance(value, BaseModel):
            yield from conditions_in(value, key)
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from conditions_in(item, f"{key}[{index}]")


def _repeats(slugs: Sequence[str], path: str, repeated: str) -> Iterator[DocumentError]:
    """`repeated`: what to say of a slug listed twice, with %(slug)s."""
    seen: set[str] = set()
    for index, slug in enumerate(slugs):
        if slug in seen:
            yield DocumentError(f"{path}[{index}]", repeated % {"slug": slug})
        seen.add(slug)
