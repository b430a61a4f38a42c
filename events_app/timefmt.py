"""Pure time logic: zone conversion, DST checks and the way people write dates and ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta  # noqa: F401 (UTC re-exported)
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# The years dates may have, in the form and the month grid: zone arithmetic near year 1 or 9999
# overflows, and nothing we list is that far away.
MIN_YEAR, MAX_YEAR = 1900, 2999


# Names tzdata may list that are no place an event happens: the server's own zone (it differs
# from machine to machine), "no zone known" (abbreviation "-00"), a file other zones are built from.
NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def all_zone_names() -> tuple[str, ...]:
    """Every IANA zone name tzdata knows (but ``NOT_ZONES``), sorted."""
    return tuple(sorted(available_timezones() - NOT_ZONES))


@cache
def suggested_zone_names() -> tuple[str, ...]:
    """The zones forms suggest: tzdata's zone.tab (each place's current name, Asia/Kolkata and
    not Asia/Calcutta or US/Eastern) and UTC. Every name of ``all_zone_names`` stays valid."""
    try:
        table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        return all_zone_names()
    rows = [line.split("\t") for line in table.splitlines() if line and line[0] != "#"]
    listed = {row[2] for row in rows if len(row) > 2} | {"UTC"}
    return tuple(sorted(listed & known_zone_names()))


@cache
def known_zone_names() -> frozenset[str]:
    """``all_zone_names`` as a set, made once: zones are checked per field and per import."""
    return frozenset(all_zone_names())


def is_valid_zone(name: str | None) -> bool:
    if not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return name in known_zone_names()


# Zone names that are one offset all year, which people choose meaning a place that changes
# its clocks: "EST" is UTC-5 in July too, New York is UTC-4 then. Etc/GMT+5 is UTC-5 (POSIX's
# reversed sign). The place's zone is what an event needs (PRODUCT: never a fixed offset).
_FIXED_OFFSET_ADVICE = {
    "EST": 'For US Eastern time choose "America/New_York"; for a place on UTC\u22125 all year,'
    ' its own zone (such as "America/Panama").',
    "MST": 'For US Mountain time choose "America/Denver"; for Arizona, "America/Phoenix".',
}
_ETC_OFFSET = re.compile(r"Etc/GMT([+-])(\d+)")


def fixed_offset_advice(name: str) -> str | None:
    """Why a zone name that is a fixed offset is not what an event wants, and what to choose;
    None for a place's zone (and for UTC)."""
    if name in _FIXED_OFFSET_ADVICE:
        said = "is the same offset all year, without daylight saving time."
        return f'"{name}" {said} {_FIXED_OFFSET_ADVICE[name]}'
    if (found := _ETC_OFFSET.fullmatch(name)) and int(found[2]) != 0:
        sign = "\u2212" if found[1] == "+" else "+"  # a minus sign, as the time is written
        offset = f"UTC{sign}{int(found[2])}"
        return (
            f'"{name}" is {offset} all year (its sign is reversed), without daylight saving'
            ' time. Choose the zone of the place, such as "Europe/Paris" or "Asia/Tokyo".'
        )
    return None


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class LocalTimeError(ValueError):
    """A local wall time that does not exist, or that exists twice and needs a choice."""


@dataclass(frozen=True)
class NonexistentTime(LocalTimeError):
    local: datetime
    zone_name: str
    gap_start: datetime
    gap_end: datetime

    def __str__(self) -> str:
        return (
            f"{format_clock(self.local.time())} does not exist on {format_day(self.local.date())} "
            f"in {self.zone_name}: clocks jump from {format_clock(self.gap_start.time(), True)} "
            f"to {format_clock(self.gap_end.time(), True)}"
        )


@dataclass(frozen=True)
class AmbiguousTime(LocalTimeError):
    local: datetime
    zone_name: str
    first_abbr: str
    second_abbr: str

    def __str__(self) -> str:
        return (
            f"{format_clock(self.local.time())} happens twice on {format_day(self.local.date())} "
            f"in {self.zone_name} (first in {self.first_abbr}, then in {self.second_abbr}): "
            "choose which one you mean"
        )


def local_to_utc(local: datetime, zone_name: str, fold: int | None = None) -> datetime:
    """Convert a naive local wall time in `zone_name` to an aware UTC instant.

    Raises NonexistentTime inside a DST gap, and AmbiguousTime inside an overlap
    unless `fold` (0 = the first occurrence, 1 = the second) says which is meant.
    """
    tz = ZoneInfo(zone_name)
    naive = local.replace(tzinfo=None)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    off0, off1 = first.utcoffset(), second.utcoffset()
    if off0 != off1:
        # Either a gap (the wall time never shows) or an overlap (it shows twice).
        back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if back != naive:
            old_wall, new_wall = _gap_edges(naive, tz)
            raise NonexistentTime(naive, zone_name, old_wall, new_wall)
        if fold is None:
            raise AmbiguousTime(naive, zone_name, first.tzname() or "", second.tzname() or "")
        return (second if fold else first).astimezone(UTC)
    return first.astimezone(UTC)


def _gap_edges(naive: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The wall times on either side of the DST jump that swallowed `naive`."""
    lo = (naive - naive.replace(tzinfo=tz, fold=1).utcoffset()).replace(tzinfo=UTC)
    hi = (naive - naive.replace(tzinfo=tz, fold=0).utcoffset()).replace(tzinfo=UTC)
    lo, hi = min(lo, hi), max(lo, hi)
    new_offset = hi.astimezone(tz).utcoffset()
    while hi - lo > timedelta(minutes=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == new_offset:
            hi = mid
        else:
            lo = mid
    old_offset = lo.astimezone(tz).utcoffset()
    return (hi + old_offset).replace(tzinfo=None), (hi + new_offset).replace(tzinfo=None)


def wall_time(instant: datetime, zone_name: str) -> tuple[datetime, int | None]:
    """The naive wall time an (aware) instant shows in a zone, and which of two equal wall
    times it is where the zone repeats an hour (0 the first, 1 the second), else None."""
    local = instant.astimezone(ZoneInfo(zone_name))
    naive = local.replace(tzinfo=None, fold=0)
    return naive, (local.fold if is_ambiguous(naive, zone_name) else None)


def wall_to_utc(
    wall: datetime, zone_name: str, fold: int | None = None
) -> tuple[datetime, LocalTimeError | None]:
    """The instant of a kept wall time under the zone rules in use, and what stood in the way.

    Never refuses: a wall time in a gap is read with the offset before the gap (as RFC 5545
    reads it, so it lands as far past the jump as it was into the gap), one that occurs twice
    with no ``fold`` is the first; the NonexistentTime or AmbiguousTime says which happened.
    """
    try:
        return local_to_utc(wall, zone_name, fold), None
    except NonexistentTime as gap:
        return wall.replace(tzinfo=ZoneInfo(zone_name), fold=0).astimezone(UTC), gap
    except AmbiguousTime as overlap:
        return local_to_utc(wall, zone_name, 0), overlap


def is_ambiguous(local: datetime, zone_name: str) -> bool:
    try:
        local_to_utc(local, zone_name)
    except AmbiguousTime:
        return True
    except NonexistentTime:
        return False
    return False


def to_local(instant: datetime, zone_name: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone_name))


def all_day_instants(first_day: date, last_day: date, zone_name: str) -> tuple[datetime, datetime]:
    """The UTC instants an all-day range covers in its zone: first midnight to the day after."""
    tz = ZoneInfo(zone_name)
    start = datetime.combine(first_day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def local_dates(start: datetime, end: datetime, zone_name: str) -> tuple[date, date]:
    """The first and last local days (inclusive) a timed event touches in its own zone.

    An event that ends exactly at midnight does not cover the following day.
    """
    tz = ZoneInfo(zone_name)
    first = start.astimezone(tz).date()
    local_end = end.astimezone(tz)
    last = local_end.date()
    if end > start and local_end.time() == time(0):
        last -= timedelta(days=1)
    return first, max(first, last)


# --- writing dates the way people write them -------------------------------------------------


def format_clock(t: time, minutes_always: bool = True) -> str:
    """'2:00 PM', '6:30 PM', '12:00 AM'."""
    hour = t.hour % 12 or 12
    suffix = "AM" if t.hour < 12 else "PM"
    if minutes_always or t.minute:
        return f"{hour}:{t.minute:02d} {suffix}"
    return f"{hour} {suffix}"


def format_day(d: date) -> str:
    """'Mar 8, 2026'."""
    return f"{d:%b} {d.day}, {d.year}"


def line_pieces(text: str) -> list[str]:
    """A date, time or range as written here, cut where it may break across lines: after
    each day's year ('Dec 24, 2026,' / '12:00 – 1:00 PM EST'), so that no day or time is
    broken (the template keeps each piece on one line)."""
    return re.split(r"(?<=\d{4},) ", text)


def format_date_range(first: date, last: date) -> str:
    """'Sep 24, 2026', 'Sep 24–26, 2026', 'Sep 30 – Oct 2, 2026', 'Dec 30, 2026 – Jan 2, 2027'
    (en dashes, as browsers write the visitor's own time beside it)."""
    if last < first:
        first, last = last, first
    if first == last:
        return format_day(first)
    if first.year != last.year:
        return f"{format_day(first)} – {format_day(last)}"
    if first.month != last.month:
        return f"{first:%b} {first.day} – {last:%b} {last.day}, {last.year}"
    return f"{first:%b} {first.day}–{last.day}, {last.year}"


def format_timed_range(start: datetime, end: datetime, zone_name: str) -> str:
    """A timed event in its own zone with the zone's abbreviation.

    'Nov 8, 2026, 2:00 – 3:00 PM EST'; across midnight or days:
    'Nov 8, 2026, 10:00 PM EST – Nov 9, 2026, 1:00 AM EST'; one that takes no time is its start.
    """
    if end == start:
        return format_start(start, zone_name)
    tz = ZoneInfo(zone_name)
    s, e = start.astimezone(tz), end.astimezone(tz)
    s_abbr, e_abbr = zone_abbr(s), zone_abbr(e)
    if s.date() == e.date():
        if s_abbr == e_abbr:
            if (s.hour < 12) == (e.hour < 12):
                s_clock = format_clock(s.time())[:-3]
            else:
                s_clock = format_clock(s.time())
            return f"{format_day(s.date())}, {s_clock} – {format_clock(e.time())} {e_abbr}"
        return (
            f"{format_day(s.date())}, {format_clock(s.time())} {s_abbr} – "
            f"{format_clock(e.time())} {e_abbr}"
        )
    return (
        f"{format_day(s.date())}, {format_clock(s.time())} {s_abbr} – "
        f"{format_day(e.date())}, {format_clock(e.time())} {e_abbr}"
    )


def format_length(length: timedelta) -> str:
    """'7 days', '2 hours', '1 day 3 hours 30 minutes' (whole minutes)."""
    days, minutes = length.days, length.seconds // 60
    units = ((days, "day"), (minutes // 60, "hour"), (minutes % 60, "minute"))
    return " ".join(f"{n} {unit}{'s' * (n != 1)}" for n, unit in units if n) or "0 minutes"


def format_start(start: datetime, zone_name: str) -> str:
    """'Nov 8, 2026, 6:30 PM EST'."""
    s = start.astimezone(ZoneInfo(zone_name))
    return f"{format_day(s.date())}, {format_clock(s.time())} {zone_abbr(s)}"


def zone_abbr(local: datetime) -> str:
    """The zone's abbreviation at that instant ('EST', 'BST'), or a UTC offset ('UTC+5:30')."""
    name = local.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = local.utcoffset() or timedelta(0)
    total = int(offset.total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)
