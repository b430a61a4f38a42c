"""The event form: fields grouped what/when/where/links/people/categories/status, its
cross-field validation (dates, DST gaps and overlaps, venues) and copying it onto an Event."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wtforms import (
    BooleanField,
    DateField,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from . import audit, recurrence, series, timefmt
from .extensions import db
from .forms import (
    NAME_FILTERS,
    MultiCheckboxField,
    PageForm,
    VenueFields,
    choices,
    http_url,
    iana_zone,
    limit,
    max_length,
    slug_format,
    strip,
    text_length,
)
from .models import (
    DESCRIPTION_MAX,
    KINDS,
    STATUSES,
    Category,
    Event,
    Speaker,
    Venue,
    categories_by_name,
)
from .series_form import RepeatFields, offer_scopes, rule_from
from .text import has_visible, slugify, without_controls
from .timefmt import MAX_YEAR, MIN_YEAR

MAX_SPEAKERS = 50
NEW_VENUE = "new"
# The keys of audit.event_snapshot that the schedule fields set together.
SCHEDULE_KEYS = ("all_day", "start", "end", "timezone")
FORM_KEY = re.compile(r"[A-Za-z0-9_-]{22,43}")  # secrets.token_urlsafe(24) makes 32


def url_field(label: str, column: str, hint: str = "") -> StringField:
    return StringField(
        label,
        description=hint,
        validators=[limit(Event, column), http_url],
        render_kw={"type": "url"},
    )


def _to_the_minute(value: time | None) -> time | None:
    return value.replace(second=0, microsecond=0) if value else value


# A browser may send seconds ("14:00:00"); times are kept to the minute, as the form shows them.
TIME_OPTIONS = {
    "format": ["%H:%M", "%H:%M:%S"],
    "validators": [Optional()],
    "filters": [_to_the_minute],
}


class EventForm(PageForm):
    # what
    title = StringField(
        "Title",
        filters=NAME_FILTERS,
        validators=[DataRequired("Enter a title."), limit(Event, "title")],
    )
    slug = StringField(
        "Address (slug)",
        description=(
            "The end of the event's address. Made from the title when left empty. Changed once"
            " public, the old address still leads here."
        ),
        validators=[limit(Event, "slug"), slug_format],
    )
    kind = SelectField("Kind", choices=choices(KINDS))
    summary = TextAreaField(
        "Summary",
        description="One or two sentences for lists and feeds.",
        validators=[text_length(max_length(Event, "summary"))],  # stored with LF line breaks
        render_kw={"rows": 2},
    )
    description = TextAreaField(
        "Description",
        description="Markdown: **bold**, *italic*, [a link](https://example.com), - lists.",
        validators=[text_length(DESCRIPTION_MAX)],
        render_kw={"rows": 10},
    )
    featured = BooleanField("Featured")
    # when
    all_day = BooleanField("All day", description="A range of whole days, without times.")
    start_date = DateField(
        "Start date (first day)", validators=[InputRequired("Enter the start date.")]
    )
    start_time = TimeField("Start time", **TIME_OPTIONS)
    end_date = DateField(
        "End date (last day)",
        description="Leave empty for the same day.",
        validators=[Optional()],
    )
    end_time = TimeField("End time", **TIME_OPTIONS)
    timezone = StringField(
        "Time zone",
        description="The zone the times are in; the venue's zone when left empty.",
        validators=[limit(Event, "timezone"), iana_zone],
        render_kw={"list": "zone-names", "spellcheck": "false"},
    )
    start_fold = RadioField("Which start time?", choices=[], validate_choice=False)
    end_fold = RadioField("Which end time?", choices=[], validate_choice=False)
    # where
    venue = SelectField(
        "Venue",
        choices=[],
        validate_choice=False,
        description="A live event without one says “Venue to be announced”.",
    )
    new_venue = FormField(VenueFields, label="New venue")
    online_url = url_field("Join link", "online_url", "For webinars, live audio and hybrid events.")
    # links
    registration_url = url_field("Registration link", "registration_url")
    recording_url = url_field(
        "Recording link", "recording_url", "Puts a past webinar in the archive."
    )
    slides_url = url_field("Slides link", "slides_url")
    image_url = url_field("Image link", "image_url")
    # people
    organizer = StringField("Organizer", filters=[strip], validators=[limit(Event, "organizer")])
    speakers = TextAreaField(
        "Speakers",
        description="One per line: Name | Title | Company",
        render_kw={"rows": 4},
    )
    categories = MultiCheckboxField("Categories", coerce=int, choices=[], validate_choice=False)
    status = SelectField("Status", choices=choices(STATUSES))
    repeat = FormField(RepeatFields, label="Repeats")
    # optimistic locking: the version this editor started from, and the values it had
    version = HiddenField()
    original = HiddenField()
    # a new event's form: its key, so that the same form sent twice makes one event
    form_key = HiddenField()
    save = SubmitField("Save event")
    preview = SubmitField("Preview description")

    def __init__(
        self,
        *args: Any,
        event_id: int | None = None,
        occurrence: bool = False,
        saved_rule: recurrence.Rule | None = None,
        saved_zone: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.event_id = event_id
        self.timezone.object_data = saved_zone  # the event's zone as saved (forms.iana_zone)
        self.saved_rule = saved_rule  # the series' rule as saved (a series or one of its dates)
        self.occurrence = occurrence  # an occurrence's slug is its series' and date
        # Told apart from the event's own "Time zone" above it.
        self.new_venue.form.timezone.label.text = "The venue's time zone"
        if occurrence:
            del self.slug
            offer_scopes(self.repeat.form)
        self.schedule: dict[str, Any] = {}
        self.rule: recurrence.Rule | None = None
        self.speaker_rows: list[tuple[str, str, str]] = []
        self.venue_obj: Venue | None = None
        venues = db.session.scalars(select(Venue).order_by(Venue.name, Venue.city)).all()
        self.venue_zones = {str(v.id): v.timezone for v in venues}
        # Each venue's whole name and address, shown below the list, which cuts long names.
        self.venue_places = {str(v.id): (v.name, v.full_address) for v in venues}
        self.venue.choices = choices(
            [("", "None: online, or not known yet")]
            + [(str(v.id), v.short_place) for v in venues]
            + [(NEW_VENUE, "New venue (enter it below)")]
        )
        categories = categories_by_name(db.session)
        self.categories.choices = choices((c.id, c.name) for c in categories)

    # --- loading an event into the form --------------------------------------------------------

    def load(self, event: Event, keys: Collection[str] | None = None) -> None:
        """Fill the fields from `event`: all of them (a GET of the edit page), or only those
        behind these keys of audit.event_snapshot (merging a colleague's save)."""

        def wanted(*names: str) -> bool:
            return keys is None or any(name in keys for name in names)

        for name in ("title", "slug", "kind", "summary", "description", "featured",
                     "online_url", "registration_url", "recording_url", "slides_url",
                     "image_url", "organizer"):  # fmt: skip
            if wanted(name) and name in self:
                getattr(self, name).data = getattr(event, name)
        if wanted("status") and "status" in self:
            self.status.data = event.status_choice
        if wanted(*SCHEDULE_KEYS):
            self._load_schedule(event)
        master = event if event.series_master else event.series
        if master is not None and (keys is None or "repeats" in keys):
            self.repeat.form.load(series.rule_of(master))
        if wanted("venue"):
            self.venue.data = str(event.venue_id) if event.venue_id else ""
        if wanted("speakers"):
            self.speakers.data = "\n".join(
                " | ".join((s.name, s.title, s.company)).rstrip(" |") for s in event.speakers
            )
        if wanted("categories"):
            self.categories.data = [c.id for c in event.categories]
        if keys is None:
            self.version.data = str(event.version)

    def _load_schedule(self, event: Event) -> None:
        for moment in (self.start_date, self.start_time, self.end_date, self.end_time):
            moment.raw_data = None  # date and time inputs show what was posted, if anything
        self.all_day.data, self.timezone.data = event.all_day, event.timezone
        if event.series_master:  # its own times are the series' span: show the first one
            rule = series.rule_of(event)
            first = Event(timezone=event.timezone)
            if rule.all_day:
                days = rule.duration.days - 1
                first.set_all_day(rule.start.date(), rule.start.date() + timedelta(days), rule.zone)
            else:
                first.set_timed(*recurrence.occurrence_times(rule, rule.start), rule.zone)
            event = first
        if event.all_day:
            self.start_date.data, self.end_date.data = event.first_day, event.last_day
            self.start_time.data = self.end_time.data = None
        else:
            start, end = event.local_start, event.local_end
            folds: tuple[int | None, int | None] = (start.fold, end.fold)
            if event.wall_review and event.wall_start and event.wall_end:
                # New zone rules skip or repeat this wall time (tz-refresh): show it as entered,
                # so that saving asks for a time that exists, or which of the two is meant.
                zone = ZoneInfo(event.timezone)
                start, end = (
                    event.wall_start.replace(tzinfo=zone),
                    event.wall_end.replace(tzinfo=zone),
                )
                folds = (event.wall_start_fold, event.wall_end_fold)
            self.start_date.data, self.start_time.data = start.date(), start.time()
            self.end_date.data, self.end_time.data = end.date(), end.time()
            self._offer_fold_if_ambiguous(self.start_fold, start, folds[0])
            self._offer_fold_if_ambiguous(self.end_fold, end, folds[1])

    def _offer_fold_if_ambiguous(
        self, field: RadioField, local: datetime, fold: int | str | None
    ) -> None:
        try:
            timefmt.local_to_utc(local, local.tzinfo.key)
        except timefmt.AmbiguousTime as ambiguous:
            set_fold_choices(field, ambiguous)
            field.data = None if fold is None else str(fold)
        except timefmt.NonexistentTime:
            pass

    def offer_folds(self) -> None:
        """A start or end time that happens twice (the day clocks go back) offers its choice
        again whenever the form is shown again, with what was chosen (a save with another
        mistake, a preview), instead of asking anew."""
        zone = self.zone_name()
        if self.all_day.data or not timefmt.is_valid_zone(zone):
            return
        first = self.start_date.data
        for day, clock, fold in (
            (first, self.start_time, self.start_fold),
            (self.end_date.data or first, self.end_time, self.end_fold),
        ):
            if day is None or clock.data is None or fold.choices:
                continue
            if MIN_YEAR <= day.year <= MAX_YEAR:
                local = datetime.combine(day, clock.data, tzinfo=ZoneInfo(zone))
                self._offer_fold_if_ambiguous(fold, local, fold.data)

    def sent_version(self) -> int | None:
        """The version the edit form was opened at, as sent (None: missing or not a number)."""
        version = self.version.data or ""
        return int(version) if version.isascii() and version.isdigit() else None

    def sent_form_key(self) -> str | None:
        """The new-event form's key as sent, when it is one we could have made."""
        key = self.form_key.data or ""
        return key if FORM_KEY.fullmatch(key) else None

    # --- validation ----------------------------------------------------------------------------

    def validate(self, extra_validators: Any = None) -> bool:
        # An empty address is made from the title when the form is saved (validate_slug); a
        # refused form comes back with it empty as sent, so a title then corrected makes it.
        typed_slug = self.slug.data if "slug" in self._fields else None
        ok = self._validate(extra_validators)
        if not ok and "slug" in self._fields and not typed_slug:
            self.slug.data = typed_slug
        return ok

    def _validate(self, extra_validators: Any) -> bool:
        ok = super().validate(extra_validators)
        if self.venue.data != NEW_VENUE:
            # The inline venue is ignored unless chosen, so its mistakes do not count either.
            for sub in self.new_venue.form:
                sub.errors = []
            ok = not any(f.errors for f in self if f is not self.new_venue)
        ok = self._check_venue() and ok
        ok = self._check_schedule() and ok
        ok = self._check_speakers() and ok
        ok = self._check_repeat() and ok
        return ok

    def _check_repeat(self) -> bool:
        repeat = self.repeat.form
        if self.occurrence and repeat.scope.data == "this":
            for sub in repeat:
                sub.errors = []  # the series' rule does not change
            return True
        if self.schedule:
            self.rule = rule_from(repeat, self.schedule, self.saved_rule)
            if self.rule is not None and not self._first_date_as_chosen(self.rule):
                return False
        return not repeat.errors

    def _first_date_as_chosen(self, rule: recurrence.Rule) -> bool:
        """Whether the series' first date is where the form put it. A series repeats a wall
        time, which calendar apps (and ``recurrence.instant``) place at the first of two: the
        second 1:30 AM chosen for its first date would be dropped for the first, unsaid."""
        s = self.schedule
        if s["all_day"]:
            return True
        wall = timefmt.to_local(s["start"], s["zone"]).replace(tzinfo=None, fold=0)
        if rule.start != wall or recurrence.occurrence_times(rule, wall)[0] == s["start"]:
            return True  # placed as chosen, or the series' first date is another day
        first = timefmt.to_local(recurrence.instant(wall, s["zone"]), s["zone"])
        self.start_fold.errors.append(
            f"A series repeats its time of day, and calendar apps put a date at"
            f" {timefmt.format_clock(wall.time())} on {timefmt.format_day(wall.date())} at the"
            f" first one ({timefmt.zone_abbr(first)}): choose the first, or start the series"
            " on another date and move this date on its own."
        )
        return False

    def validate_title(self, field) -> None:
        if field.data and not has_visible(field.data):
            raise ValidationError("Enter a title people can see: letters, digits or signs.")

    def slug_limit(self) -> int:
        """A series' dates are at "<its address>/2026-01-14": its own leaves room for that."""
        full = max_length(Event, "slug")
        if self.repeat.form.freq.data in recurrence.FREQS:
            return full - series.DATE_SUFFIX_LENGTH
        return full

    def validate_slug(self, field) -> None:
        limit_ = self.slug_limit()
        if not field.data and self.title.data:
            base = slugify(self.title.data, limit_, fallback="event")
            field.data = unique_slug(db.session, base, self.event_id, limit_)
            return
        if len(field.data or "") > limit_:
            raise ValidationError(
                f"A series' dates add “/2026-01-14” to its address: keep it to {limit_} characters."
            )
        query = select(Event.id).where(Event.slug == field.data)
        if self.event_id is not None:
            query = query.where(Event.id != self.event_id)
        if field.data and db.session.scalar(query):
            raise ValidationError("Another event already uses this address; choose another slug.")

    def validate_categories(self, field) -> None:
        known = {c.value for c in self.categories.choices}
        if any(c not in known for c in field.data or []):
            raise ValidationError("Choose categories from the list.")

    def _check_venue(self) -> bool:
        choice = self.venue.data or ""
        if choice == NEW_VENUE:
            sub = self.new_venue.form
            if not (sub.name.data or "").strip():
                sub.name.errors = [*sub.name.errors, "Enter the new venue's name."]
            return not self.new_venue.errors
        if choice:
            known = choice in self.venue_zones
            self.venue_obj = db.session.get(Venue, int(choice)) if known else None
            if self.venue_obj is None:
                self.venue.errors.append("Choose a venue from the list.")
                return False
            return True
        return True  # online, or a live event whose venue is not known yet

    def zone_name(self) -> str:
        """The event's zone: as typed, else the chosen (or new) venue's (validated or not)."""
        if self.timezone.data:
            return self.timezone.data
        if self.venue.data == NEW_VENUE:
            return (self.new_venue.form.timezone.data or "").strip()
        return self.venue_zones.get(self.venue.data or "", "")

    def _check_schedule(self) -> bool:
        """The zone, the dates and the times are checked apart, so that a mistake in one is
        said in the same round as a mistake in another; the order of start and end, which
        needs all three, comes last."""
        zone = self.zone_name()
        zone_ok = not self.timezone.errors and timefmt.is_valid_zone(zone) if zone else False
        # A new venue's zone that is wrong is said beside it, once.
        venue_said = not self.timezone.data and self.venue.data == NEW_VENUE
        venue_said = venue_said and bool(self.new_venue.form.timezone.errors)
        if not zone_ok and not self.timezone.errors and not venue_said:
            self.timezone.errors.append("Choose the time zone of the event (or of its venue).")
        dates_ok = not (self.start_date.errors or self.end_date.errors)
        first = self.start_date.data
        last = self.end_date.data or first
        if dates_ok:
            for field, day in ((self.start_date, first), (self.end_date, last)):
                if not MIN_YEAR <= day.year <= MAX_YEAR:
                    field.errors.append(f"Enter a date in the years {MIN_YEAR}-{MAX_YEAR}.")
                    dates_ok = False
        if self.all_day.data:
            if dates_ok and last < first:
                self.end_date.errors.append("The last day cannot be before the first day.")
                return False
            if not (zone_ok and dates_ok):
                return False
            self.schedule = {"all_day": True, "first": first, "last": last, "zone": zone}
            return True
        times_ok = True
        for field, label in ((self.start_time, "start"), (self.end_time, "end")):
            if field.data is None and not field.errors:
                field.errors.append(f"Enter the {label} time, or tick All day.")
            times_ok = times_ok and not field.errors
        if not (zone_ok and dates_ok and times_ok):
            return False
        start = self._instant(first, self.start_time, self.start_fold, zone)
        end = self._instant(last, self.end_time, self.end_fold, zone)
        if start is None or end is None:
            return False
        if end < start:  # equal: an event that takes no time (RFC 5545: a DTSTART alone)
            target = self.end_date if last < first else self.end_time
            target.errors.append(
                f"The end cannot be before the start ({timefmt.format_start(start, zone)})."
            )
            return False
        self.schedule = {"all_day": False, "start": start, "end": end, "zone": zone}
        return True

    def _instant(self, day: date, clock: TimeField, fold: RadioField, zone: str) -> datetime | None:
        local = datetime.combine(day, clock.data or time(0))
        chosen = int(fold.data) if fold.data in ("0", "1") else None
        fold.choices = []
        try:
            return timefmt.local_to_utc(local, zone, chosen)
        except timefmt.NonexistentTime as gap:
            clock.errors.append(f"{gap}.")
        except timefmt.AmbiguousTime as ambiguous:
            set_fold_choices(fold, ambiguous)
            fold.errors.append(f"{ambiguous}.")
        return None

    def _check_speakers(self) -> bool:
        rows = []
        limit_ = max_length(Speaker, "name")
        # Lines as a browser sends them; not str.splitlines(), which also splits at a vertical
        # tab, NEL or U+2028 pasted inside one line.
        lines = re.split(r"\r\n|\r|\n", without_controls(self.speakers.data or ""))
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) > 3:
                self.speakers.errors.append(f"Line {number}: use at most two | separators.")
            elif not parts[0]:
                self.speakers.errors.append(f"Line {number}: the speaker's name comes first.")
            elif any(len(p) > limit_ for p in parts):
                self.speakers.errors.append(
                    f"Line {number}: keep each part to {limit_} characters."
                )
            else:
                rows.append(tuple(parts + [""] * (3 - len(parts))))
        if len(rows) > MAX_SPEAKERS:
            self.speakers.errors.append(f"At most {MAX_SPEAKERS} speakers.")
        self.speaker_rows = rows
        return not self.speakers.errors

    # --- saving --------------------------------------------------------------------------------

    def says_as_saved(self, event: Event) -> bool:
        """Whether this validated form holds what ``event`` was saved with: a new-event form
        sent again as it was (its text as stored: spacing and line endings aside)."""
        texts = ("title", "kind", "featured", "summary", "description", "online_url",
                 "registration_url", "recording_url", "slides_url", "image_url",
                 "organizer")  # fmt: skip
        if not all(_alike(getattr(self, name).data, getattr(event, name)) for name in texts):
            return False
        if self.status.data != event.status_choice or self.slug.data != event.slug:
            return False
        if self.rule is not None or event.series_master:
            master_rule = series.rule_of(event) if event.series_master else None
            if audit.rule_snapshot(self.rule) != audit.rule_snapshot(master_rule):
                return False
        else:
            s = self.schedule
            when = (s["first"], s["last"]) if s["all_day"] else (s["start"], s["end"])
            saved_when = (event.start_at, event.end_at)
            if event.all_day:
                saved_when = (event.first_day, event.last_day)
            if (s["all_day"], s["zone"], when) != (event.all_day, event.timezone, saved_when):
                return False
        if self.venue.data == NEW_VENUE or self.venue_obj is not event.venue:
            return False
        saved_speakers = [(sp.name, sp.title, sp.company) for sp in event.speakers]
        saved_categories = {c.id for c in event.categories}
        return self.speaker_rows == saved_speakers and set(self.categories.data or []) == (
            saved_categories
        )

    def typed_venue_is(self, venue: Venue) -> bool:
        """Whether the new venue typed into the form is ``venue``: every field typed is as saved
        (a zone left empty took the event's)."""
        for field in self.new_venue.form:
            name = field.short_name  # its own, without the form's "new_venue-"
            if name == "csrf_token" or not hasattr(venue, name):
                continue
            if name == "timezone" and not (field.data or "").strip():
                continue
            if not _alike(field.data, getattr(venue, name)):
                return False
        return True

    def apply_to(self, event: Event, session: Session) -> Venue | None:
        """Copy the validated form onto `event`. Returns a new venue, if one was entered."""
        with session.no_autoflush:
            return self._apply(event, session)

    def _apply(self, event: Event, session: Session) -> Venue | None:
        for name in ("title", "slug", "kind", "featured"):
            if name in self:
                setattr(event, name, getattr(self, name).data)
        if "status" in self and event.series is not None:
            series.set_date_status(event, self.status.data)
        elif "status" in self:
            event.status = self.status.data
        for name in ("summary", "description", "online_url", "registration_url",
                     "recording_url", "slides_url", "image_url", "organizer"):  # fmt: skip
            value = normalize_newlines(getattr(self, name).data)
            # Browsers send CRLF and may trim: only a real difference counts as a change.
            if value != normalize_newlines(getattr(event, name)):
                setattr(event, name, value)
        s = self.schedule
        if s["all_day"]:
            event.set_all_day(s["first"], s["last"], s["zone"])
        else:
            event.set_timed(s["start"], s["end"], s["zone"])
        new_venue = None
        if self.venue.data == NEW_VENUE:
            new_venue = Venue()
            self.new_venue.form.populate_obj(new_venue)
            new_venue.timezone = new_venue.timezone or s["zone"]
            session.add(new_venue)
            event.venue = new_venue
        elif event.venue is not self.venue_obj:
            event.venue = self.venue_obj
        if [(sp.name, sp.title, sp.company) for sp in event.speakers] != self.speaker_rows:
            event.speakers = [
                Speaker(name=a, title=b, company=c, position=i)
                for i, (a, b, c) in enumerate(self.speaker_rows)
            ]
        wanted = set(self.categories.data or [])
        if {c.id for c in event.categories} != wanted:
            event.categories = list(
                session.scalars(
                    select(Category).where(Category.id.in_(wanted)).order_by(Category.name)
                )
            )
        return new_venue


def _alike(sent: Any, saved: Any) -> bool:
    """A form's value and a saved one alike: text word by word (spacing and line endings
    aside), anything else as it is."""
    if isinstance(sent, str) or isinstance(saved, str):
        return " ".join(str(sent or "").split()) == " ".join(str(saved or "").split())
    return sent == saved


def normalize_newlines(value: str | None) -> str:
    """Text as stored: LF line endings (browsers send CRLF), no surrounding blank space."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def set_fold_choices(field: RadioField, ambiguous: timefmt.AmbiguousTime) -> None:
    clock = timefmt.format_clock(ambiguous.local.time())
    field.label.text = f"{clock} happens twice: which one?"
    field.choices = choices(
        [("0", f"first ({ambiguous.first_abbr})"), ("1", f"second ({ambiguous.second_abbr})")]
    )


def unique_slug(
    session: Session,
    base: str,
    exclude_id: int | None = None,
    limit_: int | None = None,
    model: type[Event] | type[Category] | type[Venue] = Event,
    also_taken: Iterable[str] = (),
) -> str:
    """`base`, or `base-2`, `base-3`... whichever no other event (or row of `model`) uses yet,
    nor ``also_taken`` (rows not saved yet), at most `limit_` characters (the column's by
    default)."""
    limit_ = limit_ or max_length(model, "slug")
    query = select(model.slug).where(func.lower(model.slug).startswith(base, autoescape=True))
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    taken = set(session.scalars(query)) | set(also_taken)
    slug, n = base, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = base[: limit_ - len(suffix)] + suffix
    return slug
