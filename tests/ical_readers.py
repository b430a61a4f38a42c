"""Read .ics bytes with three parsers and return the events in one normalized form.

Each ``read_with_*`` function returns ``{uid: {"start", "end", "status", "summary"}}`` where a timed
start/end is an aware UTC ``datetime`` and an all-day one a ``date`` (end exclusive, as written).
Every TZID is interpreted through the file's own VTIMEZONE, as a subscribing client does, not
through the reader's bundled zone database. (icalendar and vobject both turn a VTIMEZONE into a
tzinfo with dateutil's ``tzical``; ``read_with_icalendar(data, provider="pytz")`` uses icalendar's
own code instead.) A floating time, a TZID without a VTIMEZONE or a repeated UID raises
``FeedReadError``, and so does a VEVENT of a series (RRULE, RDATE or RECURRENCE-ID) unless
``skip_series=True`` leaves those to tests/ical_expanders.py. ``read_many_with_vobject`` and
``read_many_with_icaljs`` read several files in one process, one after another, the way
long-lived readers do: vobject then keeps the first VTIMEZONE it read for a TZID.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import icalendar
import vobject
from icalendar.timezone.tzp import TZP

ICALJS_DIR = Path(__file__).resolve().parent / "icaljs"

Instant = datetime | date
Normalized = dict[str, dict[str, Any]]


class FeedReadError(ValueError):
    """The calendar breaks a rule that the feed contract relies on."""


class ReaderUnavailable(RuntimeError):
    """A reader cannot run on this machine (the message says why)."""


def _event(
    events: Normalized, uid: str, start: Instant, end: Instant, status: object, summary: object
) -> None:
    if uid in events:
        raise FeedReadError(f"UID {uid!r} occurs more than once")
    events[uid] = {
        "start": start,
        "end": end,
        "status": None if status is None else str(status),
        "summary": str(summary or ""),
    }


def _series_error(uid: str) -> FeedReadError:
    return FeedReadError(f"{uid}: RRULE, RDATE or RECURRENCE-ID is not expected in a feed")


def _default_end(start: Instant) -> Instant:
    """RFC 5545 3.6.1: no DTEND or DURATION means one day for a date, zero length otherwise."""
    return start if isinstance(start, datetime) else start + timedelta(days=1)


# --- icalendar ---------------------------------------------------------------------------------


def read_with_icalendar(
    data: bytes, provider: str = "zoneinfo", skip_series: bool = False
) -> Normalized:
    """Read with the ``icalendar`` package; ``provider`` ("zoneinfo" or "pytz") builds the zones."""
    tzp = TZP(provider)
    calendar = icalendar.Calendar.from_ical(data)
    zones: dict[str, tzinfo] = {
        str(vtz["TZID"]): tzp.create_timezone(vtz) for vtz in calendar.walk("VTIMEZONE")
    }

    def instant(event: icalendar.Event, name: str) -> Instant:
        prop = event[name]
        value = prop.dt
        if not isinstance(value, datetime):
            return value
        tzid = prop.params.get("TZID")
        if tzid is not None:
            if tzid not in zones:
                raise FeedReadError(f"{event['UID']}: {name} TZID={tzid} has no VTIMEZONE")
            # Drop the zone icalendar looked up by name and use the file's definition instead.
            value = tzp.localize(value.replace(tzinfo=None), zones[tzid])
        elif value.tzinfo is None:
            raise FeedReadError(f"{event['UID']}: {name} is a floating time")
        return value.astimezone(UTC)

    events: Normalized = {}
    for event in calendar.walk("VEVENT"):
        if any(name in event for name in ("RRULE", "RDATE", "RECURRENCE-ID")):
            if skip_series:
                continue
            raise _series_error(str(event["UID"]))
        start = instant(event, "DTSTART")
        if "DTEND" in event:
            end = instant(event, "DTEND")
        elif "DURATION" in event:
            end = start + event["DURATION"].dt
        else:
            end = _default_end(start)
        _event(events, str(event["UID"]), start, end, event.get("STATUS"), event.get("SUMMARY"))
    return events


# --- vobject -----------------------------------------------------------------------------------

# vobject keeps TZID -> tzinfo in one process-wide map and never replaces an entry.
_VOBJECT_TZIDS: dict[str, tzinfo] = vars(vobject.icalendar)["__tzidMap"]


@contextlib.contextmanager
def _vobject_zones_from(text: str) -> Iterator[None]:
    """Make vobject resolve TZIDs with this file's VTIMEZONEs; restore its registry afterwards."""
    saved = dict(_VOBJECT_TZIDS)
    try:
        for vtz in vobject.readOne(text).contents.get("vtimezone", []):
            vobject.icalendar.registerTzid(vtz.tzid.value, vtz.gettzinfo())
        yield
    finally:
        _VOBJECT_TZIDS.clear()
        _VOBJECT_TZIDS.update(saved)


@contextlib.contextmanager
def vobject_registry_emptied() -> Iterator[None]:
    """Start vobject with no zone known, as a new process does (the first VTIMEZONE read for a
    TZID then stays); restore its registry afterwards."""
    saved = dict(_VOBJECT_TZIDS)
    _VOBJECT_TZIDS.clear()
    try:
        yield
    finally:
        _VOBJECT_TZIDS.clear()
        _VOBJECT_TZIDS.update(saved)


def _vobject_events(text: str, skip_series: bool = False) -> Normalized:
    """Read one file with vobject as it stands (its TZID registry as it is) and validate it."""
    calendar = vobject.readOne(text)
    calendar.validate()
    defined = {vtz.tzid.value for vtz in calendar.contents.get("vtimezone", [])}

    def instant(event: Any, line: Any) -> Instant:
        value = line.value
        if not isinstance(value, datetime):
            return value
        # vobject moves TZID to X-VOBJ-ORIGINAL-TZID when it converts the value.
        tzid = getattr(line, "x_vobj_original_tzid_param", None)
        if tzid is not None and tzid not in defined:
            raise FeedReadError(f"{event.uid.value}: {line.name} TZID={tzid} has no VTIMEZONE")
        if value.tzinfo is None:
            raise FeedReadError(f"{event.uid.value}: {line.name} is a floating time")
        return value.astimezone(UTC)

    events: Normalized = {}
    for event in calendar.contents.get("vevent", []):
        if any(name in event.contents for name in ("rrule", "rdate", "recurrence-id")):
            if skip_series:
                continue
            raise _series_error(event.uid.value)
        start = instant(event, event.dtstart)
        if "dtend" in event.contents:
            end = instant(event, event.dtend)
        elif "duration" in event.contents:
            end = start + event.duration.value
        else:
            end = _default_end(start)
        status = event.status.value if "status" in event.contents else None
        summary = event.summary.value if "summary" in event.contents else ""
        _event(events, event.uid.value, start, end, status, summary)
    return events


def read_with_vobject(data: bytes, skip_series: bool = False) -> Normalized:
    """Read with ``vobject`` and run its ``validate()`` (its exceptions propagate), each TZID
    resolved with this file's own VTIMEZONE."""
    text = data.decode("utf-8")
    with _vobject_zones_from(text):
        return _vobject_events(text, skip_series)


def read_many_with_vobject(files: list[bytes], skip_series: bool = False) -> list[Normalized]:
    """Read files one after another as one long-lived vobject process does (a CalDAV server such
    as Radicale): starting with no zone known, each TZID keeps the first VTIMEZONE read for it."""
    with vobject_registry_emptied():
        return [_vobject_events(data.decode("utf-8"), skip_series) for data in files]


# --- ical.js (Mozilla, used by Thunderbird) ------------------------------------------------------


def _icaljs_node() -> str:
    """Return the path of ``node`` once ical.js is installed, or raise ReaderUnavailable."""
    node = shutil.which("node")
    if node is None:
        raise ReaderUnavailable("ical.js reader needs Node.js: `node` is not on PATH")
    if (ICALJS_DIR / "node_modules" / "ical.js").is_dir():
        return node
    npm = shutil.which("npm")
    if npm is None:
        raise ReaderUnavailable(
            f"ical.js is not installed in {ICALJS_DIR}/node_modules and `npm` is not on PATH"
        )
    with open(Path(tempfile.gettempdir()) / "icaljs-npm-ci.lock", "w") as lock:  # one at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (ICALJS_DIR / "node_modules" / "ical.js").is_dir():
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=ICALJS_DIR,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if done.returncode != 0:
                raise ReaderUnavailable(
                    f"`npm ci` in {ICALJS_DIR} failed ({done.returncode}): {done.stderr[-2000:]}"
                )
    return node


def _icaljs_instant(value: str) -> Instant:
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _icaljs_events(items: list[dict], skip_series: bool = False) -> Normalized:
    events: Normalized = {}
    for item in items:
        if item["recurring"] or item["recurrence_id"] is not None:
            if skip_series:
                continue
            raise _series_error(item["uid"])
        start, end = _icaljs_instant(item["start"]), _icaljs_instant(item["end"])
        _event(events, item["uid"], start, end, item["status"], item["summary"])
    return events


def run_icaljs(script: str, files: list[bytes], *args: str) -> list:
    """Run ``icaljs/<script>`` once on ``files`` (then ``args``); its JSON output. For several
    files the scripts print one list per file."""
    node = _icaljs_node()
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for number, data in enumerate(files):
            path = Path(tmp) / f"feed-{number}.ics"
            path.write_bytes(data)
            paths.append(str(path))
        done = subprocess.run(
            [node, str(ICALJS_DIR / script), *paths, *args],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "TZ": "UTC"},
        )
    if done.returncode != 0:
        raise FeedReadError(f"ical.js {script} failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)


def read_with_icaljs(data: bytes, skip_series: bool = False) -> Normalized:
    """Read with Mozilla ical.js through ``icaljs/read_instants.mjs`` (one node run per call)."""
    return _icaljs_events(run_icaljs("read_instants.mjs", [data]), skip_series)


def read_many_with_icaljs(files: list[bytes], skip_series: bool = False) -> list[Normalized]:
    """Read files one after another in one ical.js process (zones registered by the first file
    that defines them, as a long-lived client keeps them)."""
    if len(files) == 1:
        return [read_with_icaljs(files[0], skip_series)]
    read = run_icaljs("read_instants.mjs", files)
    return [_icaljs_events(items, skip_series) for items in read]


READERS = {
    "icalendar": read_with_icalendar,
    "vobject": read_with_vobject,
    "icaljs": read_with_icaljs,
}
