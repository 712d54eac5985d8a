"""Three-way merge of guide document data: whose change each field keeps.

Plain data in, plain data out (`GuideDocument.model_dump` of three versions:
the base both sides started from, theirs, and mine). A field only one side
changed takes that side's value; a field both changed to different values is
a collision, reported by its `Path` (document keys, part slugs, list
positions). Lists of parts are matched by slug (a language's translations by
their text's path), so two different questions, or two translators' different texts,
never collide, and their order is merged on its own (`#order`). With `seen`
(what a refusal showed), mine wins a collision where theirs still is `seen`.
"""

from __future__ import annotations

from typing import Any

Path = tuple[Any, ...]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # a key or part one side doesn't have
UNSEEN: Any = _Missing()  # no "save mine anyway": nothing may be overridden


# What names a list's item: a part's slug, a translation's path (unique in its list).
ITEM_KEYS = ("slug", "path")


def _key(item: Any) -> str | None:
    if isinstance(item, dict):
        for name in ITEM_KEYS:
            if isinstance(item.get(name), str):
                return item[name]
    return None


def _slug_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_key(item) for item in value)


def _keyed(value: Any) -> dict[str, Any]:
    return {_key(item): item for item in value} if _slug_list(value) else {}


def _at(value: Any, key: Any) -> Any:
    if value is MISSING or value is UNSEEN:
        return value
    if isinstance(value, dict):
        return value.get(key, MISSING)
    if isinstance(value, list):
        if isinstance(key, int):
            return value[key] if key < len(value) else MISSING
        return _keyed(value).get(key, MISSING)
    return MISSING


class Merger:
    """Merges `mine` (P) and `theirs` (W) from `base` (V); collects the collisions."""

    def __init__(self) -> None:
        self.conflicts: list[tuple[Path, Any, Any]] = []

    def merge(self, base: Any, theirs: Any, mine: Any, seen: Any, path: Path = ()) -> Any:
        if mine == theirs or theirs == base:
            return mine
        if mine == base:
            return theirs  # the form wrote back what it showed: keep their change
        if all(isinstance(v, dict) for v in (base, theirs, mine)):
            return self._dicts(base, theirs, mine, seen, path)
        # A base without the list at all: a language both sides began translating.
        if all(_slug_list(v) or v == [] for v in (theirs, mine)) and (
            base is MISSING or base == [] or _slug_list(base)
        ):
            return self._slug_lists(base, theirs, mine, seen, path)
        if all(isinstance(v, list) for v in (base, theirs, mine)) and (
            len(base) == len(theirs) == len(mine)
        ):
            return [
                self.merge(*(_at(v, i) for v in (base, theirs, mine, seen)), (*path, i))
                for i in range(len(mine))
            ]
        if seen is not UNSEEN and theirs == seen:
            return mine  # "save mine anyway", and no one changed it since the refusal
        self.conflicts.append((path, theirs, mine))
        return mine

    def _dicts(self, base: dict, theirs: dict, mine: dict, seen: Any, path: Path) -> dict:
        merged = {}
        for key in [*mine, *(k for k in theirs if k not in mine)]:
            value = self.merge(
                base.get(key, MISSING),
                theirs.get(key, MISSING),
                mine.get(key, MISSING),
                _at(seen, key),
                (*path, key),
            )
            if value is not MISSING:
                merged[key] = value
        return merged

    def _slug_lists(self, base: list, theirs: list, mine: list, seen: Any, path: Path) -> list:
        maps = [_keyed(v) for v in (base, theirs, mine)]
        items = {}
        for slug in [*maps[2], *(s for s in maps[1] if s not in maps[2])]:
            value = self.merge(
                *(m.get(slug, MISSING) for m in maps), _at(seen, slug), (*path, slug)
            )
            if value is not MISSING:
                items[slug] = value
        order = self._order(
            *(list(m) for m in maps),
            [] if seen is UNSEEN else list(_keyed(seen)),
            seen is UNSEEN,
            path,
        )
        return [items[s] for s in order if s in items] + [
            v for s, v in items.items() if s not in order
        ]

    def _order(
        self, base: list, theirs: list, mine: list, seen: list, unseen: bool, path: Path
    ) -> list:
        """The order of a list's parts: whoever moved the ones both sides have."""
        common = set(base) & set(theirs) & set(mine)

        def kept(order: list) -> list:
            return [s for s in order if s in common]

        if kept(mine) == kept(base) or kept(mine) == kept(theirs):
            return theirs + [s for s in mine if s not in theirs]
        if kept(theirs) == kept(base) or (not unseen and kept(theirs) == kept(seen)):
            return mine
        self.conflicts.append(((*path, "#order"), theirs, mine))
        return mine


def merge_documents(
    base: dict[str, Any], theirs: dict[str, Any], mine: dict[str, Any], seen: Any = UNSEEN
) -> tuple[dict[str, Any], list[tuple[Path, Any, Any]]]:
    merger = Merger()
    return merger.merge(base, theirs, mine, seen), merger.conflicts


def changed_paths(before: Any, after: Any, path: Path = ()) -> list[Path]:
    """Where `after` differs from `before`, as deep as both sides have the same shape."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        keys = [*before, *(k for k in after if k not in before)]
        return [p for k in keys for p in changed_paths(_at(before, k), _at(after, k), (*path, k))]
    if _slug_list(before) and _slug_list(after):
        a, b = _keyed(before), _keyed(after)
        found = [
            p
            for s in [*a, *(s for s in b if s not in a)]
            for p in changed_paths(a.get(s, MISSING), b.get(s, MISSING), (*path, s))
        ]
        common = set(a) & set(b)
        if [s for s in a if s in common] != [s for s in b if s in common]:
            found.append((*path, "#order"))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            p for i in range(len(after)) for p in changed_paths(before[i], after[i], (*path, i))
        ]
    return [path]


def value_at(data: Any, path: Path) -> Any:
    for key in path:
        if key == "#order":
            return [_key(item) for item in data] if isinstance(data, list) else MISSING
        data = _at(data, key)
    return data
