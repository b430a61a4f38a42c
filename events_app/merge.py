"""Three-way merge of a form with a colleague's save made since it was opened: the one rule
for the event form and the venue form (staff.py, staff_admin.py).

`started` is what the form showed when it was opened (sent back in its `original` field),
`mine` what it says now, `theirs` what is saved now; all are audit snapshots (audit.py). A
field the editor left alone takes their value; a field both changed keeps the editor's and is
marked; `groups` name fields that count as one (an event's all-day, start, end and zone).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

# An event's snapshot with a 20,000-character description is far below this.
MAX_ORIGINAL = 200_000


def lost(what: str) -> str:
    """What a form says when it came back without a readable record of what it started from
    (its hidden fields changed by hand or by a browser add-on)."""
    return (
        f"This page lost track of the {what} as it showed it, so a colleague's save made"
        " meanwhile could not be checked. Nothing was saved: what you typed is still in the"
        " form; check it, then save again."
    )


def started_from(original: str | None, theirs: dict[str, Any]) -> dict[str, Any]:
    """The snapshot a form was opened with, from its `original` field: only the keys a
    snapshot has now ({} when unreadable; the field is in the page, so anything may come)."""
    if not original or len(original) > MAX_ORIGINAL:
        return {}
    try:
        started = json.loads(original)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(started, dict):
        return {}
    return {key: value for key, value in started.items() if key in theirs and _plain(value)}


def _plain(value: Any) -> bool:
    """A value a snapshot holds: a number, a yes/no, nothing, or text a page can show."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800")
            return False
        return True
    return value is None or isinstance(value, bool | int | float)


def plan(
    started: dict[str, Any],
    mine: dict[str, Any],
    theirs: dict[str, Any],
    their_changes: Iterable[str],
    groups: Iterable[tuple[str, ...]] = (),
) -> tuple[set[str], set[str]]:
    """(keys to take from their save, keys both changed differently)."""
    group_of = {key: group for group in groups for key in group}
    changed = set(their_changes)
    merged: set[str] = set()
    both: set[str] = set()
    for key in changed:
        group = group_of.get(key, (key,))
        if all(mine.get(k) == started.get(k) for k in group):
            merged.update(k for k in group if k in changed)
        elif any(mine.get(k) != theirs.get(k) for k in group):
            both.update(k for k in group if k in changed)
    return merged, both
