"""Read .ics bytes with four parsers and return the events in one normalized form.

Each ``read_with_*`` function returns ``{uid: {"start", "end", "status", "summary"}}`` where a timed
start/end is an aware UTC ``datetime`` and an all-day one a ``date`` (end exclusive, as written).
Every TZID is interpreted through the file's own VTIMEZONE, as a subscribing client does, not
through the reader's bundled zone database. (icalendar and vobject both turn a VTIMEZONE into a
tzinfo with dateutil's ``tzical``; ``read_with_icalendar(data, provider="pytz")`` uses icalendar's
own code instead.) Mozilla ical.js (under Node) and libical (Evolution's library, under Debian's
``/usr/bin/python3``) run as separate processes: scripts in icaljs/ and libical/ that print the
same JSON; a reader that cannot run here raises ``ReaderUnavailable``. A floating time, a TZID
without a VTIMEZONE or a repeated UID raises ``FeedReadError``, and so does a VEVENT of a series
(RRULE, RDATE or RECURRENCE-ID) unless ``skip_series=True`` leaves those to
tests/ical_expanders.py. ``read_many_with_*`` (vobject, ical.js, libical) read several files in
one process, one after another, the way long-lived readers do: vobject then keeps the first
VTIMEZONE it read for a TZID; libical resolves each file's TZIDs with that file's own.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
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


# The JSON the icaljs/ and libical/ scripts print, one object per VEVENT.


def _json_instant(value: str) -> Instant:
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _json_events(items: list[dict], skip_series: bool = False) -> Normalized:
    events: Normalized = {}
    for item in items:
        if item["recurring"] or item["recurrence_id"] is not None:
            if skip_series:
                continue
            raise _series_error(item["uid"])
        start, end = _json_instant(item["start"]), _json_instant(item["end"])
        _event(events, item["uid"], start, end, item["status"], item["summary"])
    return events


def _run_on_files(what: str, command: list[str], files: list[bytes], args: tuple[str, ...]) -> list:
    """Run ``command`` once on ``files`` written to a temporary folder (then ``args``); its JSON
    output. A non-zero exit (the reader refused a file) raises FeedReadError."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for number, data in enumerate(files):
            path = Path(tmp) / f"feed-{number}.ics"
            path.write_bytes(data)
            paths.append(str(path))
        done = subprocess.run(
            [*command, *paths, *args],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "TZ": "UTC"},
        )
    if done.returncode != 0:
        raise FeedReadError(f"{what} failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)


def run_icaljs(script: str, files: list[bytes], *args: str) -> list:
    """Run ``icaljs/<script>`` once on ``files`` (then ``args``); its JSON output. For several
    files the scripts print one list per file."""
    node = _icaljs_node()
    return _run_on_files(f"ical.js {script}", [node, str(ICALJS_DIR / script)], files, args)


def read_with_icaljs(data: bytes, skip_series: bool = False) -> Normalized:
    """Read with Mozilla ical.js through ``icaljs/read_instants.mjs`` (one node run per call)."""
    return _json_events(run_icaljs("read_instants.mjs", [data]), skip_series)


def read_many_with_icaljs(files: list[bytes], skip_series: bool = False) -> list[Normalized]:
    """Read files one after another in one ical.js process (zones registered by the first file
    that defines them, as a long-lived client keeps them)."""
    if len(files) == 1:
        return [read_with_icaljs(files[0], skip_series)]
    read = run_icaljs("read_instants.mjs", files)
    return [_json_events(items, skip_series) for items in read]


# --- libical (Evolution, GNOME Calendar) ---------------------------------------------------------

LIBICAL_DIR = Path(__file__).resolve().parent / "libical"
# Debian's Python: PyGObject (python3-gi) and libical's typelibs (gir1.2-ical-3.0) are Debian
# packages, which the venv's Python cannot import.
LIBICAL_PYTHON = "/usr/bin/python3"
_LIBICAL_IMPORT = (
    'import gi; gi.require_version("ICalGLib", "3.0"); from gi.repository import ICalGLib'
)


@functools.cache
def _libical_missing(python: str) -> str | None:
    """Why ``python`` cannot run the libical scripts, or None when it can."""
    if not (os.path.isfile(python) and os.access(python, os.X_OK)):
        return f"{python} is missing"
    done = subprocess.run(
        [python, "-E", "-s", "-c", _LIBICAL_IMPORT], capture_output=True, text=True, timeout=60
    )
    return done.stderr.strip().splitlines()[-1] if done.returncode else None


def run_libical(script: str, files: list[bytes], *args: str) -> list:
    """Run ``libical/<script>`` with Debian's Python once on ``files`` (then ``args``); its JSON
    output, shaped as the ical.js scripts' is."""
    missing = _libical_missing(LIBICAL_PYTHON)
    if missing is not None:
        raise ReaderUnavailable(
            f"libical reader needs {LIBICAL_PYTHON} with PyGObject and libical's typelibs "
            f"(`apt-get install gir1.2-ical-3.0`): {missing}"
        )
    command = [LIBICAL_PYTHON, "-E", "-s", str(LIBICAL_DIR / script)]
    return _run_on_files(f"libical {script}", command, files, args)


def read_with_libical(data: bytes, skip_series: bool = False) -> Normalized:
    """Read with libical through ``libical/read_instants.py`` (one process per call)."""
    return _json_events(run_libical("read_instants.py", [data]), skip_series)


def read_many_with_libical(files: list[bytes], skip_series: bool = False) -> list[Normalized]:
    """Read files one after another in one libical process, as a long-lived client does
    (libical keeps no zone from one file to the next: each file's TZIDs use its VTIMEZONEs)."""
    if len(files) == 1:
        return [read_with_libical(files[0], skip_series)]
    read = run_libical("read_instants.py", files)
    return [_json_events(items, skip_series) for items in read]


READERS = {
    "icalendar": read_with_icalendar,
    "vobject": read_with_vobject,
    "icaljs": read_with_icaljs,
    "libical": read_with_libical,
}
