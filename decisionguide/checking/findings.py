"""One contradiction found on one result page, in words (shared by the page checks)."""

from __future__ import annotations

from dataclasses import dataclass

from decisionguide.decision.words import Words


def excerpt(text: str, limit: int = 60) -> str:
    """The first line of a text, cut at `limit` characters."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


@dataclass(frozen=True)
class Finding:
    """A contradiction of one kind (`page_claims.KINDS`) on one page."""

    kind: str
    # The sentences (or flips) it is about: one example is kept per different key.
    key: tuple[str, ...]
    text: Words  # put into the reader's language when shown
