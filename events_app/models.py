"""Database models: Event, Venue, Category, Speaker, User, AuditEntry, LoginAttempt."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app, has_app_context
from flask_login import UserMixin
from markupsafe import Markup
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
    validates,
)
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.functions import FunctionElement

from . import clock, markup, timefmt
from .text import name_order, without_controls

KINDS = {"live": "Live event", "webinar": "Webinar", "audio": "Live audio"}
STATUSES = {
    "draft": "Draft",
    "published": "Published",
    "postponed": "Postponed",
    "cancelled": "Cancelled",
}
PUBLIC_STATUSES = ("published", "postponed", "cancelled")
DESCRIPTION_MAX = 20_000  # characters of an event's description, typed or imported
ROLES = {"editor": "Editor", "admin": "Admin"}


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC, so SQLite and PostgreSQL behave alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def new_version() -> int:
    """A new Event.version: random, 1 .. 2**31 - 1 (an INTEGER column on every database)."""
    return secrets.randbelow(2**31 - 1) + 1


def next_version(current: int | None) -> int:
    """SQLAlchemy's version_id_generator: any value but the current one."""
    value = new_version()
    while value == current:
        value = new_version()
    return value


def plain_text(value: str | None) -> str | None:
    """Stored text: without control characters (text.without_controls)."""
    return None if value is None else without_controls(value)


def new_uid() -> str:
    """A permanent iCalendar UID: '<uuid>@<site host>'."""
    host = "events.invalid"
    if has_app_context():
        host = current_app.config.get("UID_DOMAIN") or host
    return f"{uuid.uuid4()}@{host}"


VENUE_TO_BE_ANNOUNCED = "Venue to be announced"  # a live event saved without its venue yet

# Table options of rows whose id is in URLs, forms and the audit log: SQLite never gives a
# deleted row's id to a new one (AUTOINCREMENT; PostgreSQL's sequences never do). Migration 0016.
NEVER_REUSED = {"sqlite_autoincrement": True}


def derived_uid(series_uid: str, wall: datetime) -> str:
    """The permanent UID of one date of a series written as an event of its own: the series'
    UID and the date's original local date, which is what keeps it the same date when its
    series moves to another time of day (``series.sync``); never a time."""
    return f"{series_uid}/{wall:%Y%m%d}"


event_categories = Table(
    "event_categories",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_event_categories_category_id", "category_id"),
)


class Venue(Base):
    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Its page's address (/venues/<slug>); one is made from the name when none is given
    # (changes.py, at the flush that adds it).
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    website: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    events: Mapped[list[Event]] = relationship(back_populates="venue")

    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="lat"),
        CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="lon"
        ),
        NEVER_REUSED,
    )

    @property
    def short_place(self) -> str:
        """'Westin Westminster, Denver'."""
        return ", ".join(p for p in (self.name, self.city) if p)

    @property
    def full_address(self) -> str:
        parts = [self.address, self.city, self.region, self.postal_code, self.country]
        return ", ".join(p for p in parts if p)

    @validates("name", "address", "city", "region", "country", "postal_code")
    def _plain(self, _name: str, value: str | None) -> str | None:
        return plain_text(value)


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)

    events: Mapped[list[Event]] = relationship(
        secondary=event_categories, back_populates="categories"
    )

    __table_args__ = NEVER_REUSED

    @validates("name")
    def _plain(self, _name: str, value: str | None) -> str | None:
        return plain_text(value)


class Speaker(Base):
    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    company: Mapped[str] = mapped_column(String(200), default="")

    event: Mapped[Event] = relationship(back_populates="speakers")

    @validates("name", "title", "company")
    def _plain(self, _name: str, value: str | None) -> str | None:
        return plain_text(value)


class Event(Base):
    """A listed event. Times are UTC instants plus the zone's name.

    For all-day events `first_day`..`last_day` (inclusive) is the truth, and `start_at`/`end_at`
    are derived from them in the event's zone for sorting and windowing. `start_date`/`end_date`
    are always the local days the event covers, for calendars and date filters.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True, default=new_uid)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="live")
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # Timed events: the local wall times as entered, in `timezone` (naive), the truth while the
    # event has not ended (tz_refresh.py re-derives start_at/end_at from them when zone rules
    # change); and where the zone shows a wall time twice, which one (0 first, 1 second; None
    # where it shows once). NULL for all-day events, whose days are their truth.
    wall_start: Mapped[datetime | None] = mapped_column(DateTime)
    wall_end: Mapped[datetime | None] = mapped_column(DateTime)
    wall_start_fold: Mapped[int | None] = mapped_column(Integer)
    wall_end_fold: Mapped[int | None] = mapped_column(Integer)
    # Set by tz-refresh when new zone rules skip or repeat a wall time: what it chose and why,
    # for staff to check; cleared whenever the schedule is set again (the event form).
    wall_review: Mapped[str | None] = mapped_column(String(500))

    venue_id: Mapped[int | None] = mapped_column(
        ForeignKey("venues.id", ondelete="RESTRICT"), index=True
    )
    online_url: Mapped[str] = mapped_column(String(500), default="")
    registration_url: Mapped[str] = mapped_column(String(500), default="")
    recording_url: Mapped[str] = mapped_column(String(500), default="")
    slides_url: Mapped[str] = mapped_column(String(500), default="")
    image_url: Mapped[str] = mapped_column(String(500), default="")
    organizer: Mapped[str] = mapped_column(String(200), default="")

    # What visitors see. A date of a series shows the status it was given on its own
    # (``own_status``; None: it follows its series), unless its series is a draft or cancelled:
    # series.date_status is the rule, series.set_date_status the one way to set it.
    status: Mapped[str] = mapped_column(String(20), default="draft")
    own_status: Mapped[str | None] = mapped_column(String(20))
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # A random value per change, never a counter: a restored backup must not bring back a
    # version some worker has seen with other content (its stored block, its previous feed).
    version: Mapped[int] = mapped_column(Integer, default=new_version)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    # Series (series.py): a master holds the rule (`rule`) and the template its occurrences are
    # copied from; it is never listed, only written to feeds. An occurrence points at its master
    # and keeps its original start (RFC 5545 RECURRENCE-ID) as local wall time in the master's
    # zone; it is listed, never written to feeds except inside its master's block.
    series_master: Mapped[bool] = mapped_column(Boolean, default=False)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    recurrence_id: Mapped[datetime | None] = mapped_column(DateTime)

    # The event's rendered VEVENT block, kept so feeds need not rebuild it (see ical.py).
    ical_block: Mapped[str | None] = mapped_column(Text)
    ical_block_key: Mapped[str | None] = mapped_column(String(64))
    # The description as safe HTML, rendered when it is set: pages show it without running
    # Markdown (the largest cost of an event page). Used only while its key matches
    # (markup.stored_or_rendered): see description_markup.
    description_html: Mapped[str | None] = mapped_column(Text)
    description_html_key: Mapped[str | None] = mapped_column(String(32))
    # The new-event form it was created from (a random key the form carries): the same form
    # sent twice (a second click, "Send again" after an outage) finds it instead of making a
    # second event (staff.new_event). None for events made otherwise.
    form_key: Mapped[str | None] = mapped_column(String(43))

    venue: Mapped[Venue | None] = relationship(back_populates="events")
    categories: Mapped[list[Category]] = relationship(
        secondary=event_categories, back_populates="events", order_by="Category.name"
    )
    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="event",
        order_by="Speaker.position",
        cascade="all, delete-orphan",
    )
    # Deleting a master deletes its rule and occurrences (SQLite does not enforce the keys).
    rule: Mapped[SeriesRule | None] = relationship(
        back_populates="master", cascade="all, delete-orphan"
    )
    series: Mapped[Event | None] = relationship(
        remote_side="Event.id", back_populates="occurrences"
    )
    occurrences: Mapped[list[Event]] = relationship(
        back_populates="series", order_by="Event.recurrence_id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version, "version_id_generator": next_version}
    __table_args__ = (
        CheckConstraint("kind IN ('live', 'webinar', 'audio')", name="kind"),
        CheckConstraint(
            "status IN ('draft', 'published', 'postponed', 'cancelled')", name="status"
        ),
        CheckConstraint("end_at >= start_at", name="end_after_start"),
        CheckConstraint("end_date >= start_date", name="end_date_after_start_date"),
        CheckConstraint(
            "(all_day = false) OR (first_day IS NOT NULL AND last_day IS NOT NULL"
            " AND last_day >= first_day)",
            name="all_day_days",
        ),
        # Lists walk events in (start_at, id) order and stop after a page; end_at and status sit
        # in the index so rows already over are skipped without reading the table. No index
        # leads with status: four values, but SQLite without statistics would pick it and sort
        # every upcoming event (see bench/RESULTS.md). The other columns make them cover the
        # feed queries (feeds/source.py), which then never read the wide rows.
        Index(
            "ix_events_start_order",
            *("start_at", "id", "end_at", "status", "version", "all_day", "timezone"),
            *("series_id", "series_master"),
        ),
        Index(
            "ix_events_kind_start_order",
            *("kind", "start_at", "id", "end_at", "status"),
            *("version", "all_day", "timezone", "updated_at", "series_id", "series_master"),
        ),
        Index(
            "ix_events_end_at",
            *("end_at", "status", "start_at", "version", "updated_at", "series_id"),
            "series_master",
        ),
        Index("uq_events_series_id_recurrence_id", "series_id", "recurrence_id", unique=True),
        Index("uq_events_form_key", "form_key", unique=True),
        Index("ix_events_dates", "start_date", "end_date", "status"),
        Index("ix_events_updated_at", "updated_at"),
        NEVER_REUSED,
    )

    @validates("title", "summary", "organizer")
    def _plain(self, _name: str, value: str | None) -> str | None:
        return plain_text(value)

    @validates("description")
    def _render_description(self, _name: str, value: str | None) -> str | None:
        value = plain_text(value)
        self.description_html, self.description_html_key = markup.rendering(value)
        return value

    @property
    def description_markup(self) -> Markup:
        """The description as safe HTML."""
        return markup.stored_or_rendered(
            self.description, self.description_html, self.description_html_key
        )

    @property
    def description_text(self) -> str:
        """The description as plain text (feeds, structured data, calendar links)."""
        return markup.stored_text(
            self.description, self.description_html, self.description_html_key
        )

    def set_timed(self, start: datetime, end: datetime, zone_name: str) -> None:
        """Schedule at exact instants (aware datetimes) shown in `zone_name`; the wall times
        they show there are kept as the truth for when zone rules change."""
        self.all_day = False
        self.timezone = zone_name
        self.wall_start, self.wall_start_fold = timefmt.wall_time(start, zone_name)
        self.wall_end, self.wall_end_fold = timefmt.wall_time(end, zone_name)
        self.wall_review = None
        self.place_instants(start, end)

    def place_instants(self, start: datetime, end: datetime) -> None:
        """Put a timed event at these instants, keeping its wall times (tz-refresh: the same
        wall times under new zone rules)."""
        self.start_at = start.astimezone(UTC)
        self.end_at = end.astimezone(UTC)
        self.first_day = self.last_day = None
        self.start_date, self.end_date = timefmt.local_dates(start, end, self.timezone)

    def set_all_day(self, first_day: date, last_day: date, zone_name: str) -> None:
        """Schedule over whole days; the zone only places the range on the time line."""
        self.all_day = True
        self.timezone = zone_name
        self.wall_start = self.wall_end = self.wall_start_fold = self.wall_end_fold = None
        self.wall_review = None
        self.first_day, self.last_day = first_day, last_day
        self.start_date, self.end_date = first_day, last_day
        self.start_at, self.end_at = timefmt.all_day_instants(first_day, last_day, zone_name)

    def set_schedule_of(self, other: Any) -> None:
        """The schedule of `other`: an event, or anything with the same fields (all_day,
        first_day/last_day or start_at/end_at, timezone), like an import plan's item."""
        if other.all_day:
            self.set_all_day(other.first_day, other.last_day, other.timezone)
        else:
            self.set_timed(other.start_at, other.end_at, other.timezone)

    @property
    def is_occurrence(self) -> bool:
        return self.series_id is not None

    def series_words(self, at: datetime | None = None) -> str:
        """A master's rule in a few words: 'weekly, Thursdays 12:00 PM EST' (the abbreviation
        as at ``at``)."""
        from . import recurrence, series

        return recurrence.short_words(series.rule_of(self), at)

    @property
    def series_span(self) -> str:
        """A master's dates: 'Oct 22, 2026 – Jun 24, 2027', 'From Oct 22, 2026, no end date'."""
        from . import recurrence, series

        return recurrence.span_words(series.rule_of(self))

    @property
    def announced_when(self) -> str:
        """When, for a feed entry or a link preview: its dates and times (when_text), or for a
        series how it repeats: 'Weekly, Thursdays 12:00 PM EST; from Oct 22, 2026, no end
        date'."""
        if not self.series_master:
            return self.when_text
        words, span = self.series_words(), self.series_span.replace("From ", "from ", 1)
        return f"{words[:1].upper()}{words[1:]}; {span}"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def is_online(self) -> bool:
        return attended_online(self.kind, self.online_url)

    @property
    def place_text(self) -> str:
        """Where it is, in a few words: 'Westin Westminster, Denver' (and '& online'),
        'Online', or for a live event whose venue is not known yet VENUE_TO_BE_ANNOUNCED."""
        if self.venue is not None:
            return self.venue.short_place + (" & online" if self.online_url else "")
        return "Online" if self.is_online else VENUE_TO_BE_ANNOUNCED

    @property
    def is_hybrid(self) -> bool:
        return hybrid(self.kind, self.venue is not None, self.online_url)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def recording_label(self) -> str:
        """What a link to its recording says: live audio is listened to, a webinar watched."""
        return "Listen to the recording" if self.kind == "audio" else "Watch the recording"

    @property
    def utc_offsets(self) -> tuple[int, int]:
        """Its zone's UTC offsets at its start and at its end, in minutes east (a visitor whose
        clock has both needs no "your time")."""
        return (
            int(self.local_start.utcoffset().total_seconds() // 60),
            int(self.local_end.utcoffset().total_seconds() // 60),
        )

    @property
    def calendar_uid(self) -> str:
        """The UID calendars know it by alone (its .ics download, the API): its own, or for a
        date of a series, ``derived_uid``."""
        if self.series is None or self.recurrence_id is None:
            return self.uid
        return derived_uid(self.series.uid, self.recurrence_id)

    @property
    def status_choice(self) -> str:
        """The status its editors chose: for a date of a series, its own or its series'."""
        if self.series is None:
            return self.status
        return self.own_status or self.series.status

    @property
    def when_text(self) -> str:
        """'Sep 24–26, 2026' for all-day events, 'Nov 8, 2026, 2:00 – 3:00 PM EST' for timed."""
        if self.all_day:
            return timefmt.format_date_range(self.first_day, self.last_day)
        return timefmt.format_timed_range(self.start_at, self.end_at, self.timezone)

    @property
    def local_start(self) -> datetime:
        return timefmt.to_local(self.start_at, self.timezone)

    @property
    def original_start(self) -> date | datetime | None:
        """A series date whose start was moved to another day or time: where the series put it,
        a day (all-day) or an aware time in the series' zone. None for any other event. Not
        series.is_moved, which feeds use: that also counts a changed end, and needs the rule."""
        from . import recurrence

        original = self.recurrence_id
        if original is None:
            return None
        if self.all_day:
            return None if self.first_day == original.date() else original.date()
        # The original is a wall time in the series' zone; a date moved to a zone of its own
        # says it in the series' ("3:00 PM BST", not the same wall time in New York's).
        zone = self.series.timezone if self.series is not None else self.timezone
        at = recurrence.instant(original, zone)  # a wall time in a gap: as calendars do
        return None if at == self.start_at else timefmt.to_local(at, zone)

    @property
    def moved_from(self) -> str | None:
        """original_start in words: 'Dec 24, 2026, 12:00 PM EST'; 'Dec 24, 2026' all-day."""
        original = self.original_start
        if original is None:
            return None
        if isinstance(original, datetime):
            return timefmt.format_start(original, original.tzinfo.key)
        return timefmt.format_day(original)

    @property
    def local_end(self) -> datetime:
        return timefmt.to_local(self.end_at, self.timezone)

    def is_past(self, now: datetime) -> bool:
        return self.end_at <= now

    def may_be_postponed(self, now: datetime) -> bool:
        """Whether Postpone is offered for it: not once it has ended (a series: its last date),
        but for a date of a postponed series, which goes back to the series' status."""
        restoring = self.series is not None and self.series.status == "postponed"
        return restoring or not self.is_past(now)

    def join_open(self, now: datetime) -> bool:
        """Whether its join link is offered (its page, its structured data): not over, not
        cancelled."""
        return not self.is_past(now) and self.status != "cancelled"

    def is_archived(self, now: datetime) -> bool:
        """A past online event: it belongs in the webinar archive."""
        return self.kind in ONLINE_KINDS and self.is_past(now)


class SeriesRule(Base):
    """How a series repeats, in local wall time in its master's zone (recurrence.py reads it).

    ``start_local`` is the first occurrence's wall start (DTSTART), ``duration_minutes`` each
    occurrence's length (whole days for all-day series). Weekly series repeat on ``weekdays``
    ("MO,TH"); monthly ones on ``month_day`` or on the ``week_of_month``-th (1-4, -1 = last)
    weekday in ``weekdays``. ``until`` (a last local day) or ``count`` ends it; neither: never.
    Occurrences exist as events up to ``materialized_through``.
    """

    __tablename__ = "series_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    freq: Mapped[str] = mapped_column(String(10))
    interval: Mapped[int] = mapped_column(Integer, default=1)
    weekdays: Mapped[str] = mapped_column(String(30), default="")
    month_day: Mapped[int | None] = mapped_column(Integer)
    week_of_month: Mapped[int | None] = mapped_column(Integer)
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    start_local: Mapped[datetime] = mapped_column(DateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    materialized_through: Mapped[date | None] = mapped_column(Date)

    master: Mapped[Event] = relationship(back_populates="rule")

    __table_args__ = (
        CheckConstraint("freq IN ('daily', 'weekly', 'monthly', 'yearly')", name="freq"),
        CheckConstraint("interval >= 1", name="interval"),
        CheckConstraint("duration_minutes >= 0", name="duration"),
    )


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="editor")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the session id, so changing the password ends every other session.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("role IN ('editor', 'admin')", name="role"), NEVER_REUSED)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    user_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(30))
    object_type: Mapped[str] = mapped_column(String(30), default="event")
    object_id: Mapped[int | None] = mapped_column(Integer, index=True)
    object_label: Mapped[str] = mapped_column(String(300), default="")
    # JSON: {"field": [old, new], ...}
    changes: Mapped[str] = mapped_column(Text, default="{}")

    user: Mapped[User | None] = relationship()


class LoginAttempt(Base):
    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )


# --- queries used by more than one module (each returns a select; the caller executes it) -----

ONLINE_KINDS = ("webinar", "audio")


def attended_online(kind: str, online_url: str | None) -> bool:
    """Whether an event can be attended online: a webinar or live audio, or one with a join
    link (Event.is_online; the search index's "Online")."""
    return kind in ONLINE_KINDS or bool(online_url)


def hybrid(kind: str, has_venue: bool, online_url: str | None) -> bool:
    """A live event at a venue with a join link (Event.is_hybrid; the index's "Hybrid")."""
    return kind == "live" and has_venue and bool(online_url)


# The kinds each named feed holds (/feeds/<name>.ics and .atom); None: every kind.
NAMED_FEED_KINDS: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "live": ("live",),
    "webinars": ONLINE_KINDS,
}


def in_category(category_id: int) -> ColumnElement[bool]:
    """The events filed under this category (a category's feeds and pages)."""
    return Event.categories.any(Category.id == category_id)


def category_by_slug(session: Session, slug: str | None) -> Category | None:
    """The category whose address names it ``slug``, or None (also for no slug)."""
    if not slug:
        return None
    return session.scalar(select(Category).where(Category.slug == slug))


def category_in(categories: list[Category], slug: str | None) -> Category | None:
    """The one of ``categories`` that a view's ``category=`` names; None for no slug, or for
    one that names none (a kept link to a renamed category, which views then say)."""
    return next((c for c in categories if c.slug == slug), None) if slug else None


def categories_by_name(session: Session) -> list[Category]:
    """Every category, in the order people read a list (text.name_order; SQL's order puts
    capitals first and accents last)."""
    return sorted(session.scalars(select(Category)), key=lambda c: name_order(c.name))


def event_loads() -> tuple:
    """Eager loads for showing events in a list: venue, categories, speakers, no N+1."""
    return (
        joinedload(Event.venue),
        selectinload(Event.categories),
        selectinload(Event.speakers),
        joinedload(Event.series).selectinload(Event.rule),
    )


def refresh_renderings(connection: Connection, batch: int = 1000) -> int:
    """Store the rendering of every description whose stored one is missing or was made by
    another renderer (MARKUP_VERSION changed); how many. Migration 0011 and `flask
    render-descriptions` (run by `make serve`) call it. Not a change: pages showed the same
    rendering already, made on the spot."""
    table = Event.__table__
    store = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(description_html=bindparam("b_html"), description_html_key=bindparam("b_key"))
    )
    columns = (table.c.id, table.c.description, table.c.description_html_key)
    last, count = 0, 0
    while rows := connection.execute(
        select(*columns).where(table.c.id > last).order_by(table.c.id).limit(batch)
    ).all():
        stale = [r for r in rows if r.description_html_key != markup.rendering_key(r.description)]
        writes = []
        for row in stale:
            html, key = markup.rendering(row.description)
            writes.append({"b_id": row.id, "b_html": html, "b_key": key})
        if writes:
            connection.execute(store, writes)
        count += len(writes)
        last = rows[-1].id
    return count


def listed() -> ColumnElement[bool]:
    """Events a list, the month grid or a page shows: public ones, occurrences of series
    included, series masters not (their occurrences stand for them)."""
    return and_(Event.status.in_(PUBLIC_STATUSES), Event.series_master.is_(False))


class DaySpan(FunctionElement):
    """``DaySpan(end_date, start_date)``: whole days from one date column to the other."""

    inherit_cache = True
    type = Integer()


@compiles(DaySpan)
def _day_span(element: DaySpan, compiler: Any, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"({end} - {start})"


@compiles(DaySpan, "sqlite")
def _sqlite_day_span(element: DaySpan, compiler: Any, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


class DaysBefore(FunctionElement):
    """``DaysBefore(day, n)``: the date ``n`` days before ``day``."""

    inherit_cache = True
    type = Date()


@compiles(DaysBefore)
def _days_before(element: DaysBefore, compiler: Any, **kw: Any) -> str:
    day, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({day} AS DATE) - {days})"


@compiles(DaysBefore, "sqlite")
def _sqlite_days_before(element: DaysBefore, compiler: Any, **kw: Any) -> str:
    day, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({day}, '-' || {days} || ' days')"


UNBOUNDED_DAYS = 36_600  # a century: longer than any event (SQLite dates end at year 0)


def dates_overlap(first: date, last: date, *, masters: bool) -> ColumnElement[bool]:
    """Events on some day from ``first`` to ``last`` (local dates), for any select of Event;
    ``masters``: series masters may be among them (feeds), else they are left out (lists).

    The overlap alone (start on or before ``last``, end on or after ``first``) bounds start
    dates on one side only: a database walks every event that starts before ``last``, all of
    history. No event lasts longer than feed_state's longest span (kept by changes.py), so
    they start in a closed range: a few days wide for lists and the month grid, as wide as the
    longest series for feeds, whose masters span their series.
    """
    column = FeedState.longest_series_days if masters else FeedState.longest_event_days
    kept = select(column).where(FeedState.id == 1).scalar_subquery()
    longest = func.coalesce(kept, UNBOUNDED_DAYS)  # no feed_state row yet: no bound
    found = and_(
        Event.start_date >= DaysBefore(first, longest),
        Event.start_date <= last,
        Event.end_date >= first,
    )
    return found if masters else and_(Event.series_master.is_(False), found)


def announced(matching: Callable[[Select], Select] | None = None) -> ColumnElement[bool]:
    """Events as they were announced: single events and whole series (a series' dates are
    part of its master), for syndication; with ``matching``, a feed's conditions (a kind, a
    category, a place), also the dates ``alone_in`` it."""
    whole = Event.series_id.is_(None)
    written = whole if matching is None else or_(whole, alone_in(matching))
    return and_(Event.status.in_(PUBLIC_STATUSES), written)


def alone_in(matching: Callable[[Select], Select]) -> ColumnElement[bool]:
    """Dates a feed of these conditions announces alone: those of series that do not match
    (a date given a kind, category or venue of its own). The feed applies ``matching`` to
    them too; a series that matches is announced whole."""
    masters = select(Event.id).where(
        Event.series_master.is_(True), Event.status.in_(PUBLIC_STATUSES)
    )
    return Event.series_id.not_in(matching(masters).correlate(None))


def public_events(loads: tuple | None = None) -> Select[tuple[Event]]:
    """Every event a visitor may see (drafts never), with what a listing shows eager-loaded
    (``loads``: other loader options, for a caller that shows less)."""
    return select(Event).where(listed()).options(*(event_loads() if loads is None else loads))


def public_event_by_slug(slug: str) -> Select[tuple[Event]]:
    return public_events().where(Event.slug == slug)


def public_series() -> Select[tuple[Event]]:
    """Public series masters (pages, .ics downloads, the API) with their rules."""
    stmt = select(Event).where(Event.status.in_(PUBLIC_STATUSES), Event.series_master.is_(True))
    return stmt.options(*event_loads(), selectinload(Event.rule))


def public_series_by_slug(slug: str) -> Select[tuple[Event]]:
    """A public series master (its page, its .ics) with its rule."""
    return public_series().where(Event.slug == slug)


def upcoming_events(
    now: datetime,
    *,
    kind: str | tuple[str, ...] | None = None,
    limit: int | None = None,
    loads: tuple | None = None,
) -> Select[tuple[Event]]:
    """Public events not yet over at `now`, soonest first; `kind` is one kind or several;
    `loads` as for `public_events`."""
    stmt = public_events(loads).where(Event.end_at > now)
    if isinstance(kind, str):
        stmt = stmt.where(Event.kind == kind)
    elif kind:
        stmt = stmt.where(Event.kind.in_(kind))
    stmt = stmt.order_by(Event.start_at, Event.id)
    return stmt.limit(limit) if limit else stmt


def archived_webinars(now: datetime, loads: tuple | None = None) -> Select[tuple[Event]]:
    """Past webinars and live audio shows, newest first; `loads` as for `public_events`."""
    stmt = public_events(loads).where(Event.kind.in_(ONLINE_KINDS), Event.end_at <= now)
    return stmt.order_by(Event.start_at.desc(), Event.id.desc())


class FeedState(Base):
    """One row (id 1) that every change to what pages and feeds show rewrites; see changes.py."""

    __tablename__ = "feed_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), default="")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # dates_overlap's bounds: at least the days from start_date to end_date of any event but
    # series masters, and of any event; they only rise (changes.py keeps them).
    longest_event_days: Mapped[int] = mapped_column(Integer, default=0)
    longest_series_days: Mapped[int] = mapped_column(Integer, default=0)


class DeletedEvent(Base):
    """The address of a public event or series that was deleted: its .ics answers with a
    calendar of no events, so that a calendar subscribed to it drops them (an error keeps
    them there), and its pages, and its dates', answer 410 Gone."""

    __tablename__ = "deleted_events"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime)


def record_deleted(session: Session, slug: str, title: str, when: datetime) -> None:
    """Write the deleted_events row of an address, or give the row it has this title and time,
    in one statement: unlike merge's SELECT then INSERT, it needs no lock to keep two deletes
    that write one address from colliding (the feed_state lock serialises them today)."""
    dialect = session.connection().dialect.name
    table = DeletedEvent.__table__
    upsert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    upsert = upsert.values(slug=slug, title=title, deleted_at=when)
    changed = {"title": upsert.excluded.title, "deleted_at": upsert.excluded.deleted_at}
    session.execute(upsert.on_conflict_do_update(index_elements=[table.c.slug], set_=changed))


def deleted_event(session, slug: str) -> DeletedEvent | None:
    """The deleted public event or series that had this address, if one had it; an event that
    has it now comes first (callers look for that one before)."""
    return session.get(DeletedEvent, slug)


class FormerSlug(Base):
    """An address a public event or series had before its slug was changed, or when it was
    made a draft: it leads to the event's address now (a 301) while it is public, so links
    shared, bookmarked or saved in calendars keep working. A series' dates follow their series
    (``<former>/<date>``)."""

    __tablename__ = "former_slugs"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)


def renamed_event(session, slug: str) -> Event | None:
    """The public event or series whose address was ``slug`` before a change of slug, if any;
    an event that has the address now comes first (callers look for that one before)."""
    stmt = (
        select(Event)
        .join(FormerSlug, FormerSlug.event_id == Event.id)
        .where(FormerSlug.slug == slug, Event.status.in_(PUBLIC_STATUSES))
    )
    return session.scalar(stmt)


def renamed_series(session, slug: str) -> Event | None:
    """The public series whose address was ``slug`` (renamed_event): the old addresses of its
    dates (``<slug>/<date>``) and of the series follow it."""
    renamed = renamed_event(session, slug)
    return renamed if renamed is not None and renamed.series_master else None


class FormerVenueSlug(Base):
    """An address a venue had before its slug was changed: it leads to the venue's page now."""

    __tablename__ = "former_venue_slugs"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)


class FormerCategorySlug(Base):
    """An address a category had before its slug was changed: its page, its feeds and a
    list's ``?category=`` at it lead to the slug now (a 301), so links and subscriptions
    keep working."""

    __tablename__ = "former_category_slugs"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )


def renamed_category(session, slug: str | None) -> Category | None:
    """The category whose address was ``slug`` before a change of slug; None when a category
    has it now (callers look for that one first) or none ever had it."""
    if not slug:
        return None
    stmt = (
        select(Category)
        .join(FormerCategorySlug, FormerCategorySlug.category_id == Category.id)
        .where(
            FormerCategorySlug.slug == slug,
            ~select(Category.id).where(Category.slug == slug).exists(),
        )
    )
    return session.scalar(stmt)


def place_names(session) -> list[str]:
    """Cities and countries of venues with public events, for the place filter's suggestions."""
    rows = session.execute(
        select(Venue.city, Venue.country)
        .where(Venue.events.any(Event.status.in_(PUBLIC_STATUSES)))
        .distinct()
    ).all()
    return sorted({name for row in rows for name in row if name})
