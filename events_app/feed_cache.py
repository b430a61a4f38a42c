"""Whole feed bodies kept in each worker's memory, by ETag, so an unchanged feed costs no query.

A feed's ETag (feed_source.fingerprint) changes whenever its bytes may, so a body stored under
its ETag is served as is until then, like a static file. Bodies are collected while they stream
out the first time; a feed with more than FEED_CACHE_MAX_EVENTS events is never collected (it
streams every time, so a worker never holds it whole). FEED_CACHE_BYTES bounds each worker's
cache (least recently used bodies go first); 0 turns the cache off. One cache per app.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator

from flask import Flask, current_app


class BodyCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bodies: OrderedDict[str, bytes] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, etag: str) -> bytes | None:
        with self.lock:
            body = self.bodies.get(etag)
            if body is not None:
                self.bodies.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self.lock:
            old = self.bodies.pop(etag, None)
            self.size -= len(old) if old is not None else 0
            self.bodies[etag] = body
            self.size += len(body)
            while self.size > self.max_bytes:
                _, dropped = self.bodies.popitem(last=False)
                self.size -= len(dropped)

    def collect(self, etag: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """Yield `chunks`, then keep their concatenation if the stream ran to its end."""
        parts = []
        for chunk in chunks:
            parts.append(chunk)
            yield chunk
        self.put(etag, b"".join(parts))


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
