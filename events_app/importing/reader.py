"""Pure: read an uploaded .ics file into flat, zone-resolved events (no database, no Flask).

Tolerant of what real producers write (see shared/import-samples/README.md): TAB folding and
broken folding, empty or spaced RRULEs, Windows TZIDs, missing VTIMEZONEs, X-WR-TIMEZONE with
floating times, events without DTEND. Recurring series become one event per occurrence inside
the window, with a UID made of the series UID and the occurrence's original start.
Anything wrong with one event becomes that event's `error`; nothing here raises.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from .. import timefmt
from . import zones as ics_zones

MAX_FILE_BYTES = 1024 * 1024
MAX_OCCURRENCES_PER_SERIES = 400
MAX_EVENTS = 3000
UID_LENGTH = 255
TITLE_LENGTH = 200
URL_LENGTH = 500
DESCRIPTION_LENGTH = 20_000
CONFERENCE_PROPERTIES = (
    "CONFERENCE",
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
)
_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+[;:]")


class FileError(ValueError):
    """The whole file is unusable; the message says why, for the person who uploaded it."""


@dataclass
class ReadEvent:
    """One event (or one occurrence of a series) as the file describes it."""

    uid: str
    series_uid: str = ""
    title: str = ""
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
    notes: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class ReadResult:
    events: list[ReadEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_calendar(data: bytes, window_start: datetime, window_end: datetime) -> ReadResult:
    """Parse `data`; raises FileError (only) when the file as a whole cannot be used."""
    calendars = _parse(data)
    context = _Context(calendars)
    components = [c for cal in calendars for c in cal.walk("VEVENT")]
    if not components:
        raise FileError("The file contains no events (no VEVENT in the calendar).")
    result = ReadResult()
    for uid, group in _group_by_uid(components):
        try:
            events = _read_group(uid, group, context, window_start, window_end, result.warnings)
        except Exception as exc:  # one broken event must not stop the others
            events = [ReadEvent(uid=uid, title=_text(group[0], "SUMMARY"), error=_why(exc))]
        result.events.extend(events)
        if len(result.events) > MAX_EVENTS:
            del result.events[MAX_EVENTS:]
            result.warnings.append(f"Only the first {MAX_EVENTS} events were read.")
            break
    return result


# --- the file ---------------------------------------------------------------------------------


def _parse(data: bytes) -> list[icalendar.Calendar]:
    if not data or not data.strip():
        raise FileError("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise FileError(
            f"The file is too large ({len(data) / 1024 / 1024:.1f} MB; "
            f"the limit is {MAX_FILE_BYTES // 1024 // 1024} MB)."
        )
    if b"\x00" in data:
        raise FileError("This is a binary file, not an iCalendar (.ics) file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise FileError(
            "This is not an iCalendar (.ics) file: it does not start with BEGIN:VCALENDAR."
        )
    try:
        calendars = icalendar.Calendar.from_ical(clean_text(text), multiple=True)
    except Exception as exc:
        raise FileError(f"The file could not be read as iCalendar: {_why(exc)}") from exc
    calendars = [c for c in calendars if c.name == "VCALENDAR"]
    if not calendars:
        raise FileError("The file contains no VCALENDAR.")
    return calendars


def clean_text(text: str) -> str:
    """Unfold lines (space, TAB, and continuation lines that lost their indent); drop VALARMs,
    empty RRULEs and whatever follows END:VCALENDAR; remove spaces inside RRULE values."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw and not _CONTENT_LINE.match(raw) and lines:
            lines[-1] += raw
        elif raw:
            lines.append(raw)
    out: list[str] = []
    depth = 0
    in_alarm = False  # alarms are not imported, and their odd TRIGGERs break parsing
    for line in lines:
        upper = line.upper()
        if upper.startswith("BEGIN:VALARM"):
            in_alarm = True
        if in_alarm:
            in_alarm = not upper.startswith("END:VALARM")
            continue
        if upper.startswith(("RRULE:", "EXRULE:")):
            name, _, value = line.partition(":")
            value = re.sub(r"\s+", "", value)
            if not value:
                continue
            line = f"{name}:{value}"
        out.append(line)
        if upper.startswith("BEGIN:VCALENDAR"):
            depth += 1
        elif upper.startswith("END:VCALENDAR"):
            depth -= 1
            if depth <= 0:
                break
    return "\r\n".join(out) + "\r\n"


class _Context:
    """What the whole file says about zones: its VTIMEZONEs and X-WR-TIMEZONE."""

    def __init__(self, calendars: list[icalendar.Calendar]) -> None:
        self.vtimezones: dict[str, icalendar.Timezone] = {}
        self.calendar_zone = ""
        for cal in calendars:
            for vtz in cal.walk("VTIMEZONE"):
                self.vtimezones.setdefault(str(vtz.get("TZID", "")).strip().strip('"'), vtz)
            if not self.calendar_zone and cal.get("X-WR-TIMEZONE"):
                self.calendar_zone = ics_zones.iana_name(str(cal["X-WR-TIMEZONE"])) or ""
        self._zones: dict[tuple[str, int], tuple[str, bool]] = {}

    def zone_for(self, tzid: str, wall: datetime, parsed: datetime) -> tuple[str, bool]:
        """(IANA name, whether the instant must come from the file's VTIMEZONE) or ('', _)."""
        key = (tzid, wall.year)
        if key not in self._zones:
            self._zones[key] = self._resolve(tzid, parsed)
        return self._zones[key]

    def _resolve(self, tzid: str, parsed: datetime) -> tuple[str, bool]:
        name = ics_zones.iana_name(tzid)
        if name:
            return name, False
        vtz = self.vtimezones.get(tzid.strip().strip('"'))
        if vtz is None:
            return "", False
        name = ics_zones.x_lic_location(vtz)
        if name:
            return name, False
        tz = parsed.tzinfo
        if tz is None or isinstance(tz, ZoneInfo):
            try:
                tz = vtz.to_tz()
            except Exception:
                return "", False
        return ics_zones.zone_matching_offsets(tz, parsed.replace(tzinfo=None)) or "", True


# --- events -----------------------------------------------------------------------------------


def _group_by_uid(components: list) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for comp in components:
        uid = str(comp.get("UID", "")).strip()
        if not uid:
            # No UID: derive a stable one, so a re-import of the same file still matches.
            basis = (
                f"{comp.get('DTSTART') and comp['DTSTART'].to_ical()!r}|{_text(comp, 'SUMMARY')}"
            )
            uid = "import-" + hashlib.sha256(basis.encode()).hexdigest()[:32]
        groups.setdefault(uid, []).append(comp)
    return list(groups.items())


def _read_group(uid, group, ctx, window_start, window_end, warnings) -> list[ReadEvent]:
    recurring = any(("RRULE" in c or "RDATE" in c or "RECURRENCE-ID" in c) for c in group)
    if not recurring:
        comp = max(group, key=lambda c: _int(c.get("SEQUENCE")))
        event = _read_event(comp, _short_uid(uid), ctx)
        if len(group) > 1:
            event.notes.append(f"{len(group)} events share this UID; the latest one was used.")
        if not str(group[0].get("UID", "")).strip():
            event.notes.append("The event has no UID; one was derived from its start and title.")
        # A single event imports whatever its date: past ones belong in the archive.
        return [event]
    occurrences = _expand(group, ctx, window_start, window_end)
    if not occurrences:
        event = _read_event(group[0], _short_uid(uid), ctx)
        event.error = event.error or "Recurring event with no occurrence inside the import window."
        return [event]
    if len(occurrences) > MAX_OCCURRENCES_PER_SERIES:
        warnings.append(
            f"'{_text(group[0], 'SUMMARY')}' repeats more than {MAX_OCCURRENCES_PER_SERIES} "
            f"times in the window; only the first {MAX_OCCURRENCES_PER_SERIES} were read."
        )
        occurrences = occurrences[:MAX_OCCURRENCES_PER_SERIES]
    events: dict[str, ReadEvent] = {}
    for occ in occurrences:
        stamp = _occurrence_stamp(occ, ctx)
        event = _read_event(occ, occurrence_uid(uid, stamp), ctx)
        event.series_uid = uid
        event.notes.append(f"Occurrence {stamp} of a recurring event.")
        _check_window(event, window_start, window_end)
        # An override (RECURRENCE-ID in the file) replaces the generated occurrence it moves.
        events[event.uid] = event
    return list(events.values())


def _expand(group, ctx, window_start, window_end) -> list:
    cal = icalendar.Calendar()
    for vtz in ctx.vtimezones.values():
        cal.add_component(vtz)
    for comp in group:
        cal.add_component(comp)
    span_start, span_end = window_start - timedelta(days=1), window_end + timedelta(days=1)
    found = []
    try:
        # A generator, stopped at the cap: FREQ=SECONDLY over two years must not run for hours.
        for occurrence in recurring_ical_events.of(cal).after(span_start):
            if _as_utc(occurrence.get("DTSTART")) > span_end:
                break
            found.append(occurrence)
            if len(found) > MAX_OCCURRENCES_PER_SERIES:
                break
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
    value = getattr(prop, "dt", None)
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


def _occurrence_stamp(occ, ctx) -> str:
    prop = occ.get("RECURRENCE-ID") or occ.get("DTSTART")
    value = prop.dt
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    master_start = occ.get("DTSTART")
    if master_start is not None and not isinstance(master_start.dt, datetime):
        return value.strftime("%Y%m%d")  # a date-only series with a date-time RECURRENCE-ID
    instant, _ = _instant(prop, ctx, fallback_zone="")
    if instant is None:
        return value.strftime("%Y%m%dT%H%M%S")
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _read_event(comp, uid: str, ctx: _Context) -> ReadEvent:
    event = ReadEvent(uid=uid)
    event.title = _text(comp, "SUMMARY")
    if len(event.title) > TITLE_LENGTH:
        event.title = event.title[: TITLE_LENGTH - 1] + "…"
        event.notes.append("Title shortened to 200 characters.")
    event.description = _text(comp, "DESCRIPTION")[:DESCRIPTION_LENGTH]
    event.location = _text(comp, "LOCATION")
    event.url = _url(comp.get("URL"), event.notes)
    for name in CONFERENCE_PROPERTIES:
        if not event.online_url and comp.get(name) is not None:
            event.online_url = _url(comp.get(name), event.notes)
    if _looks_like_url(event.location):
        event.online_url = event.online_url or _url(event.location, event.notes)
        event.location = ""
    event.categories = _categories(comp.get("CATEGORIES"))
    event.cancelled = str(comp.get("STATUS", "")).strip().upper() == "CANCELLED"
    if not event.title:
        event.error = "Summary missing (the event has no title)."
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


def _read_all_day(comp, first: date, event: ReadEvent, ctx, event_zone: str | None) -> None:
    zone = event_zone or ctx.calendar_zone or "UTC"
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
        zone, from_vtimezone = ctx.zone_for(tzid, wall, value)
        if not zone:
            return None, f"Unknown time zone '{tzid}'."
        if from_vtimezone and value.tzinfo is not None and not isinstance(value.tzinfo, ZoneInfo):
            return value.astimezone(UTC), zone
        return wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC), zone
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


def _check_window(event: ReadEvent, window_start: datetime, window_end: datetime) -> None:
    if event.error or event.start is None or event.end is None:
        return
    if event.end < window_start or event.start > window_end:
        event.error = (
            f"Outside the import window ({window_start:%Y-%m-%d} to {window_end:%Y-%m-%d})."
        )


# --- small readers ----------------------------------------------------------------------------


def _text(comp, name: str) -> str:
    value = comp.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return html.unescape(str(value)).replace("\r\n", "\n").strip()


def _looks_like_url(text: str) -> bool:
    return bool(re.match(r"^https?://\S+$", text.strip(), re.IGNORECASE))


def _url(value, notes: list[str]) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    text = str(value).strip()
    if not text:
        return ""
    if not _looks_like_url(text):
        notes.append(f"Link '{text[:80]}' is not an absolute http(s) URL; left out.")
        return ""
    if len(text) > URL_LENGTH:
        notes.append("A link longer than 500 characters was left out.")
        return ""
    return text


def _categories(value) -> list[str]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    names: dict[str, str] = {}
    for item in items:
        cats = getattr(item, "cats", None)
        parts = [str(c) for c in cats] if cats is not None else str(item).split(",")
        for part in parts:
            name = " ".join(part.split())[:100]
            if name:
                names.setdefault(name.casefold(), name)
    return list(names.values())


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
    message = str(exc).strip() or type(exc).__name__
    return message[:300]
