"""The current instant for views; tests pin it with app.config["NOW"] (an aware datetime)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app, has_app_context


def now(app: Flask | None = None) -> datetime:
    """Now, whole seconds, UTC; ``app`` for callers outside an app context (WSGI middleware)."""
    if app is None and has_app_context():
        app = current_app
    if app is not None and app.config.get("NOW") is not None:
        return app.config["NOW"]
    return datetime.now(UTC).replace(microsecond=0)
