"""Expand a calendar's series the way five independent readers do, inside a window.

Each ``expand_with_*`` returns the set of instances overlapping ``[start, end)`` as
``(uid, start, end, summary)``: timed start/end as aware UTC datetimes, all-day ones as dates.
Series are RRULE masters with EXDATEs and RECURRENCE-ID overrides; every reader must apply them:
- ``icalendar`` with ``recurring-ical-events`` (what many Python services use);
- ``vobject``: its ``rruleset`` of each master (RRULE, RDATE, EXDATE), overrides replacing the
  instances they name, as a client built on it must do;
- Mozilla ``ical.js`` (Thunderbird) under Node: its recurrence iterator with the exceptions
  related to their master (``icaljs/expand.mjs``);
- the ``ical`` package's timeline (Home Assistant's calendar);
- libical (Evolution) under Debian's Python: its own expansion of each master (RRULE, RDATE,
  EXDATE), overrides replacing the instances they name (``libical/expand.py``).
``expand_many_with_*`` (vobject, ical.js, libical) expand several files one after another in one
process, zones kept as the matching ``read_many_with_*`` keeps them (see ical_readers.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import vobject

from tests.ical_readers import (
    _json_instant,
    _vobject_zones_from,
    run_icaljs,
    run_libical,
    vobject_registry_emptied,
)

Instance = tuple[str, datetime | date, datetime | date, str]


def _utc(value: datetime | date) -> datetime | date:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def overlaps(start: datetime | date, end: datetime | date, lo: datetime, hi: datetime) -> bool:
    """Whether [start, end) meets [lo, hi); a date counts from its UTC midnight."""

    def as_instant(v: datetime | date) -> datetime:
        return v if isinstance(v, datetime) else datetime(v.year, v.month, v.day, tzinfo=UTC)

    return as_instant(end) > lo and as_instant(start) < hi


def expand_with_recurring_ical_events(data: bytes, lo: datetime, hi: datetime) -> set[Instance]:
    calendar = icalendar.Calendar.from_ical(data)
    found = set()
    for event in recurring_ical_events.of(calendar).between(lo, hi):
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        if overlaps(start, end, lo, hi):
            found.add((str(event["UID"]), _utc(start), _utc(end), str(event.get("SUMMARY", ""))))
    return found


def expand_with_vobject(data: bytes, lo: datetime, hi: datetime) -> set[Instance]:
    text = data.decode()
    with _vobject_zones_from(text):
        return _vobject_instances(text, lo, hi)


def expand_many_with_vobject(files: list[bytes], lo: datetime, hi: datetime) -> list[set[Instance]]:
    """Expand files one after another as one long-lived vobject process does: starting with no
    zone known, each TZID keeps the first VTIMEZONE read for it."""
    with vobject_registry_emptied():
        return [_vobject_instances(data.decode(), lo, hi) for data in files]


def _vobject_instances(text: str, lo: datetime, hi: datetime) -> set[Instance]:
    """One file's instances with vobject's TZID registry as it stands."""
    found = set()
    calendar = vobject.readOne(text)
    events = calendar.contents.get("vevent", [])
    overrides: dict[str, dict] = {}
    for event in events:
        if "recurrence-id" in event.contents:
            overrides.setdefault(event.uid.value, {})[event.recurrence_id.value] = event
    for event in events:
        if "recurrence-id" in event.contents:
            continue
        uid, summary = event.uid.value, event.summary.value
        start = event.dtstart.value
        length = event.dtend.value - start
        replaced = overrides.get(uid, {})
        if "rrule" not in event.contents:
            if overlaps(start, start + length, lo, hi):
                found.add((uid, _utc(start), _utc(start + length), summary))
            continue
        ruleset = event.getrruleset(addRDate=True)
        probe_lo = lo - length - timedelta(days=1)
        if not isinstance(start, datetime):
            probe_lo = probe_lo.replace(tzinfo=None)
            probe_hi = hi.replace(tzinfo=None)
        else:
            probe_hi = hi
        for instance in ruleset.between(probe_lo, probe_hi, inc=True):
            if not isinstance(start, datetime):
                instance = instance.date()
            if instance in replaced:
                continue
            if overlaps(instance, instance + length, lo, hi):
                found.add((uid, _utc(instance), _utc(instance + length), summary))
        for override in replaced.values():
            o_start, o_end = override.dtstart.value, override.dtend.value
            if overlaps(o_start, o_end, lo, hi):
                found.add((uid, _utc(o_start), _utc(o_end), override.summary.value))
    return found


def expand_with_icaljs(data: bytes, lo: datetime, hi: datetime) -> set[Instance]:
    return expand_many_with_icaljs([data], lo, hi)[0]


def expand_many_with_icaljs(files: list[bytes], lo: datetime, hi: datetime) -> list[set[Instance]]:
    """Expand files one after another in one ical.js process (zones registered by the first file
    that defines them, as read_many_with_icaljs does)."""
    return _from_json(run_icaljs("expand.mjs", files, *_stamps(lo, hi)), len(files))


def expand_with_libical(data: bytes, lo: datetime, hi: datetime) -> set[Instance]:
    return expand_many_with_libical([data], lo, hi)[0]


def expand_many_with_libical(files: list[bytes], lo: datetime, hi: datetime) -> list[set[Instance]]:
    """Expand files one after another in one libical process (each file's TZIDs resolved with its
    own VTIMEZONEs, as read_many_with_libical does)."""
    return _from_json(run_libical("expand.py", files, *_stamps(lo, hi)), len(files))


def _stamps(lo: datetime, hi: datetime) -> list[str]:
    return [t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for t in (lo, hi)]


def _from_json(expanded: list, count: int) -> list[set[Instance]]:
    """The instances an expand script printed (one list, or for several files one per file)."""
    if count == 1:
        expanded = [expanded]
    return [
        {
            (i["uid"], _json_instant(i["start"]), _json_instant(i["end"]), i["summary"])
            for i in instances
        }
        for instances in expanded
    ]


def expand_with_ical_timeline(data: bytes, lo: datetime, hi: datetime) -> set[Instance]:
    from ical.calendar_stream import IcsCalendarStream

    calendar = IcsCalendarStream.calendar_from_ics(data.decode())
    found = set()
    for event in calendar.timeline_tz(ZoneInfo("UTC")).overlapping(lo, hi):
        start, end = event.dtstart, event.dtend
        if overlaps(start, end, lo, hi):
            found.add((event.uid, _utc(start), _utc(end), event.summary or ""))
    return found


EXPANDERS = {
    "recurring-ical-events": expand_with_recurring_ical_events,
    "vobject": expand_with_vobject,
    "ical.js": expand_with_icaljs,
    "ical timeline": expand_with_ical_timeline,
    "libical": expand_with_libical,
}
