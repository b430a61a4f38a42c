"""The one response cache: whole answers to anonymous GETs of pages and feeds, per worker.

A view offers its response (``offer``) with the change token it read before reading its content
(changes.read_state) and the instant it stops being valid (pages: the next minute, since they
split upcoming from past by the clock; feeds: the next edge of their window). This WSGI layer,
inside ProxyFix so it sees the client's scheme and host, keeps the status line's headers, the
ETag and Last-Modified and, within RESPONSE_CACHE_BYTES, the body, keyed by the full URL. It
answers the same URL again by itself, after one primary-key read of the token:

- ``304`` when the request's If-None-Match / If-Modified-Since say the client has it;
- ``200`` with the kept body otherwise (when it kept one; a large feed is sent from its file);

while the token is unchanged and the instant has not passed. Everything else goes to Flask:
other methods, requests that are not anonymous (``is_anonymous``), ranges and other
preconditions, and URLs no view offered. Pages get an ETag from their bytes here too.

While the database does not answer (outage.is_unavailable: the token cannot be read, or Flask
answered 503 for that reason), a URL's last good answer, if kept and at most
RESPONSE_CACHE_STALE_IF_ERROR seconds old, is sent instead, as a CDN's stale-if-error would:
the same 200 (or 304) with its own headers, plus ``Cache-Status: events-app; hit; fwd=stale``
(RFC 9211). Only a URL without one gets the outage's 503.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import is_resource_modified, parse_date, remove_entity_headers
from werkzeug.wsgi import FileWrapper

from . import changes, clock, outage
from .lru import LRU
from .observability import CACHE, FAILURE, ROUTE

OFFER = "events_app.response_cache.offer"
# Request headers that need Flask's full handling (partial or guarded requests, credentials).
PASS_THROUGH = ("HTTP_AUTHORIZATION", "HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_IF_MATCH")
PASS_THROUGH += ("HTTP_IF_UNMODIFIED_SINCE",)
PAGE_ENDPOINTS = frozenset(
    {
        "public.home",
        "public.event_list",
        "public.category_page",
        "public.event_detail",
        "public.event_occurrence",
        "venues.venue_page",
        "calendar.month_current",
        "calendar.month",
        "webinars.index",
        "webinars.archive",
    }
)
Headers = list[tuple[str, str]]


STALE_STATUS = ("Cache-Status", "events-app; hit; fwd=stale; detail=database-unavailable")


@dataclass(frozen=True)
class Offer:
    token: str
    valid_until: datetime
    endpoint: str | None = None  # for the request log and metrics of a repeat
    # Pages: Cache-Control's max-age is the time left until valid_until, counted again each
    # time the answer is repeated (so a browser or CDN never keeps it past that instant).
    max_age_to_valid_until: bool = False


@dataclass
class Entry:
    offer: Offer
    etag: str | None = None
    last_modified: datetime | None = None
    ok_headers: Headers | None = None  # the 200's headers, without Content-Length
    not_modified: Headers | None = None  # the 304's headers
    body: bytes | None = None
    size: int = field(default=256)  # what it weighs in the cache
    stored_at: datetime | None = None  # when Flask gave this answer (its age, when stale)


def is_anonymous(environ: dict[str, Any], app: Flask) -> bool:
    """The one rule for "anonymous": no credentials and neither the session nor the remember
    cookie (other cookies, such as a host site's analytics, do not matter)."""
    if "HTTP_AUTHORIZATION" in environ:
        return False
    cookies = environ.get("HTTP_COOKIE")
    if not cookies:
        return True
    names = {part.split("=", 1)[0].strip() for part in cookies.split(";")}
    session_cookie = app.config.get("SESSION_COOKIE_NAME") or "session"
    remember_cookie = app.config.get("REMEMBER_COOKIE_NAME") or "remember_token"
    return session_cookie not in names and remember_cookie not in names


def offer(
    state: changes.State | None, valid_until: datetime, *, max_age_to_valid_until: bool = False
) -> None:
    """Let the cache repeat this request's response (a 200 or 304) until something changes."""
    if state is not None:
        request.environ[OFFER] = Offer(
            state.token, valid_until, request.endpoint, max_age_to_valid_until
        )


def max_age_until(valid_until: datetime, now: datetime) -> int:
    """Whole seconds from ``now`` to ``valid_until`` (0 once it has passed)."""
    return max(0, int((valid_until - now).total_seconds()))


def public_cache_control(max_age: int) -> str:
    return f"public, max-age={max_age}"


def _dated_by_the_server(start_response: Callable) -> Callable:
    """start_response without a Date header: the server writes each answer's (gunicorn drops
    ours; Werkzeug's would send two, and a repeated answer would carry the first one's)."""

    def start(status: str, headers: Headers, exc_info: Any = None):
        return start_response(status, [(k, v) for k, v in headers if k.lower() != "date"], exc_info)

    return start


def _key(environ: dict[str, Any]) -> tuple:
    return (
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
    )


class ResponseCache:
    """The WSGI layer: ``app.wsgi_app = ResponseCache(app.wsgi_app, app)``."""

    def __init__(self, wsgi_app: Callable, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.entries: LRU[tuple, Entry] = LRU(
            max(int(app.config["RESPONSE_CACHE_BYTES"]), 1), lambda entry: entry.size
        )
        self._engine = None

    def cacheable(self, environ: dict[str, Any]) -> bool:
        return (
            environ.get("REQUEST_METHOD") == "GET"
            and self.app.config["RESPONSE_CACHE_BYTES"] > 0
            and not any(h in environ for h in PASS_THROUGH)
            and is_anonymous(environ, self.app)
        )

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        start_response = _dated_by_the_server(start_response)
        if not self.cacheable(environ):
            return self.wsgi_app(environ, start_response)
        key = _key(environ)
        entry = self.entries.get(key)
        expired = False
        if entry is not None:
            environ[ROUTE] = entry.offer.endpoint
            reply = self.replay(entry, environ)
            if reply is not None:
                fresh = self.still_valid(entry.offer, environ)
                if fresh is None:
                    stale = self.send_stale(entry, environ, start_response)
                    return self.wsgi_app(environ, start_response) if stale is None else stale
                if fresh:
                    environ[CACHE] = "hit"
                    status, headers, body = reply
                    start_response(status, headers)
                    return body
                expired = True
        seen: dict[str, Any] = {}

        def capture(status: str, headers: Headers, exc_info: Any = None):
            seen["status"], seen["headers"] = status, headers
            if entry is not None and environ.get(FAILURE):
                seen["held"] = exc_info  # a stale answer may replace Flask's 503
                return _no_write
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        if "held" in seen:
            stale = self.send_stale(entry, environ, start_response)
            if stale is not None:
                if hasattr(body, "close"):
                    body.close()
                return stale
            start_response(seen["status"], seen["headers"], seen["held"])
            return body
        if expired:  # Flask answered: the old one is no good even during an outage
            self.entries.discard(key, entry)
        offered = environ.get(OFFER)
        if entry is not None or offered is not None:
            environ[CACHE] = "miss"
        if offered is None or "status" not in seen:
            return body
        return self.keep(key, offered, seen["status"], seen["headers"], body, environ)

    def replay(self, entry: Entry, environ: dict[str, Any]):
        """(status, headers, body) repeating Flask's answer, or None to ask Flask."""
        since_only = environ.get("HTTP_IF_MODIFIED_SINCE") and not environ.get("HTTP_IF_NONE_MATCH")
        if since_only and entry.last_modified is None:
            return None  # Flask decides (a page has no Last-Modified: a 200)
        modified = is_resource_modified(environ, entry.etag, last_modified=entry.last_modified)
        if not modified:
            if entry.not_modified is None:
                return None
            reply = "304 NOT MODIFIED", list(entry.not_modified), []
        else:
            if entry.ok_headers is None or entry.body is None:
                return None
            headers = [*entry.ok_headers, ("Content-Length", str(len(entry.body)))]
            reply = "200 OK", headers, [entry.body]
        if entry.offer.max_age_to_valid_until:
            max_age = max_age_until(entry.offer.valid_until, clock.now(self.app))
            status, headers, body = reply
            headers = [(k, v) for k, v in headers if k.lower() != "cache-control"]
            reply = status, [*headers, ("Cache-Control", public_cache_control(max_age))], body
        return reply

    def still_valid(self, offered: Offer, environ: dict[str, Any]) -> bool | None:
        """Whether the offer still holds; None when the database did not answer."""
        if clock.now(self.app) >= offered.valid_until:
            return False
        engine = self.engine()
        try:
            state = changes.read_state(engine)
        except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error) as error:
            if outage.is_unavailable(error, self.app):
                outage.record(error, environ)
                return None
            return False  # Flask answers, with its own error handling
        return state is not None and state.token == offered.token

    def send_stale(
        self, entry: Entry, environ: dict[str, Any], start_response: Callable
    ) -> Iterable[bytes] | None:
        """Send the last good answer while the database does not answer (None: none to send)."""
        limit = timedelta(seconds=self.app.config["RESPONSE_CACHE_STALE_IF_ERROR"])
        if entry.stored_at is None or clock.now(self.app) - entry.stored_at > limit:
            return None
        reply = self.replay(entry, environ)
        if reply is None and entry.ok_headers is not None and entry.body is not None:
            # A conditional request Flask would have decided: the whole answer is right too.
            length = ("Content-Length", str(len(entry.body)))
            reply = "200 OK", [*entry.ok_headers, length], [entry.body]
        if reply is None:
            return None
        environ[CACHE] = "stale"
        status, headers, body = reply
        start_response(status, [*headers, STALE_STATUS])
        return body

    def engine(self):
        if self._engine is None:
            with self.app.app_context():
                from .extensions import db

                self._engine = db.engine
        return self._engine

    def keep(
        self,
        key: tuple,
        offered: Offer,
        status: str,
        headers: Headers,
        body: Iterable[bytes],
        environ: dict[str, Any],
    ) -> Iterable[bytes]:
        """Remember this answer under its URL; returns the body to send on."""
        code = status[:3]
        names = {k.lower() for k, _ in headers}
        vary = {v.strip().lower() for k, v in headers if k.lower() == "vary" for v in v.split(",")}
        if code not in ("200", "304") or "set-cookie" in names or vary - {"cookie"}:
            return body
        entry = self.entries.get(key)
        if entry is None or entry.offer != offered:
            entry = Entry(offered, stored_at=clock.now(self.app))
        values = {k.lower(): v for k, v in headers}
        entry.etag = _unquote(values.get("etag")) or entry.etag
        if code == "304":
            entry.not_modified = list(headers)
            self.entries.put(key, entry)
            return body
        entry.last_modified = parse_date(values.get("last-modified")) or entry.last_modified
        entry.ok_headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        if entry.not_modified is None:
            not_modified = list(entry.ok_headers)
            remove_entity_headers(not_modified)
            entry.not_modified = not_modified
        length = values.get("content-length", "")
        limit = self.app.config["RESPONSE_CACHE_BYTES"] // 4
        if length.isdigit() and int(length) <= limit and not _is_file(body, environ):
            try:
                entry.body = b"".join(body)
            finally:
                if hasattr(body, "close"):
                    body.close()
            entry.size = len(entry.body) + 1024
            body = [entry.body]
        self.entries.put(key, entry)
        return body


def _no_write(data: bytes) -> None:
    raise RuntimeError("the response cache holds this response; it cannot be written to")


def _is_file(body: Iterable[bytes], environ: dict[str, Any]) -> bool:
    """A file sent as it is (sendfile): never read into memory here."""
    wrappers = tuple(
        w for w in (environ.get("wsgi.file_wrapper"), FileWrapper) if isinstance(w, type)
    )
    return isinstance(body, wrappers)


def _unquote(etag: str | None) -> str | None:
    if not etag:
        return None
    etag = etag.removeprefix("W/")
    return etag[1:-1] if etag.startswith('"') and etag.endswith('"') else etag


# --- pages ---------------------------------------------------------------------------------------


def _page_request() -> bool:
    return (
        request.method in ("GET", "HEAD")
        and request.endpoint in PAGE_ENDPOINTS
        and is_anonymous(request.environ, current_app)
    )


def read_page_state() -> None:
    """before_request: read the change token before the page reads its content."""
    if _page_request():
        from .extensions import db

        g.page_state = changes.read_state(db.engine)


def finish_page(response: Response) -> Response:
    """after_request: an anonymous page gets an ETag from its bytes (and a 304 when the client
    has them) and ``Cache-Control: public, max-age`` up to the next minute, and is offered to
    this cache until then. (Public, the session is not saved: no ``Vary: Cookie``.) A signed-in
    visitor's copy of a page is private."""
    if not _page_request():
        if request.endpoint in PAGE_ENDPOINTS and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-cache"
        return response
    if response.status_code != 200 or response.is_streamed or "Set-Cookie" in response.headers:
        return response
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    now = clock.now()
    valid_until = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    response.headers["Cache-Control"] = public_cache_control(max_age_until(valid_until, now))
    response.make_conditional(request)
    offer(g.get("page_state"), valid_until, max_age_to_valid_until=True)
    return response


def init_app(app: Flask) -> None:
    """Install the layer (call before ProxyFix wraps the app) and the page hooks."""
    app.config.setdefault("RESPONSE_CACHE_BYTES", 96 * 1024 * 1024)
    layer = app.extensions["response_cache"] = ResponseCache(app.wsgi_app, app)
    app.wsgi_app = layer  # type: ignore[method-assign]
    app.before_request(read_page_state)
    app.after_request(finish_page)
