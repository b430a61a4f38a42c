"""Change tracking: the one place that decides what counts as a change, and tells every cache.

The contract it serves is written in feeds/__init__.py. A ``before_flush`` hook on every ORM
session (installed by ``init_app``) keeps each event's revision data right, whoever saves it:
- an event whose stored data changes gets a new ``updated_at``: later than every earlier change
  anywhere (``feed_state.changed_at``, read under a lock), so a feed's Last-Modified rises with
  every save, even two overlapping saves in two workers within one second;
- its ``sequence`` rises by one per flush when start, end, zone, all-day-ness, days, venue or
  status change (RFC 5545 SEQUENCE), unless the caller set ``sequence`` itself, and when its
  venue's place (name, address, zone, coordinates) is edited;
- an edit of a venue, a category or a speaker touches the events showing it;
- a changed slug is remembered, so the old address leads to the new one (an event's or
  series': models.FormerSlug; a venue's and a category's: models.FormerVenueSlug,
  models.FormerCategorySlug), and a new venue without
  one gets the one its name makes (forms.venue_slug);
- series (series.py): a change to an occurrence, or an occurrence added or deleted, touches
  its master (whose stored block holds the series); a change to a rule touches the master and
  raises its ``sequence``, as a change to the master's first start does (its end is only the
  series' span, bookkeeping), and as a date's status does (the master's EXDATEs may change);
  an occurrence's own ``sequence`` rises as any event's does;
- ``version`` (SQLAlchemy's version column) takes a new random value on every change of an
  event's row; never a counter, so a restored backup cannot bring one back with other content.

Every changed, new or deleted event is indexed again for search (search.reindex) after the
flush, from its stored rows: the search index follows the same changes as every cache. The
same events raise ``feed_state``'s longest spans when one lasts longer than any before it (the
bounds of models.dates_overlap; they never fall, which costs a wider range, not a miss).

Every flush that changes anything a page or feed shows rewrites the single ``feed_state`` row:
a new random ``token``, ``changed_at`` and, when an event may have left some feed,
``removed_at``. ``read_state`` is the one way to read it. Changes made behind the ORM (raw SQL,
bulk loads) call ``mark_changed`` in the same transaction.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import Engine, bindparam, case, func, insert, inspect, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from . import clock, search

SEQUENCE_FIELDS = frozenset(
    {"start_at", "end_at", "timezone", "all_day", "first_day", "last_day", "venue_id", "venue"}
    | {"status"}
)
# Venue columns that are part of its events' place (LOCATION, GEO, zone).
VENUE_PLACE_FIELDS = frozenset(
    {"name", "address", "city", "region", "country", "postal_code", "timezone"}
    | {"latitude", "longitude"}
)
# A series master's end is the end of its last occurrence so far: it moves as the series is
# extended, which is not a change of the master VEVENT's time.
MASTER_SPAN_FIELDS = frozenset({"end_at", "end_date", "last_day"})
# Rule columns that are bookkeeping: how far the occurrences exist.
RULE_CACHE_FIELDS = frozenset({"materialized_through"})
# Changes that may take an event out of some feed (its window, kind, category or status).
MEMBERSHIP_FIELDS = SEQUENCE_FIELDS | {"kind", "categories"}
# Columns that are bookkeeping, not content (what they hold is derived from other columns).
CACHE_FIELDS = frozenset(
    {"ical_block", "ical_block_key", "description_html", "description_html_key", "version"}
)
IGNORED_FIELDS = CACHE_FIELDS | {"updated_at", "sequence"}
_PENDING = "events_app.changes.pending"
_SEARCH = "events_app.changes.search"  # event objects and ids to index again after the flush
STATE_SQL = "SELECT token, changed_at, removed_at FROM feed_state WHERE id = 1"


@dataclass(frozen=True)
class State:
    """The feed_state row: ``token`` names the current content; the times are HTTP's."""

    token: str
    changed_at: datetime | None
    removed_at: datetime | None


def new_token() -> str:
    return secrets.token_hex(8)


def _as_utc(value: Any) -> datetime | None:
    """A stored UTC time as the DBAPI returns it (SQLite: text) -> aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def read_state(engine: Engine) -> State | None:
    """The feed_state row, read now (one primary-key read, no ORM, no transaction left open).

    Read it before reading the content it guards: content newer than its token is harmless
    (the next reader sees a new token), the other way round would keep stale answers.
    """
    kept = _kept_connection(engine)
    if kept is None:  # a pool of one connection (in-memory SQLite): borrow it
        with engine.connect() as connection:
            row = connection.exec_driver_sql(STATE_SQL).first()
    else:
        row = kept.read(STATE_SQL)
    if row is None:
        return None
    return State(row[0], _as_utc(row[1]), _as_utc(row[2]))


class _KeptConnection:
    """One autocommit connection per process for ``read_state``, outside the engine's pool.

    Every cached answer reads the token, so its cost is the cost of a ``304``: a pool checkout,
    pre-ping and reset cost three times the read itself. Threads take turns (a read is a few
    microseconds). A connection that fails (the database restarted) is dropped and the read
    tried once on a new one; a forked process makes its own; ``engine.dispose()`` closes it.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lock = threading.Lock()
        self.pid: int | None = None
        self.connection: Any = None

    def read(self, sql: str) -> Any:
        with self.lock:
            for attempt in (1, 2):
                connection = self._connection()
                try:
                    cursor = connection.cursor()
                    cursor.execute(sql)
                    rows = cursor.fetchall()  # all: the statement is finished, no snapshot kept
                    cursor.close()
                    return rows[0] if rows else None
                except self.engine.dialect.loaded_dbapi.Error:
                    self._close()
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

    def _connection(self) -> Any:
        if self.pid != os.getpid():  # inherited from the parent: not ours to use or close
            self.pid, self.connection = os.getpid(), None
        if self.connection is None:
            pooled = self.engine.raw_connection()  # with the pool's connect-time settings
            pooled.detach()  # ours now: the pool makes another
            self.engine.dialect.set_isolation_level(pooled.dbapi_connection, "AUTOCOMMIT")
            self.connection = pooled.dbapi_connection
        return self.connection

    def _close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None and self.pid == os.getpid():
            with contextlib.suppress(Exception):
                connection.close()

    def close(self) -> None:
        with self.lock:
            self._close()


def _kept_connection(engine: Engine) -> _KeptConnection | None:
    kept = getattr(engine, "_events_app_kept", None)
    if kept is None:
        if not isinstance(engine.pool, QueuePool):
            return None
        with _KEPT_LOCK:
            kept = getattr(engine, "_events_app_kept", None)
            if kept is None:
                kept = _KeptConnection(engine)
                sa_event.listen(engine, "engine_disposed", lambda _engine: kept.close())
                engine._events_app_kept = kept  # type: ignore[attr-defined]
    return kept


_KEPT_LOCK = threading.Lock()


def changed_fields(obj: Any) -> set[str]:
    """Names of the attributes (columns and relationships) with unflushed changes."""
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}


def _lock_and_stamp(session: Session, now: datetime) -> datetime:
    """Lock the feed_state row for this transaction (PostgreSQL: a row lock; SQLite: the write
    lock) and return this change's time: now, but after every change committed before it."""
    from .models import FeedState

    table = FeedState.__table__
    connection = session.connection()
    token = new_token()
    if connection.execute(update(table).where(table.c.id == 1).values(token=token)).rowcount:
        previous = connection.execute(select(table.c.changed_at).where(table.c.id == 1)).scalar()
    else:
        connection.execute(insert(table).values(id=1, token=token))
        previous = None
    stamp = max(now, previous + timedelta(seconds=1)) if previous else now
    pending = session.info.setdefault(_PENDING, {"removal": False, "stamp": stamp})
    pending["stamp"] = max(pending["stamp"], stamp)
    return pending["stamp"]


def _touch(event_obj: Any, stamp: datetime) -> None:
    if "updated_at" in changed_fields(event_obj):
        return
    old = event_obj.updated_at
    event_obj.updated_at = max(stamp, old + timedelta(seconds=1)) if old else stamp


def _bump_sequence(obj: Any) -> None:
    if "sequence" not in changed_fields(obj):
        obj.sequence = (obj.sequence or 0) + 1


def _master_of(obj: Any) -> Any:
    """The series master of an occurrence, or None (a master's collection change makes the
    master itself dirty, so an occurrence just taken out of it needs no lookup)."""
    return obj.series if obj.series_id is not None or "series" in obj.__dict__ else None


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    from .models import Category, Event, SeriesRule, Speaker, Venue

    touched: dict[int, Any] = {}
    change = {"any": False, "removal": False}
    with session.no_autoflush:
        for obj in list(session.dirty):
            fields = changed_fields(obj)
            if isinstance(obj, SeriesRule):
                if fields and obj.master is not None:
                    touched[id(obj.master)] = obj.master
                    if fields - RULE_CACHE_FIELDS:
                        _bump_sequence(obj.master)
                continue
            if isinstance(obj, Event):
                if fields - CACHE_FIELDS:
                    change["any"] = True  # even a bare updated_at/sequence change shows in feeds
                content = fields - IGNORED_FIELDS
                if not content:
                    continue
                touched[id(obj)] = obj
                if content & {"slug", "status"} and obj.series_id is None:
                    _remember_slug(session, obj)
                if (master := _master_of(obj)) is not None:
                    touched[id(master)] = master
                    if "status" in content:  # a date cancelled or back: the master's EXDATEs
                        _bump_sequence(master)
                sequence_fields = SEQUENCE_FIELDS
                if obj.series_master:
                    sequence_fields = SEQUENCE_FIELDS - MASTER_SPAN_FIELDS
                if content & sequence_fields and "sequence" not in fields:
                    obj.sequence = (obj.sequence or 0) + 1
                if content & MEMBERSHIP_FIELDS:
                    change["removal"] = True
            elif isinstance(obj, Venue | Category) and fields - {"events", "updated_at"}:
                change["any"] = True  # pages list venues and categories, even unused ones
                if "slug" in fields:
                    _remember_former_slug(session, obj)
                for e in obj.events:  # and a date's series: its feeds may now leave it out
                    touched[id(e)] = e
                    if (master := _master_of(e)) is not None:
                        touched[id(master)] = master
                if isinstance(obj, Venue) and fields & VENUE_PLACE_FIELDS:
                    # The events' place moved or was renamed: their LOCATION changed.
                    for e in obj.events:
                        if "sequence" not in changed_fields(e):
                            e.sequence = (e.sequence or 0) + 1
            elif isinstance(obj, Speaker) and fields and obj.event is not None:
                touched[id(obj.event)] = obj.event
                if (master := _master_of(obj.event)) is not None:
                    touched[id(master)] = master
        # session.new and session.deleted build a new set on every access: taken once, so that
        # a save of many rows (a daily series with its speakers) stays linear.
        new, deleted = session.new, session.deleted
        _name_new_venues(session, new)
        for obj in new:
            if isinstance(obj, Event | Venue | Category):
                change["any"] = True
                master = _master_of(obj) if isinstance(obj, Event) else None
                if master is not None and master not in new:
                    touched[id(master)] = master
            elif isinstance(obj, Speaker) and obj.event is not None and obj.event not in new:
                touched[id(obj.event)] = obj.event
            elif isinstance(obj, SeriesRule) and obj.master is not None and obj.master not in new:
                touched[id(obj.master)] = obj.master
                _bump_sequence(obj.master)
        for obj in deleted:
            if isinstance(obj, Event):
                change["any"] = change["removal"] = True
                master = _master_of(obj)
                if master is not None and master not in deleted:
                    touched[id(master)] = master
            elif isinstance(obj, Speaker) and obj.event is not None:
                if obj.event not in deleted:
                    touched[id(obj.event)] = obj.event
            elif isinstance(obj, Venue | Category):
                change["any"] = True
        if touched:
            change["any"] = True
        if not change["any"]:
            return
        stamp = _lock_and_stamp(session, clock.now())
        for obj in touched.values():
            if obj not in deleted:
                _touch(obj, stamp)
        for obj in new:
            if isinstance(obj, Event) and obj.updated_at is None:
                obj.updated_at = stamp
        _queue_search(session, touched.values())
    if change["removal"]:
        session.info[_PENDING]["removal"] = True


def _remember_slug(session: Session, event: Any) -> None:
    """A public event's or series' address leads to it from now on (models.FormerSlug; a
    series' dates follow it) when this change gives it another, or makes it a draft: renamed as
    a draft and published again, it is found at the address it had in public."""
    from .models import PUBLIC_STATUSES, FormerSlug

    old_status = inspect(event).attrs.status.history.deleted or [event.status]
    if old_status[0] not in PUBLIC_STATUSES:
        return
    if old := _slug_before(event):
        session.merge(FormerSlug(slug=old, event_id=event.id))
    elif event.status not in PUBLIC_STATUSES and event.slug:
        session.merge(FormerSlug(slug=event.slug, event_id=event.id))


def _remember_former_slug(session: Session, obj: Any) -> None:
    """A venue's or category's address before this change of slug leads to it from now on
    (models.FormerVenueSlug: the venue's page answers only while it has public events;
    models.FormerCategorySlug)."""
    from .models import FormerCategorySlug, FormerVenueSlug, Venue

    if old := _slug_before(obj):
        if isinstance(obj, Venue):
            session.merge(FormerVenueSlug(slug=old, venue_id=obj.id))
        else:
            session.merge(FormerCategorySlug(slug=old, category_id=obj.id))


def _slug_before(obj: Any) -> str | None:
    """The slug this flush changes ``obj``'s away from, if it changes it."""
    old = inspect(obj).attrs.slug.history.deleted
    return old[0] if old and old[0] and old[0] != obj.slug else None


def _name_new_venues(session: Session, new: Any) -> None:
    """New venues without a slug get the one their name makes (forms.venue_slug), whoever
    made them (the venue form, the event form's new venue, the demo data)."""
    from .forms import venue_slug
    from .models import Venue

    made = [obj.slug for obj in new if isinstance(obj, Venue) and obj.slug]
    for obj in new:
        if isinstance(obj, Venue) and not obj.slug:
            obj.slug = venue_slug(session, obj.name, also_taken=made)
            made.append(obj.slug)


def _queue_search(session: Session, touched: Any) -> None:
    """Remember which events' search rows this flush changes: new, touched and deleted ones,
    and those of a deleted venue or category (their place or topics go)."""
    from .models import Category, Event, Venue

    objects = [*touched, *(o for o in session.new if isinstance(o, Event))]
    ids = set()
    for obj in session.deleted:
        if isinstance(obj, Event):
            ids.add(obj.id)
        elif isinstance(obj, Venue | Category):
            objects.extend(obj.events)
    queued = session.info.setdefault(_SEARCH, {"objects": [], "ids": set()})
    queued["objects"].extend(objects)
    queued["ids"] |= ids


def _after_flush(session: Session, flush_context: Any) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is not None:
        _write_state(session, pending["stamp"], pending["removal"])
    queued = session.info.pop(_SEARCH, None)
    if queued is not None:
        ids = queued["ids"] | {obj.id for obj in queued["objects"] if obj.id is not None}
        search.reindex(session.connection(), ids)
        _widen_span(session, ids)


def _widen_span(session: Session, event_ids: set[int] | list[int] | None) -> None:
    """Raise feed_state's longest spans to those of these events (None: of all events)."""
    from .models import DaySpan, Event, FeedState

    span = DaySpan(Event.end_date, Event.start_date)
    stmt = select(
        func.max(case((Event.series_master.is_(False), span))), func.max(span)
    ).select_from(Event)
    if event_ids is None:
        queries = [stmt]
    else:
        ids = list(event_ids)
        queries = [stmt.where(Event.id.in_(ids[at : at + 500])) for at in range(0, len(ids), 500)]
    connection = session.connection()
    found = [0, 0]
    for query in queries:
        row = connection.execute(query).one()
        found = [max(found[0], row[0] or 0), max(found[1], row[1] or 0)]
    table = FeedState.__table__
    columns = (table.c.longest_event_days, table.c.longest_series_days)
    for column, longest in zip(columns, found, strict=True):
        if longest:
            connection.execute(
                update(table).where(table.c.id == 1, column < longest).values({column: longest})
            )


def _write_state(session: Session, stamp: datetime, removal: bool) -> None:
    from .models import FeedState

    table = FeedState.__table__
    values: dict[str, Any] = {"token": new_token(), "changed_at": stamp}
    if removal:
        # Later than every earlier updated_at, so a Last-Modified that includes it moves.
        values["removed_at"] = stamp
    session.connection().execute(update(table).where(table.c.id == 1).values(**values))


def mark_changed(
    session: Session, event_ids: list[int] | None = None, *, after: datetime | None = None
) -> None:
    """Record changes made behind the ORM (raw SQL, bulk inserts), in the caller's transaction.
    ``after``: a time this change must come after, beyond what the database says (a restore:
    the replaced data's last change, which caches have seen).

    The events in ``event_ids`` get a new version and ``updated_at`` (so their stored iCalendar
    blocks are rendered again) and a higher SEQUENCE (it must rise when a time, place or status
    may have changed, and rising when nothing did is harmless) and are indexed again for
    search; every cache sees a new token. Rows inserted or deleted in bulk need no ids: call it
    without (events missing from the search index are then indexed). The caller commits.
    """
    from .models import Event, new_version

    stamp = _lock_and_stamp(session, clock.now())
    if after is not None:
        stamp = max(stamp, after + timedelta(seconds=1))
    session.info.pop(_PENDING, None)
    if event_ids:
        table = Event.__table__
        connection = session.connection()
        for at in range(0, len(event_ids), 500):
            connection.execute(
                update(table)
                .where(table.c.id.in_(bindparam("ids", expanding=True)))
                .values(version=new_version(), sequence=table.c.sequence + 1, updated_at=stamp),
                {"ids": list(event_ids[at : at + 500])},
            )
    _write_state(session, stamp, removal=True)
    if event_ids:
        search.reindex(session.connection(), event_ids)
    else:
        search.index_missing(session.connection())
    _widen_span(session, event_ids or None)
    ids = set(event_ids or ())
    for obj in list(session.identity_map.values()):  # loaded copies keep their old version
        if isinstance(obj, Event) and obj.id in ids:
            session.expire(obj, ["version", "sequence", "updated_at"])


def init_app(app: Flask) -> None:
    """Install the hooks on every ORM session (once per process, whatever the number of apps)."""
    if not sa_event.contains(Session, "before_flush", _before_flush):
        sa_event.listen(Session, "before_flush", _before_flush)
        sa_event.listen(Session, "after_flush", _after_flush)
