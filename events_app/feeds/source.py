"""Feed content from the database: a cheap fingerprint, stored VEVENT blocks, whole bodies.

A feed's events are the public ones matching its conditions whose end is not before the window
start (midnight, in SITE_TIMEZONE, FEED_PAST_DAYS before today), ordered by (start_at, id). A
series is its master (whose span is its occurrences'); occurrences are written only inside the
master's block, which also depends on the window start (ical.series_context).

- ``fingerprint`` runs one aggregate query (count, id sum, version sum, latest change) and
  one index lookup (the last event to leave the window). Its ETag changes exactly when the bytes
  can: every saved change raises an event's version (changes.py), and the renderer version, the
  site, the feed's own properties and the zone rules are part of it. It is memoized under the
  change token, so an unchanged feed costs one primary-key read.
- ``stream_body`` yields the header, the VTIMEZONEs, then the events' blocks: one query on a
  covering index gives the ordered ids and zones, then chunks of blocks are read by
  primary key; stale blocks are rendered from eager-loaded events and written back with a Core
  UPDATE guarded by the version they were rendered from (two workers write the same bytes; none
  can store an old block under a new key).
- ``build_body`` gives the same bytes whole, copying the blocks of events whose version did not
  change from the feed's previous build.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Row, String, bindparam, case, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from .. import changes, clock
from ..lru import LRU
from ..models import PUBLIC_STATUSES, Event, alone_in, event_loads
from ..zone_rules import rules_version
from . import ical

CHUNK = 500
Conditions = Callable[[Select], Select]


@dataclass(frozen=True)
class Feed:
    """One feed: its identity (part of the ETag), calendar properties and event conditions.

    ``dates``: the feed holds the dates its conditions find, as the event list shows them,
    each a separate event (``ical.render_occurrence``), instead of whole series. A feed
    filtered by a search or by dates does: a series' master matches neither for its dates.
    ``alone``: a feed of whole series whose conditions a date may meet on its own (a kind, a
    category, a place) also holds such dates of series that do not (``models.alone_in``).
    """

    key: str
    info: ical.FeedInfo
    filename: str
    conditions: Conditions
    dates: bool = False
    alone: bool = False


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    last_modified: datetime | None
    count: int


def window_start(now: datetime, past_days: int, zone: ZoneInfo) -> datetime:
    """Midnight of the site's day ``past_days`` before today: moves once a day."""
    return clock.day_start(clock.day_of(now, zone) - timedelta(days=past_days), zone)


def window_moves_at(now: datetime, zone: ZoneInfo) -> datetime:
    """The site's next midnight, when window_start moves and every feed may change."""
    return clock.next_midnight(now, zone)


def _written(stmt: Select, dates: bool = False, alone: Conditions | None = None) -> Select:
    """Events a feed writes: public ones, series masters for their occurrences (``dates``:
    the occurrences themselves, masters never; ``alone``: also the dates ``models.alone_in``
    these conditions). Not ``series_id IS NULL``: SQLite would read it from
    ix_events_series_id and then every row, instead of the covering indexes these queries are
    built for."""
    stmt = stmt.where(Event.status.in_(PUBLIC_STATUSES))
    if dates:
        return stmt.where(Event.series_master.is_(False))
    whole = func.coalesce(Event.series_id, 0) == 0
    return stmt.where(whole if alone is None else or_(whole, alone_in(alone)))


def _feed_written(stmt: Select, feed: Feed) -> Select:
    return feed.conditions(_written(stmt, feed.dates, feed.conditions if feed.alone else None))


def _in_window(stmt: Select, feed: Feed, start: datetime) -> Select:
    return _feed_written(stmt.where(Event.end_at >= start), feed)


def _departed_at(
    session: Session, feed: Feed, start: datetime, past_days: int, zone: ZoneInfo
) -> datetime | None:
    """When the most recent event to leave the window left it (a day edge), if any did."""
    stmt = select(func.max(Event.end_at)).where(Event.end_at < start)
    last_end = session.scalar(_feed_written(stmt, feed))
    if last_end is None:
        return None
    return clock.day_start(clock.day_of(last_end, zone) + timedelta(days=past_days + 1), zone)


def compute_fingerprint(
    session: Session, feed: Feed, site: ical.Site, now: datetime, past_days: int, zone: ZoneInfo
) -> Fingerprint:
    start = window_start(now, past_days, zone)
    stmt = select(
        func.count(Event.id),
        func.sum(Event.id),
        func.sum(Event.version),
        func.max(Event.updated_at),
        func.sum(case((Event.series_master.is_(True), 1), else_=0)),
    )
    count, id_sum, version_sum, changed, masters = session.execute(
        _in_window(stmt, feed, start)
    ).one()
    parts = (ical.RENDERER_VERSION, rules_version(), site, feed.key, feed.info, count, id_sum)
    parts += (version_sum, changed and ical.utc_stamp(changed))
    if masters:
        parts += (ical.series_context("", start),)  # series blocks depend on the window
    etag = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:40]
    candidates = [changed, _departed_at(session, feed, start, past_days, zone)]
    modified = max((c for c in candidates if c is not None), default=None)
    return Fingerprint(etag, modified, count or 0)


def fingerprint(
    session: Session,
    memo: LRU[tuple, Fingerprint],
    state: changes.State | None,
    feed: Feed,
    site: ical.Site,
    now: datetime,
    past_days: int,
    zone: ZoneInfo,
) -> Fingerprint:
    """The feed's ETag/Last-Modified, from ``memo`` when nothing changed since it was made
    (``state``: changes.read_state, read before this)."""
    if state is None:
        return compute_fingerprint(session, feed, site, now, past_days, zone)
    key = (state.token, window_start(now, past_days, zone), feed.key, feed.info, site)
    found = memo.get(key)
    if found is None:
        found = compute_fingerprint(session, feed, site, now, past_days, zone)
        memo.put(key, found)
    modified = found.last_modified
    if state.removed_at is not None and (modified is None or state.removed_at > modified):
        modified = state.removed_at  # something left some feed then; it may have been this one
    return replace(found, last_modified=modified)


# --- stored blocks --------------------------------------------------------------------------------


def block_context(site: ical.Site) -> str:
    return ical.block_context(site, rules_version())


def stale_blocks(context: str):
    """SQL: the event's stored block is missing or was rendered for another version/context."""
    key = literal(context + ":") + cast(Event.version, String)
    return or_(
        Event.ical_block.is_(None), Event.ical_block_key.is_(None), Event.ical_block_key != key
    )


def _block_rows(session: Session, ids: list[int]) -> list:
    """(id, version, ical_block, ical_block_key, series_master) of these events, in order."""
    table = Event.__table__
    stmt = select(table.c.id, table.c.version, table.c.ical_block, table.c.ical_block_key)
    stmt = stmt.add_columns(table.c.series_master)
    by_id = {row.id: row for row in session.connection().execute(stmt.where(table.c.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]  # an event deleted meanwhile is left out


def _key(context: str, window: datetime | None, version: int, master: bool) -> str:
    if master and window is not None:
        context = ical.series_context(context, window)
    return ical.block_key(context, version)


def _stale_ids(rows: list, context: str, window: datetime | None) -> list[int]:
    return [
        r.id
        for r in rows
        if not r.ical_block or r.ical_block_key != _key(context, window, r.version, r.series_master)
    ]


def refresh_blocks(
    session: Session,
    ids: list[int],
    site: ical.Site,
    context: str,
    window: datetime | None = None,
) -> dict[int, str]:
    """Render the blocks of these events, store them with their keys, and return them; a
    series master's block covers ``window`` (the feed window's start)."""
    occurrences = selectinload(Event.occurrences)
    stmt = select(Event).where(Event.id.in_(ids)).options(*event_loads())
    stmt = stmt.options(selectinload(Event.rule), occurrences.options(*event_loads()))
    events = session.scalars(stmt)
    blocks: dict[int, str] = {}
    writes = []
    for event in events.unique():
        block = ical.render_event(event, site, window)
        blocks[event.id] = block
        writes.append(
            {
                "b_id": event.id,
                "b_version": event.version,
                "b_block": block,
                "b_key": _key(context, window, event.version, event.series_master),
            }
        )
    if writes:
        table = Event.__table__
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values(ical_block=bindparam("b_block"), ical_block_key=bindparam("b_key")),
            writes,
        )
        session.commit()
    return blocks


def _stored_blocks(
    session: Session, ids: list[int], site: ical.Site, context: str, window: datetime
) -> list[tuple[int, int, bytes]]:
    """(id, version, block) of these events in this order, rendering and storing stale blocks."""
    rows = _block_rows(session, ids)
    stale = _stale_ids(rows, context, window)
    fresh = refresh_blocks(session, stale, site, context, window) if stale else {}
    return [(r.id, r.version, (fresh.get(r.id) or r.ical_block or "").encode()) for r in rows]


def warm_blocks(session: Session, site: ical.Site, ids: list[int] | None = None) -> int:
    """Render and store every stale block of public events (or of ``ids``): single events and
    the dates of series (their downloads, and feeds filtered by dates or a search); how many.
    Series masters are left to the feeds: their blocks depend on the day's window."""
    context = block_context(site)
    stmt = _written(select(Event.id), dates=True).where(stale_blocks(context))
    if ids is not None:
        stmt = stmt.where(Event.id.in_(ids))
    stale = list(session.connection().execute(stmt.order_by(Event.id)).scalars())
    for at in range(0, len(stale), CHUNK):
        refresh_blocks(session, stale[at : at + CHUNK], site, context)
    return len(stale)


# --- bodies ---------------------------------------------------------------------------------------


def _in_feed_order(feed: Feed, start: datetime, *columns) -> Select:
    """These columns of the feed's events in feed order: a query that reads an index only
    (ix_events_start_order, ix_events_kind_start_order)."""
    return _in_window(select(*columns).order_by(Event.start_at, Event.id), feed, start)


def _ordered_rows(session: Session, feed: Feed, start: datetime) -> list[Row]:
    """(id, version, all_day, timezone, series_master) of the feed's events in feed order."""
    stmt = _in_feed_order(
        feed, start, Event.id, Event.version, Event.all_day, Event.timezone, Event.series_master
    )
    return session.connection().execute(stmt).all()


def _ordered_ids(
    session: Session, feed: Feed, start: datetime
) -> tuple[array, set[str], list[int]]:
    """The feed's event ids in feed order, compactly (8 bytes each), the zones its blocks
    name and its series masters, read row by row (a server-side cursor on PostgreSQL), so
    that no row objects for 100,000 events are held at once."""
    stmt = _in_feed_order(feed, start, Event.id, Event.all_day, Event.timezone, Event.series_master)
    result = session.connection().execute(stmt.execution_options(yield_per=CHUNK * 4))
    ids, zones, masters = array("q"), set(), []
    for partition in result.partitions():
        for event_id, all_day, zone, master in partition:
            ids.append(event_id)
            if not all_day:
                zones.add(zone)
            if master:
                masters.append(event_id)
    return ids, zones | _dates_zones(session, masters, zones), masters


def _dates_zones(session: Session, masters: list[int], known: set[str]) -> set[str]:
    """The zones of these series' timed dates beyond ``known`` (ical.timed_zones in SQL): a
    date moved into a zone of its own is written in it, inside its series' block."""
    zones: set[str] = set()
    for at in range(0, len(masters), CHUNK):
        stmt = select(Event.timezone).distinct()
        stmt = stmt.where(Event.series_id.in_(masters[at : at + CHUNK]))
        stmt = stmt.where(Event.all_day.is_(False), Event.timezone.not_in(known | zones))
        zones.update(session.connection().execute(stmt).scalars())
    return zones


def _left_out(session: Session, feed: Feed, masters: list[int]) -> dict[int, ical.LeftOut]:
    """Of a feed's series, the dates that do not match its conditions (a date given another
    kind, category or venue on its own: its list does not show it either), by master id."""
    if not feed.alone or not masters:
        return {}
    found: dict[int, ical.LeftOut] = {}
    for at in range(0, len(masters), CHUNK):
        dates = select(Event.id).where(
            Event.series_id.in_(masters[at : at + CHUNK]), Event.status.in_(PUBLIC_STATUSES)
        )
        matching = set(session.scalars(feed.conditions(dates)))
        every = dates.with_only_columns(Event.id, Event.series_id, Event.recurrence_id)
        left: dict[int, list[datetime]] = {}
        for event_id, master_id, wall in session.execute(every):
            if event_id not in matching:
                left.setdefault(master_id, []).append(wall)
        if not left:
            continue
        rows = session.execute(
            select(Event.id, Event.uid, Event.timezone, Event.all_day).where(Event.id.in_(left))
        )
        for master_id, uid, zone, all_day in rows:
            found[master_id] = ical.LeftOut(uid, zone, all_day, tuple(sorted(left[master_id])))
    return found


def _fitted(block: bytes, event_id: int, left: dict[int, ical.LeftOut]) -> bytes:
    return ical.leaving_out(block, left[event_id]) if event_id in left else block


def _head(feed: Feed, zones: set[str]) -> bytes:
    """The calendar's header and the VTIMEZONEs of the zones its timed events use."""
    return (ical.calendar_header(feed.info) + ical.vtimezones_text(zones)).encode()


def stream_body(
    session: Session,
    feed: Feed,
    site: ical.Site,
    fp: Fingerprint,
    now: datetime,
    past_days: int,
    zone: ZoneInfo,
) -> Iterator[bytes]:
    """The calendar's bytes in chunks; equal to ``render_feed``'s."""
    window = window_start(now, past_days, zone)
    ids, zones, masters = _ordered_ids(session, feed, window)
    left = _left_out(session, feed, masters)
    context = block_context(site)
    yield _head(feed, zones)
    for at in range(0, len(ids), CHUNK):
        chunk = _stored_blocks(session, ids[at : at + CHUNK].tolist(), site, context, window)
        yield b"".join(_fitted(block, event_id, left) for event_id, _, block in chunk)
    yield ical.FOOTER.encode()


@dataclass(frozen=True)
class Built:
    """A feed body built whole, and where each event's block sits in it (with its version)."""

    body: bytes
    blocks: dict[int, tuple[int, int, int]]  # id -> (version, start offset, end offset)
    window: datetime | None = None  # series blocks depend on it: another window reuses none


def build_body(
    session: Session,
    feed: Feed,
    site: ical.Site,
    fp: Fingerprint,
    now: datetime,
    past_days: int,
    zone: ZoneInfo,
    previous: Built | None = None,
) -> Built:
    """The whole calendar, equal to stream_body's bytes; blocks of events whose version is the
    one in ``previous`` (the same feed built earlier in this process) are copied from it, so a
    rebuild after one edit reads one stored block instead of all of them."""
    window = window_start(now, past_days, zone)
    rows = _ordered_rows(session, feed, window)
    if previous is not None and previous.window != window:
        previous = None
    old = previous.blocks if previous is not None else {}
    unknown = (None, 0, 0)
    missing = [i for i, version, *_ in rows if old.get(i, unknown)[0] != version]
    context = block_context(site)
    zones = {zone for _, _, all_day, zone, _ in rows if not all_day}
    masters = [event_id for event_id, *_, master in rows if master]
    left = _left_out(session, feed, masters)
    loaded: dict[int, tuple[int, bytes]] = {}
    for at in range(0, len(missing), CHUNK):
        chunk = _stored_blocks(session, missing[at : at + CHUNK], site, context, window)
        for event_id, version, block in chunk:
            loaded[event_id] = (version, _fitted(block, event_id, left))
    head = _head(feed, zones | _dates_zones(session, masters, zones))
    # New blocks as bytes; copied ones as (start, end) in previous.body, adjacent ones merged,
    # so an edit in a 10,000-event feed copies the old body in a few slices.
    pieces: list[bytes | tuple[int, int]] = [head]
    index: dict[int, tuple[int, int, int]] = {}
    position = len(head)
    for event_id, *_ in rows:
        if event_id in loaded:
            version, block = loaded[event_id]
            pieces.append(block)
            size = len(block)
        elif event_id in old:
            version, a, b = old[event_id]
            last = pieces[-1]
            if isinstance(last, tuple) and last[1] == a:
                pieces[-1] = (last[0], b)
            else:
                pieces.append((a, b))
            size = b - a
        else:
            continue  # deleted between the two queries: left out, as stream_body does
        index[event_id] = (version, position, position + size)
        position += size
    pieces.append(ical.FOOTER.encode())
    reused = memoryview(previous.body) if previous is not None else memoryview(b"")
    body = b"".join(reused[p[0] : p[1]] if isinstance(p, tuple) else p for p in pieces)
    return Built(body, index, window)


def render_feed(
    session: Session, feed: Feed, site: ical.Site, now: datetime, past_days: int, zone: ZoneInfo
) -> bytes:
    """The whole feed rendered from scratch, ignoring stored blocks (for tests and benchmarks),
    leaving out the dates ``_left_out`` names as served feeds do."""
    start = window_start(now, past_days, zone)
    stmt = select(Event).options(*event_loads(), selectinload(Event.occurrences))
    events = session.scalars(_in_window(stmt, feed, start)).unique().all()
    left = _left_out(session, feed, [e.id for e in events if e.series_master])
    return ical.build_calendar(events, feed.info, site, start, left)
