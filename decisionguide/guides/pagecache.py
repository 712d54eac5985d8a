"""Rendered HTML of pages that depend only on an immutable guide version.

A guide version never changes, so its rendered page is the same for every
visitor until the version moves on; each worker keeps a small LRU of them.
Keys always include `Guide.document_cache_key`, so a version bump (or an
editor's publish) makes the old entries unreachable at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable


class HtmlMemo:
    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: str, render: Callable[[], str]) -> str:
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
                return html
        html = render()
        with self._lock:
            self._items[key] = html
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


pages = HtmlMemo()
