"""Key paths to lines (`content.yaml_lines.key_line`) on small YAML texts; no database.

The real guide file, the commands and the admin's import page are in
test_import_errors.py.
"""

from __future__ import annotations

import pytest
import yaml

from decisionguide.guidefiles.yaml_lines import key_line

TEXT = """\
slug: demo
outcomes:
  - slug: first
    name: First
  - slug: second
    tagline: >-
      Folded text
      over two lines
    best_for: [one, two,
      three]
questions:
  - slug: q1
    choices:
      - slug: a
        points: {first: 1, sec-ond: 2}
      - slug: b
        points:
          first: 3
          "quoted.key": 4
"""


def line_of(path: str, text: str = TEXT) -> int | None:
    return key_line(yaml.compose(text, Loader=yaml.SafeLoader), path)


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("slug", 1),
        ("outcomes", 2),
        ("outcomes[0]", 3),
        ("outcomes[0].name", 4),
        ("outcomes[1].tagline", 6),
        ("outcomes[1].best_for[1]", 9),
        ("outcomes[1].best_for[2]", 10),  # a flow list over two lines
        ("questions[0].choices[0].points.sec-ond", 15),
        ("questions[0].choices[1].points.first", 18),
        ("questions[0].choices[1].points.quoted.key", 19),  # a key with a dot, matched whole
    ],
)
def test_a_path_gives_the_line_of_its_key(path: str, line: int) -> None:
    assert line_of(path) == line


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("outcomes[0].tagline", 3),  # missing key: the outcome it belongs to
        ("outcomes[7].slug", 2),  # no such item: the list
        ("questions[0].choices[1].points.nope", 17),
        ("questions[0].choices[0].points.first.level", 15),  # below a scalar: the scalar's key
        ("outcomes[0].name[0]", 4),
        ("questions.0", 11),  # not an index: the list
    ],
)
def test_a_path_to_nothing_gives_the_line_of_its_nearest_parent(path: str, line: int) -> None:
    assert line_of(path) == line


@pytest.mark.parametrize("path", ["", "title", "[0]"])
def test_nothing_of_the_path_in_the_file_gives_no_line(path: str) -> None:
    assert line_of(path) is None


def test_no_node_tree_gives_no_line() -> None:
    assert key_line(None, "slug") is None


def test_keys_merged_in_and_aliases_point_at_where_they_are_written() -> None:
    text = """\
base: &base
  name: Shared
  tagline: Same everywhere
outcomes:
  - <<: *base
    slug: first
    name: Own name
  - *base
"""
    assert line_of("outcomes[0].name", text) == 7  # its own key wins over the merged one
    assert line_of("outcomes[0].tagline", text) == 3  # merged in from `base`
    assert line_of("outcomes[1].tagline", text) == 3  # the alias is the anchored mapping


def test_the_line_counts_windows_line_ends_once() -> None:
    assert line_of("outcomes[1].slug", TEXT.replace("\n", "\r\n")) == 5
