""" "Did you mean ...?" for a search that finds nothing: its misspelled words, each replaced by
the nearest word the public listing uses.

The words come from the titles of public events, their kinds, categories, venues (name, city,
country) and speakers: what visitors search for, never a draft's. Each process reads them
when a search finds nothing, again after a change (changes.read_state) but not more than once a
minute.
A word is taken for misspelled when it has four letters or more, none of them digits, and no
public word is it, nor a form of one (or, for the last word typed, begins with it); the
suggestion is kept only when it finds something: on the page searched, or else in the other
tab (the callers' ``places``).
"""

from __future__ import annotations

import difflib
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import changes, search
from .extensions import db
from .filters import EventFilters, count_of, filtered_events_query
from .models import KINDS, PUBLIC_STATUSES, Category, Event, Speaker, Venue, listed
from .view_names import Words, view_name

MIN_LETTERS = 4  # shorter words have too many near neighbours ("fibr": fiber, fibre, five)
CUTOFF = 0.75  # difflib's ratio: "confrence" and "conference" 0.95, "netwrok" and "network" 0.86
# Endings English stemming reads past ("networks", "networking": network): not misspellings.
ENDINGS = ("s", "es", "ed", "ing", "ings", "er", "ers")
KEPT_SECONDS = 60  # a reading this young serves after a change: one reading a minute at most
_KEY = "events_app.spelling"
T = TypeVar("T")


def suggestion(
    session: Session, q: str, *places: Callable[[str], T | None]
) -> tuple[str, T] | None:
    """The search text ``q`` with its misspelled words corrected, if any are, and what the
    first of ``places`` (the page searched first) that finds something with it gives (its link
    there, say; a place gives None where it finds nothing); else None."""
    corrected = corrected_text(q, vocabulary(session))
    if corrected is None:
        return None
    for place in places:
        if (found := place(corrected)) is not None:
            return corrected, found
    return None


def in_list(
    session: Session,
    filters: EventFilters,
    now: datetime,
    address: Callable[[EventFilters], str],
    *,
    category: str | None = None,
) -> tuple[str, Words] | None:
    """What a list is as a place for ``suggestion``: the list of ``filters``, if it finds
    something, as its address and its name ("upcoming webinars"; ``category``, its category's
    name); else None."""
    if not count_of(session, filtered_events_query(filters, now)):
        return None
    return address(filters), view_name(filters, category=category).bare.phrase


def corrected_text(q: str, words: frozenset[str]) -> str | None:
    """``q`` with each misspelled word (not excluded, not an ``or`` choice, not in a phrase of
    several) replaced by the nearest of ``words`` (folded: see ``fold``), or None when none is."""
    terms = search.parse(q)
    corrected = q
    for term in terms:
        if term.exclude or term.either or len(term.words) != 1:
            continue
        word = term.words[0]
        if len(word) < MIN_LETTERS or not word.isalpha() or _known(fold(word), term, words):
            continue
        near = _nearest(fold(word), words)
        if near is not None:
            corrected = _replaced(corrected, word, near)
    return corrected if corrected != q else None


def fold(word: str) -> str:
    """A word as the index compares it: lower case, accents removed."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _known(word: str, term: search.Term, words: frozenset[str]) -> bool:
    """A word the listing uses, or one of its forms ("networking": network), or for the last
    word typed, the start of one."""
    if word in words:
        return True
    if any(word.endswith(e) and word[: -len(e)] in words for e in ENDINGS):
        return True  # a form the search's stemming finds it by
    return term.prefix and any(w.startswith(word) for w in words)


def _nearest(word: str, words: Iterable[str]) -> str | None:
    """The word of ``words`` nearest to ``word`` by difflib's ratio, at least CUTOFF, among
    those of its first letter (as Lucene's spell checker looks: few typos are there, and it
    keeps a large vocabulary quick)."""
    alike = [w for w in words if w[:1] == word[:1] and abs(len(w) - len(word)) <= 2]
    found = difflib.get_close_matches(word, alike, n=1, cutoff=CUTOFF)
    return found[0] if found else None


def _replaced(text: str, word: str, by: str) -> str:
    """``text`` with ``word`` where it stands alone (not after "-", not inside another word)
    replaced by ``by``, whatever its case."""
    pattern = rf"(?<![\w-]){re.escape(word)}(?!\w)"
    return re.sub(pattern, lambda _: by, text, flags=re.IGNORECASE)


def vocabulary(session: Session) -> frozenset[str]:
    """The folded words of what the public listing shows, read again after a change once the
    last reading is KEPT_SECONDS old (pages are kept that long too)."""
    state = changes.read_state(db.engine)
    token = state.token if state is not None else None
    now = time.monotonic()
    kept = current_app.extensions.get(_KEY)
    if (
        kept is not None
        and token is not None
        and (kept[0] == token or now - kept[1] < KEPT_SECONDS)
    ):
        return kept[2]
    words = frozenset(_words_of(session))
    current_app.extensions[_KEY] = (token, now, words)
    return words


def _words_of(session: Session) -> Iterable[str]:
    public = Event.status.in_(PUBLIC_STATUSES)
    texts = [
        *KINDS.values(),  # the index's words of a kind (search._kind_words)
        "Hybrid Online",
        *session.scalars(select(Event.title).where(listed()).distinct()),
        *session.scalars(select(Category.name)),  # every category has its page
        *(
            text
            for row in session.execute(
                select(Venue.name, Venue.city, Venue.country).where(Venue.events.any(public))
            )
            for text in row
        ),
        *session.scalars(select(Speaker.name).where(Speaker.event.has(public)).distinct()),
    ]
    for text in texts:
        for word in search.index_words(text or ""):
            if len(word) >= MIN_LETTERS and word.isalpha():
                yield fold(word)
