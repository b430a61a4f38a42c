"""Whole feed bodies kept in each worker's memory, by ETag, so an unchanged feed costs no query.

A feed's ETag (feed_source.fingerprint) changes whenever its bytes may, so a body stored under
its ETag is served as is until then, like a static file. A feed with at most
FEED_CACHE_MAX_EVENTS events is built whole (feed_source.build_body) and kept with the index of
its blocks, so that its next build after an edit copies the unchanged blocks from it; a larger
feed streams every time, so a worker never holds it whole. FEED_CACHE_BYTES bounds each
worker's cache (least recently used bodies go first); 0 turns the cache off. One cache per app.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

from flask import Flask, current_app

from ..lru import LRU
from .source import Built


class BodyCache:
    def __init__(self, max_bytes: int) -> None:
        self.bodies: LRU[str, bytes] = LRU(max_bytes, len)
        self.lock = threading.Lock()
        self.latest: dict[Hashable, tuple[str, dict]] = {}  # feed -> (ETag, block index)

    def get(self, etag: str) -> bytes | None:
        return self.bodies.get(etag)

    def put_built(self, feed: Hashable, etag: str, built: Built) -> None:
        """Keep a feed's body, and remember it as that feed's latest build."""
        self.bodies.put(etag, built.body)
        with self.lock:
            if etag in self.bodies:
                self.latest[feed] = (etag, built.blocks)
            for other, (kept, _) in list(self.latest.items()):
                if kept not in self.bodies:  # pushed out of the cache
                    del self.latest[other]

    def previous(self, feed: Hashable) -> Built | None:
        """The feed's latest build still held, to copy unchanged blocks from."""
        with self.lock:
            etag, blocks = self.latest.get(feed, (None, None))
            body = self.bodies.get(etag) if etag is not None else None
        return Built(body, blocks) if body is not None and blocks is not None else None


def body_cache(app: Flask | None = None) -> BodyCache:
    app = app or current_app
    cache = app.extensions.get("feed_body_cache")
    if cache is None:
        cache = app.extensions["feed_body_cache"] = BodyCache(int(app.config["FEED_CACHE_BYTES"]))
    return cache


def cacheable(count: int) -> bool:
    """Whether a feed of `count` events may be collected (small enough to hold whole)."""
    config = current_app.config
    return config["FEED_CACHE_BYTES"] > 0 and count <= config["FEED_CACHE_MAX_EVENTS"]
