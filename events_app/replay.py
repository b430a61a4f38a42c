"""Answer repeated feed requests before Flask runs, with what Flask answered the first time.

Calendar apps poll the same feed URLs around the clock, mostly with If-None-Match. A view offers
its response for replay (``offer``) with the ``feed_state`` generation it was built under, its
ETag and the instant it stops being valid (a feed's window moves at midnight UTC). This WSGI
middleware (inside ProxyFix, so it sees the client's scheme and host) then keeps the status and
headers Flask sent for that URL, and answers the same URL again by itself:

- ``304`` with the headers of Flask's own ``304`` when If-None-Match holds the ETag;
- ``200`` with the body from the feed body cache (feed_cache) otherwise, when it holds it;

while the generation, read with one primary-key query per request (so every worker and every
server sees an edit at once), is unchanged and the instant has not passed. Everything else goes
to Flask: other methods, requests with cookies, credentials, ranges or other preconditions, and
URLs no view offered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, request
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_etags

from . import clock
from .feeds import body_cache as feed_cache
from .lru import LRU

OFFER = "events_app.replay_offer"
GENERATION_SQL = "SELECT generation FROM feed_state WHERE id = 1"
# Request headers that need Flask's full handling (sessions, auth, partial or guarded GETs).
PASS_THROUGH = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_RANGE", "HTTP_IF_RANGE")
PASS_THROUGH += ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Offer:
    generation: int
    etag: str
    expires: datetime


@dataclass
class Entry:
    offer: Offer
    ok_headers: Headers | None = None  # the 200's headers, without Content-Length
    not_modified: Headers | None = None  # the 304's headers


def offer(generation: int | None, etag: str, expires: datetime) -> None:
    """Let the middleware repeat this request's response (a 200 or 304) until something changes."""
    if generation is not None:
        request.environ[OFFER] = Offer(generation, etag, expires)


def request_key(environ: dict[str, Any]) -> tuple | None:
    """What identifies a replayable request (its full URL), or None when Flask must answer it."""
    if environ.get("REQUEST_METHOD") != "GET" or any(h in environ for h in PASS_THROUGH):
        return None
    return (
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
    )


class Replay:
    """The middleware: ``app.wsgi_app = Replay(app.wsgi_app, app)``."""

    def __init__(self, wsgi_app: Callable, app: Flask, max_entries: int = 1024) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.entries: LRU[tuple, Entry] = LRU(max_entries)
        self._engine: Engine | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        key = request_key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        entry = self.entries.get(key)
        if entry is not None:
            answer = self.answer(entry, key, environ)
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return body
        seen: dict[str, Any] = {}

        def capture(status: str, headers: Headers, exc_info: Any = None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        offered = environ.get(OFFER)
        if offered is not None and "status" in seen:
            self.keep(key, offered, seen["status"], seen["headers"])
        return body

    def answer(self, entry: Entry, key: tuple, environ: dict[str, Any]):
        """(status, headers, body) repeating Flask's answer, or None to ask Flask."""
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and parse_etags(if_none_match).contains_weak(entry.offer.etag):
            if entry.not_modified is None:
                return None
            reply = "304 NOT MODIFIED", list(entry.not_modified), []
        elif environ.get("HTTP_IF_MODIFIED_SINCE") and not if_none_match:
            return None
        else:
            body = feed_cache.body_cache(self.app).get(entry.offer.etag)
            if entry.ok_headers is None or body is None:
                return None
            reply = "200 OK", [*entry.ok_headers, ("Content-Length", str(len(body)))], [body]
        if not self.still_valid(entry.offer):
            self.entries.discard(key, entry)
            return None
        return reply

    def still_valid(self, offered: Offer) -> bool:
        return clock.now(self.app) < offered.expires and self.generation() == offered.generation

    def generation(self) -> int | None:
        """The feed_state generation, read now (a pooled DBAPI connection, no ORM session)."""
        if self._engine is None:
            with self.app.app_context():
                from .extensions import db

                self._engine = db.engine
        try:
            connection = self._engine.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute(GENERATION_SQL)
                row = cursor.fetchone()
                cursor.close()
            finally:
                connection.close()
        except (SQLAlchemyError, self._engine.dialect.loaded_dbapi.Error):
            return None  # Flask answers, with its own error handling
        return row[0] if row else None

    def keep(self, key: tuple, offered: Offer, status: str, headers: Headers) -> None:
        code = status[:3]
        names = {k.lower() for k, _ in headers}
        if code not in ("200", "304") or "set-cookie" in names or "vary" in names:
            return
        entry = self.entries.get(key)
        if entry is None or entry.offer != offered:
            entry = Entry(offered)
            self.entries.put(key, entry)
        if code == "200":
            entry.ok_headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        else:
            entry.not_modified = list(headers)


def init_app(app: Flask) -> None:
    """Install the middleware; call before ProxyFix wraps the app (ops.init_app)."""
    app.wsgi_app = Replay(app.wsgi_app, app)  # type: ignore[method-assign]
