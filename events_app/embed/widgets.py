"""What each widget shows, as plain data for JSON and for the frame template. Pure: events
come from the caller, URLs from a `Links`, the day from `today`."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import joinedload

from ..api.params import FILTER_PARAMS, BadParameter, Param, check_known
from ..api.serialize import utc_text
from ..calendar import day_args, grid_bounds
from ..filters import BadFilter, EventFilters
from ..models import ONLINE_KINDS, Event
from ..timefmt import MAX_YEAR, MIN_YEAR, format_day
from ..view_names import KIND_NOUNS, ViewName, Words, archive_view, ours, typed, view_name

WIDGETS = ("sidebar", "list", "month")
THEMES = ("auto", "light", "dark")
MAX_COUNT = 20
DEFAULT_COUNT = {"sidebar": 5, "list": 5, "month": 10}
ACCENT = re.compile(r"[0-9a-fA-F]{6}")
# The widget's own backgrounds by theme (static/embed/widget.css), and the least contrast a
# link needs on them (WCAG AA); "auto" is either, as the visitor's system chooses.
BACKGROUNDS = {"light": "ffffff", "dark": "15191d"}
MIN_CONTRAST = 4.5


def contrast(one: str, other: str) -> float:
    """The WCAG contrast ratio of two six-digit hex colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def accent_warning(accent: str | None, theme: str) -> str:
    """Why links in ``accent`` are hard to read on the theme's background, or "" (also when
    the widget takes the host page's colours, which we do not know). The auto theme uses it
    on its light background only: dark, its links take our own colour (widget.css)."""
    if not accent or not ACCENT.fullmatch(accent) or theme not in THEMES:
        return ""
    names = ("light",) if theme == "auto" else (theme,)
    poor = [(n, contrast(accent, BACKGROUNDS[n])) for n in names]
    poor = [(n, ratio) for n, ratio in poor if ratio < MIN_CONTRAST]
    if not poor:
        return ""
    # Rounded down, so that a ratio just short of the need never reads as meeting it.
    where = " and ".join(
        f"{math.floor(ratio * 10) / 10:.1f}:1 on the {name} background" for name, ratio in poor
    )
    return f"Links in this colour are hard to read: {where}; they need {MIN_CONTRAST}:1."


MONTH = re.compile(r"(\d{4})-(\d{2})")
# (section id, heading, kinds shown, archive?)
SIDEBAR_SECTIONS = (
    ("live", "Upcoming live events", ("live",), False),
    ("webinars", "Upcoming webinars", ("webinar",), False),
    ("audio", "Live Digital Audio", ("audio",), False),
    ("recordings", "Webinar archive", ONLINE_KINDS, True),
)
KIND_HEADINGS = {"live": "Upcoming live events", "webinar": "Upcoming webinars"}
KIND_HEADINGS["audio"] = "Live Digital Audio"

DATA_PARAMS = (
    *FILTER_PARAMS,
    Param(
        "count",
        f"Events per section (1-{MAX_COUNT}); the month widget's list of the month.",
        {"type": "integer", "minimum": 1, "maximum": MAX_COUNT},
    ),
    Param("month", "The month widget's month, YYYY-MM (default: this month).", {"type": "string"}),
)
FRAME_PARAMS = (
    *DATA_PARAMS,
    Param("theme", "auto (the visitor's setting), light or dark.", {"type": "string"}),
    Param("accent", "Link colour as six hex digits, e.g. 0b5cad.", {"type": "string"}),
)


@dataclass(frozen=True)
class WidgetQuery:
    widget: str
    filters: EventFilters = field(default_factory=EventFilters)
    count: int = 5
    month: tuple[int, int] | None = None
    theme: str = "auto"
    accent: str | None = None

    @classmethod
    def from_args(cls, widget: str, args: Mapping[str, Any], *, frame: bool = False):
        """Validate a widget's query string; raises BadParameter (a 400) naming the parameter."""
        check_known(args, FRAME_PARAMS if frame else DATA_PARAMS)
        names = ("kind", "category", "place", "venue", "q")
        try:
            filters = EventFilters.from_args({k: args.get(k) for k in names})
        except BadFilter as error:
            raise BadParameter(error.field, str(error)) from None
        count = args.get("count") or str(DEFAULT_COUNT[widget])
        if not (count.isascii() and count.isdigit() and len(count) <= 3):
            raise BadParameter("count", f"The count must be a whole number from 1 to {MAX_COUNT}.")
        if not 1 <= int(count) <= MAX_COUNT:
            raise BadParameter("count", f"The count must be a whole number from 1 to {MAX_COUNT}.")
        theme = args.get("theme") or "auto"
        if theme not in THEMES:
            raise BadParameter("theme", f"The theme must be one of: {', '.join(THEMES)}.")
        accent = args.get("accent") or None
        if accent is not None and not ACCENT.fullmatch(accent):
            raise BadParameter("accent", "The accent must be six hex digits, like 0b5cad.")
        if args.get("month") and widget != "month":  # it would be ignored
            raise BadParameter("month", f"Only the month widget shows a month, not the {widget}.")
        return cls(widget, filters, int(count), _month(args.get("month")), theme, accent)


def _month(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    found = MONTH.fullmatch(value)
    if not found or not (MIN_YEAR <= int(found[1]) <= MAX_YEAR and 1 <= int(found[2]) <= 12):
        raise BadParameter(
            "month", f"The month must look like 2026-09 (years {MIN_YEAR}-{MAX_YEAR})."
        )
    return int(found[1]), int(found[2])


def shows_nothing(model: Mapping[str, Any]) -> bool:
    """Whether a widget's model lists no event and, for a month, marks no day."""
    month = model.get("month")
    if month and (month["events"] or any(d["count"] for week in month["weeks"] for d in week)):
        return False
    return not any(section["events"] for section in model.get("sections", []))


def unmatched(filters: EventFilters, category_known: bool, place_known: bool) -> list[str]:
    """What a filter names that matches nothing here (a slug or place mistyped, or gone): the
    widget shows nothing for it, and embed.js says why in the host's console. ``place_known``:
    a venue of a public event is there (one entered for a draft only stays unannounced, as in
    /api/v1/venues)."""
    notes = []
    if filters.category and not category_known:
        notes.append(
            f'category="{filters.category}": there is no such category (its slug is in the'
            " address of its page on our site)"
        )
    if filters.place and not place_known:
        notes.append(f'place="{filters.place}": no venue is in a city or country of that name')
    if filters.venue and not filters.venue_known:
        notes.append(
            f'venue="{filters.venue}": there is no such venue, or nothing is listed there (its'
            " slug is in the address of its page on our site)"
        )
    return notes


def widget_view(query: WidgetQuery, category: str | None) -> ViewName | None:
    """The name (view_names) of what a filter narrows the widget to, or None: its headings then
    say it, as list and month pages do. A kind alone names no view in a sidebar or list, whose
    sections have their kinds' names ("Live Digital Audio"); the month has none of its own.
    ``category``: the category's name, if there is one."""
    filters = query.filters
    narrowed = (
        filters.is_filtered
        if query.widget == "month"
        else filters.category or filters.place or filters.venue_known
    )
    if not (narrowed or filters.q):
        return None
    return view_name(filters, category=category)


def section_view(view: ViewName, kinds: tuple[str, ...]) -> ViewName:
    """The name of what a section of a widget named ``view`` shows, by its ``kinds`` (one, or
    any): "Upcoming webinars in Denver"."""
    return replace(view, nouns=KIND_NOUNS[kinds[0] if len(kinds) == 1 else None])


def section_heading(heading: str, view: ViewName | None, kinds: tuple[str, ...]) -> Words:
    """A list widget's heading: its own, or, narrowed (``view``: widget_view), the name of
    what it shows (section_view)."""
    return ours(heading) if view is None else section_view(view, kinds).heading


def more_label(kinds: tuple[str, ...]) -> Words:
    """The words of a section's link to the list of all it shows, the list named as its page
    names it, without filters (a caption or a heading names them): "All upcoming webinars"."""
    return ours("All ") + section_view(view_name(EventFilters()), kinds).phrase


def list_more(view: ViewName | None, kinds: tuple[str, ...]) -> tuple[Words, Words]:
    """The list widget's link: its words and those read aloud only after them. Narrowed
    (``view``: widget_view), the heading names the view, the link says "See all" and its name
    the rest (" upcoming 5G events matching “5g”"); else "All upcoming webinars"."""
    if view is None:
        return more_label(kinds), Words()
    return ours("See all"), ours(" ") + section_view(view, kinds).phrase


def sidebar_caption(view: ViewName | None) -> Words | None:
    """What a filtered sidebar shows, said once above its boxes, which keep their own names:
    "5G events in Denver matching “5g”" (None unfiltered, or by a category that is none)."""
    if view is None or (view.category is None and not view.after.parts):
        return None
    return replace(view, when="").heading


def narrowed_by(view: ViewName | None) -> Words:
    """The filters of a sidebar named ``view``, after a box's link's own words and read aloud
    only (the caption shows them): "All upcoming webinars| on 5G in Denver matching “5g”"."""
    if view is None:
        return Words()
    on = ours(" on ") + typed(view.category) if view.category is not None else Words()
    return on + view.after


def archive_label(filtered: bool) -> Words:
    """The words of the sidebar's link to the webinar archive (narrowed as the widget is, when
    ``filtered``: narrowed_by says by what), as the archive names itself: "All past sessions"."""
    if not filtered:
        return ours("The whole webinar archive")
    return ours("All ") + archive_view(EventFilters()).phrase


def widget_title(view: ViewName | None, month: str | None) -> str:
    """What a widget's frame is called after the site's name: "upcoming events", the month
    shown ("June 2026"), or the view's name ("Upcoming webinars in Denver")."""
    if month is not None:
        return month
    return str(view.heading) if view is not None else "upcoming events"


def words_data(words: Words) -> list[list[str]]:
    """Words as JSON: [text, kind] pairs (view_names.Words), for embed.js to set the typed
    parts apart (<bdi>) as the frames' HTML does."""
    return [[text, kind] for text, kind in words.parts]


def words_of(data: list[list[str]]) -> Words:
    """``words_data`` read back, for the frame's HTML."""
    return Words(tuple((text, kind) for text, kind in data))


@dataclass(frozen=True)
class Links:
    """Absolute URLs of our pages: ``event(slug)`` and ``page(endpoint, **args)``."""

    event: Callable[[str], str]
    page: Callable[..., str]


def item_loads() -> tuple:
    """Loader options for what ``item`` reads of an event beyond its row: its venue."""
    return (joinedload(Event.venue),)


def item(event: Event, links: Links) -> dict[str, Any]:
    """One event as a widget shows it (load it with ``item_loads``)."""
    if event.all_day:
        assert event.first_day is not None and event.last_day is not None
        start, end = event.first_day.isoformat(), event.last_day.isoformat()
        offset = end_offset = None
    else:
        start, end = utc_text(event.start_at), utc_text(event.end_at)
        offset, end_offset = event.utc_offsets
    return {
        "title": event.title,
        "url": links.event(event.slug),
        "kind": event.kind,
        "kind_label": event.kind_label,
        "status": event.status,
        "status_label": event.status_label if event.status != "published" else None,
        "when": event.when_text,
        "all_day": event.all_day,
        "start": start,
        "end": end,
        "offset": offset,
        "end_offset": end_offset,
        "place": event.place_text,
        "recording_url": None,  # and its link's words, recording_label (the archive's)
        "recording_label": None,
        # A series' dates share its title: the date tells their links apart (read aloud only).
        "series_date": format_day(event.start_date) if event.series_id else None,
    }


def section(
    key: str,
    heading: Words,
    events: Iterable[Event],
    links: Links,
    more: tuple[Words, Words, str],
    empty: str,
) -> dict[str, Any]:
    """A widget's section; ``more``: its link's words, the words read aloud only after them
    (narrowed_by), and its address. Text built from people's words is given twice: plain, and
    in parts (words_data)."""
    label, hidden, url = more
    return {
        "id": key,
        "heading": str(heading),
        "heading_parts": words_data(heading),
        "events": [item(e, links) for e in events],
        "more": {
            "label": str(label),
            "label_parts": words_data(label),
            "hidden": str(hidden),
            "hidden_parts": words_data(hidden),
            "url": url,
        },
        "empty": empty,
    }


def sidebar_sections(query: WidgetQuery) -> list[tuple[str, str, tuple[str, ...], bool]]:
    """The sidebar's sections that the kind filter leaves, with the kinds each may show."""
    kind = query.filters.kind
    return [
        (key, heading, tuple(k for k in kinds if not kind or k == kind), archive)
        for key, heading, kinds, archive in SIDEBAR_SECTIONS
        if not kind or kind in kinds
    ]


def shown_empty(key: str, kinds: tuple[str, ...], filters: EventFilters) -> bool:
    """Whether a sidebar box that finds nothing is shown ("Nothing is scheduled right now"):
    not the live audio show's (between seasons: no empty box on every article page), nor,
    filtered by a place or a venue, a box of online events only (webinars, audio, the
    archive), which are at a venue only when staff gave them one: every place's sidebar would
    show them empty."""
    if key == "audio":
        return False
    return not ((filters.place or filters.venue) and all(k in ONLINE_KINDS for k in kinds))


def listed_from(year: int, month: int, today: date) -> date:
    """The first day whose events the month widget lists under its grid: today in the current
    month (on the 30th, what is still to come, not the 5th's), else the month's first."""
    first = date(year, month, 1)
    return today if first <= today <= month_end(year, month) else first


def month_model(
    year: int,
    month: int,
    spans: Mapping[tuple[date, date], int],
    events: list[Event],
    today: date,
    links: Links,
    query: WidgetQuery,
    view: ViewName | None = None,
) -> dict[str, Any]:
    """A Monday-first grid of day numbers, each with how many events cover it (from `spans`:
    {(start_date, end_date): events}, local days in each event's own zone), and `events`, the
    month's first events from ``listed_from`` (at most `query.count` are listed); its
    ``heading``, the month and, filtered (``view``: widget_view), what it shows, as the month
    page's: "June 2026 · Webinars in Denver"."""
    start, end = grid_bounds(year, month)
    counts: dict[date, int] = {}
    for (first_day, last_day), size in spans.items():
        d = max(first_day, start)
        while d <= min(last_day, end):
            counts[d] = counts.get(d, 0) + size
            d += timedelta(days=1)
    args = query.filters.to_args()
    weeks, d = [], start
    while d <= end:
        week = []
        for _ in range(7):
            n = counts.get(d, 0)
            listed = day_args(query.filters, d, today)
            week.append(
                {
                    "date": d.isoformat(),
                    "day": d.day,
                    "in_month": d.month == month,
                    "today": d == today,
                    "count": n,
                    "url": links.page("public.event_list", **listed) if n else None,
                }
            )
            d += timedelta(days=1)
        weeks.append(week)
    first = date(year, month, 1)
    since = listed_from(year, month, today)
    in_month = sum(
        size for (a, b), size in spans.items() if b >= since and a <= month_end(year, month)
    )

    def shift(delta: int) -> str | None:
        y, m = divmod(year * 12 + month - 1 + delta, 12)
        return f"{y:04d}-{m + 1:02d}" if MIN_YEAR <= y <= MAX_YEAR else None

    label = f"{first:%B %Y}"
    heading = ours(f"{label} · ") + replace(view, when="").heading if view else ours(label)
    return {
        "label": label,
        "heading": str(heading),
        "heading_parts": words_data(heading),
        "value": f"{year:04d}-{month:02d}",
        "prev": shift(-1),
        "next": shift(1),
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "weeks": weeks,
        "url": links.page("calendar.month", year=year, month=month, **args),
        "events": [item(e, links) for e in events[: query.count]],
        "more": max(0, in_month - min(len(events), query.count)),
        "empty": "Nothing more this month." if since > first else "Nothing this month.",
    }


def month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
