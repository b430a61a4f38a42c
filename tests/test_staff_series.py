"""Series through the staff pages: create a weekly show, cancel, move and retitle one date,
"this and following", "all occurrences", errors beside the Repeats fields, audit."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import NOW
from servers import form_values
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from test_staff_events import edit_page_fields, entries

from events_app import series_form
from events_app.extensions import db
from events_app.models import AuditEntry, Event, SeriesRule

SHOW = {
    "title": "The Telecom Hour",
    "kind": "audio",
    "status": "published",
    "summary": "Our weekly live show.",
    "start_date": "2026-06-18",
    "start_time": "12:00",
    "end_date": "2026-06-18",
    "end_time": "13:00",
    "timezone": "America/New_York",
    "venue": "",
    "online_url": "https://radio.example.com/live",
    "repeat-freq": "weekly",
    "repeat-interval": "1",
    "repeat-weekdays": ["TH"],
    "repeat-ends": "on",
    "repeat-until": "2027-06-24",
}


def said(response) -> str:
    """A page's or a rule preview's HTML without the spans that keep each piece of a date on
    one line (timefmt.line_pieces): its dates as they read."""
    return re.sub(r'<span class="nowrap">(.*?)</span>', r"\1", response.text)


@pytest.fixture
def logged_in(app, client, auth, editor):
    app.config["NOW"] = NOW
    auth.login()
    return client


def the_show() -> Event:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.slug == "the-telecom-hour"))


def on(master: Event, day: date) -> Event:
    return next(o for o in master.occurrences if o.recurrence_id.date() == day)


def occurrence_form(client, event: Event, **changes) -> dict:
    """What the edit page of one date posts back, with these changes."""
    local_start, local_end = event.local_start, event.local_end
    data = {
        **{k: v for k, v in SHOW.items() if not k.startswith("repeat-")},
        "title": event.title,
        "status": event.status,
        "start_date": local_start.date().isoformat(),
        "start_time": local_start.strftime("%H:%M"),
        "end_date": local_end.date().isoformat(),
        "end_time": local_end.strftime("%H:%M"),
        "repeat-freq": "weekly",
        "repeat-interval": "1",
        "repeat-weekdays": ["TH"],
        "repeat-ends": "on",
        "repeat-until": "2027-06-24",
        "repeat-scope": "this",
        **edit_page_fields(client, event.id),
    }
    data.update(changes)
    return data


def rule_columns(master: Event) -> tuple:
    r = master.rule
    return (r.freq, r.interval, r.weekdays, r.until, r.count, r.start_local, r.duration_minutes)


def feed(client) -> str:
    return client.get("/feeds/all.ics").get_data(as_text=True)


def test_create_the_weekly_show(logged_in, app_ctx, editor):
    response = logged_in.post("/staff/events/new", data=SHOW)
    assert response.status_code == 302
    show = the_show()
    assert show.series_master and len(show.occurrences) == 54
    assert on(show, date(2026, 12, 3)).start_at == datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    (entry,) = entries(show.id)
    assert json.loads(entry.changes)["repeats"] == [
        None,
        "Every Thursday at 12:00 PM New York time, until Jun 24, 2027: 54 occurrences",
    ]
    page = logged_in.get(f"/staff/events/{show.id}/edit").get_data(as_text=True)
    assert "Every Thursday at 12:00 PM New York time, until Jun 24, 2027: 54 occurrences" in page
    assert "Jun 25, 2026, 12:00 – 1:00 PM EDT" in page  # the next dates
    assert "Dates of this series" in page and "Dates from Jun 18, 2026." in page  # its first
    dashboard = logged_in.get("/staff/").get_data(as_text=True)
    assert "Series, weekly, Thursdays 12:00 PM New York time" in dashboard
    assert '<td data-label="When">Jun 18, 2026 – Jun 24, 2027</td>' in dashboard
    assert f"/staff/events/{show.occurrences[0].id}/edit" not in dashboard  # only the master
    assert "RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20270624T160000Z" in feed(logged_in)


def test_every_date_of_a_series_has_its_venue_and_follows_a_new_one(
    logged_in, app_ctx, create_venue
):
    """The venue chosen (or typed in) for a new series is every date's; a new venue for the
    series, from its own form or "all dates" of one date's, moves every date that had the old
    one, and a date given a venue of its own keeps it."""
    hall = create_venue(name="Hall A", timezone="America/New_York")
    annex = create_venue(name="Annex", timezone="America/New_York")
    own = create_venue(name="Own Room", timezone="America/New_York")
    hall_id, annex_id, own_id = hall.id, annex.id, own.id
    live = {**SHOW, "kind": "live", "venue": str(hall_id), "online_url": ""}
    assert logged_in.post("/staff/events/new", data=live).status_code == 302
    show = the_show()
    assert {o.venue_id for o in show.occurrences} == {hall_id}
    blocks = feed(logged_in).split("BEGIN:VEVENT")[1:]
    assert blocks and all("LOCATION:Hall A" in block for block in blocks)
    mine = on(show, date(2026, 7, 9))
    form = occurrence_form(logged_in, mine, kind="live", venue=str(own_id), online_url="")
    assert logged_in.post(f"/staff/events/{mine.id}/edit", data=form).status_code == 302
    master_form = {
        **live,
        "venue": str(annex_id),
        **edit_page_fields(logged_in, show.id),
        "repeat-scope": "all",
    }
    response = logged_in.post(f"/staff/events/{show.id}/edit", data=master_form)
    assert response.status_code == 302, response.get_data(as_text=True)
    show = the_show()
    venues = {o.recurrence_id.date(): o.venue_id for o in show.occurrences}
    assert venues.pop(date(2026, 7, 9)) == own_id
    assert set(venues.values()) == {annex_id}
    other = on(show, date(2026, 7, 16))
    form = occurrence_form(
        logged_in, other, kind="live", venue=str(hall_id), online_url="", **{"repeat-scope": "all"}
    )
    assert logged_in.post(f"/staff/events/{other.id}/edit", data=form).status_code == 302
    show = the_show()
    venues = {o.recurrence_id.date(): o.venue_id for o in show.occurrences}
    assert show.venue_id == hall_id and venues.pop(date(2026, 7, 9)) == own_id
    assert set(venues.values()) == {hall_id}
    # This and following, at another venue: the new part's dates are there, but the one with
    # its own venue; the earlier part stays where it was.
    later = on(the_show(), date(2026, 8, 6))
    form = occurrence_form(logged_in, later, kind="live", venue=str(annex_id), online_url="",
                           **{"repeat-scope": "following"})  # fmt: skip
    assert logged_in.post(f"/staff/events/{later.id}/edit", data=form).status_code == 302
    mine = on(the_show(), date(2026, 7, 9))  # before the split: the first part's own venue
    db.session.expire_all()
    twin = db.session.scalar(select(Event).where(Event.slug == "the-telecom-hour-from-2026-08-06"))
    assert twin.venue_id == annex_id and {o.venue_id for o in twin.occurrences} == {annex_id}
    first = {o.recurrence_id.date(): o.venue_id for o in the_show().occurrences}
    assert first.pop(date(2026, 7, 9)) == own_id and set(first.values()) == {hall_id}
    assert mine.venue_id == own_id
    # A venue typed in with a new series is its dates' too.
    typed = {**live, "title": "Breakfast Club", "venue": "new", "new_venue-name": "Club Room",
             "new_venue-city": "Boston", "new_venue-timezone": "America/New_York"}  # fmt: skip
    assert logged_in.post("/staff/events/new", data=typed).status_code == 302
    db.session.expire_all()
    club = db.session.scalar(select(Event).where(Event.slug == "breakfast-club"))
    assert club.venue is not None and club.venue.name == "Club Room"
    assert {o.venue_id for o in club.occurrences} == {club.venue_id}


def test_cancel_move_and_retitle_single_dates(logged_in, app_ctx):
    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    cancelled, moved, special = (on(show, date(2026, 11, d)) for d in (26, 5, 12))
    assert (
        logged_in.post(
            f"/staff/events/{cancelled.id}/edit",
            data=occurrence_form(logged_in, cancelled, status="cancelled"),
        ).status_code
        == 302
    )
    logged_in.post(
        f"/staff/events/{moved.id}/edit",
        data=occurrence_form(logged_in, moved, start_date="2026-11-06", end_date="2026-11-06",
                             start_time="15:00", end_time="16:00"),
    )  # fmt: skip
    logged_in.post(
        f"/staff/events/{special.id}/edit",
        data=occurrence_form(logged_in, special, title="The Telecom Hour: 6G special"),
    )
    body = feed(logged_in)
    assert "EXDATE;TZID=America/New_York:20261126T120000" in body
    assert "RECURRENCE-ID;TZID=America/New_York:20261105T120000" in body
    assert "DTSTART;TZID=America/New_York:20261106T150000" in body
    assert "SUMMARY:The Telecom Hour: 6G special" in body
    listing = logged_in.get("/events/?kind=audio&from=2026-11-01&to=2026-11-30")
    html = listing.get_data(as_text=True)
    assert "is-cancelled" in html and "6G special" in html and "Nov 6, 2026, 3:00" in html
    assert the_show().occurrences[0].title == "The Telecom Hour"  # the others are untouched
    assert "Moved</span> from Nov 5, 2026, 12:00 PM EST" in html
    dates = logged_in.get(f"/staff/events/{show.id}/edit").text.split('id="occurrences-h"')[1]
    assert dates.count(">moved</span>") == 1 and "from Nov 5, 2026, 12:00 PM EST" in dates


def test_one_date_may_not_be_stretched_over_the_next_ones(logged_in, app_ctx):
    """The series' last day typed as one date's end made a date of two months, shown on every
    day of them: refused beside the end date, as the series' own form refuses it; a date moved
    onto a cancelled one's time is fine."""
    logged_in.post("/staff/events/new", data=SHOW)
    one = on(the_show(), date(2026, 7, 9))
    form = occurrence_form(logged_in, one, end_date="2026-09-03")
    response = logged_in.post(f"/staff/events/{one.id}/edit", data=form)
    assert response.status_code == 400
    assert "would run into the series&#39; date of Jul 16, 2026" in response.text
    assert 'value="2026-09-03"' in response.text  # what was typed stays
    assert on(the_show(), date(2026, 7, 9)).end_at == one.end_at
    cancelled = on(the_show(), date(2026, 7, 16))
    logged_in.post(f"/staff/events/{cancelled.id}/status", data={"status": "cancelled"})
    form = occurrence_form(logged_in, one, start_date="2026-07-16", end_date="2026-07-16")
    assert logged_in.post(f"/staff/events/{one.id}/edit", data=form).status_code == 302


def test_this_and_following_starts_a_new_series_at_a_new_time(logged_in, app_ctx):
    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    uid = show.uid
    cut = on(show, date(2027, 1, 7))
    response = logged_in.post(
        f"/staff/events/{cut.id}/edit",
        data=occurrence_form(logged_in, cut, start_time="13:00", end_time="14:00",
                             **{"repeat-scope": "following"}),
    )  # fmt: skip
    assert response.status_code == 302
    show = the_show()
    assert show.uid == uid and show.rule.until == date(2026, 12, 31)
    twin = db.session.get(Event, cut.id).series
    assert twin is not show and twin.uid != uid
    assert all(o.local_start.hour == 13 for o in twin.occurrences)
    assert twin.rule.until == date(2027, 6, 24) and len(twin.occurrences) == 25
    assert all(o.local_start.hour == 12 for o in show.occurrences)
    body = feed(logged_in)
    assert "UNTIL=20261231T170000Z" in body
    assert "DTSTART;TZID=America/New_York:20270107T130000" in body
    month = logged_in.get("/calendar/2027/01").get_data(as_text=True)
    jan7 = month.split(f'href="/events/{twin.slug}/2027-01-07"')[0].rsplit("cal-time", 1)[1]
    assert "1:00 PM EST" in jan7
    assert twin.slug == "the-telecom-hour-from-2027-01-07"


def test_following_on_another_weekday_leads_to_the_new_series_not_the_deleted_date(
    logged_in, app_ctx
):
    logged_in.post("/staff/events/new", data=SHOW)
    cut = on(the_show(), date(2027, 1, 7))  # a Thursday; the new part is on Fridays
    cut_id = cut.id
    form = occurrence_form(logged_in, cut, **{"repeat-scope": "following",
                                              "repeat-weekdays": ["FR"]})  # fmt: skip
    response = logged_in.post(f"/staff/events/{cut_id}/edit", data=form)
    assert response.status_code == 302
    assert db.session.get(Event, cut_id) is None  # the rule has no Thursday any more
    twin = db.session.scalar(select(Event).where(Event.slug == "the-telecom-hour-from-2027-01-07"))
    assert response.location == f"/staff/events/{twin.id}/edit"
    page = logged_in.get(response.location)
    assert page.status_code == 200
    assert "Jan 7, 2027 is no longer one of its dates." in page.text
    assert "Every Friday" in page.text


def test_a_new_rule_on_one_dates_form_is_not_dropped_silently(logged_in, app_ctx):
    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    one = on(show, date(2026, 7, 9))
    before = rule_columns(show)
    for change in ({"repeat-until": "2026-12-31"}, {"repeat-weekdays": ["TH", "FR"]},
                   {"repeat-ends": "after", "repeat-count": "5"}):  # fmt: skip
        form = occurrence_form(logged_in, one, title="Renamed alone", **change)
        response = logged_in.post(f"/staff/events/{one.id}/edit", data=form)
        assert response.status_code == 400, change
        assert "Repeats belongs to the whole series" in response.text
        assert "Renamed alone" in response.text  # what was typed comes back
        assert rule_columns(the_show()) == before
        assert on(the_show(), date(2026, 7, 9)).title == "The Telecom Hour"
    # Left as it was, Repeats does not stand in the way of the date's own change.
    form = occurrence_form(logged_in, one, title="Renamed alone")
    assert logged_in.post(f"/staff/events/{one.id}/edit", data=form).status_code == 302
    assert on(the_show(), date(2026, 7, 9)).title == "Renamed alone"


def test_all_occurrences_keeps_what_one_date_changed_on_its_own(logged_in, app_ctx):
    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    special = on(show, date(2026, 7, 9))
    logged_in.post(
        f"/staff/events/{special.id}/edit",
        data=occurrence_form(logged_in, special, title="Summer special"),
    )
    other = on(the_show(), date(2026, 7, 16))
    response = logged_in.post(
        f"/staff/events/{other.id}/edit",
        data=occurrence_form(logged_in, other, summary="Now with call-ins.",
                             **{"repeat-scope": "all"}),
    )  # fmt: skip
    assert response.status_code == 302
    show = the_show()
    assert {o.summary for o in show.occurrences} == {"Now with call-ins."}
    assert on(show, date(2026, 7, 9)).title == "Summer special"
    assert show.summary == "Now with call-ins."
    assert json.loads(entries(show.id)[-1].changes)["summary"][1] == "Now with call-ins."


def test_repeat_errors_are_shown_beside_the_fields_and_input_is_kept(logged_in, app_ctx):
    response = logged_in.post("/staff/events/new", data={**SHOW, "repeat-until": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the last date, or choose another ending." in html
    assert "Our weekly live show." in html
    bad = logged_in.post("/staff/events/new", data={**SHOW, "repeat-interval": "0"})
    assert bad.status_code == 400 and "from 1 to 99" in bad.get_data(as_text=True)
    # A count is bounded by the years the site shows, as a last date is.
    for sent in (
        {"repeat-freq": "yearly", "repeat-interval": "99", "repeat-count": "1000"},
        {"start_date": "2999-12-24", "end_date": "2999-12-24", "repeat-count": "10"},
    ):
        long = logged_in.post("/staff/events/new", data={**SHOW, "repeat-ends": "after", **sent})
        assert long.status_code == 400, sent
        assert "dates would run past 2999: enter fewer." in long.text
    fits = {"repeat-ends": "after", "repeat-count": "1", "start_date": "2999-12-24",
            "end_date": "2999-12-24"}  # fmt: skip
    assert db.session.scalar(select(Event.id)) is None
    assert logged_in.post("/staff/events/new", data={**SHOW, **fits}).status_code == 302


def test_a_count_that_fits_is_not_refused_when_saved_from_a_later_date(logged_in, app_ctx):
    """A yearly series of 974 dates ends in 2999; saved from its second date for "this and
    following", the count is the series', and the new part has 973 of them."""
    yearly = {**SHOW, "title": "Yearly", "repeat-freq": "yearly", "repeat-ends": "after",
              "repeat-count": "974"}  # fmt: skip
    yearly.pop("repeat-weekdays")
    assert logged_in.post("/staff/events/new", data=yearly).status_code == 302
    master = db.session.scalar(select(Event).where(Event.slug == "yearly"))
    second = on(master, date(2027, 6, 18))
    form = occurrence_form(logged_in, second, start_time="13:00", end_time="14:00",
                           **{"repeat-scope": "following", "repeat-freq": "yearly",
                              "repeat-ends": "after", "repeat-count": "974"})  # fmt: skip
    form.pop("repeat-weekdays")
    response = logged_in.post(f"/staff/events/{second.id}/edit", data=form)
    assert response.status_code == 302, response.text[:2000]
    db.session.expire_all()
    assert db.session.get(Event, second.id).series.rule.count == 973


@pytest.mark.parametrize(
    "sent",
    [
        {"repeat-ends": "someday"},
        {"repeat-freq": "monthly", "repeat-monthly_by": "moon"},
        {"repeat-weekdays": ["TH", "XX"]},
    ],
)
def test_a_repeat_option_no_page_offers_is_refused_beside_it(logged_in, app_ctx, sent):
    """A hand-made request, not a guess: "someday" used to save a series that never ends."""
    response = logged_in.post("/staff/events/new", data={**SHOW, **sent})
    assert response.status_code == 400
    assert "Choose from the options shown." in response.text
    assert "Our weekly live show." in response.text
    assert db.session.scalar(select(Event.id)) is None


def test_a_series_cannot_stop_repeating_by_accident(logged_in, app_ctx):
    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    data = {**SHOW, "repeat-freq": "never", **edit_page_fields(logged_in, show.id)}
    data.pop("slug", None)
    response = logged_in.post(f"/staff/events/{show.id}/edit", data=data)
    assert response.status_code == 400
    assert "A series keeps repeating" in response.get_data(as_text=True)
    # From one date, for it and the following ones or for all: refused as well, not ignored.
    one = on(the_show(), date(2026, 7, 9))
    for scope in ("following", "all"):
        data = occurrence_form(logged_in, one, **{"repeat-freq": "never", "repeat-scope": scope})
        response = logged_in.post(f"/staff/events/{one.id}/edit", data=data)
        assert response.status_code == 400 and "A series keeps repeating" in response.text, scope
    assert the_show().rule.until == date(2027, 6, 24) and len(the_show().occurrences) == 54


def test_publishing_states_apply_to_the_whole_series(logged_in, app_ctx):
    logged_in.post("/staff/events/new", data={**SHOW, "status": "draft"})
    show = the_show()
    assert app_ctx.test_client().get("/events/the-telecom-hour/2026-06-18").status_code == 404
    logged_in.post(f"/staff/events/{show.id}/status", data={"status": "published"})
    assert {o.status for o in the_show().occurrences} == {"published"}
    assert logged_in.get("/events/the-telecom-hour/2026-06-18").status_code == 200


def test_a_date_cancelled_on_its_own_stays_so_and_a_draft_series_shows_none(logged_in, app_ctx):
    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    alone = on(show, date(2026, 6, 25))
    logged_in.post(
        f"/staff/events/{alone.id}/edit", data=occurrence_form(logged_in, alone, status="cancelled")
    )
    cancelled_page = "/events/the-telecom-hour/2026-06-25"
    public = ("/events/?kind=audio", "/calendar/2026/06", "/feeds/all.ics", "/api/v1/events")

    visitor = app_ctx.test_client()

    def status(path: str) -> int:
        return visitor.get(path).status_code

    def shown(path: str) -> bool:
        return "The Telecom Hour" in visitor.get(path).text

    def statuses() -> dict[date, str]:
        return {o.recurrence_id.date(): o.status for o in the_show().occurrences}

    # Unpublished, the series shows no date at all, not even its cancelled one.
    logged_in.post(f"/staff/events/{show.id}/status", data={"status": "draft"})
    assert set(statuses().values()) == {"draft"}
    assert status(cancelled_page) == status("/events/the-telecom-hour/2026-06-18") == 404
    assert not any(shown(path) for path in public)
    # Published again, the date cancelled on its own is still cancelled; so after the whole
    # series was cancelled and published again; postponing the series leaves it cancelled.
    for steps in (["published"], ["cancelled", "published"], ["postponed"], ["published"]):
        for step in steps:
            logged_in.post(f"/staff/events/{show.id}/status", data={"status": step})
        dates = statuses()
        assert dates.pop(date(2026, 6, 25)) == "cancelled", steps
        assert set(dates.values()) == {steps[-1]}, steps
    assert status(cancelled_page) == 200 and all(shown(path) for path in public)
    assert "EXDATE;TZID=America/New_York:20260625T120000" in feed(logged_in)
    # The date's own form shows and keeps what it was given on its own, under a draft series.
    logged_in.post(f"/staff/events/{show.id}/status", data={"status": "draft"})
    form = form_values(logged_in.get(f"/staff/events/{alone.id}/edit").text)
    assert form["status"] == "cancelled"  # its own status, not the series' draft
    form.update({"title": "The Telecom Hour: renamed", "repeat-scope": "this"})
    assert logged_in.post(f"/staff/events/{alone.id}/edit", data=form).status_code == 302
    logged_in.post(f"/staff/events/{show.id}/status", data={"status": "published"})
    assert statuses()[date(2026, 6, 25)] == "cancelled"
    assert on(the_show(), date(2026, 6, 25)).title == "The Telecom Hour: renamed"


def test_a_date_of_a_draft_or_cancelled_series_cannot_be_published_alone(logged_in, app_ctx):
    logged_in.post("/staff/events/new", data={**SHOW, "status": "draft"})
    show = the_show()
    one = show.occurrences[0]
    for series_status, words in (("draft", "is a draft"), ("cancelled", "is cancelled")):
        logged_in.post(f"/staff/events/{show.id}/status", data={"status": series_status})
        for chosen in ("published", "postponed"):
            button = logged_in.post(
                f"/staff/events/{one.id}/status", data={"status": chosen}, follow_redirects=True
            )
            assert "is unchanged" in button.text and words in button.text
            form = occurrence_form(logged_in, one, status=chosen)
            refused = logged_in.post(f"/staff/events/{one.id}/edit", data=form)
            assert refused.status_code == 400 and words in refused.text
            assert "The Telecom Hour" in refused.text  # what was typed is on the page
        the_one = on(the_show(), one.recurrence_id.date())
        assert (the_one.status, the_one.own_status) == (series_status, None)
    # Cancelling one date of a draft series is kept for when it is published, and said.
    logged_in.post(f"/staff/events/{show.id}/status", data={"status": "draft"})
    logged_in.post(f"/staff/events/{one.id}/status", data={"status": "cancelled"})
    dates = logged_in.get(f"/staff/events/{show.id}/edit").text.split('id="occurrences-h"')[1]
    assert dates.count("<small>cancelled on its own</small>") == 1
    logged_in.post(f"/staff/events/{show.id}/status", data={"status": "published"})
    assert on(the_show(), one.recurrence_id.date()).status == "cancelled"


def test_a_date_moved_to_another_zone_says_where_it_was_in_the_series_zone(logged_in, app_ctx):
    """A London series' date moved to New York: "moved from" says 3:00 PM BST (the series'
    time, as the feed's RECURRENCE-ID does), not 3:00 PM in New York."""
    london = {**SHOW, "timezone": "Europe/London", "start_time": "15:00", "end_time": "16:00"}
    logged_in.post("/staff/events/new", data=london)
    one = on(the_show(), date(2026, 7, 9))
    form = occurrence_form(logged_in, one, timezone="America/New_York",
                           start_time="11:00", end_time="12:00")  # fmt: skip
    assert logged_in.post(f"/staff/events/{one.id}/edit", data=form).status_code == 302
    one = on(the_show(), date(2026, 7, 9))
    assert one.moved_from == "Jul 9, 2026, 3:00 PM BST"
    page = logged_in.get(f"/events/{one.slug}").text
    assert "from Jul 9, 2026, 3:00 PM BST" in page
    assert "(weekly, Thursdays 3:00 PM BST)" in page
    assert "RECURRENCE-ID;TZID=Europe/London:20260709T150000" in feed(logged_in)


def test_all_dates_from_a_moved_date_keep_the_series_time_unless_its_time_changed(
    logged_in, app_ctx
):
    logged_in.post("/staff/events/new", data=SHOW)
    moved = on(the_show(), date(2026, 7, 2))
    logged_in.post(
        f"/staff/events/{moved.id}/edit",
        data=occurrence_form(logged_in, moved, start_date="2026-07-03", end_date="2026-07-03",
                             start_time="15:00", end_time="16:30"),
    )  # fmt: skip
    moved = on(the_show(), date(2026, 7, 2))
    retitled = occurrence_form(logged_in, moved, title="The Telecom Hour (new name)",
                               **{"repeat-scope": "all"})  # fmt: skip
    preview = said(logged_in.post(f"/staff/events/rule-preview?event={moved.id}", data=retitled))
    assert "Every Thursday at 12:00 PM" in preview and "already took place" not in preview
    assert "(moved to Jul 3, 2026, 3:00 – 4:30 PM EDT)" in preview  # it stays moved
    assert logged_in.post(f"/staff/events/{moved.id}/edit", data=retitled).status_code == 302
    show = the_show()
    assert show.rule.start_local.hour == 12 and show.rule.duration_minutes == 60
    assert {o.title for o in show.occurrences} == {"The Telecom Hour (new name)"}
    assert on(show, date(2026, 7, 2)).local_start.hour == 15  # still moved on its own
    assert on(show, date(2026, 7, 9)).local_start.hour == 12
    # Its time changed too: that is the series' new time.
    later = occurrence_form(logged_in, on(show, date(2026, 7, 2)), start_time="13:00",
                            end_time="14:00", **{"repeat-scope": "all"})  # fmt: skip
    assert logged_in.post(f"/staff/events/{moved.id}/edit", data=later).status_code == 302
    assert on(the_show(), date(2026, 7, 9)).local_start.hour == 13


def test_a_date_moved_into_another_zone_keeps_it_through_the_series_edits(logged_in, app_ctx):
    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    master_id = show.id

    def series_now() -> Event:
        db.session.expire_all()
        return db.session.get(Event, master_id)

    london = on(show, date(2026, 7, 9))
    form = occurrence_form(logged_in, london, timezone="Europe/London")  # 12:00 stays
    assert logged_in.post(f"/staff/events/{london.id}/edit", data=form).status_code == 302
    moved_at = datetime(2026, 7, 9, 11, 0, tzinfo=UTC)  # 12:00 in London (BST), not in New York
    assert on(series_now(), date(2026, 7, 9)).start_at == moved_at
    preview = said(logged_in.post(f"/staff/events/rule-preview?event={show.id}", data=SHOW))
    assert "(moved to Jul 9, 2026, 12:00 – 1:00 PM BST)" in preview
    # The series' own edits leave it where it was put, and move the other dates.
    changes = (
        {"title": "The Telecom Hour (new name)"},
        {"start_time": "14:00", "end_time": "15:00"},
        {"start_time": "14:00", "end_time": "15:30"},
        {"start_time": "14:00", "end_time": "15:30", "timezone": "America/Chicago"},
    )
    for change in changes:
        data = {**SHOW, **change, **edit_page_fields(logged_in, show.id)}
        assert logged_in.post(f"/staff/events/{show.id}/edit", data=data).status_code == 302
        kept = on(series_now(), date(2026, 7, 9))
        assert (kept.timezone, kept.start_at) == ("Europe/London", moved_at), change
    follows = on(series_now(), date(2026, 7, 16))
    assert (follows.timezone, follows.start_at) == (
        "America/Chicago",
        datetime(2026, 7, 16, 19, 0, tzinfo=UTC),  # 14:00 in Chicago (CDT)
    )
    assert follows.end_at - follows.start_at == timedelta(minutes=90)


def test_a_status_saved_for_all_dates_becomes_the_series_and_frees_the_date(logged_in, app_ctx):
    logged_in.post("/staff/events/new", data=SHOW)
    first, second = the_show().occurrences[:2]
    logged_in.post(
        f"/staff/events/{first.id}/edit", data=occurrence_form(logged_in, first, status="cancelled")
    )
    everything = occurrence_form(logged_in, second, status="postponed", **{"repeat-scope": "all"})
    assert logged_in.post(f"/staff/events/{second.id}/edit", data=everything).status_code == 302
    show = the_show()
    assert show.status == "postponed"
    assert [o.status for o in show.occurrences[:3]] == ["cancelled", "postponed", "postponed"]
    assert show.occurrences[1].own_status is None  # it follows the series again


def test_this_and_following_keeps_what_is_left_of_a_count(logged_in, app_ctx):
    counted = {**SHOW, "repeat-ends": "after", "repeat-count": "10", "repeat-until": ""}
    logged_in.post("/staff/events/new", data=counted)
    cut = on(the_show(), date(2026, 7, 16))  # the fifth
    data = occurrence_form(logged_in, cut, start_time="13:00", end_time="14:00",
                           **{"repeat-scope": "following", "repeat-ends": "after",
                              "repeat-count": "10", "repeat-until": ""})  # fmt: skip
    # Before saving, the preview shows the rule each choice of scope would save.
    preview_url = f"/staff/events/rule-preview?event={cut.id}"
    following = said(logged_in.post(preview_url, data=data))
    assert ": 6 occurrences" in following and following.count("<li>") == 6
    assert "<li>Jul 16, 2026, 1:00 – 2:00 PM EDT</li>" in following
    everything = said(logged_in.post(preview_url, data={**data, "repeat-scope": "all"}))
    assert (
        ": 10 occurrences" in everything
        and "<li>Jun 18, 2026, 1:00 – 2:00 PM EDT</li>" in everything
    )
    alone = said(logged_in.post(preview_url, data={**data, "repeat-scope": "this"}))
    assert ": 10 occurrences" in alone and "<li>Jun 18, 2026, 12:00 – 1:00 PM EDT</li>" in alone
    page = said(logged_in.get(f"/staff/events/{cut.id}/edit"))
    assert f'data-rule-preview-url="{preview_url}"' in page
    assert "<li>Jun 18, 2026, 12:00 – 1:00 PM EDT</li>" in page  # the series' rule, as it is
    assert logged_in.post(f"/staff/events/{cut.id}/edit", data=data).status_code == 302
    twin = db.session.get(Event, cut.id).series
    assert twin.rule.count == 6 and len(twin.occurrences) == 6
    assert len(the_show().occurrences) == 4


def test_the_dates_a_split_moved_keep_their_old_addresses_as_redirects(logged_in, app_ctx):
    logged_in.post("/staff/events/new", data=SHOW)
    cut = on(the_show(), date(2026, 7, 16))
    data = occurrence_form(logged_in, cut, start_time="13:00", end_time="14:00",
                           **{"repeat-scope": "following"})  # fmt: skip
    assert logged_in.post(f"/staff/events/{cut.id}/edit", data=data).status_code == 302
    visitor = app_ctx.test_client()
    new = "/events/the-telecom-hour-from-2026-07-16/2026-07-23"
    for old, moved in (
        ("/events/the-telecom-hour/2026-07-23", new),
        ("/events/the-telecom-hour/2026-07-23.ics", new + ".ics"),
    ):
        response = visitor.get(old)
        assert response.status_code == 301 and response.headers["Location"] == moved, old
        assert response.headers["Cache-Control"] == "public, max-age=3600", old  # not for good
        assert visitor.get(moved).status_code == 200
    assert visitor.get("/events/the-telecom-hour/2026-07-09").status_code == 200  # not moved
    assert visitor.get("/events/the-telecom-hour/2026-07-24").status_code == 404  # no such date
    assert visitor.get("/events/no-such-show/2026-07-23").status_code == 404
    # The API too, by the old address or the old UID.
    api = "http://localhost/api/v1/events/the-telecom-hour-from-2026-07-16/2026-07-23"
    for old in ("the-telecom-hour/2026-07-23", f"{the_show().uid}/20260723"):
        response = visitor.get(f"/api/v1/events/{old}")
        assert response.status_code == 301 and response.headers["Location"] == api, old
        assert response.headers["Cache-Control"] == "public, max-age=3600", old  # not for good
        moved = visitor.get(response.headers["Location"]).get_json()["data"]
        assert moved["start"].startswith("2026-07-23T13:00")
    for gone in ("the-telecom-hour/2026-07-24", f"{the_show().uid}/20260724", "x/20260723"):
        assert visitor.get(f"/api/v1/events/{gone}").status_code == 404, gone


def test_a_series_address_leaves_room_for_its_dates(logged_in, app_ctx):
    """Each date's address is "<series>/<date>": a 200-character series address made 211, which
    PostgreSQL refused with a 500 (SQLite stored it)."""
    typed = logged_in.post("/staff/events/new", data={**SHOW, "slug": "a" * 200})
    assert typed.status_code == 400
    assert "keep it to 189 characters" in typed.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Event.id))) == 0
    made = logged_in.post("/staff/events/new", data={**SHOW, "title": "T" * 200, "slug": ""})
    assert made.status_code == 302
    db.session.expire_all()
    slugs = db.session.scalars(select(Event.slug)).all()
    assert len(slugs) > 1 and max(map(len, slugs)) <= 200
    single = {k: v for k, v in SHOW.items() if not k.startswith("repeat-")}
    one = logged_in.post("/staff/events/new", data={**single, "slug": "b" * 200})
    assert one.status_code == 302  # a single event keeps the whole column


def test_a_copy_of_one_date_is_an_event_of_its_own_that_saves_and_shows(logged_in, app_ctx):
    """It used to get the address "<series>/<date>-copy": no page answered it, and its own
    form refused, unchanged, the address the app had made."""
    logged_in.post("/staff/events/new", data=SHOW)
    date_of = on(the_show(), date(2026, 6, 25))
    copied = logged_in.post(f"/staff/events/{date_of.id}/duplicate")
    copy = db.session.get(Event, int(copied.headers["Location"].split("/")[-2]))
    assert copy.slug == "the-telecom-hour-2026-06-25-copy" and copy.series_id is None
    data = {**SHOW, **edit_page_fields(logged_in, copy.id), "slug": copy.slug}
    data = {k: v for k, v in data.items() if not k.startswith("repeat-")}
    data.update(start_date="2026-06-25", end_date="2026-06-25", status="published")
    assert logged_in.post(f"/staff/events/{copy.id}/edit", data=data).status_code == 302
    assert logged_in.get(f"/events/{copy.slug}").status_code == 200


def test_a_copy_of_a_series_is_a_draft_series_and_outlives_it(app, client, auth, admin):
    app.config["NOW"] = NOW
    auth.login("admin@example.com")
    client.post("/staff/events/new", data=SHOW)
    show = the_show()
    copied = client.post(f"/staff/events/{show.id}/duplicate")
    copy = db.session.get(Event, int(copied.headers["Location"].split("/")[-2]))
    assert copy.series_master and copy.status == "draft" and copy.uid != show.uid
    assert rule_columns(copy) == rule_columns(show)
    assert [o.start_at for o in copy.occurrences] == [o.start_at for o in show.occurrences]
    assert {o.status for o in copy.occurrences} == {"draft"}
    assert {o.slug.split("/")[0] for o in copy.occurrences} == {"the-telecom-hour-copy"}
    page = client.get(copied.headers["Location"]).text
    assert "as a draft series with the same rule" in page
    assert "Every Thursday at 12:00 PM New York time, until Jun 24, 2027" in page
    assert app.test_client().get("/events/the-telecom-hour-copy/2026-06-18").status_code == 404
    dashboard = client.get("/staff/").text
    assert (
        'data-confirm="Delete the series “The Telecom Hour” and all its dates for good?"'
        in dashboard
    )
    one_date = on(show, date(2026, 7, 2))
    refused = client.post(f"/staff/events/{one_date.id}/delete")  # no page offers it
    assert refused.status_code == 409 and "cancel it on its page" in refused.text
    assert db.session.get(Event, one_date.id) is not None
    client.post(f"/staff/events/{show.id}/delete")
    db.session.expire_all()
    count = len(copy.occurrences) + 1
    assert db.session.scalar(select(func.count(Event.id))) == count  # the copy and its dates
    assert db.session.scalar(select(func.count(SeriesRule.id))) == 1


def test_preview_dates_shows_the_rule_and_dst_notes_and_saves_nothing(logged_in, app_ctx):
    night = {**SHOW, "start_date": "2027-03-07", "end_date": "2027-03-07",
             "start_time": "02:30", "end_time": "03:30", "repeat-weekdays": ["SU"],
             "repeat-preview_dates": "Preview dates"}  # fmt: skip
    response = logged_in.post("/staff/events/new", data=night)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Every Sunday at 2:30 AM New York time, until Jun 24, 2027: 16 occurrences" in html
    assert "Mar 14: 2:30 AM does not exist in America/New_York" in html
    assert "calendars place it at 3:30 AM EDT" in html
    assert db.session.scalar(select(Event.id)) is None


def test_the_preview_says_where_dates_over_a_clock_change_end(logged_in, app_ctx):
    """Sat 11 PM - Sun 3 AM New York from Oct 31, 2026, the night clocks go back: 5 hours,
    which every date lasts (11 PM - 4 AM on the others, 5 AM on the night they go forward)."""
    overnight = {**SHOW, "start_date": "2026-10-31", "end_date": "2026-11-01",
                 "start_time": "23:00", "end_time": "03:00", "repeat-weekdays": ["SA"]}  # fmt: skip
    html = said(logged_in.post("/staff/events/rule-preview", data=overnight))
    assert "Oct 31: runs over the clock change in America/New_York, so it ends at 3:00 AM EST;" \
        " every date lasts 5 hours" in html  # fmt: skip
    assert "Mar 13: runs over the clock change in America/New_York, so it ends at 5:00 AM EDT;" \
        " every date lasts 5 hours" in html  # fmt: skip
    assert "Nov 7, 2026, 11:00 PM EST – Nov 8, 2026, 4:00 AM EST" in html
    plain = logged_in.post("/staff/events/rule-preview", data=SHOW).get_data(as_text=True)
    assert "clock change" not in plain


def test_the_rule_preview_follows_the_form_as_typed(logged_in, app_ctx):
    """The Repeats section's live preview: summary and next dates, nothing saved; what keeps
    the rule from being read is said instead."""
    response = logged_in.post("/staff/events/rule-preview", data=SHOW)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Every Thursday at 12:00 PM" in html and "Next dates:" in html
    assert html.count("<li>") == series_form.PREVIEW_DATES and "12:00 – 1:00 PM EDT" in html
    monthly = {**SHOW, "repeat-freq": "monthly", "repeat-monthly_by": "weekday"}
    assert "Thursday" in logged_in.post("/staff/events/rule-preview", data=monthly).text
    gap = {**SHOW, "start_date": "2027-03-14", "start_time": "02:30", "end_date": "2027-03-14",
           "end_time": "03:30", "repeat-weekdays": ["SU"]}  # fmt: skip
    problem = logged_in.post("/staff/events/rule-preview", data=gap).get_data(as_text=True)
    assert "does not exist" in problem and "Next dates" not in problem
    never = logged_in.post("/staff/events/rule-preview", data={**SHOW, "repeat-freq": "never"})
    assert never.status_code == 200 and never.get_data(as_text=True).strip() == ""
    assert db.session.scalars(select(Event)).all() == []


def test_the_rule_preview_of_a_saved_series_marks_its_cancelled_and_moved_dates(logged_in, app_ctx):
    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    cancelled, moved = on(show, date(2026, 6, 25)), on(show, date(2026, 7, 2))
    logged_in.post(
        f"/staff/events/{cancelled.id}/edit",
        data=occurrence_form(logged_in, cancelled, status="cancelled"),
    )
    logged_in.post(
        f"/staff/events/{moved.id}/edit",
        data=occurrence_form(logged_in, moved, start_date="2026-07-03", end_date="2026-07-03",
                             start_time="15:00", end_time="16:00"),
    )  # fmt: skip
    marks = [
        "<li>Jun 18, 2026, 12:00 – 1:00 PM EDT</li>",
        "<li><s>Jun 25, 2026, 12:00 – 1:00 PM EDT</s> (cancelled)</li>",
        "<li><s>Jul 2, 2026, 12:00 – 1:00 PM EDT</s>"
        " (moved to Jul 3, 2026, 3:00 – 4:00 PM EDT)</li>",
        "<li>Jul 9, 2026, 12:00 – 1:00 PM EDT</li>",
    ]
    page = said(logged_in.get(f"/staff/events/{show.id}/edit"))
    preview_url = f"/staff/events/rule-preview?event={show.id}"
    assert f'data-rule-preview-url="{preview_url}"' in page
    live_response = logged_in.post(preview_url, data=SHOW)
    live = said(live_response)
    for html in (page.split('id="rule-preview"')[1].split("</fieldset>")[0], live):
        assert all(mark in html for mark in marks), html
    # A date breaks between its day and its time, never inside either: on a phone a struck
    # date broke as "Jun 25, 2026, 12:00 – 1:00 PM" / "EDT", its last word struck alone.
    struck = (
        '<li><s><span class="nowrap">Jun 25, 2026,</span> '
        '<span class="nowrap">12:00 – 1:00 PM EDT</span></s> '
        '(<span class="nowrap">cancelled</span>)</li>'
    )
    moved_to = (
        '(<span class="nowrap">moved to Jul 3, 2026,</span> '
        '<span class="nowrap">3:00 – 4:00 PM EDT</span>)</li>'
    )
    for response in (logged_in.get(f"/staff/events/{show.id}/edit"), live_response):
        assert struck in response.text and moved_to in response.text
    # A new time of day keeps what the dates became (sync matches them by date) ...
    later = logged_in.post(preview_url, data={**SHOW, "start_time": "14:00", "end_time": "15:00"})
    assert "<s>Jun 25, 2026, 2:00 – 3:00 PM EDT</s> (cancelled)" in said(later)
    # ... a new weekday has other dates, and a new series nothing to mark.
    fridays = logged_in.post(preview_url, data={**SHOW, "repeat-weekdays": ["FR"]}).text
    new = logged_in.post("/staff/events/rule-preview", data=SHOW).text
    assert "Next dates:" in fridays and "Next dates:" in new
    assert "<s>" not in fridays + new
    assert logged_in.post(preview_url + "0000", data=SHOW).status_code == 404
    assert logged_in.post("/staff/events/rule-preview?event=x", data=SHOW).status_code == 400


def test_the_rule_preview_names_the_changed_dates_a_new_rule_would_delete(logged_in, app_ctx):
    sent = {**SHOW, "start_date": "2026-06-04", "end_date": "2026-06-04"}
    logged_in.post("/staff/events/new", data=sent)
    show = the_show()
    cancelled, moved, recorded = (on(show, date(2026, 6, d)) for d in (25, 18, 4))
    logged_in.post(
        f"/staff/events/{cancelled.id}/edit",
        data=occurrence_form(logged_in, cancelled, status="cancelled"),
    )
    logged_in.post(
        f"/staff/events/{moved.id}/edit",
        data=occurrence_form(logged_in, moved, start_date="2026-06-19", end_date="2026-06-19"),
    )
    logged_in.post(
        f"/staff/events/{recorded.id}/edit",
        data=occurrence_form(logged_in, recorded, recording_url="https://example.com/ep1",
                             title="The Telecom Hour: pilot"),
    )  # fmt: skip
    postponed, guests = on(show, date(2026, 7, 2)), on(show, date(2026, 7, 9))
    logged_in.post(f"/staff/events/{postponed.id}/status", data={"status": "postponed"})
    logged_in.post(
        f"/staff/events/{guests.id}/edit",
        data=occurrence_form(logged_in, guests, speakers="Guest Star | CTO | Acme"),
    )
    preview_url = f"/staff/events/rule-preview?event={show.id}"
    fridays = logged_in.post(preview_url, data={**sent, "repeat-weekdays": ["FR"]}).text
    assert "Saving this rule deletes 5 dates with changes of their own" in fridays
    assert "<li>Jun 4, 2026: its own title, recording</li>" in fridays  # a past date too
    assert "<li>Jun 18, 2026: moved to Jun 19, 2026, 12:00 – 1:00 PM EDT</li>" in fridays
    assert "<li>Jun 25, 2026: cancelled</li>" in fridays
    assert "<li>Jul 2, 2026: postponed</li>" in fridays
    assert "<li>Jul 9, 2026: its own speakers</li>" in fridays
    # In the next dates a postponed date is named, not struck out.
    thursdays = said(logged_in.post(preview_url, data=sent))
    assert "<li>Jul 2, 2026, 12:00 – 1:00 PM EDT (postponed)</li>" in thursdays
    # Thursdays still, at another time or ending later: nothing is deleted.
    later = logged_in.post(preview_url, data={**sent, "start_time": "15:00", "end_time": "16:00"})
    assert "deletes" not in later.text
    # Ending before the cancelled date deletes it and those after it.
    shortest = logged_in.post(preview_url, data={**sent, "repeat-until": "2026-06-20"}).text
    assert "deletes 3 dates with changes of their own" in shortest
    assert "<li>Jun 25, 2026: cancelled</li>" in shortest
    # The edit page says the same when its Preview dates button is pressed.
    page = logged_in.post(
        f"/staff/events/{show.id}/edit",
        data={**form_values(logged_in.get(f"/staff/events/{show.id}/edit").text),
              "repeat-weekdays": ["FR"], "repeat-preview_dates": "Preview dates"},
    )  # fmt: skip
    assert page.status_code == 200 and "deletes 5 dates" in page.text
    assert len(the_show().occurrences) == len(show.occurrences)  # nothing saved


def test_the_rule_preview_says_when_past_dates_would_move_too(app, logged_in, app_ctx):
    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    moved = on(show, date(2026, 7, 2))
    logged_in.post(
        f"/staff/events/{moved.id}/edit",
        data=occurrence_form(logged_in, moved, start_date="2026-07-03", end_date="2026-07-03"),
    )
    app.config["NOW"] = datetime(2026, 7, 20, 12, 0, tzinfo=UTC)  # Jun 18 - Jul 16 are past
    preview_url = f"/staff/events/rule-preview?event={show.id}"
    later = logged_in.post(preview_url, data={**SHOW, "start_time": "13:00", "end_time": "14:00"})
    # Four: Jun 18, Jun 25, Jul 9 and Jul 16; Jul 2 was moved on its own and stays.
    assert "4 dates that already took place move to the new time as well" in later.text
    longer = logged_in.post(preview_url, data={**SHOW, "end_time": "13:30"}).text
    assert "4 dates that already took place" in longer  # a new length moves their ends
    same = logged_in.post(preview_url, data={**SHOW, "repeat-until": "2027-01-28"}).text
    assert "already took place" not in same and "Next dates:" in same
    cut = on(the_show(), date(2026, 7, 23))
    data = occurrence_form(logged_in, cut, start_time="13:00", end_time="14:00",
                           **{"repeat-scope": "following"})  # fmt: skip
    following = logged_in.post(f"/staff/events/rule-preview?event={cut.id}", data=data).text
    assert "already took place" not in following  # the earlier dates keep their rule


def test_a_draft_dates_address_leads_staff_to_its_preview_and_others_to_a_404(
    app, logged_in, app_ctx
):
    logged_in.post("/staff/events/new", data={**SHOW, "status": "draft"})
    show = the_show()
    first = show.occurrences[0]
    page = logged_in.get(f"/staff/events/{show.id}/preview").text
    assert 'href="/events/the-telecom-hour/2026-06-18"' in page  # the series preview's links
    for path, target in (
        ("/events/the-telecom-hour/2026-06-18", first.id),
        ("/events/the-telecom-hour", show.id),
    ):
        response = logged_in.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == f"/staff/events/{target}/preview"
        assert "no-cache" in response.headers["Cache-Control"]
        assert logged_in.get(response.headers["Location"]).status_code == 200
        assert app.test_client().get(path).status_code == 404  # signed out: nothing to see
    assert logged_in.get("/events/no-such-event").status_code == 404


def test_a_draft_series_previews_as_its_series_page(logged_in, app_ctx):
    draft = {**SHOW, "status": "draft"}
    assert logged_in.post("/staff/events/new", data=draft).status_code == 302
    show = the_show()
    page = logged_in.get(f"/staff/events/{show.id}/preview").get_data(as_text=True)
    assert "Draft: this is how visitors would see the series" in page
    assert "Every Thursday at 12:00 PM" in page and "Upcoming" in page
    assert "telecom-hour/2026-06-25" in page  # its dates, drafts as the series is
    assert app_ctx.test_client().get(f"/events/{show.slug}").status_code == 404  # not public yet


def test_a_series_beyond_the_horizon_has_no_dates_yet_and_still_duplicates(logged_in, app_ctx):
    far = {**SHOW, "start_date": "2999-06-03", "end_date": "2999-06-03", "repeat-ends": "never"}
    assert logged_in.post("/staff/events/new", data=far).status_code == 302
    show = the_show()
    assert show.series_master and show.occurrences == []
    response = logged_in.post(f"/staff/events/{show.id}/duplicate")
    assert response.status_code == 302
    copy = db.session.scalar(select(Event).where(Event.slug == "the-telecom-hour-copy"))
    assert copy.status == "draft" and copy.series_master and copy.occurrences == []
    assert rule_columns(copy) == rule_columns(show)


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        (  # a daily series of three-day dates
            {"start_date": "2027-01-12", "end_date": "2027-01-14", "repeat-freq": "daily"},
            "Each date would last 2 days 1 hour, longer than the 1 day between dates",
        ),
        (  # the series' last day typed as the first date's end: seven-week dates, weekly
            {"start_date": "2027-01-14", "end_date": "2027-03-04"},
            "Each date would last 49 days 1 hour, longer than the 7 days between dates",
        ),
        (  # Mondays and Thursdays: three days apart at the closest
            {
                "start_date": "2027-01-11",
                "end_date": "2027-01-15",
                "repeat-weekdays": ["MO", "TH"],
            },  # fmt: skip
            "Each date would last 4 days 1 hour, longer than the 3 days between dates",
        ),
        (  # all day, weekly: eight days each
            {"start_date": "2027-01-14", "end_date": "2027-01-21", "all_day": "y"},
            "Each date would last 8 days, longer than the 7 days between dates",
        ),
    ],
)
def test_a_series_whose_dates_run_into_the_next_is_refused_beside_repeats(
    logged_in, app_ctx, changes, said
):
    response = logged_in.post("/staff/events/new", data={**SHOW, **changes})
    assert response.status_code == 400
    assert said in response.text and "the series&#39; last day goes under Ends" in response.text
    assert f'value="{changes["end_date"]}"' in response.text  # what was typed stays
    assert db.session.scalar(select(Event.id)) is None


def test_a_series_whose_dates_end_as_the_next_begins_is_saved(logged_in, app_ctx):
    """Back to back is not overlapping: a week-long all-day date each week."""
    week = {**SHOW, "start_date": "2027-01-14", "end_date": "2027-01-20", "all_day": "y"}
    assert logged_in.post("/staff/events/new", data=week).status_code == 302


def test_a_series_whose_dates_would_overlap_where_the_clocks_change_is_refused(logged_in):
    """Monday 10:00 to the next Monday 10:00 is a week long: across the spring change the
    next Monday comes an hour sooner, and that date ran over it by an hour."""
    week = {**SHOW, "start_date": "2027-03-01", "start_time": "10:00", "end_date": "2027-03-08",
            "end_time": "10:00", "repeat-weekdays": ["MO"], "repeat-ends": "after",
            "repeat-count": "4"}  # fmt: skip
    response = logged_in.post("/staff/events/new", data=week)
    assert response.status_code == 400
    assert (
        "Each date would last 7 days: where the clocks change, it would run into the next,"
        " 7 days later." in response.text
    )


def test_every_date_of_a_long_series_is_reachable_from_its_edit_page(logged_in, app_ctx):
    from events_app.staff import SERIES_DATES

    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    url = f"/staff/events/{show.id}/edit"
    seen: list[str] = []
    page = logged_in.get(url).text
    for _ in range(5):
        table = page.split('id="occurrences-h"')[1].split("</table>")[0]
        rows = re.findall(r'href="/staff/events/(\d+)/edit"', table)
        assert len(rows) <= SERIES_DATES
        seen += [r for r in rows if r not in seen]
        later = re.search(r'href="([^"]*dates_from=[\d-]+)#occurrences-h"', page)
        if later is None:
            break
        page = logged_in.get(later.group(1).replace("&amp;", "&")).text
        assert "back to the current dates" in page
    since = (NOW - timedelta(days=90)).date()
    wanted = [o for o in show.occurrences if o.end_date >= since]
    assert len(wanted) > SERIES_DATES  # the case: more than one page
    assert seen == [str(o.id) for o in wanted]
    assert logged_in.get(f"{url}?dates_from=2026-13-01").status_code == 400


@pytest.mark.parametrize(
    "theirs,shown",
    [
        (
            {"start_time": "15:00", "end_time": "16:00"},
            'id="start_time" name="start_time" type="time" value="15:00"',
        ),
        (
            {"repeat-weekdays": ["TH", "FR"]},
            'checked id="repeat-weekdays-4" name="repeat-weekdays" type="checkbox" value="FR"',
        ),
        ({"repeat-until": "2027-03-25"}, 'value="2027-03-25"'),
    ],
    ids=["time", "weekdays", "end"],
)
def test_a_conflict_on_a_series_brings_in_their_schedule_and_keeps_it(
    app, logged_in, app_ctx, create_user, theirs, shown
):  # fmt: skip
    """A colleague changes the series' time, weekdays or end while I edit its description:
    their change comes into my form (not "the same change" as mine), and saving it again
    keeps both; it used to put the old schedule back."""
    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    mine = edit_page_fields(logged_in, show.id)
    create_user("colleague@example.com", "correct horse battery")
    colleague = app.test_client()
    colleague.post(
        "/staff/login", data={"email": "colleague@example.com", "password": "correct horse battery"}
    )
    data = {**SHOW, **edit_page_fields(colleague, show.id), "slug": show.slug, **theirs}
    assert colleague.post(f"/staff/events/{show.id}/edit", data=data).status_code == 302
    their_rule = rule_columns(the_show())

    data = {**SHOW, **mine, "slug": show.slug, "description": "My notes for the series."}
    response = logged_in.post(f"/staff/events/{show.id}/edit", data=data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    form_part = html.split('class="event-form"', 1)[1].split("</form>", 1)[0]
    assert shown in form_part, "their change is in the form"
    assert "yours (the same change)" not in html

    again = form_values(form_part)
    again["description"] = again["description"].lstrip("\r\n")
    assert logged_in.post(f"/staff/events/{show.id}/edit", data=again).status_code == 302
    show = the_show()
    assert show.description == "My notes for the series."
    assert rule_columns(show) == their_rule
    first = min(show.occurrences, key=lambda o: o.start_at)
    expected = theirs.get("start_time", SHOW["start_time"])
    assert first.local_start.strftime("%H:%M") == expected


@pytest.fixture
def colleague_saves_first():
    """A colleague's save landing after this request read the event and before it writes (at
    this session's first flush, whichever it is): the event's version moves on under it. Done
    in the request's own transaction, which a real colleague's commit would precede (SQLite
    would make a second writer wait for this one instead)."""
    events: list[int] = []

    def bump(session, flush_context, instances):
        if events:
            table = Event.__table__
            session.connection().execute(
                table.update().where(table.c.id == events.pop()).values(version=table.c.version + 1)
            )

    sa_event.listen(Session, "before_flush", bump)
    yield events.append
    sa_event.remove(Session, "before_flush", bump)


def test_a_save_meeting_a_colleagues_at_the_same_moment_is_a_conflict_not_a_500(
    logged_in, app_ctx, colleague_saves_first
):
    """The form's version was current when it was checked; the colleague's save landed before
    ours wrote. A series master meets it while its changes are copied to its dates (an
    autoflush); that was a 500 and the typing was lost."""
    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    data = {**SHOW, **edit_page_fields(logged_in, show.id), "slug": show.slug}
    data["description"] = "Typed while a colleague saved."
    colleague_saves_first(show.id)
    response = logged_in.post(f"/staff/events/{show.id}/edit", data=data)
    assert response.status_code == 409
    assert "Typed while a colleague saved." in response.get_data(as_text=True)
    assert the_show().description != "Typed while a colleague saved."  # nothing half-saved
    # The form now carries the colleague's version: sent again, it saves.
    again = form_values(response.get_data(as_text=True).split('class="event-form"', 1)[1])
    again["description"] = again["description"].lstrip("\r\n")
    assert logged_in.post(f"/staff/events/{show.id}/edit", data=again).status_code == 302
    assert the_show().description == "Typed while a colleague saved."


@pytest.mark.parametrize("action", ["status", "delete"])
def test_a_button_meeting_a_colleagues_save_says_so_and_changes_nothing(
    app, client, auth, admin, app_ctx, colleague_saves_first, action
):
    app.config["NOW"] = NOW
    auth.login("admin@example.com")
    client.post("/staff/events/new", data=SHOW)
    show = the_show()
    colleague_saves_first(show.id)
    data = {"status": "cancelled"} if action == "status" else {}
    response = client.post(f"/staff/events/{show.id}/{action}", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/")
    page = client.get("/staff/").get_data(as_text=True)
    assert "Someone else changed this event at the same moment" in page
    show = the_show()
    assert show is not None and show.status == "published"


def test_an_endless_daily_series_keeps_gaining_dates_past_its_thousandth(app, logged_in, runner):
    """A daily show begun in 2024 has more than 1,000 dates up to the horizon: every one of them
    is made, the last a page of its own, and extend-series adds the next day's as time goes on
    (the feed's RRULE has no end: dates the site lacked were dead links in every calendar)."""
    daily = {**SHOW, "title": "Morning Brief", "start_date": "2024-01-01", "end_date": "2024-01-01",
             "repeat-freq": "daily", "repeat-ends": "never", "repeat-until": ""}  # fmt: skip
    assert logged_in.post("/staff/events/new", data=daily).status_code == 302
    horizon = NOW.date() + timedelta(days=730)
    days = (horizon - date(2024, 1, 1)).days + 1
    count = select(func.count()).where(Event.series_master.is_(False))
    assert db.session.scalar(count) == days > 1000
    assert logged_in.get(f"/events/morning-brief/{horizon.isoformat()}").status_code == 200
    app.config["NOW"] = NOW + timedelta(days=30)
    assert "1 series extended." in runner.invoke(args=["extend-series"]).output
    assert db.session.scalar(count) == days + 30


def test_a_series_of_more_dates_than_one_may_hold_is_refused_beside_repeats(logged_in, app_ctx):
    for sent in (
        {"start_date": "1990-01-01", "end_date": "1990-01-01", "repeat-ends": "never"},
        {"repeat-until": "2999-01-01"},
    ):
        data = {**SHOW, "repeat-freq": "daily", **sent}
        response = logged_in.post("/staff/events/new", data=data)
        assert response.status_code == 400, sent
        assert "would have more than 10,000 dates" in response.text
        assert "Our weekly live show." in response.text  # what was typed is kept
    assert db.session.scalar(select(Event.id)) is None


def test_all_dates_saved_from_one_date_may_not_give_the_series_too_many(logged_in, app_ctx):
    """The rule checked is the one the series gets: from 2000, daily, endless (the date's own,
    from 2027, would fit)."""
    daily = {**SHOW, "title": "Since 2000", "start_date": "2000-01-01", "end_date": "2000-01-01",
             "repeat-freq": "daily", "repeat-ends": "after", "repeat-count": "10000",
             "repeat-until": ""}  # fmt: skip
    assert logged_in.post("/staff/events/new", data=daily).status_code == 302
    master = db.session.scalar(select(Event).where(Event.series_master.is_(True)))
    date_ = on(master, date(2027, 1, 5))
    local = date_.local_start
    data = {**{k: v for k, v in daily.items() if not k.startswith("repeat-")},
            "start_date": local.date().isoformat(), "end_date": local.date().isoformat(),
            "repeat-freq": "daily", "repeat-interval": "1", "repeat-ends": "never",
            "repeat-scope": "all", **edit_page_fields(logged_in, date_.id)}  # fmt: skip
    response = logged_in.post(f"/staff/events/{date_.id}/edit", data=data)
    assert response.status_code == 400 and "would have more than 10,000 dates" in response.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Event.series_id == master.id)) == 10_000


def test_a_dates_edit_page_says_moved_from_only_when_it_was(logged_in, app_ctx):
    """It said "originally on" every date, at the time of its own series: after "this and
    following" changed the hour, the new series' dates read as moved from a time never held."""
    logged_in.post("/staff/events/new", data=SHOW)
    date_ = on(the_show(), date(2026, 7, 9))
    page = logged_in.get(f"/staff/events/{date_.id}/edit").text
    assert "One date of" in page and "moved from" not in page and "originally" not in page
    data = occurrence_form(logged_in, date_, start_time="15:00", end_time="16:00",
                           **{"repeat-scope": "this"})  # fmt: skip
    assert logged_in.post(f"/staff/events/{date_.id}/edit", data=data).status_code == 302
    page = logged_in.get(f"/staff/events/{date_.id}/edit").text
    assert "moved from Jul 9, 2026, 12:00 PM EDT." in page
    assert "Saved the Jul 9, 2026 date of “The Telecom Hour” only." in page  # what it applied to


def test_one_date_is_cancelled_and_restored_from_its_own_page(logged_in, app_ctx):
    """The way to cancel one date had been its Status box, at the foot of a long form, saved
    "for this occurrence only"; the series page had no way down to its dates."""
    logged_in.post("/staff/events/new", data=SHOW)
    show = the_show()
    assert (
        'href="#occurrences-h">Dates of this series</a>'
        in logged_in.get(f"/staff/events/{show.id}/edit").text
    )
    date_ = on(show, date(2026, 7, 9))
    page = logged_in.get(f"/staff/events/{date_.id}/edit").text
    assert 'data-confirm="Cancel the Jul 9, 2026 date of “The Telecom Hour” only?' in page
    here = f"/staff/events/{date_.id}/edit"
    done = logged_in.post(f"/staff/events/{date_.id}/status",
                          data={"status": "cancelled", "next": here})  # fmt: skip
    assert done.status_code == 302 and done.headers["Location"] == here
    assert (
        "The Jul 9, 2026 date of “The Telecom Hour” is now cancelled." in logged_in.get(here).text
    )
    show = the_show()
    assert [o.status for o in show.occurrences if o.status == "cancelled"] == ["cancelled"]
    assert on(show, date(2026, 7, 9)).status == "cancelled"
    page = logged_in.get(here).text
    assert "Restore this date" in page and "Cancel this date<span" not in page
    logged_in.post(f"/staff/events/{date_.id}/status", data={"status": "published", "next": here})
    assert on(the_show(), date(2026, 7, 9)).status == "published"
    # A draft series shows no date: cancelling one alone would say what no one sees.
    show = the_show()
    show.status = "draft"
    db.session.commit()
    page = logged_in.get(here).text
    assert "Cancel this date<span" not in page and "Restore this date" not in page


def test_a_split_is_told_on_both_series_and_in_both_histories(logged_in, app_ctx):
    """ "This and following" left two series of one name with nothing linking them; the cut
    series' history did not have the cut, and the new one's said "Edited" with the old
    values."""
    logged_in.post("/staff/events/new", data=SHOW)
    cut = on(the_show(), date(2026, 7, 16))
    data = occurrence_form(logged_in, cut, start_time="13:00", end_time="14:00",
                           **{"repeat-scope": "following"})  # fmt: skip
    saved = logged_in.post(f"/staff/events/{cut.id}/edit", data=data, follow_redirects=True)
    assert "they are now a series of their own, from Jul 16, 2026" in saved.text
    old = the_show()
    new = db.session.scalar(select(Event).where(Event.slug == "the-telecom-hour-from-2026-07-16"))
    old_page = logged_in.get(f"/staff/events/{old.id}/edit").text
    new_page = logged_in.get(f"/staff/events/{new.id}/edit").text
    assert f'Continued by <a href="/staff/events/{new.id}/edit">The Telecom Hour, ' in old_page
    assert (
        f'Later dates went to a series of their own: <a href="/staff/events/{new.id}/edit">'
        in old_page
    )
    assert f'Split off from <a href="/staff/events/{old.id}/edit">The Telecom Hour, ' in new_page
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    last_two = [(e.action, e.object_id) for e in entries[-2:]]
    assert last_two == [("update", old.id), ("create", new.id)]
    cut_changes = json.loads(entries[-2].changes)
    assert set(cut_changes) == {"repeats"} and "Jul 9, 2026" in cut_changes["repeats"][1]
    assert json.loads(entries[-1].changes)["start"][0] is None  # created, not "edited"
    # Split again, earlier: the parts link in date order, each to its neighbours.
    cut = on(the_show(), date(2026, 7, 2))
    data = occurrence_form(logged_in, cut, title="The Telecom Hour, summer",
                           **{"repeat-scope": "following"})  # fmt: skip
    assert logged_in.post(f"/staff/events/{cut.id}/edit", data=data).status_code == 302
    middle = db.session.scalar(
        select(Event).where(Event.slug == "the-telecom-hour-from-2026-07-02")
    )
    middle_page = logged_in.get(f"/staff/events/{middle.id}/edit").text
    assert f'Split off from <a href="/staff/events/{old.id}/edit">' in middle_page
    assert f'Continued by <a href="/staff/events/{new.id}/edit">' in middle_page
    old_page = logged_in.get(f"/staff/events/{old.id}/edit").text
    assert f'Continued by <a href="/staff/events/{middle.id}/edit">' in old_page
    assert f'/staff/events/{new.id}/edit">' not in old_page


def test_a_series_first_date_at_the_second_of_two_equal_times_is_asked_not_dropped(
    logged_in, app_ctx
):
    """The form asks which 1:30 AM of Nov 1, 2026 (New York) is meant. A series repeats a wall
    time, which calendar apps put at the first (EDT): the second (EST), chosen for its first
    date, was saved as the first, an hour earlier than chosen, and nothing said so."""
    night = {**SHOW, "start_date": "2026-11-01", "start_time": "01:30", "end_date": "2026-11-01",
             "end_time": "02:30", "repeat-weekdays": ["SU"]}  # fmt: skip
    response = logged_in.post("/staff/events/new", data={**night, "start_fold": "1"})
    assert response.status_code == 400
    assert "A series repeats its time of day" in response.text
    assert "at the first one (EDT): choose the first" in response.text
    assert 'checked id="start_fold-1"' in response.text  # the choice is asked again, as made
    assert db.session.scalar(select(Event.id)) is None

    assert logged_in.post("/staff/events/new", data={**night, "start_fold": "0"}).status_code == 302
    first = on(the_show(), date(2026, 11, 1))
    assert first.start_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 1:30 AM EDT, as chosen


def test_the_preview_does_not_say_a_date_ending_before_the_change_runs_over_it(logged_in, app_ctx):
    """Sat 11:30 PM - Sun 1:30 AM New York from Oct 31, 2026: that night's date ends at the
    first 1:30 AM (EDT), before clocks go back. It is written out in feeds (its end occurs
    twice) but does not run over the clock change, as the preview said it did."""
    late = {**SHOW, "start_date": "2026-10-31", "end_date": "2026-11-01",
            "start_time": "23:30", "end_time": "01:30", "end_fold": "0",
            "repeat-weekdays": ["SA"]}  # fmt: skip
    html = logged_in.post("/staff/events/rule-preview", data=late).get_data(as_text=True)
    assert "Oct 31: runs over the clock change" not in html
    assert "Oct 31: ends at 1:30 AM EDT, a time that occurs twice in America/New_York" in html
