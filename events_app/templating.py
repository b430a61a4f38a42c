"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request, url_for
from werkzeug.exceptions import HTTPException, NotFound

from . import forms, markup, timefmt

# Error pages: our headings, and our words where an error carries only werkzeug's stock text.
ERROR_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    410: "Deleted",
    413: "Too large",
    414: "Address too long",
    415: "Not a form",
    429: "Too many requests",
}
ERROR_TEXTS = {
    400: "The request could not be read.",
    404: "There is no page at this address. The link may be mistyped, or the page may have moved.",
    405: "This address does not take that kind of request.",
    410: "What was at this address was deleted; it will not be back.",
    413: "What was sent is larger than this site accepts.",
    414: "The address is longer than this site accepts.",
    415: "This address takes a form, sent as web forms are.",
    429: "Too many requests in a short time: wait a minute and try again.",
}


def on_site(path: str) -> tuple[str, str]:
    """A path as url_for writes it (the app's mount point, if it is served under one, then
    the route), as (the absolute base a link starts with, the rest): SITE_URL when it is set,
    else this request's root. A mount point the base names already is not written twice
    (SITE_URL https://example.com/events for an app mounted at /events, or a request's root,
    which holds its mount point)."""
    base = (current_app.config.get("SITE_URL") or request.url_root).rstrip("/")
    if has_request_context():
        mount = request.script_root
    else:
        mount = (current_app.config.get("APPLICATION_ROOT") or "/").rstrip("/")
    if mount and path.startswith(mount + "/") and urlsplit(base).path.endswith(mount):
        path = path[len(mount) :]
    return base, path


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on SITE_URL when it is set (what feeds, the sitemap and every page's
    canonical link name), else on this request's host."""
    if current_app.config.get("SITE_URL"):
        return "".join(on_site(url_for(endpoint, **values)))
    return url_for(endpoint, _external=True, **values)


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


def not_found(message: str, way_back: tuple[str, str] | None = None) -> NoReturn:
    """A 404 with ``message``; ``way_back``, (words, URL), is a link on its page (errors.html)
    to where to go instead."""
    error = NotFound(message)
    error.way_back = way_back
    raise error


def error_words(error: HTTPException) -> tuple[str, str]:
    """(heading, text) of an error page: the view's own description when it gave one."""
    text = error.description or ""
    if not text or text == type(error).description:
        text = ERROR_TEXTS.get(error.code or 0, text)
    return ERROR_TITLES.get(error.code or 0, error.name), text


def init_app(app: Flask) -> None:
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.filters["safe_url"] = markup.safe_url
    app.jinja_env.filters["day"] = timefmt.format_day
    app.jinja_env.filters["line_pieces"] = timefmt.line_pieces
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["error_words"] = error_words
    app.jinja_env.globals["field_errors"] = forms.field_errors
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site() -> dict[str, object]:
        return {
            "site_name": app.config["SITE_NAME"],
            "site_description": app.config["SITE_DESCRIPTION"],
        }
