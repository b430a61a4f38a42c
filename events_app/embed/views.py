"""Routes of the widgets: /embed.js, /embed/<widget>.json (data) and /embed/<widget> (frames).

Every answer is public and cacheable, offered to the response cache under the change token read
before the content; data and script are CORS-open for GET; only the frames may be framed.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from .. import changes, clock
from ..api import http
from ..api.params import BadParameter
from ..calendar import grid_bounds
from ..extensions import db
from ..filters import filtered_events_query
from ..markup import safe_url
from ..models import (
    Event,
    archived_webinars,
    category_by_slug,
    dates_overlap,
    listed,
    place_names,
    public_events,
    renamed_category,
    upcoming_events,
)
from ..security import allow_framing
from ..templating import external_url
from ..view_names import ours
from ..webinars import ARCHIVE_ARGS
from . import widgets
from .widgets import WidgetQuery

bp = Blueprint("embed", __name__)

STATIC = Path(__file__).resolve().parent.parent / "static" / "embed"
WIDGET = "<any(sidebar, list, month):widget>"
MAX_AGE = 60
SCRIPT_MAX_AGE = 300  # hosts pick up a new embed.js within five minutes
SHARED_SCRIPTS = ("visitor-time.js", "contrast.js")  # of static/, put in front of embed.js
HTML = "text/html; charset=utf-8"


def _wants_json() -> bool:
    return http.answers_in_json(request.path)


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    if _wants_json():
        return http.problem(400, "Bad Request", str(error), parameter=error.parameter)
    html = render_template("embed/error.html", message=str(error))
    return allow_framing(http.allow_cors(Response(html, 400, content_type=HTML)))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    if _wants_json():
        return http.problem(error.code or 500, error.name, error.description or error.name)
    return error


@bp.after_request
def cors(response: Response) -> Response:
    """The widgets' data (and its problems, and preflights) are read by embed.js on any site."""
    return http.allow_cors(response) if _wants_json() else response


@bp.route("/embed/<path:rest>.json", methods=["GET", "HEAD", "OPTIONS"])
def unknown_data(rest: str):
    return http.problem(404, "Not Found", "There is no such widget: sidebar, list or month.")


def _links() -> widgets.Links:
    return widgets.Links(
        event=lambda slug: external_url("public.event_detail", slug=slug),
        page=lambda endpoint, **args: external_url(endpoint, **args),
    )


def _sidebar(query: WidgetQuery, links: widgets.Links, now, view) -> list[dict[str, Any]]:
    conditions, found = query.filters.conditions(), []  # built once for every section
    loads = widgets.item_loads()
    # Filtered, the boxes keep their own names and their links' words (the caption above them
    # names the filters once); the links' filters are read aloud only.
    hidden = widgets.narrowed_by(view)
    for key, heading, kinds, archive in widgets.sidebar_sections(query):
        if archive:
            stmt = archived_webinars(now, loads)
            stmt = stmt.where(Event.kind.in_(kinds), Event.recording_url != "")
            # The archive takes the widget's category, place and search: it lists what this
            # box lists (and past sessions whose recording is still to come).
            args = query.filters.to_args().items()
            url = external_url("webinars.archive", **{k: v for k, v in args if k in ARCHIVE_ARGS})
            more = (widgets.archive_label(view is not None), hidden, url)
            empty = "No recordings yet."
        else:
            stmt = upcoming_events(now, kind=kinds, loads=loads)
            # Each to the list of its kind, with the widget's filters, named as that list is;
            # the audio show's, unfiltered, to the Webinars section, where the show is.
            if key == "audio" and view is None:
                more = (ours("All webinars and live audio"), hidden, external_url("webinars.index"))
            else:
                more = (widgets.more_label(kinds), hidden, _list_url(query, kind=kinds[0]))
            empty = "Nothing is scheduled right now."
        count = 1 if key == "audio" else query.count
        events = db.session.scalars(stmt.where(*conditions).limit(count)).all()
        if not events and not widgets.shown_empty(key, kinds, query.filters):
            continue
        part = widgets.section(key, ours(heading), events, links, more, empty)
        if archive:
            for entry, event in zip(part["events"], events, strict=True):
                entry["recording_url"] = safe_url(event.recording_url) or None
                entry["recording_label"] = event.recording_label
        found.append(part)
    return found


def _list_url(query: WidgetQuery, **changes: Any) -> str:
    return external_url("public.event_list", **query.filters.to_args(**changes))


def _list(query: WidgetQuery, links: widgets.Links, now, view) -> list[dict[str, Any]]:
    # The next events, soonest first, as the sidebar and the month list them: a search
    # narrows the list but does not rank it (ranked, the widget showed the best matches,
    # months ahead, instead of the next ones, and a series once). Its link lists the same.
    filters = replace(query.filters, sort="date")
    stmt = filtered_events_query(filters, now, loads=widgets.item_loads()).limit(query.count)
    events = db.session.scalars(stmt).all()
    kind = query.filters.kind
    heading = widgets.KIND_HEADINGS.get(kind or "", "Upcoming events")
    heading = widgets.section_heading(heading, view, (kind,) if kind else ())
    # Its heading names the view; its link says so once more to a screen reader only.
    label, hidden = widgets.list_more(view, (kind,) if kind else ())
    more = (label, hidden, _list_url(query, sort="date"))
    return [
        widgets.section("list", heading, events, links, more, "Nothing is scheduled right now.")
    ]


def _month(query: WidgetQuery, links: widgets.Links, view) -> dict[str, Any]:
    today = clock.today()
    year, month = query.month or (today.year, today.month)
    start, end = grid_bounds(year, month)
    last = widgets.month_end(year, month)
    public = (listed(),)
    spans_stmt = query.filters.apply(
        select(Event.start_date, Event.end_date, func.count())
        .where(*public, dates_overlap(start, end, masters=False))
        .group_by(Event.start_date, Event.end_date),
        masters=False,
    )
    spans = {(a, b): n for a, b, n in db.session.execute(spans_stmt).all()}
    listed_from = widgets.listed_from(year, month, today)
    events_stmt = query.filters.apply(public_events(), masters=False).where(
        dates_overlap(listed_from, last, masters=False)
    )
    events_stmt = events_stmt.order_by(Event.start_at, Event.id).limit(query.count)
    events = list(db.session.scalars(events_stmt).unique())
    return widgets.month_model(year, month, spans, events, today, links, query, view)


def widget_model(query: WidgetQuery) -> dict[str, Any]:
    """What the widget shows: its sections (sidebar, list) or its month."""
    links, now = _links(), clock.now()
    slug = query.filters.category
    category = category_by_slug(db.session, slug)  # None for no slug
    if slug and category is None and (category := renamed_category(db.session, slug)):
        # A host page keeps the slug its embed was written with: the category now, not a 301.
        query = replace(query, filters=replace(query.filters, category=category.slug))
    view = widgets.widget_view(query, category.name if category else None)
    model: dict[str, Any] = {
        "widget": query.widget,
        "site": {"name": current_app.config["SITE_NAME"], "url": external_url("public.home")},
        "sections": [],
        "month": None,
        "notes": [],
    }
    if query.widget == "sidebar":
        model["sections"] = _sidebar(query, links, now, view)
    elif query.widget == "list":
        model["sections"] = _list(query, links, now, view)
    else:
        model["month"] = _month(query, links, view)
    month = model["month"]["heading"] if model["month"] else None
    model["title"] = widgets.widget_title(view, month)
    caption = widgets.sidebar_caption(view) if query.widget == "sidebar" else None
    model["caption"] = str(caption) if caption else None
    model["caption_parts"] = widgets.words_data(caption) if caption else []
    if widgets.shows_nothing(model):  # then say whether a filter can match anything at all
        known = not slug or category is not None
        place = (query.filters.place or "").lower()
        # A place with venues (read for the sections already) is known if one has public
        # events: a venue only a draft uses stays unannounced, as in /api/v1/venues.
        place_known = not place or (
            bool(query.filters.place_venue_ids)
            and place in {n.lower() for n in place_names(db.session)}
        )
        model["notes"] = widgets.unmatched(query.filters, known, place_known)
    return model


def _asset(body: bytes, content_type: str) -> Response:
    """A file of static/embed/ (ETag of its bytes, 304, public for five minutes): every
    article view of a host site may ask for it."""
    response = Response(body, content_type=content_type)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = SCRIPT_MAX_AGE
    return http.allow_cors(response.make_conditional(request))


@bp.get("/embed.js")
def script():
    """embed.js with the code it shares with our own pages in front (the visitor's time, the
    contrast of a link colour), in one block (their `const`s stay out of the host page's
    globals)."""
    shared = b"\n".join((STATIC.parent / name).read_bytes() for name in SHARED_SCRIPTS)
    body = b"{\n" + shared + b"\n" + (STATIC / "embed.js").read_bytes() + b"\n}\n"
    return _asset(body, "text/javascript; charset=utf-8")


@bp.get("/embed/widget.css")
def stylesheet():
    """The widgets' one stylesheet: linked by the frames, fetched by embed.js (CORS) into each
    shadow root's adopted stylesheet, so a host's style-src need not name us."""
    return _asset((STATIC / "widget.css").read_bytes(), "text/css; charset=utf-8")


@bp.get(f"/embed/{WIDGET}.json")
def data(widget: str):
    query = WidgetQuery.from_args(widget, request.args)
    state = changes.read_state(db.engine)  # before the content it guards
    return http.cacheable(http.dumps(widget_model(query)), state, max_age=MAX_AGE)


@bp.get(f"/embed/{WIDGET}")
def frame(widget: str):
    query = WidgetQuery.from_args(widget, request.args, frame=True)
    state = changes.read_state(db.engine)
    model = widget_model(query)
    # A link colour hard to read on the frame's background is said in its console, as embed.js
    # says it of the element's (the staff Embed page, beside the field).
    if warning := widgets.accent_warning(query.accent, query.theme):
        model["notes"] = [*model["notes"], f'accent="{query.accent}": {warning}']
    html = render_template("embed/frame.html", model=model, query=query, words=widgets.words_of)
    return allow_framing(http.cacheable(html.encode(), state, HTML, max_age=MAX_AGE))


@bp.get("/embed/accent-<accent>.css")
def accent_css(accent: str):
    """The frames' accent colour, as a stylesheet: their CSP allows no inline style."""
    if not widgets.ACCENT.fullmatch(accent):
        return http.problem(404, "Not Found", "An accent is six hex digits, like 0b5cad.")
    response = Response(f".ew {{ --ew-accent: #{accent.lower()}; }}\n", content_type="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 86400 * 30
    return response
