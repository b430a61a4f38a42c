"""Logs and request ids: one JSON line per request, and the app's own log lines as JSON too.

``RequestLog`` is the outermost WSGI layer, so that it sees every request, including those the
response cache answers before Flask: it gives each request an id (the caller's well-formed
``X-Request-ID``, else a new one), sends it back in ``X-Request-ID``, and when the answer is
ready writes one line (method, path, status, duration, request id, the signed-in staff user's
id, the cache's part, the failure if any) and counts it in the metrics. Inner layers fill in
what only they know through the ``environ`` keys below. Everything logged through the
``events_app`` logger (Flask's ``app.logger``) is a JSON line on stderr; an error carries its
traceback in its one line.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect

# What inner layers tell the request log, in the WSGI environ.
REQUEST_ID = "events_app.request_id"
ROUTE = "events_app.route"  # the endpoint that answered (Flask, or the cache for it)
CACHE = "events_app.cache"  # the response cache's part: hit, stale or miss
FAILURE = "events_app.failure"  # one line saying why the database did not answer
USER_ID = "events_app.user_id"

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept when it looks like one (a proxy's $request_id, a UUID); else a new one.
_GOOD_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
request_log = logging.getLogger("events_app.requests")
_JSON = json.JSONEncoder(default=str, ensure_ascii=False)


class _CurrentStderr:
    """sys.stderr as it is at each write (test runners swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's ``fields``, the
    current request's id, and the traceback of an error (inside the line)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if "request_id" not in line and getattr(record, "request_id", None):
            line["request_id"] = record.request_id
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return _JSON.encode(line)


def _add_request_id(record: logging.LogRecord) -> bool:
    """A logging filter: the current request's id, taken when the line is logged."""
    if has_request_context() and not hasattr(record, "request_id"):
        record.request_id = request.environ.get(REQUEST_ID)
    return True


def configure_logging() -> None:
    """JSON lines on stderr for the ``events_app`` loggers, at INFO (once per process)."""
    logger = logging.getLogger("events_app")
    if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        return
    handler = logging.StreamHandler(_CurrentStderr())  # type: ignore[arg-type]
    handler.setFormatter(JsonFormatter())
    handler.addFilter(_add_request_id)  # lines of events_app.* loggers
    logger.addFilter(_add_request_id)  # app.logger's own, wherever they are handled
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


class RequestLog:
    """The outermost WSGI layer: ``app.wsgi_app = RequestLog(app.wsgi_app)``."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _GOOD_REQUEST_ID.fullmatch(given) else secrets.token_hex(16)
        environ[REQUEST_ID] = request_id
        seen: dict[str, str] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            seen["status"] = status
            headers = [*headers, (REQUEST_ID_HEADER, request_id)]  # no inner layer sets one
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, start)
        except BaseException:
            seen["status"] = "500"  # whatever was started, the server answers 500 now
            raise
        finally:
            log_request(environ, int(seen.get("status", "500")[:3]), started)
        return body


def log_request(environ: dict[str, Any], status: int, started: float) -> None:
    """The request's one line, and its metrics."""
    from . import metrics

    seconds = time.perf_counter() - started
    route = environ.get(ROUTE) or "unmatched"
    method = environ.get("REQUEST_METHOD", "")
    cache = environ.get(CACHE)
    metrics.observe_request(route, method, status, seconds, cache)
    fields = {
        "method": method,
        "path": environ.get("PATH_INFO", ""),
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "request_id": environ.get(REQUEST_ID),
        "route": route,
        "remote_addr": environ.get("REMOTE_ADDR"),
        "pid": os.getpid(),
    }
    for name, key in (("query", "QUERY_STRING"), ("cache", CACHE), ("user_id", USER_ID)):
        if environ.get(key):
            fields[name] = environ[key]
    failure = environ.get(FAILURE)
    if failure:
        fields["error"] = failure
    level = logging.WARNING if failure or status >= 500 else logging.INFO
    if request_log.isEnabledFor(level):  # a record made directly: no search for the caller
        args = (method, fields["path"], status)
        record = request_log.makeRecord(
            request_log.name, level, __file__, 0, "%s %s %s", args, None, extra={"fields": fields}
        )
        request_log.handle(record)


def note_request() -> None:
    """teardown_request: tell the request log which endpoint answered and who asked (a user
    already loaded by the request; the log never queries the database itself)."""
    environ = request.environ
    environ[ROUTE] = request.endpoint
    user = g.get("_login_user")
    if user is not None and not user.is_anonymous:
        identity = inspect(user).identity  # no query, even when the object is expired
        environ[USER_ID] = identity[0] if identity else None


def init_app(app: Flask) -> None:
    """Call last: the request log wraps every other layer."""
    configure_logging()
    app.teardown_request(lambda error: note_request())
    app.wsgi_app = RequestLog(app.wsgi_app)  # type: ignore[method-assign]
