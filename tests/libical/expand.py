"""Expand .ics files' events with libical (Evolution's iCalendar library) inside a window, the way
a calendar shows them: each series through libical's recurrence iterator (RRULE), its RDATEs and
libical's EXDATE test, with its RECURRENCE-ID overrides put in place of the instances they name.

Usage: /usr/bin/python3 expand.py FILE.ics [MORE.ics ...] FROM TO
(FROM/TO: UTC "YYYY-MM-DDTHH:MM:SSZ"). Prints what icaljs/expand.mjs prints: for one file, a JSON
list of {uid, start, end, summary, status} for every instance that overlaps [FROM, TO) (an
all-day date counting from its UTC midnight); timed start/end as UTC "YYYY-MM-DDTHH:MM:SSZ",
all-day ones as "YYYY-MM-DD"; for several files, expanded one after another in this one process,
a list of such lists in the same order. As in expand.mjs, an override is shown (whatever its
STATUS) when its RECURRENCE-ID is an instance of its master's rule, and not otherwise. Zones and
errors as in read_instants.py.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, date, datetime, timedelta

from read_instants import (
    VEVENT,
    ICalGLib,
    components,
    fail,
    has,
    in_utc,
    instant,
    load,
    main,
    properties,
    start_and_end,
    status,
    text,
    zoned,
)

RECURRENCE_ID = ICalGLib.PropertyKind.RECURRENCEID_PROPERTY
DTSTART = ICalGLib.PropertyKind.DTSTART_PROPERTY


def moment(value: str) -> datetime:
    """A printed instant as a datetime; a date from its UTC midnight (for the window only)."""
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def stamp(value: datetime) -> str:
    return f"{value:%Y-%m-%dT%H:%M:%SZ}"


def keeps_time_of_day(rule: ICalGLib.Property) -> bool:
    """Whether every instance of the RRULE has DTSTART's time of day (RFC 5545)."""
    changes = r"FREQ=(HOURLY|MINUTELY|SECONDLY)|BY(HOUR|MINUTE|SECOND)="
    return not re.search(changes, rule.get_value_as_string())


def instances(calendar, master, stop: datetime) -> dict[str, tuple[str, str]]:
    """{start: (start, end)} of the master's instances that begin before ``stop``: each RRULE
    through libical's recurrence iterator, then each RDATE, less what libical's EXDATE test
    (i_cal_property_recurrence_is_excluded) excludes."""
    start, end = start_and_end(calendar, master)  # also checks DTSTART's zone is in the file
    dtstart = zoned(calendar, master, master.get_first_property(DTSTART))
    for exdate in properties(master, ICalGLib.PropertyKind.EXDATE_PROPERTY):
        zoned(calendar, master, exdate)  # an EXDATE's TZID must be in the file too
    length = moment(text(end)) - moment(text(start))
    found: dict[str, tuple[str, str]] = {}

    def add(time: ICalGLib.Time) -> bool:
        """Take an instance (a wall time in DTSTART's zone, or a date); False once past stop."""
        first = text(in_utc(time))
        if moment(first) >= stop:
            return False
        if not ICalGLib.Property.recurrence_is_excluded(master, dtstart, time):
            last = moment(first) + length
            found[first] = (first, last.date().isoformat() if time.is_date() else stamp(last))
        return True

    for rule in properties(master, ICalGLib.PropertyKind.RRULE_PROPERTY):
        iterator = ICalGLib.RecurIterator.new(rule.get_rrule(), dtstart)
        time = iterator.next()
        while time is not None and not time.is_null_time():
            if not time.is_date() and keeps_time_of_day(rule):
                # libical 3.0.16 as Debian builds it (with ICU) steps through a rule with an ICU
                # calendar in ICU's zone of the TZID's name, not the file's VTIMEZONE: an instance
                # whose wall time falls in a spring-forward gap comes out an hour later
                # (02:30 -> 03:30), and so does the next week's, which exists (Night Desk,
                # weekly 02:30 in New York: 2026-03-15 and 2027-03-21 at 03:30). RFC 5545
                # gives every instance DTSTART's time of day: put it back.
                time.set_hour(dtstart.get_hour())
                time.set_minute(dtstart.get_minute())
                time.set_second(dtstart.get_second())
            if not add(time):
                break
            time = iterator.next()
    for rdate in properties(master, ICalGLib.PropertyKind.RDATE_PROPERTY):
        if not rdate.get_rdate().get_time().is_null_time():  # not a PERIOD (feeds write none)
            add(zoned(calendar, master, rdate))
    return found


def expand(path: str, lo: datetime, hi: datetime) -> list[dict]:
    calendar = load(path)
    masters, overrides = {}, {}
    for event in components(calendar, VEVENT):
        recurrence_id = instant(calendar, event, RECURRENCE_ID)
        if recurrence_id is None:
            masters[event.get_uid()] = event
        else:
            overrides.setdefault(event.get_uid(), {})[text(recurrence_id)] = event

    out = []

    def add(uid: str, start: str, end: str, item) -> None:
        if moment(end) > lo and moment(start) < hi:
            out.append(
                {
                    "uid": uid,
                    "start": start,
                    "end": end,
                    "summary": item.get_summary(),
                    "status": status(item),
                }
            )

    for uid, master in masters.items():
        recurring = has(master, ICalGLib.PropertyKind.RRULE_PROPERTY) or has(
            master, ICalGLib.PropertyKind.RDATE_PROPERTY
        )
        if not recurring:
            start, end = start_and_end(calendar, master)
            add(uid, text(start), text(end), master)
            continue
        replaced = overrides.get(uid, {})
        # Every instance up to the window's end, or further to find each one an override names.
        stop = max([hi, *(moment(key) for key in replaced)]) + timedelta(days=1)
        for key, (start, end) in sorted(instances(calendar, master, stop).items()):
            override = replaced.get(key)
            if override is None:
                add(uid, start, end, master)
            else:
                o_start, o_end = start_and_end(calendar, override)
                add(uid, text(o_start), text(o_end), override)
    return out


if __name__ == "__main__":
    if len(sys.argv) < 4:
        fail("usage: /usr/bin/python3 expand.py FILE.ics [MORE.ics ...] FROM TO")
    window = [moment(value) for value in sys.argv[-2:]]
    main(sys.argv[1:-2], lambda path: expand(path, *window))
