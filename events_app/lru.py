"""The one per-process cache shape the app uses: a thread-safe least-recently-used map."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _one(_: object) -> int:
    return 1


class LRU(Generic[K, V]):
    """Bounded by the total ``weight`` of its values: 1 each by default (a count), or e.g. the
    bytes of a body. A value heavier than the whole limit is not kept."""

    def __init__(self, limit: int, weight: Callable[[V], int] = _one) -> None:
        self.limit = limit
        self.weight = weight
        self.items: OrderedDict[K, V] = OrderedDict()
        self.total = 0
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, key: K) -> bool:
        return key in self.items

    def get(self, key: K) -> V | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        if self.weight(value) > self.limit:
            return
        with self.lock:
            old = self.items.pop(key, None)
            self.total -= self.weight(old) if old is not None else 0
            self.items[key] = value
            self.total += self.weight(value)
            while self.total > self.limit:
                _, dropped = self.items.popitem(last=False)
                self.total -= self.weight(dropped)

    def discard(self, key: K, value: V) -> None:
        """Drop ``key`` if it still holds ``value`` (another thread may have replaced it)."""
        with self.lock:
            if self.items.get(key) is value:
                del self.items[key]
                self.total -= self.weight(value)
