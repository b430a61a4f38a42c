"""The API's query parameters: one table that the views parse with and the OpenAPI document is
written from. Pure: no Flask, no database."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..filters import PLACE_MAX_LENGTH, Q_MAX_LENGTH, WHENS, BadFilter, EventFilters
from ..models import KINDS, PUBLIC_STATUSES

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
CURSOR_MAX_LENGTH = 200
SORTS = ("start", "-start", "-updated")
SLUG_PATTERN = "^[a-z0-9][a-z0-9-]{0,99}$"
VENUE_SLUG_PATTERN = "^[a-z0-9][a-z0-9-]{0,199}$"


class BadParameter(ValueError):
    """A query parameter the API cannot use; answered with a 400 problem naming it."""

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail)
        self.parameter = parameter


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict[str, Any]

    def openapi(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": "query",
            "required": False,
            "description": self.description,
            "schema": self.schema,
        }


def _date_param(name: str, side: str) -> Param:
    return Param(
        name,
        f"Only events covering a local day {side} this date (YYYY-MM-DD, inclusive).",
        {"type": "string", "format": "date"},
    )


FILTER_PARAMS = (
    Param("kind", "Live events, webinars or live audio.", {"type": "string", "enum": list(KINDS)}),
    Param(
        "category",
        "A category's slug (see /categories); an unknown slug matches nothing, a former "
        "one answers a 301 to its slug now.",
        {"type": "string", "pattern": SLUG_PATTERN},
    ),
    Param(
        "place",
        f"A venue's city or country, any case (a longer text is cut to {PLACE_MAX_LENGTH}"
        " characters).",
        {"type": "string"},
    ),
    Param(
        "venue",
        "A venue's slug (as in /venues/<slug>; a slug it had before still finds it); an unknown"
        " slug matches nothing.",
        {"type": "string", "pattern": VENUE_SLUG_PATTERN},
    ),
    Param(
        "q",
        "Full-text search, as the list's search box: every word must appear in the title,"
        " summary, description, speakers, venue (name, city, country), categories or kind;"
        ' words are stemmed, accents do not matter, the last word is also a prefix, "quoted'
        ' phrases" match as written, -word excludes and "a or b" finds either. Results are in'
        " date order (the"
        f" `sort` parameter); a longer text is cut to {Q_MAX_LENGTH} characters.",
        {"type": "string"},
    ),
)
EVENT_LIST_PARAMS = (
    Param(
        "when",
        "upcoming: not over yet; past: over; all: both (use from/to to bound it).",
        {"type": "string", "enum": list(WHENS), "default": "upcoming"},
    ),
    *FILTER_PARAMS,
    _date_param("from", "on or after"),
    _date_param("to", "on or before"),
    Param(
        "status",
        "Only events with this status (drafts are never public).",
        {"type": "string", "enum": list(PUBLIC_STATUSES)},
    ),
    Param(
        "sort",
        "start: soonest first (default, except for when=past); -start: latest first; "
        "-updated: most recently changed first.",
        {"type": "string", "enum": list(SORTS)},
    ),
    Param(
        "limit",
        "Events per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    ),
    Param(
        "cursor",
        "The next page: the `next_cursor` of the previous page, with the same other parameters.",
        {"type": "string", "maxLength": CURSOR_MAX_LENGTH},
    ),
)


def check_known(args: Mapping[str, Any], params: tuple[Param, ...]) -> None:
    """Unknown parameters are refused, so a typo ("limt") never silently means "no filter";
    so is one given twice ("kind=live&kind=webinar"), whose second value would be dropped."""
    known = {p.name for p in params}
    for name in args:
        if name not in known:
            allowed = ", ".join(sorted(known)) or "none"
            raise BadParameter(name, f"Unknown parameter {name[:40]!r}; allowed: {allowed}.")
        if hasattr(args, "getlist") and len(args.getlist(name)) > 1:  # a MultiDict
            raise BadParameter(name, f"{name!r} is given more than once; give one value.")


def _choice(args: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: str | None):
    value = args.get(name) or default
    if value is not None and value not in allowed:
        raise BadParameter(
            name, f"Unknown {name} {value[:40]!r}; use one of: {', '.join(allowed)}."
        )
    return value


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the sort, and the last event's sort value and id."""

    sort: str
    value: datetime
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.sort, self.value.isoformat(), self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, sort: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            sort_name, value, event_id = json.loads(raw)
            cursor = cls(str(sort_name), datetime.fromisoformat(value), int(event_id))
            if cursor.value.tzinfo is None or not 0 < cursor.id < 2**31:
                raise ValueError
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError):
            raise BadParameter("cursor", "This cursor is not one the API gave out.") from None
        if cursor.sort != sort:
            raise BadParameter("cursor", "This cursor belongs to another sort order.")
        return cursor


@dataclass(frozen=True)
class EventQuery:
    """A validated /events request."""

    filters: EventFilters = field(default_factory=EventFilters)
    when: str = "upcoming"
    status: str | None = None
    sort: str = "start"
    limit: int = DEFAULT_LIMIT
    cursor: Cursor | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> EventQuery:
        check_known(args, EVENT_LIST_PARAMS)
        names = ("kind", "category", "place", "venue", "q", "from", "to")
        try:
            filters = EventFilters.from_args({k: args.get(k) for k in names})
        except BadFilter as error:
            raise BadParameter(error.field, str(error)) from None
        when = _choice(args, "when", WHENS, "upcoming")
        sort = _choice(args, "sort", SORTS, "-start" if when == "past" else "start")
        cursor_text = args.get("cursor") or None
        if cursor_text is not None and len(cursor_text) > CURSOR_MAX_LENGTH:
            raise BadParameter("cursor", "This cursor is not one the API gave out.")
        return cls(
            filters=filters,
            when=when,
            status=_choice(args, "status", PUBLIC_STATUSES, None),
            sort=sort,
            limit=_limit(args.get("limit")),
            cursor=Cursor.decode(cursor_text, sort) if cursor_text else None,
        )


def _limit(value: str | None) -> int:
    if value is None or value == "":
        return DEFAULT_LIMIT
    if (
        not (value.isascii() and value.isdigit())
        or len(value) > 6
        or not 1 <= int(value) <= MAX_LIMIT
    ):
        raise BadParameter("limit", f"The limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(value)
