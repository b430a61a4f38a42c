"""The OpenAPI 3.1 document of /api/v1/: written here by hand, its parameters taken from
params.py, and kept true by tests (schemathesis sends generated requests to every operation and
checks every response against these schemas; tests/test_api.py validates serialized events)."""

from __future__ import annotations

from typing import Any

from ..models import KINDS, PUBLIC_STATUSES
from .http import problem_cache_control
from .params import EVENT_LIST_PARAMS, Param

VERSION = "1.0.0"
URL_OR_NULL = {"type": ["string", "null"], "format": "uri"}
TEXT = {"type": "string"}
DATE_OR_DATETIME = {
    "type": "string",
    "description": "An ISO 8601 local time with its UTC offset (timed events) or a date "
    "(all-day events).",
    "anyOf": [{"format": "date-time"}, {"format": "date"}],
}

DESCRIPTION = {
    "type": "string",
    "description": "The description as the editor wrote it: Markdown, which may hold HTML as"
    " typed or imported, unsanitized. To show it, use description_html.",
}
DESCRIPTION_HTML = {
    "type": "string",
    "description": "The description as the event's page shows it: HTML, sanitized (no scripts,"
    " handlers, styles or javascript: links; only basic text tags and links).",
}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


FEEDS = _object(
    {
        "ics": {"type": "string", "format": "uri", "description": "Its calendar feed"},
        "atom": {"type": "string", "format": "uri", "description": "Its Atom feed"},
    }
)
VENUE: dict[str, Any] = {
    "id": {"type": "integer"},
    "slug": TEXT,
    "url": {"type": "string", "format": "uri", "description": "The venue's page"},
    "name": TEXT,
    "address": TEXT,
    "city": TEXT,
    "region": TEXT,
    "postal_code": TEXT,
    "country": TEXT,
    "timezone": {"type": "string", "description": "IANA time zone"},
    "latitude": {"type": ["number", "null"]},
    "longitude": {"type": ["number", "null"]},
    "website": URL_OR_NULL,
}

SCHEMAS: dict[str, Any] = {
    "Venue": _object(VENUE),
    "ListedVenue": _object({**VENUE, "feeds": FEEDS}, "A venue of public events, with its feeds"),
    "CategoryRef": _object({"slug": TEXT, "name": TEXT}),
    "SeriesRef": _object(
        {
            "uid": TEXT,
            "slug": TEXT,
            "title": TEXT,
            "url": {"type": "string", "format": "uri", "description": "The series page"},
            "ics_url": {"type": "string", "format": "uri", "description": "The whole series"},
            "api_url": {"type": "string", "format": "uri", "description": "The series here"},
            "repeats": {"type": "string", "description": "e.g. weekly, Thursdays 12:00 PM EST"},
            "original_start": {
                "type": "string",
                "description": "The date's original local start (ISO 8601, no offset; a"
                " day, YYYY-MM-DD, in an all-day series): its identity in the series, also"
                " after it is moved",
            },
        },
        "A series of which the event is one date",
    ),
    "Category": _object(
        {
            "slug": TEXT,
            "name": TEXT,
            "url": {"type": "string", "format": "uri", "description": "The category's page"},
            "feeds": FEEDS,
        }
    ),
    "Speaker": _object({"name": TEXT, "title": TEXT, "company": TEXT}),
    "Event": _object(
        {
            "id": {"type": "integer"},
            "uid": {
                "type": "string",
                "description": "Permanent iCalendar UID; for a date of a series "
                "'<series UID>/<original date, YYYYMMDD>', as in its .ics download",
            },
            "slug": TEXT,
            "url": {"type": "string", "format": "uri", "description": "The event's page"},
            "ics_url": {"type": "string", "format": "uri"},
            "title": TEXT,
            "kind": {"type": "string", "enum": list(KINDS)},
            "status": {
                "type": "string",
                "enum": list(PUBLIC_STATUSES),
                "description": "Cancelled and postponed events stay listed, labelled.",
            },
            "summary": TEXT,
            "description": DESCRIPTION,
            "description_html": DESCRIPTION_HTML,
            "description_text": {"type": "string", "description": "The description as text"},
            "all_day": {"type": "boolean"},
            "start": DATE_OR_DATETIME,
            "end": {
                **DATE_OR_DATETIME,
                "description": DATE_OR_DATETIME["description"]
                + " For all-day events, the last day (inclusive).",
            },
            "timezone": {
                "type": "string",
                "description": "The event's IANA zone: the venue's, or the one the host announced.",
            },
            "when_text": {"type": "string", "description": "'Sep 24–26, 2026', as pages show it"},
            "venue": {"anyOf": [{"$ref": "#/components/schemas/Venue"}, {"type": "null"}]},
            "online": {"type": "boolean"},
            "online_url": URL_OR_NULL,
            "registration_url": URL_OR_NULL,
            "recording_url": URL_OR_NULL,
            "slides_url": URL_OR_NULL,
            "image_url": URL_OR_NULL,
            "organizer": TEXT,
            "featured": {"type": "boolean"},
            "categories": {"type": "array", "items": {"$ref": "#/components/schemas/CategoryRef"}},
            "speakers": {"type": "array", "items": {"$ref": "#/components/schemas/Speaker"}},
            "sequence": {"type": "integer", "description": "iCalendar SEQUENCE"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "series": {
                "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/SeriesRef"}],
                "description": "The series this event is a date of; null for a single event.",
            },
        }
    ),
    "EventPage": _object(
        {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
            "next_cursor": {"type": ["string", "null"]},
            "links": _object({"self": TEXT, "next": {"type": ["string", "null"]}}),
        }
    ),
    "EventDetail": _object({"data": {"$ref": "#/components/schemas/Event"}}),
    "Series": _object(
        {
            "uid": {"type": "string", "description": "The series' permanent iCalendar UID"},
            "slug": TEXT,
            "url": {"type": "string", "format": "uri", "description": "The series page"},
            "ics_url": {"type": "string", "format": "uri", "description": "The whole series"},
            "title": TEXT,
            "kind": {"type": "string", "enum": list(KINDS)},
            "status": {"type": "string", "enum": list(PUBLIC_STATUSES)},
            "summary": TEXT,
            "description": DESCRIPTION,
            "description_html": DESCRIPTION_HTML,
            "description_text": {"type": "string", "description": "The description as text"},
            "repeats": {
                "type": "string",
                "description": "The rule in words: 'Every Thursday at 12:00 PM EST, until ...'",
            },
            "rrule": {
                "type": "string",
                "description": "The rule as the series' .ics writes it (RFC 5545 RRULE value), "
                "in the local time of `timezone`; it repeats from `dtstart`",
            },
            "dtstart": {
                "type": "string",
                "description": "The first date's start in the local time of `timezone`, as "
                "the .ics's DTSTART: 'YYYY-MM-DDTHH:MM:SS', or 'YYYY-MM-DD' when all day",
                "examples": ["2026-06-18T12:00:00", "2026-06-18"],
            },
            "duration": {
                "type": "string",
                "description": "How long each date lasts (RFC 5545 DURATION: 'PT1H', 'P1D')",
            },
            "all_day": {"type": "boolean"},
            "timezone": {"type": "string", "description": "IANA zone the rule repeats in"},
            "venue": {"anyOf": [{"$ref": "#/components/schemas/Venue"}, {"type": "null"}]},
            "online": {"type": "boolean"},
            "online_url": URL_OR_NULL,
            "registration_url": URL_OR_NULL,
            "organizer": TEXT,
            "categories": {"type": "array", "items": {"$ref": "#/components/schemas/CategoryRef"}},
            "speakers": {"type": "array", "items": {"$ref": "#/components/schemas/Speaker"}},
            "updated_at": {"type": "string", "format": "date-time"},
            "upcoming": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Event"},
                "description": "The next public dates (at most 20), soonest first, cancelled "
                "and moved ones included with their status and times",
            },
            "upcoming_total": {
                "type": "integer",
                "description": "How many public dates are to come, as far as the site lists a"
                " series' dates: a rule without an end (no UNTIL or COUNT) goes on past them,"
                " listed up to two years ahead",
            },
        },
        "A series: one rule, its dates each an event of /events",
    ),
    "SeriesDetail": _object({"data": {"$ref": "#/components/schemas/Series"}}),
    "CategoryList": _object(
        {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Category"}}}
    ),
    "VenueList": _object(
        {"data": {"type": "array", "items": {"$ref": "#/components/schemas/ListedVenue"}}}
    ),
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details",
        "properties": {
            "type": TEXT,
            "title": TEXT,
            "status": {"type": "integer"},
            "detail": TEXT,
            "instance": TEXT,
            "parameter": {"type": "string", "description": "The query parameter at fault"},
        },
        "required": ["type", "title", "status", "detail"],
    },
}

CACHE_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "Strong validator of the body"},
    "Cache-Control": {"schema": {"type": "string"}},
    "Access-Control-Allow-Origin": {"schema": {"type": "string", "const": "*"}},
}


NEXT_PAGE_HEADER = {
    "Link": {
        "schema": {"type": "string"},
        "description": 'The next page, when there is one: `<https://...>; rel="next"`'
        " (RFC 8288), as `links.next`",
    }
}


def _ok(schema: str, description: str, *, paged: bool = False) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {**CACHE_HEADERS, **NEXT_PAGE_HEADER} if paged else CACHE_HEADERS,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _problem(status: str, description: str) -> dict[str, Any]:
    kept = problem_cache_control(int(status))
    said = "Not to be kept" if kept == "no-store" else "Any cache may keep it (the same for all)"
    return {
        "description": description,
        "headers": {
            "Cache-Control": {"schema": {"type": "string", "const": kept}, "description": said}
        },
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


NOT_MODIFIED = {"description": "The client's copy (If-None-Match) is current"}


def _moved(description: str) -> dict[str, Any]:
    """A redirect from an address that moved (public.moved_redirect): where to is in Location."""
    return {
        "description": description,
        "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
    }


TAGS = [
    {
        "name": "Events",
        "description": "Published events, webinars and live audio, with their series",
    },
    {"name": "Categories and venues", "description": "What the events' filters can name"},
]


def _operation(
    operation_id: str,
    summary: str,
    params: tuple[Param, ...],
    ok: dict,
    *extra: tuple,
    tag: str = "Events",
) -> dict[str, Any]:
    responses = {"200": ok, "304": NOT_MODIFIED}
    for code, description in (("400", "A parameter cannot be used"), *extra):
        responses[code] = _problem(code, description)
    return {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "parameters": [p.openapi() for p in params],
        "responses": responses,
    }


def document(server_url: str) -> dict[str, Any]:
    """The whole document; `server_url` is the API's base (".../api/v1")."""
    event_key = {
        "name": "key",
        "in": "path",
        "required": True,
        "description": "The event's slug or its iCalendar UID",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    }
    one_event = _operation(
        "getEvent",
        "One public event, by slug or UID",
        (),
        _ok("EventDetail", "The event"),
        ("404", "No public event has this slug or UID"),
        ("410", "The public event at this address was deleted"),
    )
    one_event["parameters"] = [event_key]
    one_event["responses"]["400"] = _problem("400", "A query parameter was given: this takes none")
    one_event["responses"]["301"] = _moved(
        "An event asked for by a former slug (it was renamed, or its series was), or a date of "
        "a series that 'this and following' moved to a new series, asked for by its old slug "
        "or UID: its address now is in Location; a series' former slug leads to the series "
        "(/series/{key})"
    )
    one_event["responses"]["302"] = _moved(
        "A date of a series moved to another day, asked for by the slug or "
        "UID of the day it was moved to: its own address, under its original day, is in "
        "Location (for as long as it is on that day)"
    )
    one_series = _operation(
        "getSeries",
        "One public series, by slug or UID, with its next dates",
        (),
        _ok("SeriesDetail", "The series"),
        ("404", "No public series has this slug or UID"),
        ("410", "The public series at this address was deleted"),
    )
    one_series["parameters"] = [
        {**event_key, "description": "The series' slug or its iCalendar UID"}
    ]
    one_series["responses"]["400"] = _problem("400", "A query parameter was given: this takes none")
    one_series["responses"]["301"] = _moved(
        "A series asked for by a former slug (it was renamed), or by the address of a deleted "
        "series that a part split off it by 'this and following' goes on from: its address "
        "now is in Location; an event's former slug leads to the event (/events/{key})"
    )
    list_events = _operation(
        "listEvents",
        "Public events, filtered, sorted and paged by cursor",
        EVENT_LIST_PARAMS,
        _ok("EventPage", "A page of events", paged=True),
    )
    list_events["responses"]["301"] = _moved(
        "A category asked for by a former slug (an editor changed it): the same query with "
        "its slug now is in Location"
    )
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Events API",
            "version": VERSION,
            "description": (
                "Read-only access to the published events, webinars and live audio shows. "
                "Answers are public and cacheable (ETag, 304, Cache-Control) and open to any "
                "origin for GET (CORS). Bad parameters get a 400 with an RFC 9457 problem body. "
                "Drafts never appear; cancelled and postponed events do, with their status."
            ),
        },
        "servers": [{"url": server_url}],
        "tags": TAGS,
        "paths": {
            "/events": {"get": list_events},
            "/events/{key}": {"get": one_event},
            "/series/{key}": {"get": one_series},
            "/categories": {
                "get": _operation(
                    "listCategories",
                    "Every category",
                    (),
                    _ok("CategoryList", "The categories"),
                    tag="Categories and venues",
                )
            },
            "/venues": {
                "get": _operation(
                    "listVenues",
                    "Venues of public events",
                    (),
                    _ok("VenueList", "The venues"),
                    tag="Categories and venues",
                )
            },
        },
        "components": {"schemas": SCHEMAS},
    }
