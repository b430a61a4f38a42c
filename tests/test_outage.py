"""While the database does not answer: the last good page or feed from the response cache (as a
CDN's stale-if-error would), else a 503 with Retry-After in the site's layout; a save sent
meanwhile comes back with everything typed and goes through when sent again; one log line per
failure, no tracebacks. The outage is real: the SQLite file's folder is moved away, so that no
new connection can open it (tests/test_faults.py stops PostgreSQL, and kills a connection)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import NOW, STAFF_PASSWORD, _base_config
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from events_app import create_app
from events_app.auth import hash_password
from events_app.extensions import alembic, db
from events_app.models import Event, User
from tests.servers import form_values

FEED = "/feeds/all.ics"
STALE = "events-app; hit; fwd=stale; detail=database-unavailable"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Flask]:
    """An app on a SQLite database of its own, whatever the suite runs on, in a folder of its
    own (moved away for an outage), with CSRF on, as in production."""
    folder = tmp_path / "db"
    folder.mkdir()
    url = f"sqlite:///{folder / 'events.sqlite'}"
    site = create_app({**_base_config(url, tmp_path), "WTF_CSRF_ENABLED": True, "NOW": NOW})
    with site.app_context():
        alembic.upgrade()
    yield site
    with site.app_context():
        db.engine.dispose()


@contextmanager
def outage(site: Flask, *, close_connections: bool = True) -> Iterator[None]:
    """No new connection can open the database until the block ends (open ones still can)."""
    folder = Path(site.config["SQLALCHEMY_ENGINES"]["default"].removeprefix("sqlite:///")).parent
    if close_connections:
        with site.app_context():
            db.engine.dispose()
    folder.rename(folder.with_name("db-away"))
    try:
        yield
    finally:
        folder.with_name("db-away").rename(folder)


@pytest.fixture
def event_id(site: Flask) -> int:
    with site.app_context():
        event = Event(title="Kept Through Outages", slug="kept", kind="webinar", status="published")
        event.set_timed(NOW + timedelta(days=7), NOW + timedelta(days=7, hours=1), "UTC")
        db.session.add(event)
        db.session.commit()
        return event.id


def test_kept_pages_and_feeds_are_served_stale(site: Flask, event_id: int, caplog) -> None:
    client = site.test_client()
    pages = {path: client.get(path) for path in ("/", "/events/", "/events/kept", FEED)}
    assert {r.status_code for r in pages.values()} == {200}
    etag = pages[FEED].headers["ETag"]
    with outage(site):
        for path, before in pages.items():
            during = client.get(path)
            assert during.status_code == 200, path
            assert during.data == before.data
            assert during.headers["Cache-Status"] == STALE
            assert during.headers["Content-Type"] == before.headers["Content-Type"]
        revalidated = client.get(FEED, headers={"If-None-Match": etag})
        assert revalidated.status_code == 304
        assert revalidated.headers["Cache-Status"] == STALE
        # Past the minute a page is kept for, Flask is asked; it fails: the kept one is sent.
        site.config["NOW"] = NOW + timedelta(minutes=5)
        later = client.get("/events/")
        assert later.status_code == 200 and later.data == pages["/events/"].data
        assert later.headers["Cache-Status"] == STALE
        # Older than RESPONSE_CACHE_STALE_IF_ERROR (a day): not served any more.
        site.config["NOW"] = NOW + timedelta(days=1, minutes=1)
        assert client.get("/events/").status_code == 503
    site.config["NOW"] = NOW
    fresh = client.get("/")
    assert fresh.status_code == 200 and "Cache-Status" not in fresh.headers
    assert not [r for r in caplog.records if r.exc_info], "no tracebacks during an outage"


def test_without_a_kept_answer_a_503_page_in_the_sites_layout(
    site: Flask, event_id: int, caplog
) -> None:
    client = site.test_client()
    with outage(site):
        caplog.clear()
        # Every filter in the URL too: nothing that renders the 503 page may ask the database.
        filtered = ("/events/?place=Denver&kind=webinar&category=5g&from=2026-07-01",
                    "/feeds/events.ics?kind=webinar&place=london")  # fmt: skip
        for path in ("/events/?q=never+asked", "/events/kept", FEED, "/calendar/", *filtered):
            response = client.get(path)
            assert response.status_code == 503, path
            assert response.headers["Retry-After"] == "5"
            assert response.headers["Cache-Control"] == "no-store"
            assert "Cache-Status" not in response.headers
            html = response.get_data(as_text=True)
            assert 'class="site-header"' in html and 'class="site-footer"' in html
            assert "cannot reach its database" in html
        lines = [r for r in caplog.records if r.name.startswith("events_app")]
        assert len(lines) == 6, "one line per failed request"
        assert all(r.levelname == "WARNING" and not r.exc_info for r in lines)
        assert all("OperationalError" in r.fields["error"] for r in lines)
        assert client.get("/healthz").status_code == 503
        # The API and the widgets' data are read by programs: a problem body, as their others.
        for path in ("/api/v1/events", "/api/v1/events/kept", "/embed/sidebar.json"):
            response = client.get(path, headers={"Origin": "https://news.example"})
            assert response.status_code == 503, path
            assert response.content_type == "application/problem+json", path
            assert response.get_json()["status"] == 503 and response.headers["Retry-After"] == "5"
            assert response.headers["Access-Control-Allow-Origin"] == "*", path
    assert client.get("/events/?q=never+asked").status_code == 200


def signed_in(site: Flask, client: FlaskClient, email: str) -> None:
    page = client.get("/staff/login").get_data(as_text=True)
    fields = {**form_values(page), "email": email, "password": STAFF_PASSWORD}
    assert client.post("/staff/login", data=fields).status_code == 302


def test_a_save_during_an_outage_keeps_the_input_and_can_be_sent_again(
    site: Flask, event_id: int
) -> None:
    with site.app_context():
        db.session.add(User(email="editor@example.com", display_name="Ed", role="editor",
                            password_hash=hash_password(STAFF_PASSWORD)))  # fmt: skip
        db.session.commit()
    client = site.test_client()
    signed_in(site, client, "editor@example.com")
    url = f"/staff/events/{event_id}/edit"
    fields = form_values(client.get(url).get_data(as_text=True))
    fields["title"] = "Typed During The Outage"
    fields["description"] = "Two lines\nof <careful> text & more."
    with outage(site):
        response = client.post(url, data={**fields, "save": "Save event"})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        html = response.get_data(as_text=True)
        assert "Nothing was saved yet" in html
        assert "Typed During The Outage" in html and "of &lt;careful&gt; text &amp; more." in html
        again = form_values(html)
    for name in ("title", "description", "version", "start_date", "timezone", "kind"):
        assert again[name] == fields[name], name
    assert again["csrf_token"] and again["save"] == "Save event"
    action = html.split('<form method="post" action="')[1].split('"')[0]
    assert action == url
    resent = client.post(action, data=again)
    assert resent.status_code == 302, resent.get_data(as_text=True)[:500]
    with site.app_context():
        saved = db.session.get(Event, event_id)
        assert saved.title == "Typed During The Outage"
        assert saved.description == "Two lines\nof <careful> text & more."


def test_a_sign_in_during_an_outage_never_echoes_the_password(site: Flask) -> None:
    client = site.test_client()
    fields = form_values(client.get("/staff/login").get_data(as_text=True))
    with outage(site):
        fields.update(email="editor@example.com", password="s3cret-Passw0rd")
        response = client.post("/staff/login", data=fields)
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "editor@example.com" in html and "s3cret-Passw0rd" not in html


def test_a_feed_build_failing_on_its_background_thread_is_a_503(
    site: Flask, event_id: int, caplog
) -> None:
    """The request's own pooled connection still works; the build's new one cannot open."""
    client = site.test_client()
    assert client.get("/healthz").status_code == 200  # a pooled connection, kept open
    with outage(site, close_connections=False):
        response = client.get("/feeds/webinars.ics")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert not [r for r in caplog.records if r.exc_info]
    assert client.get("/feeds/webinars.ics").status_code == 200


def test_a_bug_is_still_a_500_with_its_traceback(site: Flask, event_id: int, caplog) -> None:
    """Only the database not answering is an outage; other errors are not hidden."""
    site.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @site.get("/_broken")
    def broken():
        return db.session.scalar(select(Event.id).where(Event.slug == 1 / 0))

    assert site.test_client().get("/_broken").status_code == 500
    (error,) = [r for r in caplog.records if r.exc_info]
    assert error.exc_info[0] is ZeroDivisionError
    assert logging.getLevelName(error.levelno) == "ERROR"
