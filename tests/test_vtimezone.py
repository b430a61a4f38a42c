"""VTIMEZONEs from feeds/vtimezone.py, read back by icalendar, vobject and Mozilla ical.js."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import ical_readers
import pytest
from ical_readers import READERS, FeedReadError, ReaderUnavailable, read_with_icalendar
from icalendar import Calendar, Event, Timezone

from events_app.feeds.vtimezone import vtimezone_for, vtimezones_for, wall_time_is_ambiguous

RANGE_START = datetime(2026, 1, 1, tzinfo=UTC)
RANGE_END = datetime(2028, 1, 1, tzinfo=UTC)
ZONES = [
    "America/New_York",
    "America/Denver",
    "America/St_Johns",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Berlin",
    "Europe/Dublin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "UTC",
]
QUARTER = timedelta(minutes=15)
DURATION = timedelta(minutes=45)
DTSTAMP = datetime(2025, 12, 1, 12, 0, tzinfo=UTC)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def observances(vtz: Timezone) -> list[tuple[str, datetime, timedelta, timedelta, str]]:
    return [
        (
            sub.name,
            sub["DTSTART"].dt,
            sub["TZOFFSETFROM"].td,
            sub["TZOFFSETTO"].td,
            str(sub["TZNAME"]),
        )
        for sub in vtz.subcomponents
    ]


@functools.cache
def zoneinfo_transitions(zone_name: str) -> tuple[datetime, ...]:
    """UTC instants in the range where zoneinfo's offset changes (a 15-minute scan: every change
    in these zones falls on a quarter hour in UTC), found independently of the module."""
    zone = ZoneInfo(zone_name)
    found = []
    instant = RANGE_START
    offset = instant.astimezone(zone).utcoffset()
    while instant < RANGE_END:
        instant += QUARTER
        new_offset = instant.astimezone(zone).utcoffset()
        if new_offset != offset:
            assert (instant - timedelta(seconds=1)).astimezone(zone).utcoffset() == offset
            found.append(instant)
            offset = new_offset
    return tuple(found)


def sample_instants(zone_name: str) -> list[datetime]:
    """Every quarter hour from two hours before to two hours after each change, plus a spread
    of ordinary instants (changing time of day) across the range."""
    instants = {t + k * QUARTER for t in zoneinfo_transitions(zone_name) for k in range(-8, 9)}
    instant = RANGE_START
    while instant < RANGE_END - DURATION:
        instants.add(instant)
        instant += timedelta(days=17, hours=5, minutes=15)
    return sorted(instants)


def write_time(event: Event, name: str, instant: datetime, zone_name: str) -> bool:
    """Write the instant as wall time with the zone's TZID, as the feeds do, or in UTC if that
    wall time is ambiguous. Return whether TZID was used.

    icalendar never writes TZID=UTC (it drops that parameter and writes the "Z" form), so times
    in the UTC zone come out in UTC.
    """
    local = instant.astimezone(ZoneInfo(zone_name))
    if wall_time_is_ambiguous(local.replace(tzinfo=None), zone_name):
        event.add(name, instant)
        return False
    event.add(name, local)
    return zone_name != "UTC"


def new_calendar(zone_names: list[str]) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", "-//events-app tests//vtimezone//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    for vtz in vtimezones_for(zone_names, RANGE_START, RANGE_END):
        calendar.add_component(vtz)
    return calendar


def new_event(uid: str, summary: str, status: str) -> Event:
    event = Event()
    event.add("UID", uid)
    event.add("DTSTAMP", DTSTAMP)
    event.add("SUMMARY", summary)
    event.add("STATUS", status)
    return event


@functools.cache
def zone_calendar(zone_name: str) -> tuple[bytes, dict, dict[datetime, bool]]:
    """Return (ics bytes, expected normalized events, {start instant: written with TZID})."""
    calendar = new_calendar([zone_name])
    expected: dict[str, dict] = {}
    start_with_tzid: dict[datetime, bool] = {}
    for i, start in enumerate(sample_instants(zone_name)):
        uid = f"{zone_name}-{i}@vtimezone.test"
        status = "CANCELLED" if i % 7 == 3 else "CONFIRMED"
        event = new_event(uid, f"Webinar {i} in {zone_name}", status)
        start_with_tzid[start] = write_time(event, "DTSTART", start, zone_name)
        write_time(event, "DTEND", start + DURATION, zone_name)
        calendar.add_component(event)
        expected[uid] = {
            "start": start,
            "end": start + DURATION,
            "status": status,
            "summary": f"Webinar {i} in {zone_name}",
        }
    # One all-day event (Sep 24-26): dates, exclusive DTEND, never converted.
    event = new_event(f"{zone_name}-all-day@vtimezone.test", "Summit, Denver", "CONFIRMED")
    event.add("DTSTART", date(2026, 9, 24))
    event.add("DTEND", date(2026, 9, 27))
    calendar.add_component(event)
    expected[str(event["UID"])] = {
        "start": date(2026, 9, 24),
        "end": date(2026, 9, 27),
        "status": "CONFIRMED",
        "summary": "Summit, Denver",
    }
    return calendar.to_ical(), expected, start_with_tzid


def read(reader: str, data: bytes) -> dict:
    try:
        return READERS[reader](data)
    except ReaderUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{reader} reader unavailable on CI: {exc}")
        pytest.skip(f"{reader} reader unavailable: {exc}")


# --- what the three readers make of the generated VTIMEZONEs -------------------------------------


@pytest.mark.parametrize("zone_name", ZONES)
def test_calendar_covers_every_change(zone_name: str) -> None:
    """Starts in the first hour after each change are written with TZID; after a fall-back,
    the repeated wall times go out in UTC and the hour after them with TZID."""
    zone = ZoneInfo(zone_name)
    _, _, start_with_tzid = zone_calendar(zone_name)
    for change in zoneinfo_transitions(zone_name):
        shift = (
            change.astimezone(zone).utcoffset() - (change - QUARTER).astimezone(zone).utcoffset()
        )
        repeated = [t for t in start_with_tzid if change + shift <= t < change - shift]
        assert len(repeated) == max(0, -2 * shift // QUARTER)
        assert not any(start_with_tzid[t] for t in repeated)
        first_hour_start = change if shift > timedelta(0) else change - shift
        first_hour = [t for t in start_with_tzid if 0 <= (t - first_hour_start) / QUARTER < 4]
        assert len(first_hour) == 4
        assert all(start_with_tzid[t] for t in first_hour), f"UTC times just after {change}"
    if zoneinfo_transitions(zone_name):
        assert not all(start_with_tzid.values()), "no ambiguous time was written in UTC"


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("reader", list(READERS))
def test_readers_give_zoneinfo_instants(reader: str, zone_name: str) -> None:
    data, expected, _ = zone_calendar(zone_name)
    assert read(reader, data) == expected


def test_icalendar_pytz_style_zones_agree() -> None:
    """icalendar's own VTIMEZONE interpreter (pytz provider), besides the dateutil-based one."""
    pytest.importorskip("pytz")
    for zone_name in ZONES:
        data, expected, _ = zone_calendar(zone_name)
        assert read_with_icalendar(data, provider="pytz") == expected, zone_name


# --- the VTIMEZONE components themselves ----------------------------------------------------------


def test_new_york_2026() -> None:
    vtz = vtimezone_for("America/New_York", RANGE_START, datetime(2027, 1, 1, tzinfo=UTC))
    assert str(vtz["TZID"]) == "America/New_York"
    assert observances(vtz) == [
        ("STANDARD", datetime(2025, 11, 2, 1, 0), hours(-5), hours(-5), "EST"),
        ("DAYLIGHT", datetime(2026, 3, 8, 2, 0), hours(-5), hours(-4), "EDT"),
        ("STANDARD", datetime(2026, 11, 1, 2, 0), hours(-4), hours(-5), "EST"),
    ]
    text = vtz.to_ical().decode()
    assert "DTSTART:20260308T020000\r\n" in text
    assert "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n" in text
    assert "DTSTART:20261101T020000\r\n" in text
    assert "RDATE" not in text and "RRULE" not in text


@pytest.mark.parametrize(
    ("zone_name", "offset", "tzname"),
    [
        ("Asia/Kolkata", hours(5.5), "IST"),
        ("Asia/Kathmandu", hours(5.75), "+0545"),
        ("UTC", hours(0), "UTC"),
    ],
)
def test_zone_without_changes_has_one_standard(zone_name: str, offset: timedelta, tzname: str):
    vtz = vtimezone_for(zone_name, RANGE_START, RANGE_END)
    assert observances(vtz) == [("STANDARD", datetime(1970, 1, 1), offset, offset, tzname)]


def test_lord_howe_half_hour_shift() -> None:
    vtz = vtimezone_for("Australia/Lord_Howe", RANGE_START, datetime(2027, 1, 1, tzinfo=UTC))
    assert observances(vtz)[1:] == [
        ("STANDARD", datetime(2026, 4, 5, 2, 0), hours(11), hours(10.5), "+1030"),
        ("DAYLIGHT", datetime(2026, 10, 4, 2, 0), hours(10.5), hours(11), "+11"),
    ]
    assert "TZOFFSETTO:+1030\r\n" in vtz.to_ical().decode()


def test_odd_offsets_are_written_exactly() -> None:
    chatham = vtimezone_for("Pacific/Chatham", RANGE_START, datetime(2027, 1, 1, tzinfo=UTC))
    assert observances(chatham)[1:] == [
        ("STANDARD", datetime(2026, 4, 5, 3, 45), hours(13.75), hours(12.75), "+1245"),
        ("DAYLIGHT", datetime(2026, 9, 27, 2, 45), hours(12.75), hours(13.75), "+1345"),
    ]
    st_johns = vtimezone_for("America/St_Johns", RANGE_START, RANGE_END).to_ical().decode()
    assert "TZOFFSETFROM:-0330\r\nTZOFFSETTO:-0230\r\n" in st_johns


@pytest.mark.parametrize("zone_name", ZONES)
def test_observances_match_zoneinfo(zone_name: str) -> None:
    """One observance per change, at the right instant, typed by zoneinfo's dst(); the first one
    holds the offset in force at the start of the range."""
    zone = ZoneInfo(zone_name)
    vtz = vtimezone_for(zone_name, RANGE_START, RANGE_END)
    first, *changes = observances(vtz)
    in_force = RANGE_START.astimezone(zone)
    assert first[0] == ("DAYLIGHT" if in_force.dst() else "STANDARD")
    assert first[1] < RANGE_START.replace(tzinfo=None)
    assert first[2:] == (in_force.utcoffset(), in_force.utcoffset(), in_force.tzname())
    instants = [
        (dtstart - offset_from).replace(tzinfo=UTC) for _, dtstart, offset_from, *_ in changes
    ]
    assert tuple(instants) == zoneinfo_transitions(zone_name)
    previous_to = first[3]
    for (kind, _, offset_from, offset_to, tzname), instant in zip(changes, instants, strict=True):
        local = instant.astimezone(zone)
        assert kind == ("DAYLIGHT" if local.dst() else "STANDARD")
        assert (offset_from, offset_to, tzname) == (previous_to, local.utcoffset(), local.tzname())
        previous_to = offset_to


def test_dublin_negative_dst_is_typed_by_dst_sign() -> None:
    """tzdata's main data gives Irish winter time (GMT) a negative dst(), so GMT observances are
    DAYLIGHT and IST ones STANDARD; whatever the sign, the type follows dst() != 0."""
    vtz = vtimezone_for("Europe/Dublin", RANGE_START, RANGE_END)
    kinds = {name: kind for kind, _, _, _, name in observances(vtz)}
    winter = datetime(2026, 1, 15, tzinfo=ZoneInfo("Europe/Dublin"))
    summer = datetime(2026, 7, 15, tzinfo=ZoneInfo("Europe/Dublin"))
    assert kinds["GMT"] == ("DAYLIGHT" if winter.dst() else "STANDARD")
    assert kinds["IST"] == ("DAYLIGHT" if summer.dst() else "STANDARD")
    assert kinds["IST"] != kinds["GMT"]


def test_range_starting_on_a_change() -> None:
    change = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # New York spring-forward
    on = observances(vtimezone_for("America/New_York", change, datetime(2026, 6, 1, tzinfo=UTC)))
    assert on == [("DAYLIGHT", datetime(2026, 3, 8, 3, 0), hours(-4), hours(-4), "EDT")]
    just_before = change - timedelta(seconds=1)
    before = observances(
        vtimezone_for("America/New_York", just_before, datetime(2026, 6, 1, tzinfo=UTC))
    )
    assert [o[0] for o in before] == ["STANDARD", "DAYLIGHT"]
    assert before[1] == ("DAYLIGHT", datetime(2026, 3, 8, 2, 0), hours(-5), hours(-4), "EDT")


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="aware"):
        vtimezone_for("Europe/Berlin", datetime(2026, 1, 1), RANGE_END)
    with pytest.raises(ValueError, match="aware"):
        vtimezone_for("Europe/Berlin", RANGE_START, datetime(2027, 1, 1))
    with pytest.raises(ValueError, match="before"):
        vtimezone_for("Europe/Berlin", RANGE_END, RANGE_START)
    with pytest.raises(LookupError):
        vtimezone_for("Mars/Olympus_Mons", RANGE_START, RANGE_END)


# --- determinism -------------------------------------------------------------------------------

DETERMINISM_ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]


def feed_bytes(zone_names) -> bytes:
    return b"".join(vtz.to_ical() for vtz in vtimezones_for(zone_names, RANGE_START, RANGE_END))


def test_sorted_and_independent_of_input_order() -> None:
    result = vtimezones_for(DETERMINISM_ZONES + ["Europe/Berlin"], RANGE_START, RANGE_END)
    assert [str(vtz["TZID"]) for vtz in result] == sorted(DETERMINISM_ZONES)
    forward = feed_bytes(DETERMINISM_ZONES)
    assert feed_bytes(reversed(DETERMINISM_ZONES)) == forward
    assert feed_bytes(set(DETERMINISM_ZONES)) == forward
    assert feed_bytes(DETERMINISM_ZONES) == forward


def test_same_bytes_under_any_hash_seed() -> None:
    module = Path(__file__).resolve().parent.parent / "events_app" / "feeds" / "vtimezone.py"
    code = (  # loads the module by path, so the Flask app package is not imported
        "import importlib.util, sys; from datetime import datetime, UTC; "
        f"spec = importlib.util.spec_from_file_location('vtimezone', {str(module)!r}); "
        "vtimezone = importlib.util.module_from_spec(spec); spec.loader.exec_module(vtimezone); "
        f"zones = set({DETERMINISM_ZONES!r}); "
        "start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC); "
        "vtzs = vtimezone.vtimezones_for(zones, start, end); "
        "sys.stdout.buffer.write(b''.join(v.to_ical() for v in vtzs))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert outputs == {feed_bytes(DETERMINISM_ZONES)}


# --- ambiguous wall times ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wall", "zone_name", "ambiguous"),
    [
        (datetime(2026, 11, 1, 1, 30), "America/New_York", True),  # fall-back: 01:00-02:00 twice
        (datetime(2026, 11, 1, 1, 0), "America/New_York", True),
        (datetime(2026, 11, 1, 2, 0), "America/New_York", False),
        (datetime(2026, 11, 1, 0, 59), "America/New_York", False),
        (datetime(2026, 3, 8, 2, 30), "America/New_York", False),  # spring-forward gap
        (datetime(2026, 7, 1, 14, 0), "America/New_York", False),
        (datetime(2026, 4, 5, 1, 45), "Australia/Lord_Howe", True),  # 30-minute overlap
        (datetime(2026, 4, 5, 1, 15), "Australia/Lord_Howe", False),
        (datetime(2026, 4, 5, 3, 0), "Pacific/Chatham", True),  # 02:45-03:45 twice
        (datetime(2026, 10, 25, 1, 30), "Europe/Dublin", True),
        (datetime(2026, 10, 25, 1, 30), "Europe/London", True),
        (datetime(2026, 11, 1, 1, 30), "Asia/Kolkata", False),
        (datetime(2026, 11, 1, 1, 30), "UTC", False),
    ],
)
def test_wall_time_is_ambiguous(wall: datetime, zone_name: str, ambiguous: bool) -> None:
    assert wall_time_is_ambiguous(wall, zone_name) is ambiguous


def test_wall_time_is_ambiguous_wants_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        wall_time_is_ambiguous(datetime(2026, 11, 1, 1, 30, tzinfo=UTC), "America/New_York")


# --- the readers enforce the feed contract -------------------------------------------------------

CONTRACT_BREAKS = {
    "floating time": b"DTSTART:20260310T140000\r\n",
    "TZID without VTIMEZONE": b"DTSTART;TZID=Europe/Paris:20260310T140000\r\n",
}


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("problem", list(CONTRACT_BREAKS))
def test_readers_refuse_contract_breaks(reader: str, problem: str) -> None:
    calendar = new_calendar(["Europe/Berlin"])
    event = new_event("broken@vtimezone.test", "Broken", "CONFIRMED")
    event.add("DTSTART", datetime(2026, 3, 10, 14, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    calendar.add_component(event)
    line = b"DTSTART;TZID=Europe/Berlin:20260310T140000\r\n"
    data = calendar.to_ical()
    assert line in data
    with pytest.raises(FeedReadError, match="floating|no VTIMEZONE"):
        read(reader, data.replace(line, CONTRACT_BREAKS[problem]))


@pytest.mark.parametrize("reader", list(READERS))
def test_readers_refuse_repeated_uid(reader: str) -> None:
    calendar = new_calendar([])
    for day in (1, 2):
        event = new_event("twice@vtimezone.test", "Twice", "CONFIRMED")
        event.add("DTSTART", datetime(2026, 3, day, 14, 0, tzinfo=UTC))
        calendar.add_component(event)
    with pytest.raises(FeedReadError, match="twice@vtimezone.test"):
        read(reader, calendar.to_ical())


def test_icaljs_without_node_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ical_readers.shutil, "which", lambda name: None)
    with pytest.raises(ReaderUnavailable, match="node"):
        ical_readers.read_with_icaljs(b"")
