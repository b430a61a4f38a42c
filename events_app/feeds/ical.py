"""Pure iCalendar building: events -> RFC 5545 text. No Flask, no database session.

A feed is ``calendar_header`` + ``vtimezones_text`` + one VEVENT block per event + FOOTER. A
zone's VTIMEZONE is the same text in every file (vtimezone.py); each
block depends only on its event, the site's base URL and the zone rules, so it is stored in
``Event.ical_block`` under ``Event.ical_block_key``: ``block_key`` of the ``block_context``
(renderer version, site, zone rules) and the event's ``version``, which rises with every change
to the event, its venue, categories or speakers (see changes.py).

Output is deterministic: no clock, sorted zones, events ordered by (start_at, id).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from flask import current_app, has_app_context

from ..markup import MARKUP_VERSION, safe_url
from ..text import without_controls
from ..zone_rules import rules_version
from .vtimezone import covers, vtimezone_for, wall_time_is_ambiguous

if TYPE_CHECKING:
    from ..models import Event
    from ..recurrence import Rule

# Bump whenever the bytes a block renders to may change: every cached block is then re-rendered.
RENDERER_VERSION = "10"  # 10: an override's SEQUENCE is the master's plus its own; 9: a
# series' DTEND in UTC when its first date runs over a clock change; 8: UNTIL at a repeated
# hour; 7: dates over a clock change written out; 6: series dates moved before the window;
# 5: no DTEND if no time
PRODID = "-//Telecom Events//Events App 1.0//EN"
FOOTER = "END:VCALENDAR\r\n"
STATUS_MAP = {"published": "CONFIRMED", "postponed": "TENTATIVE", "cancelled": "CANCELLED"}
SUMMARY_PREFIX = {"postponed": "Postponed: ", "cancelled": "Cancelled: "}

_URI_UNSAFE = re.compile(r"[\x00-\x20\x7f\"<>\\^`{|}]")


@dataclass(frozen=True)
class Site:
    """Where the public pages live, e.g. Site("https://events.example.com")."""

    base_url: str
    event_path: str = "/events/{slug}"

    def event_url(self, slug: str) -> str:
        return self.base_url.rstrip("/") + self.event_path.format(slug=slug)


@dataclass(frozen=True)
class FeedInfo:
    """Calendar-level properties of one feed."""

    name: str
    description: str
    url: str
    refresh_hours: int = 12


# --- content lines -------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11); newlines become \\n, other controls are dropped."""
    value = without_controls(value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def clean_uri(value: str) -> str:
    """A URI value with characters a content line may not carry (controls, spaces) encoded."""
    return _URI_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", value.strip())


def fold(line: str) -> str:
    """Fold a content line to at most 75 octets per line, CRLF-terminated (RFC 5545 3.1).

    Breaks only between characters, so a UTF-8 sequence is never split.
    """
    if line.isascii():
        if len(line) <= 75:
            return line + "\r\n"
        parts = [line[:75]] + [line[i : i + 74] for i in range(75, len(line), 74)]
        return "\r\n ".join(parts) + "\r\n"
    data = line.encode()
    parts_b: list[bytes] = []
    at, limit = 0, 75
    while len(data) - at > limit:
        cut = at + limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: back up to the character start
            cut -= 1
        parts_b.append(data[at:cut])
        at, limit = cut, 74  # continuation lines start with one space
    parts_b.append(data[at:])
    return b"\r\n ".join(parts_b).decode() + "\r\n"


def prop(name: str, value: str) -> str:
    """A folded content line; ``value`` must already be escaped or be a non-TEXT value."""
    return fold(f"{name}:{value}")


def utc_stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def date_stamp(day: date) -> str:
    return day.strftime("%Y%m%d")


def _time_prop(name: str, instant: datetime, zone_name: str) -> str:
    """DTSTART/DTEND with TZID, or in UTC when the local wall time occurs twice (fall-back hour)
    or the instant is outside the span the VTIMEZONEs cover (before 1970, after 2099)."""
    local = instant.astimezone(_zone(zone_name)).replace(tzinfo=None)
    if not covers(instant) or wall_time_is_ambiguous(local, zone_name):
        return prop(name, utc_stamp(instant))
    return prop(f"{name};TZID={zone_name}", local.strftime("%Y%m%dT%H%M%S"))


@lru_cache(maxsize=512)
def _zone(zone_name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(zone_name)


# --- one event -----------------------------------------------------------------------------------


def block_context(site: Site, zone_rules: str) -> str:
    """What every stored block depends on besides its event: the renderer and the Markdown
    renderer (a DESCRIPTION is the description's text), the site and the zone rules in use
    (zone_rules.rules_version()). 24 hex digits."""
    raw = "|".join((RENDERER_VERSION, MARKUP_VERSION, site.base_url, site.event_path, zone_rules))
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def block_key(context: str, version: int) -> str:
    """The key an event's stored block is valid under (also computed in SQL: feeds/source.py)."""
    return f"{context}:{version}"


def event_summary(event: Event) -> str:
    return SUMMARY_PREFIX.get(event.status, "") + event.title


def event_location(event: Event) -> str:
    """'Venue, address, city, region, postcode, country', or the join link / 'Online'."""
    if event.venue is not None:
        return ", ".join(p for p in (event.venue.name, event.venue.full_address) if p)
    if event.is_online:
        return safe_url(event.online_url) or "Online"
    return ""


def event_description(event: Event, site: Site) -> str:
    """Plain text: summary, the Markdown description as text, speakers, then the links."""
    parts = [p for p in (event.summary.strip(), event.description_text) if p]
    if event.speakers:
        names = [", ".join(x for x in (s.name, s.title, s.company) if x) for s in event.speakers]
        parts.append("Speakers:\n" + "\n".join(f"- {n}" for n in names))
    links = [f"Details: {site.event_url(event.slug)}"]
    for label, url in (
        ("Join", event.online_url),
        ("Register", event.registration_url),
        ("Recording", event.recording_url),
        ("Slides", event.slides_url),
    ):
        if url := safe_url(url):
            links.append(f"{label}: {url}")
    parts.append("\n".join(links))
    return "\n\n".join(parts)


def render_event(event: Event, site: Site, window_start: datetime | None = None) -> str:
    """The VEVENT block of one event (folded, CRLF line ends); a series master's block holds
    the whole series (see render_series), a date's is the date alone (render_occurrence)."""
    if event.series_master:
        return render_series(event, site, window_start)
    if event.series_id is not None and event.recurrence_id is not None:
        return render_occurrence(event, site)
    return _vevent(event, site, _stamp_lines(event, event.uid, event.sequence) + _times(event))


def _stamp_lines(event: Event, uid: str, sequence: int | None) -> list[str]:
    return [
        "BEGIN:VEVENT\r\n",
        prop("UID", escape_text(uid)),
        prop("DTSTAMP", utc_stamp(event.updated_at)),
        prop("CREATED", utc_stamp(event.created_at)),
        prop("LAST-MODIFIED", utc_stamp(event.updated_at)),
        prop("SEQUENCE", str(sequence or 0)),
    ]


def _times(event: Event) -> list[str]:
    if event.all_day:
        assert event.first_day is not None and event.last_day is not None
        return [
            prop("DTSTART;VALUE=DATE", date_stamp(event.first_day)),
            prop("DTEND;VALUE=DATE", date_stamp(event.last_day + timedelta(days=1))),
        ]
    start = _time_prop("DTSTART", event.start_at, event.timezone)
    if event.end_at == event.start_at:  # RFC 5545: no DTEND, not one equal to DTSTART
        return [start]
    return [start, _time_prop("DTEND", event.end_at, event.timezone)]


def _vevent(event: Event, site: Site, lines: list[str]) -> str:
    """Finish a VEVENT: the event's content after its identity, stamps and times."""
    lines.append(prop("SUMMARY", escape_text(event_summary(event))))
    lines.append(prop("DESCRIPTION", escape_text(event_description(event, site))))
    lines.append(prop("URL;VALUE=URI", clean_uri(site.event_url(event.slug))))
    location = event_location(event)
    if location:
        lines.append(prop("LOCATION", escape_text(location)))
    venue = event.venue
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        lines.append(prop("GEO", f"{venue.latitude:.6f};{venue.longitude:.6f}"))
    if event.categories:
        lines.append(prop("CATEGORIES", ",".join(escape_text(c.name) for c in event.categories)))
    lines.append(prop("STATUS", STATUS_MAP.get(event.status, "CONFIRMED")))
    if join := safe_url(event.online_url):
        feature = "AUDIO" if event.kind == "audio" else "VIDEO"
        label = "Listen live" if event.kind == "audio" else "Join online"
        conference = f"CONFERENCE;VALUE=URI;FEATURE={feature};LABEL={label}"
        lines.append(prop(conference, clean_uri(join)))
    lines.append("END:VEVENT\r\n")
    return "".join(lines)


# --- a series ------------------------------------------------------------------------------------


def _wall_prop(name: str, wall: datetime, all_day: bool, zone_name: str) -> str:
    """A property in DTSTART's value type and zone: VALUE=DATE, or TZID local time."""
    if all_day:
        return prop(f"{name};VALUE=DATE", date_stamp(wall.date()))
    return prop(f"{name};TZID={zone_name}", wall.strftime("%Y%m%dT%H%M%S"))


def render_occurrence(occurrence: Event, site: Site) -> str:
    """One occurrence alone (a download): its own VEVENT under its derived UID
    (``Event.calendar_uid``), so it never replaces the series in a calendar that has both."""
    assert occurrence.series is not None and occurrence.recurrence_id is not None
    head = _stamp_lines(occurrence, occurrence.calendar_uid, occurrence.sequence)
    return _vevent(occurrence, site, head + _times(occurrence))


def render_series(master: Event, site: Site, window_start: datetime | None = None) -> str:
    """A series: one master VEVENT with RRULE, EXDATE for each cancelled occurrence (in
    DTSTART's value type and zone), and one VEVENT per changed occurrence with the master's UID
    and a RECURRENCE-ID; overrides that ended before ``window_start``, at their date and at
    the date the rule gives them, are left out. A rule some client would misread
    (recurrence.unsafe_reason) is written as separate events with derived UIDs instead, those
    of the window only."""
    from .. import recurrence, series

    rule = series.rule_of(master)
    occurrences = [o for o in master.occurrences if o.recurrence_id is not None]
    in_window = [o for o in occurrences if _in_window(o, rule, window_start)]
    if recurrence.unsafe_reason(rule) is not None:
        return "".join(
            _vevent(
                o,
                site,
                _stamp_lines(o, o.calendar_uid, o.sequence) + _times(o),
            )
            for o in sorted(in_window, key=feed_order)
            if o.status in STATUS_MAP
        )
    lines = _stamp_lines(master, master.uid, master.sequence)
    lines.append(_wall_prop("DTSTART", rule.start, rule.all_day, rule.zone))
    if rule.all_day:
        end_wall = rule.start + timedelta(days=max(1, rule.duration.days))
        lines.append(_wall_prop("DTEND", end_wall, rule.all_day, rule.zone))
    elif rule.duration:  # dates that take no time have no DTEND
        _, end = recurrence.occurrence_times(rule, rule.start)
        if recurrence.spans_clock_change(rule, rule.start):
            # The first date runs over a clock change: its wall times are not the length
            # (readers but libical subtract them); in UTC they are, for every reader.
            lines.append(prop("DTEND", utc_stamp(end)))
        else:
            end_wall = end.astimezone(_zone(rule.zone)).replace(tzinfo=None)
            lines.append(_wall_prop("DTEND", end_wall, rule.all_day, rule.zone))
    lines.append(prop("RRULE", recurrence.rrule_text(rule)))
    removed = [o.recurrence_id for o in occurrences if series.is_removed(o, master)]
    if removed:
        value = ",".join(w.strftime("%Y%m%d" if rule.all_day else "%Y%m%dT%H%M%S") for w in removed)
        param = "VALUE=DATE" if rule.all_day else f"TZID={rule.zone}"
        lines.append(prop(f"EXDATE;{param}", value))
    parts = [_vevent(master, site, lines)]
    for o in in_window:
        if series.is_removed(o, master) or not series.is_override(o, master, rule):
            continue
        head = _stamp_lines(o, master.uid, override_sequence(master, o))
        head.append(_wall_prop("RECURRENCE-ID", o.recurrence_id, rule.all_day, rule.zone))
        parts.append(_vevent(o, site, head + _times(o)))
    return "".join(parts)


def override_sequence(master: Event, occurrence: Event) -> int:
    """An override's SEQUENCE: its master's plus its own, which rises whenever either does
    (the larger of the two stood still when a date moved again caught up with its master's)
    and is never below the master's."""
    return (master.sequence or 0) + (occurrence.sequence or 0)


def _in_window(occurrence: Event, rule: Rule, window_start: datetime | None) -> bool:
    """Whether a feed from ``window_start`` writes this date: it ends in the window, or the
    date the rule gives it does (moved to before the window, its override must still replace
    that date, or readers make it from the rule)."""
    if window_start is None or occurrence.end_at >= window_start:
        return True
    from .. import recurrence

    _, original_end = recurrence.occurrence_times(rule, occurrence.recurrence_id)
    return original_end >= window_start


@dataclass(frozen=True)
class LeftOut:
    """Dates of one series a feed leaves out (they do not match its conditions)."""

    uid: str  # the series'
    zone: str
    all_day: bool
    dates: tuple[datetime, ...]  # their original local starts (RECURRENCE-ID)


def leaving_out(block: bytes, left: LeftOut) -> bytes:
    """A series' stored block without some of its dates, for one feed: an EXDATE for each on
    the master VEVENT, and their own VEVENTs (an override, or the separate event of a rule
    written as events) dropped. The stored block serves every feed, so this is done as the
    feed's body is put together."""
    from ..models import derived_uid

    own = {_wall_prop("RECURRENCE-ID", d, left.all_day, left.zone) for d in left.dates}
    own |= {prop("UID", escape_text(derived_uid(left.uid, d))) for d in left.dates}
    components = ["BEGIN:VEVENT\r\n" + c for c in block.decode().split("BEGIN:VEVENT\r\n")[1:]]
    kept = [c for c in components if not any(line in c for line in own)]
    fmt, param = (
        ("%Y%m%d", "VALUE=DATE") if left.all_day else ("%Y%m%dT%H%M%S", f"TZID={left.zone}")
    )
    end = "END:VEVENT\r\n"
    for n, component in enumerate(kept):
        if "\r\nRRULE:" in component and "\r\nRECURRENCE-ID" not in component:
            # Not twice: ical.js then takes the next date off the list for a confirmed one.
            written = re.findall(r"\r\nEXDATE[^:]*:([^\r]*)", component.replace("\r\n ", ""))
            already = {v for line in written for v in line.split(",")}
            values = [v for v in (d.strftime(fmt) for d in left.dates) if v not in already]
            if values:
                exdate = prop(f"EXDATE;{param}", ",".join(values))
                kept[n] = component[: -len(end)] + exdate + end
    return "".join(kept).encode()


def cached_block(event: Event, site: Site, context: str) -> tuple[str, str, bool]:
    """(block, key, fresh): the stored block when its key matches, else a new rendering.

    ``fresh`` is True when the block was rendered now; the caller may store block and key.
    """
    key = block_key(context, event.version)
    if event.ical_block is not None and event.ical_block_key == key:
        return event.ical_block, key, False
    return render_event(event, site), key, True


def series_context(context: str, window_start: datetime) -> str:
    """A series master's block also depends on the feed window (it drops overrides that ended
    before it), so its key names the window's first day."""
    return f"{context}@{window_start:%Y%m%d}"


# --- the calendar --------------------------------------------------------------------------------


def calendar_header(feed: FeedInfo) -> str:
    ttl = f"PT{int(feed.refresh_hours)}H"
    name, description = escape_text(feed.name), escape_text(feed.description)
    return "".join(
        (
            "BEGIN:VCALENDAR\r\n",
            prop("VERSION", "2.0"),
            prop("PRODID", escape_text(PRODID)),
            prop("CALSCALE", "GREGORIAN"),
            prop("NAME", name),
            prop("X-WR-CALNAME", name),
            prop("DESCRIPTION", description),
            prop("X-WR-CALDESC", description),
            prop("URL;VALUE=URI", clean_uri(feed.url)),
            prop("REFRESH-INTERVAL;VALUE=DURATION", ttl),
            prop("X-PUBLISHED-TTL", ttl),
        )
    )


@lru_cache(maxsize=1024)
def _vtimezone_text(zone_name: str, zone_rules: str, folder: str | None) -> str:
    """A zone's VTIMEZONE under the rules in use (``zone_rules`` names them: the cache key).

    Working it out scans the zone's 130 years (0.2 s a zone), which a worker's first feed
    would wait for, zone by zone: the text is kept in a file under ``folder`` (the instance
    folder), made once per host for these rules and this renderer, read by every worker.
    """
    path = None
    if folder is not None:
        path = Path(folder, "vtimezones", f"{RENDERER_VERSION}-{zone_rules}", quote(zone_name, ""))
        if path.exists():
            return path.read_bytes().decode()  # bytes: its CRLFs as they are
    text = vtimezone_for(zone_name).to_ical().decode()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
        partial.write_bytes(text.encode())
        os.replace(partial, path)  # whole or not at all, whichever worker writes it
    return text


def vtimezones_text(zone_names: Iterable[str]) -> str:
    """One VTIMEZONE per zone, sorted by name: each the same text in every file."""
    rules = rules_version()
    folder = current_app.instance_path if has_app_context() else None
    return "".join(_vtimezone_text(z, rules, folder) for z in sorted(set(zone_names)))


def timed_zones(events: Iterable[Event]) -> set[str]:
    """The zones the events' blocks name: each timed event's, and of a series, those of its
    timed dates too (a date moved into a zone of its own is written in it)."""
    zones = set()
    for event in events:
        if not event.all_day:
            zones.add(event.timezone)
        if event.series_master:
            zones.update(o.timezone for o in event.occurrences if not o.all_day)
    return zones


def feed_order(event: Event) -> tuple[datetime, int]:
    return (event.start_at, event.id)


def build_calendar(
    events: Iterable[Event],
    feed: FeedInfo,
    site: Site,
    window_start: datetime | None = None,
    left: Mapping[int, LeftOut] | None = None,
) -> bytes:
    """A whole calendar rendered from scratch (no cached blocks), ordered by (start_at, id);
    ``left``: dates of its series it leaves out, by master id (``leaving_out``)."""
    ordered = sorted(events, key=feed_order)
    parts = [calendar_header(feed).encode(), vtimezones_text(timed_zones(ordered)).encode()]
    for event in ordered:
        block = render_event(event, site, window_start).encode()
        parts.append(leaving_out(block, left[event.id]) if left and event.id in left else block)
    parts.append(FOOTER.encode())
    return b"".join(parts)
