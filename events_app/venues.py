"""bp: a venue's page, /venues/<slug>: where it is, what is on there, what was; its list and
feed are the event list's (the ``venue`` filter), its city's beside them.

Only a venue with public events has one (a draft's venue never shows); an address the venue
had before its slug was changed leads to it (models.FormerVenueSlug).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock
from .extensions import db
from .filters import EventFilters, PageNotFound, no_such_page, page_number, pager_links, paginate
from .jsonld import venue_jsonld
from .models import Event, FormerVenueSlug, Venue, listed, public_events, upcoming_events
from .public import map_link, plausible_slug, renamed_redirect
from .templating import external_url
from .view_names import view_name

bp = Blueprint("venues", __name__)
PAST_ROWS = 10  # the latest events held there, newest first
NO_SUCH_VENUE = "There is no such venue, or nothing is listed there."


def listed_venues(session: Session) -> list[Venue]:
    """The venues with public events (any time), by name: those ``venue=`` finds."""
    stmt = select(Venue).where(Venue.events.any(listed())).order_by(Venue.name, Venue.id)
    return list(session.scalars(stmt))


def venue_at(session: Session, slug: str) -> tuple[Venue, bool] | None:
    """The venue this address names and whether it has public events (any time): the one at
    it with some, else the one with some that had it before a change of slug, else the one
    at it or that had it, with none."""
    listed_there = Venue.events.any(listed())
    now = session.execute(select(Venue, listed_there).where(Venue.slug == slug)).first()
    if now is not None and now[1]:
        return now[0], True
    before = session.execute(
        select(Venue, listed_there)
        .join(FormerVenueSlug, FormerVenueSlug.venue_id == Venue.id)
        .where(FormerVenueSlug.slug == slug)
        .order_by(listed_there.desc(), Venue.id)
    ).first()
    if before is not None and (before[1] or now is None):
        return before[0], bool(before[1])
    return (now[0], False) if now is not None else None


def place_filters(venue: Venue) -> EventFilters | None:
    """The list filters of this venue's city (else its country), which the ``place`` filter
    matches, its other venues too; None when it names neither."""
    place = venue.city or venue.country
    return EventFilters(place=place) if place else None


@bp.get("/venues/<slug>")
def venue_page(slug: str):
    if not plausible_slug(slug):
        abort(404, description=NO_SUCH_VENUE)
    found = venue_at(db.session, slug)
    if found is None or not found[1]:  # only a venue with public events has a page
        abort(404, description=NO_SUCH_VENUE)
    venue = found[0]
    if venue.slug != slug:  # a former address
        return renamed_redirect(url_for(".venue_page", slug=venue.slug))
    now = clock.now()
    number = page_number(request.args.get("page"))  # BadFilter: the 400 page

    def url_for_page(n: int) -> str:
        return url_for(".venue_page", slug=venue.slug, page=n if n > 1 else None)

    upcoming = upcoming_events(now).where(Event.venue_id == venue.id)
    try:
        page = paginate(db.session, upcoming, number, current_app.config["PAGE_SIZE"])
    except PageNotFound as error:
        no_such_page(error, "There is no such page of this venue's events.", url_for_page)
    past = []
    if number == 1:  # recent past events under the first page only
        past = db.session.scalars(
            public_events()
            .where(Event.venue_id == venue.id, Event.end_at <= now)
            .order_by(Event.start_at.desc(), Event.id.desc())
            .limit(PAST_ROWS)
        ).unique()
    page_url = external_url(".venue_page", slug=venue.slug)
    place = place_filters(venue)
    here = EventFilters(venue=venue.slug)  # its list and feed
    return render_template(
        "venues/page.html",
        venue=venue,
        now=now,
        page=page,
        pages_nav=pager_links(page, url_for_page),
        past=list(past),
        map_url=map_link(venue),
        feed_filters=here,  # its list, its feeds (the subscribe box, the Atom alternate)
        view=view_name(here),
        place=place,
        jsonld=venue_jsonld(venue, page_url=page_url),
    )
