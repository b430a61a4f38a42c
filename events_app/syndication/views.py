"""Routes: Atom feeds (/feeds/<all|live|webinars>.atom, /feeds/categories/<slug>.atom, a
list's /feeds/events.atom?<filters>), /sitemap.xml with its parts under /sitemaps/,
/robots.txt; and, for every page's <head>, its canonical URL and its Atom alternates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from math import ceil

from flask import Blueprint, Response, abort, current_app, g, redirect, request, url_for
from sqlalchemy import and_, func, not_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import ColumnElement
from werkzeug.datastructures import MultiDict

from .. import changes, clock
from ..api import http
from ..calendar import MONTH_ARGS
from ..extensions import db
from ..feeds.views import feed_filters, feed_url_for, filtered_request, filters_key
from ..filters import (
    ARG_NAMES,
    Q_MAX_LENGTH,
    BadFilter,
    EventFilters,
    feed_conditions,
    one_line_text,
)
from ..models import (
    NAMED_FEED_KINDS,
    PUBLIC_STATUSES,
    Category,
    Event,
    Venue,
    announced,
    category_by_slug,
    event_categories,
    event_loads,
    in_category,
    listed,
)
from ..public import CATEGORY_PAGE_ARGS, plausible_slug, renamed_category_redirect
from ..templating import external_url
from ..view_names import ViewName, view_name
from ..webinars import ARCHIVE_ARGS
from . import atom, sitemap
from .previews import page_preview

bp = Blueprint("syndication", __name__)

ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
ATOM_ENTRIES = 50
EMPTY_FEED_UPDATED = datetime(2026, 1, 1, tzinfo=UTC)  # a database that never changed anything
NAMED_TITLES = {"all": "events", "live": "live events", "webinars": "webinars and live audio"}


def _serve_atom(feed: atom.AtomFeed, condition) -> Response:
    state = changes.read_state(db.engine)  # before the content it guards
    stmt = select(Event).where(announced(condition))
    stmt = stmt.options(*event_loads(), selectinload(Event.rule))  # a series' rule, in words
    if condition is not None:
        stmt = condition(stmt)
    stmt = stmt.order_by(Event.updated_at.desc(), Event.id.desc())
    events = db.session.scalars(stmt.limit(ATOM_ENTRIES)).unique().all()
    body = atom.atom_bytes(
        feed,
        events,
        event_url=lambda slug: external_url("public.event_detail", slug=slug),
        domain=current_app.config["UID_DOMAIN"],
        empty_updated=(state and state.changed_at) or EMPTY_FEED_UPDATED,
    )
    return http.cacheable(body, state, ATOM, int(current_app.config["FEED_MAX_AGE"]))


def _feed(name: str, title: str, self_url: str, page_url: str) -> atom.AtomFeed:
    site_name = current_app.config["SITE_NAME"]
    return atom.AtomFeed(
        id=atom.feed_id(name, current_app.config["UID_DOMAIN"]),
        title=f"{site_name}: {title}",
        subtitle=f"New and changed {title}",
        self_url=self_url,
        page_url=page_url,
        author=site_name,
    )


@bp.get("/feeds/<any(all, live, webinars):name>.atom")
def named_atom(name: str):
    title, kinds = NAMED_TITLES[name], NAMED_FEED_KINDS[name]
    page = {
        "all": external_url("public.event_list"),
        "live": external_url("public.event_list", kind="live"),
        "webinars": external_url("webinars.index"),
    }[name]
    feed = _feed(name, title, external_url("syndication.named_atom", name=name), page)
    return _serve_atom(feed, (lambda stmt: stmt.where(Event.kind.in_(kinds))) if kinds else None)


@bp.get("/feeds/categories/<slug>.atom")
def category_atom(slug: str):
    category = None
    if plausible_slug(slug):
        category = category_by_slug(db.session, slug)
    if category is None:
        if moved := renamed_category_redirect(slug):
            return moved
        abort(404, description="There is no such category.")
    named = view_name(EventFilters(category=category.slug), category=category.name).feed
    feed = _feed(
        f"categories/{category.slug}",
        str(named),
        external_url("syndication.category_atom", slug=category.slug),
        external_url("public.category_page", slug=category.slug),
    )
    condition = in_category(category.id)
    return _serve_atom(feed, lambda stmt: stmt.where(condition))


@bp.get("/feeds/events.atom")
def filtered_atom():
    """A list's Atom feed: the events its filters find (the calendar feed's, ``.ics``), newest
    change first; answers other than the feed as ``filtered_request`` says."""
    asked = filtered_request(atom=True)
    if isinstance(asked, Response):
        return asked
    filters, category = asked
    args = filters.to_args()
    named = view_name(filters, category=category and category.name).feed
    feed = _feed(
        filters_key(args),
        str(named),
        feed_url_for(filters, category, atom=True),
        external_url("public.event_list", **args),
    )
    return _serve_atom(feed, feed_conditions(filters))


# --- sitemap and robots -------------------------------------------------------------------------


def _in_sitemap(now: datetime) -> ColumnElement[bool]:
    """Event pages the sitemap lists: the public ones, but not those cancelled and over for
    more than sitemap.CANCELLED_KEPT_DAYS."""
    long_gone = now - timedelta(days=sitemap.CANCELLED_KEPT_DAYS)
    dropped = and_(Event.status == "cancelled", Event.end_at < long_gone)
    return and_(Event.status.in_(PUBLIC_STATUSES), not_(dropped))


def _sitemap_count(now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Event).where(_in_sitemap(now)))


@bp.get("/sitemap.xml")
def sitemap_xml():
    state = changes.read_state(db.engine)
    parts = max(1, ceil(_sitemap_count(clock.now()) / sitemap.SITEMAP_SIZE))
    rows = [(external_url("syndication.sitemap_pages"), None)]
    rows += [
        (external_url("syndication.sitemap_events", part=n), None) for n in range(1, parts + 1)
    ]
    return http.cacheable(sitemap.sitemap_index(rows), state, XML, 3600)


@bp.get("/sitemaps/pages.xml")
def sitemap_pages():
    state = changes.read_state(db.engine)
    latest = db.session.scalar(
        select(func.max(Event.updated_at)).where(Event.status.in_(PUBLIC_STATUSES))
    )
    rows = [
        (external_url(endpoint), latest)
        for endpoint in (
            "public.home",
            "public.event_list",
            "calendar.month_current",
            "webinars.index",
            "webinars.archive",
        )
    ]
    by_category = db.session.execute(
        select(Category.slug, func.max(Event.updated_at))
        .select_from(Category)
        .outerjoin(event_categories, event_categories.c.category_id == Category.id)
        .outerjoin(
            Event, (Event.id == event_categories.c.event_id) & Event.status.in_(PUBLIC_STATUSES)
        )
        .group_by(Category.slug)
        .order_by(Category.slug)
    ).all()
    rows += [(external_url("public.category_page", slug=s), m) for s, m in by_category]
    by_venue = db.session.execute(  # venues with public events: those that have a page
        select(Venue.slug, func.max(Event.updated_at))
        .join(Event, Event.venue_id == Venue.id)
        .where(listed())
        .group_by(Venue.slug)
        .order_by(Venue.slug)
    ).all()
    rows += [(external_url("venues.venue_page", slug=s), m) for s, m in by_venue]
    return http.cacheable(sitemap.urlset(rows), state, XML, 3600)


@bp.get("/sitemaps/events-<int:part>.xml")
def sitemap_events(part: int):
    state = changes.read_state(db.engine)
    now = clock.now()
    if part < 1 or (part - 1) * sitemap.SITEMAP_SIZE >= max(_sitemap_count(now), 1):
        abort(404, description="There is no such sitemap.")
    rows = db.session.execute(
        select(Event.slug, Event.updated_at)
        .where(_in_sitemap(now))
        .order_by(Event.id)
        .limit(sitemap.SITEMAP_SIZE)
        .offset((part - 1) * sitemap.SITEMAP_SIZE)
    ).all()
    urls = [(external_url("public.event_detail", slug=s), m) for s, m in rows]
    return http.cacheable(sitemap.urlset(urls), state, XML, 3600)


@bp.get("/robots.txt")
def robots_txt():
    body = sitemap.robots_txt(external_url("syndication.sitemap_xml"))
    response = Response(body, content_type="text/plain; charset=utf-8")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it where no page names the icon (an XML feed opened in a tab)."""
    response = redirect(url_for("static", filename="favicon.svg"), 301)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


# --- links in every page's head -----------------------------------------------------------------


# The query arguments each page reads; a page not named here reads none (the home page and
# the webinars page show the same whatever filters are added to their address).
PAGE_ARGS = {
    "public.event_list": frozenset(ARG_NAMES),
    "public.category_page": CATEGORY_PAGE_ARGS,
    "calendar.month_current": MONTH_ARGS,
    "calendar.month": MONTH_ARGS,
    "webinars.archive": ARCHIVE_ARGS,
    "venues.venue_page": frozenset({"page"}),
}


def canonical_url() -> str | None:
    """This page's canonical URL (see _canonical_url), worked out once a request: its head
    names it more than once."""
    this = request._get_current_object()  # g may outlive a request (an app context of a test)
    kept = g.get("canonical_url")
    if kept is None or kept[0] is not this:
        kept = g.canonical_url = (this, _canonical_url())
    return kept[1]


def _canonical_url() -> str | None:
    """This page's URL on SITE_URL, with only the arguments that change what it shows, as the
    list's own links write them (EventFilters.to_args: one order, no defaults), so
    "?q=x&kind=live", "?kind=live&q=x&utm_source=y&page=1" name one page, "?place=denver" is
    "?place=Denver" (EventFilters.spelled_once), and "/?kind=live" (the home page reads no
    filters) is "/"."""
    if request.endpoint is None or request.url_rule is None:
        return None
    read = PAGE_ARGS.get(request.endpoint, frozenset())
    given = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k in read])
    try:
        args = EventFilters.from_args(given).spelled_once().to_args() if given else {}
    except BadFilter:  # the page says what is wrong; it has no address of its own
        args = {}
    return external_url(request.endpoint, **(request.view_args or {}), **args)


def is_search_result() -> bool:
    """Whether this page lists the results of a search (``q``, on a page that reads it): one
    page per query, none worth a search engine's index. A page that ignores ``q`` (the home
    page) is itself, and its canonical link names it without."""
    read = PAGE_ARGS.get(request.endpoint or "", frozenset())
    # The search as EventFilters reads it: "?q=%20" is none, and the canonical link drops it.
    return "q" in read and bool(one_line_text(request.args.get("q"), Q_MAX_LENGTH))


def atom_alternates(
    category: Category | None = None,
    filters: EventFilters | None = None,
    view: ViewName | None = None,
) -> list[tuple[str, str]]:
    """(title, URL) of the Atom feeds that match this page; the whole site's on every page.
    A category's page passes its category; a page with a subscribe box its feed's filters
    and its view's name (a list filtered, a venue's page), for its own feed."""
    site_name = current_app.config["SITE_NAME"]
    found = [
        (f"{site_name}: every event (Atom)", external_url("syndication.named_atom", name="all"))
    ]
    endpoint = request.endpoint or ""
    if endpoint == "public.category_page" and request.view_args:
        slug = request.view_args["slug"]
        named = view_name(EventFilters(category=slug), category=category and category.name).feed
        found.append((f"{named} (Atom)", external_url("syndication.category_atom", slug=slug)))
    elif endpoint.startswith("webinars."):
        found.append(
            (
                "Webinars and live audio (Atom)",
                external_url("syndication.named_atom", name="webinars"),
            )
        )
    elif endpoint == "public.event_list" and request.args.get("kind") == "live":
        found.append(("Live events (Atom)", external_url("syndication.named_atom", name="live")))
    if filters is not None and view is not None and feed_filters(filters).is_filtered:
        url = feed_url_for(filters, category, atom=True)
        if all(url != href for _, href in found):
            found.append((f"{view.feed} (Atom)", url))
    return found


def page_link_preview(title: str, description: str) -> list[tuple[str, str, str]]:
    """This page's link preview tags (see previews.page_preview); none without an address."""
    url = canonical_url()
    if url is None:
        return []
    site_name, image = current_app.config["SITE_NAME"], current_app.config["SITE_IMAGE_URL"]
    title = title.strip().removesuffix(f" · {site_name}")  # og:site_name says it
    return page_preview(title, description.strip(), url, site_name, image)


@bp.app_context_processor
def head_links() -> dict[str, object]:
    return {
        "page_preview": page_link_preview,
        "canonical_url": canonical_url,
        "is_search_result": is_search_result,
        "atom_alternates": atom_alternates,
    }
