""".ics import, writing: the new and updated events of a plan, each with an `import` audit entry.

`apply_import` writes an upload's whole plan in one transaction; `Writer` writes items without
committing, batch after batch (bulk.py), keeping what it learnt about categories and slugs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, object_session

from .. import audit, clock, series, text, timefmt
from ..models import Category, Event, User, Venue
from . import recurring
from .plan import OVERRIDE_DETAILS, ImportItem, ImportPlan

SLUG_TITLE_LENGTH = 170  # leaves room in the column for "-yyyy-mm-dd" and "-NN"
CATEGORY_SLUG_LENGTH = 90


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created:,} created, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged, {self.rejected:,} rejected"
        )

    def add(self, other: ImportSummary) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected


class ImportFailed(RuntimeError):
    """Applying failed; nothing of the failed transaction was written."""


def apply_import(
    plan: ImportPlan, session: Session, *, publish: bool, user: User | None = None
) -> ImportSummary:
    """Write the plan's new and updated events in one transaction and commit it.

    New events are drafts unless `publish`. Raises ImportFailed, with nothing written, when
    anything goes wrong (for instance an event edited or created by someone else meanwhile).
    """
    if plan.error:
        return ImportSummary()
    try:
        summary = Writer(session, publish=publish, user=user).write(plan.items)
        session.commit()
    except Exception as exc:
        session.rollback()
        if isinstance(exc, ImportFailed):
            raise
        raise ImportFailed(f"The import was not applied: {exc}"[:400]) from exc
    return summary


class Writer:
    """Adds planned items to the session and flushes; the caller commits or rolls back."""

    def __init__(self, session: Session, *, publish: bool, user: User | None = None) -> None:
        self.session = session
        self.publish = publish
        self.user = user
        self.categories = _CategoryCache(session)
        self.slugs = _SlugMaker(session)

    def write(self, items: Iterable[ImportItem]) -> ImportSummary:
        """Create the new, update the changed; raises ImportFailed when an event to update is
        gone or is no longer the one planned."""
        items = list(items)
        summary = ImportSummary()
        self.slugs.look_up(_slug_base(i) for i in items if i.action == "new")
        written: list[tuple[Event, dict | None]] = []
        written_dates: list[tuple[Event, dict]] = []
        agreed: dict[Event, ImportItem] = {}
        for item in items:
            if item.action == "new":
                event = self._create(item)
                self.session.add(event)
                written.append((event, None))
                summary.created += 1
            elif item.action == "update":
                event = self.session.get(Event, item.event_id) if item.event_id else None
                if event is None or event.uid != item.uid:
                    raise ImportFailed(f"'{item.title}' was deleted or changed since the preview.")
                before = audit.event_snapshot(event)
                # The dates the file changes: what the import writes there is said too, for
                # a later import to tell the site's edits from its own (plan._site_edits).
                walls = {o.recurrence_wall for o in item.overrides}
                dates = [o for o in event.occurrences if o.recurrence_id in walls] if walls else []
                dates_before = [(o, audit.event_snapshot(o)) for o in dates]
                if item.changes:  # none: only agreements to record
                    self._update(event, item)
                written.append((event, before))
                if item.agreed or item.agreed_dates:
                    agreed[event] = item
                written_dates.extend(dates_before)
                summary.updated += 1
            elif item.action == "unchanged":
                summary.unchanged += 1
            else:
                summary.rejected += 1
        self.session.flush()
        for category in self.categories.made:
            snapshot = audit.category_snapshot(category)
            audit.record("import", category, audit.created(snapshot), self.user)
        self.categories.made.clear()
        for event, before in written:
            after = audit.event_snapshot(event)
            changes = audit.created(after) if before is None else audit.diff(before, after)
            if event in agreed:
                changes = _with_agreements(changes, after, agreed[event].agreed)
            audit.record("import", event, changes, self.user)
        dates_changed: dict[Event, dict] = {}
        for occurrence, before in written_dates:
            gone = occurrence not in self.session or inspect(occurrence).deleted
            if not gone:
                dates_changed[occurrence] = audit.diff(before, audit.event_snapshot(occurrence))
        for event, item in agreed.items():
            for occurrence in event.occurrences if item.agreed_dates else ():
                if names := item.agreed_dates.get(occurrence.recurrence_id):
                    after = audit.event_snapshot(occurrence)
                    changes = dates_changed.get(occurrence, {})
                    dates_changed[occurrence] = _with_agreements(changes, after, names)
        for occurrence, changes in dates_changed.items():
            if changes:
                audit.record("import", occurrence, changes, self.user)
        return summary

    def _create(self, item: ImportItem) -> Event:
        if item.untitled or not self.publish:
            status = "draft"
        else:
            status = "cancelled" if item.cancelled else "published"
        event = Event(
            uid=item.uid,
            slug=self.slugs.make(_slug_base(item)),
            title=item.title,
            kind=item.kind,
            summary=item.summary,
            description=item.description,
            venue=_venue(self.session, item.venue_id),
            registration_url=item.registration_url,
            online_url=item.online_url,
            status=status,
            sequence=0,
            speakers=[],  # known empty: the audit snapshot need not load them
        )
        event.set_schedule_of(item)
        event.categories = [self.categories.get(name) for name in item.categories]
        if item.rule is not None:
            event.occurrences = []  # known empty, before the series gets its occurrences
            series.set_rule(event, item.rule)
            self.session.add(event)
            series.sync(event, clock.today(), reach=recurring.reach(item))
            _apply_exceptions(event, item)
        return event

    def _update(self, event: Event, item: ImportItem) -> None:
        if item.rule is not None:
            self._update_series(event, item)
            return
        changed = set(item.changes)
        for name in changed - {"categories", "start_at", "end_at", "first_day", "last_day"}:
            if name not in ("timezone", "all_day"):
                setattr(event, name, item.status if name == "status" else getattr(item, name))
        if changed & {"timezone", "all_day", "start_at", "end_at", "first_day", "last_day"}:
            event.set_schedule_of(item)
        if "categories" in changed:
            event.categories = [self.categories.get(name) for name in item.categories]

    def _update_series(self, master: Event, item: ImportItem) -> None:
        assert item.rule is not None
        before = series.template_values(master)
        old_rule = series.rule_of(master) if master.series_master else item.rule
        changed = set(item.changes)
        for name in changed & {"title", "summary", "description", "status"}:
            setattr(master, name, item.status if name == "status" else getattr(item, name))
        if "venue_id" in changed:
            master.venue = _venue(self.session, item.venue_id)
        for name in changed & {"registration_url", "online_url"}:
            setattr(master, name, getattr(item, name))
        if "categories" in changed:
            master.categories = [self.categories.get(name) for name in item.categories]
        master.timezone = item.rule.zone
        today, reach = clock.today(), recurring.reach(item)
        series.save_master(master, item.rule, before, old_rule, today, reach)
        _apply_exceptions(master, item)


def _with_agreements(changes: dict, after: dict, agreed: list[str]) -> dict:
    """An update's audit changes, with the fields the file now agrees with the site on as
    [value, value]: for a later import, the file's value (plan._site_edits)."""
    return changes | {name: [after[name], after[name]] for name in agreed if name not in changes}


def _venue(session: Session, venue_id: int | None) -> Venue | None:
    """The venue as an object: a series copies its venue to its dates by the relationship
    (series.TEMPLATE_COLUMNS), which a pending event's venue_id alone does not load."""
    return session.get(Venue, venue_id) if venue_id is not None else None


def _apply_exceptions(master: Event, item: ImportItem) -> None:
    """The file's removed dates and changed occurrences, on the occurrences that exist (sync
    made them up to ``recurring.reach``)."""
    held = {o.recurrence_id: o for o in master.occurrences}
    for wall, occurrence in held.items():  # the file's cancelled dates, and only those
        if wall in item.exdates:
            series.set_date_status(occurrence, "cancelled")
        elif occurrence.own_status == "cancelled":
            series.set_date_status(occurrence, master.status)
    for override in item.overrides:
        occurrence = held.get(override.recurrence_wall)
        if occurrence is None:
            continue
        if not override.untitled and occurrence.title != override.title:
            occurrence.title = override.title
        for name in OVERRIDE_DETAILS:
            value = getattr(override, name)
            if value and value != getattr(occurrence, name):  # the file's own details only
                if name == "venue_id":
                    occurrence.venue = _venue(object_session(master), value)
                else:
                    setattr(occurrence, name, value)
        if (occurrence.all_day, occurrence.start_at, occurrence.end_at) != (
            override.all_day,
            override.start_at,
            override.end_at,
        ):
            occurrence.set_schedule_of(override)


def _slug_base(item: ImportItem) -> str:
    """'<title>-<yyyy-mm-dd>', the day local to the event."""
    day = item.first_day or timefmt.to_local(item.start_at, item.timezone).date()
    return f"{text.slugify(item.title, SLUG_TITLE_LENGTH, 'event')}-{day.isoformat()}"


class _CategoryCache:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_name = {c.name.casefold(): c for c in session.scalars(select(Category))}
        self.slugs = {c.slug for c in self.by_name.values()}
        self.made: list[Category] = []  # new ones, for the audit log

    def get(self, name: str) -> Category:
        category = self.by_name.get(name.casefold())
        if category is None:
            base = text.slugify(name, CATEGORY_SLUG_LENGTH, "category")
            slug, n = base, 2
            while slug in self.slugs:
                slug, n = f"{base}-{n}", n + 1
            category = Category(name=name, slug=slug)
            self.session.add(category)
            self.made.append(category)
            self.by_name[name.casefold()] = category
            self.slugs.add(slug)
        return category


class _SlugMaker:
    """A base slug as it is, or with -2, -3 ... when taken in the database or by this import.

    A batch's bases are looked up in one query; only a base already taken costs a query of
    its own (for its numbered variants), once.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.taken: set[str] = set()  # in the database, or given out by this import
        self.known: set[str] = set()  # bases whose own row was looked up
        self.numbered: set[str] = set()  # bases whose -N variants were looked up

    def look_up(self, bases: Iterable[str]) -> None:
        wanted = sorted(set(bases) - self.known)
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            self.taken.update(self.session.scalars(select(Event.slug).where(Event.slug.in_(chunk))))
            self.known.update(chunk)

    def make(self, base: str) -> str:
        self.look_up([base])
        if base in self.taken and base not in self.numbered:
            # Slugs are [a-z0-9-]: no LIKE wildcard can be in the base.
            numbered = select(Event.slug).where(Event.slug.like(f"{base}-%"))
            self.taken.update(self.session.scalars(numbered))
            self.numbered.add(base)
        slug, n = base, 2
        while slug in self.taken:
            slug, n = f"{base}-{n}", n + 1
        self.taken.add(slug)
        return slug
