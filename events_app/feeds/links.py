"""Pure "Add to Google Calendar" / "Add to Outlook" links for one event.

Google: ``action=TEMPLATE``; a timed event gives local wall times with ``ctz`` (the event's zone)
or, when a wall time occurs twice (fall-back hour), both ends in UTC with ``Z``; an all-day
event gives dates with an exclusive end. Outlook (outlook.live.com and outlook.office.com
compose deep links): ISO 8601 local times with their UTC offset, or dates with ``allday=true``
and an exclusive end.
The description is trimmed so that every link stays under MAX_URL characters.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from ..timefmt import to_local
from .ical import Site, event_location
from .vtimezone import wall_time_is_ambiguous

if TYPE_CHECKING:
    from ..models import Event

MAX_URL = 2000
GOOGLE = "https://calendar.google.com/calendar/render"
GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/r"
OUTLOOK_HOSTS = {
    "outlook": "https://outlook.live.com",
    "office": "https://outlook.office.com",
}
OUTLOOK_PATH = "/calendar/0/deeplink/compose"
ELLIPSIS = "\u2026"


def _is_ambiguous(instant: datetime, zone_name: str) -> bool:
    return wall_time_is_ambiguous(to_local(instant, zone_name).replace(tzinfo=None), zone_name)


def google_dates(event: Event) -> tuple[str, str | None]:
    """(dates, ctz) for Google's template link: both ends in UTC if either is ambiguous."""
    if event.all_day:
        assert event.first_day is not None and event.last_day is not None
        end = event.last_day + timedelta(days=1)
        return f"{event.first_day:%Y%m%d}/{end:%Y%m%d}", None
    ends = (event.start_at, event.end_at)
    if any(_is_ambiguous(t, event.timezone) for t in ends):
        start, end = (t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for t in ends)
    else:
        start, end = (to_local(t, event.timezone).strftime("%Y%m%dT%H%M%S") for t in ends)
    return f"{start}/{end}", event.timezone


def outlook_times(event: Event) -> dict[str, str]:
    if event.all_day:
        assert event.first_day is not None and event.last_day is not None
        end = event.last_day + timedelta(days=1)
        return {
            "startdt": event.first_day.isoformat(),
            "enddt": end.isoformat(),
            "allday": "true",
        }
    return {
        "startdt": to_local(event.start_at, event.timezone).isoformat(),
        "enddt": to_local(event.end_at, event.timezone).isoformat(),
        "allday": "false",
    }


def _body(event: Event) -> str:
    return "\n\n".join(p for p in (event.summary.strip(), event.description_text) if p)


def _tail(event: Event, site: Site) -> str:
    lines = [f"Join: {event.online_url}"] if event.online_url else []
    lines.append(f"Details: {site.event_url(event.slug)}")
    return "\n".join(lines)


def _fit(make_url, body: str, tail: str) -> str:
    """The longest link whose details are ``body`` (cut at a character) followed by ``tail``."""
    full = make_url(f"{body}\n\n{tail}" if body else tail)
    if len(full) <= MAX_URL:
        return full
    low, high = 0, len(body)
    while low < high:  # the longest prefix that fits
        mid = (low + high + 1) // 2
        if len(make_url(f"{body[:mid].rstrip()}{ELLIPSIS}\n\n{tail}")) <= MAX_URL:
            low = mid
        else:
            high = mid - 1
    if low == 0:
        return make_url(tail)
    return make_url(f"{body[:low].rstrip()}{ELLIPSIS}\n\n{tail}")


def google_link(event: Event, site: Site, recur: tuple[str, str] | None = None) -> str:
    """Google's template link; ``recur`` = (dates, RRULE value) makes it a whole series."""
    dates, ctz = google_dates(event)
    params = {"action": "TEMPLATE", "text": event.title, "dates": dates}
    if recur is not None:
        params["dates"], params["recur"] = recur[0], f"RRULE:{recur[1]}"
    if ctz:
        params["ctz"] = ctz
    location = event_location(event)

    def make(details: str) -> str:
        query = {**params, "details": details}
        if location:
            query["location"] = location
        return f"{GOOGLE}?{urlencode(query, quote_via=quote, safe='/')}"

    return _fit(make, _body(event), _tail(event, site))


def outlook_link(event: Event, site: Site, host: str = "outlook") -> str:
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        **outlook_times(event),
    }
    location = event_location(event)

    def make(details: str) -> str:
        query = {**params, "body": details}
        if location:
            query["location"] = location
        return f"{OUTLOOK_HOSTS[host]}{OUTLOOK_PATH}?{urlencode(query, quote_via=quote, safe='/')}"

    return _fit(make, _body(event), _tail(event, site))


def links_for(event: Event, site: Site) -> dict[str, str]:
    """{"google": ..., "outlook": ..., "office": ...} for the event's page."""
    return {
        "google": google_link(event, site),
        "outlook": outlook_link(event, site, "outlook"),
        "office": outlook_link(event, site, "office"),
    }


def google_subscribe_link(webcal_url: str) -> str:
    """Google Calendar subscribing to a feed, which it then reads again on its own schedule."""
    return f"{GOOGLE_SUBSCRIBE}?cid={quote(webcal_url, safe='/')}"


def series_links(master: Event, site: Site, subscribe_url: str, now: datetime) -> dict[str, str]:
    """{"google": ...} for a series page: Google's template link with ``recur=RRULE:...`` from
    the first occurrence; or, when a date still to come was moved or cancelled (which that
    link cannot carry), {"google_subscribe": ...}: Google subscribing to the series' .ics at
    ``subscribe_url`` (webcal://). Outlook's compose links cannot repeat; the page offers the
    .ics."""
    from .. import recurrence, series

    if series.has_changed_dates(master, now):
        return {"google_subscribe": google_subscribe_link(subscribe_url)}
    rule = series.rule_of(master)
    if rule.all_day:
        end = rule.start + timedelta(days=max(1, rule.duration.days))
        dates = f"{rule.start:%Y%m%d}/{end:%Y%m%d}"
    else:
        _, end_at = recurrence.occurrence_times(rule, rule.start)
        end_wall = to_local(end_at, rule.zone)
        dates = f"{rule.start:%Y%m%dT%H%M%S}/{end_wall:%Y%m%dT%H%M%S}"
    return {"google": google_link(master, site, (dates, recurrence.rrule_text(rule)))}
