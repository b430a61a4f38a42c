"""Month calendar: a Monday-Sunday grid of the month, each event on every local day it covers."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, abort, current_app, render_template, request, url_for
from sqlalchemy import func, select
from werkzeug.routing import BaseConverter

from . import clock, spelling, timefmt
from .extensions import db
from .filters import ARG_NAMES, EventFilters, count_of, filtered_events_query, next_day_found
from .models import (
    KINDS,
    Event,
    categories_by_name,
    category_in,
    dates_overlap,
    listed,
    place_names,
    public_events,
)
from .public import renamed_category_redirect
from .timefmt import MAX_YEAR, MIN_YEAR
from .view_names import view_name

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

PER_DAY = 3


@dataclass(frozen=True)
class Entry:
    """An event on one day of the grid: `label` is its local start time on its first day
    ('2:00 PM EST'), 'continued' on later days, '' for all-day events."""

    event: Event
    first: bool
    last: bool
    label: str


@dataclass
class Day:
    day: date
    in_month: bool
    is_today: bool
    events: list[Entry] = field(default_factory=list)
    limit: int = PER_DAY
    total: int | None = None  # events on this day, when `events` holds only the first few

    @property
    def shown(self) -> list[Entry]:
        return self.events[: self.limit]

    @property
    def more(self) -> int:
        total = len(self.events) if self.total is None else self.total
        return max(0, total - len(self.shown))


def grid_bounds(year: int, month: int) -> tuple[date, date]:
    """The Monday on or before the 1st, and the Sunday on or after the month's last day."""
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())


def month_grid(
    year: int,
    month: int,
    events: Iterable[Event],
    today: date,
    per_day: int = PER_DAY,
    span_sizes: dict[tuple[date, date], int] | None = None,
) -> list[list[Day]]:
    """Weeks (Monday first) of Days; each event sits on every day from its start_date to its
    end_date (local days in the event's own zone), in the order given.

    With `span_sizes` ({(start_date, end_date): number of events}, see `month_events`), `events`
    may be only those that can be shown, and each day's total comes from the sizes.
    """
    start, end = grid_bounds(year, month)
    days: dict[date, Day] = {}
    d = start
    while d <= end:
        total = None if span_sizes is None else 0
        days[d] = Day(d, d.month == month, d == today, limit=per_day, total=total)
        d += timedelta(days=1)
    for (first, last), size in (span_sizes or {}).items():
        d = max(first, start)
        while d <= min(last, end):
            days[d].total += size
            d += timedelta(days=1)
    for event in events:
        d = max(event.start_date, start)
        last = min(event.end_date, end)
        while d <= last:
            days[d].events.append(_entry(event, d))
            d += timedelta(days=1)
    ordered = list(days.values())
    return [ordered[i : i + 7] for i in range(0, len(ordered), 7)]


def month_events(
    filters: EventFilters, start: date, end: date, per_day: int
) -> tuple[list[Event], dict[tuple[date, date], int]]:
    """The events the grid from `start` to `end` can show, and how many events share each span.

    Events with the same (start_date, end_date) cover the same days, so only the first `per_day`
    of each such group (by start_at, id) can be among the first `per_day` of any day; the
    group's size gives the days' totals. Two queries, however many events the month holds.
    """
    span = (Event.start_date, Event.end_date)
    ranked = filters.apply(
        select(
            Event.id,
            Event.start_at,
            Event.start_date,
            Event.end_date,
            func.row_number()
            .over(partition_by=span, order_by=(Event.start_at, Event.id))
            .label("rank"),
            func.count().over(partition_by=span).label("size"),
        ).where(listed(), dates_overlap(start, end, masters=False)),
        few_dates=True,
        masters=False,
    ).subquery()
    candidates = db.session.execute(
        select(ranked).where(ranked.c.rank <= per_day).order_by(ranked.c.start_at, ranked.c.id)
    ).all()
    sizes = {(r.start_date, r.end_date): r.size for r in candidates}
    # Of the candidates, load only those some day shows: its first `per_day` covering it.
    shown: set[int] = set()
    on_day: dict[date, int] = {}
    for row in candidates:
        d, last = max(row.start_date, start), min(row.end_date, end)
        while d <= last:
            if on_day.get(d, 0) < per_day:
                on_day[d] = on_day.get(d, 0) + 1
                shown.add(row.id)
            d += timedelta(days=1)
    if not shown:
        return [], sizes
    stmt = public_events().where(Event.id.in_(shown)).order_by(Event.start_at, Event.id)
    return list(db.session.scalars(stmt).unique()), sizes


def events_in_month(span_sizes: dict[tuple[date, date], int], year: int, month: int) -> int:
    """How many events cover at least one day of the month itself (not the grid's days of the
    months around it), from `month_events`' sizes of every span."""
    first = date(year, month, 1)
    last = date(year, month, monthrange(year, month)[1])
    return sum(size for (start, end), size in span_sizes.items() if start <= last and end >= first)


def _entry(event: Event, day: date) -> Entry:
    first, last = day == event.start_date, day == event.end_date
    if event.all_day:
        label = ""
    elif first:
        local = event.local_start
        label = f"{timefmt.format_clock(local.time())} {timefmt.zone_abbr(local)}"
    else:
        label = "continued"
    return Entry(event, first, last, label)


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int] | None:
    index = year * 12 + (month - 1) + delta
    y, m = divmod(index, 12)
    return (y, m + 1) if MIN_YEAR <= y <= MAX_YEAR else None


@bp.get("/")
def month_current():
    today = clock.today()
    return _month_page(today.year, today.month)


class DigitsConverter(BaseConverter):
    """A number of exactly ``digits`` ASCII digits ("2026", "09"): anything else does not
    match, so the next rule (not_a_month) says how a month is written. (A converter that
    matches and then refuses, as `int` does "0001", ends the routing in a bare 404.)"""

    def __init__(self, map, digits: int) -> None:
        super().__init__(map)
        self.digits = digits
        self.regex = f"[0-9]{{{digits}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:0{self.digits}d}"


bp.record_once(lambda state: state.app.url_map.converters.setdefault("digits", DigitsConverter))


@bp.get("/<digits(4):year>/<digits(2):month>")
def month(year: int, month: int):
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        abort(
            404, description=f"The calendar covers months 1-12 of the years {MIN_YEAR}-{MAX_YEAR}."
        )
    return _month_page(year, month)


@bp.get("/<path:rest>")
def not_a_month(rest: str):
    """/calendar/1/1, /calendar/2026/9, /calendar/sept: say how a month is addressed."""
    abort(
        404,
        description=f"A month's calendar is at /calendar/YYYY/MM, such as /calendar/2026/09"
        f" (years {MIN_YEAR}-{MAX_YEAR}).",
    )


def list_url(filters: EventFilters, year: int, month: int, today: date) -> str:
    """The list of the month's events with the same filters, as its grid shows them: its past
    events (newest first) for a month that is over, all of them (soonest first) for this
    month, those to come for a later one."""
    first = date(year, month, 1)
    last = date(year, month, monthrange(year, month)[1])
    when = "past" if last < today else "all" if first <= today else "upcoming"
    # In date order, as the grid: a search ranked would make a series one entry.
    args = filters.to_args(when=when, date_from=first, date_to=last, sort="date")
    return url_for("public.event_list", **args)


def day_args(filters: EventFilters, day: date, today: date) -> dict[str, str]:
    """The list of one day's events, as a month grid counts them: up to today, those over
    and those not (an event of several days, one earlier today) alike; later, those to come."""
    when = "all" if day <= today else "upcoming"
    return filters.to_args(when=when, date_from=day, date_to=day, sort="date")  # as list_url


# The list's arguments a month reads: not when, page or sort (it is always the whole month's
# grid, in date order).
MONTH_ARGS = frozenset(ARG_NAMES) - {"when", "page", "sort"}


def _month_page(year: int, month: int):
    filters = replace(EventFilters.from_args(request.args), when="upcoming", page=1)
    # A category's former slug moves before the month is read.
    categories = categories_by_name(db.session)
    category = category_in(categories, filters.category)
    if (
        filters.category
        and category is None
        and (moved := renamed_category_redirect(filters.category))
    ):
        return moved
    today = clock.today()
    start, end = grid_bounds(year, month)
    per_day = current_app.config["CALENDAR_PER_DAY"]
    events, span_sizes = month_events(filters, start, end, per_day)
    weeks = month_grid(year, month, events, today, per_day, span_sizes)

    def month_url(ym: tuple[int, int] | None, **changes) -> str | None:
        if ym is None:
            return None
        return url_for(".month", year=ym[0], month=ym[1], **replace(filters, **changes).to_args())

    def day_url(day: date) -> str:
        return url_for("public.event_list", **day_args(filters, day, today))

    month_has_events = any(d.events for w in weeks for d in w if d.in_month)
    next_day = None  # a filtered month with nothing: where the next match is
    did_you_mean = None  # a search found nowhere, misspelled: the search corrected
    if not month_has_events and filters.is_filtered:
        month_end = date(year, month, monthrange(year, month)[1]) + timedelta(days=1)
        # The next after this month, held or to come: a past month points to the next held.
        after, now = datetime.combine(month_end, time(0), UTC), clock.now()
        next_day = next_day_found(db.session, filters, after)
        if next_day is None and after > now:  # none later: the next from today, if earlier
            next_day = next_day_found(db.session, filters, now)
        if next_day is None and filters.q:

            def anywhere(q: str) -> str | None:
                """This month's link for q, when it finds something held or to come."""
                found = filtered_events_query(replace(filters, q=q), now, window=(None, None))
                return month_url((year, month), q=q) if count_of(db.session, found) else None

            did_you_mean = spelling.suggestion(db.session, filters.q, anywhere)
    return render_template(
        "calendar/month.html",
        weeks=weeks,
        first=date(year, month, 1),
        prev_url=month_url(_shift_month(year, month, -1)),
        next_url=month_url(_shift_month(year, month, 1)),
        today_url=url_for(".month_current", **filters.to_args()),
        list_url=list_url(filters, year, month, today),
        is_current=(today.year, today.month) == (year, month),
        day_url=day_url,
        filters=filters,
        feed_filters=filters,
        # The whole month, past and to come: no "upcoming".
        view=view_name(replace(filters, when="all"), category=category and category.name),
        category=category,
        # A category= that names none: said, as the list says it.
        without_unknown_category=month_url((year, month), category=None)
        if filters.category and category is None
        else None,
        without_unknown_venue=month_url((year, month), venue=None)
        if filters.venue and not filters.venue_known
        else None,
        categories=categories,
        places=place_names(db.session),
        kinds=KINDS,
        month_has_events=month_has_events,
        # A filtered month says how many match, as a list does.
        found=events_in_month(span_sizes, year, month) if filters.is_filtered else None,
        next_day=next_day,
        did_you_mean=did_you_mean,
        next_day_url=month_url((next_day.year, next_day.month)) if next_day else None,
    )
