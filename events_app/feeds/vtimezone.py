"""VTIMEZONE components generated from the IANA database (``zoneinfo`` + ``tzdata``).

Each VTIMEZONE lists one observance per UTC-offset change inside the feed's range, plus one for the
offset in force at its start. An observance's DTSTART is the local wall time just before the change,
in the old offset (RFC 5545), e.g. New York's 2026 spring-forward is ``DTSTART:20260308T020000``,
``TZOFFSETFROM:-0500``, ``TZOFFSETTO:-0400``. No RRULE or RDATE: icalendar, vobject and Mozilla
ical.js read this form alike (tests/test_vtimezone.py). Wall times that occur twice (see
``wall_time_is_ambiguous``) are best written in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

__all__ = ["vtimezone_for", "vtimezones_for", "wall_time_is_ambiguous"]

# Sampling step of the offset scan, in seconds: far shorter than any time between two changes.
_STEP = 6 * 3600
# How far back from ``start`` to look for the change that set the offset in force at ``start``.
_LOOKBACK = timedelta(days=400)
# DTSTART of the first observance when there is no change within the lookback.
_EPOCH = datetime(1970, 1, 1)


def _offset(zone: ZoneInfo, timestamp: float) -> timedelta:
    """Return the zone's UTC offset at a POSIX timestamp."""
    offset = datetime.fromtimestamp(timestamp, zone).utcoffset()
    assert offset is not None
    return offset


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
    """Yield each UTC instant in (start, end] at which the zone's UTC offset changes."""
    low, stop = int(start.timestamp()), int(end.timestamp())
    while low < stop:
        high = min(low + _STEP, stop)
        if _offset(zone, low) != _offset(zone, high):
            # Bisect to the second: the first second with the new offset is in (a, b].
            a, b = low, high
            while b - a > 1:
                mid = (a + b) // 2
                if _offset(zone, mid) == _offset(zone, a):
                    a = mid
                else:
                    b = mid
            yield datetime.fromtimestamp(b, UTC)
        low = high


def _observance(
    zone: ZoneInfo, dtstart: datetime, after: datetime, offset_from: timedelta
) -> TimezoneStandard | TimezoneDaylight:
    """Return an observance from wall time ``dtstart``, with the zone's state at ``after``."""
    local = after.astimezone(zone)
    observance = TimezoneDaylight() if local.dst() else TimezoneStandard()
    observance.add("DTSTART", dtstart)
    observance.add("TZOFFSETFROM", offset_from)
    observance.add("TZOFFSETTO", local.utcoffset())
    observance.add("TZNAME", local.tzname())
    return observance


def _check_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (UTC), got {value!r}")


def vtimezone_for(zone_name: str, start: datetime, end: datetime) -> Timezone:
    """Return a VTIMEZONE for ``zone_name`` valid for instants from ``start`` to ``end`` (aware)."""
    _check_aware(start, "start")
    _check_aware(end, "end")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    zone = ZoneInfo(zone_name)  # raises ZoneInfoNotFoundError for unknown names
    start = start.astimezone(UTC).replace(microsecond=0)

    vtimezone = Timezone()
    vtimezone.add("TZID", zone_name)

    in_force = _offset(zone, start.timestamp())
    previous = list(_transitions(zone, start - _LOOKBACK, start))
    if previous:  # wall time of the last change before start, in the offset it brought in
        initial_start = (previous[-1] + in_force).replace(tzinfo=None)
    else:
        initial_start = min(_EPOCH, (start + in_force).replace(tzinfo=None) - _LOOKBACK)
    vtimezone.add_component(_observance(zone, initial_start, start, in_force))

    offset_from = in_force
    for change in _transitions(zone, start, end):
        wall_before = (change + offset_from).replace(tzinfo=None)
        vtimezone.add_component(_observance(zone, wall_before, change, offset_from))
        offset_from = _offset(zone, change.timestamp())
    return vtimezone


def vtimezones_for(zone_names: Iterable[str], start: datetime, end: datetime) -> list[Timezone]:
    """Return one VTIMEZONE per distinct zone name, sorted by name."""
    return [vtimezone_for(name, start, end) for name in sorted(set(zone_names))]


def wall_time_is_ambiguous(local_naive: datetime, zone_name: str) -> bool:
    """Tell whether a naive local time occurs twice in the zone (a DST overlap, a fall-back).

    Such times are better written in UTC: clients disagree about which of the two they mean.
    A time that does not exist (inside a spring-forward gap) is not ambiguous.
    """
    if local_naive.tzinfo is not None:
        raise ValueError(f"expected a naive local time, got {local_naive!r}")
    zone = ZoneInfo(zone_name)
    first = local_naive.replace(tzinfo=zone, fold=0)
    second = local_naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return False
    # In a gap the two folds also differ, but neither survives a round trip through UTC.
    return first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local_naive
