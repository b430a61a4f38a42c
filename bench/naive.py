"""Baseline for figure A: a feed built the naive way (as Indico and pretalx do), per request.

Every event becomes an `icalendar.Event` component, `add_missing_timezones()` adds the zones and
`Calendar.to_ical()` serializes the lot. Timed separately so the table can show each part.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar

from events_app.models import Event


@dataclass
class NaiveTimes:
    events: int
    build_s: float
    timezones_s: float
    to_ical_s: float
    size_mb: float


def build_naive(events: list[Event]) -> tuple[icalendar.Calendar, float, float]:
    """Return the calendar, the seconds to build the components and to add the timezones."""
    started = time.perf_counter()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Benchmark//naive build//EN")
    calendar.add("version", "2.0")
    for event in events:
        component = icalendar.Event()
        component.add("uid", event.uid)
        component.add("dtstamp", event.updated_at)
        component.add("created", event.created_at)
        component.add("last-modified", event.updated_at)
        component.add("sequence", event.sequence)
        if event.all_day:
            component.add("dtstart", event.first_day)
            component.add("dtend", event.last_day + timedelta(days=1))
        else:
            zone = ZoneInfo(event.timezone)
            component.add("dtstart", event.start_at.astimezone(zone))
            component.add("dtend", event.end_at.astimezone(zone))
        component.add("summary", event.title)
        component.add("description", event.description)
        component.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
        component.add("url", event.registration_url or event.online_url)
        if event.venue:
            component.add("location", f"{event.venue.name}, {event.venue.full_address}")
            if event.venue.latitude is not None:
                component.add("geo", (event.venue.latitude, event.venue.longitude))
        if event.categories:
            component.add("categories", [c.name for c in event.categories])
        calendar.add_component(component)
    built = time.perf_counter()
    calendar.add_missing_timezones()
    return calendar, built - started, time.perf_counter() - built


def time_naive(events: list[Event]) -> NaiveTimes:
    calendar, build_s, timezones_s = build_naive(events)
    started = time.perf_counter()
    body = calendar.to_ical()
    to_ical_s = time.perf_counter() - started
    return NaiveTimes(len(events), build_s, timezones_s, to_ical_s, len(body) / 1e6)
