"""Pure helpers for user text that several features share."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

# Characters no stored text keeps: the C0 controls but tab, newline and carriage return, DEL,
# and what XML 1.0 cannot carry besides (the noncharacters U+FFFE and U+FFFF, lone
# surrogates). One in a title would make a whole Atom feed unreadable; iCalendar TEXT must not
# hold controls either; no one types them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_ODD_BREAK = re.compile(r"[\x0b\x0c]")  # vertical tab, form feed: Word's manual line breaks


def without_controls(value: str) -> str:
    """``value`` without control characters (``_CONTROL``); a vertical tab or form feed
    becomes a space, so words do not run together."""
    return _CONTROL.sub("", _ODD_BREAK.sub(" ", value))


def slugify(text: str, max_length: int = 200, fallback: str = "") -> str:
    """'Big 5G Summit: Denver!' -> 'big-5g-summit-denver'; other scripts spelt in Latin letters
    ('Zajęty' -> 'zajety', 'Москва' -> 'moskva', '北京' -> 'beijing'), symbols and emoji left
    out, apostrophes too ("Women's" -> 'womens'); cut to `max_length` without a trailing
    hyphen; `fallback` when nothing is left."""
    words = "".join(" " if unicodedata.category(c) == "So" else c for c in text)
    latin = anyascii(words).lower().replace("'", "")
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")
    return slug[:max_length].rstrip("-") or fallback


# Direction overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a name they turn the
# text after them around ("RTL" shown as "LTR"); no one types them into a name.
_DIRECTION_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_direction_controls(value):
    """A field filter: ``value`` without direction overrides and isolates."""
    return _DIRECTION_CONTROL.sub("", value) if isinstance(value, str) else value


_SPACE_RUNS = re.compile(r"\s{2,}|[\t\n\r\f\v\x1c-\x1f\x85\u2028\u2029]")  # runs, line breaks


def single_spaces(value):
    """A field filter: runs of spaces (and tabs) are one space, none around. A single no-break
    or other typographic space stays as typed (French "Conférence\u00a0: 5G", an ideographic
    space between CJK words)."""
    return _SPACE_RUNS.sub(" ", value).strip() if isinstance(value, str) else value


def as_name(value):
    """A one-line name as a form or an import keeps it (a title, a venue's or category's name):
    no control characters (as stored: a name that differs only by one is the same name), single
    spaces, no direction overrides."""
    if isinstance(value, str):
        value = without_controls(value)
    return single_spaces(without_direction_controls(value))


# Letters and symbols that show nothing: the Hangul fillers and the blank braille pattern.
_BLANK_SIGNS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible(text: str) -> bool:
    """Whether ``text`` shows anything: a letter, digit, punctuation or symbol, not only
    spaces and invisible characters (a zero-width space, a direction mark, a Hangul filler)."""
    return any(unicodedata.category(c)[0] in "LNPS" and c not in _BLANK_SIGNS for c in text)


def name_key(name: str) -> str:
    """A name as a reader tells names apart: case, accents, invisible characters and runs of
    spaces aside ("Westin  Westminster", "westin\u200bwestminster" and "Wéstin Westminster"
    are one name; an invisible character counts as a space)."""
    plain = unicodedata.normalize("NFKD", name)
    kept = (
        " " if unicodedata.category(c) == "Cf" else c for c in plain if not unicodedata.combining(c)
    )
    return " ".join("".join(kept).split()).casefold()


def name_order(name: str) -> tuple[str, str]:
    """Sort key of a name as people read a list (``name_key``: "émile" beside "Emma",
    "Security" before "STRASSE"), then the name itself for a stable order."""
    return name_key(name), name
