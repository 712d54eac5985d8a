"""A small thread-safe LRU for values that a key names for good (a frozen version, a hash)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Memo(Generic[Value]):
    """Keeps the `size` most recently used values. Keys must name one value for good:
    nothing is ever invalidated, the oldest entry simply makes room."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Value | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: Value) -> Value:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def get_or_make(self, key: str, make: Callable[[], Value]) -> Value:
        # `make` runs outside the lock: two threads may both compute a value, never block.
        found = self.get(key)
        return found if found is not None else self.put(key, make())
