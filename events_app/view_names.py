"""What a view of the events is called: `view_name(filters)` turns the list's filters into
words ("Upcoming 5G webinars in Denver matching “5g”, Dec 1–31, 2026", "Upcoming events at
Sony Hall"), and every page heading, tab title, result count, subscribe box and feed name of
that view is made from them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from markupsafe import Markup, escape

from .filters import EventFilters
from .timefmt import format_date_range, format_day

# (one, many) of each kind; "events" without one.
KIND_NOUNS = {
    None: ("event", "events"),
    "live": ("live event", "live events"),
    "webinar": ("webinar", "webinars"),
    "audio": ("live audio show", "live audio shows"),
}
WHEN_WORDS = {"upcoming": "Upcoming", "past": "Past"}
ARCHIVE_NOUNS = ("past session", "past sessions")  # the webinar archive's entries (archive_view)


@dataclass(frozen=True)
class Words:
    """Text in parts, some of them typed by people (a search, a place, a category's name):
    plain as ``str()``; in HTML escaped, with those parts in <bdi> so that a right-to-left
    one keeps its place in the sentence, and each date of a dates part kept on one line.
    A part's kind: "ours", "typed" or "dates"."""

    parts: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return "".join(text for text, _ in self.parts)

    def __html__(self) -> str:
        return "".join(_part_html(text, kind) for text, kind in self.parts)

    def __add__(self, other: Words) -> Words:
        return Words(self.parts + other.parts)


def _part_html(text: str, kind: str) -> str:
    if kind == "typed":
        return Markup("<bdi>%s</bdi>") % text
    if kind == "dates":  # "Dec 1, 2026 – Dec 31, 2027" breaks at its dash, not in a date
        whole = Markup('<span class="nowrap">%s</span>')
        return Markup(" – ").join(whole % day for day in text.split(" – "))
    return str(escape(text))


def ours(text: str) -> Words:
    return Words(((text, "ours"),))


def typed(text: str) -> Words:
    return Words(((text, "typed"),))


def dates(text: str) -> Words:
    return Words(((text, "dates"),))


@dataclass(frozen=True)
class ViewName:
    """A view's name: ``heading`` ("Upcoming 5G webinars in Denver"), ``count(n)`` ("1
    upcoming 5G webinar in Denver"), ``feed`` (its feed: "5G webinars in Denver")."""

    when: str  # "Upcoming", "Past" or "" (both)
    category: str | None
    nouns: tuple[str, str]
    after: Words  # " in Denver matching “5g”, Dec 1–31, 2026"

    def _head(self, *, many: bool = True, when: bool = True, lower: bool = False) -> Words:
        noun = self.nouns[1] if many else self.nouns[0]
        first = self.when if when and self.when else ""
        if self.category is None:
            first = f"{first} {noun}" if first else noun
            words = ours(first[0].lower() + first[1:] if lower else first[0].upper() + first[1:])
        else:  # a category's name keeps its own case, first or not
            before = (first.lower() if lower else first) + " " if first else ""
            words = ours(before) + typed(self.category) + ours(" " + noun)
        return Words(tuple(p for p in (words + self.after).parts if p[0]))

    @property
    def heading(self) -> Words:
        return self._head()

    @property
    def bare(self) -> ViewName:
        """The view without the words its place, search and dates add: "Upcoming 5G webinars"."""
        return replace(self, after=Words())

    @property
    def heading_parts(self) -> tuple[Words, Words]:
        """``heading`` in two: what the view lists ("Upcoming 5G webinars") and the words its
        place, search and dates add (" in Denver matching “5g”"), which pages set apart."""
        return self.bare.heading, self.after

    @property
    def phrase(self) -> Words:
        """``heading`` inside a sentence: "upcoming 5G webinars in Denver"."""
        return self._head(lower=True)

    @property
    def feed(self) -> Words:
        """Its feed's name after the site's ("Telecom Events: 5G webinars in Denver"): the feed
        holds recent past events too, so "upcoming" is not said."""
        return self._head(when=False, lower=True)

    def count(self, found: int) -> Words:
        """'3 upcoming webinars in Denver', '1 upcoming webinar...', 'No upcoming webinars...'."""
        if not found:
            return ours("No ") + self._head(lower=True)
        return ours(f"{found:,} ") + self._head(many=found != 1, lower=True)


def view_name(
    filters: EventFilters,
    *,
    category: str | None = None,
    nouns: tuple[str, str] | None = None,
) -> ViewName:
    """The name of the events ``filters`` find: ``category`` is the name of its category, None
    for a ``category=`` that names none (a kept link to a renamed one: the view is not named
    after it, and its page says so); ``nouns`` (one, many) replace the kind's ("past
    session"). The place is spelled as its venues spell it (``filters.place_name``); a venue is
    named by its name ("at Sony Hall": ``filters.venue_name``)."""
    after = Words()
    if filters.venue_name:  # a venue= that names none is not named: its page says so
        after += ours(" at ") + typed(filters.venue_name)
    if filters.place:
        after += ours(" in ") + typed(filters.place_name)
    if filters.q:
        after += ours(" matching “") + typed(filters.q) + ours("”")
    start, end = filters.date_from, filters.date_to
    if start and end:
        after += ours(", ") + dates(format_date_range(start, end))
    elif start:
        after += ours(" from ") + dates(format_day(start))
    elif end:
        after += ours(" until ") + dates(format_day(end))
    return ViewName(
        when=WHEN_WORDS.get(filters.when, ""),
        category=category if filters.category else None,
        nouns=nouns or KIND_NOUNS.get(filters.kind, KIND_NOUNS[None]),
        after=after,
    )


def archive_view(filters: EventFilters, category: str | None = None) -> ViewName:
    """The name of the webinar archive (past webinars and live audio) narrowed by the category,
    place, venue and search of ``filters`` (its only filters; ``category``: the category's
    name): "Past sessions matching “5g”", "5G past sessions in Denver", on its page and on the
    widgets' links to it."""
    f = filters
    archived = EventFilters(when="all", category=f.category, place=f.place, venue=f.venue, q=f.q)
    return view_name(archived, category=category, nouns=ARCHIVE_NOUNS)
