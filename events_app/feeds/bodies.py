"""Whole feed bodies, per worker: built in the background against a deadline, so that no feed
is ever sent unfinished, and kept for the next build.

A feed of at most FEED_CACHE_MAX_EVENTS events is built whole in memory, copying unchanged
blocks from its previous build in this worker (kept within FEED_CACHE_BYTES; 0 keeps none). A
larger feed is written once per ETag to a file under instance/feed-bodies/, shared by every
worker of the host and sent with sendfile; older files of the same feed are removed. Either way
the build runs on a background thread: the request waits up to FEED_BUILD_WAIT seconds and,
when the build needs longer (say, 100,000 blocks to render after an import), answers 503 with
Retry-After while the build goes on; the next request finds it done.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from ..extensions import db
from ..lru import LRU
from ..metrics import FEED_BUILDS
from . import ical
from .source import Built, Feed, Fingerprint, build_body, stream_body

FILE_KEEP_SECONDS = 24 * 3600


class FeedBodies:
    """One per app (``feed_bodies()``): fingerprints, previous builds, body files, builds."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.fingerprints: LRU[tuple, Fingerprint] = LRU(1024)
        self.previous: LRU[tuple, Built] = LRU(
            max(int(app.config["FEED_CACHE_BYTES"]), 1), lambda built: len(built.body)
        )
        self.infos: LRU[tuple, Any] = LRU(256)  # feeds' FeedInfo and Site, by host and settings
        self.sizes: LRU[tuple, int] = LRU(1024)  # bodies built in memory: their lengths (HEAD)
        self.folder = Path(app.instance_path) / "feed-bodies"
        self.lock = threading.Lock()
        self.running: dict[tuple, Future] = {}
        self.executor: ThreadPoolExecutor | None = None  # made on first use: after a fork

    def body(
        self,
        feed: Feed,
        site: ical.Site,
        fp: Fingerprint,
        now: datetime,
        past_days: int,
        zone: ZoneInfo,
    ) -> bytes | Path | None:
        """The feed's body (bytes, or the path of its file); None while it is still being built."""
        identity = (feed.key, feed.info, site)
        if (path := self._file(identity, fp)) is not None:
            if path.exists():
                return path
            return self._run((identity, fp.etag), lambda: self._write(path, feed, site, fp, now,
                                                                     past_days, zone))  # fmt: skip
        body = self._run(
            (identity, fp.etag), lambda: self._build(identity, feed, site, fp, now, past_days, zone)
        )
        if body is not None:
            self.sizes.put((identity, fp.etag), len(body))
        return body

    def size(self, feed: Feed, site: ical.Site, fp: Fingerprint) -> int | None:
        """The length of the feed's body for ``fp`` when it is known without building it (its
        file is written, or this worker built it), else None: a HEAD's Content-Length."""
        identity = (feed.key, feed.info, site)
        if (path := self._file(identity, fp)) is not None:
            try:
                return path.stat().st_size
            except OSError:
                return None  # not written yet, or replaced by a newer one meanwhile
        return self.sizes.get((identity, fp.etag))

    def _file(self, identity: tuple, fp: Fingerprint) -> Path | None:
        """Where a feed too large to build in memory is written (None: it is built in memory)."""
        if fp.count <= self.app.config["FEED_CACHE_MAX_EVENTS"]:
            return None
        name = hashlib.sha256(repr(identity).encode()).hexdigest()[:16]
        return self.folder / f"{name}-{fp.etag}.ics"

    def _build(self, identity, feed, site, fp, now, past_days, zone) -> bytes:
        keep = self.app.config["FEED_CACHE_BYTES"] > 0
        started = time.perf_counter()
        with db.sessionmaker() as session:
            previous = self.previous.get(identity) if keep else None
            built = build_body(session, feed, site, fp, now, past_days, zone, previous)
        FEED_BUILDS.labels("memory").observe(time.perf_counter() - started)
        if keep:
            self.previous.put(identity, built)
        return built.body

    def _write(self, path: Path, feed, site, fp, now, past_days, zone) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            started = time.perf_counter()
            with db.sessionmaker() as session, temporary.open("wb") as out:
                for chunk in stream_body(session, feed, site, fp, now, past_days, zone):
                    out.write(chunk)
            os.replace(temporary, path)
            FEED_BUILDS.labels("file").observe(time.perf_counter() - started)
        finally:
            temporary.unlink(missing_ok=True)
        self._remove_old(path)
        return path

    def _remove_old(self, kept: Path) -> None:
        """Earlier versions of this feed, and anything not written for a day (open copies
        being sent stay readable until they are closed)."""
        prefix = kept.name.split("-", 1)[0] + "-"
        cutoff = time.time() - FILE_KEEP_SECONDS
        for path in self.folder.iterdir():
            try:
                if path != kept and (path.name.startswith(prefix) or path.stat().st_mtime < cutoff):
                    path.unlink()
            except OSError:
                pass  # removed by another worker meanwhile

    def _run(self, key: tuple, job: Callable[[], Any]) -> Any:
        with self.lock:
            future = self.running.get(key)
            started = future is None
            if started:
                if self.executor is None:
                    self.executor = ThreadPoolExecutor(2, thread_name_prefix="feed-build")
                future = self.running[key] = self.executor.submit(self._in_app, job)
        if started:  # outside the lock: a finished future calls back at once, in this thread
            future.add_done_callback(lambda done: self._forget(key, done))
        try:
            return future.result(timeout=float(self.app.config["FEED_BUILD_WAIT"]))
        except TimeoutError:
            return None

    def _in_app(self, job: Callable[[], Any]) -> Any:
        with self.app.app_context():
            return job()

    def _forget(self, key: tuple, done: Future) -> None:
        with self.lock:
            if self.running.get(key) is done:
                del self.running[key]

    def wait(self) -> None:
        """Wait for every build under way (tests, and before a worker exits)."""
        with self.lock:
            pending = list(self.running.values())
        for future in pending:
            future.exception()


def feed_bodies(app: Flask | None = None) -> FeedBodies:
    """This app's feed bodies (made when the feeds blueprint is registered)."""
    return (app or current_app).extensions["feed_bodies"]
