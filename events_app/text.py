"""Pure helpers for user text that several features share."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str, max_length: int = 200, fallback: str = "") -> str:
    """'Big 5G Summit: Denver!' -> 'big-5g-summit-denver'; accents dropped ('Zajęty' -> 'zajety');
    cut to `max_length` without a trailing hyphen; `fallback` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or fallback
