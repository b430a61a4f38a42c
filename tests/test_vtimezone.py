"""VTIMEZONEs from feeds/vtimezone.py, read back by icalendar, vobject, Mozilla ical.js and libical:
in a sample around 2026 for many zones, and over the whole covered span (1970-2099) for zones with
yearly rules (New York, London, Sydney, Santiago) and without (Casablanca)."""

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
from tools import require_tool

from events_app.feeds import vtimezone as vtimezone_module
from events_app.feeds.vtimezone import (
    COVERED_END,
    COVERED_START,
    covers,
    expand,
    observances_for,
    onsets,
    vtimezone_for,
    vtimezones_for,
    wall_time_is_ambiguous,
)

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


@functools.cache
def cached_vtimezone(zone_name: str) -> Timezone:
    """The module computes a zone's VTIMEZONE anew each time (the app caches the text)."""
    return vtimezone_for(zone_name)


@functools.cache
def cached_observances(zone_name: str) -> list:
    return observances_for(zone_name)


def new_calendar(zone_names: list[str]) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", "-//events-app tests//vtimezone//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    for name in sorted(set(zone_names)):
        calendar.add_component(cached_vtimezone(name))
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


# --- what the readers make of the generated VTIMEZONEs -------------------------------------------


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


def rrules(vtz: Timezone) -> list[tuple[str, datetime, str | None]]:
    """(kind, DTSTART, RRULE text or None) of each observance."""
    return [
        (sub.name, sub["DTSTART"].dt, sub["RRULE"].to_ical().decode() if "RRULE" in sub else None)
        for sub in vtz.subcomponents
    ]


def test_new_york_in_the_yearly_rule_form() -> None:
    vtz = cached_vtimezone("America/New_York")
    assert str(vtz["TZID"]) == "America/New_York"
    first, *rest = observances(vtz)
    assert first == ("STANDARD", datetime(1970, 1, 1), hours(-5), hours(-5), "EST")
    # The rule in force: since 2007, the second Sunday of March and the first of November.
    assert rrules(vtz)[-2:] == [
        ("DAYLIGHT", datetime(2007, 3, 11, 2, 0), "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"),
        ("STANDARD", datetime(2007, 11, 4, 2, 0), "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"),
    ]
    assert observances(vtz)[-2][2:] == (hours(-5), hours(-4), "EDT")
    # The rules before it end with their last onset: 1987-2006, the first Sunday of April.
    assert (
        "DAYLIGHT",
        datetime(1987, 4, 5, 2, 0),
        "FREQ=YEARLY;UNTIL=20060402T070000Z;BYDAY=1SU;BYMONTH=4",
    ) in rrules(vtz)
    # The energy crisis of 1974 and 1975 followed no rule: explicit onsets.
    assert ("DAYLIGHT", datetime(1974, 1, 6, 2, 0), None) in rrules(vtz)
    text = vtz.to_ical().decode()
    assert "DTSTART:20070311T020000\r\n" in text
    assert "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n" in text
    assert len(text) < 1500


def test_an_until_holds_its_last_onset_in_utc_and_as_wall_time() -> None:
    """RFC 5545 wants UNTIL in UTC; dateutil (icalendar, vobject) compares it with wall times.
    East of Greenwich the wall time is the later reading: London's 1972-1980 March rule."""
    vtz = cached_vtimezone("Europe/London")
    assert (
        "DAYLIGHT",
        datetime(1972, 3, 19, 2, 0),
        "FREQ=YEARLY;UNTIL=19800316T020000Z;BYDAY=3SU;BYMONTH=3",
    ) in rrules(vtz)
    assert (
        "STANDARD",
        datetime(1971, 10, 31, 3, 0),  # 02:00 UTC, 03:00 BST
        "FREQ=YEARLY;UNTIL=19751026T030000Z;BYDAY=-1SU;BYMONTH=10",
    ) in rrules(vtz)


def test_first_sunday_on_or_after_a_day() -> None:
    """Chile changes on the first Sunday on or after the 2nd (tzdata's "Sun>=2"): no nth
    weekday of the month gives that, BYMONTHDAY with BYDAY does."""
    found = rrules(cached_vtimezone("America/Santiago"))
    on_or_after_2nd = "FREQ=YEARLY;BYDAY=SU;BYMONTHDAY=2,3,4,5,6,7,8;BYMONTH="
    assert ("STANDARD", datetime(2019, 4, 7, 0, 0), on_or_after_2nd + "4") in found
    assert ("DAYLIGHT", datetime(2023, 9, 3, 0, 0), on_or_after_2nd + "9") in found


def test_casablanca_is_written_onset_by_onset() -> None:
    """Morocco leaves summer time for Ramadan, which moves by the lunar calendar: no yearly rule,
    every onset explicit until the last one zoneinfo knows."""
    vtz = cached_vtimezone("Africa/Casablanca")
    changes = onsets("Africa/Casablanca")
    recent = [o for o in changes if o.at.year >= 2019]
    assert len(recent) > 100
    explicit = {start for _, start, rule in rrules(vtz) if rule is None}
    assert {o.wall for o in recent} <= explicit
    assert all(rule is None for _, start, rule in rrules(vtz) if start.year >= 2019)


@pytest.mark.parametrize(
    ("zone_name", "offset", "tzname"),
    [
        ("Asia/Kolkata", hours(5.5), "IST"),
        ("Asia/Kathmandu", hours(5.75), "+0545"),
        ("UTC", hours(0), "UTC"),
    ],
)
def test_zone_without_changes_has_one_standard(zone_name: str, offset: timedelta, tzname: str):
    vtz = cached_vtimezone(zone_name)
    if zone_name == "Asia/Kathmandu":  # it moved from +0530 in 1986
        assert observances(vtz)[-1] == (
            "STANDARD",
            datetime(1986, 1, 1),
            hours(5.5),
            offset,
            tzname,
        )
        return
    assert observances(vtz) == [("STANDARD", datetime(1970, 1, 1), offset, offset, tzname)]


def expanded_in(zone_name: str, year: int) -> list[tuple[datetime, timedelta, timedelta, str]]:
    """(wall time of the onset, from, to, name) of the zone's onsets in a year, as written."""
    found = expand(cached_observances(zone_name)[1:], COVERED_END)
    return [(o.wall, o.offset_from, o.offset_to, o.name) for o in found if o.wall.year == year]


def test_lord_howe_half_hour_shift() -> None:
    assert expanded_in("Australia/Lord_Howe", 2026) == [
        (datetime(2026, 4, 5, 2, 0), hours(11), hours(10.5), "+1030"),
        (datetime(2026, 10, 4, 2, 0), hours(10.5), hours(11), "+11"),
    ]
    assert "TZOFFSETTO:+1030\r\n" in cached_vtimezone("Australia/Lord_Howe").to_ical().decode()


def test_odd_offsets_are_written_exactly() -> None:
    assert expanded_in("Pacific/Chatham", 2026) == [
        (datetime(2026, 4, 5, 3, 45), hours(13.75), hours(12.75), "+1245"),
        (datetime(2026, 9, 27, 2, 45), hours(12.75), hours(13.75), "+1345"),
    ]
    st_johns = cached_vtimezone("America/St_Johns").to_ical().decode()
    assert "TZOFFSETFROM:-0330\r\nTZOFFSETTO:-0230\r\n" in st_johns


SPAN_ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "America/Santiago"]
SPAN_ZONES += ["Africa/Casablanca"]
SPAN_STEP = 3 * 3600  # seconds; not the module's 6 hours: an independent scan


@functools.cache
def span_transitions(zone_name: str) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """(instant, old offset, new offset) of every change zoneinfo has in the covered span,
    found by a scan of its own (every 3 hours, then to the second)."""
    zone = ZoneInfo(zone_name)

    def offset(timestamp: int) -> timedelta:
        return datetime.fromtimestamp(timestamp, zone).utcoffset()

    found = []
    low = int(datetime(1970, 1, 1, tzinfo=zone).timestamp())
    stop = int(COVERED_END.timestamp())
    while low < stop:
        high = min(low + SPAN_STEP, stop)
        if offset(high) != offset(low):
            a, b = low, high
            while b - a > 1:
                mid = (a + b) // 2
                a, b = (mid, b) if offset(mid) == offset(a) else (a, mid)
            found.append((datetime.fromtimestamp(b, UTC), offset(a), offset(b)))
        low = high
    return tuple(found)


@pytest.mark.parametrize("zone_name", [*ZONES, "America/Santiago", "Africa/Casablanca"])
def test_observances_match_zoneinfo_onset_by_onset(zone_name: str) -> None:
    """Expanded as a reader expands them, the observances give every change zoneinfo has in
    the covered span, at the second, and no other; each typed and named as zoneinfo has it."""
    zone = ZoneInfo(zone_name)
    first, *rest = cached_observances(zone_name)
    in_force = datetime(1970, 1, 1, tzinfo=zone)
    assert first.first.wall == datetime(1970, 1, 1) and first.rule is None
    assert first.first.offset_to == in_force.utcoffset() == first.first.offset_from
    found = expand(rest, COVERED_END)
    assert [(o.at, o.offset_from, o.offset_to) for o in found] == list(span_transitions(zone_name))
    for onset in found:
        local = onset.at.astimezone(zone)
        assert (onset.dst, onset.name) == (bool(local.dst()), local.tzname())


def test_dublin_negative_dst_is_typed_by_dst_sign() -> None:
    """tzdata's main data gives Irish winter time (GMT) a negative dst(), so GMT observances are
    DAYLIGHT and IST ones STANDARD; whatever the sign, the type follows dst() != 0."""
    vtz = cached_vtimezone("Europe/Dublin")
    kinds = {name: kind for kind, _, _, _, name in observances(vtz)}
    winter = datetime(2026, 1, 15, tzinfo=ZoneInfo("Europe/Dublin"))
    summer = datetime(2026, 7, 15, tzinfo=ZoneInfo("Europe/Dublin"))
    assert kinds["GMT"] == ("DAYLIGHT" if winter.dst() else "STANDARD")
    assert kinds["IST"] == ("DAYLIGHT" if summer.dst() else "STANDARD")
    assert kinds["IST"] != kinds["GMT"]


def test_onsets_that_no_rule_expands_to_are_written_explicitly(monkeypatch) -> None:
    """Should the yearly form ever disagree with zoneinfo, every onset is written on its own."""
    monkeypatch.setattr(vtimezone_module, "expand", lambda observances, end: [])
    first, *rest = observances_for("America/New_York")
    assert all(o.rule is None for o in rest)
    assert [o.first for o in rest] == onsets("America/New_York", first.first.at, COVERED_END)


def test_the_covered_span() -> None:
    assert covers(COVERED_START) and covers(datetime(2099, 12, 31, 23, 59, tzinfo=UTC))
    assert not covers(COVERED_START - timedelta(seconds=1)) and not covers(COVERED_END)
    # The first observance (1970-01-01 00:00 local) starts before the span in every zone.
    assert datetime(1970, 1, 1, tzinfo=ZoneInfo("Pacific/Kiritimati")) < COVERED_START
    assert datetime(1970, 1, 1, tzinfo=ZoneInfo("Pacific/Pago_Pago")) < COVERED_START


def test_unknown_zone() -> None:
    with pytest.raises(LookupError):
        vtimezone_for("Mars/Olympus_Mons")


# --- the whole covered span, in every reader -----------------------------------------------------


@functools.cache
def span_calendar(zone_name: str) -> tuple[bytes, dict]:
    """Events on either side of every change in the covered span, and a spread across it."""
    calendar = new_calendar([zone_name])
    quarter = timedelta(minutes=15)
    instants = {t + k * quarter for t, _, _ in span_transitions(zone_name) for k in (-1, 0, 1, 4)}
    instant = COVERED_START + timedelta(hours=1)
    while instant < COVERED_END - timedelta(days=1):
        instants.add(instant)
        instant += timedelta(days=97, hours=5, minutes=15)
    expected = {}
    for i, start in enumerate(sorted(instants)):
        uid = f"{zone_name}-span-{i}@vtimezone.test"
        event = new_event(uid, f"Event {i}", "CONFIRMED")
        write_time(event, "DTSTART", start, zone_name)
        write_time(event, "DTEND", start + DURATION, zone_name)
        calendar.add_component(event)
        expected[uid] = {"start": start, "end": start + DURATION}
    return calendar.to_ical(), expected


@pytest.mark.parametrize("zone_name", SPAN_ZONES)
@pytest.mark.parametrize("reader", list(READERS))
def test_readers_give_zoneinfo_instants_across_the_covered_span(reader: str, zone_name: str):
    data, expected = span_calendar(zone_name)
    found = read(reader, data)
    wrong = {
        uid: (want["start"], found[uid]["start"])
        for uid, want in expected.items()
        if (found[uid]["start"], found[uid]["end"]) != (want["start"], want["end"])
    }
    assert not wrong
    assert len(found) == len(expected) > 1000


# --- determinism -------------------------------------------------------------------------------

DETERMINISM_ZONES = ["Europe/Berlin", "Asia/Kolkata", "Pacific/Chatham"]


def feed_bytes(zone_names) -> bytes:
    return b"".join(vtz.to_ical() for vtz in vtimezones_for(zone_names))


def test_sorted_and_independent_of_input_order() -> None:
    result = vtimezones_for(DETERMINISM_ZONES + ["Europe/Berlin"])
    assert [str(vtz["TZID"]) for vtz in result] == sorted(DETERMINISM_ZONES)
    forward = b"".join(vtz.to_ical() for vtz in result)
    assert feed_bytes(reversed(DETERMINISM_ZONES)) == forward
    assert feed_bytes(DETERMINISM_ZONES) == forward


def test_same_bytes_under_any_hash_seed() -> None:
    module = Path(__file__).resolve().parent.parent / "events_app" / "feeds" / "vtimezone.py"
    code = (  # loads the module by path, so the Flask app package is not imported
        "import importlib.util, sys; "
        f"spec = importlib.util.spec_from_file_location('vtimezone', {str(module)!r}); "
        "vtimezone = importlib.util.module_from_spec(spec); "
        "sys.modules['vtimezone'] = vtimezone; spec.loader.exec_module(vtimezone); "
        f"vtzs = vtimezone.vtimezones_for(set({DETERMINISM_ZONES!r})); "
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


def test_libical_without_debians_python_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ical_readers, "LIBICAL_PYTHON", "/nonexistent/python3")
    with pytest.raises(ReaderUnavailable, match="apt-get install gir1.2-ical-3.0"):
        ical_readers.read_with_libical(b"")


def kolkata_feed(offset: bytes) -> bytes:
    """An event at 14:00 in Kolkata (08:30 UTC) with a VTIMEZONE that gives Kolkata ``offset``."""
    calendar = new_calendar(["Asia/Kolkata"])
    event = new_event("kolkata@vtimezone.test", "Kolkata", "CONFIRMED")
    event.add("DTSTART", datetime(2026, 3, 10, 14, 0, tzinfo=ZoneInfo("Asia/Kolkata")))
    calendar.add_component(event)
    data = calendar.to_ical()
    assert data.count(b"+0530") == 2 and b"DTSTART;TZID=Asia/Kolkata:20260310T140000" in data
    return data.replace(b"+0530", offset)


@pytest.mark.parametrize("reader", list(READERS))
def test_readers_follow_the_files_vtimezone_not_their_own_zones(reader: str) -> None:
    """A VTIMEZONE giving Kolkata +03:30 moves the event two hours later in every reader: none
    reads the TZID from a zone database of its own (which would give 08:30 UTC)."""
    assert read(reader, kolkata_feed(b"+0530"))["kolkata@vtimezone.test"]["start"] == datetime(
        2026, 3, 10, 8, 30, tzinfo=UTC
    )
    assert read(reader, kolkata_feed(b"+0330"))["kolkata@vtimezone.test"]["start"] == datetime(
        2026, 3, 10, 10, 30, tzinfo=UTC
    )


def test_one_libical_process_reads_each_file_with_its_own_vtimezone() -> None:
    """libical keeps no zone from one file to the next (vobject keeps the first definition): in
    one process, the second file's wrong Kolkata gives its event a wrong instant."""
    try:
        first, second = ical_readers.read_many_with_libical(
            [kolkata_feed(b"+0530"), kolkata_feed(b"+0330")]
        )
    except ReaderUnavailable as exc:
        require_tool(f"libical reader unavailable: {exc}")
    assert first["kolkata@vtimezone.test"]["start"] == datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
    assert second["kolkata@vtimezone.test"]["start"] == datetime(2026, 3, 10, 10, 30, tzinfo=UTC)


# --- kept per host: no worker's first feed waits for the zones' scans ---------------------------


def _kept_file(app, zone_name: str) -> Path:
    from urllib.parse import quote

    found = list(Path(app.instance_path, "vtimezones").glob(f"*/{quote(zone_name, '')}"))
    assert len(found) == 1, found
    return found[0]


def test_a_zones_vtimezone_is_kept_under_the_instance_folder_and_read_back(
    client, app_ctx, create_event
) -> None:
    from events_app.extensions import db
    from events_app.feeds import ical
    from tests.conftest import NOW

    app_ctx.config["NOW"] = NOW
    event = create_event(title="Kept zone", zone="America/Chicago")
    body = client.get("/feeds/all.ics").get_data(as_text=True)
    assert "SUMMARY:Kept zone" in body
    kept = _kept_file(app_ctx, "America/Chicago")
    kept_text = kept.read_bytes().decode()
    assert kept_text.startswith("BEGIN:VTIMEZONE\r\n") and kept_text in body
    # A new worker (no memo) reads the file: a mark put into it shows in its next feed.
    kept.write_bytes(kept_text.replace("TZID:", "X-KEPT:yes\r\nTZID:", 1).encode())
    ical._vtimezone_text.cache_clear()
    event.title = "Kept zone, edited"
    db.session.commit()
    body = client.get("/feeds/all.ics").get_data(as_text=True)
    assert "X-KEPT:yes\r\nTZID:America/Chicago\r\n" in body


def test_render_blocks_makes_the_vtimezones_of_the_zones_in_use(app_ctx, runner, create_event):
    create_event(zone="Africa/Casablanca")
    create_event(zone="Europe/London", first_day=date(2026, 9, 1))  # all day: no zone written
    result = runner.invoke(args=["feeds", "render-blocks", "--if-site-url"])
    assert result.exit_code == 0, result.output
    assert "BEGIN:VTIMEZONE" in _kept_file(app_ctx, "Africa/Casablanca").read_text()
    assert not list(Path(app_ctx.instance_path, "vtimezones").glob("*/Europe%2FLondon"))
