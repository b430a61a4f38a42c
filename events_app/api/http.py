"""JSON answers for other sites: problem bodies (RFC 9457), CORS for GET, and HTTP caching
that the response cache can repeat."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from flask import Response, request

from .. import addresses, changes, clock, response_cache

JSON = "application/json"
PROBLEM = "application/problem+json"
EXPOSED = "ETag, Link"  # what a page of JavaScript elsewhere may read of our headers


def allow_cors(response: Response) -> Response:
    """Any site may read it (GET; no credentials: nothing here depends on who asks)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def answers_in_json(path: str) -> bool:
    """Whether errors at this path are problem bodies: the API and the widgets' data (also
    mistyped: "/embed/list.json/", "/embed/list.JSON", "/embed/list.json%00")."""
    data = path.startswith("/embed/") and ".json" in path.lower()
    return path.startswith("/api/") or data


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def problem_cache_control(status: int) -> str:
    """A problem's Cache-Control (also said in the OpenAPI document): a 404 or 410 is kept a
    minute as a page's is, shared (the answer is the same for everyone); other problems are
    not kept."""
    return addresses.absent_cache_value(shared=True) if status in (404, 410) else "no-store"


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    """An RFC 9457 problem body; `extra` adds members (e.g. ``parameter``), kept as
    problem_cache_control says."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = request.path
    body.update(extra)
    response = Response(dumps(body), status=status, content_type=PROBLEM)
    response.headers["Cache-Control"] = problem_cache_control(status)
    return allow_cors(response)


def cacheable(
    body: bytes,
    state: changes.State | None,
    content_type: str = JSON,
    max_age: int = 60,
    next_url: str | None = None,
) -> Response:
    """A 200 (or 304 for the client's copy) with a strong ETag of its bytes, public for
    `max_age` seconds, and offered to the response cache until the token read *before* the
    content (`state`) changes, or the next minute (upcoming lists move with the clock).
    ``next_url``: the next page, also as a ``Link`` header (RFC 8288), which HTTP clients
    follow by themselves."""
    response = Response(body, content_type=content_type)
    if next_url:
        # "," and ";" left as they are end the link for common parsers (requests' included).
        target = next_url.replace(",", "%2C").replace(";", "%3B")
        response.headers["Link"] = f'<{target}>; rel="next"'
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.make_conditional(request)
    now = clock.now()
    response_cache.offer(state, now.replace(second=0) + timedelta(minutes=1))
    return allow_cors(response)
