"""The event form's "Repeats" section and the scope of an edit to an occurrence: fields,
validation into a recurrence.Rule, and the summary and next dates shown beside it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from wtforms import DateField, Form, IntegerField, RadioField, SelectField, SubmitField
from wtforms.validators import NumberRange, Optional

from . import clock, recurrence, series, timefmt
from .forms import MultiCheckboxField, choices
from .timefmt import MAX_YEAR, format_length

REPEATS = {"never": "Does not repeat", **recurrence.FREQS}
SCOPES = {
    "this": "This occurrence only",
    "following": "This and following occurrences",
    "all": "All occurrences",
}
PREVIEW_DATES = 6


class RepeatFields(Form):
    freq = SelectField("Repeats", choices=choices(REPEATS), default="never")
    interval = IntegerField(
        "Every",
        description="1 = every day, week, month or year; 2 = every other one.",
        default=1,
        validators=[Optional(), NumberRange(1, 99, "Enter a number from 1 to 99.")],
    )
    weekdays = MultiCheckboxField(
        "On (weekly)",
        choices=choices(zip(recurrence.WEEKDAYS, recurrence.WEEKDAY_NAMES, strict=True)),
        validate_choice=False,
    )
    monthly_by = RadioField(
        "Monthly on",
        choices=choices([("day", "the same day of the month"), ("weekday", "the same weekday")]),
        default="day",
        validate_choice=False,
    )
    week_of_month = SelectField(
        "Which weekday (monthly)",
        choices=choices([("", "as on the start date")] + [
            (str(n), f"the {word}") for n, word in recurrence.ORDINALS.items()
        ]),
        default="",
    )  # fmt: skip
    ends = RadioField(
        "Ends",
        choices=choices([("never", "never"), ("on", "on a date"), ("after", "after a number")]),
        default="never",
        validate_choice=False,
    )
    until = DateField("Last date", validators=[Optional()])
    count = IntegerField(
        "Number of occurrences",
        validators=[Optional(), NumberRange(1, recurrence.MAX_OCCURRENCES)],
    )
    scope = RadioField("Apply the changes to", choices=[], validate_choice=False)
    preview_dates = SubmitField("Preview dates")

    def load(self, rule: recurrence.Rule) -> None:
        for field in self:
            field.raw_data = None  # typed boxes show what was posted, if anything
        self.freq.data, self.interval.data = rule.freq, rule.interval
        self.weekdays.data = list(rule.weekdays)
        self.monthly_by.data = "weekday" if rule.week_of_month is not None else "day"
        self.week_of_month.data = str(rule.week_of_month or "")
        self.ends.data = "after" if rule.count else "on" if rule.until else "never"
        self.until.data, self.count.data = rule.until, rule.count


def asks_another_rule(fields: RepeatFields, rule: recurrence.Rule) -> bool:
    """Whether the Repeats fields as sent ask for something else than ``rule``, which they
    were loaded with (on a date's form, only a save for its series can change it)."""
    ends = "after" if rule.count else "on" if rule.until else "never"
    sent = (fields.freq.data, fields.interval.data or 1, fields.ends.data)
    if sent != (rule.freq, rule.interval, ends):
        return True
    if rule.freq == "weekly" and set(fields.weekdays.data or ()) != set(rule.weekdays):
        return True
    if rule.freq == "monthly":
        by = "weekday" if rule.week_of_month is not None else "day"
        if fields.monthly_by.data != by:
            return True
        if by == "weekday" and fields.week_of_month.data != str(rule.week_of_month):
            return True
    if ends == "on":
        return fields.until.data != rule.until
    return ends == "after" and fields.count.data != rule.count


def rule_from(
    fields: RepeatFields, schedule: dict[str, Any], saved: recurrence.Rule | None = None
) -> recurrence.Rule | None:
    """The rule the section describes for the event's validated schedule (local start, zone,
    length), or None when it does not repeat; errors go beside the fields. ``saved``: the
    series' rule as it is (an edit leaving dates that already overlap as they are saves)."""
    if fields.freq.data not in recurrence.FREQS or not schedule:
        return None
    zone = schedule["zone"]
    if schedule["all_day"]:
        start = datetime.combine(schedule["first"], datetime.min.time())
        duration = timedelta(days=(schedule["last"] - schedule["first"]).days + 1)
    else:
        start = timefmt.to_local(schedule["start"], zone).replace(tzinfo=None, fold=0)
        duration = schedule["end"] - schedule["start"]
    shown = {"weekly": fields.weekdays, "monthly": fields.monthly_by}.get(fields.freq.data)
    for field in [f for f in (shown, fields.ends) if f is not None]:
        sent = set(field.data if isinstance(field.data, list) else [field.data]) - {None, ""}
        if not sent <= {choice.value for choice in field.choices}:  # not sent by our page
            field.errors.append("Choose from the options shown.")
    if fields.errors:
        return None
    weekdays = tuple(d for d in recurrence.WEEKDAYS if d in (fields.weekdays.data or []))
    week = None
    if fields.freq.data == "monthly" and fields.monthly_by.data == "weekday":
        week = int(fields.week_of_month.data) if fields.week_of_month.data else _nth(start.date())
        weekdays = (recurrence.WEEKDAYS[start.weekday()],)
    until = count = None
    if fields.ends.data == "on":
        until = fields.until.data
        if until is None:
            fields.until.errors.append("Enter the last date, or choose another ending.")
        elif until < start.date():
            fields.until.errors.append("The last date cannot be before the start date.")
        elif until.year > MAX_YEAR:
            fields.until.errors.append(f"Enter a date up to {MAX_YEAR}.")
    elif fields.ends.data == "after":
        count = fields.count.data
        if count is None:
            fields.count.errors.append("Enter how many times it happens.")
    if fields.errors:
        return None
    rule = recurrence.Rule(
        freq=fields.freq.data, start=start, zone=zone, duration=duration,
        all_day=schedule["all_day"], interval=fields.interval.data or 1, weekdays=weekdays,
        week_of_month=week, until=until, count=count,
    ).normalized()  # fmt: skip
    if not recurrence.wall_starts(rule, limit=1):
        fields.freq.errors.append("This rule has no occurrence: check the days and the end.")
        return None
    if recurrence.runs_into_next(rule) and not (saved and recurrence.runs_into_next(saved)):
        # Beside Repeats: the section's errors are what keeps the form from saving. A series'
        # last day typed as the end date made seven-week dates, each over the next ones.
        closest = recurrence.closest_starts(rule) or duration
        gap = format_length(closest)
        if duration > closest:
            why = f", longer than the {gap} between dates, and run into the next"
        else:  # about as long as the gap: a clock change shortens one by an hour
            why = f": where the clocks change, it would run into the next, {gap} later"
        fields.freq.errors.append(
            f"Each date would last {format_length(duration)}{why}. Shorten the end date; the"
            " series' last day goes under Ends."
        )
        return None
    # On a date's form, saved for its series, the rule checked is the series': see refused.
    if fields.scope.data not in ("following", "all") and refused(rule, fields):
        return None
    return rule


def refused(rule: recurrence.Rule, fields: RepeatFields) -> bool:
    """Whether a series may not have this rule: a count running past MAX_YEAR, or more than
    MAX_OCCURRENCES dates; the message goes beside the fields. On a date's form saved for
    "this and following" or "all", the rule checked is the one the series gets."""
    if past_max_year(rule, fields):
        return True
    horizon = clock.today() + timedelta(days=series.HORIZON_DAYS)
    if recurrence.too_many_dates(rule, horizon):
        to = "to its end" if rule.count or rule.until else "up to two years from now"
        fields.freq.errors.append(
            f"This series would have more than {recurrence.MAX_OCCURRENCES:,} dates {to}:"
            " start it later, end it sooner or repeat less often."
        )
        return True
    return False


def past_max_year(rule: recurrence.Rule, fields: RepeatFields) -> bool:
    """Whether the rule's count of dates runs past MAX_YEAR, as a last date may not; the
    message goes beside the count."""
    if rule.count and len(recurrence.wall_starts(rule, date(MAX_YEAR, 12, 31))) < rule.count:
        fields.count.errors.append(f"{rule.count} dates would run past {MAX_YEAR}: enter fewer.")
        return True
    return False


def _nth(day: date) -> int:
    """Which weekday of its month a day is: 1-4, or -1 for a fifth (the last)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def preview(
    rule: recurrence.Rule, today: date, saved: series.SavedDates | None = None
) -> dict[str, Any]:
    """The summary, the next dates from ``today`` and the DST notes of the next two years; for
    a ``saved`` series, what became of those dates and which of its changed dates this rule
    would delete."""
    starts = recurrence.wall_starts(rule, today + timedelta(days=series.HORIZON_DAYS))
    upcoming = [w for w in starts if w.date() >= today][:PREVIEW_DATES]
    notes = [
        n
        for w in starts
        if w.date() >= today
        and (n := recurrence.dst_note(w, rule.zone) or recurrence.clock_change_note(rule, w))
    ]
    fate_of = saved.fates([w.date() for w in upcoming]) if saved else {}
    dates = []
    for wall in upcoming:
        start, end = recurrence.occurrence_times(rule, wall)
        if rule.all_day:
            text = timefmt.format_day(wall.date())
        else:
            text = timefmt.format_timed_range(start, end, rule.zone)
        fate, struck = fate_of.get(wall.date(), (None, False))
        dates.append({"text": text, "fate": fate, "struck": struck})
    return {
        "summary": recurrence.summary(rule),
        "dates": dates,
        "notes": notes[:4],
        "dropped": saved.dropped({w.date() for w in starts}) if saved else [],
        "past_moved": saved.past_moved(rule, starts, today) if saved else 0,
        "unsafe": recurrence.unsafe_reason(rule),
    }


def offer_scopes(fields: RepeatFields) -> None:
    """An occurrence's form asks what its changes apply to (this one by default)."""
    fields.scope.choices = choices(SCOPES)
    if fields.scope.data not in SCOPES:
        fields.scope.data = "this"
