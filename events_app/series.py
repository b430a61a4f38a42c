"""Series in the database: a master event with its rule, and its occurrences as events.

The master (``Event.series_master``) holds the template every occurrence is copied from and its
``SeriesRule`` (recurrence.py reads it). Occurrences are real events, listed like any other:
each keeps its original start (``recurrence_id``, local wall time) and its own URL
(``<series slug>/<original date>``), and may be cancelled, moved or given its own details and
recording. Unbounded rules exist as occurrences up to ``HORIZON_DAYS`` ahead; ``extend`` (run
by ``flask series extend``, daily) moves that horizon along. Views commit; nothing here does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import recurrence, timefmt
from .models import (
    DeletedEvent,
    Event,
    FormerSlug,
    SeriesRule,
    Speaker,
    listed,
    new_uid,
    public_series,
)

HORIZON_DAYS = 730
# The scopes of a save of one date that apply to its series too (series_form.SCOPES); the
# other, "this", keeps the change to that date.
SERIES_SCOPES = ("all", "following")
# Re-materialize when the horizon is this close to today + HORIZON_DAYS (not every day).
EXTEND_SLACK_DAYS = 7
# What an occurrence copies from its master, and what makes it differ (an override).
# The venue by its relationship, not venue_id: a form sets the object, whose id the column
# gets only at the flush (a venue typed in with the event has none before it).
TEMPLATE_COLUMNS = (
    "title", "kind", "summary", "description", "online_url", "registration_url",
    "recording_url", "slides_url", "image_url", "organizer", "status", "featured", "venue",
)  # fmt: skip


def rule_of(master: Event) -> recurrence.Rule:
    """The master's rule as recurrence.Rule (its zone and all-day-ness are the master's)."""
    r = master.rule
    assert r is not None, "not a series master"
    return recurrence.Rule(
        freq=r.freq,
        start=r.start_local,
        zone=master.timezone,
        duration=timedelta(minutes=r.duration_minutes),
        all_day=master.all_day,
        interval=r.interval,
        weekdays=tuple(d for d in r.weekdays.split(",") if d),
        month_day=r.month_day,
        week_of_month=r.week_of_month,
        until=r.until,
        count=r.count,
    )


def set_rule(master: Event, rule: recurrence.Rule) -> None:
    """Make ``master`` a series master repeating by ``rule`` (normalized first)."""
    rule = rule.normalized()
    master.series_master = True
    if master.rule is None:
        master.rule = SeriesRule()
    r = master.rule
    fields = {
        "freq": rule.freq,
        "interval": rule.interval,
        "weekdays": ",".join(rule.weekdays),
        "month_day": rule.month_day,
        "week_of_month": rule.week_of_month,
        "until": rule.until if rule.count is None else None,
        "count": rule.count,
        "start_local": rule.start,
        "duration_minutes": int(rule.duration.total_seconds() // 60),
    }
    for name, value in fields.items():
        if getattr(r, name) != value:
            setattr(r, name, value)
    _set_span(master, rule, [rule.start])


def _set_span(master: Event, rule: recurrence.Rule, walls: list[datetime]) -> None:
    """The master's own times: from its first occurrence's start to its last one's end (what
    puts it in a feed's window); the VEVENT it renders takes its times from the rule."""
    first, _ = recurrence.occurrence_times(rule, rule.start)
    _, last = recurrence.occurrence_times(rule, walls[-1] if walls else rule.start)
    if rule.all_day:
        last_day = (walls[-1] if walls else rule.start).date() + timedelta(
            days=max(1, rule.duration.days) - 1
        )
        if (master.first_day, master.last_day) != (rule.start.date(), last_day):
            master.set_all_day(rule.start.date(), last_day, rule.zone)
    elif (master.start_at, master.end_at, master.all_day) != (first, last, False):
        master.set_timed(first, last, rule.zone)


def occurrence_slug(master_slug: str, wall: datetime) -> str:
    return f"{master_slug}/{wall.date().isoformat()}"


# What occurrence_slug adds to the series' address ("/2026-01-14"): room the series leaves.
DATE_SUFFIX_LENGTH = len(occurrence_slug("", datetime(2026, 1, 14)))


def template_values(event: Event) -> dict[str, Any]:
    """The fields an occurrence shares with its master unless changed on its own."""
    values: dict[str, Any] = {name: getattr(event, name) for name in TEMPLATE_COLUMNS}
    values["categories"] = frozenset(c.id for c in event.categories)
    values["speakers"] = tuple((s.name, s.title, s.company) for s in event.speakers)
    return values


def _copy_template(master: Event, occurrence: Event, names: set[str] | None = None) -> None:
    """Copy these template fields (all when None) where they differ: an equal value is not
    written, so it is not a change."""
    if names is None:
        names = {*TEMPLATE_COLUMNS, "categories", "speakers"}
    for name in TEMPLATE_COLUMNS:
        if name in names and getattr(occurrence, name) != getattr(master, name):
            setattr(occurrence, name, getattr(master, name))
    mine, theirs = {c.id for c in occurrence.categories}, {c.id for c in master.categories}
    if "categories" in names and mine != theirs:
        occurrence.categories = list(master.categories)
    if "speakers" in names:
        wanted = [(s.name, s.title, s.company) for s in master.speakers]
        if [(s.name, s.title, s.company) for s in occurrence.speakers] != wanted:
            occurrence.speakers = [
                Speaker(name=a, title=b, company=c, position=i)
                for i, (a, b, c) in enumerate(wanted)
            ]


def is_moved(occurrence: Event, rule: recurrence.Rule) -> bool:
    """Whether the occurrence is not where its original start and the rule put it: another
    time, or another zone (a date moved into a zone of its own keeps it, even at its old
    wall time)."""
    assert occurrence.recurrence_id is not None
    if occurrence.all_day != rule.all_day or occurrence.timezone != rule.zone:
        return True
    start, end = recurrence.occurrence_times(rule, occurrence.recurrence_id)
    return (occurrence.start_at, occurrence.end_at) != (start, end)


def is_override(occurrence: Event, master: Event, rule: recurrence.Rule) -> bool:
    """Whether a feed writes the occurrence as a VEVENT with RECURRENCE-ID: it was moved, has
    its own details, its wall time falls in a DST gap or overlap, or it runs over a clock
    change (``recurrence.spans_clock_change``). A cancelled occurrence of
    a live series is not one: it is an EXDATE."""
    if occurrence.status == "cancelled" and master.status != "cancelled":
        return False
    if is_moved(occurrence, rule) or template_values(occurrence) != template_values(master):
        return True
    # A wall time that does not exist or occurs twice: readers place it differently (the
    # `ical` package's timeline ends a gap occurrence before it starts), so its instants are
    # written out; so are those of a date that runs over a clock change, or ends at a wall
    # time that occurs twice, which readers end at different instants.
    if rule.all_day:
        return False
    wall = occurrence.recurrence_id
    return recurrence.dst_note(wall, rule.zone) is not None or recurrence.spans_clock_change(
        rule, wall
    )


def has_changed_dates(master: Event, since: datetime) -> bool:
    """Whether a date of the series not over by ``since``, where it is or where its rule puts
    it, is not simply where its rule puts it (moved, or left out): what a bare RRULE, such as
    Google's add link carries, cannot say. (A date's own title or guests are details, not
    times: not asked here, which would read every date's speakers and categories.)"""
    rule = rule_of(master)
    for date_ in master.occurrences:
        if (
            date_.end_at <= since
            and recurrence.occurrence_times(rule, date_.recurrence_id)[1] <= since
        ):
            continue  # over, both where it is and where the rule put it
        if is_removed(date_, master) or is_moved(date_, rule):
            return True
    return False


def is_removed(occurrence: Event, master: Event) -> bool:
    """An occurrence a feed leaves out of the series with EXDATE."""
    return occurrence.status in ("cancelled", "draft") and master.status != occurrence.status


def date_status(series_status: str, own_status: str | None) -> str:
    """What one date of a series shows: a draft series, or a date made a draft on its own, is
    never public; a cancelled series cancels every date; else the date's own status, if it was
    given one, or its series'."""
    if "draft" in (series_status, own_status):
        return "draft"
    if own_status is None or series_status == "cancelled":
        return series_status
    return own_status


def refused_date_status(occurrence: Event, chosen: str) -> str | None:
    """Why one date of a series cannot be given this status on its own now, or None: a draft
    or cancelled series holds every date so, and publishing or postponing one date of it would
    change nothing a visitor sees."""
    master = occurrence.series
    assert master is not None
    if chosen == occurrence.status_choice or chosen not in ("published", "postponed"):
        return None
    if master.status == "draft":
        return "The series is a draft: publish the series first; its dates show with it."
    if master.status == "cancelled":
        return "The whole series is cancelled: change the series' status first."
    return None


def set_date_status(occurrence: Event, chosen: str) -> None:
    """Give one date of a series a status on its own (its series' status: it follows it)."""
    master = occurrence.series
    assert master is not None
    own = None if chosen == master.status else chosen
    if occurrence.own_status != own:
        occurrence.own_status = own
    status = date_status(master.status, own)
    if occurrence.status != status:
        occurrence.status = status


def date_in_the_way(session: Session, occurrence: Event, schedule: dict[str, Any]) -> str | None:
    """The day ('Dec 8, 2026') of another date of ``occurrence``'s series, taking place, that
    the ``schedule`` typed for it (event_form's) would overlap; None when it overlaps none."""
    assert occurrence.series_id is not None
    stmt = select(Event.start_date).where(
        Event.series_id == occurrence.series_id,
        Event.id != occurrence.id,
        Event.status.not_in(STRUCK),
    )
    if schedule.get("all_day"):
        stmt = stmt.where(Event.first_day <= schedule["last"], Event.last_day >= schedule["first"])
    elif schedule:
        stmt = stmt.where(Event.start_at < schedule["end"], Event.end_at > schedule["start"])
    else:
        return None
    found = session.scalar(stmt.order_by(Event.start_at).limit(1))
    return timefmt.format_day(found) if found else None


# Template fields as the rule preview names a date's own value of them.
OWN_DETAILS = {
    "title": "title", "kind": "kind", "summary": "summary", "description": "description",
    "online_url": "join link", "registration_url": "registration link",
    "recording_url": "recording", "slides_url": "slides", "image_url": "image",
    "organizer": "organizer", "featured": "featured mark", "venue": "venue",
    "speakers": "speakers", "categories": "categories",
}  # fmt: skip


@dataclass
class SavedDates:
    """A saved series' dates as its rule preview (series_form.preview) tells of them; they
    are read once for all its questions."""

    session: Session
    master: Event
    since: date | None = None  # "this and following": the dates before stay where they are

    @cached_property
    def rule(self) -> recurrence.Rule:
        return rule_of(self.master)

    @cached_property
    def dates(self) -> list[Event]:
        stmt = select(Event).where(Event.series_id == self.master.id)
        return list(self.session.scalars(stmt.order_by(Event.recurrence_id)))

    def fates(self, days: list[date]) -> dict[date, tuple[str, bool]]:
        """What became of these dates on their own, by original local date (as ``sync``
        matches them): ("cancelled", struck out), ("moved to …", struck out), ("postponed",
        not)."""
        wanted = set(days)
        found = {o.recurrence_id.date(): o for o in self.dates}
        fates = {day: _fate(found[day], self.rule) for day in wanted & found.keys()}
        return {day: fate for day, fate in fates.items() if fate}

    def dropped(self, kept: set[date]) -> list[str]:
        """The dates with something of their own that a rule making only the ``kept`` days
        would delete (``sync`` does), past ones too: "Dec 17, 2026: cancelled"."""
        mine = template_values(self.master)
        lost = []
        for occurrence in self.dates:
            day = occurrence.recurrence_id.date()
            if day in kept or (self.since is not None and day < self.since):
                continue
            theirs = template_values(occurrence)
            details = [w for name, w in OWN_DETAILS.items() if theirs[name] != mine[name]]
            fate = _fate(occurrence, self.rule)
            words = [fate[0]] if fate else []
            words += [f"its own {', '.join(details)}"] if details else []
            if words:
                lost.append(f"{timefmt.format_day(day)}: {'; '.join(words)}")
        return lost

    def past_moved(self, new: recurrence.Rule, walls: list[datetime], today: date) -> int:
        """How many dates that took place before ``today`` saving ``new`` (making ``walls``)
        would move to another time: those not moved on their own follow the rule."""
        by_day = {w.date(): w for w in walls}
        count = 0
        for occurrence in self.dates:
            wall = by_day.get(occurrence.recurrence_id.date())
            if wall is None or (self.since is not None and wall.date() < self.since):
                continue
            if occurrence.end_at.date() >= today:
                continue
            if is_moved(occurrence, self.rule):
                continue
            if recurrence.occurrence_times(new, wall) != (occurrence.start_at, occurrence.end_at):
                count += 1
        return count


# A date's own status as the rule preview says it; those struck out do not take place there.
OWN_STATUS_WORDS = {
    "cancelled": "cancelled", "draft": "a draft, not shown", "postponed": "postponed",
    "published": "published on its own",
}  # fmt: skip
STRUCK = ("cancelled", "draft")


def _fate(occurrence: Event, rule: recurrence.Rule) -> tuple[str, bool] | None:
    """What became of a date on its own (its status, a move), and whether it is struck out."""
    own = occurrence.own_status
    if own in STRUCK:
        return OWN_STATUS_WORDS[own], True
    if is_moved(occurrence, rule):
        return f"moved to {occurrence.when_text}", True
    if own is not None:
        return OWN_STATUS_WORDS.get(own, own), False
    return None


def sync(
    master: Event, today: date, zone_before: str | None = None, reach: date | None = None
) -> None:
    """Give the master one occurrence per wall start of its rule up to the horizon (or to
    ``reach``, or to its last date beyond it, as an import's cancelled and changed dates far
    ahead made them): new ones copy the template, ones the rule no longer has are deleted,
    others keep their own details. Occurrences are matched by their original local date, so a
    new time of day or zone for the whole series (``zone_before``: its zone until now) moves
    every occurrence that was not moved on its own."""
    rule = rule_of(master)
    placed_by = replace(rule, zone=zone_before or rule.zone)  # where the dates were put
    by_day = {o.recurrence_id.date(): o for o in master.occurrences if o.recurrence_id}
    through = max(
        today + timedelta(days=HORIZON_DAYS), reach or date.min, max(by_day, default=date.min)
    )
    walls = recurrence.wall_starts(rule, through, limit=None)  # saved within too_many_dates
    wanted = {w.date() for w in walls}
    for day, occurrence in by_day.items():
        if day not in wanted:
            master.occurrences.remove(occurrence)  # an orphan: deleted at the flush
    for wall in walls:
        occurrence = by_day.get(wall.date())
        if occurrence is None:
            occurrence = Event(uid=new_uid(), series_master=False, recurrence_id=wall)
            _copy_template(master, occurrence)
            occurrence.timezone = master.timezone
            _schedule(occurrence, rule, wall)
            occurrence.slug = occurrence_slug(master.slug, wall)
            master.occurrences.append(occurrence)
            continue
        if occurrence.recurrence_id != wall or occurrence.timezone != rule.zone:
            moved = is_moved(occurrence, placed_by)
            occurrence.recurrence_id = wall
            if not moved:
                _schedule(occurrence, rule, wall)
        slug = occurrence_slug(master.slug, wall)
        if occurrence.slug != slug:
            occurrence.slug = slug
    master.rule.materialized_through = through
    _set_span(master, rule, walls)


def _schedule(occurrence: Event, rule: recurrence.Rule, wall: datetime) -> None:
    start, end = recurrence.occurrence_times(rule, wall)
    if rule.all_day:
        days = max(1, rule.duration.days)
        occurrence.set_all_day(wall.date(), wall.date() + timedelta(days=days - 1), rule.zone)
    else:
        occurrence.set_timed(start, end, rule.zone)
        # A wall time in a DST gap is placed past the jump; it keeps the rule's wall time, so
        # that tz-refresh places it where the rule does if new zone rules close the gap.
        occurrence.wall_start, occurrence.wall_start_fold = wall, 0


def reschedule_unmoved(master: Event, old_rule: recurrence.Rule) -> None:
    """After the series' duration changed: occurrences that sat where the old rule put them
    take the new one's length, in their zone (sync then moves them to a new zone)."""
    rule = replace(rule_of(master), zone=old_rule.zone)
    for occurrence in master.occurrences:
        if occurrence.recurrence_id and not is_moved(occurrence, old_rule):
            _schedule(occurrence, rule, occurrence.recurrence_id)


def propagate(master: Event, before: dict[str, Any]) -> None:
    """Copy the master's changed template fields to every occurrence that still had the old
    value (one that was given its own value keeps it); a status as ``date_status`` says."""
    after = template_values(master)
    changed = {k for k in after if after[k] != before[k]} - {"status"}
    for occurrence in master.occurrences:
        mine = template_values(occurrence)
        _copy_template(master, occurrence, {k for k in changed if mine[k] == before[k]})
        status = date_status(master.status, occurrence.own_status)
        if occurrence.status != status:
            occurrence.status = status


def split(session: Session, occurrence: Event, today: date) -> Event:
    """ "This and following": end the series before ``occurrence`` (the earlier part keeps its
    UID) and make a new series, with a new UID, from it on; the following occurrences move to
    the new series with what they had of their own. Returns the new master."""
    master = occurrence.series
    assert master is not None and occurrence.recurrence_id is not None
    old = rule_of(master)
    earlier = [o for o in master.occurrences if o.recurrence_id < occurrence.recurrence_id]
    if not earlier:
        return master
    walls_before = recurrence.wall_starts(old, occurrence.recurrence_id.date() - timedelta(days=1))
    new_rule = _following(old, occurrence.recurrence_id)
    twin = Event(uid=new_uid())
    # Its address first: looking it up flushes, and a twin already holding the venue but not
    # yet in the session would be left out of the venue's events (SQLAlchemy warns).
    twin.slug = unique_series_slug(session, f"{master.slug}-from-{occurrence.recurrence_id.date()}")
    _copy_template(master, twin)
    twin.timezone = master.timezone
    set_rule(twin, new_rule)
    session.add(twin)
    for o in [o for o in master.occurrences if o.recurrence_id >= occurrence.recurrence_id]:
        master.occurrences.remove(o)
        twin.occurrences.append(o)
        o.slug = occurrence_slug(twin.slug, o.recurrence_id)
    set_rule(master, replace(old, count=None, until=walls_before[-1].date()))
    sync(master, today)
    sync(twin, today)
    return twin


def _following(old: recurrence.Rule, wall: datetime) -> recurrence.Rule:
    """The rule of the part of a series split off at ``wall``: from there, with what is left
    of a count."""
    if old.count is None:
        return replace(old, start=wall)
    before = recurrence.wall_starts(old, wall.date() - timedelta(days=1))
    return replace(old, start=wall, count=max(1, old.count - len(before)))


def _scoped(
    rule: recurrence.Rule, base: recurrence.Rule, shown: recurrence.Rule, keep_time: bool
) -> recurrence.Rule:
    """A rule from an occurrence's form for the series (part) whose rule is ``base``: its time
    of day and pattern, from ``base``'s first date; an end as the form showed it (``shown``,
    the whole series') stays ``base``'s own. ``keep_time``: the date's times were left as
    they were (a date moved on its own shows its own), so the series keeps its time and
    length."""
    if keep_time:
        start = datetime.combine(rule.start.date(), shown.start.time())
        rule = replace(rule, start=start, duration=shown.duration)
    scoped = replace(rule, start=datetime.combine(base.start.date(), rule.start.time()))
    if (rule.until, rule.count) == (shown.until, shown.count):
        scoped = replace(scoped, until=base.until, count=base.count)
    return scoped


def rule_for_scope(occurrence: Event, rule: recurrence.Rule | None, scope: str) -> recurrence.Rule:
    """The rule that saving ``occurrence``'s form (its Repeats read as ``rule``) for ``scope``
    gives: the series' own for "this", the whole series' for "all", the new part's for
    "following" (what ``apply_to_series`` saves)."""
    assert occurrence.series is not None and occurrence.recurrence_id is not None
    series_rule = rule_of(occurrence.series)
    if rule is None or scope not in SERIES_SCOPES:
        return series_rule
    base = series_rule if scope == "all" else _following(series_rule, occurrence.recurrence_id)
    return _scoped(rule, base, series_rule, _same_times(occurrence, rule))


def _same_times(occurrence: Event, rule: recurrence.Rule) -> bool:
    """Whether a form's rule has the time of day and length the date has now (the editor
    left them alone)."""
    if (rule.all_day, rule.zone) != (occurrence.all_day, occurrence.timezone):
        return False
    if rule.all_day:
        return rule.duration.days == (occurrence.last_day - occurrence.first_day).days + 1
    start = occurrence.local_start.time()
    return (rule.start.time(), rule.duration) == (start, occurrence.end_at - occurrence.start_at)


# audit.event_snapshot keys -> the template fields behind them
AUDIT_TEMPLATE_KEYS = {name: name for name in TEMPLATE_COLUMNS}
AUDIT_TEMPLATE_KEYS |= {"speakers": "speakers", "categories": "categories"}


def save_master(
    master: Event,
    rule: recurrence.Rule,
    before: dict[str, Any],
    old_rule: recurrence.Rule,
    today: date,
    reach: date | None = None,
) -> None:
    """After the master's fields were edited (``before``: its template_values then): its new
    rule, the changes copied to the occurrences that shared the old values, occurrences that
    sat where the old rule put them moved where the new one does (``reach``: see sync)."""
    set_rule(master, rule)
    propagate(master, before)
    if rule.duration != old_rule.duration:
        reschedule_unmoved(master, old_rule)
    sync(master, today, zone_before=old_rule.zone, reach=reach)


def apply_to_series(
    session: Session,
    occurrence: Event,
    changed: set[str],
    rule: recurrence.Rule | None,
    scope: str,
    today: date,
) -> Event:
    """ "All occurrences" or "this and following", from an edit of one occurrence: the fields
    behind the ``changed`` audit keys and the rule (its time of day and length as this
    occurrence now has them, its pattern from the form) go to the series, or to the part split
    off at this occurrence. Returns the master that changed."""
    assert occurrence.series is not None
    series_rule = rule_of(occurrence.series)
    target = occurrence.series if scope == "all" else split(session, occurrence, today)
    before, old_rule = template_values(target), rule_of(target)
    names = {AUDIT_TEMPLATE_KEYS[k] for k in changed if k in AUDIT_TEMPLATE_KEYS}
    if "status" in names:  # the status chosen for this date becomes the series' own
        target.status, occurrence.own_status = occurrence.status_choice, None
    _copy_template(occurrence, target, names - {"status"})
    from .event_form import SCHEDULE_KEYS

    keep_time = not changed & set(SCHEDULE_KEYS)  # the date's times left as they were
    new_rule = old_rule if rule is None else _scoped(rule, old_rule, series_rule, keep_time)
    save_master(target, new_rule, before, old_rule, today)
    return target


SPLIT_SLUG = re.compile(r"(.+)-from-[0-9]{4}-[0-9]{2}-[0-9]{2}(?:-[0-9]+)?")


@dataclass(frozen=True)
class SplitParts:
    """The series a series continues and the one continuing it, when "this and following"
    made them (None: none): the parts of one series, told by the addresses split() gives them
    ("<series>-from-<date>[-n]", of a part split again too), in date order."""

    before: Event | None
    after: Event | None


def _root_slug(slug: str) -> str:
    while found := SPLIT_SLUG.fullmatch(slug):
        slug = found[1]
    return slug


def parts_of(session: Session, master: Event) -> list[Event]:
    """Every part of ``master``'s series that "this and following" made (drafts too), itself
    among them, in date order: just ``[master]`` for a series never split. Parts are named
    after the address the series had at the split; a part renamed since still belongs, by
    the addresses it had (models.FormerSlug)."""
    found, roots = {master.id: master}, set()
    todo = {_root_slug(master.slug)}
    while todo:
        roots |= todo
        for root in todo:
            found.update((e.id, e) for e in parts_named(session, root))
        todo = _former_roots(session, roots, found) - roots
    parts = sorted(found.values(), key=lambda e: (rule_of(e).start, e.id))
    return parts if len(parts) > 1 else [master]


def _former_roots(session: Session, roots: set[str], found: dict[int, Event]) -> set[str]:
    """The roots of the addresses these parts had before a rename, and of the addresses now
    of the series renamed away from these roots. An address held now by another series is
    that series' own: it neither joins nor is joined."""
    rows = session.execute(
        select(FormerSlug.slug, Event.slug, Event.id)
        .join(Event, Event.id == FormerSlug.event_id)
        .where(Event.series_master.is_(True))
        .where(FormerSlug.event_id.in_(list(found)) | FormerSlug.slug.in_(sorted(roots)))
    ).all()
    formers = {_root_slug(former) for former, _, _ in rows}
    holders = select(Event.slug, Event.id).where(Event.slug.in_(sorted(formers)))
    held = dict(session.execute(holders).all())
    joined = set()
    for former, now, event_id in rows:
        holder = held.get(_root_slug(former))
        if holder is None or (event_id in found and holder in found):
            joined |= {_root_slug(former), _root_slug(now)}
    return joined


def part_left(session: Session, root: str) -> Event | None:
    """The first public part of the series that was at the address ``root`` before it was
    deleted, when "this and following" had split parts off it: that address leads there."""
    ids = [part.id for part in parts_named(session, root)]
    stmt = public_series().where(Event.id.in_(ids)).order_by(Event.start_at, Event.id)
    return session.scalars(stmt).unique().first() if ids else None


def parts_named(session: Session, root: str) -> list[Event]:
    """The series at the address ``root`` and the parts "this and following" split off it
    (drafts too), those that exist, in date order."""
    candidates = session.scalars(
        select(Event).where(
            Event.series_master.is_(True),
            (Event.slug == root) | _slug_like(f"{_literal(root)}-from-%"),
        )
    )
    found = [e for e in candidates if _root_slug(e.slug) == root]
    return sorted(found, key=lambda e: (rule_of(e).start, e.id))


def split_parts(session: Session, master: Event) -> SplitParts:
    parts = parts_of(session, master)
    if len(parts) < 2:
        return SplitParts(None, None)
    at = parts.index(master)
    return SplitParts(parts[at - 1] if at else None, parts[at + 1] if at + 1 < len(parts) else None)


def _literal(text: str) -> str:
    """``text`` matched as itself in a LIKE pattern (escaped with a backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _slug_like(pattern: str):
    return Event.slug.like(pattern, escape="\\")


def split_address(session: Session, series_slug: str, day: str) -> str | None:
    """Where a public date of a series went when "this and following" split it off: the
    address of the new part that has it ("<series>-from-<date>[-n]"), or None."""
    master = select(Event.id).where(Event.slug == series_slug, Event.series_master.is_(True))
    if session.scalar(master) is None and not (
        session.get(DeletedEvent, series_slug) or session.get(FormerSlug, series_slug)
    ):
        return None  # no such series, nor was there: no scan for an address made up
    stmt = select(Event.slug).where(listed(), _slug_like(f"{_literal(series_slug)}-from-%/{day}"))
    stmt = stmt.limit(2)
    found = list(session.scalars(stmt))
    return found[0].rpartition("/")[0] if len(found) == 1 else None


def unique_series_slug(session: Session, base: str) -> str:
    from .event_form import unique_slug

    return unique_slug(session, base[:150])


def extend(session: Session, today: date) -> int:
    """Move every open series' horizon along (occurrences up to HORIZON_DAYS ahead); how many
    series gained occurrences. Series whose rule ended before the horizon are left alone."""
    limit = today + timedelta(days=HORIZON_DAYS - EXTEND_SLACK_DAYS)
    stmt = (
        select(Event)
        .join(SeriesRule, SeriesRule.event_id == Event.id)
        .where(SeriesRule.materialized_through < limit)
        .where((SeriesRule.until.is_(None)) | (SeriesRule.until > SeriesRule.materialized_through))
        .options(selectinload(Event.occurrences), selectinload(Event.rule))
    )
    masters = [
        m
        for m in session.scalars(stmt)
        if m.rule.count is None or len(m.occurrences) < m.rule.count
    ]
    for master in masters:
        sync(master, today)
    return len(masters)
