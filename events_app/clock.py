"""The one clock: now, and the site's day (SITE_TIMEZONE), for views, commands and caches.

Tests pin the clock with app.config["NOW"] (an aware datetime); pure functions take `now` as an
argument instead of calling this module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context


def _app(app: Flask | None) -> Flask | None:
    if app is None and has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    return app


def now(app: Flask | None = None) -> datetime:
    """Now, whole seconds, UTC; ``app`` for callers outside an app context (WSGI middleware)."""
    app = _app(app)
    if app is not None and app.config.get("NOW") is not None:
        return app.config["NOW"]
    return datetime.now(UTC).replace(microsecond=0)


def site_zone(app: Flask | None = None) -> ZoneInfo:
    """The zone whose calendar day is the site's "today" (SITE_TIMEZONE, default UTC)."""
    app = _app(app)
    return ZoneInfo((app.config.get("SITE_TIMEZONE") if app is not None else None) or "UTC")


def day_of(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar day of an instant in a zone."""
    return instant.astimezone(zone).date()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) a calendar day begins in a zone (the first valid wall time)."""
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def today(app: Flask | None = None, at: datetime | None = None) -> date:
    """The site's day at ``at`` (default: now)."""
    return day_of(at or now(app), site_zone(app))


def next_midnight(at: datetime, zone: ZoneInfo) -> datetime:
    """The instant (UTC) the day after ``at``'s day begins in ``zone``."""
    return day_start(day_of(at, zone) + timedelta(days=1), zone)
