"""Events, venues and categories as JSON-ready dicts: every field a calendar or a website
needs. Pure: URLs come from a `Links` the caller builds; nothing here reads Flask or a session.

Times: a timed event's ``start``/``end`` are ISO 8601 local times with their UTC offset in the
event's own zone (``timezone``, IANA); an all-day event's are dates, ``end`` being its last day
(inclusive), which no zone conversion moves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..markup import safe_url
from ..models import Category, Event, Venue


@dataclass(frozen=True)
class Links:
    """Absolute URLs: ``event(slug)``, ``event_ics(slug)``, ``category(slug)``,
    ``category_feed(slug)``, ``category_atom(slug)``, ``series_api(slug)``, ``venue(slug)``,
    ``venue_feed(slug)`` and ``venue_atom(slug)``."""

    event: Callable[[str], str]
    event_ics: Callable[[str], str]
    category: Callable[[str], str]
    category_feed: Callable[[str], str]
    category_atom: Callable[[str], str]
    series_api: Callable[[str], str]
    venue: Callable[[str], str]
    venue_feed: Callable[[str], str]
    venue_atom: Callable[[str], str]


def utc_text(instant: datetime) -> str:
    """'2026-11-08T19:00:00Z'."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _url(value: str | None) -> str | None:
    return safe_url(value) or None


def schedule(event: Event) -> dict[str, Any]:
    """all_day, start, end, timezone, when_text (as the pages write it)."""
    if event.all_day:
        assert event.first_day is not None and event.last_day is not None
        start, end = event.first_day.isoformat(), event.last_day.isoformat()
    else:
        start, end = event.local_start.isoformat(), event.local_end.isoformat()
    return {
        "all_day": event.all_day,
        "start": start,
        "end": end,
        "timezone": event.timezone,
        "when_text": event.when_text,
    }


def venue_json(venue: Venue, links: Links) -> dict[str, Any]:
    return {
        "id": venue.id,
        "slug": venue.slug,
        "url": links.venue(venue.slug),
        "name": venue.name,
        "address": venue.address,
        "city": venue.city,
        "region": venue.region,
        "postal_code": venue.postal_code,
        "country": venue.country,
        "timezone": venue.timezone,
        "latitude": venue.latitude,
        "longitude": venue.longitude,
        "website": _url(venue.website),
    }


def listed_venue_json(venue: Venue, links: Links) -> dict[str, Any]:
    """A venue of /venues: as events name it, with its feeds."""
    feeds = {"ics": links.venue_feed(venue.slug), "atom": links.venue_atom(venue.slug)}
    return {**venue_json(venue, links), "feeds": feeds}


def category_json(category: Category, links: Links) -> dict[str, Any]:
    return {
        "slug": category.slug,
        "name": category.name,
        "url": links.category(category.slug),
        "feeds": {
            "ics": links.category_feed(category.slug),
            "atom": links.category_atom(category.slug),
        },
    }


def people_and_topics(event: Event) -> dict[str, Any]:
    """An event's (or a series') ``categories`` and ``speakers``."""
    return {
        "categories": [{"slug": c.slug, "name": c.name} for c in event.categories],
        "speakers": [
            {"name": s.name, "title": s.title, "company": s.company} for s in event.speakers
        ],
    }


def event_json(event: Event, links: Links) -> dict[str, Any]:
    """One public event; ``series`` names the series it is a date of (null for a single
    event), with the date it was first announced for (``original_start``: local wall time, or the
    day of an all-day series, as its feed's RECURRENCE-ID)."""
    return {
        "id": event.id,
        "uid": event.calendar_uid,
        "slug": event.slug,
        "url": links.event(event.slug),
        "ics_url": links.event_ics(event.slug),
        "title": event.title,
        "kind": event.kind,
        "status": event.status,
        "summary": event.summary,
        "description": event.description,
        "description_html": str(event.description_markup),
        "description_text": event.description_text,
        **schedule(event),
        "venue": venue_json(event.venue, links) if event.venue is not None else None,
        "online": event.is_online,
        "online_url": _url(event.online_url),
        "registration_url": _url(event.registration_url),
        "recording_url": _url(event.recording_url),
        "slides_url": _url(event.slides_url),
        "image_url": _url(event.image_url),
        "organizer": event.organizer,
        "featured": event.featured,
        **people_and_topics(event),
        "sequence": event.sequence,
        "created_at": utc_text(event.created_at),
        "updated_at": utc_text(event.updated_at),
        "series": series_json(event, links),
    }


def series_json(event: Event, links: Links) -> dict[str, Any] | None:
    master = event.series
    if master is None or event.recurrence_id is None:
        return None
    return {
        "uid": master.uid,
        "slug": master.slug,
        "title": master.title,
        "url": links.event(master.slug),
        "ics_url": links.event_ics(master.slug),
        "api_url": links.series_api(master.slug),
        "repeats": master.series_words(event.start_at),
        "original_start": (
            event.recurrence_id.date() if master.all_day else event.recurrence_id
        ).isoformat(),
    }


def series_detail_json(
    master: Event,
    repeats: str,
    rule: tuple[str, str, str],
    upcoming: list[Event],
    upcoming_total: int,
    links: Links,
) -> dict[str, Any]:
    """A series as a whole: what it is, its rule (``repeats`` in words; ``rule``: its RRULE
    value, first start and length as its feed writes them, in ``timezone``'s local time), and
    its next public dates as events."""
    rrule, dtstart, duration = rule
    return {
        "uid": master.uid,
        "slug": master.slug,
        "url": links.event(master.slug),
        "ics_url": links.event_ics(master.slug),
        "title": master.title,
        "kind": master.kind,
        "status": master.status,
        "summary": master.summary,
        "description": master.description,
        "description_html": str(master.description_markup),
        "description_text": master.description_text,
        "repeats": repeats,
        "rrule": rrule,
        "dtstart": dtstart,
        "duration": duration,
        "all_day": master.all_day,
        "timezone": master.timezone,
        "venue": venue_json(master.venue, links) if master.venue is not None else None,
        "online": master.is_online,
        "online_url": _url(master.online_url),
        "registration_url": _url(master.registration_url),
        "organizer": master.organizer,
        **people_and_topics(master),
        "updated_at": utc_text(master.updated_at),
        "upcoming": [event_json(e, links) for e in upcoming],
        "upcoming_total": upcoming_total,
    }
