"""Pure: read an .ics file into flat, zone-resolved events (no database, no Flask).

Tolerant of what real producers write (see shared/import-samples/README.md): TAB folding and
broken folding, empty or spaced RRULEs, Windows TZIDs, missing VTIMEZONEs, X-WR-TIMEZONE with
floating times, events without DTEND. Recurring series become one event per occurrence inside
the window, with a UID made of the series UID and the occurrence's original start.
Anything wrong with one event becomes that event's `error`; nothing here raises.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from dateutil import rrule as du_rrule
from icalendar.parser import Contentline

from .. import recurrence, timefmt
from ..markup import is_web_address
from ..models import DESCRIPTION_MAX
from ..text import as_name, without_controls
from . import recurring
from . import zones as ics_zones
from .lines import (
    HEAD_BYTES,
    FileError,
    Opener,
    Part,
    calendar_parts,
    check_head,
    encoding_of,
    property_name,
    raw_value,
    repair_content_lines,
    text_lines,
    top_level_lines,
)

MAX_FILE_BYTES = 1024 * 1024  # an upload through the web form; the command reads any size
MAX_OCCURRENCES_PER_SERIES = 400
MAX_EVENTS = 3000  # per upload through the web form
# The most dates the series kept as one (each a single event read) may make in one upload, as
# MAX_EVENTS caps the rest: a 13 KB file of 100 daily series made 88,500 rows and
# took a minute and a half to confirm.
MAX_SERIES_DATES = 10_000
TOO_MANY_IN_FILE = (
    f"With the series before it, the file's series make more than {MAX_SERIES_DATES:,} dates,"
    " the most one upload may: import it from a file of its own, or with flask import-ics"
)
UID_LENGTH = 255
TITLE_LENGTH = 200
CATEGORY_LENGTH = 100
# Categories kept per event: a feed that tags an event with hundreds of words (a keyword list
# in CATEGORIES) would otherwise make them all categories, listed on every page.
MAX_EVENT_CATEGORIES = 20
URL_LENGTH = 500
UNTITLED = "(untitled)"
CONFERENCE_PROPERTIES = (
    "CONFERENCE",
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
)
RECURRENCE_PROPERTIES = frozenset({"RRULE", "RDATE", "RECURRENCE-ID"})
# Rules no listing holds; refused before expanding: expanding one ahead of its first
# occurrence builds millions of occurrences (recurring_ical_events widens its search window).
TOO_OFTEN = {"SECONDLY": "second", "MINUTELY": "minute"}
# Rules listed one hour, day or week at a time (dateutil's periods), and the most periods one
# may take from its DTSTART to the window's end (or its UNTIL, or its COUNT): hourly from 1900
# took 18 s. 50,000 days reach back 136 years.
FINE_PERIODS = {"HOURLY": (timedelta(hours=1), "hour"), "DAILY": (timedelta(days=1), "day"),
                "WEEKLY": (timedelta(weeks=1), "week")}  # fmt: skip
MAX_PERIODS = 50_000


@dataclass
class ReadEvent:
    """One event (or one occurrence of a series) as the file describes it."""

    uid: str
    series_uid: str = ""
    title: str = ""
    untitled: bool = False  # no SUMMARY: titled UNTITLED, and imported as a draft
    description: str = ""
    location: str = ""
    url: str = ""
    online_url: str = ""
    categories: list[str] = field(default_factory=list)
    cancelled: bool = False
    all_day: bool = False
    zone: str = ""
    start: datetime | None = None  # aware; for all-day events the zone's first midnight
    end: datetime | None = None
    first_day: date | None = None
    last_day: date | None = None
    floating: bool = False  # its times had no zone in the file and were read in the chosen one
    notes: list[str] = field(default_factory=list)
    error: str = ""
    # A series kept as one (recurring.py): its rule, removed dates and changed occurrences.
    rule: recurrence.Rule | None = None
    exdates: list[datetime] = field(default_factory=list)  # wall times in the rule's zone
    overrides: list[ReadEvent] = field(default_factory=list)
    recurrence_wall: datetime | None = None  # an override's original start, wall time


@dataclass
class ReadResult:
    events: list[ReadEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    floating_zone: str = ""
    floating_count: int = 0  # events whose floating times were read in floating_zone


def read_calendar(
    data: bytes, window_start: datetime, window_end: datetime, floating_zone: str = ""
) -> ReadResult:
    """Read an upload (at most MAX_FILE_BYTES, the first MAX_EVENTS events); raises FileError
    (only) when the file as a whole cannot be used. Floating times with no zone in the file
    are read in `floating_zone` (rejected when it is empty)."""
    if len(data) > MAX_FILE_BYTES:
        if not data.strip():
            raise FileError("The file is empty.")
        raise FileError(
            f"The file is too large ({len(data) / 1024 / 1024:.1f} MB; "
            f"the limit is {MAX_FILE_BYTES // 1024 // 1024} MB)."
        )
    reader = CalendarReader(
        lambda: io.BytesIO(data), window_start, window_end, floating_zone, MAX_SERIES_DATES
    )
    events = list(itertools.islice(reader.events(), MAX_EVENTS + 1))
    if len(events) > MAX_EVENTS:
        del events[MAX_EVENTS:]
        reader.warnings.append(f"Only the first {MAX_EVENTS} events were read.")
    return ReadResult(events, reader.warnings, floating_zone, reader.floating_count)


class CalendarReader:
    """A calendar read in two streamed passes, so a file of any size fits in memory.

    The first pass (on creation) checks the file, keeps its VTIMEZONEs and X-WR-TIMEZONE,
    counts its VEVENTs and notes which UIDs need their VEVENTs read together: recurring ones
    (a master and its moved occurrences may be anywhere in the file) and UIDs used twice.
    `events()` is the second pass: every other VEVENT is parsed and read on its own, a group
    as soon as its last member has been seen. `vevents_read` counts the VEVENTs passed so far
    (of `vevents_total`), for a progress bar.
    """

    def __init__(
        self,
        open_binary: Opener,
        window_start: datetime,
        window_end: datetime,
        floating_zone: str = "",
        max_series_dates: int | None = None,
    ) -> None:
        self._open = open_binary
        self.window_start, self.window_end = window_start, window_end
        self.floating_zone = floating_zone
        self.warnings: list[str] = []
        self.floating_count = 0
        self.vevents_read = 0
        # The dates the series kept so far make, and the most they may (None: no limit).
        self.series_dates, self.max_series_dates = 0, max_series_dates
        with open_binary() as f:
            head = f.read(HEAD_BYTES)
        check_head(head)
        self.encoding = encoding_of(head)
        try:
            self._scan()
        except UnicodeDecodeError:
            self.encoding = "cp1252"  # what Outlook on Windows writes when it is not UTF-8
            self._scan()
        if not self.vevents_total:
            raise FileError("The file contains no events (no VEVENT in the calendar).")
        self.zones = _Context(self._vtimezones, self._calendar_zone, floating_zone)

    def _parts(self) -> Iterator[Part]:
        return calendar_parts(repair_content_lines(text_lines(self._open, self.encoding)))

    def _scan(self) -> None:
        self._vtimezones: dict[str, icalendar.Timezone] = {}
        self._calendar_zone = ""
        self.vevents_total = 0
        sizes: dict[tuple[str, ...], int] = {}
        recurring: set[tuple[str, ...]] = set()
        for part in self._parts():
            if part.name == "VEVENT":
                self.vevents_total += 1
                key, repeats = _group_key(part)
                sizes[key] = sizes.get(key, 0) + 1
                if repeats:
                    recurring.add(key)
            elif part.name == "VTIMEZONE" and part.complete:
                try:
                    vtz = icalendar.Timezone.from_ical(_ical_text(part))
                except Exception:
                    continue  # its events say "Unknown time zone"
                self._vtimezones.setdefault(str(vtz.get("TZID", "")).strip().strip('"'), vtz)
            elif not part.name and property_name(part.lines[0]) == "X-WR-TIMEZONE":
                self._calendar_zone = self._calendar_zone or _calendar_zone(part.lines[0])
        self._group_sizes = {k: n for k, n in sizes.items() if n > 1 or k in recurring}

    def series_fit(self, dates: int) -> bool:
        """Whether a series of this many more dates fits the file's limit."""
        limit = self.max_series_dates
        return limit is None or self.series_dates + dates <= limit

    def events(self) -> Iterator[ReadEvent]:
        """Every event and occurrence in the file; one broken event never stops the others."""
        waiting: dict[tuple[str, ...], list[Part]] = {}
        for part in self._parts():
            if part.name != "VEVENT":
                continue
            self.vevents_read += 1
            key, _ = _group_key(part)
            size = self._group_sizes.get(key)
            if size is None:
                yield from self._read_parts([part])
                continue
            members = waiting.setdefault(key, [])
            members.append(part)
            if len(members) == size:
                del waiting[key]
                yield from self._read_parts(members)
        for members in waiting.values():  # only if the file changed between the passes
            yield from self._read_parts(members)

    def _read_parts(self, parts: list[Part]) -> list[ReadEvent]:
        events = self._read_group_of(parts)
        self.floating_count += sum(1 for e in events if e.floating and not e.error)
        return events

    def _read_group_of(self, parts: list[Part]) -> list[ReadEvent]:
        group = []
        for part in parts:
            if not part.complete:
                error = "The file ends inside this event (cut off?)."
                return [ReadEvent(uid=_raw_uid(part), error=error)]
            try:
                group.append(icalendar.Event.from_ical(_ical_text(part)))
            except Exception as exc:
                error = f"The event could not be read: {_why(exc)}"
                return [ReadEvent(uid=_raw_uid(part), error=error)]
        uid = _uid_of(group[0])
        try:
            return _read_group(uid, group, self)
        except Exception as exc:  # one broken event must not stop the others
            return [ReadEvent(uid=uid, title=_text(group[0], "SUMMARY"), error=_why(exc))]


def _calendar_zone(line: str) -> str:
    """The IANA zone an X-WR-TIMEZONE line names, or ''."""
    try:
        return ics_zones.iana_name(Contentline(line).parts()[2]) or ""
    except ValueError:
        return ""


def _raw_uid(part: Part) -> str:
    key, _ = _group_key(part)
    return key[1] if key[0] == "uid" else "(no UID)"


def _group_key(part: Part) -> tuple[tuple[str, ...], bool]:
    """(what ties the VEVENTs of one UID together, whether it recurs), from the raw lines."""
    uid = start = summary = ""
    repeats = False
    for line in top_level_lines(part):
        name = property_name(line)
        if name == "UID":
            uid = raw_value(line).strip()
        elif name in RECURRENCE_PROPERTIES:
            repeats = True
        elif name == "DTSTART":
            start = line
        elif name == "SUMMARY":
            summary = line
    return (("uid", uid) if uid else ("derived", start, summary)), repeats


def _ical_text(part: Part) -> str:
    return "\r\n".join(part.lines) + "\r\n"


def _uid_of(comp) -> str:
    uid = str(comp.get("UID", "")).strip()
    if uid:
        return uid
    # No UID: derive a stable one, so a re-import of the same file still matches.
    basis = f"{comp.get('DTSTART') and comp['DTSTART'].to_ical()!r}|{_text(comp, 'SUMMARY')}"
    return "import-" + hashlib.sha256(basis.encode()).hexdigest()[:32]


class _Context:
    """What the whole file says about zones (its VTIMEZONEs and X-WR-TIMEZONE), and the zone
    chosen for floating times that nothing in the file places."""

    def __init__(
        self, vtimezones: dict[str, icalendar.Timezone], calendar_zone: str, floating_zone: str
    ) -> None:
        self.vtimezones = vtimezones
        self.calendar_zone = calendar_zone
        self.floating_zone = floating_zone
        self._zones: dict[tuple[str, int], tuple[str, tzinfo | None]] = {}
        self._file_tz: dict[str, tzinfo | None] = {}

    def zone_for(self, tzid: str, wall: datetime) -> tuple[str, tzinfo | None]:
        """(IANA name, the file's own tzinfo when the instant must come from its VTIMEZONE)
        or ('', None)."""
        key = (tzid, wall.year)
        if key not in self._zones:
            self._zones[key] = self._resolve(tzid, wall)
        return self._zones[key]

    def _resolve(self, tzid: str, wall: datetime) -> tuple[str, tzinfo | None]:
        name = ics_zones.iana_name(tzid)
        if name:
            return name, None
        vtz = self.vtimezones.get(tzid.strip().strip('"'))
        if vtz is None:
            return "", None
        name = ics_zones.x_lic_location(vtz)
        if name:
            return name, None
        tz = self.file_tz(tzid)
        if tz is None:
            return "", None
        return ics_zones.zone_matching_offsets(tz, wall) or "", tz

    def file_tz(self, tzid: str) -> tzinfo | None:
        """This file's VTIMEZONE as a tzinfo; not icalendar's process-wide cache, which keeps
        the first definition of a name ("Customized Time Zone") that any file brought."""
        if tzid not in self._file_tz:
            try:
                vtz = self.vtimezones[tzid.strip().strip('"')]
                self._file_tz[tzid] = vtz.to_tz(lookup_tzid=False)
            except Exception:
                self._file_tz[tzid] = None
        return self._file_tz[tzid]


# --- events -----------------------------------------------------------------------------------


def _read_group(uid: str, group: list, reader: CalendarReader) -> list[ReadEvent]:
    ctx = reader.zones
    recurring = any(("RRULE" in c or "RDATE" in c or "RECURRENCE-ID" in c) for c in group)
    if not recurring:
        comp = max(group, key=lambda c: _int(c.get("SEQUENCE")))
        event = _read_event(comp, _short_uid(uid), ctx)
        _show_utc_in_calendar_zone(event, comp, ctx)
        if len(group) > 1:
            event.notes.append(f"{len(group)} events share this UID; the latest one was used.")
        if not str(group[0].get("UID", "")).strip():
            event.notes.append("The event has no UID; one was derived from its start and title.")
        # A single event imports whatever its date: past ones belong in the archive.
        return [event]
    refused = _refused_rule(group, reader.window_end)
    if refused:
        event = _read_event(group[0], _short_uid(uid), ctx)
        event.error = event.error or f"{refused}: not imported."
        return [event]
    kept = _read_series(uid, group, reader)
    if kept is not None:
        return [kept]
    occurrences = _expand(group, ctx, reader.window_start, reader.window_end)
    if not occurrences:
        event = _read_event(group[0], _short_uid(uid), ctx)
        event.error = event.error or _no_occurrence(reader.window_start, reader.window_end)
        return [event]
    if len(occurrences) > MAX_OCCURRENCES_PER_SERIES:
        reader.warnings.append(
            f"'{_text(group[0], 'SUMMARY')}' repeats more than {MAX_OCCURRENCES_PER_SERIES} "
            f"times in the window; only the first {MAX_OCCURRENCES_PER_SERIES} were read."
        )
        occurrences = occurrences[:MAX_OCCURRENCES_PER_SERIES]
    events: dict[str, ReadEvent] = {}
    for occ in occurrences:
        stamp = _occurrence_stamp(occ, ctx)
        event = _read_event(occ, occurrence_uid(uid, stamp), ctx)
        _show_utc_in_calendar_zone(event, occ, ctx)
        event.series_uid = uid
        event.notes.append(f"Occurrence {stamp} of a recurring event.")
        _check_window(event, reader.window_start, reader.window_end)
        # An override (RECURRENCE-ID in the file) replaces the generated occurrence it moves.
        events[event.uid] = event
    return list(events.values())


def _show_utc_in_calendar_zone(event: ReadEvent, comp, ctx: _Context) -> None:
    """A timed event stamped in UTC ("...Z": Google and Podio write one-off events so) in a
    calendar that names its zone (X-WR-TIMEZONE) is shown in that zone; its instants stay the
    file's. Not a kept series: its rule repeats in its DTSTART's zone (RFC 5545), UTC."""
    dtstart = comp.get("DTSTART")
    if event.all_day or event.zone != "UTC" or not ctx.calendar_zone or dtstart is None:
        return
    if "TZID" not in dtstart.params:  # an explicit TZID=UTC is the organizer's choice
        event.zone = ctx.calendar_zone


def _refused_rule(group: list, window_end: datetime) -> str | None:
    """Why a rule of the group cannot be read: it repeats every second or minute, or its
    INTERVAL is not a positive number (RFC 5545; 0 repeats one date, which cannot be saved),
    or listing its dates would hold the request (``_costly_rule``)."""
    for comp in group:
        rules = comp.get("RRULE") or []
        for rule in rules if isinstance(rules, list) else [rules]:
            try:
                freq = str((rule.get("FREQ") or [""])[0]).upper()
                interval = (rule.get("INTERVAL") or [1])[0]
            except ValueError:  # icalendar's BrokenCalendarProperty
                return "Its repeat rule (RRULE) cannot be read"
            if freq in TOO_OFTEN:
                return f"Repeats every {TOO_OFTEN[freq]}"
            if not isinstance(interval, int) or interval < 1:
                return f"Its rule's INTERVAL is {interval}, not a positive number"
            costly = _costly_rule(rule, freq, interval, comp.get("DTSTART"), window_end)
            if costly:
                return costly
    return None


def _costly_rule(rule, freq: str, interval: int, dtstart, window_end: datetime) -> str | None:
    """Why listing the rule's dates would take seconds to minutes (dateutil lists them one
    period at a time from DTSTART), or None: several times a minute or an hour; more than
    MAX_PERIODS hours, days or weeks before the window ends; or a day no calendar has
    (February 30th, a 13th month), looked for day by day (or year by year) until the year 9999."""
    try:
        parts = {k.upper(): list(v) for k, v in rule.items()}
        if len(parts.get("BYSECOND", [])) > 1 or len(parts.get("BYMINUTE", [])) > 1:
            return "Repeats several times an hour"
        if freq not in FINE_PERIODS and freq not in ("MONTHLY", "YEARLY"):
            return None
        days = [str(d).upper() for d in parts.get("BYDAY", [])]
        if freq in FINE_PERIODS:
            in_period = max(1, len(parts.get("BYHOUR", []))) if freq != "HOURLY" else 1
            in_period *= max(1, len(days)) if freq == "WEEKLY" else 1
            if any(abs(int(p)) > in_period for p in parts.get("BYSETPOS", [])):
                return "Its repeat rule gives no date"  # BYSETPOS=3 of one date a day
            end = window_end
            if parts.get("UNTIL"):
                end = min(end, _utc(parts["UNTIL"][0]))
            length, word = FINE_PERIODS[freq]
            periods = (end - _as_utc(dtstart)) / (length * interval) * in_period
            if parts.get("COUNT"):
                periods = min(periods, int(parts["COUNT"][0]))
            if periods > MAX_PERIODS:
                return f"Repeats every {word} from {_as_utc(dtstart):%Y-%m-%d}: too many dates"
        elif any(not d.isalpha() for d in days) or parts.get("BYSETPOS"):
            # A weekday of the month or year (6MO), or a position: the rule itself, for 400 years.
            return None if _gives_a_date(rule, dtstart) else "Its repeat rule gives no date"
        filters = {"BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"} & set(parts)
        start_day = None  # without a day of its own, a monthly or yearly rule keeps DTSTART's
        if freq in ("MONTHLY", "YEARLY") and not (filters - {"BYMONTH"} or days):
            start_day = getattr(dtstart, "dt", None).day
        if (filters or days) and not _has_a_day(parts, days, start_day):
            return "Its repeat rule gives no date"
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return None  # what cannot be read so is left to the reading that follows
    return None


def _gives_a_date(rule, dtstart) -> bool:
    """Whether a monthly or yearly rule (without its end) gives a date in 400 years, from
    DTSTART's day and time in the year 9599: dateutil goes a month or a year at a time."""
    kept = icalendar.vRecur({k: v for k, v in rule.items() if k.upper() not in ("UNTIL", "COUNT")})
    start = dtstart.dt if isinstance(dtstart.dt, datetime) else datetime.combine(dtstart.dt, time())
    probe = du_rrule.rrulestr(
        kept.to_ical().decode(), dtstart=start.replace(year=9599, month=1, tzinfo=None)
    )
    return next(iter(probe), None) is not None


def _has_a_day(parts: dict, days: list[str], start_day: int | None = None) -> bool:
    """Whether any day of the 400-year Gregorian cycle passes the rule's day filters (with
    ``start_day``, that day of the month: a monthly or yearly rule's own, from DTSTART)."""
    probe = du_rrule.rrule(
        du_rrule.YEARLY,
        dtstart=datetime(9599, 1, 1),  # dateutil gives up at the year 9999: 400 years on
        bymonth=[int(m) for m in parts.get("BYMONTH", [])] or None,
        bymonthday=[int(d) for d in parts.get("BYMONTHDAY", [])] or start_day,
        byyearday=[int(d) for d in parts.get("BYYEARDAY", [])] or None,
        byweekno=[int(w) for w in parts.get("BYWEEKNO", [])] or None,
        byweekday=[recurrence.WEEKDAYS.index(d[-2:]) for d in days] or None,
        count=1,
    )
    return next(iter(probe), None) is not None


def _read_series(uid: str, group: list, reader: CalendarReader) -> ReadEvent | None:
    """The group as one series (recurring.py), or None when it must be expanded instead."""
    ctx = reader.zones
    masters = [c for c in group if "RECURRENCE-ID" not in c]
    if len(masters) != 1 or "RRULE" not in masters[0]:
        return None
    event = _read_event(masters[0], _short_uid(uid), ctx)
    if event.error or event.start is None or event.end is None:
        return None
    duration = event.end - event.start
    try:
        rule = recurring.rule_of(masters[0], event.start, event.zone, event.all_day, duration)
    except (recurring.NotKept, ValueError, KeyError, TypeError):
        return None
    if rule.count == 1 and len(group) == 1:
        # Google writes one-off events as RRULE COUNT=1: a single event
        _show_utc_in_calendar_zone(event, masters[0], ctx)
        return event
    if not reader.series_fit(1):  # before listing any of its dates
        event.error = TOO_MANY_IN_FILE
        return event
    last = reader.window_end.date()
    if recurrence.too_many_dates(rule, last):
        event.error = _too_many_dates(rule, last)
        return event
    starts = recurrence.wall_starts(rule, last, limit=None)
    if not any(recurrence.occurrence_times(rule, w)[1] >= reader.window_start for w in starts):
        event.error = _no_occurrence(reader.window_start, reader.window_end)
        return event
    event.rule = rule
    exdates = masters[0].get("EXDATE") or []
    for prop in exdates if isinstance(exdates, list) else [exdates]:
        event.exdates.extend(recurring.wall_in(d.dt, rule) for d in prop.dts)
    for comp in group:
        if "RECURRENCE-ID" not in comp:
            continue
        stamp = _occurrence_stamp(comp, ctx)
        override = _read_event(comp, occurrence_uid(uid, stamp), ctx)
        override.recurrence_wall = recurring.wall_in(comp["RECURRENCE-ID"].dt, rule)
        if override.cancelled:
            event.exdates.append(override.recurrence_wall)
        elif not override.error:
            event.overrides.append(override)
    # Its dates are made up to the last one the file cancels or changes (importing.apply).
    far = recurring.reach(event)
    if far is not None and recurrence.too_many_dates(rule, max(last, far)):
        event.error, event.rule = _too_many_dates(rule, far), None
        return event
    if far is not None and far > last:
        starts = recurrence.wall_starts(rule, far, limit=None)
    if not reader.series_fit(len(starts)):
        event.error, event.rule = TOO_MANY_IN_FILE, None
        reader.series_dates = reader.max_series_dates or 0  # full: the rest is not listed
        return event
    reader.series_dates += len(starts)
    changed = len(event.overrides) + len(event.exdates)
    event.notes.append(
        f"A series: {recurrence.summary(rule)}"
        + (f"; {changed} changed or removed occurrences." if changed else ".")
    )
    return event


def _too_many_dates(rule: recurrence.Rule, through: date) -> str:
    to = "to its end" if rule.count or rule.until else f"to {timefmt.format_day(through)}"
    return (
        f"It repeats more than {recurrence.MAX_OCCURRENCES:,} times from its first date {to}:"
        " more than one series may hold."
    )


def _expand(group, ctx: _Context, window_start: datetime, window_end: datetime) -> list:
    cal = icalendar.Calendar()
    for vtz in ctx.vtimezones.values():
        cal.add_component(vtz)
    for comp in group:
        cal.add_component(comp)
    span_start, span_end = window_start - timedelta(days=1), window_end + timedelta(days=1)
    query = recurring_ical_events.of(cal)
    kept: dict[tuple[str, str], icalendar.Event] = {}
    # Windows from a day, each twice as long, stopped past the cap: the rule is listed once a
    # window. after() listed it from its first date again for every quarter hour it moved on
    # (weekdays since 1990 took 17 s), and a rule of many dates a day stops within days.
    start, length = span_start, timedelta(days=1)
    try:
        while start < span_end and len(kept) <= MAX_OCCURRENCES_PER_SERIES:
            end = min(start + length, span_end)
            for occurrence in query.between(start, end):  # one across two windows: kept once
                key = (str(occurrence.get("DTSTART").dt), str(occurrence.get("RECURRENCE-ID")))
                kept.setdefault(key, occurrence)
            start, length = end, length * 2
        found = list(kept.values())
    except Exception:
        # Google writes one-off birthdays as RRULE COUNT=1, which some versions trip over.
        master = next((c for c in group if "RRULE" in c), None)
        if master is None or str(master["RRULE"].get("COUNT", [""])[0]) != "1" or len(group) > 1:
            raise
        del master["RRULE"]
        found = [master]
    return sorted(found, key=lambda c: _sort_key(c.get("DTSTART")))


def _as_utc(prop) -> datetime:
    """Roughly when an occurrence starts, for windowing (floating and dates read as UTC)."""
    return _utc(getattr(prop, "dt", None))


def _utc(value) -> datetime:
    """A date or (floating) datetime as a UTC instant, roughly; anything else: the end of time."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC)
    return datetime.max.replace(tzinfo=UTC)


def occurrence_uid(series_uid: str, stamp: str) -> str:
    """'<series uid>/<original start>' fitted to the column; long series UIDs are hashed."""
    uid = f"{series_uid}/{stamp}"
    if len(uid) <= UID_LENGTH:
        return uid
    return f"{hashlib.sha256(series_uid.encode()).hexdigest()}/{stamp}"


def _short_uid(uid: str) -> str:
    return uid if len(uid) <= UID_LENGTH else "sha256-" + hashlib.sha256(uid.encode()).hexdigest()


def _occurrence_stamp(occ, ctx: _Context) -> str:
    prop = occ.get("RECURRENCE-ID") or occ.get("DTSTART")
    value = prop.dt
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    master_start = occ.get("DTSTART")
    if master_start is not None and not isinstance(master_start.dt, datetime):
        return value.strftime("%Y%m%d")  # a date-only series with a date-time RECURRENCE-ID
    # Floating stays floating here, whatever zone was chosen: the UID must not depend on it.
    instant, _ = _instant(prop, ctx, fallback_zone="")
    if instant is None:
        return value.strftime("%Y%m%dT%H%M%S")
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _read_event(comp, uid: str, ctx: _Context) -> ReadEvent:
    event = ReadEvent(uid=uid)
    event.title = as_name(_text(comp, "SUMMARY"))  # as the event's form keeps it
    if not event.title:
        event.title, event.untitled = UNTITLED, True
        event.notes.append(f"No SUMMARY in the file: imported as a draft titled {UNTITLED}.")
    if len(event.title) > TITLE_LENGTH:
        event.title = event.title[: TITLE_LENGTH - 1] + "…"
        event.notes.append("Title shortened to 200 characters.")
    event.description = _text(comp, "DESCRIPTION")[: DESCRIPTION_MAX + 1]  # plan.py cuts it
    event.location = _text(comp, "LOCATION")
    event.url = _url(comp.get("URL"), event.notes)
    for name in CONFERENCE_PROPERTIES:
        if not event.online_url and comp.get(name) is not None:
            event.online_url = _url(comp.get(name), event.notes)
    if is_web_address(event.location.strip()):
        event.online_url = event.online_url or _url(event.location, event.notes)
        event.location = ""
    event.categories = _categories(comp.get("CATEGORIES"), event.notes)
    event.cancelled = str(comp.get("STATUS", "")).strip().upper() == "CANCELLED"
    try:
        _read_times(comp, event, ctx)
    except timefmt.LocalTimeError as exc:
        event.error = event.error or str(exc)
    return event


def _read_times(comp, event: ReadEvent, ctx: _Context) -> None:
    dtstart = comp.get("DTSTART")
    if dtstart is None:
        event.error = event.error or "No DTSTART (the event has no start)."
        return
    event_zone_prop = ics_zones.iana_name(str(comp.get("TZID", ""))) if comp.get("TZID") else None
    if not isinstance(dtstart.dt, datetime):
        _read_all_day(comp, dtstart.dt, event, ctx, event_zone_prop)
        return
    dtend = comp.get("DTEND")
    fallback = event_zone_prop or ctx.calendar_zone
    if dtend is not None and isinstance(dtend.dt, datetime) and "TZID" in dtend.params:
        # ownCloud writes a floating DTSTART next to a zoned DTEND: use the DTEND's zone.
        end_zone = _instant(dtend, ctx, fallback_zone="")[1]
        fallback = end_zone or fallback
    # Floating: no zone from the file for the start. A floating DTEND beside a zoned DTSTART
    # is read in the start's zone (below), as a floating DTSTART beside a zoned DTEND is.
    floating = not fallback and _is_floating(dtstart)
    if floating:
        fallback = ctx.floating_zone
    start, zone = _instant(dtstart, ctx, fallback)
    if start is None:
        event.error = event.error or zone
        return
    if dtend is not None:
        value = dtend.dt
        if isinstance(value, datetime):
            end, end_zone = _instant(dtend, ctx, zone)
            if end is None:
                event.error = event.error or end_zone
                return
        else:
            end = datetime.combine(value, time(0), tzinfo=ZoneInfo(zone))
    elif comp.get("DURATION") is not None:
        end = _add_duration(start, zone, comp["DURATION"].dt)
    else:
        end = start  # RFC 5545: a date-time DTSTART without DTEND or DURATION takes no time
    if end < start:
        event.error = event.error or "The end is before the start."
        return
    event.all_day, event.zone, event.start, event.end = False, zone, start, end
    if floating:
        event.floating = True
        event.notes.append(f"Floating time (no time zone in the file) read as {zone}.")


def _is_floating(prop) -> bool:
    return prop.dt.tzinfo is None and not prop.params.get("TZID")


def _read_all_day(comp, first: date, event: ReadEvent, ctx, event_zone: str | None) -> None:
    # The zone only places the days on the time line (for windows and "today").
    zone = event_zone or ctx.calendar_zone or ctx.floating_zone or "UTC"
    dtend = comp.get("DTEND")
    if dtend is not None:
        end = dtend.dt.date() if isinstance(dtend.dt, datetime) else dtend.dt
        if end < first:
            event.error = event.error or "The end is before the start."
            return
        last = max(first, end - timedelta(days=1))
    elif comp.get("DURATION") is not None:
        days = comp["DURATION"].dt.days
        last = first + timedelta(days=max(days, 1) - 1)
    else:
        last = first  # RFC 5545: a DTSTART date without DTEND is one day
    event.all_day, event.zone = True, zone
    event.first_day, event.last_day = first, last
    event.start, event.end = timefmt.all_day_instants(first, last, zone)


def _instant(prop, ctx: _Context, fallback_zone: str) -> tuple[datetime | None, str]:
    """(aware instant, IANA zone) for a date-time property, or (None, reason)."""
    value: datetime = prop.dt
    wall = value.replace(tzinfo=None)
    tzid = str(prop.params.get("TZID", "")).strip()
    if tzid:
        zone, file_tz = ctx.zone_for(tzid, wall)
        if not zone:
            return None, f"Unknown time zone '{tzid}'."
        # A custom VTIMEZONE's own rules give the instant; the IANA zone only names it.
        return wall.replace(tzinfo=file_tz or ZoneInfo(zone)).astimezone(UTC), zone
    if value.tzinfo is not None:
        return value.astimezone(UTC), "UTC"
    if not fallback_zone:
        return None, "Floating time with no time zone (no TZID, no X-WR-TIMEZONE)."
    # RFC 5545: a wall time in a DST gap or overlap is read with the offset before the change.
    return wall.replace(tzinfo=ZoneInfo(fallback_zone)).astimezone(UTC), fallback_zone


def _add_duration(start: datetime, zone: str, duration: timedelta) -> datetime:
    """Whole days are calendar days in the zone (RFC 5545), the rest exact time."""
    local = start.astimezone(ZoneInfo(zone))
    days = timedelta(days=duration.days) if duration.days > 0 else timedelta(0)
    wall = (local.replace(tzinfo=None) + days).replace(tzinfo=ZoneInfo(zone))
    return wall.astimezone(UTC) + (duration - days)


def _window(window_start: datetime, window_end: datetime) -> str:
    return f"the import window ({window_start:%Y-%m-%d} to {window_end:%Y-%m-%d})"


def _no_occurrence(window_start: datetime, window_end: datetime) -> str:
    return f"Recurring event with no occurrence inside {_window(window_start, window_end)}."


def _check_window(event: ReadEvent, window_start: datetime, window_end: datetime) -> None:
    if event.error or event.start is None or event.end is None:
        return
    if event.end < window_start or event.start > window_end:
        event.error = f"Outside {_window(window_start, window_end)}."


# --- small readers ----------------------------------------------------------------------------


def _text(comp, name: str) -> str:
    value = comp.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return without_controls(html.unescape(str(value)).replace("\r\n", "\n")).strip()


def _url(value, notes: list[str]) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    text = str(value).strip()
    if not text:
        return ""
    if not is_web_address(text):
        notes.append(f"Link '{text[:80]}' is not an absolute http(s) URL; left out.")
        return ""
    if len(text) > URL_LENGTH:
        notes.append("A link longer than 500 characters was left out.")
        return ""
    return text


def _categories(value, notes: list[str]) -> list[str]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    names: dict[str, str] = {}
    for item in items:
        cats = getattr(item, "cats", None)
        parts = [str(c) for c in cats] if cats is not None else str(item).split(",")
        for part in parts:
            name = as_name(part)  # as the category's form keeps it
            if len(name) > CATEGORY_LENGTH:
                name = name[: CATEGORY_LENGTH - 1] + "…"
                note = f"Category name shortened to {CATEGORY_LENGTH} characters."
                if note not in notes:
                    notes.append(note)
            if name:
                names.setdefault(name.casefold(), name)
    if len(names) > MAX_EVENT_CATEGORIES:
        notes.append(
            f"Only the first {MAX_EVENT_CATEGORIES} of its {len(names):,} categories were kept."
        )
    return list(names.values())[:MAX_EVENT_CATEGORIES]


def _int(value) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


def _sort_key(prop) -> str:
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.strftime("%Y%m%d%H%M%S")
    return value.strftime("%Y%m%d000000") if isinstance(value, date) else ""


def _why(exc: Exception) -> str:
    """What staff are told of an event that could not be read: the parser's words for what is
    malformed (a ValueError), never Python's for a slip of ours or a path on the server."""
    if isinstance(exc, OSError):  # a TZID too long or odd for a file name in the zone database
        return "It names a time zone that does not exist."
    if not isinstance(exc, ValueError):
        return "A property it gives once at most (a start, an end) is repeated or malformed."
    message = str(exc).strip() or type(exc).__name__
    # icalendar: "Cannot access 'dt' on broken property 'DURATION' (expected ...): <why>"
    broken = re.match(r"Cannot access '\w+' on broken property '([\w-]+)'[^:]*: (.+)", message)
    if broken:
        message = f"{broken[1]}: {broken[2]}"
    return message[:300]
