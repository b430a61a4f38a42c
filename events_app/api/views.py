"""Routes of the public JSON API: /api/v1/events, /events/<slug or uid>, /categories, /venues,
the OpenAPI document and its docs page."""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, Response, redirect, render_template, request, url_for
from icalendar import vDuration
from sqlalchemy import ColumnElement, and_, false, func, or_, select, tuple_
from sqlalchemy.orm import aliased
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

from .. import addresses, changes, clock
from ..extensions import db
from ..feeds.views import venue_feed_url
from ..filters import filtered_events_query
from ..models import (
    Event,
    categories_by_name,
    public_events,
    public_series,
)
from ..public import moved_redirect, plausible_day, renamed_category_redirect
from ..templating import external_url
from ..venues import listed_venues
from . import http, openapi, serialize
from .params import BadParameter, Cursor, EventQuery, check_known

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class AnyTextConverter(PathConverter):
    """A path that may hold any character, newlines too: every odd key still reaches the
    views (and gets a problem body), never the site's HTML 404 page."""

    regex = "[^/](?s:.*?)"


bp.record_once(lambda state: state.app.url_map.converters.setdefault("anytext", AnyTextConverter))
MAX_AGE = 60
KEY_MAX_LENGTH = 255


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    return http.problem(400, "Bad Request", str(error), parameter=error.parameter)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Every error under /api/v1 is a problem body, never an HTML page."""
    return http.problem(error.code or 500, error.name, error.description or error.name)


@bp.after_request
def cors(response: Response) -> Response:
    return http.allow_cors(response)


def links() -> serialize.Links:
    return serialize.Links(
        event=lambda slug: external_url("public.event_detail", slug=slug),
        event_ics=lambda slug: external_url("feeds.event_download", slug=slug),
        category=lambda slug: external_url("public.category_page", slug=slug),
        category_feed=lambda slug: external_url("feeds.category", slug=slug),
        category_atom=lambda slug: external_url("syndication.category_atom", slug=slug),
        series_api=lambda slug: external_url("api.one_series", key=slug),
        venue=lambda slug: external_url("venues.venue_page", slug=slug),
        venue_feed=venue_feed_url,
        venue_atom=lambda slug: venue_feed_url(slug, atom=True),
    )


SORT_COLUMNS = {"start": Event.start_at, "-start": Event.start_at, "-updated": Event.updated_at}


def events_select(query: EventQuery, now):
    """The select of one page (plus one row, to know whether another page follows)."""
    stmt = filtered_events_query(query.filters, now, window=(None, None)).order_by(None)
    if query.when == "upcoming":
        stmt = stmt.where(Event.end_at > now)
    elif query.when == "past":
        stmt = stmt.where(Event.end_at <= now)
    if query.status:
        stmt = stmt.where(Event.status == query.status)
    column = SORT_COLUMNS[query.sort]
    descending = query.sort.startswith("-")
    if query.cursor is not None:
        after = tuple_(column, Event.id)
        mark = tuple_(query.cursor.value, query.cursor.id)
        stmt = stmt.where(after < mark if descending else after > mark)
    order = (column.desc(), Event.id.desc()) if descending else (column, Event.id)
    return stmt.order_by(*order).limit(query.limit + 1)


@bp.get("/events")
def events():
    query = EventQuery.from_args(request.args)
    state = changes.read_state(db.engine)  # before the content it guards
    rows = list(db.session.scalars(events_select(query, clock.now())).unique())
    # A category's former slug matches nothing: looked for only then, it costs a hit nothing.
    if not rows and (moved := renamed_category_redirect(query.filters.category)):
        return moved
    page, more = rows[: query.limit], len(rows) > query.limit
    next_cursor = None
    if more:
        last = page[-1]
        value = last.updated_at if query.sort == "-updated" else last.start_at
        next_cursor = Cursor(query.sort, value, last.id).encode()
    args = request.args.to_dict()
    to = links()
    next_url = external_url("api.events", **{**args, "cursor": next_cursor}) if more else None
    body = {
        "data": [serialize.event_json(e, to) for e in page],
        "next_cursor": next_cursor,
        "links": {"self": external_url("api.events", **args), "next": next_url},
    }
    return http.cacheable(http.dumps(body), state, max_age=MAX_AGE, next_url=next_url)


@bp.get("/events/<anytext:key>")
def event(key: str):
    check_known(request.args, ())
    if not plausible_key(key):
        return http.problem(404, "Not Found", "No public event has this slug or UID.")
    state = changes.read_state(db.engine)
    stmt = public_events().where(or_(Event.slug == key, Event.uid == key, _date_of_series(key)))
    found = db.session.scalars(stmt.order_by(Event.slug != key)).unique().first()
    if found is None:
        head, day = _date_address(key)
        where = addresses.lookup(db.session, head, day) if head else None
        if isinstance(where, addresses.Moved):  # as its page: split, moved here, renamed
            return moved_redirect(_moved_url(where, day), where)
        if where is not None:
            return http.problem(410, "Gone", f"“{where.title}” was deleted.")
        master = db.session.scalars(_public_series(key)).first()
        if master is not None:  # its dates are the events; the series has its own address
            url = external_url("api.one_series", key=master.slug)
            return http.problem(404, "Not Found", f"This is a series; it is at {url}")
        return http.problem(404, "Not Found", "No public event has this slug or UID.")
    body = {"data": serialize.event_json(found, links())}
    return http.cacheable(http.dumps(body), state, max_age=MAX_AGE)


def _moved_url(where: addresses.Moved, day: str | None = None) -> str:
    """The API's address of where an address moved (addresses.lookup): a date's (``day``: the
    date asked for), else the series' or the event's, whichever it is now: a series renamed is
    asked for at /events/ too, as its page's address serves both."""
    if day:
        return external_url("api.event", key=f"{where.slug}/{where.day or day}")
    is_series = select(Event.id).where(Event.slug == where.slug, Event.series_master.is_(True))
    endpoint = "api.one_series" if db.session.scalar(is_series) is not None else "api.event"
    return external_url(endpoint, key=where.slug)


def plausible_key(key: str) -> bool:
    """A slug or UID as the database may hold one: not empty, not too long, no control
    characters (PostgreSQL refuses NUL in a query)."""
    return 0 < len(key) <= KEY_MAX_LENGTH and key.isprintable()


UPCOMING_SHOWN = 20  # a series' next dates in its answer; its .ics holds them all


@bp.get("/series/<anytext:key>")
def one_series(key: str):
    """A series as a whole, by its slug or UID: its rule, and its next dates as events."""
    from .. import recurrence, series

    check_known(request.args, ())
    if not plausible_key(key):
        return http.problem(404, "Not Found", "No public series has this slug or UID.")
    state = changes.read_state(db.engine)
    master = db.session.scalars(_public_series(key)).first()
    where = addresses.lookup(db.session, key) if master is None else None
    if isinstance(where, addresses.Moved):  # renamed, or deleted with parts left, as its page
        return moved_redirect(_moved_url(where), where)
    if where is not None:
        return http.problem(410, "Gone", f"“{where.title}” was deleted.")
    if master is None:
        return http.problem(404, "Not Found", "No public series has this slug or UID.")
    rule = series.rule_of(master)
    dates = public_events().where(Event.series_id == master.id, Event.end_at > clock.now())
    upcoming = (
        db.session.scalars(dates.order_by(Event.start_at, Event.id).limit(UPCOMING_SHOWN))
        .unique()
        .all()
    )
    total = db.session.scalar(
        select(func.count()).select_from(dates.with_only_columns(Event.id).subquery())
    )
    body = {
        "data": serialize.series_detail_json(
            master,
            recurrence.summary(rule),
            (
                recurrence.rrule_text(rule),
                _dtstart(rule),
                vDuration(rule.duration).to_ical().decode(),
            ),
            list(upcoming),
            total or 0,
            links(),
        )
    }
    return http.cacheable(http.dumps(body), state, max_age=MAX_AGE)


def _dtstart(rule) -> str:
    """The rule's first start as DTSTART gives it: a local date, or a local date and time."""
    return rule.start.date().isoformat() if rule.all_day else rule.start.isoformat()


def _date_address(key: str) -> tuple[str | None, str | None]:
    """An event's key as (slug, None), or a date's as (its series' slug, YYYY-MM-DD): its
    address ('<series slug>/<YYYY-MM-DD>') or its UID ('<series UID>/<YYYYMMDD>'); (None,
    None) for a key that is neither."""
    head, _, day = key.rpartition("/")
    if not head:
        return key, None
    if len(day) == 8 and day.isascii() and day.isdigit():  # a UID: find its series' slug
        head = db.session.scalar(
            select(Event.slug).where(Event.uid == head, Event.series_master.is_(True))
        )
        day = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    if not head or not plausible_day(day):
        return None, None
    return head, day


def _public_series(key: str):
    """A public series master by slug or UID, with what its answer shows."""
    stmt = public_series().where(or_(Event.slug == key, Event.uid == key))
    return stmt.order_by(Event.slug != key).limit(1)


def _date_of_series(key: str) -> ColumnElement[bool]:
    """The date of a series a derived UID names (models.derived_uid: '<series UID>/YYYYMMDD')."""
    series_uid, _, day = key.rpartition("/")
    try:
        first = datetime.strptime(day, "%Y%m%d") if len(day) == 8 and series_uid else None
    except ValueError:
        first = None
    if first is None:
        return false()
    master = aliased(Event)
    of_series = select(master.id).where(master.uid == series_uid, master.series_master.is_(True))
    return and_(
        Event.series_id == of_series.scalar_subquery(),
        Event.recurrence_id >= first,
        Event.recurrence_id <= datetime.combine(first, time.max),  # 9999-12-31 has no next day
    )


@bp.get("/categories")
def categories():
    check_known(request.args, ())
    state = changes.read_state(db.engine)
    rows = categories_by_name(db.session)
    to = links()
    body = {"data": [serialize.category_json(c, to) for c in rows]}
    return http.cacheable(http.dumps(body), state, max_age=MAX_AGE)


@bp.get("/venues")
def venues():
    """Venues of public events only: a venue entered for a draft stays unannounced."""
    check_known(request.args, ())
    state = changes.read_state(db.engine)
    rows = listed_venues(db.session)
    to = links()
    body = {"data": [serialize.listed_venue_json(v, to) for v in rows]}
    return http.cacheable(http.dumps(body), state, max_age=MAX_AGE)


@bp.get("/openapi.json")
def openapi_document():
    check_known(request.args, ())
    state = changes.read_state(db.engine)
    body = http.dumps(openapi.document(external_url("api.events").removesuffix("/events")))
    return http.cacheable(body, state, max_age=MAX_AGE)


@bp.get("/docs")
def docs():
    return render_template("api/docs.html", spec_url=url_for(".openapi_document"))


@bp.get("/", strict_slashes=False)
def index():
    """/api and /api/v1, with or without their slash: the docs page, which is what someone
    typing the address wants, and which leads to the OpenAPI document. (Other unknown
    addresses under /api/ are problem bodies: ``unknown``, answers_in_json.)"""
    return redirect(url_for("api.docs"))


bp.record_once(
    lambda state: state.app.add_url_rule("/api/", "api_root", index, strict_slashes=False)
)


@bp.route("/<anytext:rest>", methods=["GET", "HEAD", "OPTIONS"])
def unknown(rest: str):
    return http.problem(404, "Not Found", "There is no such API resource; see /api/v1/docs.")
