"""Import keeps a series a series: Google's and Outlook's exports come back out of our feed with
the same occurrences, and importing the same file again changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events
from servers import form_values
from sqlalchemy import func, select
from test_importer import ics, plan_of, sample

from events_app import recurrence, series
from events_app.extensions import db
from events_app.importing.apply import apply_import
from events_app.models import Event
from tests.conftest import NOW

ROUND_TRIPS = [
    # (sample, the import's "now") -- Google's public feed with splits, moves and EXDATEs;
    # Outlook's biweekly series in a Windows zone with EXDATEs; Outlook's all-day series with
    # an occurrence moved by a date-time RECURRENCE-ID.
    ("python-recurring-ical-events__machbar_16_feb_2019.ics", datetime(2019, 2, 16, tzinfo=UTC)),
    ("ical__office_356_custom_timezone.ics", datetime(2024, 6, 1, tzinfo=UTC)),
    ("node-ical__exchange_whole_day_moved_recurrence.ics", datetime(2026, 2, 1, tzinfo=UTC)),
]


def instances(data: bytes, uids: set[str], lo: datetime, hi: datetime) -> set[tuple]:
    calendar = icalendar.Calendar.from_ical(data)
    found = set()
    for e in recurring_ical_events.of(calendar).between(lo, hi):
        uid = str(e["UID"]).split("/")[0]  # a series written as separate events: derived UIDs
        if uid in uids and str(e.get("STATUS", "")).upper() != "CANCELLED":
            start, end = e["DTSTART"].dt, e["DTEND"].dt
            if isinstance(start, datetime):
                start, end = start.astimezone(UTC), end.astimezone(UTC)
            found.add((uid, start, end))
    return found


@pytest.mark.import_samples
@pytest.mark.parametrize(("name", "now"), ROUND_TRIPS)
def test_a_series_imports_as_a_series_and_comes_back_with_the_same_occurrences(
    app, app_ctx, client, name, now
):
    app.config.update(NOW=now, FEED_PAST_DAYS=120)
    data = sample(name)
    plan = plan_of(data, now=now)
    kept = [i for i in plan.items if i.rule is not None and i.action == "new"]
    assert kept, [i.reason for i in plan.items]
    apply_import(plan, db.session, publish=True)
    masters = db.session.scalars(select(Event).where(Event.series_master.is_(True))).all()
    assert {m.uid for m in masters} == {i.uid for i in kept}
    ours = client.get("/feeds/all.ics").data
    assert ours.count(b"RRULE:") >= 1
    uids = {i.uid for i in plan.items if i.action == "new"}
    lo, hi = now - timedelta(days=60), now + timedelta(days=300)
    assert instances(ours, uids, lo, hi) == instances(data, uids, lo, hi)

    again = plan_of(data, now=now)
    assert {i.action for i in again.items if i.rule is not None} == {"unchanged"}, [
        (i.title, i.changes) for i in again.items if i.action == "update"
    ]


SERIES = """UID:show-1@example.org
SUMMARY:The Telecom Hour
DTSTART;TZID=America/New_York:20260618T120000
DTEND;TZID=America/New_York:20260618T130000
RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20261231T170000Z
EXDATE;TZID=America/New_York:20260702T120000
URL:https://example.org/radio"""
MOVED = """UID:show-1@example.org
RECURRENCE-ID;TZID=America/New_York:20260709T120000
SUMMARY:The Telecom Hour: live from the summit
DTSTART;TZID=America/New_York:20260710T150000
DTEND;TZID=America/New_York:20260710T160000"""


def test_a_reimport_updates_the_series_matched_by_uid(app_ctx):
    apply_import(plan_of(ics(SERIES, MOVED)), db.session, publish=True)
    master = db.session.scalar(select(Event).where(Event.uid == "show-1@example.org"))
    assert master.series_master and master.rule.until.isoformat() == "2026-12-31"
    by_day = {o.recurrence_id.date().isoformat(): o for o in master.occurrences}
    assert by_day["2026-07-02"].status == "cancelled"
    assert by_day["2026-07-09"].title == "The Telecom Hour: live from the summit"
    assert by_day["2026-07-09"].start_at == datetime(2026, 7, 10, 19, 0, tzinfo=UTC)
    count = db.session.scalar(select(func.count(Event.id)))

    edited = SERIES.replace("EXDATE;TZID=America/New_York:20260702T120000",
                            "EXDATE;TZID=America/New_York:20260716T120000")  # fmt: skip
    plan = plan_of(ics(edited.replace("UNTIL=20261231", "UNTIL=20261130"), MOVED))
    (item,) = plan.items
    assert item.action == "update" and set(item.changes) == {"repeats", "exceptions"}
    apply_import(plan, db.session, publish=True)
    db.session.expire_all()
    by_day = {o.recurrence_id.date().isoformat(): o for o in master.occurrences}
    assert by_day["2026-07-16"].status == "cancelled"
    assert max(by_day) == "2026-11-26"
    assert db.session.scalar(select(func.count(Event.id))) < count  # December went, no copies


def test_a_series_imports_with_its_venue_on_every_date(app_ctx, create_venue):
    """LOCATION naming a venue here is every date's venue; a changed date's own LOCATION is
    its own; a re-import naming another venue moves the dates that had the series' venue."""
    hall = create_venue(name="Hall A", city="Boston", timezone="America/New_York")
    annex = create_venue(name="Annex", city="Boston", timezone="America/New_York")
    room = create_venue(name="Club Room", city="Boston", timezone="America/New_York")
    hall_id, annex_id, room_id = hall.id, annex.id, room.id
    at_hall = SERIES + "\nLOCATION:Hall A, Boston"
    moved_to_room = MOVED + "\nLOCATION:Club Room, Boston"
    apply_import(plan_of(ics(at_hall, moved_to_room)), db.session, publish=True)
    db.session.commit()
    db.session.expire_all()
    master = db.session.scalar(select(Event).where(Event.uid == "show-1@example.org"))
    venues = {o.recurrence_id.date().isoformat(): o.venue_id for o in master.occurrences}
    assert master.venue_id == hall_id and venues.pop("2026-07-09") == room_id
    assert set(venues.values()) == {hall_id}
    at_annex = at_hall.replace("Hall A", "Annex")
    apply_import(plan_of(ics(at_annex, moved_to_room)), db.session, publish=True)
    db.session.commit()
    db.session.expire_all()
    venues = {o.recurrence_id.date().isoformat(): o.venue_id for o in master.occurrences}
    assert master.venue_id == annex_id and venues.pop("2026-07-09") == room_id
    assert set(venues.values()) == {annex_id}
    (item,) = plan_of(ics(at_annex, moved_to_room)).items
    assert item.action == "unchanged", item.changes


def test_a_series_imported_as_a_draft_shows_none_of_its_dates_until_published(app_ctx, client):
    apply_import(plan_of(ics(SERIES, MOVED)), db.session, publish=False)
    master = db.session.scalar(select(Event).where(Event.uid == "show-1@example.org"))
    by_day = {o.recurrence_id.date().isoformat(): o for o in master.occurrences}
    assert {o.status for o in master.occurrences} == {"draft"}  # the EXDATE's one too
    assert by_day["2026-07-02"].own_status == "cancelled"
    assert client.get(f"/events/{by_day['2026-07-02'].slug}").status_code == 404
    before = series.template_values(master)
    master.status = "published"
    series.propagate(master, before)
    db.session.commit()
    assert by_day["2026-07-02"].status == "cancelled" and by_day["2026-07-09"].status == "published"
    assert client.get(f"/events/{by_day['2026-07-02'].slug}").status_code == 200
    (item,) = plan_of(ics(SERIES, MOVED)).items
    assert item.action == "unchanged", item.changes


def test_a_reimport_gives_the_files_cancelled_dates_and_then_changes_nothing(app_ctx):
    """A date cancelled here but not in the file: the file's list of cancelled dates wins, as
    it does for a single event's STATUS, and the same file again is "unchanged"."""
    apply_import(plan_of(ics(SERIES, MOVED)), db.session, publish=True)
    master = db.session.scalar(select(Event).where(Event.uid == "show-1@example.org"))
    here = next(o for o in master.occurrences if o.recurrence_id.date().isoformat() == "2026-07-16")
    series.set_date_status(here, "cancelled")
    db.session.commit()
    (item,) = plan_of(ics(SERIES, MOVED)).items
    assert item.action == "update" and set(item.changes) == {"exceptions"}
    assert "2026-07-16 12:00: removed" in item.changes["exceptions"][0]
    assert "2026-07-16" not in item.changes["exceptions"][1]
    apply_import(plan_of(ics(SERIES, MOVED)), db.session, publish=True)
    db.session.expire_all()
    assert (here.status, here.own_status) == ("published", None)
    (again,) = plan_of(ics(SERIES, MOVED)).items
    assert again.action == "unchanged", again.changes


def test_a_rule_we_cannot_keep_is_still_imported_as_separate_events(app_ctx):
    odd = SERIES.replace("RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20261231T170000Z",
                         "RRULE:FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1;COUNT=3")  # fmt: skip
    plan = plan_of(ics(odd))
    assert all(i.rule is None for i in plan.items) and len(plan.items) >= 2


@pytest.fixture
def logged_in(app, client, auth, editor):
    app.config["NOW"] = NOW
    auth.login()
    return client


def test_a_series_whose_dates_overlap_is_imported_as_a_series_its_form_saves(app_ctx, logged_in):
    """Our form refuses to make a series' dates run into each other (series_form); a file's
    series that already does stays a series (a re-import changes nothing), and its form saves
    an edit that leaves its dates as they are."""
    overlapping = SERIES.replace("DTEND;TZID=America/New_York:20260618T130000",
                                 "DTEND;TZID=America/New_York:20260628T130000")  # fmt: skip
    assert overlapping != SERIES
    plan = plan_of(ics(overlapping))
    (item,) = plan.items
    assert item.action == "new" and item.rule is not None
    apply_import(plan, db.session, publish=True)
    assert {i.action for i in plan_of(ics(overlapping)).items} == {"unchanged"}
    master = db.session.scalar(select(Event).where(Event.series_master.is_(True)))
    page = logged_in.get(f"/staff/events/{master.id}/edit").text
    data = {**form_values(page[page.index('class="event-form"') :].split("</form>")[0]),
            "title": "The Telecom Hour, renamed", "save": "Save event"}  # fmt: skip
    assert logged_in.post(f"/staff/events/{master.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert master.title == "The Telecom Hour, renamed"


def test_a_changed_date_keeps_its_own_details_from_the_file(app_ctx):
    """An episode's own description and link in the file (RECURRENCE-ID) come with it; the
    same file again changes nothing."""
    episode = MOVED + "\nDESCRIPTION:Guest: the summit's chair.\nURL:https://example.org/summit"
    apply_import(plan_of(ics(SERIES, episode)), db.session, publish=True)
    master = db.session.scalar(select(Event).where(Event.uid == "show-1@example.org"))
    by_day = {o.recurrence_id.date().isoformat(): o for o in master.occurrences}
    moved, plain = by_day["2026-07-09"], by_day["2026-07-23"]
    assert moved.description == "Guest: the summit's chair."
    assert moved.registration_url == "https://example.org/summit"
    assert (
        plain.description == master.description
        and plain.registration_url == master.registration_url
    )
    (item,) = plan_of(ics(SERIES, episode)).items
    assert item.action == "unchanged", item.changes
    changed = episode.replace("the summit's chair", "the summit's host")
    (item,) = plan_of(ics(SERIES, changed)).items
    assert item.action == "update" and "exceptions" in item.changes


def test_a_daily_series_begun_long_before_the_window_is_read_and_given_every_date(app_ctx):
    """Apple's endless "Daily" of 2022: more than 1,000 dates before the window ends."""
    plan = plan_of(sample("ical__apple_ical.ics"))
    daily = next(i for i in plan.items if i.title == "Daily")
    assert daily.action == "new" and daily.rule is not None and daily.rule.freq == "daily"


def test_until_east_of_utc_keeps_the_last_date(app_ctx):
    """UNTIL is an instant: Monday 08:00 in Tokyo is Sunday 23:00 UTC, and is the last date."""
    data = ics(
        "UID:tokyo@t\nDTSTAMP:20260101T000000Z\nSUMMARY:Tokyo standup\n"
        "DTSTART;TZID=Asia/Tokyo:20270104T080000\nDTEND;TZID=Asia/Tokyo:20270104T083000\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270221T230000Z"
    )
    (item,) = plan_of(data).items
    assert item.rule.until == date(2027, 2, 22)
    walls = recurrence.wall_starts(item.rule, item.rule.until)
    assert (len(walls), walls[-1]) == (8, datetime(2027, 2, 22, 8, 0))


@pytest.mark.parametrize(
    ("rule", "through"),
    [
        # Daily since 1990: more than 10,000 dates up to the import window's end.
        ("DTSTART:19900101T080000Z\nDTEND:19900101T083000Z\nRRULE:FREQ=DAILY", "Jun 14, 2028"),
        # Its dates would be made up to a date it cancels: an EXDATE in 2060.
        (
            "DTSTART:20270105T080000Z\nDTEND:20270105T083000Z\nRRULE:FREQ=DAILY\n"
            "EXDATE:20600105T080000Z",
            "Jan 5, 2060",
        ),
    ],
)
def test_a_series_of_more_dates_than_one_may_hold_is_rejected_with_why(app_ctx, rule, through):
    data = ics("UID:many@t\nDTSTAMP:20260101T000000Z\nSUMMARY:Daily\n" + rule)
    (item,) = plan_of(data).items
    assert item.action == "rejected" and "repeats more than 10,000 times" in item.reason
    assert f"to {through}" in item.reason


def test_dates_a_file_cancels_or_changes_beyond_the_horizon_are_kept(app, app_ctx):
    """A weekly series whose file cancels one date and moves another past the two years our
    series reach: its dates are made up to there, and both exceptions hold (they were lost)."""
    app.config["NOW"] = NOW  # the horizon: Jun 14, 2028
    data = ics(
        "UID:far@t\nDTSTAMP:20260101T000000Z\nSUMMARY:Weekly far\nRRULE:FREQ=WEEKLY;BYDAY=TH\n"
        "DTSTART;TZID=America/New_York:20260702T100000\nDTEND;TZID=America/New_York:20260702T110000\n"
        "EXDATE;TZID=America/New_York:20260709T100000,20281207T100000",
        "UID:far@t\nDTSTAMP:20260101T000000Z\nSUMMARY:Weekly far (moved)\n"
        "RECURRENCE-ID;TZID=America/New_York:20281214T100000\n"
        "DTSTART;TZID=America/New_York:20281214T150000\nDTEND;TZID=America/New_York:20281214T160000",
    )
    apply_import(plan_of(data), db.session, publish=True)
    master = db.session.scalar(select(Event).where(Event.series_master.is_(True)))
    by_day = {o.recurrence_id.date(): o for o in master.occurrences}
    assert by_day[date(2026, 7, 9)].status == by_day[date(2028, 12, 7)].status == "cancelled"
    moved = by_day[date(2028, 12, 14)]
    assert (moved.title, moved.local_start.hour) == ("Weekly far (moved)", 15)
    # An edit of the series later keeps them: dates beyond the horizon are not dropped.
    series.sync(master, NOW.date())
    db.session.commit()
    assert {o.recurrence_id.date() for o in master.occurrences} >= {date(2028, 12, 14)}
    ics_text = app.test_client().get(f"/events/{master.slug}.ics").get_data(as_text=True)
    assert (
        "20281207T100000" in ics_text
        and "RECURRENCE-ID;TZID=America/New_York:20281214T100000" in ics_text
    )
