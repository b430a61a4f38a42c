"""Pure recurrence rules: a series' rule in local wall time -> RRULE text, occurrences, words.

A rule repeats a wall time in its zone ("every Thursday at 12:00 PM America/New_York"): each
occurrence keeps 12:00 PM local across DST changes. Local times become instants the way RFC 5545
says readers place them: a wall time inside a DST gap takes the offset before the gap (2:30 AM on
a spring-forward night is 3:30 AM daylight time), one that occurs twice is the first of the two.

Only patterns every major client reads alike are written as an RRULE (see ``unsafe_reason``):
Outlook rejects FREQ=YEARLY;COUNT=1 and reads BYMONTHDAY past 28 as "last day" in short months;
a fifth weekday skips months. Such series are written as separate events (feeds/ical.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from dateutil import rrule as du

from . import timefmt

FREQS = {"daily": "Daily", "weekly": "Weekly", "monthly": "Monthly", "yearly": "Yearly"}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_DU_FREQ = {"daily": du.DAILY, "weekly": du.WEEKLY, "monthly": du.MONTHLY, "yearly": du.YEARLY}
_DU_DAYS = (du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU)
# The most dates one series may have: to its end (COUNT or UNTIL), or for an endless one up to
# the horizon when its rule is saved (series_form, the importer: ``too_many_dates``). An endless
# series then gains its dates day by day without a cap (series.sync).
MAX_OCCURRENCES = 10_000
# A date's length is checked against the dates of its rule's first year (a clock change in
# it shortens a gap), at most this many of them.
SPACING_CHECKED = 800


@dataclass(frozen=True)
class Rule:
    """A series' rule. ``start`` is the first occurrence's local wall start (naive), ``duration``
    each occurrence's length (exact; whole days for all-day series)."""

    freq: str
    start: datetime
    zone: str
    duration: timedelta
    all_day: bool = False
    interval: int = 1
    weekdays: tuple[str, ...] = field(default=())
    month_day: int | None = None
    week_of_month: int | None = None
    until: date | None = None
    count: int | None = None

    def normalized(self) -> Rule:
        """The same rule with the pieces its frequency needs filled in from ``start`` and its
        start moved to the first date the pattern matches (so every reader counts DTSTART
        as the first occurrence: RFC 5545 does, dateutil does not when it does not match)."""
        rule = self
        day = WEEKDAYS[rule.start.weekday()]
        if rule.freq == "weekly" and not rule.weekdays:
            rule = replace(rule, weekdays=(day,))
        if rule.freq == "monthly" and rule.week_of_month is None and rule.month_day is None:
            rule = replace(rule, month_day=rule.start.day)
        if rule.freq == "monthly" and rule.week_of_month is not None and not rule.weekdays:
            rule = replace(rule, weekdays=(day,))
        if rule.freq in ("daily", "yearly"):
            rule = replace(rule, weekdays=(), week_of_month=None, month_day=None)
        if rule.freq == "weekly":
            ordered = tuple(d for d in WEEKDAYS if d in rule.weekdays)
            rule = replace(rule, weekdays=ordered, week_of_month=None, month_day=None)
        first = next(iter(_rrule(replace(rule, count=None, until=None))), None)
        if first is not None and first != rule.start:
            rule = replace(rule, start=first)
        return rule


def _rrule(rule: Rule) -> du.rrule:
    kwargs: dict = {"dtstart": rule.start, "interval": rule.interval, "cache": False}
    if rule.freq == "weekly":
        kwargs["byweekday"] = [_DU_DAYS[WEEKDAYS.index(d)] for d in rule.weekdays]
    elif rule.freq == "monthly" and rule.week_of_month is not None:
        kwargs["byweekday"] = [_DU_DAYS[WEEKDAYS.index(rule.weekdays[0])](rule.week_of_month)]
    elif rule.freq == "monthly" and rule.month_day is not None:
        kwargs["bymonthday"] = rule.month_day
    if rule.count is not None:
        kwargs["count"] = rule.count
    elif rule.until is not None:
        kwargs["until"] = datetime.combine(rule.until, time.max)
    return du.rrule(_DU_FREQ[rule.freq], **kwargs)


def wall_starts(
    rule: Rule, through: date | None = None, limit: int | None = MAX_OCCURRENCES
) -> list[datetime]:
    """The occurrences' local wall starts, in order, up to the day ``through`` (inclusive) and
    at most ``limit`` of them (None: all up to ``through``, which must then be given)."""
    if limit is None and through is None:
        raise ValueError("wall_starts needs a day to stop at, or a limit")
    starts: list[datetime] = []
    for start in _rrule(rule):
        if (through is not None and start.date() > through) or (
            limit is not None and len(starts) >= limit
        ):
            break
        starts.append(start)
    return starts


def _first_year(rule: Rule) -> list[datetime]:
    return wall_starts(rule, rule.start.date() + timedelta(days=370), limit=SPACING_CHECKED)


def closest_starts(rule: Rule) -> timedelta | None:
    """The shortest time between two dates in a row in the rule's first year, on the clock
    ("1 day" for a daily rule), or None for a single date."""
    return min((b - a for a, b in pairwise(_first_year(rule))), default=None)


def runs_into_next(rule: Rule) -> bool:
    """Whether a date would still go on when the next one starts (ending as it starts is fine),
    in the rule's first year: a clock change can make a date as long as the gap run over."""
    times = [occurrence_times(rule, wall) for wall in _first_year(rule)]
    return any(end > start for (_, end), (start, _) in pairwise(times))


def too_many_dates(rule: Rule, horizon: date) -> bool:
    """Whether the rule gives more than MAX_OCCURRENCES dates: to its end, or up to ``horizon``
    (the last day dates are made for) when it has none."""
    through = horizon if rule.count is None and rule.until is None else None  # else: its end
    return len(wall_starts(rule, through, limit=MAX_OCCURRENCES + 1)) > MAX_OCCURRENCES


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def instant(wall: datetime, zone: str) -> datetime:
    """A wall time in ``zone`` as a UTC instant, as RFC 5545 readers place it (fold 0: before a
    gap's offset, the first of two)."""
    return wall.replace(tzinfo=_zone(zone), fold=0).astimezone(UTC)


def occurrence_times(rule: Rule, wall: datetime) -> tuple[datetime, datetime]:
    """(start, end) UTC instants of the occurrence starting at this wall time. All-day: the
    midnights around its days."""
    if rule.all_day:
        last = wall.date() + timedelta(days=max(1, rule.duration.days) - 1)
        return timefmt.all_day_instants(wall.date(), last, rule.zone)
    start = instant(wall, rule.zone)
    return start, start + rule.duration


def dst_note(wall: datetime, zone: str) -> str | None:
    """Why this occurrence is not at its wall time as written, or None when it is."""
    if not wall.time():
        return None
    try:
        timefmt.local_to_utc(wall, zone)
    except timefmt.NonexistentTime as gap:
        placed = instant(wall, zone).astimezone(_zone(zone))
        return (
            f"{gap.local:%b %-d}: {timefmt.format_clock(wall.time())} does not exist in {zone} "
            f"(clocks jump from {timefmt.format_clock(gap.gap_start.time())} to "
            f"{timefmt.format_clock(gap.gap_end.time())}); calendars place it at "
            f"{timefmt.format_clock(placed.time())} {timefmt.zone_abbr(placed)}"
        )
    except timefmt.AmbiguousTime as twice:
        return (
            f"{wall:%b %-d}: {timefmt.format_clock(wall.time())} happens twice in {zone}; "
            f"calendars take the first ({twice.first_abbr})"
        )
    return None


def clock_change_note(rule: Rule, wall: datetime) -> str | None:
    """For a date that runs over a clock change: where its length (every date's, exact) ends
    it, which is not the same wall time as on the other dates; for one that ends just before
    it, at a time that occurs twice, which of the two. None for any other date."""
    if not spans_clock_change(rule, wall):
        return None
    start, end = occurrence_times(rule, wall)
    local = end.astimezone(_zone(rule.zone))
    length = timefmt.format_length(rule.duration)
    ends = f"{timefmt.format_clock(local.time())} {timefmt.zone_abbr(local)}"
    if start.astimezone(_zone(rule.zone)).utcoffset() == local.utcoffset():
        # Ends before the clock change, at a time that occurs twice: not over it.
        return (
            f"{wall:%b %-d}: ends at {ends}, a time that occurs twice in {rule.zone};"
            f" every date lasts {length}"
        )
    return (
        f"{wall:%b %-d}: runs over the clock change in {rule.zone}, so it ends at {ends};"
        f" every date lasts {length}"
    )


def spans_clock_change(rule: Rule, wall: datetime) -> bool:
    """Whether the occurrence starting at this wall time runs over a change of the zone's UTC
    offset, or ends at a wall time that occurs twice. Its length is exact (RFC 5545 3.8.5.3:
    the same exact duration for every date), which libical applies, while icalendar, vobject,
    ical.js and the ``ical`` package add it on the clock, and ical.js takes the second of two
    equal wall times: readers end such a date at different instants."""
    if rule.all_day or not rule.duration:
        return False
    start, end = occurrence_times(rule, wall)
    zone = _zone(rule.zone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.utcoffset() != local_end.utcoffset():
        return True
    return timefmt.is_ambiguous(local_end.replace(tzinfo=None, fold=0), rule.zone)


def unsafe_reason(rule: Rule) -> str | None:
    """Why some calendar app would read this rule differently, or None when all read it alike."""
    if rule.count == 1:
        return "a series of one occurrence (Outlook rejects a rule with COUNT=1)"
    if rule.freq == "monthly" and rule.month_day is not None and rule.month_day > 28:
        return "a day past the 28th (Outlook moves it to the last day of shorter months)"
    if rule.freq == "yearly" and (rule.start.month, rule.start.day) == (2, 29):
        return "February 29 (calendar apps disagree about the other years)"
    if rule.freq == "monthly" and rule.week_of_month not in (None, 1, 2, 3, 4, -1):
        return "a fifth weekday (months without one are skipped differently)"
    return None


def _until_value(rule: Rule) -> str | None:
    """UNTIL as RFC 5545 wants it next to a zoned DTSTART: the last start, in UTC (a date for
    all-day series). None when the rule has no end date. A last start at a wall time that
    occurs twice (or not at all) is the later of its two readings: ical.js and libical read
    1:30 AM on the night clocks go back as the second 1:30, and drop a last date whose UNTIL
    is the first; every date before it is a day or more earlier."""
    if rule.until is None or rule.count is not None:
        return None
    if rule.all_day:
        return rule.until.strftime("%Y%m%d")
    last = wall_starts(rule, rule.until)
    wall = last[-1] if last else rule.start
    zone = _zone(rule.zone)
    end = max(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    return end.strftime("%Y%m%dT%H%M%SZ")


def rrule_text(rule: Rule) -> str:
    """The RRULE value: FREQ, INTERVAL (when not 1), BYDAY or BYMONTHDAY, then COUNT or UNTIL."""
    parts = [f"FREQ={rule.freq.upper()}"]
    if rule.interval != 1:
        parts.append(f"INTERVAL={rule.interval}")
    if rule.freq == "weekly":
        parts.append("BYDAY=" + ",".join(rule.weekdays))
    elif rule.freq == "monthly" and rule.week_of_month is not None:
        parts.append(f"BYDAY={rule.week_of_month}{rule.weekdays[0]}")
    elif rule.freq == "monthly" and rule.month_day is not None:
        parts.append(f"BYMONTHDAY={rule.month_day}")
    if rule.count is not None:
        parts.append(f"COUNT={rule.count}")
    elif (until := _until_value(rule)) is not None:
        parts.append(f"UNTIL={until}")
    return ";".join(parts)


def _names(days: tuple[str, ...]) -> str:
    names = [WEEKDAY_NAMES[WEEKDAYS.index(d)] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def pattern_words(rule: Rule) -> str:
    """'Every Thursday', 'Every 2 weeks on Monday and Thursday', 'Every month on the last
    Friday', 'Every month on day 15', 'Every year on Mar 5', 'Every day'."""
    n = rule.interval
    if rule.freq == "daily":
        return "Every day" if n == 1 else f"Every {n} days"
    if rule.freq == "weekly":
        days = _names(rule.weekdays)
        return f"Every {days}" if n == 1 else f"Every {n} weeks on {days}"
    if rule.freq == "monthly":
        every = "Every month" if n == 1 else f"Every {n} months"
        if rule.week_of_month is not None:
            ordinal = ORDINALS.get(rule.week_of_month, f"{rule.week_of_month}th")
            return f"{every} on the {ordinal} {_names(rule.weekdays[:1])}"
        return f"{every} on day {rule.month_day}"
    every = "Every year" if n == 1 else f"Every {n} years"
    return f"{every} on {rule.start:%b} {rule.start.day}"


def clock_words(rule: Rule, at: datetime | None = None) -> str:
    """The rule's time of day: '12:00 PM EST', the zone's abbreviation as at the instant
    ``at``. Without ``at``: the abbreviation of every date in the series' first year, or, when
    those dates fall on both sides of a clock change, the zone's place: '12:00 PM New York
    time' (12:00 PM EDT in summer and EST in winter)."""
    clock = timefmt.format_clock(rule.start.time())
    if at is not None:
        return f"{clock} {timefmt.zone_abbr(at.astimezone(_zone(rule.zone)))}"
    year = wall_starts(rule, rule.start.date() + timedelta(days=366)) or [rule.start]
    names = {timefmt.zone_abbr(instant(w, rule.zone).astimezone(_zone(rule.zone))) for w in year}
    if len(names) == 1:
        return f"{clock} {names.pop()}"
    if "/" in rule.zone:
        return f"{clock} {rule.zone.rsplit('/', 1)[1].replace('_', ' ')} time"
    return f"{clock} {'/'.join(sorted(names))}"  # a zone named without a place ("EST5EDT")


def short_words(rule: Rule, at: datetime | None = None) -> str:
    """'weekly, Thursdays 12:00 PM EST': the pattern and the time (``clock_words``), for a
    "Part of" line."""
    n = rule.interval
    if rule.freq == "weekly":
        days = _names(rule.weekdays).replace("day", "days")
        text = f"weekly, {days}" if n == 1 else f"every {n} weeks, {days}"
    elif rule.freq == "monthly":
        every = "monthly" if n == 1 else f"every {n} months"
        if rule.week_of_month is not None:
            ordinal = ORDINALS.get(rule.week_of_month, f"{rule.week_of_month}th")
            text = f"{every}, {ordinal} {_names(rule.weekdays[:1])}"
        else:
            text = f"{every}, day {rule.month_day}"
    elif rule.freq == "daily":
        text = "daily" if n == 1 else f"every {n} days"
    else:
        every = "yearly" if n == 1 else f"every {n} years"
        text = f"{every}, {rule.start:%b} {rule.start.day}"
    if rule.all_day:
        return text
    return f"{text} {clock_words(rule, at)}"


def span_words(rule: Rule) -> str:
    """The dates of the series' first and last occurrence: 'Oct 22, 2026 – Jun 24, 2027', or
    'From Oct 22, 2026, no end date'."""
    first = rule.start.date()
    if rule.count is None and rule.until is None:
        return f"From {timefmt.format_day(first)}, no end date"
    starts = wall_starts(rule, rule.until)
    return timefmt.format_date_range(first, starts[-1].date() if starts else first)


def summary(rule: Rule, total: int | None = None) -> str:
    """'Every Thursday at 12:00 PM New York time, until Jun 24, 2027: 30 occurrences' (the
    time as ``clock_words`` gives it). ``total`` is the number of occurrences when the caller
    knows it (counted here when the rule ends)."""
    text = pattern_words(rule)
    if not rule.all_day:
        text += f" at {clock_words(rule)}"
    if rule.count is not None:
        total = rule.count
    elif rule.until is not None:
        text += f", until {timefmt.format_day(rule.until)}"
        if total is None:
            total = len(wall_starts(rule, rule.until))
    else:
        return text + ", no end date"
    return f"{text}: {total} occurrence{'s' if total != 1 else ''}"
