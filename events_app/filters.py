"""The list filters a visitor puts in the URL, and the one query that applies them.

`EventFilters.from_args(request.args)` validates the query string (raising BadFilter, a 400,
for malformed values); `filtered_events_query(filters, now)` is the select behind the event
list, the category page, the calendar and the feeds' "this view as a feed". `page_number` reads
the page of every paged list, public or staff.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property
from math import ceil
from typing import Any, NamedTuple, NoReturn

from sqlalchemy import false, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from . import search
from .models import KINDS, Category, Event, Venue, dates_overlap, event_loads, public_events
from .templating import not_found

WHENS = ("upcoming", "past", "all")  # "all": both, soonest first (a day's link)
SORTS = ("relevance", "date")  # of a search; without one, lists are in date order
# A from-to range this short holds few events: a search checks them (search.condition).
FEW_DATES_DAYS = 92
# A feed's search over a short range matching at most this many events is read once as ids.
SEARCHED_IDS_MAX = 1000
Q_MAX_LENGTH = 200
PLACE_MAX_LENGTH = 100
MAX_PAGE = 10_000_000
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
_VENUE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")  # models.Venue.slug: 200 characters
PLACE_MEMO = "events_app.filters.place_venues"  # in request.environ: {place: its venues}
VENUE_MEMO = "events_app.filters.venues"  # in request.environ: {slug: EventFilters._venue}


class NamedVenue(NamedTuple):
    """The venue a ``venue=`` names (venues.venue_at), as plain values kept for a request."""

    id: int
    name: str
    slug: str  # now: a former slug names it too
    listed: bool  # whether it has public events (any time)


class BadFilter(ValueError):
    """A query-string value that cannot mean anything; shown as a 400 page (a list page shows
    a date's beside its field), or a problem naming ``field``, the argument."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def one_line_text(value: str | None, max_length: int) -> str:
    """Free text from a URL: control characters (NUL...) removed, spaces collapsed, truncated.

    Over-long input is cut rather than refused: a pasted paragraph still searches something.
    It is cut before a word, not inside one (unless the first word is that long).
    """
    if not value:
        return ""
    kept = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in value)
    spaced = " ".join(kept.split())
    if len(spaced) <= max_length:
        return spaced
    head = spaced[: max_length + 1]
    return head.rsplit(" ", 1)[0].strip() if " " in head else spaced[:max_length]


def _choice(args: Mapping[str, Any], name: str, allowed) -> str | None:
    value = args.get(name) or None
    if value is not None and value not in allowed:
        raise BadFilter(f"Unknown {name} {value[:40]!r}; use one of: {', '.join(allowed)}.", name)
    return value


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(args: Mapping[str, Any], name: str) -> date | None:
    value = args.get(name) or None
    if value is None:
        return None
    if not _ISO_DAY.fullmatch(value):  # fromisoformat also takes 20260101 and 2026-W01-1
        raise BadFilter(f"The {name} date must look like 2026-09-24.", name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(f"There is no day {value}: give a {name} date that exists.", name) from None


def page_number(value: str | None) -> int:
    """The `page` argument of any paged list (1 when absent); BadFilter (a 400) when it is not
    a whole number from 1 to MAX_PAGE."""
    value = value or "1"
    wrong = BadFilter(f"The page must be a whole number from 1 to {MAX_PAGE:,}.", "page")
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_PAGE)):
        raise wrong
    page = int(value)
    if not 1 <= page <= MAX_PAGE:
        raise wrong
    return page


ARG_NAMES = ("when", "kind", "category", "place", "venue", "from", "to", "q", "sort", "page")


@dataclass(frozen=True)
class EventFilters:
    """What the visitor asked for. URL names: when, kind, category, place, venue (a venue's
    slug), from, to, q, sort, page."""

    when: str = "upcoming"
    kind: str | None = None
    category: str | None = None
    place: str | None = None
    venue: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None
    page: int = 1
    sort: str = "relevance"

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> EventFilters:
        """Parse a query string; raises BadFilter for values that cannot be understood, and
        for one given twice ("kind=live&kind=webinar"), whose second would be dropped."""
        for name in ARG_NAMES:
            if hasattr(args, "getlist") and len(args.getlist(name)) > 1:  # a MultiDict
                raise BadFilter(f"'{name}' is given more than once; give one value.", name)
        category = args.get("category") or None
        if category is not None and not _SLUG.fullmatch(category):
            raise BadFilter("A category is given by its slug: a-z, 0-9 and hyphens.", "category")
        venue = args.get("venue") or None
        if venue is not None and not _VENUE_SLUG.fullmatch(venue):
            raise BadFilter("A venue is given by its slug: a-z, 0-9 and hyphens.", "venue")
        date_from, date_to = _date(args, "from"), _date(args, "to")
        if date_from and date_to and date_to < date_from:
            raise BadFilter("The 'to' date is before the 'from' date.", "to")
        return cls(
            when=_choice(args, "when", WHENS) or "upcoming",
            kind=_choice(args, "kind", tuple(KINDS)),
            category=category,
            place=one_line_text(args.get("place"), PLACE_MAX_LENGTH) or None,
            venue=venue,
            date_from=date_from,
            date_to=date_to,
            q=one_line_text(args.get("q"), Q_MAX_LENGTH) or None,
            page=page_number(args.get("page")),
            sort=_choice(args, "sort", SORTS) or "relevance",
        )

    def to_args(self, **changes: Any) -> dict[str, str]:
        """Query-string arguments for a URL to these filters (defaults omitted)."""
        f = replace(self, **changes) if changes else self
        args = {
            "when": f.when if f.when != "upcoming" else None,
            "kind": f.kind,
            "category": f.category,
            "place": f.place,
            "venue": f.venue,
            "from": f.date_from.isoformat() if f.date_from else None,
            "to": f.date_to.isoformat() if f.date_to else None,
            "q": f.q,
            "sort": f.sort if f.sort != "relevance" and f.q else None,
            "page": str(f.page) if f.page != 1 else None,
        }
        return {k: v for k, v in args.items() if v}

    @property
    def is_filtered(self) -> bool:
        """True when anything narrows the list (not the upcoming/past choice or the page)."""
        narrowing = (self.kind, self.category, self.place, self.venue, self.date_from, self.date_to)
        return any((*narrowing, self.q))

    @property
    def by_relevance(self) -> bool:
        """Results best match first: a search, unless sorted by date."""
        return bool(self.q) and self.sort == "relevance"

    @cached_property
    def _place_venues(self) -> tuple[tuple[int, str], ...]:
        """(id, the place as spelled there) of the venues in the city or country named by
        ``place`` (any case), read once per request: a view's filters, the copies it makes
        (``replace``) and its canonical link's all ask."""
        from flask import has_request_context, request

        from .extensions import db

        place = (self.place or "").lower()
        memo = request.environ.setdefault(PLACE_MEMO, {}) if has_request_context() else {}
        if place in memo:
            return memo[place]
        # Compared here: SQLite's lower() folds A-Z only, so "ÖREBRO" would miss Örebro.
        venues = db.session.execute(select(Venue.id, Venue.city, Venue.country).order_by(Venue.id))
        memo[place] = found = tuple(
            (venue_id, city if (city or "").lower() == place else country)
            for venue_id, city, country in venues
            if place in ((city or "").lower(), (country or "").lower())
        )
        return found

    @property
    def place_venue_ids(self) -> tuple[int, ...]:
        """The venues in the city or country named by ``place``."""
        return tuple(venue_id for venue_id, _ in self._place_venues)

    @property
    def place_name(self) -> str | None:
        """``place`` as its venues spell it ("denver": "Denver"), else as given."""
        if not self.place:
            return None
        return next((name for _, name in self._place_venues), self.place)

    @cached_property
    def _venue(self) -> NamedVenue | None:
        """The venue ``venue`` names, read once per request (venues.venue_at: the one at that
        address, else the one that had it before a change of slug; its page finds it so)."""
        from flask import has_request_context, request

        from .extensions import db
        from .venues import venue_at

        slug = self.venue or ""
        memo = request.environ.setdefault(VENUE_MEMO, {}) if has_request_context() else {}
        if slug not in memo:
            found = venue_at(db.session, slug)
            memo[slug] = (
                NamedVenue(found[0].id, found[0].name, found[0].slug, found[1]) if found else None
            )
        return memo[slug]

    @property
    def venue_known(self) -> bool:
        """Whether ``venue`` names a venue with public events (by its slug, now or before)."""
        return bool(self.venue) and self._venue is not None and self._venue.listed

    @property
    def venue_exists(self) -> bool:
        """Whether ``venue`` names a venue, with public events or none (yet, or any more): its
        feed answers, empty, so that calendar apps drop what they had from it."""
        return bool(self.venue) and self._venue is not None

    @property
    def venue_name(self) -> str | None:
        """The name of the venue ``venue`` names; None without one or for one with no public
        events (a draft's venue is not shown)."""
        return self._venue.name if self.venue_known and self._venue else None

    def spelled_once(self) -> EventFilters:
        """These filters with the place as its venues spell it ("?place=denver" and
        "?place=DENVER" are the view "?place=Denver"), or in lower case when no venue has it
        ("?place=Atlantis" is "?place=atlantis"), and a venue by its slug now (a renamed
        venue's former slug is its slug): what addresses naming the view as one (a canonical
        link, a feed's address) write."""
        changes: dict[str, str] = {}
        if self.place:
            spelled = next((name for _, name in self._place_venues), self.place.lower())
            if spelled != self.place:
                changes["place"] = spelled
        if self.venue and self._venue and self._venue.slug != self.venue:
            changes["venue"] = self._venue.slug
        return replace(self, **changes) if changes else self

    def _at_place(self) -> ColumnElement[bool]:
        """Events at the place's venues (``_at_venues``)."""
        return _at_venues(self.place_venue_ids)

    def _at_venue(self) -> ColumnElement[bool]:
        """Events at the venue ``venue`` names (``_at_venues``); none when it names none."""
        return _at_venues((self._venue.id,)) if self._venue else false()

    @property
    def short_range(self) -> bool:
        """A from-to range short enough to hold few events (see search.condition)."""
        return bool(
            self.date_from
            and self.date_to
            and (self.date_to - self.date_from).days <= FEW_DATES_DAYS
        )

    def apply(
        self,
        stmt: Select,
        *,
        search_condition: bool = True,
        few_dates: bool = False,
        masters: bool = True,
    ) -> Select:
        """Add the kind, category, place, venue, date and search conditions to a select of Event.

        No time window, no order, no pagination: the caller decides those (a caller that
        ranks by ``search.by_relevance``, which also limits to the matches, passes
        ``search_condition=False``; one whose window keeps a few weeks of events, like the
        month grid, passes ``few_dates=True``: see ``search.condition``; one whose select leaves
        series masters out passes ``masters=False``: see ``models.dates_overlap``).
        """
        found = self.conditions(
            search_condition=search_condition, few_dates=few_dates, masters=masters
        )
        return stmt.where(*found)

    def conditions(
        self, *, search_condition: bool = True, few_dates: bool = False, masters: bool = True
    ) -> list[ColumnElement[bool]]:
        """The conditions ``apply`` adds (the same options), for a caller that puts them in
        several selects: building them costs more than running a small query."""
        found: list[ColumnElement[bool]] = []
        if self.kind:
            found.append(Event.kind == self.kind)
        if self.category:
            found.append(Event.categories.any(Category.slug == self.category))
        if self.place:
            found.append(self._at_place())
        if self.venue:
            found.append(self._at_venue())
        if self.date_from and self.date_to:
            found.append(dates_overlap(self.date_from, self.date_to, masters=masters))
        elif self.date_from:
            found.append(Event.end_date >= self.date_from)
        elif self.date_to:
            found.append(Event.start_date <= self.date_to)
        if self.q and search_condition:
            few_dates = few_dates or self.short_range
            found.append(search.condition(self.q, few_dates=few_dates))
        return found


def _at_venues(venue_ids: tuple[int, ...]) -> ColumnElement[bool]:
    """Events at these venues, named as values.

    Joined to the venues table instead, a query limited to a few events (a widget's
    section) walks the upcoming events of its kind in date order, hoping to meet the place
    soon: every upcoming webinar when the place has none. Seeing the venue ids, PostgreSQL
    counts the events at them; SQLite checks each event's id against those events' ids,
    read from the venue index, instead of reading its row.
    """
    at_venues = Event.venue_id.in_(venue_ids)
    if search.dialect() == "sqlite":
        return Event.id.in_(select(Event.id).where(at_venues))
    return at_venues


def feed_conditions(filters: EventFilters, *, masters: bool = True) -> Callable[[Select], Select]:
    """A feed's conditions for these filters (``filters.apply``; ``masters``: as there). With
    a search over a short from-to range, the matching events are read once, on first use, and
    the feed's queries (its fingerprint, the last event to leave its window, its rows) check
    that list of ids, instead of each reading every match of the words in the whole database
    again."""

    def apply(stmt: Select) -> Select:
        return filters.apply(stmt, masters=masters)

    if not (filters.q and filters.short_range):
        return apply
    found: list[list[int] | None] = []

    def conditions(stmt: Select) -> Select:
        if not found:
            from .extensions import db

            matching = apply(select(Event.id)).limit(SEARCHED_IDS_MAX + 1)
            ids = list(db.session.scalars(matching))
            found.append(ids if len(ids) <= SEARCHED_IDS_MAX else None)
        ids = found[0]
        return apply(stmt) if ids is None else stmt.where(Event.id.in_(ids))

    return conditions


def filtered_events_query(
    filters: EventFilters,
    now: datetime,
    *,
    window: tuple[datetime | None, datetime | None] | None = None,
    loads: tuple | None = None,
) -> Select[tuple[Event]]:
    """One select of public events matching `filters`, eager-loaded (as `public_events(loads)`)
    and sorted.

    Without `window`: upcoming (not over at `now`, soonest first) or past (over, newest first);
    a search is ranked best match first unless sorted by date.
    With `window=(start, end)`: events overlapping that span (either end may be None),
    soonest first, whatever `filters.when` says; this is what feeds use.
    Pagination is the caller's (see `paginate`).
    """
    ranked = window is None and filters.by_relevance
    stmt = filters.apply(public_events(loads), search_condition=not ranked, masters=False)
    if window is not None:
        start, end = window
        if start is not None:
            stmt = stmt.where(Event.end_at > start)
        if end is not None:
            stmt = stmt.where(Event.start_at < end)
        return stmt.order_by(Event.start_at, Event.id)
    # A search within dates (from, to) lists every date in them, as the feed of the same
    # filters holds them; an open-ended one lists a series once (search.by_relevance).
    every_date = bool(filters.date_from or filters.date_to)
    if filters.when == "past":
        stmt = stmt.where(Event.end_at <= now)
        if ranked:
            return search.by_relevance(stmt, filters.q, newest_first=True, every_date=every_date)
        return stmt.order_by(Event.start_at.desc(), Event.id.desc())
    if filters.when == "upcoming":
        stmt = stmt.where(Event.end_at > now)
    if ranked:  # "all": a series' entry is its next date to come, not its first ever
        when_all = now if filters.when == "all" else None
        return search.by_relevance(stmt, filters.q, now=when_all, every_date=every_date)
    return stmt.order_by(Event.start_at, Event.id)


@dataclass
class Page:
    """One page of results plus what the pager needs."""

    items: list[Event]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, with None for a gap: [1, None, 4, 5, 6, 7, 8, None, 20]."""
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


class PageNotFound(LookupError):
    """A page number past the last page (the view answers 404: ``no_such_page``)."""

    def __init__(self, page: int, last: int) -> None:
        super().__init__(page)
        self.last = last  # the list's last page (1 when it is empty)


def no_such_page(error: PageNotFound, description: str, url_for_page) -> NoReturn:
    """The 404 of a page past the end, with a link to the list's last page (a bookmarked later
    page of a list that has since shrunk)."""
    words = f"Go to page {error.last}, the last" if error.last > 1 else "Go to the first page"
    not_found(description, (words, url_for_page(error.last)))


def paginate(session: Session, stmt: Select, page: int, per_page: int) -> Page:
    """One page of ``stmt`` (a select of Event) and the total. Page 1 always exists (possibly
    empty); later pages beyond the last raise PageNotFound, so /events/?page=999999 is a 404.

    One narrow query reads the page's ids with the total (a window count), then the page's
    events are loaded by id: a search ranks every match, and carrying whole rows (long
    descriptions, stored VEVENT blocks) through that sort cost more than the search itself.
    """
    offset = (page - 1) * per_page
    ranked_ids = stmt.get_execution_options().get(search.RANKED_IDS)
    if ranked_ids is not None:  # a ranked search: its ids alone, not joined back to events
        narrow = ranked_ids.add_columns(func.count().over().label("total"))
    else:
        narrow = stmt.with_only_columns(Event.id, func.count().over().label("total"))
    rows = session.execute(narrow.limit(per_page).offset(offset)).all()
    if rows:
        total = rows[0].total
    elif page > 1:
        total = count_of(session, stmt)
    else:
        total = 0
    if page > 1 and offset >= total:
        raise PageNotFound(page, max(1, ceil(total / per_page)))
    ids = [row.id for row in rows]
    loaded = {e.id: e for e in session.scalars(_by_ids(ids)).unique()} if ids else {}
    return Page(items=[loaded[i] for i in ids], page=page, per_page=per_page, total=total)


def count_of(session: Session, stmt: Select) -> int:
    """How many events a select of Event finds."""
    ids = stmt.get_execution_options().get(search.RANKED_IDS)
    ids = ids if ids is not None else stmt.with_only_columns(Event.id)
    counted = select(func.count()).select_from(ids.order_by(None).subquery())
    return session.scalar(counted) or 0


def next_day_found(session: Session, filters: EventFilters, after: datetime) -> date | None:
    """The first day of the first public event ``filters`` finds that ends after ``after``
    (a month calendar with none: where the next one is)."""
    stmt = filtered_events_query(replace(filters, sort="date"), after, window=(after, None))
    return session.scalar(stmt.with_only_columns(Event.start_date).limit(1))


def _by_ids(ids: list[int]) -> Select:
    """These events, with what a listing shows (models.event_loads)."""
    return select(Event).options(*event_loads()).where(Event.id.in_(ids))


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap ("...")
    url: str | None
    current: bool = False


def pager_links(page: Page, url_for_page) -> dict[str, Any]:
    """Everything a pager template needs, with URLs made by `url_for_page(n)`."""
    return {
        "prev": url_for_page(page.page - 1) if page.has_prev else None,
        "next": url_for_page(page.page + 1) if page.has_next else None,
        "pages": [
            PageLink(n, url_for_page(n) if n else None, n == page.page) for n in page.window()
        ],
        "show": page.pages > 1,
    }
