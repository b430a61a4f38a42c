import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from events_app.jsonld import attendance_mode, event_jsonld
from events_app.models import Event, Speaker, Venue


def make_event(**fields) -> Event:
    venue = fields.pop("venue", None)
    defaults = dict(
        title="Big 5G Event",
        slug="big-5g-event",
        kind="live",
        status="published",
        summary="Three days on 5G.",
        description="",
        online_url="",
        image_url="",
        organizer="",
        registration_url="",
    )
    event = Event(**(defaults | fields))
    event.venue = venue
    event.speakers = []
    return event


def denver() -> Venue:
    return Venue(
        name="Westin Westminster",
        address="10600 Westminster Blvd",
        city="Denver",
        region="CO",
        country="United States",
        postal_code="80020",
        timezone="America/Denver",
        latitude=39.8886,
        longitude=-105.0647,
        website="",
    )


def build(event: Event, now: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> dict:
    return event_jsonld(
        event,
        page_url="https://ev.test/events/x",
        site_name="Telecom Events",
        site_url="https://ev.test/",
        now=now,
    )


def test_all_day_live_event_at_a_venue():
    event = make_event(venue=denver())
    event.set_all_day(date(2026, 9, 24), date(2026, 9, 26), "America/Denver")
    data = build(event)
    assert data["@type"] == "Event"
    assert data["startDate"] == "2026-09-24"
    assert data["endDate"] == "2026-09-26"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    place = data["location"]
    assert place["@type"] == "Place"
    assert place["address"]["addressLocality"] == "Denver"
    assert place["address"]["@type"] == "PostalAddress"
    assert place["geo"]["latitude"] == 39.8886
    assert data["organizer"]["name"] == "Telecom Events"


def test_timed_webinar_has_offsets_and_virtual_location():
    event = make_event(kind="webinar", online_url="https://example.com/join", status="postponed")
    event.set_timed(
        datetime(2026, 11, 8, 19, tzinfo=UTC),
        datetime(2026, 11, 8, 20, tzinfo=UTC),
        "America/New_York",
    )
    event.speakers = [Speaker(name="Priya Raman", title="VP", company="Northwind")]
    data = build(event)
    assert data["startDate"] == "2026-11-08T14:00:00-05:00"
    assert data["endDate"] == "2026-11-08T15:00:00-05:00"
    assert data["eventStatus"] == "https://schema.org/EventPostponed"
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://example.com/join"}
    assert data["performer"][0]["name"] == "Priya Raman"
    assert data["performer"][0]["affiliation"]["name"] == "Northwind"
    # Over, its page offers no join link: nor does its data, which names the page instead.
    over = build(event, now=datetime(2026, 11, 8, 20, tzinfo=UTC))
    assert over["location"] == {"@type": "VirtualLocation", "url": "https://ev.test/events/x"}


def test_non_hour_offset():
    event = make_event(kind="webinar")
    event.set_timed(
        datetime(2026, 6, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 6, 1, 6, 30, tzinfo=UTC),
        "Asia/Kolkata",
    )
    data = build(event)
    assert data["startDate"] == "2026-06-01T11:00:00+05:30"
    # A webinar without a join link still has a virtual location: the event page.
    assert data["location"]["url"] == "https://ev.test/events/x"


def test_hybrid_cancelled_event_has_both_locations_and_no_offer():
    event = make_event(
        venue=denver(),
        online_url="https://example.com/live",
        status="cancelled",
        registration_url="https://example.com/register",
        image_url="https://img/x.jpg",
    )
    event.set_all_day(date(2026, 9, 24), date(2026, 9, 24), "America/Denver")
    data = build(event)
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [loc["@type"] for loc in data["location"]] == ["Place", "VirtualLocation"]
    assert data["location"][1]["url"] == "https://ev.test/events/x"  # cancelled: no join link
    assert "offers" not in data
    assert data["image"] == ["https://img/x.jpg"]


def tba(**fields) -> Venue:
    """A venue entered as a placeholder: a name, a zone, no address."""
    return Venue(name="TBA", timezone="America/Denver", **fields)


def test_an_event_whose_venue_is_not_known_has_no_place_without_an_address():
    """Google's Event rich results need location.address for a Place: a live event with no
    venue yet, or a placeholder venue ("TBA", no address), names no Place (it had one with a
    name only); online, it still has its VirtualLocation. A venue known only by its city is a
    Place with that much of an address."""
    unknown = make_event()
    unknown.set_all_day(date(2026, 9, 24), date(2026, 9, 24), "America/Denver")
    data = build(unknown)
    assert "location" not in data
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    unknown.venue = tba(address="", city="", region="", country="", postal_code="")
    assert "location" not in build(unknown)
    unknown.online_url = "https://example.com/live"  # hybrid, its hall not announced yet
    data = build(unknown)
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://example.com/live"}
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    unknown.online_url = ""
    unknown.venue = tba(address="", city="Denver", region="", country="", postal_code="")
    assert build(unknown)["location"] == {
        "@type": "Place",
        "name": "TBA",
        "address": {"@type": "PostalAddress", "addressLocality": "Denver"},
    }


def test_offer_when_registration_is_open():
    event = make_event(venue=denver(), registration_url="https://example.com/register")
    event.set_all_day(date(2026, 9, 24), date(2026, 9, 24), "America/Denver")
    assert build(event)["offers"]["url"] == "https://example.com/register"


@pytest.mark.parametrize(
    ("kind", "has_venue", "online", "mode"),
    [
        ("live", True, False, "OfflineEventAttendanceMode"),
        ("live", True, True, "MixedEventAttendanceMode"),
        ("webinar", False, True, "OnlineEventAttendanceMode"),
        ("audio", False, False, "OnlineEventAttendanceMode"),
        ("webinar", True, True, "MixedEventAttendanceMode"),
    ],
)
def test_attendance_mode(kind, has_venue, online, mode):
    event = make_event(
        kind=kind, venue=denver() if has_venue else None, online_url="https://x" if online else ""
    )
    assert attendance_mode(event) == mode


def test_detail_page_embeds_parseable_json_ld(client, create_event, create_venue):
    venue = create_venue(latitude=39.8886, longitude=-105.0647)
    create_event(
        slug="tricky",
        kind="live",
        venue=venue,
        zone="America/Denver",
        title="</script><script>alert('x')</script> & more",
        first_day=date(2026, 9, 24),
        last_day=date(2026, 9, 26),
        status="cancelled",
    )
    html = client.get("/events/tricky").get_data(as_text=True)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    assert "<" not in blocks[0]
    data = json.loads(blocks[0])
    assert data["name"] == "</script><script>alert('x')</script> & more"
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["url"] == "http://localhost/events/tricky"


def _jsonld(client, path: str) -> dict:
    html = client.get(path).get_data(as_text=True)
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )


def test_a_moved_series_date_is_rescheduled_with_its_previous_start(app, client, create_series):
    """schema.org EventRescheduled: "the event's previousStartDate should be set to the old
    date and the startDate should be set to the event's new date" (Google's Event guidelines
    ask the same); the page says "Moved from ...", the structured data said EventScheduled."""
    from events_app.extensions import db

    app.config["NOW"] = datetime(2026, 6, 1, tzinfo=UTC)
    master = create_series(
        slug="hour", start=datetime(2026, 7, 2, 12, 0), zone="America/New_York",
        weekdays=("TH",), count=4,
    )  # fmt: skip
    by_day = {o.recurrence_id.date(): o for o in master.occurrences}
    for day in (date(2026, 7, 9), date(2026, 7, 16)):
        o = by_day[day]
        o.set_timed(o.start_at + timedelta(days=1), o.end_at + timedelta(days=1), o.timezone)
    by_day[date(2026, 7, 16)].status = "cancelled"
    db.session.commit()

    moved = _jsonld(client, "/events/hour/2026-07-09")
    assert moved["startDate"] == "2026-07-10T12:00:00-04:00"
    assert moved["eventStatus"] == "https://schema.org/EventRescheduled"
    assert moved["previousStartDate"] == "2026-07-09T12:00:00-04:00"
    cancelled = _jsonld(client, "/events/hour/2026-07-16")
    assert cancelled["eventStatus"] == "https://schema.org/EventCancelled"
    assert cancelled["previousStartDate"] == "2026-07-16T12:00:00-04:00"
    kept = _jsonld(client, "/events/hour/2026-07-02")
    assert kept["eventStatus"] == "https://schema.org/EventScheduled"
    assert "previousStartDate" not in kept
    dates = {e["url"].rsplit("/", 1)[1]: e for e in _jsonld(client, "/events/hour")["subEvent"]}
    assert dates["2026-07-09"]["eventStatus"] == "https://schema.org/EventRescheduled"
    assert dates["2026-07-09"]["previousStartDate"] == "2026-07-09T12:00:00-04:00"
    assert "previousStartDate" not in dates["2026-07-23"]


def test_a_moved_all_day_series_date_names_its_previous_day(app, client, create_series):
    from events_app.extensions import db

    app.config["NOW"] = datetime(2026, 6, 1, tzinfo=UTC)
    master = create_series(
        slug="days", start=datetime(2026, 7, 1, 0, 0), zone="Europe/Berlin", all_day=True,
        minutes=1440, freq="monthly", month_day=1, count=3,
    )  # fmt: skip
    o = next(o for o in master.occurrences if o.recurrence_id.date() == date(2026, 8, 1))
    o.set_all_day(date(2026, 8, 3), date(2026, 8, 3), o.timezone)
    db.session.commit()
    data = _jsonld(client, "/events/days/2026-08-01")
    assert (data["startDate"], data["previousStartDate"]) == ("2026-08-03", "2026-08-01")
    assert data["eventStatus"] == "https://schema.org/EventRescheduled"


def test_a_series_pages_dates_are_whole_events(app, client, create_series, create_venue):
    """Each subEvent is an Event that Google checks as such: name, startDate and location
    required, endDate and eventAttendanceMode recommended. They had neither location nor end."""
    app.config["NOW"] = datetime(2026, 6, 1, tzinfo=UTC)
    create_series(
        slug="hour", start=datetime(2026, 7, 2, 12, 0), zone="America/New_York",
        weekdays=("TH",), count=2, kind="audio", online_url="https://radio.example/live",
    )  # fmt: skip
    create_series(
        slug="breakfast", start=datetime(2026, 7, 7, 8, 0), zone="America/Denver",
        weekdays=("TU",), count=2, kind="live", venue=create_venue(),
    )  # fmt: skip
    hour = _jsonld(client, "/events/hour")["subEvent"]
    assert [e["startDate"] for e in hour] == [
        "2026-07-02T12:00:00-04:00",
        "2026-07-09T12:00:00-04:00",
    ]
    for sub in hour:
        assert sub["@type"] == "Event" and "@context" not in sub
        assert sub["endDate"] == sub["startDate"].replace("T12:", "T13:")
        assert sub["location"] == {"@type": "VirtualLocation", "url": "https://radio.example/live"}
        assert sub["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
        assert sub["organizer"]["name"] == "Telecom Events"
    for sub in _jsonld(client, "/events/breakfast")["subEvent"]:
        assert sub["location"]["@type"] == "Place" and sub["location"]["address"]
        assert sub["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
