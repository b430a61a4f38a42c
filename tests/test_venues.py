"""A venue's page (/venues/<slug>): where it is and what is on there; its address, made from its
name and kept by the venue form; its former addresses; its place in the sitemap."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from conftest import NOW
from sqlalchemy import select, text
from test_staff_admin import main_form

from events_app.extensions import alembic, db
from events_app.models import Venue


@pytest.fixture
def visitor(app, client):
    app.config["NOW"] = NOW
    return client


@pytest.fixture
def westin(create_venue):
    return create_venue(latitude=39.88, longitude=-105.06, website="https://westin.example.com/")


def body(response) -> str:
    return response.get_data(as_text=True)


def structured(page: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_a_venue_page_shows_the_place_and_what_is_on_there(visitor, app_ctx, westin, create_event):
    create_event(title="Fiber Connect", kind="live", venue=westin)
    create_event(title="Last Year's Summit", kind="live", venue=westin,
                 start=NOW - timedelta(days=30))  # fmt: skip
    create_event(title="Elsewhere", kind="live")
    assert westin.slug == "westin-westminster"
    response = visitor.get("/venues/westin-westminster")
    assert response.status_code == 200
    page = body(response)
    assert '<h1 dir="auto">Westin Westminster</h1>' in page
    assert "10600 Westminster Blvd, Denver, CO, United States" in page
    assert "America/Denver" in page
    assert 'href="https://westin.example.com/"' in page
    assert "https://www.openstreetmap.org/?mlat=39.88000&amp;mlon=-105.06000" in page
    upcoming, past = page.split('id="past-h"')
    assert "Fiber Connect" in upcoming and "Last Year" not in upcoming
    assert "Last Year" in past
    assert "Elsewhere" not in page
    assert '<link rel="canonical" href="http://localhost/venues/westin-westminster">' in page
    place = structured(page)
    assert place["@type"] == "Place" and place["name"] == "Westin Westminster"
    assert place["url"] == "http://localhost/venues/westin-westminster"
    assert place["sameAs"] == "https://westin.example.com/"
    assert place["geo"]["latitude"] == 39.88
    assert place["address"]["addressLocality"] == "Denver"
    # Nothing on the page loads from another origin: the map is a plain link.
    assert not re.search(r'<(script|img|iframe)[^>]+src="(https?:)?//', page)
    assert not re.search(r'<link rel="stylesheet" href="(https?:)?//', page)


def test_a_venue_pages_events_do_not_repeat_its_name(visitor, app_ctx, westin, create_event):
    """Under its heading, each event's "· Westin Westminster, Denver" said the page's name
    again (three lines each for a long one on a phone); the list still says it."""
    create_event(title="Fiber Connect", kind="live", venue=westin)
    create_event(title="Last Year's Summit", kind="live", venue=westin,
                 start=NOW - timedelta(days=30))  # fmt: skip
    page = body(visitor.get("/venues/westin-westminster"))
    assert "Fiber Connect" in page and "Last Year" in page
    assert 'class="event-place"' not in page
    listed = body(visitor.get("/events/?place=denver"))
    assert '<span class="event-place"><bdi>Westin Westminster, Denver</bdi></span>' in listed


def test_a_venue_page_offers_its_list_and_feed_and_its_citys_list(visitor, app_ctx, westin,
                                                                  create_event):  # fmt: skip
    """Its own (the venue filter, test_venue_filter), and its city's list beside."""
    create_event(kind="live", venue=westin)
    page = body(visitor.get("/venues/westin-westminster"))
    assert 'href="/events/?venue=westin-westminster">All events here</a>' in page
    assert 'href="/events/?place=Denver"' in page
    assert "Subscribe to events at <bdi>Westin Westminster</bdi>" in page  # as the list names it
    assert "webcal://localhost/feeds/events.ics?venue=westin-westminster" in page


def test_an_event_page_links_its_venue(visitor, app_ctx, westin, create_event):
    event = create_event(kind="live", venue=westin)
    page = body(visitor.get(f"/events/{event.slug}"))
    assert '<a href="/venues/westin-westminster">Westin Westminster</a>' in page


def test_upcoming_events_are_paged(visitor, app, app_ctx, westin, create_event):
    app.config["PAGE_SIZE"] = 2
    for day in (1, 2, 3):
        create_event(title=f"Day {day}", kind="live", venue=westin,
                     start=NOW + timedelta(days=day))  # fmt: skip
    first = body(visitor.get("/venues/westin-westminster"))
    assert "Day 1" in first and "Day 2" in first and "Day 3" not in first
    assert 'href="/venues/westin-westminster?page=2"' in first
    second = visitor.get("/venues/westin-westminster?page=2")
    assert "Day 3" in body(second) and "Day 1" not in body(second)
    assert (
        '<link rel="canonical" href="http://localhost/venues/westin-westminster?page=2">'
        in body(second)
    )
    assert visitor.get("/venues/westin-westminster?page=3").status_code == 404
    for bad in ("0", "x", "-1", "99999999999", "1.5"):
        assert visitor.get(f"/venues/westin-westminster?page={bad}").status_code == 400, bad


def test_a_venue_without_public_events_has_no_page(visitor, app_ctx, create_venue, create_event):
    """A draft's venue does not show (not its name, not its address)."""
    secret = create_venue(name="Secret Launch Hall")
    create_event(kind="live", venue=secret, status="draft")
    create_venue(name="Empty Hall")
    for path in ("/venues/secret-launch-hall", "/venues/empty-hall", "/venues/no-such-place",
                 "/venues/a%00b", "/venues/" + "x" * 300):  # fmt: skip
        response = visitor.get(path)
        assert response.status_code == 404, path
        assert "Secret Launch Hall" not in body(response)


def test_a_series_master_alone_does_not_make_a_page(visitor, app_ctx, create_venue, create_series):
    from datetime import datetime

    hall = create_venue(name="Radio Hall")
    show = create_series(start=datetime(2026, 6, 18, 12, 0), kind="live", venue=hall, count=2)
    assert visitor.get("/venues/radio-hall").status_code == 200
    for occurrence in show.occurrences:
        occurrence.status = "draft"
        occurrence.own_status = "draft"
    db.session.commit()
    assert visitor.get("/venues/radio-hall").status_code == 404


def test_new_venues_get_a_unique_address_made_from_their_name(app_ctx, create_venue):
    first, second = create_venue(), create_venue(city="Westminster")
    assert (first.slug, second.slug) == ("westin-westminster", "westin-westminster-2")
    db.session.add_all([Venue(name="Hall", timezone="UTC"), Venue(name="Hall", timezone="UTC")])
    db.session.commit()  # two of one name in one save
    assert sorted(db.session.scalars(select(Venue.slug).where(Venue.name == "Hall"))) == [
        "hall",
        "hall-2",
    ]
    assert create_venue(name="北京").slug == "beijing"
    assert create_venue(name="🎉").slug == "venue"


@pytest.fixture
def as_editor(client, auth, editor):
    auth.login()
    return client


VENUE = {"name": "Javits Center", "city": "New York", "timezone": "America/New_York"}


def test_the_venue_form_makes_keeps_and_checks_the_address(as_editor, app_ctx, create_venue):
    create_venue(name="Taken")
    assert as_editor.post("/staff/venues/new", data=VENUE).status_code == 302
    javits = db.session.scalar(select(Venue).where(Venue.name == "Javits Center"))
    assert javits.slug == "javits-center"
    url = f"/staff/venues/{javits.id}/edit"
    form = main_form(as_editor.get(url))
    assert form["slug"] == "javits-center"
    assert as_editor.post(url, data={**form, "slug": "javits"}).status_code == 302
    db.session.refresh(javits)
    assert javits.slug == "javits"
    refused = as_editor.post(url, data={**main_form(as_editor.get(url)), "slug": "taken"})
    assert refused.status_code == 400
    assert "Another venue already uses this address" in body(refused)
    refused = as_editor.post(url, data={**main_form(as_editor.get(url)), "slug": "Not a slug!"})
    assert refused.status_code == 400 and "Use lowercase letters" in body(refused)


def test_a_renamed_venue_is_found_at_its_old_address(app, as_editor, app_ctx, westin, create_event):
    app.config["NOW"] = NOW
    create_event(kind="live", venue=westin)
    url = f"/staff/venues/{westin.id}/edit"
    form = main_form(as_editor.get(url))
    sent = {**form, "name": "Westin Denver", "slug": "westin-denver"}
    assert as_editor.post(url, data=sent).status_code == 302
    visitor = app.test_client()
    moved = visitor.get("/venues/westin-westminster")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/venues/westin-denver"
    assert visitor.get("/venues/westin-denver").status_code == 200
    # A new venue given the old address has it: the live address comes first.
    create_event(kind="live", venue=Venue(name="Westin Westminster", timezone="America/Denver"))
    assert "westin-westminster" in db.session.scalars(select(Venue.slug)).all()
    assert visitor.get("/venues/westin-westminster").status_code == 200


def test_the_sitemap_lists_venues_with_public_events(visitor, app_ctx, westin, create_venue,
                                                     create_event):  # fmt: skip
    create_event(kind="live", venue=westin)
    create_event(kind="live", venue=create_venue(name="Draft Hall"), status="draft")
    pages = body(visitor.get("/sitemaps/pages.xml"))
    assert "<loc>http://localhost/venues/westin-westminster</loc>" in pages
    assert "draft-hall" not in pages


def test_0021_gives_every_venue_an_address_from_its_name(app, app_ctx):
    db.session.close()  # PostgreSQL: an open transaction would hold off the migration
    alembic.downgrade("0020")
    for name in ("Westin Westminster", "Westin  Westminster!", "Café Zürich", "🎉"):
        db.session.execute(
            text(
                "INSERT INTO venues (name, address, city, region, country, postal_code,"
                " timezone, website, created_at, updated_at)"
                " VALUES (:name, '', '', '', '', '', 'UTC', '', :at, :at)"
            ),  # fmt: skip
            {"name": name, "at": NOW.replace(tzinfo=None)},
        )
    db.session.commit()
    db.session.close()
    alembic.upgrade()
    slugs = db.session.execute(select(Venue.name, Venue.slug).order_by(Venue.id)).all()
    assert [s for _, s in slugs] == [
        "westin-westminster",
        "westin-westminster-2",
        "cafe-zurich",
        "venue",
    ]
