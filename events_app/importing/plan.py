""".ics import, the plan: what importing each event of a file would do (new, update,
unchanged, rejected with the reason), against the database as it is. apply.py writes a plan.

Pure logic on a session passed in; no Flask request. Reading the file is ics_reader's job.

Choices where the issue is silent:
- kind: "live" when a venue matched or LOCATION reads like a place; else "webinar" when there is
  a link (URL, conference link, or a LOCATION that is a URL or says online); else "live".
- venue: an existing Venue whose name equals the LOCATION, its first comma-separated part, or
  "name, city" (case-insensitive); otherwise the LOCATION text heads the description.
- URL -> registration_url; a conference link or a LOCATION that is a URL -> online_url.
- status: new events are drafts unless published on import (an event without SUMMARY always
  is a draft); STATUS:CANCELLED cancels a published event; a cancelled event that is no longer
  cancelled in the file is republished.
- kind, slug and staff-only fields are set on creation and never overwritten by a re-import,
  nor is the title staff gave an event the file has no SUMMARY for.
- a field staff edited on the site since it was last imported (the audit log says which, and
  what the import wrote) keeps the site's value while the file still has what was imported;
  a file that changed it too overwrites it, and the preview says whose edit that undoes; so
  for the dates of a series the file changes (RECURRENCE-ID), date by date. A file that comes
  to agree with such an edit makes the import record the value as the file's (an update with
  no change on the site), so the file's next change of it applies.
SEQUENCE and updated_at are left to changes.py (a time, zone, venue or status change
raises SEQUENCE).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import audit, recurrence, series, text, timefmt
from ..markup import is_web_address, markdown_to_text
from ..models import DESCRIPTION_MAX, KINDS, AuditEntry, Category, Event, Venue
from . import reader as ics_reader

# What a changed occurrence in a file (RECURRENCE-ID) may give that date besides its title and
# times: an episode's own text, place and links.
OVERRIDE_DETAILS = ("summary", "description", "venue_id", "online_url", "registration_url")

ACTIONS = ("new", "update", "unchanged", "rejected")
PREVIEW_ORDER = ("new", "update", "rejected", "unchanged")  # what needs a look first
OVER = "Already over: it goes with the past events (the archive), not the upcoming ones."
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
CHANGE_LABELS = {
    "venue_id": "Venue",
    "registration_url": "Registration link",
    "online_url": "Online link",
    "repeats": "Repeats",
    "exceptions": "Changed or removed dates",
}
SHOWN_CHANGE = 160  # characters of a changed text the preview shows


def _shortened(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= SHOWN_CHANGE else value[: SHOWN_CHANGE - 1] + "…"


@dataclass
class ImportItem:
    """What importing one event would do, with the fields it would write."""

    uid: str
    action: str
    reason: str = ""
    title: str = ""
    untitled: bool = False  # no SUMMARY in the file: always a draft, title never compared
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
    # For an update's preview: the event's time and venue as the site has them now.
    old_when: str = ""
    old_venue: str = ""
    # A series kept as one: its rule, removed dates (wall times) and changed occurrences.
    rule: recurrence.Rule | None = None
    exdates: list[datetime] = field(default_factory=list)
    overrides: list[ImportItem] = field(default_factory=list)
    recurrence_wall: datetime | None = None
    # Fields staff edited on the site that the file now has too (audit names), and so for a
    # series' dates (by wall time): importing records them as the file's, so that the file's
    # next change of them is applied (see _record_agreements).
    agreed: list[str] = field(default_factory=list)
    agreed_dates: dict[datetime, list[str]] = field(default_factory=dict)

    @property
    def starts(self) -> datetime | None:
        """When it starts (an all-day event at midnight UTC of its first day), for ordering."""
        if self.all_day and self.first_day:
            return datetime.combine(self.first_day, time(0), UTC)
        return self.start_at

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    def is_over(self, now: datetime) -> bool:
        """A single event that has ended (all day: its last day is gone by where it is)."""
        if self.rule is not None:
            return False
        if self.all_day and self.last_day:
            return self.last_day < timefmt.to_local(now, self.timezone or "UTC").date()
        return self.end_at is not None and self.end_at <= now

    @property
    def change_lines(self) -> list[tuple[str, str, str]]:
        """An update's changes as the preview says them: (what, was, becomes), in words: times
        in the event's zone (not UTC instants), the venue by name, long text cut short."""
        lines = []
        if any(name in self.changes for name in SCHEDULE):
            lines.append(("When", self.old_when, self.when_text))
        for name, (old, new) in self.changes.items():
            if name in SCHEDULE:
                continue
            if name == "venue_id":
                old, new = self.old_venue, self.venue_name
            elif name == "description":
                old, new = _shortened(str(old or "")), _shortened(str(new or ""))
                if old == new:  # they differ further on
                    new = f"{new} (changed further on)"
            elif isinstance(old, list | tuple) or isinstance(new, list | tuple):
                old, new = ", ".join(map(str, old or [])), ", ".join(map(str, new or []))
            label = CHANGE_LABELS.get(name, name.replace("_", " ").capitalize())
            lines.append((label, _shortened(str(old or "")), _shortened(str(new or ""))))
        return [(label, old or "(none)", new or "(none)") for label, old, new in lines]

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
    floating_zone: str = ""  # where times with no zone in the file were read
    floating_count: int = 0  # how many events that was
    new_categories: list[str] = field(default_factory=list)  # made by importing, by name

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


# --- plan -------------------------------------------------------------------------------------


def import_window(now: datetime, days_past: int, days_future: int) -> tuple[datetime, datetime]:
    """The span recurring events are expanded in: `days_past` before now to `days_future` after."""
    return now - timedelta(days=days_past), now + timedelta(days=days_future)


def plan_import(
    data: bytes,
    session: Session,
    *,
    now: datetime,
    window_days_past: int = 90,
    window_days_future: int = 730,
    floating_zone: str = "",
) -> ImportPlan:
    """Read an uploaded file and say, per event, whether importing it would create, update,
    change nothing or reject it (with the reason). Floating times with no zone in the file are
    read in `floating_zone`. Never raises on bad input: a file that cannot be used gives a plan
    whose `error` says why."""
    window = import_window(now, window_days_past, window_days_future)
    try:
        read = ics_reader.read_calendar(data, *window, floating_zone=floating_zone)
    except ics_reader.FileError as exc:
        return ImportPlan(error=str(exc))
    except Exception as exc:  # a parser bug must not become a 500
        return ImportPlan(error=f"The file could not be read: {exc}"[:300])
    items = Planner(session).plan(read.events)
    for item in items:
        if item.action in ("new", "update") and item.is_over(now):
            item.notes.append(OVER)
    return ImportPlan(
        items=items,
        warnings=read.warnings,
        floating_zone=floating_zone,
        floating_count=read.floating_count,
        new_categories=_new_categories(session, items),
    )


def _new_categories(session: Session, items: list[ImportItem]) -> list[str]:
    """Names of the categories importing these items would add (matched as apply matches)."""
    known = {name.casefold() for name in session.scalars(select(Category.name))}
    wanted: dict[str, str] = {}
    for item in items:
        if item.action in ("new", "update"):
            for name in item.categories:
                if name.casefold() not in known:
                    wanted.setdefault(name.casefold(), name)
    return sorted(wanted.values(), key=text.name_order)


class Planner:
    """Plans events batch by batch: venues are read once, and a UID seen in an earlier batch of
    the same file rejects its repeat."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.venues = _VenueMatcher(session.scalars(select(Venue)))
        self.seen: set[str] = set()

    def plan(self, events: Iterable[ics_reader.ReadEvent]) -> list[ImportItem]:
        events = list(events)
        existing = _events_by_uid(self.session, [e.uid for e in events if not e.error])
        items = []
        for event in events:
            item = _item_from(event, self.venues)
            if item.action != "rejected" and item.uid in self.seen:
                item.action = "rejected"
                item.reason = "Another event in this file has the same UID."
            self.seen.add(item.uid)
            if item.action != "rejected":
                found = existing.get(item.uid)
                if found is not None and found.series_master and item.rule is not None:
                    if item.overrides:
                        _keep_date_edits(self.session, item, found)
                    _keep_date_statuses(self.session, item, found)
                _compare(item, found)
            items.append(item)
        known = [i for i in items if i.action in ("update", "unchanged") and i.event_id]
        edits = _site_edits(self.session, [i.event_id for i in known if i.event_id])
        for item in known:
            if item.event_id in edits:
                _record_agreements(self.session, item, edits[item.event_id])
                if item.changes:
                    _respect_site_edits(self.session, item, edits[item.event_id])
            if item.agreed or item.agreed_dates:
                item.action = "update"  # its audit entry says the file has those now
        return items


def _events_by_uid(session: Session, uids: list[str]) -> dict[str, Event]:
    found: dict[str, Event] = {}
    for i in range(0, len(uids), 500):
        query = (
            select(Event)
            .where(Event.uid.in_(uids[i : i + 500]))
            # compared below: not one query per event
            .options(selectinload(Event.categories), selectinload(Event.rule))
        )
        for event in session.scalars(query):
            found[event.uid] = event
    return found


class _VenueMatcher:
    """Venues by folded name and "name, city", as (id, name): plain values, which a commit
    between batches does not expire."""

    def __init__(self, venues: Iterable[Venue]) -> None:
        self.by_key: dict[str, tuple[int, str]] = {}
        for venue in venues:
            for key in (venue.name, venue.short_place):
                self.by_key.setdefault(_fold(key), (venue.id, venue.name))

    def match(self, location: str) -> tuple[int, str] | None:
        if not location:
            return None
        return self.by_key.get(_fold(location)) or self.by_key.get(_fold(location.split(",")[0]))


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _item_from(event: ics_reader.ReadEvent, venues: _VenueMatcher) -> ImportItem:
    item = ImportItem(uid=event.uid, action="new", title=event.title, series_uid=event.series_uid)
    item.untitled = event.untitled
    item.notes = list(event.notes)
    item.timezone, item.all_day = event.zone, event.all_day
    item.start_at, item.end_at = event.start, event.end
    item.first_day, item.last_day = event.first_day, event.last_day
    if event.error:
        item.action, item.reason = "rejected", event.error
        return item
    days = [event.first_day, event.last_day, *(t.date() for t in (event.start, event.end) if t)]
    if any(not timefmt.MIN_YEAR <= d.year <= timefmt.MAX_YEAR for d in days if d):
        item.action = "rejected"
        item.reason = f"Its dates are outside the years {timefmt.MIN_YEAR}-{timefmt.MAX_YEAR}."
        return item
    venue = venues.match(event.location)
    online, meeting_link = _meeting(event.location)
    place = "" if online or NO_PLACE.match(event.location) else event.location
    item.location = event.location
    description = event.description
    if venue is not None:
        item.venue_id, item.venue_name = venue
    elif place:
        description = f"Location: {place}\n\n{description}".strip()
        item.notes.append(f"No venue named '{place[:80]}'; the location was kept in the text.")
    if len(description) > DESCRIPTION_MAX:  # what the event's form would refuse to save again
        description = description[: DESCRIPTION_MAX - 1] + "…"
        item.notes.append(f"Description shortened to {DESCRIPTION_MAX:,} characters.")
    item.description = description
    item.summary = _summary(event.description)
    item.registration_url, item.online_url = event.url, event.online_url or meeting_link
    if venue is not None or place:
        item.kind = "live"
    elif event.url or event.online_url or online:
        item.kind = "webinar"
    item.categories = event.categories
    item.cancelled = event.cancelled
    item.rule, item.exdates = event.rule, list(event.exdates)
    item.recurrence_wall = event.recurrence_wall
    item.overrides = [_item_from(o, venues) for o in event.overrides]
    return item


def _meeting(location: str) -> tuple[bool, str]:
    """(online, its link) for a location that names a meeting: "Zoom", "Online", or those
    words with the meeting's address ("Zoom https://zoom.us/j/1", "Teams: <https://...>")."""
    words = location.split()
    links = [w.strip("<>()") for w in words if is_web_address(w.strip("<>()"))]
    rest = " ".join(w for w in words if w.strip("<>()") not in links).strip(" :-–,")
    if ONLINE_WORDS.match(rest) or (links and not rest):
        return True, links[0] if links else ""
    return False, ""


def _summary(description: str) -> str:
    """The description's first line, as text: its HTML (Google writes its descriptions in
    HTML) and Markdown read, not shown as tags and asterisks in lists and feeds."""
    shown = markdown_to_text(description)
    first = next((p.strip() for p in shown.split("\n") if p.strip()), "")
    first = " ".join(first.split())
    return first if len(first) <= SUMMARY_LENGTH else first[: SUMMARY_LENGTH - 1] + "…"


def _wanted_status(item: ImportItem, current: str) -> str:
    if item.cancelled and current in ("published", "postponed"):
        return "cancelled"
    if not item.cancelled and current == "cancelled":
        return "published"
    return current


SCHEDULE = ("timezone", "all_day", "start_at", "end_at", "first_day", "last_day")


def _compare(item: ImportItem, event: Event | None) -> None:
    if event is None:
        item.action = "new"
        return
    item.event_id = event.id
    item.status = _wanted_status(item, event.status)
    compared = [n for n in COMPARED if not (n == "title" and item.untitled)]
    if item.rule is not None:  # a series: its rule and exceptions instead of its own times
        compared = [n for n in compared if n not in SCHEDULE]
    current = {name: getattr(event, name) for name in compared if name != "categories"}
    current["categories"] = sorted(c.name for c in event.categories)
    wanted = {name: getattr(item, name) for name in compared}
    wanted["categories"] = sorted(item.categories)
    if not item.all_day:
        current["first_day"] = current["last_day"] = None
    item.changes = {k: (current[k], wanted[k]) for k in compared if current[k] != wanted[k]}
    if any(name in item.changes for name in SCHEDULE):
        item.old_when = event.when_text
    if "venue_id" in item.changes:
        item.old_venue = event.venue.name if event.venue else ""
    if item.rule is not None:
        item.changes |= _series_changes(item, event)
    item.action = "update" if item.changes else "unchanged"


def _series_changes(item: ImportItem, event: Event) -> dict[str, tuple[object, object]]:
    """A series' rule and zone, and its exceptions at the dates the database holds."""
    assert item.rule is not None
    changes: dict[str, tuple[object, object]] = {}
    rule = series.rule_of(event) if event.series_master else None
    if rule != item.rule:
        old = recurrence.summary(rule) if rule else "not a series"
        changes["repeats"] = (old, recurrence.summary(item.rule))
    held = {o.recurrence_id: o for o in event.occurrences}
    theirs = {w: "removed" for w in item.exdates if w in held}
    for o in item.overrides:
        generated = recurrence.occurrence_times(item.rule, o.recurrence_wall)
        same = (o.start_at, o.end_at) == generated and o.title in (item.title, "")
        occurrence = held.get(o.recurrence_wall)
        # The file gives this date its own text, place or links, other than the ones it has.
        details = [n for n in OVERRIDE_DETAILS if getattr(o, n)]
        if occurrence is not None:
            details = [n for n in details if getattr(o, n) != getattr(occurrence, n)]
        if o.recurrence_wall in held and not (same and not details):
            theirs[o.recurrence_wall] = f"{o.title} {o.when_text}" + (
                f" (new {', '.join(details)})" if details else ""
            )
    ours = {}
    for wall, o in held.items():
        if o.own_status == "cancelled":
            ours[wall] = "removed"
        elif rule is not None and series.is_override(o, event, rule):
            ours[wall] = f"{o.title} {o.when_text}"
    ours = {w: v for w, v in ours.items() if w in theirs or v == "removed"}
    theirs_text, ours_text = _exceptions_text(theirs), _exceptions_text(ours)
    if ours_text != theirs_text:
        changes["exceptions"] = (ours_text, theirs_text)
    return changes


def _exceptions_text(exceptions: dict[datetime, str]) -> str:
    return "; ".join(f"{w:%Y-%m-%d %H:%M}: {what}" for w, what in sorted(exceptions.items()))


# --- edits made on the site since the last import -----------------------------------------------

# A plan's changed field -> the audit log's name for it (audit.event_snapshot).
AUDIT_NAMES = {
    "title": "title",
    "summary": "summary",
    "description": "description",
    "venue_id": "venue",
    "registration_url": "registration_url",
    "online_url": "online_url",
    "categories": "categories",
    "status": "status",
}
SCHEDULE_AUDIT_NAMES = ("start", "end", "timezone", "all_day")
SITE_EDITS = ("update", "status")  # saves by staff on the site (not imports, not zone rules)


@dataclass
class SiteEdits:
    """Per audit field: the value the last import wrote, and, when staff saved the field on
    the site after that import, the entry that says who and when."""

    imported: dict[str, object] = field(default_factory=dict)
    edited: dict[str, AuditEntry] = field(default_factory=dict)
    created_by_import: bool = False  # fields its creation entry left out were empty
    was_imported: bool = False


def _site_edits(
    session: Session, event_ids: list[int], *, dates: bool = False
) -> dict[int, SiteEdits]:
    """Of these events, the imported ones that staff edited on the site after an import,
    read from the audit log. ``dates``: these are dates of an imported series, made by the
    import (with no entry of their own until an import changes them): a field's value before
    its first edit on the site is the one imported, unless an import's entry says it."""
    found: dict[int, SiteEdits] = {}
    edited = _edited_on_the_site(session, event_ids)
    for i in range(0, len(edited), 500):
        query = (
            select(AuditEntry)
            .where(
                AuditEntry.object_type == "event",
                AuditEntry.object_id.in_(edited[i : i + 500]),
                AuditEntry.action.in_(("create", "import", *SITE_EDITS)),
            )
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        for entry in session.scalars(query):
            changes = audit.changes_of(entry)
            edits = found.setdefault(entry.object_id or 0, SiteEdits(was_imported=dates))
            if entry.action == "import":
                if not edits.was_imported and _is_creation(changes):
                    edits.created_by_import = True
                edits.was_imported = True
                for name, pair in changes.items():
                    if isinstance(pair, list) and len(pair) == 2:
                        edits.imported[name] = pair[1]
                        edits.edited.pop(name, None)
            elif entry.action in SITE_EDITS and edits.was_imported:
                for name, pair in changes.items():
                    if dates and isinstance(pair, list) and len(pair) == 2:
                        edits.imported.setdefault(name, pair[0])
                    edits.edited[name] = entry
    return {k: v for k, v in found.items() if v.edited}


def _edited_on_the_site(session: Session, event_ids: list[int]) -> list[int]:
    """Of these events, those staff ever saved on the site (one light query per 500)."""
    found: list[int] = []
    for i in range(0, len(event_ids), 500):
        query = (
            select(AuditEntry.object_id)
            .distinct()
            .where(
                AuditEntry.object_type == "event",
                AuditEntry.object_id.in_(event_ids[i : i + 500]),
                AuditEntry.action.in_(SITE_EDITS),
            )
        )
        found += [i for i in session.scalars(query) if i is not None]
    return found


def _keep_date_edits(session: Session, item: ImportItem, event: Event) -> None:
    """A series' dates the file changes (RECURRENCE-ID) that staff edited on the site since
    they were last imported: each such field keeps the site's value while the file still has
    the one imported (the override is given the site's), as ``_respect_site_edits`` does for
    an event; the preview says which, and whose edit a file that changed it too replaces."""
    held = {o.recurrence_id: o for o in event.occurrences}
    pairs = [(o, held[o.recurrence_wall]) for o in item.overrides if o.recurrence_wall in held]
    edits = _site_edits(session, [o.id for _, o in pairs], dates=True) if pairs else {}
    for override, occurrence in pairs:
        if occurrence.id not in edits:
            continue
        wall = override.recurrence_wall
        assert wall is not None
        day = f"the {wall:%b} {wall.day}, {wall.year} date"
        found = edits[occurrence.id]
        now = audit.event_snapshot(occurrence)  # the date as the site has it
        groups: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        if not override.untitled:
            groups.append((("title",), ("title",)))
        # The file's own details only: one it leaves empty does not change the date's.
        groups += [((n,), (AUDIT_NAMES[n],)) for n in OVERRIDE_DETAILS if getattr(override, n)]
        groups.append((SCHEDULE, SCHEDULE_AUDIT_NAMES))
        for names, audit_names in groups:
            edited = [found.edited[a] for a in audit_names if a in found.edited]
            if not edited:
                continue
            label = _label(audit_names)
            known = [a for a in audit_names if a in found.imported]
            kept = all(_file_value(session, override, a) == found.imported[a] for a in known)
            if kept:
                for name in names:
                    setattr(override, name, getattr(occurrence, name))
            elif all(_file_value(session, override, a) == now[a] for a in audit_names):
                item.agreed_dates.setdefault(wall, []).extend(audit_names)
                item.notes.append(_agreement_note(f"the {label} of {day}", edited[-1]))
                continue
            item.notes.append(_site_edit_note(f"{label} of {day}", edited[-1], kept=kept))


def _keep_date_statuses(session: Session, item: ImportItem, event: Event) -> None:
    """A series' dates staff cancelled on the site (or brought back) since they were last
    imported. Where the file does not agree, each stays so while the file still has that date
    as it was imported (the file's cancelled dates are made to agree with the site's); where
    the import before is not known to have, the file decides, and the preview says whose edit
    that undoes. Where the file, changed since, now agrees, importing records the date's
    status as the file's (``item.agreed_dates``), so that its next change is applied."""
    cancelled = set(item.exdates)
    dates = {o.id: o for o in event.occurrences}
    edits = _site_edits(session, list(dates), dates=True) if dates else {}
    for occurrence_id, found in edits.items():
        edit = found.edited.get("status")
        if edit is None:
            continue
        occurrence = dates[occurrence_id]
        wall = occurrence.recurrence_id
        as_imported = _status_as_imported(found, wall in cancelled)
        what = "cancellation" if occurrence.own_status == "cancelled" else "status"
        day = f"the {wall:%b} {wall.day}, {wall.year} date"
        if (occurrence.own_status == "cancelled") == (wall in cancelled):  # the file agrees
            if not as_imported:
                item.agreed_dates.setdefault(wall, []).append("status")
                item.notes.append(_agreement_note(f"the {what} of {day}", edit))
            continue
        if as_imported:  # kept
            if wall in cancelled:
                item.exdates.remove(wall)
            else:
                item.exdates.append(wall)
        item.notes.append(_site_edit_note(f"{what} of {day}", edit, kept=as_imported))


def _record_agreements(session: Session, item: ImportItem, edits: SiteEdits) -> None:
    """The fields staff edited on the site that the file, changed since its last import, now
    has too: importing records them as the file's (``item.agreed``), so that when the file
    changes one of them again, that change is applied rather than kept out as the site's
    edit. The preview says so."""
    groups = [([n], [a]) for n, a in AUDIT_NAMES.items() if not (n == "title" and item.untitled)]
    if item.rule is None:  # a series' times are its rule's
        groups.append((list(SCHEDULE), list(SCHEDULE_AUDIT_NAMES)))
    for names, audit_names in groups:
        edited = [edits.edited[a] for a in audit_names if a in edits.edited]
        if not edited or any(n in item.changes for n in names):
            continue  # not edited on the site, or the file and the site differ
        # Not in its changes, a field has the site's value; a status may still differ (the
        # file's only says cancelled or not).
        agrees = names != ["status"] or (item.status == "cancelled") == item.cancelled
        if agrees and not _file_as_imported(session, item, edits, audit_names):
            item.agreed += audit_names
            item.notes.append(_agreement_note(f"the {_label(audit_names)}", edited[-1]))


def _file_as_imported(
    session: Session, item: ImportItem, edits: SiteEdits, audit_names: list[str]
) -> bool:
    """Whether the file still has, in these fields, what the last import wrote."""
    if audit_names == ["status"]:
        return _status_as_imported(edits, item.cancelled)
    return all(_file_value(session, item, a) == _imported_value(edits, a) for a in audit_names)


def _status_as_imported(edits: SiteEdits, file_cancels: bool) -> bool:
    """Whether the file cancels (or not) as it did when last imported; False when unknown."""
    imported = _imported_value(edits, "status")
    return imported is not _UNKNOWN and (imported == "cancelled") == file_cancels


def _label(audit_names: list[str] | tuple[str, ...]) -> str:
    """A group of audit fields as the preview names it: "time" for the schedule's."""
    return "time" if len(audit_names) > 1 else audit_names[0].replace("_", " ")


def _agreement_note(what: str, edit: AuditEntry) -> str:
    return (
        f"The file now has {what} edited on the site by {_edited_by(edit)}: importing records "
        "it as the file's, so that the file's next change of it is applied."
    )


def _site_edit_note(what: str, edit: AuditEntry, *, kept: bool) -> str:
    """The preview's note on a field staff edited on the site: kept, or replaced by the
    file's."""
    by = _edited_by(edit)
    if kept:
        return (
            f"Kept the {what} edited on the site by {by}: the file still has the one "
            "imported before."
        )
    return (
        f"The {what} was edited on the site by {by}; the file changes it too, so importing "
        "replaces that edit."
    )


def _is_creation(changes: dict) -> bool:
    pairs = changes.values()
    return bool(changes) and all(
        isinstance(p, list) and len(p) == 2 and p[0] is None for p in pairs
    )


_UNKNOWN = object()


def _imported_value(edits: SiteEdits, name: str) -> object:
    """What the last import wrote in this field (unknown: it never said)."""
    if name in edits.imported:
        return edits.imported[name]
    if edits.created_by_import:  # not in the creation entry: it was empty
        return False if name == "all_day" else ""
    return _UNKNOWN


def _file_value(session: Session, item: ImportItem, name: str) -> object:
    """The file's value for an audit field, written as the audit log writes it."""
    if name == "venue":
        venue = session.get(Venue, item.venue_id) if item.venue_id is not None else None
        return venue.short_place if venue else ""
    if name == "categories":
        return ", ".join(sorted(item.categories))
    if name == "all_day":
        return bool(item.all_day)
    if name in ("start", "end"):
        if item.all_day:
            day = item.first_day if name == "start" else item.last_day
            return day.isoformat() if day else None
        return audit.local_text(item.start_at if name == "start" else item.end_at, item.timezone)
    return getattr(item, name)


def _edited_by(entry: AuditEntry) -> str:
    who = entry.user_email or "someone"
    return f"{who} on {entry.at:%b %-d, %Y}"


def _respect_site_edits(session: Session, item: ImportItem, edits: SiteEdits) -> None:
    """Keep what staff edited on the site since the last import where the file did not change
    it; say so where the file changes it too (importing overwrites that edit)."""
    groups: list[tuple[list[str], list[str]]] = []
    for name, audit_name in AUDIT_NAMES.items():
        if name in item.changes:
            groups.append(([name], [audit_name]))
    schedule = [n for n in SCHEDULE if n in item.changes]
    if schedule:
        groups.append((schedule, list(SCHEDULE_AUDIT_NAMES)))
    for names, audit_names in groups:
        edited = [edits.edited[a] for a in audit_names if a in edits.edited]
        if not edited:
            continue
        file_unchanged = _file_as_imported(session, item, edits, audit_names)
        if file_unchanged:
            for name in names:
                item.changes.pop(name, None)
            if names == ["status"]:
                item.status = None
        item.notes.append(_site_edit_note(_label(audit_names), edited[-1], kept=file_unchanged))
    if not item.changes:
        item.action = "unchanged"
