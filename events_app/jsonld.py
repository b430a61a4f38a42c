"""schema.org structured data (JSON-LD) for event and venue pages, as plain dicts.

Pure: no Flask, no database. The template emits it with `|tojson`, which escapes `<`, `>`, `&`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from .markup import safe_url
from .models import Event, Venue

SCHEMA = "https://schema.org/"
EVENT_STATUS = {
    "published": "EventScheduled",
    "postponed": "EventPostponed",
    "cancelled": "EventCancelled",
}


def event_status(event: Event) -> dict[str, str]:
    """eventStatus, and for a series date moved off where its series put it, previousStartDate
    (the series' own start): a moved date still taking place is EventRescheduled, as
    schema.org and Google's Event guidelines ask, not EventScheduled at its new time."""
    status = EVENT_STATUS.get(event.status, "EventScheduled")
    original = event.original_start
    if original is None:
        return {"eventStatus": SCHEMA + status}
    if status == "EventScheduled":
        status = "EventRescheduled"
    return {"eventStatus": SCHEMA + status, "previousStartDate": original.isoformat()}


def attendance_mode(event: Event) -> str:
    if event.is_hybrid:
        return "MixedEventAttendanceMode"
    if not event.is_online:
        return "OfflineEventAttendanceMode"  # at its venue, or one to be announced
    if event.venue is not None:
        return "MixedEventAttendanceMode"
    return "OnlineEventAttendanceMode"


def postal_address(venue: Venue) -> dict[str, str]:
    """The parts of the venue's address that are known (none: a placeholder such as "TBA")."""
    address = {
        "streetAddress": venue.address,
        "addressLocality": venue.city,
        "addressRegion": venue.region,
        "postalCode": venue.postal_code,
        "addressCountry": venue.country,
    }
    return {k: v for k, v in address.items() if v}


def place(venue: Venue) -> dict[str, Any]:
    """The schema.org Place of a venue: name, postal address, coordinates, website."""
    place: dict[str, Any] = {
        "@type": "Place",
        "name": venue.name,
        "address": {"@type": "PostalAddress", **postal_address(venue)},
    }
    if venue.latitude is not None and venue.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": venue.latitude,
            "longitude": venue.longitude,
        }
    if venue.website:
        place["url"] = venue.website
    return place


def venue_jsonld(venue: Venue, *, page_url: str) -> dict[str, Any]:
    """The schema.org Place of a venue's page: the page is its ``url``, its own website
    ``sameAs``."""
    data: dict[str, Any] = {"@context": "https://schema.org", **place(venue), "url": page_url}
    if venue.website:
        data["sameAs"] = venue.website
    return data


def event_jsonld(
    event: Event, *, page_url: str, site_name: str, site_url: str, now: datetime
) -> dict[str, Any]:
    """The schema.org Event for `event`; `page_url` is the event page's absolute URL. Its
    online place is the join link while the page offers it (``Event.join_open``), else the
    page."""
    if event.all_day:
        assert event.first_day is not None and event.last_day is not None
        start, end = event.first_day.isoformat(), event.last_day.isoformat()
    else:
        start, end = event.local_start.isoformat(), event.local_end.isoformat()
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": page_url,
        "startDate": start,
        "endDate": end,
        **event_status(event),
        "eventAttendanceMode": SCHEMA + attendance_mode(event),
    }
    description = event.description_text or event.summary
    if description:
        data["description"] = description
    # A Place needs an address (Google's Event rich results: location.address): a venue not
    # announced yet, or one entered as a placeholder without any address ("TBA"), is no
    # Place. Such an event has no location until it is known, rather than a made-up one; an
    # online one has its VirtualLocation.
    venue = event.venue if event.venue is not None and postal_address(event.venue) else None
    locations: list[dict[str, Any]] = [place(venue)] if venue is not None else []
    online_url, image_url = safe_url(event.online_url), safe_url(event.image_url)
    if event.is_online and (venue is None or online_url):
        join = online_url if event.join_open(now) else None
        locations.append({"@type": "VirtualLocation", "url": join or page_url})
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    if image_url:
        data["image"] = [image_url]
    data["organizer"] = {"@type": "Organization", "name": event.organizer or site_name}
    if not event.organizer:
        data["organizer"]["url"] = site_url
    if event.speakers:
        data["performer"] = [
            {"@type": "Person", "name": s.name}
            | ({"jobTitle": s.title} if s.title else {})
            | ({"affiliation": {"@type": "Organization", "name": s.company}} if s.company else {})
            for s in event.speakers
        ]
    registration_url = safe_url(event.registration_url)
    if registration_url and event.status != "cancelled":
        data["offers"] = {
            "@type": "Offer",
            "url": registration_url,
            "availability": SCHEMA + "InStock",
        }
    return data


def series_jsonld(
    master: Event,
    upcoming: Sequence[Event],
    *,
    page_url: str,
    site_name: str,
    site_url: str,
    event_url: Callable[[Event], str],
    now: datetime,
) -> dict[str, Any]:
    """The schema.org EventSeries of a series page, its upcoming occurrences as subEvents:
    each a whole Event as its own page gives it (Google reads every Event on a page, and one
    without its location or end is an error), but the description its series already has."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "EventSeries",
        "name": master.title,
        "url": page_url,
        "organizer": {"@type": "Organization", "name": master.organizer or site_name},
    }
    description = master.description_text or master.summary
    if description:
        data["description"] = description
    if upcoming:
        data["subEvent"] = [
            _sub_event(
                event_jsonld(
                    e, page_url=event_url(e), site_name=site_name, site_url=site_url, now=now
                )
            )
            for e in upcoming
        ]
    return data


def _sub_event(data: dict[str, Any]) -> dict[str, Any]:
    del data["@context"]
    data.pop("description", None)
    return data
