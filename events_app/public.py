"""Visitor pages: home, event list, category page, event detail."""

from __future__ import annotations

from dataclasses import replace
from functools import cache, partial
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, defer, joinedload
from sqlalchemy.sql import Select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from . import addresses, clock, search, series, spelling
from .extensions import db
from .filters import (
    ARG_NAMES,
    BadFilter,
    EventFilters,
    PageNotFound,
    count_of,
    filtered_events_query,
    no_such_page,
    pager_links,
    paginate,
)
from .jsonld import event_jsonld, series_jsonld
from .models import (
    KINDS,
    Category,
    Event,
    Venue,
    archived_webinars,
    categories_by_name,
    category_by_slug,
    category_in,
    event_categories,
    event_loads,
    listed,
    place_names,
    public_events,
    public_series_by_slug,
    renamed_category,
    upcoming_events,
)
from .response_cache import public_cache_control
from .syndication.previews import link_preview
from .templating import external_url, not_found
from .view_names import Words, view_name

bp = Blueprint("public", __name__)
# Occurrences shown on a series page, upcoming and past each.
SERIES_PAGE_ROWS = 12


@bp.app_errorhandler(BadFilter)
def bad_filter(error: BadFilter):
    """Malformed filters anywhere on the site get the 400 page with the reason."""
    return render_template("errors.html", error=BadRequest(str(error))), 400


@bp.get("/")
def home():
    now = clock.now()
    live = db.session.scalars(upcoming_events(now, kind="live", limit=8)).unique().all()
    webinars = db.session.scalars(upcoming_events(now, kind="webinar", limit=5)).unique().all()
    audio = db.session.scalars(upcoming_events(now, kind="audio", limit=1)).unique().first()
    featured = db.session.scalars(
        upcoming_events(now).where(Event.featured.is_(True)).limit(3)
    ).unique()
    recordings = db.session.scalars(
        archived_webinars(now).where(Event.recording_url != "").limit(5)
    ).unique()
    return render_template(
        "public/home.html",
        now=now,
        live_events=live,
        webinars=webinars,
        audio_show=audio,
        featured=list(featured),
        recordings=list(recordings),
        feed_filters=EventFilters(),
        category=None,
    )


def list_filters(args: MultiDict) -> tuple[EventFilters, dict[str, tuple[str, str]]]:
    """A list page's filters, and for each date it cannot use (not a date, or a 'to' before
    the 'from'), its message and what was typed: the list is shown without that date, the
    message beside its field. Other malformed filters raise BadFilter (the 400 page)."""
    try:
        return EventFilters.from_args(args), {}
    except BadFilter as error:
        if error.field not in ("from", "to") or error.field not in args:
            raise
        rest = MultiDict(args)
        typed = rest.poplist(error.field)
        filters, more = list_filters(rest)
        return filters, {error.field: (str(error), typed[0] if typed else ""), **more}


def _list_page(
    filters: EventFilters,
    *,
    category: Category | None,
    endpoint: str,
    date_errors: dict[str, tuple[str, str]] | None = None,
    **view_args,
):
    now = clock.now()

    def url_for_filters(f: EventFilters) -> str:
        args = f.to_args()
        if category is not None:
            args.pop("category", None)
        return url_for(endpoint, **view_args, **args)

    def url_for_page(n: int) -> str:
        return url_for_filters(replace(filters, page=n))

    # A category's former slug moves first: it matches nothing, so its page 2 would be a 404.
    categories = categories_by_name(db.session)
    chosen = category or category_in(categories, filters.category)
    if (
        filters.category
        and chosen is None
        and (moved := renamed_category_redirect(filters.category))
    ):
        return moved
    try:
        page = paginate(
            db.session,
            filtered_events_query(filters, now),
            filters.page,
            current_app.config["PAGE_SIZE"],
        )
    except PageNotFound as error:
        no_such_page(error, "There is no such page in this list.", url_for_page)

    named = chosen and chosen.name
    # An empty upcoming (past) list of a search or filters: how many the other tab finds.
    other = "past" if filters.when == "upcoming" else "upcoming"
    tab = {"when": "past"} if filters.when == "past" else {}
    elsewhere = None  # (how many, "3 past webinars", its URL)
    if not page.items and filters.is_filtered and not date_errors:
        there = replace(filters, when=other)
        found = count_of(db.session, filtered_events_query(there, now))
        if found:
            words = view_name(there, category=named).bare.count(found)
            elsewhere = (found, words, url_for_filters(replace(there, page=1)))
    did_you_mean = None  # a search that finds nothing, misspelled: the search corrected
    if not page.items and filters.q and filters.page == 1 and not date_errors:

        def link(q: str, when: str) -> tuple[str, Words | str] | None:
            """The search for q in the tab ``when``, if it finds something: its link, and the
            tab's name ("past webinars") when it is not this one."""
            there = replace(filters, q=q, when=when, page=1)
            found = spelling.in_list(db.session, there, now, url_for_filters, category=named)
            return (found[0], "") if found and when == filters.when else found

        # This one first; the other only if the search as typed finds nothing there either
        # (else "1 upcoming event matches" already leads there).
        whens = (filters.when,) if elsewhere else (filters.when, other)
        tabs = [partial(link, when=when) for when in whens]
        if corrected := spelling.suggestion(db.session, filters.q, *tabs):
            did_you_mean = (corrected[0], *corrected[1])
    page_html = render_template(
        "public/list.html",
        view=view_name(filters, category=named),
        did_you_mean=did_you_mean,
        # A category= that names none: said, not just "no match" under "All categories".
        without_unknown_category=url_for_filters(replace(filters, category=None, page=1))
        if filters.category and chosen is None
        else None,
        # A venue= that names none, said as an unknown category is.
        without_unknown_venue=url_for_filters(replace(filters, venue=None, page=1))
        if filters.venue and not filters.venue_known
        else None,
        date_errors=date_errors or {},
        now=now,
        page=page,
        highlights=search.highlights(db.session, filters.q, [e.id for e in page.items]),
        sort_urls={
            s: url_for_filters(replace(filters, sort=s, page=1)) for s in ("relevance", "date")
        },
        pages_nav=pager_links(page, url_for_page),
        filters=filters,
        # On a category page the category is the page, not a filter to clear.
        has_filters=replace(filters, category=None).is_filtered
        if category
        else filters.is_filtered,
        feed_filters=filters,
        category=category,
        categories=categories,
        places=place_names(db.session),
        kinds=KINDS,
        elsewhere=elsewhere,
        ranked=search.ranks(filters.q),
        search_terms=search.unread_terms(request.args.get("q"), filters.q),
        clear_url=url_for(endpoint, **view_args, **tab),  # clearing keeps the tab
        calendar_url=url_for("calendar.month_current", **filters.to_args(when="upcoming", page=1)),
        when_urls={
            w: url_for_filters(replace(filters, when=w, page=1)) for w in ("upcoming", "past")
        },
    )
    return page_html, 400 if date_errors else 200


@bp.get("/events/")
def event_list():
    filters, date_errors = list_filters(request.args)
    return _list_page(filters, category=None, endpoint=".event_list", date_errors=date_errors)


# The list's arguments a category's page reads: all but the category, which the page is.
CATEGORY_PAGE_ARGS = frozenset(ARG_NAMES) - {"category"}


@bp.get("/categories/<slug>")
def category_page(slug: str):
    if not plausible_slug(slug):
        abort(404, description="There is no such category.")
    category = category_by_slug(db.session, slug)
    if category is None:
        if moved := renamed_category_redirect(slug):
            return moved
        abort(404, description="There is no such category.")
    filters, date_errors = list_filters(request.args)
    filters = replace(filters, category=category.slug)
    return _list_page(
        filters, category=category, endpoint=".category_page", date_errors=date_errors, slug=slug
    )


@bp.get("/events/<slug>")
def event_detail(slug: str):
    if not plausible_slug(slug):
        abort(404, description="There is no such event, or it is no longer listed.")
    event = db.session.scalars(event_page_query(), {"slug": slug}).unique().first()
    if event is None:
        master = db.session.scalars(public_series_by_slug(slug)).unique().first()
        if master is None:
            if (preview := staff_preview(slug)) is not None:  # a draft given an old address
                return preview
            where = addresses.lookup(db.session, slug)
            if isinstance(where, addresses.Moved):
                return moved_redirect(url_for(".event_detail", slug=where.slug), where)
            if where is not None:
                abort(410, description=f"“{where.title}” was deleted.")
            return staff_preview_or_404(slug, "There is no such event, or it is no longer listed.")
        return series_page(master)
    return render_template("public/detail.html", **detail_context(event))


@bp.get("/events/<slug>/<day>")
def event_occurrence(slug: str, day: str):
    """One occurrence of a series, at its original date: /events/<series slug>/2027-01-14."""
    if not plausible_slug(slug) or not plausible_day(day):
        abort(404, description="There is no such event, or it is no longer listed.")
    event = db.session.scalars(event_page_query(), {"slug": f"{slug}/{day}"}).unique().first()
    if event is None:
        where = addresses.lookup(db.session, slug, day)
        if isinstance(where, addresses.Moved) and where.lasting:  # "this and following"
            return moved_redirect(url_for(".event_occurrence", slug=where.slug, day=day), where)
        if (preview := staff_preview(f"{slug}/{day}")) is not None:
            return preview
        if isinstance(where, addresses.Moved):  # its series' slug was changed, or a date moved here
            to = url_for(".event_occurrence", slug=where.slug, day=where.day or day)
            return moved_redirect(to, where)
        if where is not None:
            abort(410, description=f"“{where.title}” was deleted, with its dates.")
        message = "There is no such occurrence, or it is no longer listed."
        # A bookmarked date that the series no longer has (its rule changed): the 404 leads
        # to the series' dates.
        master = db.session.scalars(public_series_by_slug(slug)).unique().first()
        way_back = None
        if master is not None:
            way_back = (f"See the dates of “{master.title}”", url_for(".event_detail", slug=slug))
        return staff_preview_or_404(f"{slug}/{day}", message, way_back)
    return render_template("public/detail.html", **detail_context(event))


def staff_preview_or_404(
    slug: str, message: str, way_back: tuple[str, str] | None = None
) -> Response:
    """An address that is not public: signed-in staff are sent to the event's preview (a
    draft's page, its series' dates from the series preview), everyone else gets a 404 (with
    ``way_back``, (words, URL), a link to where to go instead)."""
    if (preview := staff_preview(slug)) is not None:
        return preview
    not_found(message, way_back)


def staff_preview(slug: str) -> Response | None:
    """For signed-in staff, the preview of the event that has this address now (not public),
    which comes before where the address led once (a former slug's 301, a deletion's 410)."""
    if current_user.is_authenticated:
        event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
        if event_id is not None:
            return redirect(url_for("staff.preview_event", event_id=event_id))
    return None


def series_page(master: Event):
    """A series: what it is, its rule, its upcoming and past occurrences."""
    return render_template("public/series.html", **series_context(master))


def series_context(master: Event, *, drafts: bool = False) -> dict[str, Any]:
    """What the series page's template needs; the staff preview passes ``drafts`` to show the
    dates of a series not published yet."""
    now = clock.now()
    occurrences = select(Event).options(*event_loads()) if drafts else public_events()
    occurrences = occurrences.where(Event.series_id == master.id)
    upcoming = db.session.scalars(
        occurrences.where(Event.end_at > now)
        .order_by(Event.start_at, Event.id)
        .limit(SERIES_PAGE_ROWS)
    ).unique()
    past = db.session.scalars(
        occurrences.where(Event.end_at <= now)
        .order_by(Event.start_at.desc(), Event.id.desc())
        .limit(SERIES_PAGE_ROWS)
    ).unique()
    upcoming, past = list(upcoming), list(past)
    page_url = external_url("public.event_detail", slug=master.slug)
    structured = series_jsonld(
        master,
        upcoming,
        page_url=page_url,
        site_name=current_app.config["SITE_NAME"],
        site_url=external_url("public.home"),
        event_url=lambda e: external_url("public.event_detail", slug=e.slug),
        now=clock.now(),
    )
    return {
        "master": master,
        "upcoming": upcoming,
        "past": past,
        "now": now,
        "jsonld": structured,
        "rule_summary": master_summary(master),
        "link_preview": _link_preview(master, page_url),
    }


def _link_preview(event: Event, page_url: str) -> list[tuple[str, str, str]]:
    config = current_app.config
    return link_preview(event, page_url, config["SITE_NAME"], config["SITE_IMAGE_URL"])


def master_summary(master: Event) -> str:
    from . import recurrence

    return recurrence.summary(series.rule_of(master))


@cache
def event_page_query() -> Select[tuple[Event]]:
    """The event page's select, built once (its loader options cost more to build than the
    query takes to run): one query, without a stored VEVENT block (the page does not show it,
    and it is most of the row); of a date's series, only what the page names and its rule's
    wording needs (its zone and all-day-ness: without them, two more round trips).

    Categories and speakers are joined rather than loaded by two more selects, which on
    PostgreSQL are two more round trips (1.3 ms of a 5 ms page). Categories are joined flat, by
    hand: a joined load of a many-to-many nests its join, and SQLite answers that by reading
    every category link of every event.
    """
    return (
        select(Event)
        .where(listed(), Event.slug == bindparam("slug"))
        .outerjoin(event_categories, event_categories.c.event_id == Event.id)
        .outerjoin(Category, Category.id == event_categories.c.category_id)
        .order_by(Category.name)
        .options(
            joinedload(Event.venue),
            contains_eager(Event.categories),
            joinedload(Event.speakers),
            joinedload(Event.series)
            .load_only(
                Event.uid, Event.slug, Event.title, Event.status, Event.timezone, Event.all_day
            )
            .selectinload(Event.rule),
            defer(Event.ical_block),
            defer(Event.ical_block_key),
        )
    )


def detail_context(event: Event) -> dict[str, Any]:
    """What the event page's template needs; the staff draft preview renders it too."""
    page_url = external_url("public.event_detail", slug=event.slug)
    structured = event_jsonld(
        event,
        page_url=page_url,
        site_name=current_app.config["SITE_NAME"],
        site_url=external_url("public.home"),
        now=clock.now(),
    )
    if event.series is not None:
        structured["superEvent"] = {
            "@type": "EventSeries",
            "name": event.series.title,
            "url": external_url("public.event_detail", slug=event.series.slug),
        }
    preview = _link_preview(event, page_url)
    return {
        "event": event,
        "now": clock.now(),
        "jsonld": structured,
        "map_url": map_link(event.venue),
        "link_preview": preview,
    }


SPLIT_REDIRECT_MAX_AGE = 3600
# A changed slug can be changed back, or given to another event, by the next save: its 301 is
# kept as long as a page is. An hour made a browser that had followed A -> B loop once B was
# renamed back to A (B -> A from the site, A -> B from its cache).
RENAMED_REDIRECT_MAX_AGE = 60


def split_redirect(
    location: str, max_age: int = SPLIT_REDIRECT_MAX_AGE, status: int = 301
) -> Response:
    """The 301 from an address that moved (a date's series split by "this and following") to
    where it is now, kept for an hour, not for good: a later edit may give the old address
    back."""
    response = redirect(location, status)
    response.headers["Cache-Control"] = public_cache_control(max_age)
    return response


def moved_redirect(location: str, moved: addresses.Moved) -> Response:
    """The redirect (addresses.Moved.status) to where an address moved (addresses.lookup):
    kept for an hour, or for a minute when a rename or a date's move may be undone."""
    max_age = SPLIT_REDIRECT_MAX_AGE if moved.lasting else RENAMED_REDIRECT_MAX_AGE
    return split_redirect(location, max_age, moved.status)


def renamed_redirect(location: str) -> Response:
    """The 301 from an event's or series' former address (models.FormerSlug) to its address
    now, kept for a minute (RENAMED_REDIRECT_MAX_AGE)."""
    return split_redirect(location, RENAMED_REDIRECT_MAX_AGE)


def renamed_category_redirect(slug: str | None) -> Response | None:
    """This very address with a category's slug now, as a 301 kept a minute, when ``slug``
    (the path's ``<slug>``, or ``?category=``) is one it had before its slug was changed
    (models.FormerCategorySlug); None otherwise. Calendar apps and feed readers follow it."""
    if not slug or not plausible_slug(slug):
        return None
    category = renamed_category(db.session, slug)
    if category is None or request.endpoint is None:
        return None
    view_args = dict(request.view_args or {})
    if view_args.get("slug") == slug:
        view_args["slug"] = category.slug
    args = request.args.to_dict(flat=False)
    if args.get("category") == [slug]:
        args["category"] = [category.slug]
    return renamed_redirect(external_url(request.endpoint, **view_args, **args))


def plausible_day(day: str) -> bool:
    """An occurrence's date in its URL: YYYY-MM-DD."""
    return len(day) == 10 and day[4] == day[7] == "-" and day.replace("-", "").isdigit()


def plausible_slug(slug: str) -> bool:
    """Slugs never hold control characters (PostgreSQL refuses NUL in a query) or run long."""
    return 0 < len(slug) <= 200 and slug.isprintable()


def map_link(venue: Venue | None) -> str | None:
    """An OpenStreetMap link: the exact point when known, else a search for the address."""
    if venue is None:
        return None
    if venue.latitude is not None and venue.longitude is not None:
        lat, lon = f"{venue.latitude:.5f}", f"{venue.longitude:.5f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"
    query = ", ".join(p for p in (venue.name, venue.full_address) if p)
    return "https://www.openstreetmap.org/search?" + urlencode({"query": query})
