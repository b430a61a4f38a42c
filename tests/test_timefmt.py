from datetime import UTC, date, datetime, time

import pytest

from events_app import timefmt
from events_app.timefmt import AmbiguousTime, NonexistentTime, local_to_utc


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2026, 9, 24), date(2026, 9, 24), "Sep 24, 2026"),
        (date(2026, 9, 24), date(2026, 9, 26), "Sep 24–26, 2026"),
        (date(2026, 9, 30), date(2026, 10, 2), "Sep 30 – Oct 2, 2026"),
        (date(2026, 12, 30), date(2027, 1, 2), "Dec 30, 2026 – Jan 2, 2027"),
        (date(2026, 9, 26), date(2026, 9, 24), "Sep 24–26, 2026"),
    ],
)
def test_format_date_range(first, last, expected):
    assert timefmt.format_date_range(first, last) == expected


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "zone", "expected"),
    [
        # Same half of the day: one AM/PM.
        (utc(2026, 11, 8, 19), utc(2026, 11, 8, 20), "America/New_York",
         "Nov 8, 2026, 2:00 – 3:00 PM EST"),
        # Across noon.
        (utc(2026, 11, 8, 16), utc(2026, 11, 8, 18), "America/New_York",
         "Nov 8, 2026, 11:00 AM – 1:00 PM EST"),
        # Summer time abbreviation.
        (utc(2026, 7, 1, 18), utc(2026, 7, 1, 19), "America/New_York",
         "Jul 1, 2026, 2:00 – 3:00 PM EDT"),
        # Non-hour offsets: no abbreviation in tzdata, so the offset is written.
        (utc(2026, 6, 20, 5, 30), utc(2026, 6, 20, 6, 30), "Asia/Kolkata",
         "Jun 20, 2026, 11:00 AM – 12:00 PM IST"),
        (utc(2026, 6, 20, 5, 15), utc(2026, 6, 20, 6, 15), "Asia/Kathmandu",
         "Jun 20, 2026, 11:00 AM – 12:00 PM UTC+5:45"),
        # Across midnight: both days written out.
        (utc(2026, 7, 17, 21), utc(2026, 7, 18, 0), "Europe/London",
         "Jul 17, 2026, 10:00 PM BST – Jul 18, 2026, 1:00 AM BST"),
        # Across the DST change (US fall back on Nov 1, 2026).
        (utc(2026, 11, 1, 5), utc(2026, 11, 1, 7), "America/New_York",
         "Nov 1, 2026, 1:00 AM EDT – 2:00 AM EST"),
        # Across years.
        (utc(2026, 12, 31, 23), utc(2027, 1, 1, 1), "UTC",
         "Dec 31, 2026, 11:00 PM UTC – Jan 1, 2027, 1:00 AM UTC"),
    ],
)  # fmt: skip
def test_format_timed_range(start, end, zone, expected):
    assert timefmt.format_timed_range(start, end, zone) == expected


def test_zone_abbr_offsets():
    kathmandu = datetime(2026, 1, 1, 12, tzinfo=timefmt.zone("Asia/Kathmandu"))
    assert timefmt.zone_abbr(kathmandu) == "UTC+5:45"
    kolkata = datetime(2026, 1, 1, 12, tzinfo=timefmt.zone("Asia/Kolkata"))
    assert timefmt.zone_abbr(kolkata) == "IST"
    st_johns = datetime(2026, 1, 1, 12, tzinfo=timefmt.zone("America/St_Johns"))
    assert timefmt.zone_abbr(st_johns) == "NST"
    marquesas = datetime(2026, 1, 1, 12, tzinfo=timefmt.zone("Pacific/Marquesas"))
    assert timefmt.zone_abbr(marquesas) == "UTC-9:30"


@pytest.mark.parametrize(
    ("local", "zone", "utc_expected"),
    [
        (datetime(2026, 3, 8, 1, 59), "America/New_York", utc(2026, 3, 8, 6, 59)),
        (datetime(2026, 3, 8, 3, 0), "America/New_York", utc(2026, 3, 8, 7, 0)),
        (datetime(2026, 6, 1, 11, 0), "Asia/Kolkata", utc(2026, 6, 1, 5, 30)),
        (datetime(2026, 6, 1, 11, 0), "Asia/Kathmandu", utc(2026, 6, 1, 5, 15)),
        (datetime(2026, 3, 29, 0, 59), "Europe/London", utc(2026, 3, 29, 0, 59)),
    ],
)
def test_local_to_utc_ordinary(local, zone, utc_expected):
    assert local_to_utc(local, zone) == utc_expected


@pytest.mark.parametrize(
    ("local", "zone", "jump"),
    [
        (datetime(2026, 3, 8, 2, 30), "America/New_York", ("2:00 AM", "3:00 AM")),
        (datetime(2026, 3, 8, 2, 0), "America/New_York", ("2:00 AM", "3:00 AM")),
        (datetime(2026, 3, 29, 1, 15), "Europe/London", ("1:00 AM", "2:00 AM")),
        (datetime(2026, 3, 29, 2, 45), "Europe/Berlin", ("2:00 AM", "3:00 AM")),
        (datetime(2026, 10, 4, 2, 15), "Australia/Lord_Howe", ("2:00 AM", "2:30 AM")),
    ],
)
def test_local_to_utc_refuses_gap(local, zone, jump):
    with pytest.raises(NonexistentTime) as info:
        local_to_utc(local, zone)
    message = str(info.value)
    assert "does not exist" in message
    assert f"from {jump[0]} to {jump[1]}" in message
    assert not timefmt.is_ambiguous(local, zone)


@pytest.mark.parametrize(
    ("local", "zone", "first_utc", "second_utc", "abbrs"),
    [
        (datetime(2026, 11, 1, 1, 30), "America/New_York",
         utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30), ("EDT", "EST")),
        (datetime(2026, 10, 25, 1, 30), "Europe/London",
         utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30), ("BST", "GMT")),
    ],
)  # fmt: skip
def test_local_to_utc_overlap_needs_a_choice(local, zone, first_utc, second_utc, abbrs):
    with pytest.raises(AmbiguousTime) as info:
        local_to_utc(local, zone)
    assert "happens twice" in str(info.value)
    assert (info.value.first_abbr, info.value.second_abbr) == abbrs
    assert timefmt.is_ambiguous(local, zone)
    assert local_to_utc(local, zone, fold=0) == first_utc
    assert local_to_utc(local, zone, fold=1) == second_utc


def test_local_dates_across_midnight_and_ending_at_midnight():
    zone = "Europe/London"
    start = local_to_utc(datetime(2026, 7, 17, 22), zone)
    assert timefmt.local_dates(start, local_to_utc(datetime(2026, 7, 18, 1), zone), zone) == (
        date(2026, 7, 17),
        date(2026, 7, 18),
    )
    assert timefmt.local_dates(start, local_to_utc(datetime(2026, 7, 18, 0), zone), zone) == (
        date(2026, 7, 17),
        date(2026, 7, 17),
    )


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"])
def test_all_day_instants_cover_the_local_days(zone):
    start, end = timefmt.all_day_instants(date(2026, 9, 24), date(2026, 9, 26), zone)
    assert timefmt.to_local(start, zone).date() == date(2026, 9, 24)
    assert timefmt.to_local(start, zone).time() == time(0)
    assert timefmt.to_local(end, zone).date() == date(2026, 9, 27)


def test_all_day_across_dst_change_is_still_whole_days():
    start, end = timefmt.all_day_instants(date(2026, 3, 7), date(2026, 3, 8), "America/New_York")
    assert (end - start).total_seconds() == 47 * 3600


def test_month_bounds():
    assert timefmt.month_bounds(2026, 2) == (date(2026, 2, 1), date(2026, 2, 28))
    assert timefmt.month_bounds(2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))
    assert timefmt.month_bounds(2026, 12) == (date(2026, 12, 1), date(2026, 12, 31))


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules"])
def test_names_that_are_no_place_are_not_zones(name):
    assert not timefmt.is_valid_zone(name) and name not in timefmt.all_zone_names()


def test_ordinary_and_legacy_zones_stay_valid():
    assert all(timefmt.is_valid_zone(n) for n in ("America/New_York", "UTC", "EST5EDT"))


def test_forms_suggest_current_zone_names_and_still_accept_old_ones():
    suggested = timefmt.suggested_zone_names()
    assert {"UTC", "Asia/Kolkata", "Europe/Kyiv", "Europe/Oslo", "America/New_York"} <= set(
        suggested
    )
    assert not {"Asia/Calcutta", "US/Eastern", "Europe/Kiev", "EST5EDT"} & set(suggested)
    assert set(suggested) <= set(timefmt.all_zone_names())
    assert timefmt.is_valid_zone("Asia/Calcutta") and timefmt.is_valid_zone("US/Eastern")


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("Dec 24, 2026, 12:00 – 1:00 PM EST", ["Dec 24, 2026,", "12:00 – 1:00 PM EST"]),
        (
            "Nov 7, 2026, 11:00 PM EST – Nov 8, 2026, 4:00 AM EST",
            ["Nov 7, 2026,", "11:00 PM EST – Nov 8, 2026,", "4:00 AM EST"],
        ),
        ("Mar 8, 2026", ["Mar 8, 2026"]),
        (
            "moved to Jul 3, 2026, 3:00 – 4:00 PM EDT",
            ["moved to Jul 3, 2026,", "3:00 – 4:00 PM EDT"],
        ),
        ("cancelled", ["cancelled"]),
    ],
)
def test_a_date_is_cut_only_after_a_days_year(text, pieces):
    assert timefmt.line_pieces(text) == pieces
