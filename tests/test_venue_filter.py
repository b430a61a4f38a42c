"""The ``venue`` filter (``?venue=<a venue's slug>``): one venue's events on the list, in its
feed, the month, the API and the widgets; its name in the view's name; the venue page's list
and feed; an unknown, a malformed and a former slug."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from conftest import NOW
from werkzeug.datastructures import MultiDict

from events_app.extensions import db
from events_app.filters import BadFilter, EventFilters
from events_app.models import FormerVenueSlug, Venue
from events_app.view_names import view_name

SLUG = "sony-hall"


@pytest.fixture
def visitor(app, client):
    app.config["NOW"] = NOW
    return client


@pytest.fixture
def data(create_venue, create_event):
    """Two venues in one city, each with events; a venue with drafts only."""
    sony = create_venue(name="Sony Hall", slug=SLUG, city="New York", timezone="America/New_York")
    other = create_venue(name="Town Hall", city="New York", timezone="America/New_York")
    hidden = create_venue(name="Back Room", slug="back-room", city="New York")
    start = NOW + timedelta(days=25)  # 2026-07-10
    return {
        "sony": sony,
        "here": create_event(title="Jazz Night", kind="live", venue=sony, start=start),
        "here2": create_event(title="Fiber Talk", kind="live", venue=sony,
                              start=start + timedelta(days=2)),
        "past": create_event(title="Old Gig", kind="live", venue=sony,
                             start=NOW - timedelta(days=20)),
        "elsewhere": create_event(title="Town Meeting", kind="live", venue=other, start=start),
        "online": create_event(title="Online Only", start=start),
        "draft": create_event(title="Draft Show", kind="live", venue=hidden, status="draft",
                              start=start),
    }  # fmt: skip


def body(response) -> str:
    return response.get_data(as_text=True)


def test_the_filter_reads_and_writes_a_venue_slug():
    filters = EventFilters.from_args(MultiDict({"venue": SLUG, "kind": "live"}))
    assert filters.venue == SLUG and filters.is_filtered
    assert filters.to_args() == {"kind": "live", "venue": SLUG}
    assert EventFilters.from_args(MultiDict({"venue": "x" * 200})).venue == "x" * 200


@pytest.mark.parametrize("value", ["Sony-Hall", "sony hall", "<script>", "-x", "x" * 201, "a\x00"])
def test_a_malformed_venue_is_refused(value):
    with pytest.raises(BadFilter) as refused:
        EventFilters.from_args(MultiDict({"venue": value}))
    assert refused.value.field == "venue"


def test_the_view_is_named_at_the_venue(app_ctx, data):
    assert str(view_name(EventFilters(venue=SLUG)).heading) == "Upcoming events at Sony Hall"
    both = EventFilters(venue=SLUG, place="new york", kind="live", when="past")
    assert str(view_name(both).heading) == "Past live events at Sony Hall in New York"
    assert str(view_name(EventFilters(venue=SLUG)).feed) == "events at Sony Hall"
    # One that names no venue with public events is not named (its page says so).
    assert str(view_name(EventFilters(venue="back-room")).heading) == "Upcoming events"
    assert str(view_name(EventFilters(venue="nowhere")).heading) == "Upcoming events"


def test_the_list_shows_the_venues_events_under_its_name(visitor, data):
    page = body(visitor.get(f"/events/?venue={SLUG}"))
    assert 'Upcoming events<span class="sub"> at <bdi>Sony Hall</bdi></span></h1>' in page
    assert "<title>Upcoming events at Sony Hall · " in page
    assert "Jazz Night" in page and "Fiber Talk" in page
    assert "Town Meeting" not in page and "Online Only" not in page and "Old Gig" not in page
    # Other filters applied keep it; Clear filters drops it; the tabs and the month keep it.
    assert f'<input type="hidden" name="venue" value="{SLUG}">' in page
    assert '<a href="/events/">Clear filters</a>' in page
    assert f'href="/events/?when=past&amp;venue={SLUG}"' in page
    assert f'href="/calendar/?venue={SLUG}"' in page
    assert f"webcal://localhost/feeds/events.ics?venue={SLUG}" in page
    assert "Subscribe to events at <bdi>Sony Hall</bdi>" in page
    past = body(visitor.get(f"/events/?venue={SLUG}&when=past"))
    assert "Old Gig" in past and "Jazz Night" not in past
    narrowed = body(visitor.get(f"/events/?venue={SLUG}&q=fiber"))
    assert "Fiber</mark> Talk" in narrowed and "Jazz Night" not in narrowed


@pytest.mark.parametrize("slug", ["nowhere", "back-room"])
def test_an_unknown_venue_shows_an_empty_list_that_says_so(visitor, data, slug):
    response = visitor.get(f"/events/?venue={slug}&kind=live")
    assert response.status_code == 200
    page = body(response)
    assert f"There is no venue “<bdi>{slug}</bdi>”, or nothing is listed there." in page
    assert '<a href="/events/?kind=live">See these upcoming live events at every venue</a>' in page
    assert "Jazz Night" not in page and "Draft Show" not in page
    assert "subscribe-box" not in page  # nothing to subscribe to


def test_a_venue_with_no_public_events_has_an_empty_feed_and_an_unknown_one_none(visitor, data):
    assert visitor.get("/feeds/events.ics?venue=nowhere").status_code == 404
    response = visitor.get("/feeds/events.ics?venue=back-room")  # a draft's venue
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "Telecom Events: events"  # a draft's venue: unnamed


def test_a_venues_feed_empties_when_its_last_event_goes(visitor, data):
    """Calendar apps subscribed to a venue drop its events when they are gone: a 404 would
    leave them holding what they had."""
    url = f"/feeds/events.ics?venue={SLUG}"
    assert len(icalendar.Calendar.from_ical(visitor.get(url).data).walk("VEVENT")) == 3
    data["here"].status = "draft"
    db.session.delete(data["here2"])
    db.session.delete(data["past"])
    db.session.commit()
    response = visitor.get(url)
    assert response.status_code == 200
    assert icalendar.Calendar.from_ical(response.data).walk("VEVENT") == []
    assert visitor.get(f"/venues/{SLUG}").status_code == 404  # its page has nothing to show
    # Renamed since, its former slug still leads to its (empty) feed.
    db.session.get(Venue, data["sony"].id).slug = "sony-hall-nyc"
    db.session.commit()
    moved = visitor.get(url)
    assert moved.status_code == 301
    assert moved.headers["Location"] == "http://localhost/feeds/events.ics?venue=sony-hall-nyc"
    assert visitor.get(moved.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    "url", ["/events/", "/calendar/", "/calendar/2026/07", "/feeds/events.ics", "/categories/x"]
)
def test_a_malformed_venue_is_a_400(visitor, data, url):
    response = visitor.get(f"{url}?venue=Sony%20Hall")
    assert response.status_code == 400 if url != "/categories/x" else 404
    if response.status_code == 400:
        assert "A venue is given by its slug" in body(response)


def test_the_feed_holds_exactly_the_venues_events(visitor, data):
    response = visitor.get(f"/feeds/events.ics?venue={SLUG}")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    uids = {str(e["UID"]) for e in calendar.walk("VEVENT")}
    assert uids == {data[n].uid for n in ("here", "here2", "past")}
    assert str(calendar["X-WR-CALNAME"]) == "Telecom Events: events at Sony Hall"


def test_the_month_shows_the_venues_events(visitor, data):
    page = body(visitor.get(f"/calendar/2026/07?venue={SLUG}"))
    assert "Jazz Night" in page and "Fiber Talk" in page and "Town Meeting" not in page
    assert 'July 2026 <span class="sub">· Events at <bdi>Sony Hall</bdi></span>' in page
    assert f'<input type="hidden" name="venue" value="{SLUG}">' in page
    unknown = body(visitor.get("/calendar/2026/07?venue=nowhere"))
    assert "There is no venue “<bdi>nowhere</bdi>”" in unknown
    assert '<a href="/calendar/2026/07">See July 2026 at every venue</a>' in unknown
    assert "Town Meeting" not in unknown and "subscribe-box" not in unknown


def test_the_api_and_the_widgets_take_the_venue(visitor, data):
    found = visitor.get(f"/api/v1/events?venue={SLUG}&when=all").get_json()["data"]
    assert sorted(e["title"] for e in found) == ["Fiber Talk", "Jazz Night", "Old Gig"]
    assert visitor.get("/api/v1/events?venue=nowhere").get_json()["data"] == []
    malformed = visitor.get("/api/v1/events?venue=Sony")
    assert malformed.status_code == 400 and "by its slug" in malformed.get_json()["detail"]
    spec = visitor.get("/api/v1/openapi.json").get_json()
    names = {p["name"] for p in spec["paths"]["/events"]["get"]["parameters"]}
    assert "venue" in names
    widget = visitor.get(f"/embed/list.json?venue={SLUG}").get_json()
    titles = [e["title"] for s in widget["sections"] for e in s["events"]]
    assert titles == ["Jazz Night", "Fiber Talk"]
    assert visitor.get("/embed/list.json?venue=Sony").status_code == 400


def test_the_venue_page_offers_its_own_list_and_feed(visitor, data):
    page = body(visitor.get(f"/venues/{SLUG}"))
    assert f'<a href="/events/?venue={SLUG}">All events here</a>' in page
    assert 'href="/events/?place=New+York">Every event in <bdi>New York</bdi></a>' in page
    assert "Subscribe to events at <bdi>Sony Hall</bdi>" in page
    assert f"webcal://localhost/feeds/events.ics?venue={SLUG}" in page
    assert f'value="http://localhost/feeds/events.ics?venue={SLUG}"' in page
    assert "feeds/events.ics?place=" not in page


def test_a_former_slug_finds_the_venues_events(visitor, data):
    """A renamed venue's old slug in ``venue=`` (a kept link, a subscribed feed) still finds
    its events; the addresses the page writes (its canonical link, its feed) name the new."""
    sony = db.session.get(Venue, data["sony"].id)
    sony.slug = "sony-hall-nyc"
    db.session.commit()
    assert db.session.get(FormerVenueSlug, SLUG).venue_id == sony.id
    page = body(visitor.get(f"/events/?venue={SLUG}"))
    assert "at <bdi>Sony Hall</bdi>" in page and "Jazz Night" in page
    assert '<link rel="canonical" href="http://localhost/events/?venue=sony-hall-nyc">' in page
    assert "webcal://localhost/feeds/events.ics?venue=sony-hall-nyc" in page
    # The feed at the old slug moves to the new one (as a place spelled otherwise does),
    # which calendar apps follow: one feed, not a copy at each slug the venue had.
    moved = visitor.get(f"/feeds/events.ics?venue={SLUG}")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "http://localhost/feeds/events.ics?venue=sony-hall-nyc"
    feed = icalendar.Calendar.from_ical(visitor.get(moved.headers["Location"]).data)
    assert {str(e["SUMMARY"]) for e in feed.walk("VEVENT")} == {
        "Jazz Night",
        "Fiber Talk",
        "Old Gig",
    }


def test_a_venue_sidebar_names_it_once_and_leaves_out_empty_online_boxes(visitor, data):
    """As a place does: the caption says "at Sony Hall"; the webinar and archive boxes, which
    find nothing there, are left out; the archive's link carries the venue."""
    widget = visitor.get(f"/embed/sidebar.json?venue={SLUG}").get_json()
    assert widget["caption"] == "Events at Sony Hall"
    assert [s["id"] for s in widget["sections"]] == ["live"]
    assert [e["title"] for e in widget["sections"][0]["events"]] == ["Jazz Night", "Fiber Talk"]
    unknown = visitor.get("/embed/sidebar.json?venue=nowhere").get_json()
    assert unknown["caption"] is None
    assert any(n.startswith('venue="nowhere": there is no such venue') for n in unknown["notes"])
    archive = body(visitor.get(f"/webinars/archive?venue={SLUG}"))
    assert "Past sessions at <bdi>Sony Hall</bdi>" in archive


def test_every_filter_a_widget_reads_is_an_attribute_of_embed_js_and_the_builder(app):
    """embed.js passes on only the attributes it lists, and the staff Embed page's snippet
    writes only those of its order: a filter missing there is dropped without a word."""
    import re
    from pathlib import Path

    from events_app.embed.widgets import DATA_PARAMS

    static = Path(app.static_folder)
    listed = re.search(r"const FILTERS = \[([^\]]*)\]", (static / "embed/embed.js").read_text())
    order = re.search(r"const order = \[([^\]]*)\]", (static / "staff-embed.js").read_text())
    wanted = {p.name for p in DATA_PARAMS} - {"month", "when", "from", "to", "sort", "page"}
    assert "venue" in wanted
    assert wanted <= set(re.findall(r'"(\w+)"', listed[1]))
    assert wanted <= set(re.findall(r'"(\w+)"', order[1]))


def test_the_staff_embed_page_offers_the_venues_listed(client, auth, editor, data):
    auth.login()
    page = body(client.get("/staff/embed/"))
    assert f'<option value="{SLUG}">Sony Hall, New York</option>' in page
    assert 'value="back-room"' not in page  # a draft's venue is not announced
    chosen = body(client.get(f"/staff/embed/?widget=list&venue={SLUG}"))
    assert f'<events-widget widget="list" venue="{SLUG}"></events-widget>' in chosen
    gone = body(client.get("/staff/embed/?widget=list&venue=back-room"))
    assert "No event is listed at this venue (any more)" in gone
    assert '<events-widget widget="list"></events-widget>' in gone
