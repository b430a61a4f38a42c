"""Zone rules change, wall times stay: ``flask tz-refresh`` re-derives future events' instants.

A timed event keeps the wall times it was entered with (``Event.wall_start``/``wall_end``, with
a fold where its zone shows a wall time twice) next to its UTC instants. While an event has not
ended, its wall time and zone are the truth: after a tzdata upgrade (or a new PYTHONTZPATH, or
new system zone files) ``refresh`` recomputes its instants with the rules in use. Each event
whose instant moved is saved through the ORM, so changes.py raises its SEQUENCE and every cache
sees it, and gets an audit entry ("zone rules changed: 14:00 America/New_York is now 19:00 UTC,
was 18:00 UTC"); the command then renders its stored block again.

When the new rules skip a wall time (a gap), it is read with the offset before the gap, as
RFC 5545 and calendar apps read it; when they show it twice and nobody chose which (an overlap),
the first is taken. Either way the event is marked for review (``Event.wall_review``, shown on
the staff dashboard and in the event form, where saving a time clears it). Past events keep
their instants. All-day events keep their days; their instants, which place them in windows
and lists, follow the rules too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import audit, clock, timefmt
from .extensions import db
from .models import Event
from .zone_rules import rules_version

NOTE_LENGTH = 500  # Event.wall_review
SHOWN_MOVED = 20  # moved events listed by the command; all of them go to the audit log
CHUNK = 500  # events loaded and flushed at a time


@dataclass(frozen=True)
class Placement:
    """Where the rules in use put an event: its instants, what moved, what needs review."""

    start: datetime
    end: datetime
    moved: dict[str, str]  # audit changes: {"zone rules changed": "14:00 ... was 18:00 UTC"}
    review: str | None


@dataclass
class Report:
    checked: int = 0
    moved: list[tuple[int, str, str]] = field(default_factory=list)  # (id, title, what moved)
    review: list[tuple[int, str, str]] = field(default_factory=list)  # (id, title, the note)


def _utc_clock(instant: datetime) -> str:
    return f"{instant:%H:%M} UTC"


def _moved(wall: datetime, zone_name: str, was: datetime, now: datetime) -> str:
    """'14:00 America/New_York is now 19:00 UTC, was 18:00 UTC'."""
    return f"{wall:%H:%M} {zone_name} is now {_utc_clock(now)}, was {_utc_clock(was)}"


def _clock(instant: datetime, zone_name: str) -> str:
    """'3:30 AM EDT': the local time of day, with the zone's abbreviation then."""
    return timefmt.format_start(instant, zone_name).rsplit(", ", 1)[1]


def _note(which: str, problem: timefmt.LocalTimeError, instant: datetime, zone_name: str) -> str:
    """What stood in the way of a wall time under the new rules, and what was chosen."""
    local = _clock(instant, zone_name)
    if isinstance(problem, timefmt.NonexistentTime):
        chosen = f"it is kept at {local}, where calendar apps put it"
    else:
        chosen = f"the first, {local}, is kept until someone chooses"
    return f"{which}: {problem}; {chosen}."


def placement(row: Any) -> Placement | None:
    """Where the zone rules in use put an event still to come (a row with the Event columns
    used here), or None when its wall times are unknown. Pure: no session, no clock."""
    zone_name = row.timezone
    if row.all_day:
        start, end = timefmt.all_day_instants(row.first_day, row.last_day, zone_name)
        moved = {}
        if start != row.start_at:
            midnight = datetime.combine(row.first_day, datetime.min.time())
            moved["zone rules changed"] = _moved(midnight, zone_name, row.start_at, start)
        return Placement(start, end, moved, None)
    if row.wall_start is None or row.wall_end is None:
        return None
    start, start_problem = timefmt.wall_to_utc(row.wall_start, zone_name, row.wall_start_fold)
    if row.recurrence_id is not None and row.wall_start == row.recurrence_id:
        # A date where its series' rule puts it: the rule's wall time and length, as calendar
        # apps place it (a gap included, which the series form already told of).
        end, end_problem, start_problem = start + (row.end_at - row.start_at), None, None
    else:
        end, end_problem = timefmt.wall_to_utc(row.wall_end, zone_name, row.wall_end_fold)
    ended_first = None
    if end < start:
        # 1:30 AM (EDT) to 1:15 AM (EST), the end in the hour that happened twice: rules
        # without that second hour put the end first. Kept at the start, and staff asked.
        ended_first = (
            f"End: {_clock(end, zone_name)} now comes before the start; it is kept at the start,"
            f" {_clock(start, zone_name)}, until someone sets the end."
        )
    end = max(end, start)  # a gap can swallow the time between them
    moved = {}
    if start != row.start_at:
        moved["zone rules changed"] = _moved(row.wall_start, zone_name, row.start_at, start)
    if end != row.end_at:
        moved["zone rules changed (end)"] = _moved(row.wall_end, zone_name, row.end_at, end)
    notes = [
        _note(which, problem, instant, zone_name)
        for which, problem, instant in (("Start", start_problem, start), ("End", end_problem, end))
        if problem is not None
    ]
    if ended_first:
        notes.append(ended_first)
    review = " ".join(notes)[:NOTE_LENGTH] if notes else None
    return Placement(start, end, moved, review)


def refresh(session: Session, now: datetime) -> Report:
    """Re-place every event that has not ended at ``now`` under the zone rules in use; the
    caller commits. One read of the columns needed, then the ORM for the events that change."""
    columns = (Event.id, Event.title, Event.all_day, Event.timezone, Event.first_day)
    columns += (Event.last_day,)
    columns += (Event.wall_start, Event.wall_start_fold, Event.wall_end, Event.wall_end_fold)
    columns += (Event.start_at, Event.end_at, Event.wall_review, Event.recurrence_id)
    rows = session.execute(
        select(*columns).where(Event.end_at > now).order_by(Event.start_at, Event.id)
    ).all()
    report = Report(checked=len(rows))
    changed: dict[int, Placement] = {}
    for row in rows:
        found = placement(row)
        if found is None:
            continue
        if found.moved or found.review != row.wall_review:
            changed[row.id] = found
        if found.review:
            report.review.append((row.id, row.title, found.review))
    ids = list(changed)  # in start order, as the report lists them
    for at in range(0, len(ids), CHUNK):
        chunk = session.scalars(select(Event).where(Event.id.in_(ids[at : at + CHUNK])))
        for event in sorted(chunk, key=lambda e: (e.start_at, e.id)):
            _apply(event, changed[event.id], now, report)
        session.flush()  # changes.py raises SEQUENCE; flushed events may leave the session
    return report


def _apply(event: Event, found: Placement, now: datetime, report: Report) -> None:
    if found.moved:
        if event.all_day:
            event.start_at, event.end_at = found.start, found.end
        else:
            event.place_instants(found.start, found.end)
    changes: dict[str, Any] = dict(found.moved)
    if found.review != event.wall_review:
        changes["needs review"] = [event.wall_review, found.review]
        event.wall_review = found.review
    audit.record("zone_rules", event, changes, None, now)
    if found.moved:
        report.moved.append((event.id, event.title, "; ".join(found.moved.values())))


@click.command("tz-refresh")
@with_appcontext
def tz_refresh_command() -> None:
    """Re-derive the instants of events that have not ended from their wall times, with the
    zone rules in use. Run it after every deploy (make run and make serve do): it is cheap."""
    from .feeds.views import render_blocks_for_site_url

    started = time.monotonic()
    try:
        report = refresh(db.session, clock.now())
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise click.ClickException(
            "Someone saved an event meanwhile; nothing was changed. Run tz-refresh again."
        ) from None
    click.echo(
        f"Zone rules {rules_version()}: {report.checked:,} events not yet ended, "
        f"{len(report.moved):,} moved, {len(report.review):,} to review "
        f"({time.monotonic() - started:.1f} s)."
    )
    for event_id, title, what in report.moved[:SHOWN_MOVED]:
        click.echo(f"Moved #{event_id} {title}: {what}")
    if len(report.moved) > SHOWN_MOVED:
        more = len(report.moved) - SHOWN_MOVED
        click.echo(f"... and {more:,} more moved (the audit log lists every one).")
    for event_id, title, note in report.review:
        click.echo(f"Review #{event_id} {title}: {note}")
    if report.review:
        click.echo("Open these events in the staff area (marked on the dashboard) and save a time.")
    if report.moved:
        rendered = render_blocks_for_site_url([event_id for event_id, _, _ in report.moved])
        if rendered is not None:
            click.echo(f"Rendered {rendered:,} iCalendar blocks for the feeds.")
