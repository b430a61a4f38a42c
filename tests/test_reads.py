"""How pages read: public GETs on PostgreSQL without a transaction (events_app/reads.py), and the
event page in one statement with its categories and speakers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from events_app.extensions import db
from events_app.models import Category, Event, Speaker
from events_app.reads import READ_ONLY_BLUEPRINTS, WriteInReadOnlyRequest
from tests.conftest import NOW
from tests.tools import postgres_url


def on_postgresql(app: Flask) -> None:
    url = postgres_url()  # skips here without PostgreSQL; fails under CI
    assert app.config["SQLALCHEMY_ENGINES"]["default"].split("://")[1] == url.split("://")[1]


def read_only_paths(app: Flask, slug: str) -> list[str]:
    """Every GET route of the read-only blueprints without arguments, and the event page."""
    paths = [f"/events/{slug}"]
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if blueprint in READ_ONLY_BLUEPRINTS and "GET" in rule.methods and not rule.arguments:
            paths.append(rule.rule)
    return sorted(set(paths))


@pytest.mark.postgres
def test_public_pages_on_postgresql_read_without_a_transaction(
    app, client, statements, create_event, create_category
):
    on_postgresql(app)
    app.config["RESPONSE_CACHE_BYTES"] = 0
    event = create_event(categories=[create_category("5G")], speakers=(("Ada", "CTO", "X"),))
    paths = read_only_paths(app, event.slug)
    assert {"/", "/events/", "/calendar/", "/webinars/", "/api/v1/events"} <= set(paths)
    for path in paths:
        statements.clear()
        response = client.get(path)
        response.close()
        assert response.status_code < 500, path
        in_transaction = [s for s in statements if s.transaction != "IDLE"]
        assert in_transaction == [], f"{path} began a transaction for {in_transaction[:1]}"
        if path in ("/", "/events/", f"/events/{event.slug}"):
            assert statements, f"{path} read nothing: the check saw no statement"


@pytest.mark.postgres
def test_feeds_and_staff_pages_on_postgresql_keep_their_transaction(
    app, client, statements, create_event, editor, auth
):
    on_postgresql(app)
    app.config["FEED_CACHE_BYTES"] = 0
    create_event(start=NOW.replace(year=NOW.year + 2))
    for path in ("/feeds/all.ics", "/staff/"):
        if path.startswith("/staff"):
            auth.login()
        statements.clear()
        response = client.get(path)
        assert response.status_code == 200, path
        response.get_data()
        assert statements and all(s.transaction == "INTRANS" for s in statements), (
            path,
            statements[:2],
        )


@pytest.mark.postgres
def test_a_write_in_a_read_only_request_is_refused(app):
    on_postgresql(app)
    with app.test_request_context("/events/", method="GET"):
        app.preprocess_request()
        db.session.add(Category(name="Written", slug="written"))
        with pytest.raises(WriteInReadOnlyRequest, match="GET /events/"):
            db.session.flush()
        db.session.rollback()
    with app.app_context():
        assert db.session.scalar(select(Category).where(Category.slug == "written")) is None


def test_the_event_page_is_one_statement_with_categories_and_speakers_in_order(
    app, client, statements, create_event, create_category
):
    app.config["RESPONSE_CACHE_BYTES"] = 0
    categories = [create_category(name) for name in ("Zeta", "Alpha", "Mid")]
    speakers = (("Cara", "CEO", "C Co"), ("Abe", "CTO", "A Co"), ("Bo", "COO", "B Co"))
    event = create_event(slug="ordered", categories=categories, speakers=speakers)
    # Positions unlike the order the rows were made in: Bo first, then Abe, then Cara.
    for name, position in (("Cara", 2), ("Abe", 1), ("Bo", 0)):
        db.session.execute(
            update(Speaker).where(Speaker.event_id == event.id, Speaker.name == name),
            {"position": position},
        )
    db.session.commit()
    statements.clear()
    html = client.get("/events/ordered").get_data(as_text=True)
    assert len(statements) == 1, [s[:80] for s in statements]
    speakers = re.findall(r"\b(Cara|Abe|Bo)\b", html.split('id="speakers-h"')[1])
    assert speakers[:3] == ["Bo", "Abe", "Cara"]
    tags = re.findall(r">(Zeta|Alpha|Mid)</a>", html)
    assert tags == [
        "Alpha",
        "Mid",
        "Zeta",
    ]
    assert html.count(">Alpha</a>") == 1 and html.count(">Bo<") <= 1


@pytest.mark.postgres
def test_after_a_public_page_its_app_context_writes_in_a_transaction(
    app, app_ctx, client, statements
):
    on_postgresql(app)
    # The request reuses the app context pushed here, and with it the session.
    assert client.get("/events/").status_code == 200
    statements.clear()
    db.session.add(Category(name="After", slug="after"))
    db.session.commit()
    assert statements and all(s.transaction == "INTRANS" for s in statements), statements[:2]


def test_a_dates_page_reads_neither_its_own_stored_block_nor_its_series(
    app, client, statements, create_series
):
    # A series' stored VEVENT block holds its rule and every moved date: the page of one date
    # shows none of it, so neither block is read (the master's was, through the join).
    app.config["RESPONSE_CACHE_BYTES"] = 0
    master = create_series(start=NOW.replace(tzinfo=None) + timedelta(days=3), count=4)
    date_slug = db.session.scalars(
        select(Event.slug).where(Event.series_id == master.id).order_by(Event.start_at)
    ).first()
    statements.clear()
    html = client.get(f"/events/{date_slug}").get_data(as_text=True)
    assert len(statements) == 2, [s[:80] for s in statements]
    assert not any("ical_block" in s for s in statements), [s[:2000] for s in statements]
    assert f'href="/events/{master.slug}"' in html and master.title in html
