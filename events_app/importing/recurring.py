""".ics import of series: a recurring VEVENT group kept as one series (its rule, EXDATEs and
RECURRENCE-ID overrides) when our rules can say the same thing; otherwise the reader expands it
into separate events as before.

Kept: one RRULE of FREQ DAILY, WEEKLY (BYDAY without ordinals), MONTHLY (one BYMONTHDAY, or one
weekday with an ordinal 1-4 or -1) or YEARLY, with INTERVAL, COUNT or UNTIL, and WKST only where
it cannot change the dates; no RDATE, no second RRULE or EXRULE; a DTSTART the rule itself
yields (RFC 5545 counts a DTSTART that does not match; other readers do not); a zone we know.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .. import recurrence

FREQS = {"DAILY": "daily", "WEEKLY": "weekly", "MONTHLY": "monthly", "YEARLY": "yearly"}
KNOWN_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST"}


class NotKept(ValueError):
    """The series cannot be kept as a rule of ours (the message says why)."""


def rule_of(master, start: datetime, zone: str, all_day: bool, duration) -> recurrence.Rule:
    """Our rule for the master component whose DTSTART is the aware ``start`` in ``zone``
    (all-day: its first day at midnight); raises NotKept."""
    rrules = master.get("RRULE")
    if rrules is None or isinstance(rrules, list) or master.get("RDATE") or master.get("EXRULE"):
        raise NotKept("more than one RRULE, an RDATE or an EXRULE")
    parts = {k.upper(): v for k, v in rrules.items()}
    if set(parts) - KNOWN_PARTS:
        raise NotKept(f"rule parts {', '.join(sorted(set(parts) - KNOWN_PARTS))}")
    freq = FREQS.get(str(parts["FREQ"][0]).upper()) if parts.get("FREQ") else None
    if freq is None:
        raise NotKept("a frequency other than daily, weekly, monthly or yearly")
    local = start.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    interval = int(parts.get("INTERVAL", [1])[0])
    days = [str(d).upper() for d in parts.get("BYDAY", [])]
    fields: dict = {"interval": interval}
    if freq == "weekly":
        plain = [d for d in days if d in recurrence.WEEKDAYS]
        if len(plain) != len(days):
            raise NotKept("a weekly rule with numbered weekdays")
        wkst = str(parts.get("WKST", ["MO"])[0]).upper()
        if wkst != "MO" and interval > 1 and len(plain) > 1:
            raise NotKept("a week start other than Monday")
        fields["weekdays"] = tuple(plain) or (recurrence.WEEKDAYS[local.weekday()],)
    elif freq == "monthly":
        month_days = parts.get("BYMONTHDAY", [])
        if days and month_days:
            raise NotKept("BYMONTHDAY with BYDAY")
        if days:
            if len(days) != 1 or days[0][-2:] not in recurrence.WEEKDAYS:
                raise NotKept("more than one weekday in a monthly rule")
            nth = int(days[0][:-2] or 0)
            if nth not in (1, 2, 3, 4, -1):
                raise NotKept("a weekday of the month other than the 1st-4th or last")
            fields |= {"weekdays": (days[0][-2:],), "week_of_month": nth}
        elif len(month_days) > 1 or (month_days and int(month_days[0]) != local.day):
            raise NotKept("a day of the month other than the start's")
        else:
            fields["month_day"] = local.day
    elif days or parts.get("BYMONTHDAY"):
        raise NotKept(f"BYDAY or BYMONTHDAY in a {freq} rule")
    if parts.get("BYMONTH") and (
        freq != "yearly" or [int(m) for m in parts["BYMONTH"]] != [local.month]
    ):
        raise NotKept("BYMONTH")
    rule = recurrence.Rule(
        freq=freq, start=local, zone=zone, duration=duration, all_day=all_day, **fields
    )
    if parts.get("COUNT"):
        rule = replace(rule, count=int(parts["COUNT"][0]))
    elif parts.get("UNTIL"):
        rule = replace(rule, until=_until_day(rule, parts["UNTIL"][0]))
    if rule.normalized().start != local:
        raise NotKept("a first date the rule itself does not give")
    return rule


def _until_day(rule: recurrence.Rule, until: date | datetime) -> date:
    """The local day of the last start at or before UNTIL (an instant, or a date)."""
    if not isinstance(until, datetime):
        return until
    limit = until if until.tzinfo else until.replace(tzinfo=UTC)
    # Up to the day after UNTIL's UTC day: east of UTC, the last start's local day is later.
    # At most one date past the cap: a rule with more is refused (too_many_dates) whatever its
    # last day, and one to UNTIL=29991231 from 1900 took seconds per event to list.
    through = limit.date() + timedelta(days=1)
    cap = recurrence.MAX_OCCURRENCES + 1
    starts = recurrence.wall_starts(replace(rule, until=None), through, limit=cap)
    inside = [w for w in starts if recurrence.instant(w, rule.zone) <= limit]
    return inside[-1].date() if inside else rule.start.date()


def reach(series) -> date | None:
    """The last day a file's series (a ReadEvent or an ImportItem) cancels or changes a date on:
    its dates are made up to there (apply), and counted up to there (reader)."""
    walls = [*series.exdates, *(o.recurrence_wall for o in series.overrides if o.recurrence_wall)]
    return max(walls).date() if walls else None


def wall_in(value: date | datetime, rule: recurrence.Rule) -> datetime:
    """An EXDATE or RECURRENCE-ID value as a wall time in the rule's zone (a date: the rule's
    start time that day)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, rule.start.time())
    if rule.all_day:
        # Outlook writes a date series' RECURRENCE-ID as midnight in its zone: the day is the
        # one written, whatever that is in UTC.
        return datetime.combine(value.date(), time(0))
    if value.tzinfo is None:
        return value
    return value.astimezone(ZoneInfo(rule.zone)).replace(tzinfo=None)
