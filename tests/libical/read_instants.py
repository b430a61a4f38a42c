"""Read .ics files with libical (Evolution's iCalendar library) and print their events as JSON.

Run with Debian's Python, which has PyGObject and, from gir1.2-ical-3.0, libical's typelibs:
    /usr/bin/python3 read_instants.py FILE.ics [MORE.ics ...]
Prints what icaljs/read_instants.mjs prints: for one file, a JSON list of {uid, recurrence_id,
recurring, all_day, start, end, status, summary} (recurring: the VEVENT has an RRULE or RDATE);
timed start/end as UTC "YYYY-MM-DDTHH:MM:SSZ", all-day ones as "YYYY-MM-DD" (end = DTEND as
written, exclusive); for several files, read one after another in this one process, a list of such
lists in the same order. Each TZID is resolved with the VTIMEZONE its VCALENDAR holds
(i_cal_component_get_timezone, as Evolution does on import and subscription), never with
libical's builtin zones; a file's zones belong to its VCALENDAR, so nothing carries over to the
next file. Exits 1 with a message on stderr for a line libical could not parse (its X-LIC-ERROR),
a floating time or a TZID without a VTIMEZONE in its file.

The namespace is ICalGLib (libical-glib, the API Evolution uses): the ICal-3.0 typelib of the same
package is libical's bare C API, with no component or parser type that Python can use.
"""

from __future__ import annotations

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

UTC_ZONE = ICalGLib.Timezone.get_utc_timezone()
VEVENT = ICalGLib.ComponentKind.VEVENT_COMPONENT
VALUES = {  # the date or date-time a property holds, as written
    ICalGLib.PropertyKind.DTSTART_PROPERTY: ICalGLib.Property.get_dtstart,
    ICalGLib.PropertyKind.DTEND_PROPERTY: ICalGLib.Property.get_dtend,
    ICalGLib.PropertyKind.RECURRENCEID_PROPERTY: ICalGLib.Property.get_recurrenceid,
    ICalGLib.PropertyKind.EXDATE_PROPERTY: ICalGLib.Property.get_exdate,
    ICalGLib.PropertyKind.RDATE_PROPERTY: lambda prop: prop.get_rdate().get_time(),
}


class ReadError(Exception):
    """The file breaks the feed contract (printed on stderr, exit 1)."""


def fail(message: str) -> None:
    sys.stderr.write(f"libical: {message}\n")
    sys.exit(1)


def load(path: str) -> ICalGLib.Component:
    """The file's VCALENDAR, refused when libical marked a line it could not read."""
    with open(path, encoding="utf-8") as file:
        calendar = ICalGLib.Parser.parse_string(file.read())
    if calendar is None or calendar.isa() != ICalGLib.ComponentKind.VCALENDAR_COMPONENT:
        raise ReadError(f"{path}: no VCALENDAR")
    if calendar.count_errors():
        errors = [
            prop.get_xlicerror()
            for component in [calendar, *components(calendar, ICalGLib.ComponentKind.ANY_COMPONENT)]
            for prop in properties(component, ICalGLib.PropertyKind.XLICERROR_PROPERTY)
        ]
        raise ReadError(f"{path}: libical could not parse: {'; '.join(errors)}")
    return calendar


def components(parent: ICalGLib.Component, kind: ICalGLib.ComponentKind) -> list:
    found = []
    child = parent.get_first_component(kind)
    while child is not None:
        found.append(child)
        child = parent.get_next_component(kind)
    return found


def properties(component: ICalGLib.Component, kind: ICalGLib.PropertyKind) -> list:
    found = []
    prop = component.get_first_property(kind)
    while prop is not None:
        found.append(prop)
        prop = component.get_next_property(kind)
    return found


def has(event: ICalGLib.Component, kind: ICalGLib.PropertyKind) -> bool:
    return event.get_first_property(kind) is not None


def text(time: ICalGLib.Time) -> str:
    """A DATE as "YYYY-MM-DD"; a UTC DATE-TIME as "YYYY-MM-DDTHH:MM:SSZ"."""
    day = f"{time.get_year():04d}-{time.get_month():02d}-{time.get_day():02d}"
    if time.is_date():
        return day
    return f"{day}T{time.get_hour():02d}:{time.get_minute():02d}:{time.get_second():02d}Z"


def zoned(calendar: ICalGLib.Component, event: ICalGLib.Component, prop) -> ICalGLib.Time:
    """The property's value: a date as written; a date-time in the zone its TZID names, from the
    file's own VTIMEZONE, or in UTC."""
    time = VALUES[prop.isa()](prop)
    if time.is_date() or time.is_utc():
        return time
    name = prop.get_property_name()
    parameter = prop.get_first_parameter(ICalGLib.ParameterKind.TZID_PARAMETER)
    if parameter is None:
        raise ReadError(f"{event.get_uid()}: {name} is a floating time")
    tzid = parameter.get_tzid()
    zone = calendar.get_timezone(tzid)
    if zone is None:
        raise ReadError(f"{event.get_uid()}: {name} TZID={tzid} has no VTIMEZONE")
    time.set_timezone(zone)
    return time


def in_utc(time: ICalGLib.Time) -> ICalGLib.Time:
    """A zoned date-time converted by libical to UTC; a date as it is."""
    return time if time.is_date() else time.convert_to_zone(UTC_ZONE)


def instant(calendar, event, kind: ICalGLib.PropertyKind) -> ICalGLib.Time | None:
    prop = event.get_first_property(kind)
    return None if prop is None else in_utc(zoned(calendar, event, prop))


def start_and_end(calendar, event) -> tuple[ICalGLib.Time, ICalGLib.Time]:
    """DTSTART and DTEND in UTC (or dates); DTEND from DURATION (days added to a date, the exact
    length to a date-time), or RFC 5545's default: one day for a date, none for a date-time."""
    start = instant(calendar, event, ICalGLib.PropertyKind.DTSTART_PROPERTY)
    if start is None:
        raise ReadError(f"{event.get_uid()}: no DTSTART")
    end = instant(calendar, event, ICalGLib.PropertyKind.DTEND_PROPERTY)
    if end is not None:
        return start, end
    end = start.clone()
    duration = event.get_first_property(ICalGLib.PropertyKind.DURATION_PROPERTY)
    if duration is not None:
        length = duration.get_duration()
        if start.is_date():
            sign = -1 if length.is_neg() else 1
            end.adjust(sign * (7 * length.get_weeks() + length.get_days()), 0, 0, 0)
        else:
            end = start.add(length)
    elif start.is_date():
        end.adjust(1, 0, 0, 0)
    return start, end


def status(event) -> str | None:
    prop = event.get_first_property(ICalGLib.PropertyKind.STATUS_PROPERTY)
    return None if prop is None else prop.get_value_as_string()


def read_events(path: str) -> list[dict]:
    calendar = load(path)
    found = []
    for event in components(calendar, VEVENT):
        recurrence_id = instant(calendar, event, ICalGLib.PropertyKind.RECURRENCEID_PROPERTY)
        start, end = start_and_end(calendar, event)
        found.append(
            {
                "uid": event.get_uid(),
                "recurrence_id": None if recurrence_id is None else text(recurrence_id),
                "recurring": has(event, ICalGLib.PropertyKind.RRULE_PROPERTY)
                or has(event, ICalGLib.PropertyKind.RDATE_PROPERTY),
                "all_day": start.is_date(),
                "start": text(start),
                "end": text(end),
                "status": status(event),
                "summary": event.get_summary(),
            }
        )
    return found


def main(paths: list[str], each) -> None:
    """Print ``each(path)`` as JSON for one file, a list of them for several."""
    try:
        result = each(paths[0]) if len(paths) == 1 else [each(path) for path in paths]
    except ReadError as exc:
        fail(str(exc))
    sys.stdout.write(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        fail("usage: /usr/bin/python3 read_instants.py FILE.ics [MORE.ics ...]")
    main(sys.argv[1:], read_events)
