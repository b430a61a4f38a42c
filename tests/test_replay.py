"""The replay middleware: repeated feed requests answered before Flask, exactly as Flask answered
them, and never after anything changed (an ORM save anywhere, the window's day, another host)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from sqlalchemy import delete, update

from events_app import create_app
from events_app.extensions import db
from events_app.models import Event, FeedState
from tests.conftest import NOW

FEED = "/feeds/all.ics"


@pytest.fixture
def flask_hits(app: Flask) -> list[str]:
    """Paths of the requests that reached Flask (registered before the first request)."""
    hits: list[str] = []
    app.before_request(lambda: hits.append(request.path) and None)
    return hits


@pytest.fixture
def event(app: Flask, create_event: Callable[..., Event]) -> Event:
    app.config["NOW"] = NOW
    return create_event(title="Replayed", slug="replayed")


def _headers(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k != "Content-Length"}


def test_a_repeated_revalidation_is_answered_before_flask(
    client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    first = client.get(FEED)
    etag = first.headers["ETag"]
    by_flask = client.get(FEED, headers={"If-None-Match": etag})
    assert by_flask.status_code == 304 and len(flask_hits) == 2
    for _ in range(3):
        again = client.get(FEED, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.data == b""
        assert sorted(again.headers.items()) == sorted(by_flask.headers.items())
    assert len(flask_hits) == 2
    # A list of ETags and the weak form match as they do in Flask.
    assert client.get(FEED, headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert len(flask_hits) == 2


def test_a_repeated_download_is_the_same_200(
    client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    first = client.get(FEED)  # streamed by Flask, and kept in the body cache once read
    assert first.status_code == 200 and first.data and len(flask_hits) == 1
    for headers in ({}, {"If-None-Match": '"some-other-version"'}):
        again = client.get(FEED, headers=headers)
        assert again.status_code == 200
        assert again.data == first.data
        assert _headers(again) == _headers(first)
        assert again.headers["Content-Length"] == str(len(first.data))
    assert len(flask_hits) == 1


def test_an_edit_through_another_process_is_seen_at_once(
    app: Flask, client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    etag = client.get(FEED).headers["ETag"]
    client.get(FEED, headers={"If-None-Match": etag})
    assert client.get(FEED, headers={"If-None-Match": etag}).status_code == 304
    other = create_app({**app.config, "SQLALCHEMY_ENGINES": app.config["SQLALCHEMY_ENGINES"]})
    with other.app_context():
        edited = db.session.get(Event, event.id)
        edited.title = "Edited elsewhere"
        db.session.commit()
        db.engine.dispose()
    after = client.get(FEED, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert b"SUMMARY:Edited elsewhere" in after.data
    assert client.get(FEED).data == after.data


def test_a_change_behind_the_orm_is_not_seen(app: Flask, client: FlaskClient, event: Event) -> None:
    """The other side of the contract: only the generation tells (Core UPDATEs bypass it)."""
    body = client.get(FEED).data
    assert b"SUMMARY:Replayed" in body
    db.session.execute(update(Event).where(Event.id == event.id).values(title="Behind"))
    db.session.commit()
    assert client.get(FEED).data == body


def test_the_window_moving_at_midnight_utc_goes_to_flask(
    app: Flask, client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    etag = client.get(FEED).headers["ETag"]
    client.get(FEED, headers={"If-None-Match": etag})
    app.config["NOW"] = NOW.replace(hour=23, minute=59, second=59)
    assert client.get(FEED, headers={"If-None-Match": etag}).status_code == 304
    assert len(flask_hits) == 2
    app.config["NOW"] = NOW.replace(hour=0) + timedelta(days=1)
    client.get(FEED, headers={"If-None-Match": etag})
    assert len(flask_hits) == 3


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Range": "bytes=0-10"},
        {"If-Match": "*"},
        {"If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"},
    ],
)
def test_other_requests_go_to_flask(
    client: FlaskClient, event: Event, flask_hits: list[str], headers: dict[str, str]
) -> None:
    assert client.get(FEED).data
    assert client.get(FEED).data
    assert len(flask_hits) == 1
    client.get(FEED, headers=headers)
    client.head(FEED)
    assert len(flask_hits) == 3


def test_requests_with_cookies_go_to_flask(
    client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    assert client.get(FEED).data
    client.set_cookie("session", "abc")
    assert client.get(FEED).data
    assert len(flask_hits) == 2


def test_each_host_and_query_is_its_own_entry(
    client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    here = client.get(FEED)
    assert here.data
    there = client.get(FEED, base_url="https://other.example.org")
    assert there.data and len(flask_hits) == 2
    assert b"https://other.example.org/events/replayed" in there.data
    assert there.headers["ETag"] != here.headers["ETag"]
    assert client.get("/feeds/events.ics?kind=webinar").data
    assert client.get("/feeds/events.ics?kind=live").data
    assert len(flask_hits) == 4
    assert client.get(FEED, base_url="https://other.example.org").data == there.data
    assert len(flask_hits) == 4


def test_only_offered_answers_are_kept(
    app: Flask, client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    for _ in range(2):
        assert client.get("/feeds/categories/nothing.ics").status_code == 404
        assert client.get("/events/replayed").status_code == 200  # cached inside Flask
    assert flask_hits.count("/feeds/categories/nothing.ics") == 2
    assert not app.wsgi_app.entries


def test_without_a_generation_nothing_is_replayed(
    app: Flask, client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    etag = client.get(FEED).headers["ETag"]
    client.get(FEED, headers={"If-None-Match": etag})
    db.session.execute(delete(FeedState))  # e.g. a restore without the row
    db.session.commit()
    for _ in range(2):
        assert client.get(FEED, headers={"If-None-Match": etag}).status_code == 304
    assert len(flask_hits) == 4


def test_behind_a_proxy_each_forwarded_host_is_its_own_entry(
    app: Flask, create_event: Callable[..., Event]
) -> None:
    """The layer sits inside ProxyFix: it keys on the host the client asked for."""
    proxied = create_app({**app.config, "PROXY_FIX": 1, "NOW": NOW})
    with proxied.app_context():
        create_event(title="Proxied", slug="proxied")
    client = proxied.test_client()
    hosts = ("a.example.org", "b.example.org")
    for _ in range(2):  # the second round is replayed
        for host, other in (hosts, hosts[::-1]):
            body = client.get(FEED, headers={"X-Forwarded-Host": host}).data.decode()
            assert f"http://{host}/events/proxied" in body.replace("\r\n ", "")
            assert other not in body
    assert len(proxied.wsgi_app.app.entries) == 2  # ProxyFix -> Replay -> Flask
    with proxied.app_context():
        db.engine.dispose()
