"""Where an address that names no public event leads: one rule for its page, its .ics and the
API.

In order: a date "this and following" split off its series leads to the new part; a date of a
series moved to another day is found at its new day too (``<series>/<new day>``, a 302: see
Moved.status); an event or series renamed leads to its address now (models.FormerSlug); a
deleted series whose later parts go on leads to the first of them (series.part_left); a
deleted event or series is gone (models.DeletedEvent: 410, and an empty .ics). A draft's
preview for staff comes before all of these but the split (the callers' ``staff_preview``).
A 410, like a 404 page, is kept a minute (``absent_cache_control``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from . import series
from .models import DeletedEvent, Event, deleted_event, listed, renamed_event, renamed_series

# The next save may give a deleted event's address to a new event, or publish one at an address
# that names nothing: its 410 or 404 is kept as long as a page is, and a rename's 301
# (public.RENAMED_REDIRECT_MAX_AGE), not for good.
ABSENT_MAX_AGE = 60


@dataclass(frozen=True)
class Moved:
    """The address now (a date's: its series', and ``day`` when that is another day), and
    whether it may be kept for an hour: a rename may be undone at once, a split or a deletion
    may not."""

    slug: str
    lasting: bool
    part_left: Event | None = None  # a deleted series' part that goes on at its address
    day: str | None = None  # a date moved to the day asked for: the day of its own address

    @property
    def status(self) -> int:
        """301, but 302 from a moved date's new day: that address leads to the date only while
        the date is on that day (an editor may move it again, or back), and is never its own
        (the date keeps the address of its original day), so neither a browser nor a search
        engine should put the date's address in its place."""
        return 302 if self.day is not None else 301


def lookup(session: Session, slug: str, day: str | None = None) -> Moved | DeletedEvent | None:
    """Where ``slug`` (with ``day``: the date ``<slug>/<day>`` of a series) leads, if anywhere."""
    if day is not None:
        if moved := series.split_address(session, slug, day):
            return Moved(moved, lasting=True)
        if original_day := moved_here(session, slug, day):
            return Moved(slug, lasting=False, day=original_day)
        if renamed := renamed_series(session, slug):
            return Moved(renamed.slug, lasting=False)
        return deleted_event(session, slug)
    if renamed := renamed_event(session, slug):
        return Moved(renamed.slug, lasting=False)
    if gone := deleted_event(session, slug):
        if left := series.part_left(session, slug):
            return Moved(left.slug, lasting=True, part_left=left)
        return gone
    return None


def moved_here(session: Session, series_slug: str, day: str) -> str | None:
    """The original day (of its address) of the public date of this public series that was
    moved to ``day`` (counted in the date's own zone, as its page shows it), or None. Of two
    moved to one day, the one not cancelled, then the earlier. A date whose address is this
    day comes first (callers look for it before), even when it was moved away."""
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        return None  # "2026-02-30": no day at all
    master = aliased(Event)
    stmt = (
        select(Event.slug)
        .join(master, master.id == Event.series_id)
        .where(master.slug == series_slug, master.series_master.is_(True), listed())
        .where(Event.start_date == wanted, Event.slug != f"{series_slug}/{day}")
        .order_by(Event.status == "cancelled", Event.start_at, Event.id)
        .limit(1)
    )
    found = session.scalar(stmt)
    return found.rpartition("/")[2] if found is not None else None


def absent_cache_control(response: Response, shared: bool) -> Response:
    """A 410's or a 404 page's Cache-Control: public for a minute, ``shared`` (the same for
    everyone who asks: an anonymous visitor's page, the API); private otherwise (a page that
    shows who is signed in). Staff pages are never kept (security.add_security_headers)."""
    response.headers["Cache-Control"] = absent_cache_value(shared)
    return response


def absent_cache_value(shared: bool) -> str:
    """The value absent_cache_control sets (also said in the API's OpenAPI document)."""
    return f"public, max-age={ABSENT_MAX_AGE}" if shared else "private, no-cache"
