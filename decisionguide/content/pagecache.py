"""Rendered HTML of pages that depend only on an immutable guide version.

A guide version never changes, so a page rendered from it is the same for
every visitor until the version moves on; each worker keeps small LRUs of
them. Keys always name the version (`Guide.document_cache_key`, a result's
ETag) or hold the document itself (`owner`), so a version bump or an
editor's publish makes old entries unreachable at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

# Memo sizes per worker. A question page is about 10 KB of HTML and a
# permalink about 25 KB, so the three together stay under 30 MB per worker.
GUIDE_PAGES = 64
QUESTIONNAIRE_PAGES = 1024
PERMALINK_PAGES = 512


# Stands in for the CSRF token in memoised HTML; `Snapshot.replay` puts a fresh one in.
CSRF_PLACEHOLDER = "csrf-token-placeholder-not-a-token"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
# What a snapshot keeps of a response's headers besides its body.
REPLAYED_HEADERS = ("Content-Type", "Location", "HX-Push-Url")


class HtmlMemo:
    """A small thread-safe LRU (HTML, or snapshots of responses)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, tuple[object, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, *, owner: object = None) -> Any:
        """What is memoised under `key`, or None.

        `owner`, when given, is the object the value was made from: a hit
        counts only if it is that very object. Keys may then use `id(owner)`,
        as the entry keeps the owner alive, so its id can't be reused.
        """
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] is not owner:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: Hashable, value: Any, *, owner: object = None) -> None:
        with self._lock:
            self._items[key] = (owner, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_or_render(
        self, key: Hashable, render: Callable[[], bytes], *, owner: object = None
    ) -> bytes:
        """The HTML memoised under `key`, rendering (and keeping) it on a miss."""
        html = self.get(key, owner=owner)
        if html is None:
            html = render()
            self.put(key, html, owner=owner)
        return html

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass(frozen=True)
class Snapshot:
    """A response that depends only on its URL and guide version, ready to replay.

    `content` holds CSRF_PLACEHOLDER where a form's CSRF token goes, so the
    one part that differs per visitor is filled in on every replay.
    """

    status: int
    content: bytes  # encoded once, not on every replay
    headers: tuple[tuple[str, str], ...] = ()

    def replay(self, request: HttpRequest) -> HttpResponse:
        content = self.content
        if _PLACEHOLDER_BYTES in content:
            content = content.replace(_PLACEHOLDER_BYTES, get_token(request).encode())
        response = HttpResponse(content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def snapshot_of(response: HttpResponse) -> Snapshot | None:
    """The snapshot of a response made by `Snapshot.replay` or a redirect; None otherwise."""
    content = getattr(response, "snapshot_content", None)
    if content is None and not response.has_header("Location"):
        return None  # a body we can't replay without the real CSRF token
    headers = tuple(
        (name, response[name]) for name in REPLAYED_HEADERS if response.has_header(name)
    )
    return Snapshot(response.status_code, content or b"", headers)


pages = HtmlMemo(GUIDE_PAGES)
questionnaire_pages = HtmlMemo(QUESTIONNAIRE_PAGES)
permalink_pages = HtmlMemo(PERMALINK_PAGES)


def clear_all() -> None:
    for memo in (pages, questionnaire_pages, permalink_pages):
        memo.clear()
