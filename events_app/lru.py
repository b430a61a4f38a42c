"""The per-worker cache shape the app uses: cachetools' LRU behind a lock (requests may come
from several threads: Flask's development server, the feeds' background builds)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most ``maxsize`` in total ``getsizeof`` (default: 1 per item, a count); an item
    heavier than the whole cache is not kept."""

    def __init__(self, maxsize: int, getsizeof: Callable[[V], int] | None = None) -> None:
        self.cache: LRUCache = LRUCache(maxsize, getsizeof=getsizeof)
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.cache)

    def get(self, key: K) -> V | None:
        with self.lock:
            return self.cache.get(key)

    def put(self, key: K, value: V) -> None:
        with self.lock:
            try:
                self.cache[key] = value
            except ValueError:  # too large for the whole cache
                self.cache.pop(key, None)

    def discard(self, key: K, value: V) -> None:
        """Drop ``key`` if it still holds ``value`` (another thread may have replaced it)."""
        with self.lock:
            if self.cache.get(key) is value:
                del self.cache[key]
