"""Our static files under addresses that change with their content.

``url_for("static", filename=...)`` adds ``v=<the file's hash>``; a request that carries the
file's current hash is cached for a year (``immutable``): a visitor's browser asks for each
stylesheet and script once, not on every page, and a new version comes under a new address,
never mixed with pages that expect the old one. Without ``v``, or with an old one, the file is
sent as Flask sends it (``no-cache``: asked again, ``304`` when unchanged).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
_known: dict[str, tuple[int, str]] = {}  # path -> (mtime_ns, hash): read again when changed


def fingerprint(folder: str, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256, or None for no such file."""
    path = safe_join(folder, filename)
    if path is None:
        return None
    try:
        changed = Path(path).stat().st_mtime_ns
    except OSError:
        return None
    known = _known.get(path)
    if known is None or known[0] != changed:
        known = (changed, hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12])
        _known[path] = known
    return known[1]


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
