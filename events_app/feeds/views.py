"""iCalendar feed routes and their HTTP caching; the content comes from source.py and ical.py.

URLs: /feeds/all.ics, /feeds/live.ics, /feeds/webinars.ics (webinars and live audio),
/feeds/categories/<slug>.ics, /feeds/events.ics?<the event list's filters> (a venue's feed is
?venue=<its slug>), and the single
event download /events/<slug>.ics.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import click
from flask import Blueprint, Response, abort, current_app, request, send_file, url_for
from sqlalchemy import select

from .. import addresses, changes, clock, response_cache, series
from ..extensions import db
from ..filters import EventFilters, feed_conditions
from ..models import (
    NAMED_FEED_KINDS,
    Category,
    DeletedEvent,
    Event,
    category_by_slug,
    in_category,
    public_event_by_slug,
    public_series,
    public_series_by_slug,
)
from ..public import (
    RENAMED_REDIRECT_MAX_AGE,
    moved_redirect,
    plausible_slug,
    renamed_category_redirect,
    split_redirect,
)
from ..templating import external_url, on_site
from ..venues import NO_SUCH_VENUE
from ..view_names import view_name
from . import ical, links
from .bodies import FeedBodies, feed_bodies
from .source import Feed, block_context, fingerprint, warm_blocks, window_moves_at

bp = Blueprint("feeds", __name__)
bp.cli.help = "The feeds' stored iCalendar blocks (render-blocks)."
bp.record_once(lambda state: state.app.extensions.setdefault("feed_bodies", FeedBodies(state.app)))

CONTENT_TYPE = "text/calendar; charset=utf-8"
RETRY_AFTER_SECONDS = 10


def _memo_key(*parts: object) -> tuple:
    """What a feed's FeedInfo and URLs depend on: this request's root and the site settings."""
    config = current_app.config
    settings = ("SITE_URL", "SITE_NAME", "SITE_DESCRIPTION", "FEED_REFRESH_HOURS")
    return (request.url_root, request.script_root, *(config.get(k) for k in settings), *parts)


def _memoized(key: tuple, make):
    """Per-app memo of values built from url_for and settings only (bounded: few hosts)."""
    memo = feed_bodies().infos
    found = memo.get(key)
    if found is None:
        found = make()
        memo.put(key, found)
    return found


def site() -> ical.Site:
    """The base URL and event path the blocks link to (SITE_URL, else this request's host)."""
    return _memoized(_memo_key("site"), _make_site)


def _make_site() -> ical.Site:
    base, path = on_site(url_for("public.event_detail", slug="SLUG"))
    return ical.Site(base, path.replace("SLUG", "{slug}"))


def _info(name: str, description: str, url: str) -> ical.FeedInfo:
    config = current_app.config
    return ical.FeedInfo(
        name=name,
        description=description,
        url=url,
        refresh_hours=int(config["FEED_REFRESH_HOURS"]),
    )


def _title(part: str | None = None) -> str:
    name = current_app.config["SITE_NAME"]
    return f"{name}: {part}" if part else name


def filters_feed(filters: EventFilters, category: Category | None = None) -> Feed:
    """The feed of the event list's view with these filters (feed_filters: when, page and
    sort do not apply)."""
    filters = feed_filters(filters)
    args = filters.to_args()
    if category is not None and set(args) == {"category"}:
        return category_feed(category)
    # Named as the page of these filters names it (view_names), for the subscribe box too.
    named = str(view_name(filters, category=category and category.name).feed)
    site_description = current_app.config["SITE_DESCRIPTION"]
    info = _info(
        _title(named if args else None),
        f"{site_description}: {named}" if args else site_description,
        external_url("public.event_list", **args),
    )
    key = filters_key(args)
    dates = bool(filters.q or filters.date_from or filters.date_to)
    conditions = feed_conditions(filters, masters=not dates)
    return Feed(key, info, "events.ics", conditions, dates, alone=bool(args) and not dates)


def filters_key(args: dict[str, str]) -> str:
    """A list's feed by its filters, in one spelling ("events?category=5g&kind=live"): the
    calendar feed's key (its fingerprint, its kept body), the name in its Atom feed's id."""
    return "events?" + "&".join(f"{k}={v}" for k, v in sorted(args.items()))


def category_feed(category: Category) -> Feed:
    named = view_name(EventFilters(category=category.slug), category=category.name).feed
    info = _info(
        _title(str(named)),
        f"{category.name} events, webinars and live audio",
        external_url("public.category_page", slug=category.slug),
    )
    condition = in_category(category.id)
    return Feed(
        f"category:{category.id}:{category.name}",
        info,
        f"{category.slug}.ics",
        lambda stmt: stmt.where(condition),
        alone=True,
    )


def named_feed_for(name: str) -> Feed:
    """The feed behind /feeds/<name>.ics: all, live or webinars."""
    title, description, page = {
        "all": (None, current_app.config["SITE_DESCRIPTION"], external_url("public.home")),
        "live": (
            "live events",
            "Conferences, summits, dinners and breakfasts",
            external_url("public.event_list", kind="live"),
        ),
        "webinars": (
            "webinars and live audio",
            "Webinars and live audio shows",
            external_url("webinars.index"),
        ),
    }[name]
    info, kinds = _info(_title(title), description, page), NAMED_FEED_KINDS[name]
    if kinds is None:
        return Feed(name, info, f"{name}.ics", lambda stmt: stmt)
    condition = Event.kind.in_(kinds)
    return Feed(name, info, f"{name}.ics", lambda stmt: stmt.where(condition), alone=True)


# --- HTTP ---------------------------------------------------------------------------------------


def _not_modified(etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return since is not None and last_modified is not None and last_modified <= since


def _headers(
    response: Response, etag: str, last_modified: datetime | None, filename: str, disposition: str
) -> Response:
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.no_cache = None  # send_file's default for a file
    response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config["FEED_MAX_AGE"])
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _being_built() -> Response:
    """503 while a feed's body is built in the background (never a cut-off 200)."""
    response = Response(
        "This calendar is being prepared; please try again in a few seconds.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.cache_control.no_store = True
    return response


def serve_feed(feed: Feed) -> Response:
    now, zone = clock.now(), clock.site_zone()
    past_days = int(current_app.config["FEED_PAST_DAYS"])
    here = site()
    state = changes.read_state(db.engine)  # before the content it guards
    bodies = feed_bodies()
    fp = fingerprint(db.session, bodies.fingerprints, state, feed, here, now, past_days, zone)
    response_cache.offer(state, window_moves_at(now, zone))
    headers = (fp.etag, fp.last_modified, feed.filename, "inline")
    if _not_modified(fp.etag, fp.last_modified):
        return _headers(Response(status=304), *headers)
    head = request.method == "HEAD"
    size = bodies.size(feed, here, fp) if head else None
    if size is None:  # a GET; a HEAD of a body not built yet: built, for its length
        body = bodies.body(feed, here, fp, now, past_days, zone)
        if body is None:
            return _being_built()
        size = body.stat().st_size if isinstance(body, Path) else len(body)
    if head:  # the GET's headers, Content-Length too, without reading or sending the body
        response = Response(iter(()), content_type=CONTENT_TYPE)
        response.content_length = size
        return _headers(response, *headers)
    if isinstance(body, Path):
        # Werkzeug adds "; charset=utf-8" to a text/ type itself.
        response = send_file(body, mimetype="text/calendar", conditional=False, etag=False)
    else:
        response = Response(body, content_type=CONTENT_TYPE)
    return _headers(response, *headers)


@bp.get("/feeds/<any(all, live, webinars):name>.ics")
def named_feed(name: str):
    return serve_feed(_memoized(_memo_key("named", name), lambda: named_feed_for(name)))


@bp.get("/feeds/categories/<slug>.ics")
def category(slug: str):
    if not plausible_slug(slug):
        abort(404, description="There is no such category.")
    found = category_by_slug(db.session, slug)
    if found is None:
        if moved := renamed_category_redirect(slug):
            return moved
        abort(404, description="There is no such category.")
    return serve_feed(category_feed(found))


@bp.get("/feeds/events.ics")
def filtered():
    """A list's feed (see ``filtered_request`` for the answers other than the feed). A venue
    with no public events (any more) has an empty feed, which makes calendar apps drop what
    they had."""
    asked = filtered_request(atom=False)
    if isinstance(asked, Response):
        return asked
    return serve_feed(filters_feed(*asked))


def filtered_request(*, atom: bool) -> Response | tuple[EventFilters, Category | None]:
    """The filters (and category) of a request for a list's feed, its ``.ics`` or its
    ``.atom``; or the answer instead: at a place spelled otherwise than its address spells
    it, a venue's or a category's former slug (EventFilters.spelled_once: "?place=DENVER",
    "?place=ATLANTIS"), or with a list page's ``when``, ``page`` or ``sort``, a 301 to the
    feed's address, which calendar apps and news readers follow and keep instead (a minute:
    a venue added or renamed may spell the place anew); an unknown category is a 400, a
    slug no venue has or had a 404, other malformed filters a 400 (BadFilter)."""
    filters = EventFilters.from_args(request.args)  # BadFilter -> 400
    category = category_by_slug(db.session, filters.category)
    if filters.category and category is None:
        if moved := renamed_category_redirect(filters.category):
            return moved
        abort(400, description="Unknown category.")
    if filters.venue and not filters.venue_exists:
        abort(404, description=NO_SUCH_VENUE)
    # A place spelled otherwise, a venue's former slug; or a list page's own arguments.
    if filters.spelled_once() != filters or feed_filters(filters) != filters:
        url = feed_url_for(filters, category, atom=atom)
        return split_redirect(url, RENAMED_REDIRECT_MAX_AGE)
    return filters, category


@bp.get("/events/<slug>.ics")
@bp.get("/events/<series_slug>/<day>.ics")
def event_download(slug: str = "", series_slug: str = "", day: str = ""):
    """One event, one occurrence (with its permanent derived UID) or a whole series."""
    if series_slug:
        slug = f"{series_slug}/{day}"
    if not plausible_slug(slug):
        abort(404, description="There is no such event, or it is no longer listed.")
    state = changes.read_state(db.engine)  # before the content it guards
    event = db.session.scalars(public_event_by_slug(slug)).unique().first()
    if event is None and not series_slug:
        event = db.session.scalars(public_series_by_slug(slug)).unique().first()
    if event is None:
        where = addresses.lookup(db.session, series_slug or slug, day or None)
        if isinstance(where, addresses.Moved) and where.part_left is not None:
            event = where.part_left  # a deleted series' address still has the parts left
        elif isinstance(where, addresses.Moved):
            to = (
                dict(series_slug=where.slug, day=where.day or day)
                if series_slug
                else dict(slug=where.slug)
            )
            return moved_redirect(url_for(".event_download", **to), where)
        elif where is not None and not series_slug:
            return _deleted_calendar(where, state)
        elif where is not None:
            abort(410, description=f"“{where.title}” was deleted, with its dates.")
        else:
            abort(404, description="There is no such event, or it is no longer listed.")
    here = site()
    info = _info(event.title, event.summary or event.title, here.event_url(event.slug))
    shown = _series_parts(event) if event.series_master else [event]
    context = block_context(here)
    blocks = "".join(ical.cached_block(e, here, context)[0] for e in shown)
    zones = ical.timed_zones(shown)
    body = (
        ical.calendar_header(info) + ical.vtimezones_text(zones) + blocks + ical.FOOTER
    ).encode()
    etag = hashlib.sha256(body).hexdigest()[:40]
    changed = max(e.updated_at for e in shown)
    if event.series_master and state is not None and state.removed_at is not None:
        # A part of the series deleted, or no longer public, took its newest change with it.
        changed = max(changed, state.removed_at)
    # One date's slug is "<series>/<date>": a file name has no slash.
    headers = (etag, changed, f"{event.slug.replace('/', '-')}.ics", "attachment")
    if _not_modified(etag, changed):
        return _headers(Response(status=304), *headers)
    return _headers(Response(body, content_type=CONTENT_TYPE), *headers)


def _deleted_calendar(gone: DeletedEvent, state: changes.State | None) -> Response:
    """A deleted event's or series' .ics: a calendar of no events. An error would leave a
    calendar subscribed to it showing every date for good; this makes it drop them. Its
    Last-Modified is no earlier than the removal's stamp, which is later than every change the
    file had before (the clock's now may not be)."""
    info = _info(gone.title, f"“{gone.title}” was deleted.", external_url("public.home"))
    body = (ical.calendar_header(info) + ical.FOOTER).encode()
    etag = hashlib.sha256(body).hexdigest()[:40]
    changed = gone.deleted_at
    if state is not None and state.removed_at is not None:
        changed = max(changed, state.removed_at)
    headers = (etag, changed, f"{gone.slug}.ics", "attachment")
    if _not_modified(etag, changed):
        return _headers(Response(status=304), *headers)
    return _headers(Response(body, content_type=CONTENT_TYPE), *headers)


def _series_parts(master: Event) -> list[Event]:
    """The public parts of a series that "this and following" split (series.parts_of), in
    date order: the .ics of any of them holds them all, so that a calendar subscribed to it
    (a series page offers that) keeps the dates the split moved to a new part."""
    parts = series.parts_of(db.session, master)
    if len(parts) < 2:
        return [master]
    ids = [part.id for part in parts if part.id != master.id]
    others = db.session.scalars(public_series().where(Event.id.in_(ids))).unique()
    return sorted([master, *others], key=ical.feed_order)


def render_blocks_for_site_url(ids: list[int] | None = None) -> int | None:
    """Render and store the stale blocks of public events (or of ``ids``) for SITE_URL; how
    many, or None when SITE_URL is not set (blocks then follow each request's host and are
    rendered on the first request from it). The VTIMEZONEs of the zones in use are made
    first, whatever SITE_URL (ical.vtimezones_text keeps them under the instance folder)."""
    zones = select(Event.timezone).where(Event.all_day.is_(False)).distinct()
    ical.vtimezones_text(db.session.scalars(zones))
    base = current_app.config.get("SITE_URL")
    if not base:
        return None
    with current_app.test_request_context(base_url=base):
        return warm_blocks(db.session, site(), ids)


@bp.cli.command("render-blocks")
@click.option(
    "--if-site-url", is_flag=True, help="Do nothing (successfully) when SITE_URL is not set."
)
def render_blocks_command(if_site_url: bool) -> None:
    """Render and store every public event's VEVENT block that is missing or stale, and the
    VTIMEZONEs of the zones in use.

    Feeds do this on demand; run it after a deploy (a new renderer, new zone rules) so that no
    subscriber waits for a large feed. Needs SITE_URL, so the blocks link where requests would.
    """
    started = time.monotonic()
    count = render_blocks_for_site_url()
    if count is None:
        message = "Set SITE_URL (e.g. EVENTS_SITE_URL=https://events.example.com)."
        if if_site_url:
            click.echo(f"Blocks not rendered ahead: {message}")
            return
        raise click.ClickException(message)
    click.echo(f"Rendered {count} event blocks in {time.monotonic() - started:.1f} s.")


# --- links for templates ------------------------------------------------------------------------


def feed_filters(filters: EventFilters) -> EventFilters:
    """A view's filters as its feed takes them: without a list page's own ``when``, ``page``
    and ``sort`` (a feed holds upcoming and recent events, in date order, whole)."""
    return replace(filters, when="upcoming", page=1, sort="relevance")


def feed_url_for(
    filters: EventFilters | None = None,
    category: Category | None = None,
    name: str | None = None,
    *,
    atom: bool = False,
) -> str:
    """The https URL of the feed matching a page's view (a named feed, a category, its
    filters, with the place and venue spelled once: EventFilters.spelled_once); ``atom``:
    its Atom feed, for news readers, instead of its calendar."""
    named, of_category, of_filters = (
        ("syndication.named_atom", "syndication.category_atom", "syndication.filtered_atom")
        if atom
        else ("feeds.named_feed", "feeds.category", "feeds.filtered")
    )
    if name is not None:
        return external_url(named, name=name)
    if filters is not None:
        filters = filters.spelled_once()
    args = feed_filters(filters).to_args() if filters is not None else {}
    if not args:
        if category is not None:
            return external_url(of_category, slug=category.slug)
        return external_url(named, name="all")
    if set(args) == {"category"}:
        return external_url(of_category, slug=args["category"])
    if args == {"kind": "live"}:
        return external_url(named, name="live")
    return external_url(of_filters, **args)


def venue_feed_url(slug: str, *, atom: bool = False) -> str:
    """A venue's feed, by its slug now (no lookup: a list of venues names each), as
    ``feed_url_for`` writes it."""
    return external_url("syndication.filtered_atom" if atom else "feeds.filtered", venue=slug)


def webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


@bp.app_context_processor
def feed_links() -> dict[str, object]:
    return {
        "feed_url_for": feed_url_for,
        "webcal": webcal,
        "calendar_links": lambda event: links.links_for(event, site()),
        "google_subscribe_link": links.google_subscribe_link,
        "series_calendar_links": lambda master: links.series_links(
            master,
            site(),
            webcal(external_url("feeds.event_download", slug=master.slug)),
            clock.now(),
            continued=series.split_parts(db.session, master).after is not None,
        ),
        "event_ics_url": lambda event: url_for("feeds.event_download", slug=event.slug),
    }
