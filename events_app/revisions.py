"""Keep every event's iCalendar revision data right on every ORM save, whoever saves it.

One ``before_flush`` hook on all sessions (registered when models.py is imported):
- an event whose stored data changes gets a new ``updated_at``: now, but always later than the
  previous change anywhere (``feed_state.changed_at``), so a feed's latest ``updated_at`` (its
  Last-Modified) rises with every edit even within one second; feeds use it as
  DTSTAMP/LAST-MODIFIED;
- its ``sequence`` rises by one per flush when start, end, zone, all-day-ness, days, venue or
  status change (RFC 5545 SEQUENCE), unless the caller set ``sequence`` itself (the importer may),
  and when its venue's place (name, address, zone, coordinates) is edited;
- an edit of a venue, a category or a speaker touches the events showing it, so their cached
  VEVENT blocks (keyed on version/updated_at, see ical.py) are rebuilt;
- the single ``feed_state`` row's ``generation`` rises whenever anything a feed or a public
  page shows changed (pages list venues and categories too),
  and ``removed_at`` is set when an event may have left a feed (deleted, unpublished, moved,
  recategorized), so feeds answer conditional requests cheaply and their Last-Modified moves
  on removals too.

Callers therefore never set ``updated_at`` or ``sequence`` by hand. Core ``UPDATE``/``DELETE``
statements bypass all of this.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, inspect, select, update
from sqlalchemy.orm import Session

SEQUENCE_FIELDS = frozenset(
    {"start_at", "end_at", "timezone", "all_day", "first_day", "last_day", "venue_id", "venue"}
    | {"status"}
)
# Venue columns that are part of its events' place (LOCATION, GEO, zone).
VENUE_PLACE_FIELDS = frozenset(
    {"name", "address", "city", "region", "country", "postal_code", "timezone"}
    | {"latitude", "longitude"}
)
# Changes that may take an event out of some feed (its window, kind, category or status).
MEMBERSHIP_FIELDS = SEQUENCE_FIELDS | {"kind", "categories"}
# Columns that are bookkeeping, not content.
CACHE_FIELDS = frozenset({"ical_block", "ical_block_key", "version"})
IGNORED_FIELDS = CACHE_FIELDS | {"updated_at", "sequence"}
_SESSION_FLAG = "events_app.feed_change"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def changed_fields(obj: Any) -> set[str]:
    """Names of the attributes (columns and relationships) with unflushed changes."""
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}


def _stamp(session: Session, now: datetime) -> datetime:
    """This change's time: now, but always after the previous change (whole seconds, as HTTP)."""
    from .models import FeedState

    previous = session.execute(select(FeedState.changed_at).where(FeedState.id == 1)).scalar()
    return max(now, previous + timedelta(seconds=1)) if previous else now


def _touch(event_obj: Any, stamp: datetime) -> None:
    if "updated_at" in changed_fields(event_obj):
        return
    old = event_obj.updated_at
    event_obj.updated_at = max(stamp, old + timedelta(seconds=1)) if old else stamp


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    from .models import Category, Event, Speaker, Venue

    now = _now()
    touched: dict[int, Any] = {}
    change = {"any": False, "removal": False}
    with session.no_autoflush:
        for obj in list(session.dirty):
            fields = changed_fields(obj)
            if isinstance(obj, Event):
                if fields - CACHE_FIELDS:
                    change["any"] = True  # even a bare updated_at/sequence change shows in feeds
                content = fields - IGNORED_FIELDS
                if not content:
                    continue
                touched[id(obj)] = obj
                if content & SEQUENCE_FIELDS and "sequence" not in fields:
                    obj.sequence = (obj.sequence or 0) + 1
                if content & MEMBERSHIP_FIELDS:
                    change["removal"] = True
            elif isinstance(obj, Venue | Category) and fields - {"events", "updated_at"}:
                change["any"] = True  # pages list venues and categories, even unused ones
                touched.update((id(e), e) for e in obj.events)
                if isinstance(obj, Venue) and fields & VENUE_PLACE_FIELDS:
                    # The events' place moved or was renamed: their LOCATION changed.
                    for e in obj.events:
                        if "sequence" not in changed_fields(e):
                            e.sequence = (e.sequence or 0) + 1
            elif isinstance(obj, Speaker) and fields and obj.event is not None:
                touched[id(obj.event)] = obj.event
        for obj in session.new:
            if isinstance(obj, Event | Venue | Category):
                change["any"] = True
            elif isinstance(obj, Speaker) and obj.event not in (None, *session.new):
                touched[id(obj.event)] = obj.event
        for obj in session.deleted:
            if isinstance(obj, Event):
                change["any"] = change["removal"] = True
            elif isinstance(obj, Speaker) and obj.event is not None:
                if obj.event not in session.deleted:
                    touched[id(obj.event)] = obj.event
            elif isinstance(obj, Venue | Category):
                change["any"] = True
        if touched:
            change["any"] = True
        if not change["any"]:
            return
        stamp = _stamp(session, now)
        for obj in touched.values():
            if obj not in session.deleted:
                _touch(obj, stamp)
        for obj in session.new:
            if isinstance(obj, Event) and obj.updated_at is None:
                obj.updated_at = stamp
    pending = session.info.setdefault(_SESSION_FLAG, {"removal": False, "stamp": stamp})
    pending["removal"] = pending["removal"] or change["removal"]
    pending["stamp"] = max(pending["stamp"], stamp)


def _after_flush(session: Session, flush_context: Any) -> None:
    pending = session.info.pop(_SESSION_FLAG, None)
    if pending is None:
        return
    from .models import FeedState

    table = FeedState.__table__
    stamp = pending["stamp"]
    values: dict[str, Any] = {"generation": table.c.generation + 1, "changed_at": stamp}
    if pending["removal"]:
        # Later than every earlier updated_at, so a Last-Modified that includes it moves.
        values["removed_at"] = stamp
    connection = session.connection()
    done = connection.execute(update(table).where(table.c.id == 1).values(**values))
    if done.rowcount == 0:
        # A fresh row (e.g. after TRUNCATE) starts at a random generation, so a process's memo
        # of an earlier row's generations (feed_source.py) cannot match by accident.
        values["generation"] = secrets.randbelow(2**31)
        connection.execute(insert(table).values(id=1, **values))


sa_event.listen(Session, "before_flush", _before_flush)
sa_event.listen(Session, "after_flush", _after_flush)
