"""Rendered public pages kept in each worker's memory, so an unchanged page costs one query.

Anonymous GETs of the public HTML pages (PAGE_ENDPOINTS) are stored whole (status, headers,
body) in a per-app LRU bounded by PAGE_CACHE_BYTES (0 turns it off), keyed by
- the ``feed_state`` generation, which rises on every ORM save of content (revisions.py), read
  with the feeds' single primary-key query (feed_source.feed_state);
- the full URL (scheme, host, path and query string: pages link to feeds by host);
- the minute of ``clock.now()``: pages split upcoming from past by now, so a page may show an
  event as upcoming for at most 60 seconds after it started.
Never used for a logged-in user (or a remember cookie), a session holding flashes, any method
but GET, a non-200 response, or a response that set or changed the session (no Set-Cookie is
ever stored). Core UPDATE/DELETE statements bypass the generation, as they bypass the feeds'.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import Flask, Response, current_app, g, request, session

from . import clock
from .extensions import db
from .feeds.source import feed_state
from .lru import LRU

PAGE_ENDPOINTS = frozenset(
    {
        "public.home",
        "public.event_list",
        "public.category_page",
        "public.event_detail",
        "calendar.month_current",
        "calendar.month",
        "webinars.index",
        "webinars.archive",
    }
)


class Page(NamedTuple):
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def page_cache(app: Flask | None = None) -> LRU[tuple, Page]:
    """This app's pages, bounded by the bytes of their bodies."""
    app = app or current_app
    cache = app.extensions.get("page_cache")
    if cache is None:
        limit = int(app.config["PAGE_CACHE_BYTES"])
        cache = app.extensions["page_cache"] = LRU(limit, lambda page: len(page.body))
    return cache


def _anonymous() -> bool:
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return (
        "_user_id" not in session and "_flashes" not in session and remember not in request.cookies
    )


def serve_cached() -> Response | None:
    """before_request: answer from the cache, or note the key to store the response under."""
    if (
        request.method != "GET"
        or request.endpoint not in PAGE_ENDPOINTS
        or current_app.config["PAGE_CACHE_BYTES"] <= 0
        or not _anonymous()
    ):
        return None
    state = feed_state(db.session)
    if state is None:
        return None
    minute = clock.now().replace(second=0, microsecond=0)
    key = (db.session.get_bind(), state.generation, request.url, minute)
    page = page_cache().get(key)
    if page is not None:
        return Response(page.body, status=page.status, headers=page.headers)
    g.page_cache_key = key
    return None


def store(response: Response) -> Response:
    """after_request: keep a fresh, anonymous, cookie-free 200 page under its key."""
    key = g.pop("page_cache_key", None)
    if (
        key is None
        or response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or "Set-Cookie" in response.headers
        or session.modified
        or not _anonymous()
    ):
        return response
    page = Page(response.status_code, list(response.headers.items()), response.get_data())
    page_cache().put(key, page)
    return response


def init_app(app: Flask) -> None:
    """Register after the request limits, so a hit is refused the same 4xx as a miss; the other
    after_request hooks (security headers, session) run again on every hit."""
    app.config.setdefault("PAGE_CACHE_BYTES", 32 * 1024 * 1024)
    app.before_request(serve_cached)
    app.after_request(store)
