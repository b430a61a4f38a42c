"""Importing a file of any size (the command line's import), in resumable batches.

Batches, not one transaction: every BATCH_SIZE events are planned against the database and
written in a transaction of their own. A site migrating to us brings 100,000 events in one
file; on SQLite a single transaction would hold the database's one write lock for the whole
import (minutes), so no one could save an event meanwhile, and a failure near the end would
throw all the work away. Events are matched by UID, so running the command again after a crash
or Ctrl-C finds the batches already written unchanged and writes only the rest: no duplicates.
The price: while it runs, the site already shows the part imported so far.

The file is streamed (reader.CalendarReader): only a batch of events is in memory at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from ..models import User
from .apply import ImportFailed, ImportSummary, Writer
from .plan import ACTIONS, ImportItem, Planner, import_window
from .reader import CalendarReader, ReadEvent

BATCH_SIZE = 1000


@dataclass
class BulkResult:
    """What a bulk import did (or, in a dry run, would do): counts per action, the first items
    of each action (all of them when asked), the reader's warnings."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    shown: dict[str, list[ImportItem]] = field(default_factory=lambda: {a: [] for a in ACTIONS})
    written: ImportSummary = field(default_factory=ImportSummary)
    warnings: list[str] = field(default_factory=list)
    floating_zone: str = ""
    floating_count: int = 0
    untitled: int = 0  # events without SUMMARY, planned as drafts titled "(untitled)"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def open_calendar(
    path: Path,
    *,
    now: datetime,
    window_days_past: int = 90,
    window_days_future: int = 730,
    floating_zone: str = "",
) -> CalendarReader:
    """Check and scan the file (its first pass); raises reader.FileError when it is unusable."""
    window = import_window(now, window_days_past, window_days_future)
    return CalendarReader(lambda: path.open("rb"), *window, floating_zone=floating_zone)


def import_events(
    reader: CalendarReader,
    session: Session,
    *,
    publish: bool,
    dry_run: bool = False,
    user: User | None = None,
    keep: int | None = 20,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> BulkResult:
    """Plan and (unless `dry_run`) write the reader's events, a batch per transaction.

    `keep` items of each action are kept for the report (None: all); `progress` is called with
    the number of VEVENTs read since its last call. Raises ImportFailed when a batch cannot be
    written: the batches before it stay written, and the message says so.
    """
    result = BulkResult(floating_zone=reader.floating_zone)
    planner = Planner(session)
    writer = None if dry_run else Writer(session, publish=publish, user=user)
    reported = 0
    for batch in _batches(reader.events(), batch_size):
        items = planner.plan(batch)
        if writer is not None:
            try:
                result.written.add(writer.write(items))
                session.commit()
            except Exception as exc:
                session.rollback()
                raise ImportFailed(_stopped_message(result, exc)) from exc
        for item in items:
            result.counts[item.action] += 1
            result.untitled += item.untitled and item.action != "rejected"
            if keep is None or len(result.shown[item.action]) < keep:
                result.shown[item.action].append(item)
        if progress is not None:
            progress(reader.vevents_read - reported)
            reported = reader.vevents_read
    if dry_run:
        session.rollback()
    result.warnings = reader.warnings
    result.floating_count = reader.floating_count
    return result


def _batches(events: Iterator[ReadEvent], size: int) -> Iterator[list[ReadEvent]]:
    batch: list[ReadEvent] = []
    for event in events:
        batch.append(event)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _stopped_message(result: BulkResult, exc: Exception) -> str:
    why = str(exc).strip() or type(exc).__name__
    return (
        f"The import stopped after {result.total:,} events: {why[:300]} "
        f"What was written before stays ({result.written}); run the same command again "
        "to finish: events already imported are matched by UID and left unchanged."
    )
