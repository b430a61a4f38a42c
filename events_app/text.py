"""Pure helpers for user text that several features share."""

from __future__ import annotations

import re
import unicodedata

# Control characters no stored text keeps: all C0 but tab, newline and carriage return, and
# DEL. XML (Atom) cannot carry them at all, iCalendar TEXT must not; no one types them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ODD_BREAK = re.compile(r"[\x0b\x0c]")  # vertical tab, form feed: Word's manual line breaks


def without_controls(value: str) -> str:
    """``value`` without control characters (``_CONTROL``); a vertical tab or form feed
    becomes a space, so words do not run together."""
    return _CONTROL.sub("", _ODD_BREAK.sub(" ", value))


def slugify(text: str, max_length: int = 200, fallback: str = "") -> str:
    """'Big 5G Summit: Denver!' -> 'big-5g-summit-denver'; accents dropped ('Zajęty' -> 'zajety');
    cut to `max_length` without a trailing hyphen; `fallback` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or fallback


# Direction overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a name they turn the
# text after them around ("RTL" shown as "LTR"); no one types them into a name.
_DIRECTION_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_direction_controls(value):
    """A field filter: ``value`` without direction overrides and isolates."""
    return _DIRECTION_CONTROL.sub("", value) if isinstance(value, str) else value


def has_visible(text: str) -> bool:
    """Whether ``text`` shows anything: a letter, digit, punctuation or symbol, not only
    spaces and invisible characters (a zero-width space, a direction mark)."""
    return any(unicodedata.category(c)[0] in "LNPS" for c in text)


def name_order(name: str) -> tuple[str, str]:
    """Sort key of a name as people read a list: case and accents aside ("émile" beside
    "Emma", "Security" before "STRASSE"), then the name itself for a stable order."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return plain.casefold(), name
