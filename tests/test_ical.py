"""ical.py: events -> iCalendar, read back by icalendar, vobject, Mozilla ical.js and libical."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import vobject
from ical_readers import READERS, ReaderUnavailable
from sqlalchemy import select
from tools import require_tool

from events_app.extensions import db
from events_app.feeds import ical
from events_app.models import Event
from events_app.timefmt import local_to_utc

SITE = ical.Site("https://events.test")
FEED = ical.FeedInfo(
    name="Telecom Events; 5G, Optical \\ Cloud",
    description="Line one\nLine two, with; punctuation",
    url="https://events.test/",
)


def read(reader: str, data: bytes) -> dict:
    try:
        return READERS[reader](data)
    except ReaderUnavailable as exc:
        require_tool(f"{reader} reader unavailable: {exc}")


def local(zone: str, *args: int, fold: int | None = None) -> datetime:
    return local_to_utc(datetime(*args), zone, fold=fold)


def expected_instants(event: Event) -> tuple[datetime | date, datetime | date]:
    if event.all_day:
        return event.first_day, event.last_day + timedelta(days=1)
    return event.start_at, event.end_at


# (label, zone, start, end) for timed events; the instants are what the database holds.
TIMED_CASES = [
    ("ny before spring", "America/New_York", (2026, 3, 8, 1, 0), (2026, 3, 8, 1, 59)),
    ("ny across gap", "America/New_York", (2026, 3, 8, 1, 30), (2026, 3, 8, 3, 30)),
    ("ny first hour after spring", "America/New_York", (2026, 3, 8, 3, 0), (2026, 3, 8, 4, 0)),
    ("ny overlap first", "America/New_York", (2026, 11, 1, 1, 30, 0), (2026, 11, 1, 1, 30, 1)),
    ("ny overlap second", "America/New_York", (2026, 11, 1, 1, 0, 1), (2026, 11, 1, 2, 0)),
    ("ny first hour after fall", "America/New_York", (2026, 11, 1, 2, 0), (2026, 11, 1, 3, 0)),
    ("london across gap", "Europe/London", (2026, 3, 29, 0, 30), (2026, 3, 29, 2, 30)),
    ("london after spring", "Europe/London", (2026, 3, 29, 2, 0), (2026, 3, 29, 3, 0)),
    ("london overlap", "Europe/London", (2026, 10, 25, 1, 15, 0), (2026, 10, 25, 1, 45, 1)),
    ("london after fall", "Europe/London", (2026, 10, 25, 2, 0), (2026, 10, 25, 3, 0)),
    ("lord howe after spring", "Australia/Lord_Howe", (2026, 10, 4, 2, 30), (2026, 10, 4, 3, 30)),
    ("lord howe overlap", "Australia/Lord_Howe", (2026, 4, 5, 1, 40, 0), (2026, 4, 5, 1, 40, 1)),
    ("across midnight", "Europe/Berlin", (2026, 7, 3, 22, 0), (2026, 7, 4, 2, 0)),
    ("sydney", "Australia/Sydney", (2026, 10, 4, 3, 0), (2026, 10, 4, 4, 0)),
    ("kolkata", "Asia/Kolkata", (2026, 8, 20, 11, 0), (2026, 8, 20, 12, 0)),
    ("kathmandu", "Asia/Kathmandu", (2026, 8, 21, 9, 15), (2026, 8, 21, 10, 15)),
    ("utc", "UTC", (2026, 9, 1, 12, 0), (2026, 9, 1, 13, 0)),
    ("denver winter", "America/Denver", (2026, 12, 10, 9, 0), (2026, 12, 10, 17, 0)),
]
ALL_DAY_CASES = [
    ("three days", "America/Denver", date(2026, 9, 24), date(2026, 9, 26)),
    ("month boundary", "Europe/Lisbon", date(2026, 9, 30), date(2026, 10, 2)),
    ("year boundary", "America/New_York", date(2026, 12, 30), date(2027, 1, 2)),
    ("one day far east", "Pacific/Kiritimati", date(2026, 11, 5), date(2026, 11, 5)),
]


def _instant(zone: str, parts: tuple[int, ...]) -> datetime:
    """parts = (y, m, d, h, min[, fold])."""
    *dt, fold = parts if len(parts) == 6 else (*parts, None)
    return local(zone, *dt, fold=fold)


@pytest.fixture
def case_events(create_event, create_venue, create_category):
    london = create_venue(
        name="Caf\u00e9 \u201cLe Nord\u201d; Hall A, B",
        address="1 King's Road",
        city="London",
        country="United Kingdom",
        timezone="Europe/London",
        latitude=51.5,
        longitude=-0.12,
    )
    cat = create_category("AI, Automation; Ops")
    events = []
    for label, zone, start, end in TIMED_CASES:
        events.append(
            create_event(
                title=label,
                start=_instant(zone, start),
                end=_instant(zone, end),
                zone=zone,
                online_url="https://example.com/join?a=1&b=2",
            )
        )
    for label, zone, first, last in ALL_DAY_CASES:
        events.append(
            create_event(
                title=label,
                kind="live",
                venue=london,
                first_day=first,
                last_day=last,
                zone=zone,
                categories=[cat],
            )
        )
    events.append(create_event(title="gone", status="cancelled", zone="America/Chicago"))
    events.append(
        create_event(title="later", status="postponed", first_day=date(2026, 8, 1), zone="UTC")
    )
    return events


def test_cases_cover_the_dst_edges():
    assert _instant("America/New_York", (2026, 11, 1, 1, 30, 0)) + timedelta(hours=1) == (
        _instant("America/New_York", (2026, 11, 1, 1, 30, 1))
    )
    assert _instant("Australia/Lord_Howe", (2026, 4, 5, 1, 40, 1)) - _instant(
        "Australia/Lord_Howe", (2026, 4, 5, 1, 40, 0)
    ) == timedelta(minutes=30)


# What calendar apps must see, written out rather than read from the code under test.
STATUS_IN_FEEDS = {"published": "CONFIRMED", "postponed": "TENTATIVE", "cancelled": "CANCELLED"}
SUMMARY_PREFIX = {"postponed": "Postponed: ", "cancelled": "Cancelled: "}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_every_reader_reads_the_database_instants(reader, case_events):
    data = ical.build_calendar(case_events, FEED, SITE)
    events = read(reader, data)
    assert set(events) == {e.uid for e in case_events}
    for event in case_events:
        got = events[event.uid]
        assert (got["start"], got["end"]) == expected_instants(event), event.title
        assert got["status"] == STATUS_IN_FEEDS[event.status], event.title
        assert got["summary"] == SUMMARY_PREFIX.get(event.status, "") + event.title


def test_statuses_and_summaries(case_events):
    by_title = {e.title: e for e in case_events}
    assert ical.event_summary(by_title["gone"]) == "Cancelled: gone"
    assert ical.event_summary(by_title["later"]) == "Postponed: later"
    block = ical.render_event(by_title["later"], SITE)
    assert "STATUS:TENTATIVE\r\n" in block
    assert "SUMMARY:Postponed: later\r\n" in block
    assert "STATUS:CANCELLED\r\n" in ical.render_event(by_title["gone"], SITE)
    assert "STATUS:CONFIRMED\r\n" in ical.render_event(by_title["ny overlap first"], SITE)


def test_ambiguous_wall_times_are_written_in_utc(case_events):
    event = next(e for e in case_events if e.title == "ny overlap first")
    block = ical.render_event(event, SITE)
    assert "DTSTART:20261101T053000Z\r\n" in block
    assert "DTEND:20261101T063000Z\r\n" in block
    after = next(e for e in case_events if e.title == "ny first hour after spring")
    assert "DTSTART;TZID=America/New_York:20260308T030000\r\n" in ical.render_event(after, SITE)


def test_all_day_dates_are_exclusive(case_events):
    event = next(e for e in case_events if e.title == "year boundary")
    block = ical.render_event(event, SITE)
    assert "DTSTART;VALUE=DATE:20261230\r\n" in block
    assert "DTEND;VALUE=DATE:20270103\r\n" in block


def test_calendar_properties_are_escaped():
    data = ical.build_calendar([], FEED, SITE).decode()
    name = "Telecom Events\\; 5G\\, Optical \\\\ Cloud"
    assert f"\r\nNAME:{name}\r\n" in data
    assert f"\r\nX-WR-CALNAME:{name}\r\n" in data
    assert "\r\nX-WR-CALDESC:Line one\\nLine two\\, with\\; punctuation\r\n" in data
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in data
    assert "X-PUBLISHED-TTL:PT12H\r\n" in data
    assert "METHOD" not in data
    assert str(icalendar.Calendar.from_ical(data)["DESCRIPTION"]) == FEED.description
    # icalendar reads NAME and X-WR-* as unknown (raw) values; vobject unescapes them as text.
    calendar = vobject.readOne(data)
    for name, value in [("name", FEED.name), ("x-wr-calname", FEED.name)]:
        assert calendar.contents[name][0].value == value
    assert calendar.contents["x-wr-caldesc"][0].value == FEED.description


def test_vtimezones_for_every_tzid_and_sorted(case_events):
    data = ical.build_calendar(case_events, FEED, SITE).decode()
    used = set(re.findall(r"TZID=([^:;]+)", data))
    defined = re.findall(r"BEGIN:VTIMEZONE\r\nTZID:([^\r]+)", data)
    assert defined == sorted(defined)
    assert used <= set(defined)
    assert "Pacific/Kiritimati" not in defined  # all-day events use no zone


TEXTS = [
    "Commas, semicolons; backslashes \\ and \\n literal",
    'Quotes "double" and \u2018single\u2019',
    "Line one\nLine two\r\nLine three",
    "Emoji \U0001f680\U0001f469\u200d\U0001f4bb and \u00e9\u00e8",
    "\u65e5\u672c\u8a9e\u306e\u30a6\u30a7\u30d3\u30ca\u30fc "
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u0420\u0443\u0441\u0441\u043a\u0438\u0439 " * 3,
]


def test_text_round_trips_and_lines_are_folded(create_event, create_venue):
    venue = create_venue(name=TEXTS[0] + TEXTS[4][:40], city="\u6771\u4eac", timezone="Asia/Tokyo")
    events = [
        create_event(title=text[:200], summary=text, description=text, venue=venue)
        for text in TEXTS
    ]
    data = ical.build_calendar(events, FEED, SITE)
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.endswith(b"\r\n")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # no UTF-8 sequence split by folding
    calendar = icalendar.Calendar.from_ical(data)
    parsed = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    for event in events:
        got = parsed[event.uid]
        assert str(got["SUMMARY"]) == event.title.replace("\r\n", "\n")
        assert str(got["DESCRIPTION"]).startswith(event.summary.replace("\r\n", "\n").strip())
        assert str(got["LOCATION"]).startswith(venue.name)
    for reader in ("vobject", "icaljs", "libical"):
        summaries = {uid: e["summary"] for uid, e in read(reader, data).items()}
        want = {e.uid: e.title.replace("\r\n", "\n") for e in events}
        if reader == "libical":
            # libical's parser strips white space from both ends of every value (strstriplt in
            # icalparser.c): a title ending in a space, as TEXTS[4] does, loses it there.
            want = {uid: title.strip(" \t\n\v\f\r") for uid, title in want.items()}
        assert summaries == want


@pytest.mark.parametrize("width", range(60, 80))
def test_fold_never_splits_a_character(width):
    line = "DESCRIPTION:" + "a" * (width - 12) + "\U0001f680\u00e9\u65e5" * 30
    folded = ical.fold(line).encode()
    parts = folded.split(b"\r\n")
    assert parts[-1] == b""
    assert all(len(p) <= 75 for p in parts)
    assert all(p.startswith(b" ") for p in parts[1:-1])
    assert b"".join(p[1:] if i else p for i, p in enumerate(parts)).decode() == line


def test_escape_text():
    assert ical.escape_text("a,b;c\\d\ne\r\nf\x07") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_event_properties(create_event, create_venue, create_category):
    venue = create_venue(latitude=39.8886, longitude=-105.0647)
    cats = [create_category("5G"), create_category("Open RAN")]
    event = create_event(
        kind="live", venue=venue, categories=cats, online_url="https://x.test/live",
        description="**Bold** text\n\n- one\n- two", speakers=(("Ann", "CTO", "Acme"),),
    )  # fmt: skip
    block = ical.render_event(event, SITE)
    unfolded = block.replace("\r\n ", "")
    assert f"UID:{event.uid}\r\n" in block
    assert event.uid.endswith("@events.test")
    assert "GEO:39.888600;-105.064700\r\n" in block
    assert "CATEGORIES:5G,Open RAN\r\n" in block
    assert "CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Join online:https://x.test/live" in block
    assert f"URL;VALUE=URI:https://events.test/events/{event.slug}\r\n" in unfolded
    assert "LOCATION:Westin Westminster\\, 10600 Westminster Blvd\\, Denver" in unfolded
    assert "Bold text" in unfolded and "- one\\n" in unfolded
    assert "Join: https://x.test/live" in unfolded
    assert "Speakers:\\n- Ann\\, CTO\\, Acme" in unfolded
    assert f"DTSTAMP:{ical.utc_stamp(event.updated_at)}\r\n" in block
    assert f"CREATED:{ical.utc_stamp(event.created_at)}\r\n" in block
    audio = create_event(kind="audio", online_url="https://x.test/radio")
    assert "FEATURE=AUDIO" in ical.render_event(audio, SITE)


def test_builds_are_byte_identical_and_ordered(case_events):
    first = ical.build_calendar(case_events, FEED, SITE)
    second = ical.build_calendar(list(reversed(case_events)), FEED, SITE)
    assert first == second
    uids = re.findall(rb"\r\nUID:([^\r]+)", first)
    order = sorted(case_events, key=lambda e: (e.start_at, e.id))
    assert [u.decode() for u in uids] == [e.uid for e in order]


# --- revisions: UID, SEQUENCE, LAST-MODIFIED ---------------------------------------------------


def _reload(event_id: int) -> Event:
    db.session.expire_all()
    return db.session.scalars(select(Event).where(Event.id == event_id)).one()


def test_time_edit_keeps_uid_and_raises_sequence(create_event):
    event = create_event(start=datetime(2026, 9, 1, 14, tzinfo=UTC))
    uid, modified = event.uid, event.updated_at
    assert event.sequence == 0
    start = datetime(2026, 9, 2, 15, tzinfo=UTC)
    event.set_timed(start, start + timedelta(hours=1), event.timezone)
    db.session.commit()
    event = _reload(event.id)
    assert (event.uid, event.sequence) == (uid, 1)
    assert event.updated_at > modified
    block = ical.render_event(event, SITE)
    assert f"UID:{uid}\r\n" in block and "SEQUENCE:1\r\n" in block


def test_description_edit_changes_last_modified_only(create_event):
    event = create_event()
    before = ical.render_event(event, SITE)
    event.description = "New words"
    db.session.commit()
    event = _reload(event.id)
    after = ical.render_event(event, SITE)
    assert event.sequence == 0 and "SEQUENCE:0\r\n" in after
    old_lm = re.search(r"LAST-MODIFIED:(\S+)", before).group(1)
    new_lm = re.search(r"LAST-MODIFIED:(\S+)", after).group(1)
    assert new_lm > old_lm


@pytest.mark.parametrize(
    "change",
    ["status", "zone", "all_day", "venue"],
)
def test_sequence_rises_for_place_and_status(change, create_event, create_venue):
    event = create_event()
    if change == "status":
        event.status = "cancelled"
    elif change == "zone":
        event.set_timed(event.start_at, event.end_at, "Europe/Paris")
    elif change == "all_day":
        event.set_all_day(date(2026, 9, 1), date(2026, 9, 1), event.timezone)
    else:
        event.venue = create_venue(name="Elsewhere")
    db.session.commit()
    assert _reload(event.id).sequence == 1


def test_venue_edit_refreshes_its_events_block(create_event, create_venue):
    venue = create_venue()
    event = create_event(kind="live", venue=venue)
    context = ical.block_context(SITE, "rules")
    key = ical.block_key(context, event.version)
    venue.name = "Renamed Hall"
    db.session.commit()
    event = _reload(event.id)
    assert ical.block_key(context, event.version) != key
    assert "LOCATION:Renamed Hall" in ical.render_event(event, SITE)
    assert event.sequence == 1  # the place changed


def test_venue_website_edit_keeps_sequence(create_event, create_venue):
    venue = create_venue()
    event = create_event(kind="live", venue=venue)
    venue.website = "https://example.com/hall"
    db.session.commit()
    assert _reload(event.id).sequence == 0


def test_cached_block_is_used_only_when_key_matches(monkeypatch, create_event):
    event = create_event()
    context = ical.block_context(SITE, "2026a-rules")
    block, key, fresh = ical.cached_block(event, SITE, context)
    assert fresh and block == ical.render_event(event, SITE)
    event.ical_block, event.ical_block_key = "stored", key
    assert ical.cached_block(event, SITE, context) == ("stored", key, False)
    other_site = ical.Site("https://other.test")
    assert ical.cached_block(event, other_site, ical.block_context(other_site, "2026a-rules"))[2]
    # Other zone rules (a tzdata upgrade) make every stored block stale.
    assert ical.cached_block(event, SITE, ical.block_context(SITE, "2026b-rules"))[2]
    # So does another Markdown renderer: a DESCRIPTION is the description as text.
    monkeypatch.setattr(ical, "MARKUP_VERSION", "next")
    assert ical.cached_block(event, SITE, ical.block_context(SITE, "2026a-rules"))[2]


def test_stored_non_http_links_never_reach_the_feed(create_event):
    event = create_event(
        online_url="javascript:alert(1)",
        registration_url="data:text/html,x",
        recording_url="https://example.com/rec",
    )
    text = ical.render_event(event, SITE)
    assert "javascript:" not in text and "data:" not in text
    assert "CONFERENCE" not in text
    assert "Recording: https://example.com/rec" in text.replace("\r\n ", "")
