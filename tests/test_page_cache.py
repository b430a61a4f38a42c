"""The rendered-page cache: identical bytes on a hit, invalidated by every ORM save, never for
a logged-in user, keyed by the minute, off with PAGE_CACHE_BYTES=0."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from events_app.extensions import db
from events_app.models import Event
from events_app.page_cache import page_cache
from tests.conftest import NOW, AuthActions

PAGES = ("/", "/events/", "/calendar/2026/06", "/webinars/", "/webinars/archive")


def _retitle_behind_orm(app: Flask, event_id: int, title: str) -> None:
    """A Core UPDATE bypasses the generation: only a cached page still shows the old title."""
    db.session.execute(update(Event).where(Event.id == event_id).values(title=title))
    db.session.commit()


@pytest.fixture
def event(app: Flask, create_event: Callable[..., Event]) -> Event:
    app.config["NOW"] = NOW  # the event is upcoming
    return create_event(title="Original title", slug="original")


def test_hit_returns_identical_bytes_status_and_headers(
    app: Flask, client: FlaskClient, event: Event
) -> None:
    for path in (*PAGES, "/events/original", "/events/?q=Original&kind=webinar"):
        first = client.get(path)
        assert first.status_code == 200, path
        _retitle_behind_orm(app, event.id, "Changed behind the cache")
        second = client.get(path)
        assert second.status_code == 200
        assert second.data == first.data, path
        assert second.headers.get("Content-Type") == first.headers.get("Content-Type")
        assert sorted(second.headers.items()) == sorted(first.headers.items())
        assert "Set-Cookie" not in second.headers
        _retitle_behind_orm(app, event.id, "Original title")


def test_an_orm_save_invalidates(app: Flask, client: FlaskClient, event: Event) -> None:
    assert b"Original title" in client.get("/events/original").data
    event.title = "Edited through the ORM"
    db.session.commit()
    page = client.get("/events/original").data
    assert b"Edited through the ORM" in page and b"Original title" not in page
    assert b"Edited through the ORM" in client.get("/events/").data


def test_logged_in_users_are_never_served_nor_stored(
    app: Flask, client: FlaskClient, auth: AuthActions, editor, event: Event
) -> None:
    assert auth.login().status_code in (302, 303)
    client.get("/events/")
    assert not page_cache(app)  # nothing stored for a logged-in user
    anonymous = app.test_client()
    anonymous.get("/events/")
    assert page_cache(app)  # an anonymous visitor's page is stored
    _retitle_behind_orm(app, event.id, "Fresh for staff")
    assert b"Fresh for staff" in client.get("/events/").data  # not served from the cache
    assert b"Original title" in anonymous.get("/events/").data  # the anonymous hit
    # The footer links a signed-in user to the staff area, everyone else to the login.
    assert b">Staff area<" in client.get("/events/").data
    assert b">Staff login<" not in client.get("/").data
    for path in ("/events/", "/"):
        page = anonymous.get(path).data
        assert b">Staff login<" in page and b">Staff area<" not in page


def test_the_minute_is_part_of_the_key(app: Flask, client: FlaskClient, event: Event) -> None:
    app.config["NOW"] = NOW
    client.get("/events/")
    _retitle_behind_orm(app, event.id, "A minute later")
    app.config["NOW"] = NOW + timedelta(seconds=59)
    assert b"Original title" in client.get("/events/").data  # same minute: cached
    app.config["NOW"] = NOW + timedelta(seconds=60)
    assert b"A minute later" in client.get("/events/").data


def test_disabled_with_zero_bytes(app: Flask, client: FlaskClient, event: Event) -> None:
    app.config["PAGE_CACHE_BYTES"] = 0
    client.get("/events/")
    _retitle_behind_orm(app, event.id, "Not cached")
    assert b"Not cached" in client.get("/events/").data
    assert not page_cache(app)


def test_errors_and_other_methods_are_not_stored(
    app: Flask, client: FlaskClient, event: Event
) -> None:
    assert client.get("/events/no-such-event").status_code == 404
    assert client.get("/events/?kind=nonsense").status_code == 400
    assert client.head("/events/").status_code == 200
    assert not page_cache(app)


def test_bounded_by_bytes(app: Flask, client: FlaskClient, event: Event) -> None:
    size = len(client.get("/events/original").data)
    cache = page_cache(app)
    cache.limit = size * 2 + size // 2
    for path in ("/events/original?a=1", "/events/original?a=2", "/events/original?a=3"):
        client.get(path)
    assert len(cache) <= 2 and cache.total <= cache.limit


def test_a_new_or_renamed_category_shows_at_once(
    app: Flask, client: FlaskClient, event: Event
) -> None:
    """Categories appear in the list's filter even before any event uses them."""
    from events_app.models import Category

    assert b"Quantum networks" not in client.get("/events/").data
    category = Category(name="Quantum networks", slug="quantum")
    db.session.add(category)
    db.session.commit()
    assert b"Quantum networks" in client.get("/events/").data
    category.name = "Quantum links"
    db.session.commit()
    assert b"Quantum links" in client.get("/events/").data
