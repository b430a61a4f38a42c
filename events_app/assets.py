"""Our static files under addresses that change with their content.

``url_for("static", filename=...)`` adds ``v=<the file's hash>``; a request that carries the
file's current hash is cached for a year (``immutable``): a visitor's browser asks for each
stylesheet and script once, not on every page, and a new version comes under a new address,
never mixed with pages that expect the old one. Without ``v``, or with an old one, the file is
sent as Flask sends it (``no-cache``: asked again, ``304`` when unchanged).
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
CHECK_EVERY = 2.0  # seconds between looks at a file's time (an edit under `make run` shows)
# (folder, filename) -> (hash, mtime_ns, when last looked at); None, None: no such file
_known: dict[tuple[str, str], tuple[str | None, int | None, float]] = {}


def fingerprint(folder: str, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256, or None for no such file; a page links
    several, so it is looked up in memory and the file's time checked every few seconds."""
    key, now = (folder, filename), time.monotonic()
    known = _known.get(key)
    if known is not None and now - known[2] < CHECK_EVERY:
        return known[0]
    path = safe_join(folder, filename)
    try:
        changed = Path(path).stat().st_mtime_ns if path else None
    except (OSError, ValueError):  # ValueError: a NUL in the name
        changed = None
    if known is not None and known[1] == changed:
        digest = known[0]
    elif changed is None:
        _known.pop(key, None)  # no file: nothing kept (names asked for are endless)
        return None
    else:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    _known[key] = (digest, changed, now)
    return digest


def init_app(app: Flask) -> None:
    folder = app.static_folder or ""

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and values.get("filename"):
            version = fingerprint(folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def keep_versioned(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        filename = (request.view_args or {}).get("filename", "")
        wanted = request.args.get("v")
        if wanted and wanted == fingerprint(folder, filename):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
