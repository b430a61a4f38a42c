"""Series on visitor pages: occurrences in lists, the month grid and the archive with a "Part
of" line, each at its own URL; the series page; add-to-calendar and .ics for both."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from conftest import NOW

from events_app import series
from events_app.extensions import db


@pytest.fixture
def show(app, create_series):
    app.config["NOW"] = NOW
    master = create_series(
        title="The Telecom Hour", slug="telecom-hour", kind="audio",
        start=datetime(2026, 5, 7, 12, 0), zone="America/New_York", weekdays=("TH",),
        until=date(2026, 12, 31),
    )  # fmt: skip
    by_day = {o.recurrence_id.date(): o for o in master.occurrences}
    by_day[date(2026, 6, 25)].status = "cancelled"
    by_day[date(2026, 5, 14)].recording_url = "https://example.com/episode-2"
    db.session.commit()
    return master


def test_a_series_in_one_abbreviation_names_its_zone(client, app, create_series):
    app.config["NOW"] = NOW
    create_series(
        title="Tokyo Mornings", slug="tokyo-mornings", kind="webinar",
        start=datetime(2026, 7, 2, 9, 0), zone="Asia/Tokyo", weekdays=("TH",), count=5,
    )  # fmt: skip
    page = client.get("/events/tokyo-mornings").get_data(as_text=True)
    assert "Every Thursday at 9:00 AM JST" in page and "(times in Asia/Tokyo)" in page


def test_the_list_shows_occurrences_with_a_part_of_line(client, show):
    page = client.get("/events/?kind=audio").get_data(as_text=True)
    assert page.count('href="/events/telecom-hour/2026-06-18"') == 1
    assert 'Part of: <a dir="auto" href="/events/telecom-hour">The Telecom Hour</a>' in page
    assert "(weekly, Thursdays 12:00 PM EDT)" in page
    assert 'href="/events/telecom-hour"' in page and 'href="/events/telecom-hour/' in page


def test_a_date_the_series_no_longer_has_leads_to_its_dates(client, show):
    """A bookmark of a date the rule no longer makes (or never made): a 404 that links the
    series' page; a series that does not exist, a plain 404."""
    response = client.get(f"/events/{show.slug}/2026-06-20")  # not one of its Thursdays
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'<a href="/events/{show.slug}">See the dates of “{show.title}”</a>' in html
    response = client.get("/events/no-such-series/2026-06-18")
    assert response.status_code == 404 and "See the dates" not in response.text


def test_a_cancelled_occurrence_stays_on_our_pages_labelled(client, show):
    page = client.get("/events/telecom-hour/2026-06-25").get_data(as_text=True)
    assert "Cancelled." in page and "This episode of the series will not take place." in page


def test_the_month_grid_shows_each_occurrence_on_its_day(client, show):
    page = client.get("/calendar/2026/07").get_data(as_text=True)
    for day in ("2026-07-02", "2026-07-09", "2026-07-16", "2026-07-23", "2026-07-30"):
        assert f'href="/events/telecom-hour/{day}"' in page
    december = client.get("/calendar/2026/12").get_data(as_text=True)
    assert "12:00 PM EST" in december


def test_the_archive_holds_past_episodes_with_their_recordings(client, show):
    page = client.get("/webinars/archive").get_data(as_text=True)
    assert "https://example.com/episode-2" in page
    assert 'href="/events/telecom-hour/2026-05-14"' in page
    # Searched, each episode is still an entry (each its own recording), not the series once.
    found = client.get("/webinars/archive?q=telecom+hour").get_data(as_text=True)
    assert "6 past sessions, page 1 of 2</h2>" in found and "https://example.com/episode-2" in found


def test_the_series_page_lists_upcoming_and_past_occurrences(client, show):
    response = client.get("/events/telecom-hour")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Every Thursday at 12:00 PM New York time, until Dec 31, 2026: 35 occurrences" in page
    assert "(times in" not in page  # the summary names the place already
    upcoming = page.split('id="upcoming-h"')[1].split('id="past-h"')[0]
    assert 'href="/events/telecom-hour/2026-06-18"' in upcoming
    past = page.split('id="past-h"')[1]
    assert 'href="/events/telecom-hour/2026-06-11"' in past
    # Its own dates do not repeat "Part of: The Telecom Hour" under the series' own heading.
    assert "Part of:" not in page
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', page).group(1))
    assert data["@type"] == "EventSeries"
    assert data["subEvent"][0]["startDate"] == "2026-06-18T12:00:00-04:00"


def test_the_series_page_has_one_canonical_link_and_a_link_preview_of_how_it_repeats(client, show):
    page = client.get("/events/telecom-hour").get_data(as_text=True)
    assert page.count('rel="canonical"') == 1
    assert '<meta property="og:title" content="The Telecom Hour">' in page
    description = re.search(r'<meta property="og:description" content="([^"]*)"', page)[1]
    assert description == (
        "Weekly, Thursdays 12:00 PM New York time; May 7 – Dec 31, 2026 · Online. A test series."
    )
    assert '<meta property="og:url" content="http://localhost/events/telecom-hour">' in page


def test_an_occurrence_page_names_its_series_in_json_ld(client, show):
    page = client.get("/events/telecom-hour/2026-11-05").get_data(as_text=True)
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', page).group(1))
    assert data["startDate"] == "2026-11-05T12:00:00-05:00"
    assert data["superEvent"]["@type"] == "EventSeries"
    assert data["superEvent"]["url"].endswith("/events/telecom-hour")


@pytest.mark.parametrize(
    "path", ["/events/telecom-hour/2026-06-19", "/events/telecom-hour/06-18-2026",
             "/events/nope/2026-06-18", "/events/telecom-hour/2026-06-18x"],
)  # fmt: skip
def test_unknown_occurrences_are_not_found(client, show, path):
    assert client.get(path).status_code == 404


def test_a_series_with_changed_dates_is_subscribed_to_in_google_not_added_by_rule(client, show):
    """Google's add link carries the rule alone: it put the cancelled Jun 25 back (and a moved
    date at its old time). Subscribing to the series' .ics keeps every date as it is."""
    page = client.get("/events/telecom-hour").get_data(as_text=True)
    google = re.findall(r'href="(https://calendar.google.com[^"]+)"', page)
    assert google == [
        "https://calendar.google.com/calendar/r?cid=webcal%3A//localhost/events/telecom-hour.ics"
    ]
    assert "Subscribe in Google Calendar" in page and "Add to Google Calendar" not in page
    assert "Some dates were moved or cancelled" in page


def test_a_date_moved_into_the_past_still_keeps_googles_add_link_away(client, show):
    """Its rule still makes Jul 2, which Google's add link would put back."""
    on_june_25 = next(o for o in show.occurrences if o.recurrence_id.date() == date(2026, 6, 25))
    on_june_25.status = "published"
    july_2 = next(o for o in show.occurrences if o.recurrence_id.date() == date(2026, 7, 2))
    july_2.set_timed(NOW - timedelta(days=5), NOW - timedelta(days=5, hours=-1), july_2.timezone)
    db.session.commit()
    assert "Subscribe in Google Calendar" in client.get("/events/telecom-hour").text


def test_a_series_at_a_time_the_clocks_skip_keeps_googles_add_link(client, app, create_series):
    """A date at 2:30 AM on the spring change is where the rule puts it: no date changed."""
    app.config["NOW"] = NOW
    create_series(title="Night Owls", slug="night-owls", start=datetime(2027, 3, 7, 2, 30),
                  zone="America/New_York", weekdays=("SU",), count=4)  # fmt: skip
    page = client.get("/events/night-owls").text
    assert "Add to Google Calendar" in page and "Some dates were moved" not in page


def test_add_the_series_to_google_with_its_rule_and_download_it(client, show):
    on_june_25 = next(o for o in show.occurrences if o.recurrence_id.date() == date(2026, 6, 25))
    on_june_25.status = "published"  # no date to come differs from the rule
    db.session.commit()
    page = client.get("/events/telecom-hour").get_data(as_text=True)
    google = re.search(r'href="(https://calendar.google.com[^"]+)"', page).group(1)
    query = parse_qs(urlsplit(google.replace("&amp;", "&")).query)
    assert query["recur"] == ["RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20261231T170000Z"]
    assert query["dates"] == ["20260507T120000/20260507T130000"]
    assert query["ctz"] == ["America/New_York"]
    body = client.get("/events/telecom-hour.ics").get_data(as_text=True)
    assert "RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20261231T170000Z" in body
    assert "BEGIN:VTIMEZONE" in body


def test_one_occurrence_downloads_under_its_permanent_derived_uid(client, show):
    body = client.get("/events/telecom-hour/2026-07-02.ics").get_data(as_text=True)
    assert f"UID:{show.uid}/20260702\r\n" in body
    event_part = body.split("BEGIN:VEVENT", 1)[1]  # VTIMEZONEs carry yearly RRULEs of their own
    assert "RRULE" not in event_part and "RECURRENCE-ID" not in event_part
    page = client.get("/events/telecom-hour/2026-07-02").get_data(as_text=True)
    assert 'href="/events/telecom-hour/2026-07-02.ics"' in page
    # The series moves to 3 PM: the date is the same event to a calendar that imported it.
    before = series.template_values(show)
    rule = series.rule_of(show)
    at_three = replace(rule, start=datetime(2026, 5, 7, 15, 0))
    series.save_master(show, at_three, before, rule, NOW.date())
    db.session.commit()
    download = client.get("/events/telecom-hour/2026-07-02.ics")
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="telecom-hour-2026-07-02.ics"'  # a file name has no slash
    )
    again = client.get("/events/telecom-hour/2026-07-02.ics").get_data(as_text=True)
    assert "DTSTART;TZID=America/New_York:20260702T150000" in again
    assert f"UID:{show.uid}/20260702\r\n" in again


def test_occurrence_urls_stay_when_one_is_moved(client, show):
    moved = next(o for o in show.occurrences if o.recurrence_id.date() == date(2026, 7, 2))
    moved.set_timed(moved.start_at + timedelta(days=1), moved.end_at + timedelta(days=1),
                    moved.timezone)  # fmt: skip
    db.session.commit()
    page = client.get("/events/telecom-hour/2026-07-02").get_data(as_text=True)
    assert "Jul 3, 2026" in page
    assert series.is_override(moved, show, series.rule_of(show))
    # Visitors are told, on its page and in lists; the dates around it carry no such line.
    assert "Moved</span> from Jul 2, 2026, 12:00 PM EDT" in page
    listing = client.get("/events/?kind=audio&from=2026-06-25&to=2026-07-10").text
    assert listing.count("Moved</span> from") == 1
    assert "Moved</span>" not in client.get("/events/telecom-hour/2026-07-09").text
    assert client.get("/events/telecom-hour").text.count("Moved</span> from") == 1
    on_june_25 = next(o for o in show.occurrences if o.recurrence_id.date() == date(2026, 6, 25))
    on_june_25.status = "published"
    db.session.commit()  # the move alone: Google's add link would still put it on Jul 2
    assert "Subscribe in Google Calendar" in client.get("/events/telecom-hour").text
    # One date's page is in the section of its kind: the live audio show's, Webinars.
    assert '<a href="/webinars/" aria-current="page">Webinars</a>' in page


def _move(show, original: date, days: int = 0, hours: int = 0):
    """Move the date of ``show`` whose address is ``original`` by days and hours."""
    moved = next(o for o in show.occurrences if o.recurrence_id.date() == original)
    by = timedelta(days=days, hours=hours)
    moved.set_timed(moved.start_at + by, moved.end_at + by, moved.timezone)
    db.session.commit()
    return moved


def test_a_moved_dates_new_day_leads_to_it(client, show):
    """The day a moved date now happens on (what its page shows) leads to its address, which
    stays under its original day: a 302 kept a minute, as it may be moved again."""
    _move(show, date(2026, 7, 2), days=1)
    response = client.get("/events/telecom-hour/2026-07-03")
    assert response.status_code == 302
    assert response.headers["Location"] == "/events/telecom-hour/2026-07-02"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Jul 3, 2026" in client.get(response.headers["Location"]).text
    # Its .ics and the API follow the same rule.
    ics = client.get("/events/telecom-hour/2026-07-03.ics")
    assert ics.status_code == 302
    assert ics.headers["Location"] == "/events/telecom-hour/2026-07-02.ics"
    api = client.get("/api/v1/events/telecom-hour/2026-07-03")
    assert api.status_code == 302
    assert api.headers["Location"].endswith("/api/v1/events/telecom-hour/2026-07-02")
    # Moved back: the new day is a 404 again, the way back to the series' dates.
    _move(show, date(2026, 7, 2), days=-1)
    assert client.get("/events/telecom-hour/2026-07-03").status_code == 404


def test_a_regular_date_on_the_new_day_keeps_its_address(client, show):
    """Jul 2 moved onto Jul 9, which has its own date: Jul 9's address is Jul 9's page; and
    Jul 9 moved away while Jul 16 moves onto it changes nothing either."""
    _move(show, date(2026, 7, 2), days=7, hours=3)
    page = client.get("/events/telecom-hour/2026-07-09")
    assert page.status_code == 200 and "Moved</span>" not in page.text
    _move(show, date(2026, 7, 9), days=1)
    _move(show, date(2026, 7, 16), days=-7)
    page = client.get("/events/telecom-hour/2026-07-09")
    assert page.status_code == 200 and "Moved</span> from Jul 9, 2026" in page.text


def test_two_dates_moved_to_one_day_lead_to_the_one_not_cancelled_then_the_earlier(client, show):
    _move(show, date(2026, 7, 2), days=2, hours=4)  # Jul 4, 4 PM
    _move(show, date(2026, 7, 9), days=-5, hours=-2)  # Jul 4, 10 AM
    response = client.get("/events/telecom-hour/2026-07-04")
    assert response.headers["Location"] == "/events/telecom-hour/2026-07-09"
    series.set_date_status(_move(show, date(2026, 7, 9)), "cancelled")
    db.session.commit()
    response = client.get("/events/telecom-hour/2026-07-04")
    assert response.headers["Location"] == "/events/telecom-hour/2026-07-02"


def test_a_cancelled_moved_date_still_leads_to_its_page_that_says_so(client, show):
    moved = _move(show, date(2026, 7, 2), days=1)
    series.set_date_status(moved, "cancelled")
    db.session.commit()
    response = client.get("/events/telecom-hour/2026-07-03", follow_redirects=True)
    assert response.status_code == 200 and "Cancelled." in response.text


def test_a_draft_moved_date_is_not_found_at_its_new_day(client, show):
    moved = _move(show, date(2026, 7, 2), days=1)
    series.set_date_status(moved, "draft")
    db.session.commit()
    assert client.get("/events/telecom-hour/2026-07-03").status_code == 404
    series.set_date_status(moved, "published")
    show.status = "draft"  # the whole series a draft: all its dates are
    for date_ in show.occurrences:
        series.set_date_status(date_, date_.status_choice)
    db.session.commit()
    assert client.get("/events/telecom-hour/2026-07-03").status_code == 404


def test_a_day_that_does_not_exist_is_not_found(client, show):
    _move(show, date(2026, 7, 2), days=1)
    assert client.get("/events/telecom-hour/2026-02-30").status_code == 404
    assert client.get("/events/telecom-hour/2026-02-30.ics").status_code == 404


def test_the_home_page_names_the_show_the_next_episode_belongs_to(client, show):
    page = client.get("/").get_data(as_text=True)
    audio = page.split('id="audio-h"')[1].split("</section>")[0]
    assert 'href="/events/telecom-hour/2026-06-18"' in audio
    assert 'Part of: <a dir="auto" href="/events/telecom-hour">The Telecom Hour</a>' in audio


def test_a_date_moved_into_another_zone_is_found_at_its_new_day_in_that_zone(client, show):
    """Jul 2 (noon in New York) moved to 8 AM on Jul 4 in Tokyo: Jul 3 in UTC and in New York.
    Its new day is the one its page shows, Jul 4, counted in its own zone."""
    moved = next(o for o in show.occurrences if o.recurrence_id.date() == date(2026, 7, 2))
    start = datetime(2026, 7, 4, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    moved.set_timed(start, start + timedelta(hours=1), "Asia/Tokyo")
    db.session.commit()
    assert moved.start_at.date() == date(2026, 7, 3)  # in UTC
    response = client.get("/events/telecom-hour/2026-07-04")
    assert response.status_code == 302
    assert response.headers["Location"] == "/events/telecom-hour/2026-07-02"
    assert "Jul 4, 2026" in client.get(response.headers["Location"]).text
    assert client.get("/events/telecom-hour/2026-07-03").status_code == 404
