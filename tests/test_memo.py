"""The per-worker memo that keeps parsed documents and check reports."""

from __future__ import annotations

from decisionguide.checking.memo import Memo


def test_the_least_recently_used_entry_makes_room() -> None:
    memo: Memo[str] = Memo(size=2)
    memo.put("a", "first")
    memo.put("b", "second")
    assert memo.get("a") == "first"  # "a" is now the most recent
    memo.put("c", "third")
    assert memo.get("b") is None
    assert (memo.get("a"), memo.get("c")) == ("first", "third")


def test_get_or_make_computes_once_per_key() -> None:
    memo: Memo[list[int]] = Memo(size=4)
    calls: list[str] = []

    def make() -> list[int]:
        calls.append("made")
        return [1]

    first = memo.get_or_make("k", make)
    assert memo.get_or_make("k", make) is first
    assert calls == ["made"]
