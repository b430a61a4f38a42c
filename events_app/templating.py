"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, request, url_for

from . import markup, timefmt


def url_with(**changes: object) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def iso_utc(instant: datetime) -> str:
    """'2026-11-08T19:00:00Z' for <time datetime>."""
    return instant.astimezone(timefmt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.filters["safe_url"] = markup.safe_url
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site() -> dict[str, object]:
        return {
            "site_name": app.config["SITE_NAME"],
            "site_description": app.config["SITE_DESCRIPTION"],
        }
