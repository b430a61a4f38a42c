"""Where an address that names no public event leads: one rule for its page, its .ics and the
API.

In order: a date "this and following" split off its series leads to the new part; an event or
series renamed leads to its address now (models.FormerSlug); a deleted series whose later parts
go on leads to the first of them (series.part_left); a deleted event or series is gone
(models.DeletedEvent: 410, and an empty .ics). A draft's preview for staff comes before all of
these (the callers' ``staff_preview``). A 410 is kept a minute (``gone_cache_control``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response
from sqlalchemy.orm import Session

from . import series
from .models import DeletedEvent, Event, deleted_event, renamed_event, renamed_series

# The next save may give a deleted event's address to a new event: its 410 is kept as long as
# a page is, and a rename's 301 (public.RENAMED_REDIRECT_MAX_AGE), not for good.
GONE_MAX_AGE = 60


@dataclass(frozen=True)
class Moved:
    """The address now (a date's: its series'), and whether it may be kept for an hour: a
    rename may be undone at once, a split or a deletion may not."""

    slug: str
    lasting: bool
    part_left: Event | None = None  # a deleted series' part that goes on at its address


def lookup(session: Session, slug: str, day: str | None = None) -> Moved | DeletedEvent | None:
    """Where ``slug`` (with ``day``: the date ``<slug>/<day>`` of a series) leads, if anywhere."""
    if day is not None:
        if moved := series.split_address(session, slug, day):
            return Moved(moved, lasting=True)
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


def gone_cache_control(response: Response, shared: bool) -> Response:
    """A 410's Cache-Control: public for a minute, ``shared`` (the same for everyone who asks:
    an anonymous visitor's page, the API); private otherwise (a page that shows who is signed
    in)."""
    if shared:
        response.headers["Cache-Control"] = f"public, max-age={GONE_MAX_AGE}"
    else:
        response.headers["Cache-Control"] = "private, no-cache"
    return response
