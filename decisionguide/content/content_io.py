"""Guide documents <-> database rows <-> YAML files.

This is the only module that maps a GuideDocument onto the ORM and back:
`apply_document` writes a document into rows (updating in place by slug, so
unchanged rows keep their primary keys), `build_document` reads the rows
back into exactly the same document, and the YAML helpers read and write
content files. Every check happens before the first write, and every error
is one line: `<file>: <key path>: <what is wrong>`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import yaml
from django.db import models, transaction
from django.db.models import Max, Prefetch
from pydantic import ValidationError

from decisionguide.content.models import (
    Choice,
    ChoicePoints,
    ClauseBase,
    Criterion,
    Gate,
    GateClause,
    GateClauseChoice,
    Guide,
    GuideItem,
    GuideVersion,
    LinkedPage,
    Note,
    NoteClause,
    NoteClauseChoice,
    Outcome,
    OutcomeNextPage,
    Question,
    QuestionShowClause,
    QuestionShowClauseChoice,
    Rating,
    Scenario,
    ScenarioAnswer,
)
from decisionguide.decision.document import SLUG_PATTERN, Condition, DocumentError, GuideDocument
from decisionguide.decision.parsing import (
    check_references,
    parse_document,
    size_problem,
    type_problem,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

M = TypeVar("M", bound=models.Model)

# The document lists that are stored as GuideItem rows, by kind.
ITEM_LISTS = (
    ("edge_cases", GuideItem.Kind.EDGE_CASE),
    ("missteps", GuideItem.Kind.MISSTEP),
    ("failure_checks", GuideItem.Kind.FAILURE_CHECK),
)
URL_MAX_LENGTH = LinkedPage._meta.get_field("url").max_length
# The largest content file read, for `loadguide` (--max-bytes raises it) and the admin's
# import alike; checked before the file is parsed, as YAML of a few MB takes seconds.
CONTENT_FILE_MAX_BYTES = 1_000_000
SLUG = re.compile(SLUG_PATTERN)
POINTS_RANGE = (-(2**31), 2**31 - 1)  # what an IntegerField holds on every database


# ---------------------------------------------------------------------------
# Errors and reports


class ContentError(Exception):
    """A problem in a content file, as one line naming the file and the key path."""

    def __init__(self, file: str, path: str, message: str) -> None:
        super().__init__(file, path, message)
        self.file = file
        self.path = path
        self.message = " ".join(message.split())  # always one line

    def __str__(self) -> str:
        return ": ".join(part for part in (self.file, self.path, self.message) if part)


class FileTooLarge(ContentError):
    """A content file over the size limit: refused before a byte of it is parsed."""

    def __init__(self, file: str, max_bytes: int) -> None:
        super().__init__(file, "", f"the file is too large: over {max_bytes:,} bytes")
        self.max_bytes = max_bytes


# "published": the content was already in the rows, but its version wasn't live yet.
Status = Literal["created", "updated", "published", "unchanged"]


@dataclass(frozen=True)
class LoadReport:
    guide: Guide
    status: Status

    def __str__(self) -> str:
        slug, version = self.guide.slug, self.guide.version
        if self.status == "updated":
            return f"{slug}: updated to version {version}"
        if self.status == "published":
            return f"{slug}: published version {version}"
        return f"{slug}: {self.status} (version {version})"

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


# ---------------------------------------------------------------------------
# Reading YAML files


# The C loader when PyYAML was built with libyaml: much faster on big files.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ContentLoader(_SafeLoader):
    """Safe YAML that refuses a key given twice (plain PyYAML keeps the last silently)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` may be overridden
            continue
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, Hashable):
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
    loader.flatten_mapping(node)
    return loader.construct_mapping(node, deep=True)


_ContentLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def display_name(path: str | Path) -> str:
    """The file as people know it: relative to the working directory when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_guide_file(path: str | Path, *, max_bytes: int = CONTENT_FILE_MAX_BYTES) -> GuideDocument:
    """Read and fully validate one content file of at most `max_bytes`; nothing is written."""
    name = display_name(path)
    try:
        with Path(path).open("rb") as file:
            data = file.read(max_bytes + 1)  # never more, whatever the file claims to be
    except FileNotFoundError:
        raise ContentError(name, "", "no such file") from None
    except IsADirectoryError:
        raise ContentError(name, "", "is a directory, not a YAML file") from None
    except OSError as exc:
        raise ContentError(name, "", f"can't be read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise FileTooLarge(name, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError(name, "", "is not UTF-8 text") from None
    # Line ends as reading in text mode gives them.
    return read_guide_text(text.replace("\r\n", "\n").replace("\r", "\n"), name)


def read_guide_text(text: str, name: str) -> GuideDocument:
    """Validate the text of a content file; raises ContentError for the first problem."""
    doc, problems = check_guide_text(text, name)
    if problems:
        raise problems[0]
    assert doc is not None
    return doc


def check_guide_text(text: str, name: str) -> tuple[GuideDocument | None, list[ContentError]]:
    """The document a content file's text holds, or every problem found in it.

    YAML syntax errors stop at the first; a readable file gets all its
    problems at once (types first, then references, then storage limits).
    """
    try:
        data = yaml.load(text, Loader=_ContentLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return None, [ContentError(name, where, f"invalid YAML: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:
        return None, [ContentError(name, "", f"invalid YAML: {exc}")]
    if data is None:
        return None, [ContentError(name, "", "the file is empty")]
    doc, problems = validate_document(data)
    return doc, [ContentError(name, p.path, p.message) for p in problems]


def document_problems(data: Any) -> list[DocumentError]:
    """Every problem that stops `data` from being stored as a guide (empty: it can be).

    Like `parse_document` followed by `check_storable`, but listing them all,
    so an editor sees every mistake of an upload or an admin save at once.
    """
    return validate_document(data)[1]


def validate_document(data: Any) -> tuple[GuideDocument | None, list[DocumentError]]:
    """The document `data` describes and can be stored as, or None and every problem."""
    if not isinstance(data, dict):
        problem = "the file must hold a mapping of guide fields at the top level"
        return None, [DocumentError("", problem)]
    if data.get("default_outcome") == "":
        # Rows whose default outcome was deleted: say so in words, not as a bad slug.
        problem = "pick a default outcome: the guide can't be shown without one"
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
                    f"outcomes[{i}].best_for[{j}]", "each item must be a single line"
                )
        yield from _repeats(outcome.next_pages, f"outcomes[{i}].next_pages", "page")
    for i, page in enumerate(doc.linked_pages):
        if page.url is not None and len(page.url) > URL_MAX_LENGTH:
            yield DocumentError(
                f"linked_pages[{i}].url", f"at most {URL_MAX_LENGTH} characters allowed"
            )
    low, high = POINTS_RANGE
    for i, question in enumerate(doc.questions):
        for j, choice in enumerate(question.choices):
            for slug, points in choice.points.items():
                if not low <= points <= high:
                    yield DocumentError(
                        f"questions[{i}].choices[{j}].points.{slug}",
                        f"points must be between {low} and {high}",
                    )
    conditions = [(f"questions[{i}].show_if", q.show_if) for i, q in enumerate(doc.questions)]
    conditions += [(f"gates[{i}].unless", g.unless) for i, g in enumerate(doc.gates)]
    conditions += [(f"notes[{i}].when", n.when) for i, n in enumerate(doc.notes)]
    for path, condition in conditions:
        if condition is None:
            continue
        for group, index, clause in condition.clauses():
            yield from _repeats(clause.in_, f"{path}.{group}[{index}].in", "choice")


def _repeats(slugs: Sequence[str], path: str, what: str) -> Iterator[DocumentError]:
    seen: set[str] = set()
    for index, slug in enumerate(slugs):
        if slug in seen:
            yield DocumentError(f"{path}[{index}]", f"{what} {slug!r} is listed twice")
        seen.add(slug)


def read_guide_files(
    paths: Iterable[str | Path], *, max_bytes: int = CONTENT_FILE_MAX_BYTES
) -> list[GuideDocument]:
    """Validate every file (and that no two define the same guide) before any write."""
    docs: list[GuideDocument] = []
    files_by_slug: dict[str, str] = {}
    for path in paths:
        doc = read_guide_file(path, max_bytes=max_bytes)
        if doc.slug in files_by_slug:
            raise ContentError(
                display_name(path),
                "slug",
                f"guide {doc.slug!r} is also in {files_by_slug[doc.slug]}",
            )
        files_by_slug[doc.slug] = display_name(path)
        docs.append(doc)
    return docs


def load_guide_file(path: str | Path) -> LoadReport:
    """Read, validate and apply one content file."""
    (report,) = load_guide_files([path])
    return report


def load_guide_files(
    paths: Iterable[str | Path],
    *,
    max_bytes: int = CONTENT_FILE_MAX_BYTES,
    may_publish: Callable[[GuideDocument], bool] | None = None,
) -> list[LoadReport]:
    """Validate all files, then apply them all in one transaction.

    A file marked `published: true` (the default) is published at once, as
    `loadguide` is how content reaches a fresh site, unless `may_publish`
    (asked for each such document before anything is written) says no: then
    it is loaded as the draft.
    """
    paths = list(paths)
    docs = read_guide_files(paths, max_bytes=max_bytes)
    publish = [doc.published and (may_publish is None or may_publish(doc)) for doc in docs]
    with transaction.atomic():
        return [
            _apply(doc, publish=listed, user=None, note=f"Loaded from {display_name(path)}")
            for doc, path, listed in zip(docs, paths, publish, strict=True)
        ]


# ---------------------------------------------------------------------------
# Writing YAML


class _GuideDumper(yaml.SafeDumper):
    """Readable YAML: multi-line text as `|` blocks, lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


# Line breaks other than \n: YAML reads them back as \n inside a block, so text
# holding one is written double-quoted, where every character is escaped exactly.
OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = None
    if OTHER_BREAKS.search(value):
        style = '"'
    elif "\n" in value:
        style = "|"  # PyYAML itself falls back to quotes when a block can't hold the text
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    # Short lists of slugs (`in:`, `next_pages:`) read best on one line.
    flow = all(isinstance(item, str) and SLUG.match(item) for item in value) and (
        sum(len(item) + 2 for item in value) < 60
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_GuideDumper.add_representer(str, _represent_str)
_GuideDumper.add_representer(list, _represent_list)


def dump_document_yaml(doc: GuideDocument) -> str:
    return yaml.dump(
        doc.to_data(),
        Dumper=_GuideDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def dump_guide_yaml(guide: Guide) -> str:
    """The guide's rows as a content file that `loadguide` reads back unchanged."""
    return dump_document_yaml(build_document(guide))


# ---------------------------------------------------------------------------
# Rows -> document


def build_document(guide: Guide) -> GuideDocument:
    """The document the guide's rows describe, in a fixed number of queries.

    Raises DocumentError when the rows don't make a valid guide (the admin
    checks every save with `document_problems`, so only other writes can).
    """
    return parse_document(build_document_data(guide))


def build_document_data(guide: Guide) -> dict[str, Any]:
    """The rows as plain document data, not yet validated."""
    outcomes = list(
        Outcome.objects.filter(guide=guide).prefetch_related(
            Prefetch("next_page_links", queryset=OutcomeNextPage.objects.select_related("page"))
        )
    )
    criteria = Criterion.objects.filter(guide=guide).prefetch_related(
        Prefetch("ratings", queryset=Rating.objects.select_related("outcome"))
    )
    scenarios = (
        Scenario.objects.filter(guide=guide)
        .select_related("outcome")
        .prefetch_related(
            Prefetch(
                "answers", queryset=ScenarioAnswer.objects.select_related("question", "choice")
            )
        )
    )
    items: dict[str, list[str]] = defaultdict(list)
    for item in GuideItem.objects.filter(guide=guide).order_by("order", "id"):
        items[item.kind].append(item.text)
    questions = Question.objects.filter(guide=guide).prefetch_related(
        Prefetch("choices", queryset=Choice.objects.select_related("route")),
        Prefetch("choices__points", queryset=ChoicePoints.objects.select_related("outcome")),
        Prefetch(
            "show_clauses",
            queryset=QuestionShowClause.objects.select_related("question").prefetch_related(
                _clause_choices(QuestionShowClauseChoice)
            ),
        ),
    )
    gates = (
        Gate.objects.filter(guide=guide)
        .select_related("outcome")
        .prefetch_related(
            Prefetch(
                "clauses",
                queryset=GateClause.objects.select_related("question").prefetch_related(
                    _clause_choices(GateClauseChoice)
                ),
            )
        )
    )
    notes = Note.objects.filter(guide=guide).prefetch_related(
        Prefetch(
            "clauses",
            queryset=NoteClause.objects.select_related("question").prefetch_related(
                _clause_choices(NoteClauseChoice)
            ),
        ),
        "shown_with",
        "argues_against",
        "argues_for",
    )
    default_outcome = next((o.slug for o in outcomes if o.pk == guide.default_outcome_id), "")
    outcome_order = {o.pk: position for position, o in enumerate(outcomes)}

    def in_outcome_order(rows: Iterable[Outcome]) -> list[str]:
        return [o.slug for o in sorted(rows, key=lambda o: outcome_order.get(o.pk, len(outcomes)))]

    data: dict[str, Any] = {
        "slug": guide.slug,
        "title": guide.title,
        "summary": guide.summary,
        "published": guide.is_published,
        "default_outcome": default_outcome,
        "close_call_margin": guide.close_call_margin,
        "intro": guide.intro,
        "right_page": guide.right_page,
        "wrong_page": guide.wrong_page,
        "start_elsewhere": guide.start_elsewhere,
        "shortcut": guide.shortcut,
        "decision_criteria": guide.decision_criteria,
        "snapshot": guide.snapshot,
        "outcomes": [
            {
                "slug": o.slug,
                "name": o.name,
                "tagline": o.tagline,
                "symbol": o.symbol,
                "best_for": o.best_for_lines(),
                "strengths": o.strengths,
                "tradeoffs": o.tradeoffs,
                "failure_mode": o.failure_mode,
                "good_fit": o.good_fit,
                "choose_if": o.choose_if,
                "next_pages": [link.page.slug for link in o.next_page_links.all()],
            }
            for o in outcomes
        ],
        "criteria": [
            {
                "slug": c.slug,
                "name": c.name,
                "description": c.description,
                "ratings": {
                    r.outcome.slug: {"label": r.label, "level": r.level} for r in c.ratings.all()
                },
            }
            for c in criteria
        ],
        "scenarios": [
            {
                "slug": s.slug,
                "title": s.title,
                "description": s.description,
                "outcome": s.outcome.slug,
                "handoff_example": s.handoff_example,
                "answers": {a.question.slug: a.choice.slug for a in s.answers.all()},
                "handoff_rule": s.handoff_rule,
            }
            for s in scenarios
        ],
        "linked_pages": [
            {
                "slug": p.slug,
                "title": p.title,
                "summary": p.summary,
                "when": p.when,
                "body": p.body,
                "url": p.url or None,
            }
            for p in LinkedPage.objects.filter(guide=guide)
        ],
        **{name: items[kind] for name, kind in ITEM_LISTS},
        "questions": [_question_data(q) for q in questions],
        "gates": [
            {
                "outcome": g.outcome.slug,
                "unless": _condition_data(g.clauses.all()),
                "reason": g.reason,
            }
            for g in gates
        ],
        "notes": [
            {
                "slug": n.slug,
                "title": n.title,
                "text": n.text,
                "when": _condition_data(n.clauses.all()),
                "shown_with": in_outcome_order(n.shown_with.all()),
                "argues_against": in_outcome_order(n.argues_against.all()),
                "argues_for": in_outcome_order(n.argues_for.all()),
            }
            for n in notes
        ],
    }
    return data


def _clause_choices(model: type[models.Model]) -> Prefetch:
    return Prefetch("clause_choices", queryset=model.objects.select_related("choice"))


def _question_data(question: Question) -> dict[str, Any]:
    choices = list(question.choices.all())
    free_text = None
    if question.free_text_choice_id is not None:
        choice = next((c for c in choices if c.pk == question.free_text_choice_id), None)
        free_text = {
            # A choice of another question can't be named; leave it to validation.
            "choice": choice.slug if choice else "",
            "label": question.free_text_label,
            "hint": question.free_text_hint,
            "max_length": question.free_text_max_length,
        }
    clauses = list(question.show_clauses.all())
    return {
        "slug": question.slug,
        "prompt": question.prompt,
        "short": question.short,
        "hint": question.hint,
        "show_if": _condition_data(clauses) if clauses else None,
        "choices": [
            {
                "slug": c.slug,
                "label": c.label,
                "hint": c.hint,
                "reason": c.reason,
                "points": {p.outcome.slug: p.points for p in c.points.all()},
                "route": c.route.slug if c.route else None,
                "unsure": c.unsure,
            }
            for c in choices
        ],
        "free_text": free_text,
    }


def _condition_data(clauses: Iterable[ClauseBase]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {"all": [], "any": []}
    for clause in clauses:  # already in (order, id) order
        groups.setdefault(clause.group, []).append(
            {
                "question": clause.question.slug,
                "in": [link.choice.slug for link in clause.clause_choices.all()],
            }
        )
    return groups


# ---------------------------------------------------------------------------
# Document -> rows


def apply_document(
    doc: GuideDocument,
    *,
    publish: bool | None = None,
    user: AbstractBaseUser | None = None,
    note: str = "",
) -> tuple[Guide, bool]:
    """Create or update the guide the document describes; True when anything changed.

    All in one transaction. Rows are matched by slug (gates and list items by
    position), so unchanged rows keep their primary keys; rows no longer in
    the document are deleted. A change bumps `version` by one and freezes the
    document as a new GuideVersion (by `user`, with `note`); an identical
    document writes nothing.

    `publish` (default: the document's `published`) makes the new version the
    one visitors see. Without it the change stays a draft and the guide keeps
    whatever listing it had (a new guide starts unlisted).
    """
    if publish is None:
        publish = doc.published
    report = _apply(doc, publish=publish, user=user, note=note)
    return report.guide, report.changed


def _apply(
    doc: GuideDocument, *, publish: bool, user: AbstractBaseUser | None, note: str
) -> LoadReport:
    check_storable(doc)
    with transaction.atomic():
        guide = Guide.objects.select_for_update().filter(slug=doc.slug).first()
        # What the rows will say about listing: published content is listed,
        # a draft keeps the guide's current state.
        listed = True if publish else (doc.published and guide is not None and guide.is_published)
        if doc.published != listed:
            doc = doc.model_copy(update={"published": listed})
        if guide is None:
            # Unlisted until its first version is frozen (a listed guide needs one).
            guide = Guide.objects.create(version=1, **{**_guide_values(doc), "is_published": False})
            status: Status = "created"
        elif _same(guide, doc):
            if publish and not _is_live(guide):
                _publish(guide, guide.draft_version())
                return LoadReport(guide, "published")
            return LoadReport(guide, "unchanged")
        else:
            for name, value in _guide_values(doc).items():
                setattr(guide, name, value)
            # Not listed yet: the new version it needs is frozen below.
            guide.is_published = guide.is_published and guide.published_version_id is not None
            # Never reuse a frozen version number, even if `version` was edited by hand.
            frozen = GuideVersion.objects.filter(guide=guide).aggregate(latest=Max("version"))
            guide.version = max(guide.version, frozen["latest"] or 0) + 1
            status = "updated"
        _RowWriter(guide).write(doc)  # saves the guide too
        version = GuideVersion.objects.create(
            guide=guide,
            version=guide.version,
            document=doc.to_data(),
            created_by=user,
            note=note[:NOTE_MAX_LENGTH],
        )
        if publish:
            _publish(guide, version)
        return LoadReport(guide, status)


NOTE_MAX_LENGTH = GuideVersion._meta.get_field("note").max_length


def _is_live(guide: Guide) -> bool:
    """Listed, showing exactly the draft's version."""
    if not guide.is_published or guide.published_version_id is None:
        return False
    return guide.published_version.version == guide.version


def _publish(guide: Guide, version: GuideVersion) -> None:
    guide.published_version = version
    guide.is_published = True
    guide.save(update_fields=["published_version", "is_published", "updated"])


def freeze_version(
    guide: Guide,
    doc: GuideDocument,
    *,
    user: AbstractBaseUser | None = None,
    note: str = "",
) -> tuple[GuideVersion, bool]:
    """Freeze `doc` (the guide's rows as they are now) as the draft's version.

    Returns the version and whether it is new: when the latest frozen
    version already holds this document, nothing is written. Otherwise the
    guide's `version` goes up by one (once, however many rows changed).
    """
    with transaction.atomic():
        locked = Guide.objects.select_for_update().only("pk", "version").get(pk=guide.pk)
        latest = GuideVersion.objects.filter(guide=guide).order_by("-version").first()
        if latest is not None and latest.version == locked.version and latest.as_document() == doc:
            return latest, False
        number = locked.version if latest is None else max(locked.version, latest.version) + 1
        guide.version = number
        guide.save(update_fields=["version", "updated"])
        version = GuideVersion.objects.create(
            guide=guide,
            version=number,
            document=doc.to_data(),
            created_by=user,
            note=note[:NOTE_MAX_LENGTH],
        )
        return version, True


def _same(guide: Guide, doc: GuideDocument) -> bool:
    try:
        current = build_document(guide)
    except DocumentError:  # broken by hand edits: rewrite it from the document
        return False
    # JSON text, not dict equality: the order of keys (ratings, points) counts too.
    return json.dumps(current.to_data()) == json.dumps(doc.to_data())


def _guide_values(doc: GuideDocument) -> dict[str, Any]:
    return {
        "slug": doc.slug,
        "title": doc.title,
        "summary": doc.summary,
        "close_call_margin": doc.close_call_margin,
        "is_published": doc.published,
        "intro": doc.intro,
        "right_page": doc.right_page,
        "wrong_page": doc.wrong_page,
        "start_elsewhere": doc.start_elsewhere,
        "shortcut": doc.shortcut,
        "decision_criteria": doc.decision_criteria,
        "snapshot": doc.snapshot,
    }


def _upsert(model: type[M], current: dict[Hashable, M], key: Hashable, values: dict[str, Any]) -> M:
    """Update the row under `key` in place (saving only changed fields), or create it.

    `values` use attnames (`outcome_id`) so comparing never loads a relation.
    The row is taken out of `current`, so what is left there at the end is stale.
    """
    row = current.pop(key, None)
    if row is None:
        return model.objects.create(**values)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
    return row


# Dependants first, so no RESTRICT reference still points at a row being deleted.
DELETE_ORDER: tuple[type[models.Model], ...] = (
    OutcomeNextPage,
    Rating,
    ChoicePoints,
    ScenarioAnswer,
    QuestionShowClauseChoice,
    GateClauseChoice,
    NoteClauseChoice,
    QuestionShowClause,
    GateClause,
    NoteClause,
    GuideItem,
    Scenario,
    Gate,
    Note,
    Criterion,
    Choice,
    Question,
    Outcome,
    LinkedPage,
)

# Each kind of condition: its clause model, the clauses' choice model, the owner field.
CONDITION_TABLES = (
    (QuestionShowClause, QuestionShowClauseChoice, "shown"),
    (GateClause, GateClauseChoice, "gate"),
    (NoteClause, NoteClauseChoice, "note"),
)


class _RowWriter:
    """Writes one document into one guide's rows.

    Existing rows are read once per table and matched by key; whatever is
    not matched is deleted at the end, after every kept row points at its
    new targets.
    """

    def __init__(self, guide: Guide) -> None:
        self.guide = guide
        self.stale: dict[type[models.Model], list[Any]] = defaultdict(list)
        self.pages: dict[str, LinkedPage] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.questions: dict[str, Question] = {}
        self.choices: dict[tuple[str, str], Choice] = {}

    # Matching helpers --------------------------------------------------

    def mark_stale(self, rows: Iterable[models.Model]) -> None:
        for row in rows:
            self.stale[type(row)].append(row.pk)

    def by_key(self, rows: Iterable[M], key: Any) -> dict[Hashable, M]:
        """Rows by key; a second row with the same key (only positions can repeat) is stale."""
        found: dict[Hashable, M] = {}
        for row in rows:
            if key(row) in found:
                self.mark_stale([row])
            else:
                found[key(row)] = row
        return found

    def by_parent(self, rows: Iterable[M], parent: str, key: Any) -> dict[int, dict[Hashable, M]]:
        groups: dict[int, list[M]] = defaultdict(list)
        for row in rows:
            groups[getattr(row, parent)].append(row)
        return defaultdict(dict, {pk: self.by_key(items, key) for pk, items in groups.items()})

    def finish(self, leftovers: Iterable[dict[Hashable, models.Model]]) -> None:
        for rows in leftovers:
            self.mark_stale(rows.values())

    def delete_stale(self) -> None:
        for model in DELETE_ORDER:
            if self.stale.get(model):
                model.objects.filter(pk__in=self.stale[model]).delete()

    # The parts of a guide ----------------------------------------------

    def write(self, doc: GuideDocument) -> None:
        self.write_pages(doc)
        self.write_outcomes(doc)
        self.guide.default_outcome_id = self.outcomes[doc.default_outcome].pk
        self.write_criteria(doc)
        self.write_questions(doc)
        self.write_scenarios(doc)
        self.write_gates_and_notes(doc)
        self.write_items(doc)
        self.guide.save()  # its own fields and the default outcome
        self.delete_stale()

    def write_pages(self, doc: GuideDocument) -> None:
        guide = self.guide
        current = self.by_key(LinkedPage.objects.filter(guide=guide), _slug)
        for order, p in enumerate(doc.linked_pages):
            values = {
                "guide_id": guide.pk,
                "slug": p.slug,
                "title": p.title,
                "summary": p.summary,
                "when": p.when,
                "body": p.body,
                "url": p.url or "",
                "order": order,
            }
            self.pages[p.slug] = _upsert(LinkedPage, current, p.slug, values)
        self.finish([current])

    def write_outcomes(self, doc: GuideDocument) -> None:
        guide = self.guide
        current = self.by_key(Outcome.objects.filter(guide=guide), _slug)
        links = self.by_parent(
            OutcomeNextPage.objects.filter(outcome__guide=guide), "outcome_id", _page_id
        )
        for order, o in enumerate(doc.outcomes):
            values = {
                "guide_id": guide.pk,
                "slug": o.slug,
                "name": o.name,
                "tagline": o.tagline,
                "symbol": o.symbol,
                "best_for": "\n".join(o.best_for),
                "strengths": o.strengths,
                "tradeoffs": o.tradeoffs,
                "failure_mode": o.failure_mode,
                "good_fit": o.good_fit,
                "choose_if": o.choose_if,
                "order": order,
            }
            outcome = self.outcomes[o.slug] = _upsert(Outcome, current, o.slug, values)
            outcome_links = links[outcome.pk]
            for link_order, page_slug in enumerate(o.next_pages):
                page_id = self.pages[page_slug].pk
                values = {"outcome_id": outcome.pk, "page_id": page_id, "order": link_order}
                _upsert(OutcomeNextPage, outcome_links, page_id, values)
        self.finish([current, *links.values()])

    def write_criteria(self, doc: GuideDocument) -> None:
        guide = self.guide
        current = self.by_key(Criterion.objects.filter(guide=guide), _slug)
        ratings = self.by_parent(
            Rating.objects.filter(criterion__guide=guide), "criterion_id", _outcome_id
        )
        for order, c in enumerate(doc.criteria):
            values = {
                "guide_id": guide.pk,
                "slug": c.slug,
                "name": c.name,
                "description": c.description,
                "order": order,
            }
            criterion = _upsert(Criterion, current, c.slug, values)
            for rating_order, (outcome_slug, rating) in enumerate(c.ratings.items()):
                outcome_id = self.outcomes[outcome_slug].pk
                values = {
                    "criterion_id": criterion.pk,
                    "outcome_id": outcome_id,
                    "label": rating.label,
                    "level": rating.level,
                    "order": rating_order,
                }
                _upsert(Rating, ratings[criterion.pk], outcome_id, values)
        self.finish([current, *ratings.values()])

    def write_questions(self, doc: GuideDocument) -> None:
        guide = self.guide
        current = self.by_key(Question.objects.filter(guide=guide), _slug)
        choices = self.by_parent(Choice.objects.filter(question__guide=guide), "question_id", _slug)
        points = self.by_parent(
            ChoicePoints.objects.filter(choice__question__guide=guide), "choice_id", _outcome_id
        )
        for order, q in enumerate(doc.questions):
            free_text = q.free_text
            values = {
                "guide_id": guide.pk,
                "slug": q.slug,
                "prompt": q.prompt,
                "short": q.short,
                "hint": q.hint,
                "free_text_label": free_text.label if free_text else "",
                "free_text_hint": free_text.hint if free_text else "",
                "free_text_max_length": free_text.max_length if free_text else 280,
                "order": order,
            }
            question = self.questions[q.slug] = _upsert(Question, current, q.slug, values)
            for choice_order, c in enumerate(q.choices):
                values = {
                    "question_id": question.pk,
                    "slug": c.slug,
                    "label": c.label,
                    "hint": c.hint,
                    "reason": c.reason,
                    "route_id": self.pages[c.route].pk if c.route else None,
                    "unsure": c.unsure,
                    "order": choice_order,
                }
                choice = _upsert(Choice, choices[question.pk], c.slug, values)
                self.choices[q.slug, c.slug] = choice
                for points_order, (outcome_slug, amount) in enumerate(c.points.items()):
                    outcome_id = self.outcomes[outcome_slug].pk
                    values = {
                        "choice_id": choice.pk,
                        "outcome_id": outcome_id,
                        "points": amount,
                        "order": points_order,
                    }
                    _upsert(ChoicePoints, points[choice.pk], outcome_id, values)
            # The text box names one of the question's own choices, known only now.
            free_text_choice = self.choices[q.slug, free_text.choice].pk if free_text else None
            _upsert(Question, {0: question}, 0, {"free_text_choice_id": free_text_choice})
        self.finish([current, *choices.values(), *points.values()])

    def write_scenarios(self, doc: GuideDocument) -> None:
        guide = self.guide
        current = self.by_key(Scenario.objects.filter(guide=guide), _slug)
        answers = self.by_parent(
            ScenarioAnswer.objects.filter(scenario__guide=guide), "scenario_id", _question_id
        )
        for order, s in enumerate(doc.scenarios):
            values = {
                "guide_id": guide.pk,
                "slug": s.slug,
                "title": s.title,
                "description": s.description,
                "outcome_id": self.outcomes[s.outcome].pk,
                "handoff_example": s.handoff_example,
                "handoff_rule": s.handoff_rule,
                "order": order,
            }
            scenario = _upsert(Scenario, current, s.slug, values)
            for answer_order, (question_slug, choice_slug) in enumerate(s.answers.items()):
                question_id = self.questions[question_slug].pk
                values = {
                    "scenario_id": scenario.pk,
                    "question_id": question_id,
                    "choice_id": self.choices[question_slug, choice_slug].pk,
                    "order": answer_order,
                }
                _upsert(ScenarioAnswer, answers[scenario.pk], question_id, values)
        self.finish([current, *answers.values()])

    def write_gates_and_notes(self, doc: GuideDocument) -> None:
        guide = self.guide
        # Gates have no slug: they are matched by position.
        current_gates = self.by_key(Gate.objects.filter(guide=guide), _order)
        gates = []
        for order, g in enumerate(doc.gates):
            values = {
                "guide_id": guide.pk,
                "outcome_id": self.outcomes[g.outcome].pk,
                "reason": g.reason,
                "order": order,
            }
            gates.append((_upsert(Gate, current_gates, order, values), g.unless))
        current_notes = self.by_key(Note.objects.filter(guide=guide), _slug)
        notes = []
        for order, n in enumerate(doc.notes):
            values = {
                "guide_id": guide.pk,
                "slug": n.slug,
                "title": n.title,
                "text": n.text,
                "order": order,
            }
            row = _upsert(Note, current_notes, n.slug, values)
            for relation in ("shown_with", "argues_against", "argues_for"):
                getattr(row, relation).set([self.outcomes[slug] for slug in getattr(n, relation)])
            notes.append((row, n.when))
        self.finish([current_gates, current_notes])
        shown = [(self.questions[q.slug], q.show_if) for q in doc.questions]
        for tables, owners in zip(CONDITION_TABLES, (shown, gates, notes), strict=True):
            self.write_conditions(*tables, owners)

    def write_conditions(
        self,
        clause_model: type[ClauseBase],
        choice_model: type[models.Model],
        owner_field: str,
        owners: list[tuple[Any, Condition | None]],
    ) -> None:
        """Store conditions as clause rows (matched by group and position) with their choices."""
        guide_filter = {f"{owner_field}__guide": self.guide}
        clauses = self.by_parent(
            clause_model.objects.filter(**guide_filter), f"{owner_field}_id", _group_order
        )
        links = self.by_parent(
            choice_model.objects.filter(**{f"clause__{owner_field}__guide": self.guide}),
            "clause_id",
            _choice_id,
        )
        for owner, condition in owners:
            for group, order, clause in condition.clauses() if condition else ():
                values = {
                    f"{owner_field}_id": owner.pk,
                    "question_id": self.questions[clause.question].pk,
                    "group": group,
                    "order": order,
                }
                row = _upsert(clause_model, clauses[owner.pk], (group, order), values)
                for choice_order, choice_slug in enumerate(clause.in_):
                    choice_id = self.choices[clause.question, choice_slug].pk
                    values = {"clause_id": row.pk, "choice_id": choice_id, "order": choice_order}
                    _upsert(choice_model, links[row.pk], choice_id, values)
        self.finish([*clauses.values(), *links.values()])

    def write_items(self, doc: GuideDocument) -> None:
        guide = self.guide
        current = self.by_key(GuideItem.objects.filter(guide=guide), lambda r: (r.kind, r.order))
        for name, kind in ITEM_LISTS:
            for order, text in enumerate(getattr(doc, name)):
                values = {"guide_id": guide.pk, "kind": kind, "text": text, "order": order}
                _upsert(GuideItem, current, (kind, order), values)
        self.finish([current])


def _slug(row: Any) -> str:
    return row.slug


def _order(row: Any) -> int:
    return row.order


def _group_order(row: Any) -> tuple[str, int]:
    return row.group, row.order


def _page_id(row: Any) -> int:
    return row.page_id


def _outcome_id(row: Any) -> int:
    return row.outcome_id


def _question_id(row: Any) -> int:
    return row.question_id


def _choice_id(row: Any) -> int:
    return row.choice_id
