"""A venue's page (/venues/<slug>): where it is and what is on there; its address, made from its
name and kept by the venue form; its former addresses; its place in the sitemap."""

from __future__ import annotations

import pytest
from conftest import NOW
from sqlalchemy import select, text
from test_staff_admin import main_form

from events_app.extensions import alembic, db
from events_app.models import Venue


def body(response) -> str:
    return response.get_data(as_text=True)


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
