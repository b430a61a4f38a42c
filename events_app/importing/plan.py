""".ics import: plan (what a file would change, event by event) and apply (in one transaction).

Pure logic on a session passed in; no Flask request. Reading the file is ics_reader's job.

Choices where the issue is silent:
- kind: "live" when a venue matched or LOCATION reads like a place; else "webinar" when there is
  a link (URL, conference link, or a LOCATION that is a URL or says online); else "live".
- venue: an existing Venue whose name equals the LOCATION, its first comma-separated part, or
  "name, city" (case-insensitive); otherwise the LOCATION text heads the description.
- URL -> registration_url; a conference link or a LOCATION that is a URL -> online_url.
- status: new events are drafts unless published on import; STATUS:CANCELLED cancels a
  published event; a cancelled event that is no longer cancelled in the file is republished.
- kind, slug and staff-only fields are set on creation and never overwritten by a re-import.
SEQUENCE and updated_at are left to the revisions hook (a time, zone, venue or status change
raises SEQUENCE).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, timefmt
from ..models import Category, Event, User, Venue
from . import reader as ics_reader

ACTIONS = ("new", "update", "unchanged", "rejected")
PREVIEW_ORDER = ("new", "update", "rejected", "unchanged")  # what needs a look first
# Fields a re-import compares and may change; kind, slug, speakers and links staff add stay.
COMPARED = (
    "title",
    "summary",
    "description",
    "timezone",
    "all_day",
    "start_at",
    "end_at",
    "first_day",
    "last_day",
    "venue_id",
    "registration_url",
    "online_url",
    "status",
    "categories",
)
ONLINE_WORDS = re.compile(
    r"^(online|virtual|webinar|web|internet|zoom|teams|microsoft teams|google meet|skype|"
    r"webex|livestream|live stream)$",
    re.IGNORECASE,
)
NO_PLACE = re.compile(r"^(tbd|tba|n/?a|none|-+)?$", re.IGNORECASE)
SUMMARY_LENGTH = 300


@dataclass
class ImportItem:
    """What importing one event would do, with the fields it would write."""

    uid: str
    action: str
    reason: str = ""
    title: str = ""
    series_uid: str = ""
    event_id: int | None = None
    kind: str = "live"
    summary: str = ""
    description: str = ""
    timezone: str = ""
    all_day: bool = False
    start_at: datetime | None = None
    end_at: datetime | None = None
    first_day: date | None = None
    last_day: date | None = None
    venue_id: int | None = None
    venue_name: str = ""
    location: str = ""
    registration_url: str = ""
    online_url: str = ""
    categories: list[str] = field(default_factory=list)
    cancelled: bool = False
    status: str | None = None  # for updates: the status to set, when it changes
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def starts(self) -> datetime | None:
        """When it starts (an all-day event at midnight UTC of its first day), for ordering."""
        if self.all_day and self.first_day:
            return datetime.combine(self.first_day, time(0), UTC)
        return self.start_at

    @property
    def when_text(self) -> str:
        if self.all_day and self.first_day and self.last_day:
            return timefmt.format_date_range(self.first_day, self.last_day)
        if self.start_at and self.end_at and self.timezone:
            return timefmt.format_timed_range(self.start_at, self.end_at, self.timezone)
        return ""


@dataclass
class ImportPlan:
    items: list[ImportItem] = field(default_factory=list)
    error: str = ""  # the file as a whole could not be used
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {a: sum(1 for i in self.items if i.action == a) for a in ACTIONS}

    def grouped(self) -> dict[str, list[ImportItem]]:
        """The items by action (new, update, rejected, unchanged), each in date order."""
        undated = datetime.max.replace(tzinfo=UTC)
        ordered = sorted(self.items, key=lambda i: (i.starts or undated, i.title))
        groups = {action: [i for i in ordered if i.action == action] for action in PREVIEW_ORDER}
        return {action: items for action, items in groups.items() if items}

    @property
    def has_changes(self) -> bool:
        return any(i.action in ("new", "update") for i in self.items)


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    event_ids: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected"
        )


class ImportFailed(RuntimeError):
    """Applying failed; nothing was written."""


# --- plan -------------------------------------------------------------------------------------


def plan_import(
    data: bytes,
    session: Session,
    *,
    now: datetime,
    window_days_past: int = 90,
    window_days_future: int = 730,
) -> ImportPlan:
    """Read `data` and say, per event, whether importing it would create, update, change
    nothing or reject it (with the reason). Never raises on bad input: a file that cannot be
    used gives a plan whose `error` says why."""
    window = (now - timedelta(days=window_days_past), now + timedelta(days=window_days_future))
    try:
        read = ics_reader.read_calendar(data, *window)
    except ics_reader.FileError as exc:
        return ImportPlan(error=str(exc))
    except Exception as exc:  # a parser bug must not become a 500
        return ImportPlan(error=f"The file could not be read: {exc}"[:300])
    plan = ImportPlan(warnings=read.warnings)
    existing = _events_by_uid(session, [e.uid for e in read.events if not e.error])
    venues = _VenueMatcher(session.scalars(select(Venue)).all())
    seen: set[str] = set()
    for event in read.events:
        item = _item_from(event, venues)
        if item.action != "rejected" and item.uid in seen:
            item.action, item.reason = "rejected", "Another event in this file has the same UID."
        seen.add(item.uid)
        if item.action != "rejected":
            _compare(item, existing.get(item.uid))
        plan.items.append(item)
    return plan


def _events_by_uid(session: Session, uids: list[str]) -> dict[str, Event]:
    found: dict[str, Event] = {}
    for i in range(0, len(uids), 500):
        for event in session.scalars(select(Event).where(Event.uid.in_(uids[i : i + 500]))):
            found[event.uid] = event
    return found


class _VenueMatcher:
    def __init__(self, venues: Iterable[Venue]) -> None:
        self.by_key: dict[str, Venue] = {}
        for venue in venues:
            for key in (venue.name, venue.short_place):
                self.by_key.setdefault(_fold(key), venue)

    def match(self, location: str) -> Venue | None:
        if not location:
            return None
        return self.by_key.get(_fold(location)) or self.by_key.get(_fold(location.split(",")[0]))


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _item_from(event: ics_reader.ReadEvent, venues: _VenueMatcher) -> ImportItem:
    item = ImportItem(uid=event.uid, action="new", title=event.title, series_uid=event.series_uid)
    item.notes = list(event.notes)
    item.timezone, item.all_day = event.zone, event.all_day
    item.start_at, item.end_at = event.start, event.end
    item.first_day, item.last_day = event.first_day, event.last_day
    if event.error:
        item.action, item.reason = "rejected", event.error
        return item
    venue = venues.match(event.location)
    online = bool(ONLINE_WORDS.match(event.location))
    place = "" if online or NO_PLACE.match(event.location) else event.location
    item.location = event.location
    description = event.description
    if venue is not None:
        item.venue_id, item.venue_name = venue.id, venue.name
    elif place:
        description = f"Location: {place}\n\n{description}".strip()
        item.notes.append(f"No venue named '{place[:80]}'; the location was kept in the text.")
    item.description = description
    item.summary = _summary(event.description)
    item.registration_url, item.online_url = event.url, event.online_url
    if venue is not None or place:
        item.kind = "live"
    elif event.url or event.online_url or online:
        item.kind = "webinar"
    item.categories = event.categories
    item.cancelled = event.cancelled
    return item


def _summary(description: str) -> str:
    first = next((p.strip() for p in description.split("\n") if p.strip()), "")
    first = " ".join(first.split())
    return first if len(first) <= SUMMARY_LENGTH else first[: SUMMARY_LENGTH - 1] + "…"


def _wanted_status(item: ImportItem, current: str) -> str:
    if item.cancelled and current in ("published", "postponed"):
        return "cancelled"
    if not item.cancelled and current == "cancelled":
        return "published"
    return current


def _compare(item: ImportItem, event: Event | None) -> None:
    if event is None:
        item.action = "new"
        return
    item.event_id = event.id
    item.status = _wanted_status(item, event.status)
    current = {name: getattr(event, name) for name in COMPARED if name != "categories"}
    current["categories"] = sorted(c.name for c in event.categories)
    wanted = {name: getattr(item, name) for name in COMPARED}
    wanted["categories"] = sorted(item.categories)
    if not item.all_day:
        current["first_day"] = current["last_day"] = None
    item.changes = {k: (current[k], wanted[k]) for k in COMPARED if current[k] != wanted[k]}
    item.action = "update" if item.changes else "unchanged"


# --- apply ------------------------------------------------------------------------------------


def apply_import(
    plan: ImportPlan, session: Session, *, publish: bool, user: User | None = None
) -> ImportSummary:
    """Write the plan's new and updated events in one transaction and commit it.

    New events are drafts unless `publish`. Raises ImportFailed, with nothing written, when
    anything goes wrong (for instance an event edited or created by someone else meanwhile).
    """
    counts = plan.counts()
    summary = ImportSummary(unchanged=counts["unchanged"], rejected=counts["rejected"])
    if plan.error or not plan.has_changes:
        return summary
    try:
        categories = _CategoryCache(session)
        slugs = _SlugMaker(session)
        written: list[tuple[Event, dict | None]] = []
        for item in plan.items:
            if item.action == "new":
                event = _create(item, publish, categories, slugs)
                session.add(event)
                written.append((event, None))
                summary.created += 1
            elif item.action == "update":
                event = session.get(Event, item.event_id) if item.event_id else None
                if event is None or event.uid != item.uid:
                    raise ImportFailed(f"'{item.title}' was deleted or changed since the preview.")
                before = audit.event_snapshot(event)
                _update(event, item, categories)
                written.append((event, before))
                summary.updated += 1
        session.flush()
        for event, before in written:
            after = audit.event_snapshot(event)
            changes = audit.created(after) if before is None else audit.diff(before, after)
            audit.record("import", event, changes, user)
            summary.event_ids.append(event.id)
        session.commit()
    except Exception as exc:
        session.rollback()
        if isinstance(exc, ImportFailed):
            raise
        raise ImportFailed(f"The import was not applied: {exc}"[:400]) from exc
    return summary


def _create(item: ImportItem, publish: bool, categories, slugs) -> Event:
    status = ("cancelled" if item.cancelled else "published") if publish else "draft"
    event = Event(
        uid=item.uid,
        slug=slugs.make(
            item.title, item.first_day or timefmt.to_local(item.start_at, item.timezone).date()
        ),
        title=item.title,
        kind=item.kind,
        summary=item.summary,
        description=item.description,
        venue_id=item.venue_id,
        registration_url=item.registration_url,
        online_url=item.online_url,
        status=status,
        sequence=0,
    )
    event.set_schedule_of(item)
    event.categories = [categories.get(name) for name in item.categories]
    return event


def _update(event: Event, item: ImportItem, categories) -> None:
    changed = set(item.changes)
    for name in changed - {"categories", "start_at", "end_at", "first_day", "last_day"}:
        if name not in ("timezone", "all_day"):
            setattr(event, name, item.status if name == "status" else getattr(item, name))
    if changed & {"timezone", "all_day", "start_at", "end_at", "first_day", "last_day"}:
        event.set_schedule_of(item)
    if "categories" in changed:
        event.categories = [categories.get(name) for name in item.categories]


class _CategoryCache:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_name = {c.name.casefold(): c for c in session.scalars(select(Category))}
        self.slugs = {c.slug for c in self.by_name.values()}

    def get(self, name: str) -> Category:
        category = self.by_name.get(name.casefold())
        if category is None:
            base = slugify(name)[:90] or "category"
            slug, n = base, 2
            while slug in self.slugs:
                slug, n = f"{base}-{n}", n + 1
            category = Category(name=name, slug=slug)
            self.session.add(category)
            self.by_name[name.casefold()] = category
            self.slugs.add(slug)
        return category


class _SlugMaker:
    """'<title>-<yyyy-mm-dd>', with -2, -3 ... when taken in the database or this import."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.used: set[str] = set()

    def make(self, title: str, day: date) -> str:
        base = f"{slugify(title)[:170] or 'event'}-{day.isoformat()}"
        taken = set(self.session.scalars(select(Event.slug).where(Event.slug.like(f"{base}%"))))
        slug, n = base, 2
        while slug in taken or slug in self.used:
            slug, n = f"{base}-{n}", n + 1
        self.used.add(slug)
        return slug


def slugify(text: str) -> str:
    """ASCII slug; accented letters lose their accents ('Zajęty' -> 'zajety')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
