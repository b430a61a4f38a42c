"""Pure "Add to Google Calendar" / "Add to Outlook" links for one event.

Google: ``action=TEMPLATE``; a timed event gives local wall times with ``ctz`` (the event's zone)
or, when a wall time occurs twice (fall-back hour), both ends in UTC with ``Z``; an all-day
event gives dates with an exclusive end. Outlook (outlook.live.com and outlook.office.com
compose deep links): ISO 8601 local times with their UTC offset, or dates with ``allday=true``
and an exclusive end.
The title is the feeds' ("Postponed: ..."): a one-off copy is never told of the new dates.
The description is trimmed so that every link stays under MAX_URL characters.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from ..timefmt import to_local
from .ical import Site, event_location, event_summary
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


# Bytes quote() leaves as they are (with safe="/"); any other byte takes three characters.
_KEPT = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")


def _quote(text: str) -> str:
    return quote(text, safe="/")


class Details:
    """An event's details (its text, then how to join and its page), written into each link
    quoted once; cut to fit under MAX_URL without quoting it again for every try."""

    def __init__(self, body: str, tail: str) -> None:
        self.body, self.tail = body, tail
        self.whole = _quote(f"{self.body}\n\n{self.tail}" if self.body else self.tail)
        self._lengths: list[int] = [0]  # quoted length of body[:i], as far as asked

    @classmethod
    def of(cls, event: Event, site: Site) -> Details:
        return cls(_body(event), _tail(event, site))

    def url(self, head: str, after: str = "") -> str:
        """``head`` + the details, quoted, + ``after``: the longest that fits (the text cut at
        a character, with an ellipsis)."""
        room = MAX_URL - len(head) - len(after)
        if len(self.whole) <= room:
            return head + self.whole + after
        ending = len(_quote(f"{ELLIPSIS}\n\n{self.tail}"))
        low, high = 0, len(self.body)
        while low < high:  # the longest prefix that fits
            mid = (low + high + 1) // 2
            if self._quoted_length(len(self.body[:mid].rstrip()), room) + ending <= room:
                low = mid
            else:
                high = mid - 1
        if low == 0:
            return head + _quote(self.tail) + after
        return head + _quote(f"{self.body[:low].rstrip()}{ELLIPSIS}\n\n{self.tail}") + after

    def _quoted_length(self, chars: int, room: int) -> int:
        """Quoted length of the body's first ``chars`` characters (more than ``room``: any
        number above it; each character takes at least one)."""
        if chars > room:
            return room + 1
        lengths = self._lengths
        for char in self.body[len(lengths) - 1 : chars]:
            code = ord(char)
            size = (1 if code in _KEPT else 3) if code < 128 else 3 * len(char.encode())
            lengths.append(lengths[-1] + size)
        return lengths[chars]


def _query(params: dict[str, str]) -> str:
    return urlencode(params, quote_via=quote, safe="/")


def _location(event: Event) -> str:
    location = event_location(event)
    return f"&location={_quote(location)}" if location else ""


def google_link(
    event: Event,
    site: Site,
    recur: tuple[str, str] | None = None,
    details: Details | None = None,
) -> str:
    """Google's template link; ``recur`` = (dates, RRULE value) makes it a whole series."""
    dates, ctz = google_dates(event)
    params = {"action": "TEMPLATE", "text": event_summary(event), "dates": dates}
    if recur is not None:
        params["dates"], params["recur"] = recur[0], f"RRULE:{recur[1]}"
    if ctz:
        params["ctz"] = ctz
    details = details or Details.of(event, site)
    return details.url(f"{GOOGLE}?{_query(params)}&details=", _location(event))


def outlook_link(
    event: Event, site: Site, host: str = "outlook", details: Details | None = None
) -> str:
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event_summary(event),
        **outlook_times(event),
    }
    details = details or Details.of(event, site)
    head = f"{OUTLOOK_HOSTS[host]}{OUTLOOK_PATH}?{_query(params)}&body="
    return details.url(head, _location(event))


def links_for(event: Event, site: Site) -> dict[str, str]:
    """{"google": ..., "outlook": ..., "office": ...} for the event's page."""
    details = Details.of(event, site)
    return {
        "google": google_link(event, site, details=details),
        "outlook": outlook_link(event, site, "outlook", details),
        "office": outlook_link(event, site, "office", details),
    }


def google_subscribe_link(webcal_url: str) -> str:
    """Google Calendar subscribing to a feed, which it then reads again on its own schedule."""
    return f"{GOOGLE_SUBSCRIBE}?cid={quote(webcal_url, safe='/')}"


def series_links(
    master: Event, site: Site, subscribe_url: str, now: datetime, continued: bool = False
) -> dict[str, str]:
    """{"google": ...} for a series page: Google's template link with ``recur=RRULE:...`` from
    the first occurrence; or, when a date still to come was moved or cancelled, or the series
    is ``continued`` by a part "this and following" split off (none of which that link can
    carry: its rule ends at the split), {"google_subscribe": ...}: Google subscribing to the
    series' .ics at ``subscribe_url`` (webcal://), which holds every part. Outlook's compose
    links cannot repeat; the page offers the .ics."""
    from .. import recurrence, series

    if continued or series.has_changed_dates(master, now):
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
