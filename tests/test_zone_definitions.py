"""One definition per zone in every file: the demo site's feeds and downloads (events, series,
single occurrences), read one after another by one vobject process, one ical.js process (readers
that remember a TZID's first definition) and one libical process (Evolution's library), give the
database's instants; a TZID's VTIMEZONE is the same bytes in every file, whatever the day it is
served.

Each reader goes through all the files twice, each time in one process: expanding their series
inside a window (the feed window's start to a year ahead, within the series' horizon), every
instance compared with the database's; then reading every VEVENT that is not part of a series
(the events before 1970 and after 2099 included) as a plain event."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from events_app import demo
from events_app.extensions import db
from events_app.feeds import ical
from events_app.feeds.vtimezone import onsets
from events_app.models import PUBLIC_STATUSES, Category, Event
from tests.conftest import NOW
from tests.ical_expanders import (
    expand_many_with_icaljs,
    expand_many_with_libical,
    expand_many_with_vobject,
    expand_with_recurring_ical_events,
    overlaps,
)
from tests.ical_readers import (
    ReaderUnavailable,
    read_many_with_icaljs,
    read_many_with_libical,
    read_many_with_vobject,
    read_with_icalendar,
)
from tests.tools import require_tool

VTIMEZONE = re.compile(rb"BEGIN:VTIMEZONE\r\nTZID:([^\r]+)\r\n.*?END:VTIMEZONE\r\n", re.S)
FILTERED = ["kind=webinar", "place=London", "q=5G", "kind=live&category=optical"]
UID = re.compile(rb"^UID:([^\r]+)\r$", re.M)


def add_event(title: str, zone: str, start: datetime, minutes: int = 60) -> None:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    event = Event(title=title, slug=slug, kind="webinar", status="published")
    event.set_timed(start, start + timedelta(minutes=minutes), zone)
    db.session.add(event)


def load_site() -> None:
    """The demo data, plus webinars around zone changes across the covered span in zones with
    yearly rules and without, a fall-back hour, and times before and after the span."""
    demo.load_demo(db.session, NOW.date())
    for zone in ("Australia/Sydney", "America/Santiago", "Africa/Casablanca", "Europe/London"):
        changes = onsets(zone)
        for onset in changes[:: max(1, len(changes) // 6)]:
            add_event(
                f"Around {onset.at:%Y-%m-%d %H%M} in {zone}", zone, onset.at - timedelta(minutes=30)
            )
    ny = "America/New_York"
    add_event("Second 1:30 AM", ny, datetime(2026, 11, 1, 6, 30, tzinfo=UTC))  # 1:30 AM EST
    add_event("Before 1970", ny, datetime(1965, 7, 1, 18, 0, tzinfo=UTC))
    add_event("After 2099", ny, datetime(2150, 7, 1, 18, 0, tzinfo=UTC))
    add_event("Summer 2026", ny, datetime(2026, 7, 15, 18, 0, tzinfo=UTC), minutes=24 * 60 * 180)
    db.session.commit()


def urls() -> list[str]:
    """Every event's download (the order a visitor's clicks might take), then every feed."""
    public = select(Event.slug).where(Event.status.in_(PUBLIC_STATUSES)).order_by(Event.id)
    found = [f"/events/{slug}.ics" for slug in db.session.scalars(public)]
    found += ["/feeds/all.ics", "/feeds/live.ics", "/feeds/webinars.ics"]
    found += [f"/feeds/categories/{slug}.ics" for slug in db.session.scalars(select(Category.slug))]
    return found + [f"/feeds/events.ics?{query}" for query in FILTERED]


def served(app: Flask) -> dict[str, bytes]:
    client = app.test_client()
    files = {}
    for url in urls():
        response = client.get(url)
        assert response.status_code == 200, url
        files[url] = response.data
    return files


def instants(event: Event) -> tuple[Any, Any]:
    """(start, end) as the database holds them (all-day: the dates, end exclusive)."""
    if event.all_day:
        return (event.first_day, event.last_day + timedelta(days=1))
    return (event.start_at, event.end_at)


def expected() -> dict[str, set[tuple[Any, Any]]]:
    """uid -> the (start, end) of each instance a calendar shows under it: an event's own; a
    series master's, one per occurrence that is not cancelled (calendars drop those); a single
    occurrence's download (its derived UID), that occurrence's."""
    found: dict[str, set[tuple[Any, Any]]] = {}
    for event in db.session.scalars(select(Event).where(Event.series_master.is_(False))):
        master = event.series
        if master is None:
            found[event.uid] = {instants(event)}
            continue
        uid = event.calendar_uid
        found[uid] = {instants(event)}
        occurrences = found.setdefault(master.uid, set())
        if event.status not in ("cancelled", "draft"):
            occurrences.add(instants(event))
    return found


def window(app: Flask) -> tuple[datetime, datetime]:
    """From the feeds' first day (overrides that ended before it are left out of feeds) to a
    year ahead, inside every series' horizon."""
    return NOW - timedelta(days=app.config["FEED_PAST_DAYS"]), NOW + timedelta(days=365)


@pytest.fixture
def site(app: Flask, app_ctx: Flask) -> dict[str, bytes]:
    app.config["NOW"] = NOW
    load_site()
    return served(app)


def wrong_instants(files: dict[str, bytes], read: list[dict]) -> list[tuple]:
    """The plain events whose instants differ from the database's."""
    truth = expected()
    wrong = []
    for url, events in zip(files, read, strict=True):
        for uid, event in events.items():
            if {(event["start"], event["end"])} != truth.get(uid):
                wrong.append((url, uid, event["start"], truth.get(uid)))
    return wrong


def wrong_expansions(
    files: dict[str, bytes], expanded: list[set[tuple]], lo: datetime, hi: datetime
) -> list[tuple]:
    """For each file whose instances in [lo, hi) differ from the database's for the UIDs it
    holds: (url, instances read but not in the database, ones in the database but not read)."""
    truth = expected()
    wrong = []
    for (url, data), instances in zip(files.items(), expanded, strict=True):
        uids = {uid.decode() for uid in UID.findall(data.replace(b"\r\n ", b""))}
        want = {
            (uid, start, end)
            for uid in uids
            for start, end in truth.get(uid, ())
            if overlaps(start, end, lo, hi)
        }
        got = {(uid, start, end) for uid, start, end, _ in instances}
        if got != want:
            wrong.append((url, sorted(got - want, key=str), sorted(want - got, key=str)))
    return wrong


def series_instances(expanded: list[set[tuple]]) -> int:
    """How many instances of the demo's series the files gave: the check is not vacuous."""
    masters = select(Event.uid).where(Event.series_master.is_(True))
    uids = set(db.session.scalars(masters))
    return sum(1 for instances in expanded for uid, *_ in instances if uid in uids)


def test_every_tzid_has_one_definition_in_every_file_on_any_day(app: Flask, site) -> None:
    definitions: dict[bytes, set[bytes]] = {}
    for data in site.values():
        for match in VTIMEZONE.finditer(data):
            definitions.setdefault(match.group(1), set()).add(match.group(0))
    zones = {b"America/New_York", b"Africa/Casablanca", b"America/Santiago", b"Europe/London"}
    assert zones <= set(definitions)
    assert {tzid: len(texts) for tzid, texts in definitions.items()} == dict.fromkeys(
        definitions, 1
    )
    for tzid, (text,) in definitions.items():
        assert text.decode() == ical.vtimezones_text([tzid.decode()])
    assert len(site) > 80
    # Served on another day (another feed window, other events in the feeds): the same bytes.
    app.config["NOW"] = NOW + timedelta(days=200)
    for data in served(app).values():
        for match in VTIMEZONE.finditer(data):
            assert definitions[match.group(1)] == {match.group(0)}


def test_one_vobject_process_reads_every_file_in_turn(app: Flask, site) -> None:
    """vobject registers a TZID's first VTIMEZONE for the rest of the process (as Radicale
    would, reading one file after another): every file still gives the database's instants."""
    files = list(site.values())
    lo, hi = window(app)
    expanded = expand_many_with_vobject(files, lo, hi)
    assert series_instances(expanded) > 100
    assert wrong_expansions(site, expanded, lo, hi) == []
    read = read_many_with_vobject(files, skip_series=True)
    assert sum(len(events) for events in read) > 300
    assert wrong_instants(site, read) == []


# Readers that run as one process over many files, as a long-lived client does: ical.js
# (Thunderbird) under Node, and libical (Evolution), each resolving every file's TZIDs with
# that file's VTIMEZONEs.
LONG_LIVED = {
    "ical.js": (expand_many_with_icaljs, read_many_with_icaljs),
    "libical": (expand_many_with_libical, read_many_with_libical),
}


@pytest.mark.parametrize("reader", sorted(LONG_LIVED))
def test_one_reader_process_reads_every_file(app: Flask, site, reader: str) -> None:
    files = list(site.values())
    lo, hi = window(app)
    expand_many, read_many = LONG_LIVED[reader]
    try:
        expanded = expand_many(files, lo, hi)
        read = read_many(files, skip_series=True)
    except ReaderUnavailable as exc:
        require_tool(f"{reader} unavailable: {exc}")
    assert series_instances(expanded) > 100
    assert wrong_expansions(site, expanded, lo, hi) == []
    assert sum(len(events) for events in read) > 300
    assert wrong_instants(site, read) == []


def test_icalendar_reads_every_file(app: Flask, site) -> None:
    files = list(site.values())
    lo, hi = window(app)
    alone = [expand_with_recurring_ical_events(data, lo, hi) for data in files]
    assert wrong_expansions(site, alone, lo, hi) == []
    read = [read_with_icalendar(data, skip_series=True) for data in files]
    assert wrong_instants(site, read) == []


def test_times_a_vtimezone_does_not_cover_are_written_in_utc(site) -> None:
    """Before 1970, after 2099 and in a repeated hour, times go out in UTC: every reader reads
    those alike, and no VTIMEZONE need reach them."""
    for title, line in [
        ("second-1-30-am", b"DTSTART:20261101T063000Z"),
        ("before-1970", b"DTSTART:19650701T180000Z"),
        ("after-2099", b"DTSTART:21500701T180000Z"),
    ]:
        assert line in site[f"/events/{title}.ics"]
    assert b"DTSTART;TZID=America/New_York:20260715T140000" in site["/events/summer-2026.ics"]
