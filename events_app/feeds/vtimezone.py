"""VTIMEZONE components generated from the zone rules in use (``zoneinfo``): one per zone.

A zone's VTIMEZONE depends on the zone and the rules only, never on the events of a file or the
day it is served: readers remember the first definition they see of a TZID (vobject keeps it
for the life of the process, Outlook caches it), so every file we serve must write the same
bytes for a TZID.

It covers ``COVERED_START`` to ``COVERED_END`` (1970 to 2100; tzdata vouches for nothing before
1970): every change of UTC offset in that span, found in zoneinfo to the second, is an onset.
Onsets that repeat yearly (same month, weekday of the month, wall time, offsets and name, in at
least ``MIN_RUN`` consecutive years) are written in the yearly-rule form Google, Apple and
Outlook write: one observance with ``RRULE:FREQ=YEARLY;BYDAY=..;BYMONTH=..``, ``UNTIL`` its last
onset unless the rule is still in force at the end of the span. Other onsets (one-off changes,
Casablanca's around Ramadan) are explicit observances. The observances are expanded again and
compared with zoneinfo's onsets one by one; should they ever differ, every onset is written
explicitly.

An observance's DTSTART is the wall time just before the change, in the old offset (RFC 5545),
e.g. New York's spring-forward ``DTSTART:20070311T020000``, ``TZOFFSETFROM:-0500``,
``TZOFFSETTO:-0400``. Feeds write in UTC the instants the span does not cover (``covers``) and
wall times that occur twice (``wall_time_is_ambiguous``): clients disagree about those.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

__all__ = [
    "COVERED_END",
    "COVERED_START",
    "covers",
    "onsets",
    "vtimezone_for",
    "vtimezones_for",
    "wall_time_is_ambiguous",
]

# The first observance starts at 1970-01-01 00:00 local time; the span starts a day later in UTC,
# after that wall time in every zone.
FIRST_WALL = datetime(1970, 1, 1)
COVERED_START = datetime(1970, 1, 2, tzinfo=UTC)
COVERED_END = datetime(2100, 1, 1, tzinfo=UTC)
# Consecutive yearly onsets worth a rule; fewer are written one by one.
MIN_RUN = 3
# Sampling step of the offset scan, in seconds: far shorter than any time between two changes.
_STEP = 6 * 3600
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Onset:
    """A change of the zone's UTC offset at ``at`` (UTC), and the state it brings in."""

    at: datetime
    offset_from: timedelta
    offset_to: timedelta
    dst: bool
    name: str

    @property
    def wall(self) -> datetime:
        """The wall time just before the change, in the old offset (naive)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


@dataclass(frozen=True)
class Observance:
    """One STANDARD or DAYLIGHT: its first onset, and the yearly rule that repeats it, if any,
    until ``until`` (UTC, its last onset) or for ever. A rule is the first onset's weekday in its
    month: ("week", n), the nth (1-4) or the last (-1); or ("from", d), the first on or after
    day d (Chile's "Sun>=2")."""

    first: Onset
    rule: tuple[str, int] | None = None
    until: datetime | None = None


def covers(instant: datetime) -> bool:
    """Whether the VTIMEZONEs cover an (aware) instant: 1970-01-02 to 2100, UTC."""
    return COVERED_START <= instant < COVERED_END


def _state(zone: ZoneInfo, timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, zone)


def onsets(zone_name: str, start: datetime = COVERED_START, end: datetime = COVERED_END):
    """Every change of the zone's UTC offset in [start, end), as zoneinfo has it, in order."""
    zone = ZoneInfo(zone_name)  # raises ZoneInfoNotFoundError for unknown names
    found: list[Onset] = []
    low, stop = int(start.timestamp()), int(end.timestamp())
    low_offset = _state(zone, low).utcoffset()
    at_timestamp = datetime.fromtimestamp  # the scan's one call, 190,000 times a zone
    while low < stop:
        high = low + _STEP if low + _STEP < stop else stop
        if at_timestamp(high, zone).utcoffset() == low_offset:
            low = high
            continue
        # Bisect to the second: the first second with another offset is in (a, b].
        a, b = low, high
        while b - a > 1:
            mid = (a + b) // 2
            if _state(zone, mid).utcoffset() == low_offset:
                a = mid
            else:
                b = mid
        after = _state(zone, b)
        assert low_offset is not None and after.utcoffset() is not None
        at = datetime.fromtimestamp(b, UTC)
        found.append(Onset(at, low_offset, after.utcoffset(), bool(after.dst()), _name(after)))
        low, low_offset = b, after.utcoffset()  # scan on from the change: a second one may follow
    return found


def _name(local: datetime) -> str:
    return local.tzname() or ""


def _initial(zone: ZoneInfo) -> Onset:
    """The state in force at 1970-01-01 00:00 local time, as an onset from and to its offset."""
    local = FIRST_WALL.replace(tzinfo=zone)
    offset = local.utcoffset()
    assert offset is not None
    at = (FIRST_WALL - offset).replace(tzinfo=UTC)
    return Onset(at, offset, offset, bool(local.dst()), _name(local))


# --- yearly rules ---------------------------------------------------------------------------------


def _rules(day: date) -> frozenset[tuple[str, int]]:
    """The yearly rules that give this day: its nth weekday of the month (1-4), the last such
    weekday (-1), and "the first on or after d" for every d that allows (d + 6 <= 28, so that
    the week is in the month in every year)."""
    length = calendar.monthrange(day.year, day.month)[1]
    rules = {("from", d) for d in range(max(1, day.day - 6), min(day.day, 22) + 1)}
    if day.day <= 28:
        rules.add(("week", (day.day - 1) // 7 + 1))
    if day.day + 7 > length:
        rules.add(("week", -1))
    return frozenset(rules)


def _preferred(rules: frozenset[tuple[str, int]]) -> tuple[str, int]:
    """The plainest of equivalent rules: the nth weekday, then the last, then "on or after"."""
    return min(rules, key=lambda r: (r[0] != "week", r[1] < 0, r[1]))


def _rule_wall(year: int, like: datetime, rule: tuple[str, int]) -> datetime:
    """The wall time of a yearly rule's onset in ``year``: ``like``'s weekday and time, in its
    month, on the day the rule picks."""
    weekday, month = like.weekday(), like.month
    kind, n = rule
    if kind == "from":
        day = n + (weekday - date(year, month, n).weekday()) % 7
    elif n > 0:
        day = 1 + (weekday - date(year, month, 1).weekday()) % 7 + 7 * (n - 1)
    else:
        last = date(year, month, calendar.monthrange(year, month)[1])
        day = last.day - (last.weekday() - weekday) % 7
    return datetime.combine(date(year, month, day), like.time())


def _in_year(observance: Observance, year: int) -> Onset:
    """The onset of a yearly observance's rule in ``year``."""
    first = observance.first
    assert observance.rule is not None
    wall = _rule_wall(year, first.wall, observance.rule)
    return replace(first, at=(wall - first.offset_from).replace(tzinfo=UTC))


def _observances_of(
    run: list[Onset], rules: frozenset[tuple[str, int]], end: datetime
) -> list[Observance]:
    if len(run) < MIN_RUN:
        return [Observance(onset) for onset in run]
    observance = Observance(run[0], _preferred(rules))
    following = _in_year(observance, run[-1].wall.year + 1)
    if following.at >= end:
        return [observance]
    # UNTIL is a UTC instant (RFC 5545), but dateutil (icalendar, vobject) compares it with the
    # onsets' wall times: the later of the two readings keeps the last onset for both.
    last = run[-1]
    return [replace(observance, until=max(last.at, last.wall.replace(tzinfo=UTC)))]


def _key(onset: Onset) -> tuple:
    wall = onset.wall
    return (onset.dst, onset.offset_from, onset.offset_to, onset.name, wall.month, wall.weekday(),
            wall.time())  # fmt: skip


def yearly_observances(changes: list[Onset], end: datetime) -> list[Observance]:
    """Observances for these onsets: runs of yearly onsets as rules, the others explicit."""
    groups: dict[tuple, list[Onset]] = {}
    for onset in changes:
        groups.setdefault(_key(onset), []).append(onset)
    observances: list[Observance] = []
    for members in groups.values():
        run, rules = [members[0]], _rules(members[0].wall.date())
        for onset in members[1:]:
            common = rules & _rules(onset.wall.date())
            if onset.wall.year == run[-1].wall.year + 1 and common:
                run.append(onset)
                rules = common
            else:
                observances += _observances_of(run, rules, end)
                run, rules = [onset], _rules(onset.wall.date())
        observances += _observances_of(run, rules, end)
    return sorted(observances, key=lambda o: o.first.at)


def expand(observances: Iterable[Observance], end: datetime) -> list[Onset]:
    """Every onset the observances give before ``end``, in order (how a reader expands them)."""
    found: list[Onset] = []
    for observance in observances:
        if observance.rule is None:
            found.append(observance.first)
            continue
        year = observance.first.wall.year
        while True:
            onset = _in_year(observance, year)
            if onset.at >= end or (observance.until is not None and onset.at > observance.until):
                break
            found.append(onset)
            year += 1
    return sorted(found, key=lambda o: o.at)


# --- components -----------------------------------------------------------------------------------


def _component(observance: Observance) -> TimezoneStandard | TimezoneDaylight:
    first = observance.first
    component = TimezoneDaylight() if first.dst else TimezoneStandard()
    component.add("DTSTART", first.wall)
    if observance.rule is not None:
        rrule: dict[str, object] = {"FREQ": "YEARLY"}
        if observance.until is not None:
            rrule["UNTIL"] = observance.until
        rrule["BYMONTH"] = first.wall.month
        kind, n = observance.rule
        weekday = _WEEKDAYS[first.wall.weekday()]
        if kind == "from":
            rrule["BYMONTHDAY"] = list(range(n, n + 7))
            rrule["BYDAY"] = weekday
        else:
            rrule["BYDAY"] = f"{n}{weekday}"
        component.add("RRULE", rrule)
    component.add("TZOFFSETFROM", first.offset_from)
    component.add("TZOFFSETTO", first.offset_to)
    component.add("TZNAME", first.name)
    return component


def observances_for(zone_name: str) -> list[Observance]:
    """The zone's observances over the covered span: the state in force at its start, then its
    changes, in yearly rules where zoneinfo's onsets match them one by one."""
    changes = onsets(zone_name, _initial(ZoneInfo(zone_name)).at, COVERED_END)
    observances = yearly_observances(changes, COVERED_END)
    if expand(observances, COVERED_END) != changes:
        observances = [Observance(onset) for onset in changes]  # never seen; never assumed
    return [Observance(_initial(ZoneInfo(zone_name))), *observances]


def vtimezone_for(zone_name: str) -> Timezone:
    """The zone's VTIMEZONE: the same for a zone whatever the file (see the module docstring)."""
    vtimezone = Timezone()
    vtimezone.add("TZID", zone_name)
    for observance in observances_for(zone_name):
        vtimezone.add_component(_component(observance))
    return vtimezone


def vtimezones_for(zone_names: Iterable[str]) -> list[Timezone]:
    """One VTIMEZONE per distinct zone name, sorted by name."""
    return [vtimezone_for(name) for name in sorted(set(zone_names))]


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
