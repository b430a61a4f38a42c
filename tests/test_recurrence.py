"""The pure rule engine: wall-time occurrences across DST, RRULE text, words, unsafe rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from events_app import recurrence
from events_app.recurrence import Rule

HOUR = timedelta(hours=1)


def weekly_noon(**fields) -> Rule:
    base = dict(freq="weekly", start=datetime(2026, 10, 29, 12, 0), zone="America/New_York")
    return Rule(**{**base, "duration": HOUR, **fields}).normalized()


def test_a_weekly_noon_show_stays_at_noon_local_across_the_dst_change():
    rule = weekly_noon(until=date(2026, 11, 12))
    starts = [recurrence.instant(w, rule.zone) for w in recurrence.wall_starts(rule)]
    assert starts == [
        datetime(2026, 10, 29, 16, 0, tzinfo=UTC),  # EDT
        datetime(2026, 11, 5, 17, 0, tzinfo=UTC),  # EST
        datetime(2026, 11, 12, 17, 0, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("zone", "wall", "utc"),
    [
        ("America/New_York", datetime(2027, 3, 14, 2, 30), datetime(2027, 3, 14, 7, 30)),
        ("Europe/London", datetime(2027, 3, 28, 1, 30), datetime(2027, 3, 28, 1, 30)),
        ("Australia/Sydney", datetime(2026, 10, 4, 2, 30), datetime(2026, 10, 3, 16, 30)),
        ("America/New_York", datetime(2026, 11, 1, 1, 30), datetime(2026, 11, 1, 5, 30)),
    ],
)
def test_gap_and_overlap_wall_times_are_placed_as_rfc5545_readers_place_them(zone, wall, utc):
    assert recurrence.instant(wall, zone) == utc.replace(tzinfo=UTC)
    assert recurrence.dst_note(wall, zone) is not None
    assert recurrence.dst_note(wall.replace(hour=12), zone) is None


def test_the_gap_note_says_where_calendars_place_it():
    note = recurrence.dst_note(datetime(2027, 3, 14, 2, 30), "America/New_York")
    assert note == (
        "Mar 14: 2:30 AM does not exist in America/New_York (clocks jump from 2:00 AM to "
        "3:00 AM); calendars place it at 3:30 AM EDT"
    )


def test_start_moves_to_the_first_date_the_pattern_matches():
    rule = weekly_noon(start=datetime(2026, 10, 27, 12, 0), weekdays=("TH", "MO"))
    assert rule.start == datetime(2026, 10, 29, 12, 0)
    assert rule.weekdays == ("MO", "TH")


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({}, "FREQ=WEEKLY;BYDAY=TH"),
        ({"interval": 2, "weekdays": ("MO", "TH")}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"),
        ({"count": 10}, "FREQ=WEEKLY;BYDAY=TH;COUNT=10"),
        ({"until": date(2027, 6, 24)}, "FREQ=WEEKLY;BYDAY=TH;UNTIL=20270624T160000Z"),
        ({"freq": "monthly", "week_of_month": -1}, "FREQ=MONTHLY;BYDAY=-1TH"),
        ({"freq": "monthly"}, "FREQ=MONTHLY;BYMONTHDAY=29"),
        ({"freq": "daily", "interval": 3}, "FREQ=DAILY;INTERVAL=3"),
        ({"freq": "yearly"}, "FREQ=YEARLY"),
    ],
)
def test_rrule_text(fields, text):
    assert recurrence.rrule_text(weekly_noon(**fields)) == text


def test_summary_in_plain_language():
    rule = weekly_noon(start=datetime(2026, 12, 3, 12, 0), until=date(2027, 6, 24))
    assert recurrence.summary(rule) == (
        "Every Thursday at 12:00 PM New York time, until Jun 24, 2027: 30 occurrences"
    )
    monthly = weekly_noon(freq="monthly", week_of_month=2, weekdays=("TU",))
    assert (
        recurrence.summary(monthly)
        == "Every month on the second Tuesday at 12:00 PM New York time, no end date"
    )


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        # All its dates in winter: the abbreviation they all carry.
        ({"start": datetime(2026, 12, 3, 12, 0), "until": date(2027, 1, 28)}, "12:00 PM EST"),
        ({"start": datetime(2027, 4, 1, 12, 0), "count": 10}, "12:00 PM EDT"),
        # Dates on both sides of a clock change: no one abbreviation is right for all of them.
        ({"until": date(2026, 11, 12)}, "12:00 PM New York time"),
        ({"zone": "Europe/London", "freq": "monthly", "month_day": 10}, "12:00 PM London time"),
        ({"zone": "America/Argentina/Buenos_Aires"}, "12:00 PM UTC-3"),
        ({"zone": "Asia/Kolkata"}, "12:00 PM IST"),
        ({"zone": "EST5EDT"}, "12:00 PM EDT/EST"),
    ],
)
def test_a_rule_names_its_time_the_way_every_date_of_it_reads(fields, words):
    rule = weekly_noon(**fields)
    assert recurrence.clock_words(rule) == words
    assert recurrence.short_words(rule).endswith(words)
    # As at one instant: that instant's abbreviation.
    winter = recurrence.instant(datetime(2027, 1, 7, 12, 0), "America/New_York")
    assert recurrence.clock_words(weekly_noon(), winter) == "12:00 PM EST"


@pytest.mark.parametrize(
    "fields",
    [
        {"count": 1},
        {"freq": "monthly", "month_day": 31, "start": datetime(2026, 10, 31, 12, 0)},
        {"freq": "yearly", "start": datetime(2028, 2, 29, 12, 0)},
    ],
)
def test_patterns_some_client_misreads_are_named(fields):
    assert recurrence.unsafe_reason(weekly_noon(**fields)) is not None


def test_an_unbounded_rule_is_expanded_only_as_far_as_asked():
    rule = weekly_noon()
    assert len(recurrence.wall_starts(rule, date(2027, 10, 28))) == 53
    assert len(recurrence.wall_starts(rule, limit=5)) == 5


def test_span_words_name_the_first_and_last_dates():
    assert recurrence.span_words(weekly_noon()) == "From Oct 29, 2026, no end date"
    assert (
        recurrence.span_words(weekly_noon(until=date(2027, 6, 25))) == "Oct 29, 2026 – Jun 24, 2027"
    )
    assert recurrence.span_words(weekly_noon(count=3)) == "Oct 29 – Nov 12, 2026"
