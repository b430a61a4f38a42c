"""Where an address that names no public event leads: one rule for its page, its .ics and the
API.

In order: a date "this and following" split off its series leads to the new part; an event or
series renamed leads to its address now (models.FormerSlug); a deleted series whose later parts
go on leads to the first of them (series.part_left); a deleted event or series is gone
(models.DeletedEvent: 410, and an empty .ics). A draft's preview for staff comes before all of
these (the callers' ``staff_preview``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from . import series
from .models import DeletedEvent, Event, deleted_event, renamed_event, renamed_series


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
