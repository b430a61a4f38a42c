"""Pure: an .ics file's bytes as repaired content lines and top-level components, streamed.

Nothing here holds the whole file: a 150 MB export is read line by line, and each component
(one VEVENT, one VTIMEZONE) is handed over as its own short list of lines, to be parsed alone.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

HEAD_BYTES = 64 * 1024
_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+[;:]")
_NAME = re.compile(r"[A-Za-z0-9-]+")

Opener = Callable[[], BinaryIO]


class FileError(ValueError):
    """The whole file is unusable; the message says why, for the person who uploaded it."""


@dataclass
class Part:
    """A component directly inside a VCALENDAR (name 'VEVENT', lines BEGIN..END), or one of the
    calendar's own properties (name '', one line). `complete` is False when the file ends (or
    its VCALENDAR closes) inside the component."""

    name: str
    lines: list[str]
    complete: bool = True


def encoding_of(head: bytes) -> str:
    """UTF-16 when the file starts with its byte order mark (Windows tools save so), else
    UTF-8 (the caller falls back to cp1252 when that fails)."""
    return "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"


def check_head(head: bytes) -> None:
    """Refuse, from its first bytes, a file that is empty, binary or not iCalendar."""
    encoding = encoding_of(head)
    if encoding == "utf-16":
        head = head.decode("utf-16", errors="replace").encode()
    if not head.strip():
        raise FileError("The file is empty.")
    if b"\x00" in head:
        raise FileError("This is a binary file, not an iCalendar (.ics) file.")
    text = head.decode("utf-8-sig", errors="replace")
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise FileError(
            "This is not an iCalendar (.ics) file: it does not start with BEGIN:VCALENDAR."
        )


def text_lines(open_binary: Opener, encoding: str) -> Iterator[str]:
    """The file's physical lines (any of CRLF, LF, CR), decoded; raises UnicodeDecodeError when
    `encoding` is strict and wrong, so the caller can read again as cp1252."""
    errors = "strict" if encoding.startswith("utf-8") else "replace"
    with open_binary() as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline=None)
        for line in text:
            if "\x00" in line:
                raise FileError("This is a binary file, not an iCalendar (.ics) file.")
            yield line.rstrip("\n")


def unfold(lines: Iterable[str]) -> Iterator[str]:
    """Logical lines: a line starting with a space or TAB continues the one before (RFC 5545
    folding, also right after a property name: 'PRODID' + ' :-//...'); then a line that is still
    not 'NAME:' or 'NAME;' lost its indent, and continues the line before too."""
    previous: str | None = None  # complete, but the next unit may be its lost continuation
    for unit in _folded_units(lines):
        if previous is not None and not _CONTENT_LINE.match(unit):
            previous += unit
            continue
        if previous is not None:
            yield previous
        previous = unit
    if previous is not None:
        yield previous


def _folded_units(lines: Iterable[str]) -> Iterator[str]:
    """Each line joined with the indented (space or TAB) lines that follow it."""
    unit: str | None = None
    for raw in lines:
        if not raw:
            continue
        if raw[0] in " \t" and unit is not None:
            unit += raw[1:]
            continue
        if unit is not None:
            yield unit
        unit = raw
    if unit is not None:
        yield unit


def repair_content_lines(lines: Iterable[str]) -> Iterator[str]:
    """Unfold (see `unfold`), drop VALARMs and empty RRULE/EXRULE lines, and remove spaces inside
    RRULE/EXRULE values: what real producers get wrong and icalendar would trip over."""
    in_alarm = False  # alarms are not imported, and their odd TRIGGERs break parsing
    for line in unfold(lines):
        upper = line[:16].upper()
        if in_alarm:
            if upper.startswith("END:VALARM"):
                in_alarm = False
                continue
            if not upper.startswith(("END:VEVENT", "END:VTODO", "END:VCALENDAR")):
                continue
            in_alarm = False  # an alarm that never ended: keep what closes its event
        elif upper.startswith("BEGIN:VALARM"):
            in_alarm = True
            continue
        if upper.startswith(("RRULE:", "EXRULE:")):
            name, _, value = line.partition(":")
            value = re.sub(r"\s+", "", value)
            if not value:
                continue
            line = f"{name}:{value}"
        yield line


def calendar_parts(lines: Iterable[str]) -> Iterator[Part]:
    """Every VCALENDAR's properties and top-level components, in file order, a VCALENDAR
    nested in one (some exporters write so) read as if it were not; lines outside a VCALENDAR
    (text after END:VCALENDAR) are skipped."""
    calendars = 0  # how many VCALENDARs the line is in
    block: Part | None = None
    depth = 0
    for line in lines:
        head = line[:24].strip().upper()
        if block is not None:
            if head == "END:VCALENDAR":  # the component never ended
                block.complete = False
                yield block
                block, calendars = None, calendars - 1
                continue
            block.lines.append(line)
            if head.startswith("BEGIN:"):
                depth += 1
            elif head.startswith("END:"):
                depth -= 1
                if depth == 0:
                    yield block
                    block = None
            continue
        if head == "BEGIN:VCALENDAR":
            calendars += 1
        elif not calendars:
            continue
        elif head == "END:VCALENDAR":
            calendars -= 1
        elif head.startswith("BEGIN:"):
            block, depth = Part(line[6:].strip().upper(), [line]), 1
        else:
            yield Part("", [line])
    if block is not None:
        block.complete = False
        yield block


def property_name(line: str) -> str:
    match = _NAME.match(line)
    return match.group().upper() if match else ""


def raw_value(line: str) -> str:
    """The text after the first ':' outside a quoted parameter value, as written."""
    in_quotes = False
    for i, char in enumerate(line):
        if char == '"':
            in_quotes = not in_quotes
        elif char == ":" and not in_quotes:
            return line[i + 1 :]
    return ""


def top_level_lines(part: Part) -> Iterator[str]:
    """The component's own property lines (not those of components nested in it)."""
    depth = 0
    for line in part.lines[1:]:
        head = line[:6].upper()
        if head.startswith("BEGIN:"):
            depth += 1
        elif head.startswith("END:"):
            depth -= 1
        elif depth == 0:
            yield line
