"""The current instant for views; tests pin it with app.config["NOW"] (an aware datetime)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    if has_app_context() and current_app.config.get("NOW") is not None:
        return current_app.config["NOW"]
    return datetime.now(UTC).replace(microsecond=0)
