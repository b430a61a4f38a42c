"""The audit log: who changed what, when. Snapshots of objects and their differences."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from . import clock
from .extensions import db
from .models import AuditEntry, Category, Event, User, Venue

ACTIONS = {
    "create": "Created",
    "update": "Edited",
    "status": "Changed status",
    "duplicate": "Duplicated",
    "delete": "Deleted",
    "import": "Imported",
    "zone_rules": "Zone rules changed for",
}


def record(
    action: str,
    obj: Any,
    changes: dict[str, list[Any]] | None,
    user: User | None,
    now: datetime | None = None,
) -> AuditEntry:
    """Add an audit entry for `obj` (flushing first so a new object has its id), dated `now`
    or the clock's now.

    `changes` is {field: [old, new]}; the caller commits.
    """
    if getattr(obj, "id", None) is None:
        db.session.flush()
    user_id = getattr(user, "id", None)
    entry = AuditEntry(
        at=now or clock.now(),
        user_id=user_id,
        user_email=getattr(user, "email", "") or "",
        action=action,
        object_type=object_type(obj),
        object_id=obj.id,
        object_label=object_label(obj)[:300],
        changes=json.dumps(changes or {}, default=str, sort_keys=True, ensure_ascii=False),
    )
    db.session.add(entry)
    return entry


def last_entry(obj: Any) -> AuditEntry | None:
    """The newest entry for `obj`: who saved it last (a conflict says so)."""
    return db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == object_type(obj), AuditEntry.object_id == obj.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    ).first()


def as_created(obj: Any, now: dict[str, Any]) -> dict[str, Any] | None:
    """`obj`'s snapshot as its "create" entry recorded it, keyed as its snapshot `now` (a key
    the entry left out was empty: as empty as it is now, or empty text); None without one."""
    entry = _entry_of(object_type(obj), obj.id, "create", AuditEntry.id)
    if entry is None:
        return None
    made = {key: pair[1] for key, pair in changes_of(entry).items() if isinstance(pair, list)}
    empty = {key: value if not _has_value(value) else "" for key, value in now.items()}
    return {key: made.get(key, empty[key]) for key in now}


def deletion(kind: str, object_id: int) -> AuditEntry | None:
    """The entry saying that the `kind` ("event", "venue") with this id was deleted, if one
    does: ids are never given again (models.NEVER_REUSED), so it is the one deleted."""
    return _entry_of(kind, object_id, "delete", AuditEntry.id.desc())


def _entry_of(kind: str, object_id: int, action: str, order: Any) -> AuditEntry | None:
    """The first entry, in ``order``, of ``action`` on the ``kind`` with this id."""
    return db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.object_type == kind,
            AuditEntry.object_id == object_id,
            AuditEntry.action == action,
        )
        .order_by(order)
        .limit(1)
    ).first()


def object_type(obj: Any) -> str:
    return type(obj).__name__.lower()


def object_label(obj: Any) -> str:
    for attr in ("title", "name", "email"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)
    return f"{object_type(obj)} {obj.id}"


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value differs."""
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def created(after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [None, v] for k, v in after.items() if _has_value(v)}


def deleted(before: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [v, None] for k, v in before.items() if _has_value(v)}


def _has_value(value: Any) -> bool:
    """Worth a line in a created or deleted entry: not empty. False and 0 are values (an
    account made inactive, a venue on the equator)."""
    return value is not None and not (isinstance(value, str | list | tuple) and not value)


def local_text(instant: datetime | None, zone: str | None) -> str | None:
    """An instant as the audit log writes it: "2026-07-01 14:00 EDT" in its zone."""
    if instant is None or not zone:
        return None
    from . import timefmt

    local = timefmt.to_local(instant, zone)
    return f"{local:%Y-%m-%d %H:%M} {timefmt.zone_abbr(local)}"


def event_snapshot(event: Event) -> dict[str, Any]:
    """An event's editable fields as readable, JSON-friendly values."""
    return _fields(event) | _repeats(event)


def event_snapshot_with_rule(event: Event, rule: Any) -> dict[str, Any]:
    """The snapshot `event` would have with `rule` (a form's, not saved) as its Repeats, or
    with none: what an editor's form says, to compare with a colleague's save."""
    return _fields(event) | rule_snapshot(rule)


def _fields(event: Event) -> dict[str, Any]:
    if event.all_day:
        start = event.first_day.isoformat() if event.first_day else None
        end = event.last_day.isoformat() if event.last_day else None
    else:
        start, end = (
            local_text(event.start_at, event.timezone),
            local_text(event.end_at, event.timezone),
        )
    return {
        "title": event.title,
        "slug": event.slug,
        "kind": event.kind,
        "summary": event.summary or "",
        "description": event.description or "",
        "all_day": bool(event.all_day),
        "start": start,
        "end": end,
        "timezone": event.timezone,
        "venue": event.venue.short_place if event.venue else "",
        "online_url": event.online_url or "",
        "registration_url": event.registration_url or "",
        "recording_url": event.recording_url or "",
        "slides_url": event.slides_url or "",
        "image_url": event.image_url or "",
        "organizer": event.organizer or "",
        "speakers": "; ".join(
            " | ".join(p for p in (s.name, s.title, s.company) if p) for s in event.speakers
        ),
        "categories": ", ".join(sorted(c.name for c in event.categories)),
        "status": event.status_choice,
        "featured": bool(event.featured),
        "needs_review": event.wall_review or "",
    }


def _repeats(event: Event) -> dict[str, Any]:
    if not event.series_master or event.rule is None:
        return {}
    from . import series

    return rule_snapshot(series.rule_of(event))


def rule_snapshot(rule: Any) -> dict[str, Any]:
    """A series' rule in words (so a changed rule shows in the log), and its first date's
    times instead of the master's span (which grows as the series goes on); {} for no rule."""
    if rule is None:
        return {}
    from . import recurrence

    start, end = recurrence.occurrence_times(rule, rule.start)
    times = {"start": local_text(start, rule.zone), "end": local_text(end, rule.zone)}
    if rule.all_day:
        last = rule.start.date() + timedelta(days=max(1, rule.duration.days) - 1)
        times = {"start": rule.start.date().isoformat(), "end": last.isoformat()}
    return {"repeats": recurrence.summary(rule), **times}


VENUE_FIELDS = (
    "name", "address", "city", "region", "postal_code", "country", "timezone",
    "latitude", "longitude", "website", "slug",
)  # fmt: skip


def venue_snapshot(venue: Venue) -> dict[str, Any]:
    return {name: getattr(venue, name) for name in VENUE_FIELDS}


def category_snapshot(category: Category) -> dict[str, Any]:
    return {"name": category.name, "slug": category.slug}


def user_snapshot(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "active": bool(user.active),
    }


def changes_of(entry: AuditEntry) -> dict[str, list[Any]]:
    try:
        value = json.loads(entry.changes or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
