"""Where in a YAML file a problem is: the line (and column) an error message points at.

PyYAML's `problem_mark` is where the parser gave up, which for some mistakes is
far from the mistake: a missing closing quote makes the quoted text run on to
the next quote in the file, often hundreds of lines later. `syntax_problem`
picks the mark at the mistake and says what it is. `key_line` finds the line of
a key path (`questions[1].choices[0].points.crm-frist`) in the composed node
tree, so validation errors point at a line too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from yaml.error import Mark

# Errors noticed after the thing started at `context_mark` went unfinished: when
# the problem is on a later line, the mistake is where that thing started.
OPENED_HERE = {
    "while scanning a simple key": gettext_lazy("a 'key: value' line was expected here"),
    "while scanning a quoted scalar": gettext_lazy("the quote here is never closed"),
    "while parsing a flow sequence": gettext_lazy("the '[' here is not closed on its line"),
    "while parsing a flow mapping": gettext_lazy("the '{' here is not closed on its line"),
}
QUOTES = ('"', "'")
INDEX = re.compile(r"\[(\d+)\]")
MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class SyntaxProblem:
    """A YAML syntax error as editors read it: 1-based line and column, and what is wrong."""

    line: int | None
    column: int | None
    message: str


def syntax_problem(
    text: str, error: yaml.MarkedYAMLError, loader: type[yaml.SafeLoader]
) -> SyntaxProblem:
    """Where `error` (raised loading `text` with `loader`) was made, and what it is."""
    problem, context = error.problem_mark, error.context_mark
    found = error.problem or error.context or _("unreadable")
    if problem is not None:
        quoted = _runaway_quote(text, problem, loader)
        if quoted is not None:
            end = quoted.end_mark
            runaway = _(
                "the quote here is not closed on its line: the quoted text runs on to "
                "line %(line)s, column %(column)s (%(found)s)"
            )
            return _at(
                quoted.start_mark,
                runaway % {"line": end.line + 1, "column": end.column, "found": found},
            )
    if context is not None and (problem is None or problem.line > context.line):
        opened = OPENED_HERE.get(error.context or "")
        if opened is not None:
            return _at(context, _described(opened, problem, text, found))
    mark = problem or context
    if mark is None:
        return SyntaxProblem(None, None, found)
    return _at(mark, found)


def _described(opened: str, mark: Mark | None, text: str, found: str) -> str:
    """What was left open, with what PyYAML found (its English) and where it noticed it."""
    said = {"opened": opened, "found": found}
    if mark is None or "end of stream" in found:
        return _("%(opened)s (%(found)s)") % said
    if mark.line >= len(text.splitlines()):  # PyYAML's line after the last one
        return _("%(opened)s (%(found)s at the end of the file)") % said
    where = {"line": mark.line + 1, "column": mark.column + 1}
    return _("%(opened)s (%(found)s on line %(line)s, column %(column)s)") % {**said, **where}


def _at(mark: Mark, message: str) -> SyntaxProblem:
    return SyntaxProblem(mark.line + 1, mark.column + 1, message)


def _runaway_quote(
    text: str, problem: Mark, loader: type[yaml.SafeLoader]
) -> yaml.ScalarToken | None:
    """The quoted text just before `problem` that spans lines and ends on its line.

    Guide files never need a quoted text over several lines (they use `|`
    blocks), so one that ends right where the parser gives up most likely
    lost its closing quote where it started.
    """
    last: yaml.ScalarToken | None = None
    try:
        for token in yaml.scan(text, Loader=loader):
            if (token.start_mark.line, token.start_mark.column) >= (problem.line, problem.column):
                break
            if isinstance(token, yaml.ScalarToken):
                last = token
    except yaml.YAMLError:
        pass  # the scanner may give up later than the parser did: we have all we need
    if last is None or last.style not in QUOTES:
        return None
    if last.start_mark.line < last.end_mark.line == problem.line:
        return last
    return None


def key_line(root: yaml.Node | None, path: str) -> int | None:
    """The 1-based line of the key `path` names, or of its nearest parent in the file.

    None when not even the path's first key is there (the parent is the whole
    file). Keys are matched whole, longest first, so a key holding a dot
    still matches its path.
    """
    node, rest, line = root, path, None
    while rest and node is not None:
        step = _step(node, rest)
        if step is None:
            break
        node, rest, mark = step
        line = mark.line + 1
    return line


def _step(node: yaml.Node, rest: str) -> tuple[yaml.Node, str, Mark] | None:
    """One key (or list index) down from `node` along the path `rest`."""
    if isinstance(node, yaml.SequenceNode):
        match = INDEX.match(rest)
        if match is None or int(match[1]) >= len(node.value):
            return None
        item = node.value[int(match[1])]
        return item, rest[match.end() :].removeprefix("."), item.start_mark
    if not isinstance(node, yaml.MappingNode):
        return None
    matches = [
        (key, value)
        for key, value in _pairs(node)
        if isinstance(key.value, str)
        and (rest == key.value or rest.startswith((f"{key.value}.", f"{key.value}[")))
    ]
    if not matches:
        return None
    key, value = max(matches, key=lambda pair: len(pair[0].value))  # the first of the longest
    return value, rest[len(key.value) :].removeprefix("."), key.start_mark


def _pairs(node: yaml.MappingNode, depth: int = 0) -> list[tuple[yaml.Node, yaml.Node]]:
    """The mapping's own keys, then those it merges in with `<<` (as YAML reads them)."""
    own = [(key, value) for key, value in node.value if key.tag != MERGE_TAG]
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    if depth < 10:  # merges of merges: enough for any file a person writes
        for key, value in node.value:
            if key.tag != MERGE_TAG:
                continue
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                if isinstance(source, yaml.MappingNode):
                    merged += _pairs(source, depth + 1)
    return own + merged
