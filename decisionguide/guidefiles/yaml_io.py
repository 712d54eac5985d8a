"""Content files: reading and checking YAML guide files, and writing documents as YAML.

Every check happens before anything is written, and every error is one line:
`<file>: line <n>[, column <m>]: <key path>: <what is wrong>` (`ContentError`; the
line from `content.yaml_lines`). Reading a file gives a
validated GuideDocument (`guidefiles.validation`); `dump_document_yaml` writes one
back in the same shape, so `loadguide` reads a dump back unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

import yaml
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from decisionguide.checking.memo import Memo
from decisionguide.content.models import Guide
from decisionguide.content.rows import build_document
from decisionguide.decision.document import SLUG_PATTERN, GuideDocument
from decisionguide.decision.translations import with_current_sources, without_current_sources
from decisionguide.guidefiles.validation import validate_document
from decisionguide.guidefiles.yaml_lines import key_line, syntax_problem

# The largest content file read, for `loadguide` (--max-bytes raises it) and the admin's
# import alike; checked before the file is parsed, as YAML of a few MB takes seconds.
CONTENT_FILE_MAX_BYTES = 1_000_000
SLUG = re.compile(SLUG_PATTERN)


# ---------------------------------------------------------------------------
# Errors


class ContentError(Exception):
    """A problem in a content file, as one line naming the file, the line and the key path.

    `line` and `column` count from 1; either may be unknown (None).
    """

    def __init__(
        self,
        file: str,
        path: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(file, path, message)
        self.file = file
        self.path = path
        self.message = " ".join(str(message).split())  # always one line
        self.line = line
        self.column = column

    @property
    def where(self) -> str:
        """`line 12, column 5`, `line 12` or nothing."""
        if self.line is None:
            return ""
        if self.column:
            return _("line %(line)s, column %(column)s") % {
                "line": self.line,
                "column": self.column,
            }
        return _("line %(line)s") % {"line": self.line}

    def __str__(self) -> str:
        parts = (self.file, self.where, self.path, self.message)
        separator = pgettext("between the file, line, key and problem of an error", ": ")
        return separator.join(part for part in parts if part)


class FileTooLarge(ContentError):
    """A content file over the size limit: refused before a byte of it is parsed."""

    def __init__(self, file: str, max_bytes: int) -> None:
        size = number_format(max_bytes, force_grouping=True)
        super().__init__(file, "", _("the file is too large: over %(size)s bytes") % {"size": size})
        self.max_bytes = max_bytes


# ---------------------------------------------------------------------------
# Reading YAML files


# The C loader when PyYAML was built with libyaml: much faster on big files.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ContentLoader(_SafeLoader):
    """Safe YAML that refuses a key given twice (plain PyYAML keeps the last silently)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` may be overridden
            continue
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, Hashable):
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, _("duplicate key “%(key)s”") % {"key": key}, key_node.start_mark
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
        raise ContentError(name, "", _("no such file")) from None
    except IsADirectoryError:
        raise ContentError(name, "", _("is a directory, not a YAML file")) from None
    except OSError as exc:
        unreadable = _("can't be read (%(reason)s)") % {"reason": exc.strerror}
        raise ContentError(name, "", unreadable) from None
    if len(data) > max_bytes:
        raise FileTooLarge(name, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError(name, "", _("is not UTF-8 text")) from None
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
        found = syntax_problem(text, exc, _ContentLoader)
        invalid = _("invalid YAML: %(problem)s") % {"problem": found.message}
        return None, [ContentError(name, "", invalid, line=found.line, column=found.column)]
    except yaml.YAMLError as exc:
        return None, [ContentError(name, "", _("invalid YAML: %(problem)s") % {"problem": exc})]
    if data is None:
        return None, [ContentError(name, "", _("the file is empty"))]
    # A translation without `source` was made from today's source text (`dump_document_yaml`).
    doc, problems = validate_document(with_current_sources(data))
    # The node tree only when there is something to point at: it means parsing twice.
    root = yaml.compose(text, Loader=_ContentLoader) if problems else None
    return doc, [
        ContentError(name, p.path, p.message, line=key_line(root, p.path)) for p in problems
    ]


def read_guide_files(
    paths: Iterable[str | Path], *, max_bytes: int = CONTENT_FILE_MAX_BYTES
) -> list[GuideDocument]:
    """Validate every file (and that no two define the same guide) before any write."""
    docs: list[GuideDocument] = []
    files_by_slug: dict[str, str] = {}
    for path in paths:
        doc = read_guide_file(path, max_bytes=max_bytes)
        if doc.slug in files_by_slug:
            also = _("guide “%(slug)s” is also in %(file)s")
            also %= {"slug": doc.slug, "file": files_by_slug[doc.slug]}
            raise ContentError(display_name(path), "slug", also)
        files_by_slug[doc.slug] = display_name(path)
        docs.append(doc)
    return docs


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


# Content files by document content: the history page dumps two versions on every visit
# (a second or two for a guide at the content limits), the same ones again and again.
_dumps: Memo[str] = Memo(size=8)


def dump_document_yaml(doc: GuideDocument) -> str:
    data = without_current_sources(doc.to_data())
    # Keys in their order, not sorted: the file lists them in that order, so two documents
    # that differ only in order must not share a file.
    key = hashlib.sha256(json.dumps(data).encode()).hexdigest()
    return _dumps.get_or_make(
        key,
        lambda: yaml.dump(
            data,
            Dumper=_GuideDumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
            width=100,
        ),
    )


def dump_guide_yaml(guide: Guide) -> str:
    """The guide's rows as a content file that `loadguide` reads back unchanged."""
    return dump_document_yaml(build_document(guide))
