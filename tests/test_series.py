"""Series in the database: occurrences from the rule, changes to one or all, splits, and what
counts as a change of the series (SEQUENCE of the master, of an override)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from conftest import NOW

from events_app import series
from events_app.extensions import db
from events_app.feeds import ical
from events_app.models import Event

SITE = ical.Site("https://events.test")


def weekly(create_series, **fields) -> Event:
    return create_series(
        start=datetime(2026, 6, 18, 12, 0), zone="America/New_York", weekdays=("TH",), **fields
    )


def test_occurrences_exist_up_to_the_horizon_with_their_own_urls(create_series):
    show = weekly(create_series, title="The Telecom Hour", slug="telecom-hour")
    horizon = NOW.date() + timedelta(days=series.HORIZON_DAYS)
    assert len(show.occurrences) == 104  # Jun 18, 2026 to Jun 8, 2028
    assert show.occurrences[-1].recurrence_id.date() <= horizon
    first = show.occurrences[0]
    assert first.slug == "telecom-hour/2026-06-18"
    assert first.start_at == datetime(2026, 6, 18, 16, 0, tzinfo=UTC)
    assert show.occurrences[20].start_at.hour == 17  # November: EST, still 12:00 PM local
    assert (first.title, first.status, first.series_master) == (
        "The Telecom Hour",
        "published",
        False,
    )
    assert show.end_at == show.occurrences[-1].end_at


def test_a_bounded_rule_ends_and_extend_moves_an_open_horizon(create_series):
    short = weekly(create_series, count=3)
    assert len(short.occurrences) == 3
    open_show = weekly(create_series)
    later = NOW.date() + timedelta(days=60)
    assert series.extend(db.session, later) == 1  # the bounded one is left alone
    db.session.commit()
    assert open_show.occurrences[-1].recurrence_id.date() > NOW.date() + timedelta(days=750)


def test_changing_one_occurrence_raises_its_sequence_and_renews_the_master_block(create_series):
    show = weekly(create_series)
    version, sequence = show.version, show.sequence
    one = show.occurrences[3]
    one.set_timed(one.start_at + timedelta(days=1), one.end_at + timedelta(days=1), one.timezone)
    db.session.commit()
    assert one.sequence == 1
    assert show.version != version and show.sequence == sequence  # the rule did not change
    block = ical.render_event(show, SITE)
    assert f"SEQUENCE:{sequence}\r\n" in block.split("END:VEVENT")[0]
    assert block.count("RECURRENCE-ID") == 1


def test_cancelling_one_date_or_bringing_it_back_raises_the_master_sequence(create_series):
    """The master's VEVENT lists a cancelled date in EXDATE: a changed set of dates is a
    change of the series (RFC 5546), so its SEQUENCE rises, as the date's own does."""
    show = weekly(create_series)
    one = show.occurrences[3]
    sequences = [show.sequence]
    for status in ("cancelled", "published"):
        series.set_date_status(one, status)
        db.session.commit()
        sequences.append(show.sequence)
        master_block = ical.render_event(show, SITE).split("END:VEVENT")[0]
        assert f"SEQUENCE:{show.sequence}\r\n" in master_block
        assert ("EXDATE" in master_block) == (status == "cancelled")
    assert sequences[0] < sequences[1] < sequences[2]


def test_changing_the_rule_raises_the_master_sequence(create_series):
    show = weekly(create_series)
    sequence = show.sequence
    series.set_rule(show, replace(series.rule_of(show), start=datetime(2026, 6, 18, 13, 0)))
    series.sync(show, NOW.date())
    db.session.commit()
    assert show.sequence == sequence + 1
    assert all(o.local_start.hour == 13 for o in show.occurrences)
    extended = show.sequence
    series.extend(db.session, NOW.date() + timedelta(days=30))
    db.session.commit()
    assert show.sequence == extended  # more occurrences of the same rule are not a change


def test_editing_all_keeps_what_one_occurrence_changed_on_its_own(create_series):
    show = weekly(create_series, title="Hour")
    special = show.occurrences[2]
    special.title = "Hour: special"
    db.session.commit()
    before = series.template_values(show)
    show.title, show.summary = "The Hour", "New summary"
    series.propagate(show, before)
    db.session.commit()
    assert special.title == "Hour: special" and special.summary == "New summary"
    assert {o.title for o in show.occurrences if o is not special} == {"The Hour"}


def test_this_and_following_splits_and_the_earlier_part_keeps_its_uid(create_series):
    show = weekly(create_series, until=date(2026, 9, 24))
    uid = show.uid
    cut = show.occurrences[4]
    cut.recording_url = "https://example.com/rec"
    twin = series.split(db.session, cut, NOW.date())
    db.session.commit()
    assert show.uid == uid and twin.uid != uid
    assert [o.recurrence_id.date() for o in show.occurrences][-1] == date(2026, 7, 9)
    assert twin.occurrences[0] is cut and cut.slug.startswith(twin.slug + "/")
    assert cut.recording_url == "https://example.com/rec"
    assert len(show.occurrences) + len(twin.occurrences) == 15
    assert "UNTIL=20260709T160000Z" in ical.render_event(show, SITE)


def test_an_unsafe_rule_is_written_as_separate_events_with_permanent_uids(create_series):
    monthly = create_series(
        start=datetime(2026, 7, 31, 9, 0), zone="Europe/London", freq="monthly", count=4
    )
    block = ical.render_event(monthly, SITE)
    assert "RRULE" not in block
    uids = [line for line in block.split("\r\n") if line.startswith("UID:")]
    assert uids == [f"UID:{monthly.uid}/2026{m}31" for m in ("07", "08", "10", "12")]


def test_a_cancelled_series_stays_in_feeds_as_cancelled(create_series):
    show = weekly(create_series, count=3)
    before = series.template_values(show)
    show.status = "cancelled"
    series.propagate(show, before)
    db.session.commit()
    block = ical.render_event(show, SITE)
    assert "STATUS:CANCELLED" in block and "EXDATE" not in block and "RECURRENCE-ID" not in block


def test_the_extend_series_command_moves_the_horizon(app, runner, create_series):
    show = weekly(create_series)
    last = show.occurrences[-1].recurrence_id
    app.config["NOW"] = NOW + timedelta(days=30)
    result = runner.invoke(args=["extend-series"])
    assert result.exit_code == 0 and "1 series extended." in result.output
    db.session.expire_all()
    assert show.occurrences[-1].recurrence_id == last + timedelta(weeks=5)  # to Jul 14, 2028
