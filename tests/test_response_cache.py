"""The response cache: anonymous pages and feeds answered again before Flask, exactly as Flask
answered them, and never after anything changed (an ORM save anywhere, mark_changed, the clock's
minute or the feed window's day, another host or query)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from sqlalchemy import delete, update

from events_app import create_app
from events_app.extensions import db
from events_app.models import Category, Event, FeedState
from events_app.response_cache import ResponseCache
from tests.conftest import NOW, AuthActions

FEED = "/feeds/all.ics"
PAGES = ("/", "/events/", "/calendar/2026/06", "/webinars/", "/webinars/archive")


@pytest.fixture
def flask_hits(app: Flask) -> list[str]:
    """Paths of the requests that reached Flask (registered before the first request)."""
    hits: list[str] = []
    app.before_request(lambda: hits.append(request.path) and None)
    return hits


@pytest.fixture
def event(app: Flask, create_event: Callable[..., Event]) -> Event:
    app.config["NOW"] = NOW  # the event is upcoming
    return create_event(title="Original title", slug="original")


def cache_of(app: Flask) -> ResponseCache:
    return app.extensions["response_cache"]


def retitle_behind_orm(event_id: int, title: str) -> None:
    """A Core UPDATE without mark_changed: only a cached answer still shows the old title."""
    db.session.execute(update(Event).where(Event.id == event_id).values(title=title))
    db.session.commit()


def _headers(response) -> dict[str, str]:
    return {
        k: v for k, v in response.headers.items() if k not in ("Content-Length", "X-Request-ID")
    }


def _same_headers(response) -> list[tuple[str, str]]:
    """The headers a repeat must reproduce (every request has its own X-Request-ID)."""
    return sorted((k, v) for k, v in response.headers.items() if k != "X-Request-ID")


# --- pages ---------------------------------------------------------------------------------------


def test_a_page_hit_returns_identical_bytes_status_and_headers(
    client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    for path in (*PAGES, "/events/original", "/events/?q=Original&kind=webinar"):
        first = client.get(path)
        assert first.status_code == 200, path
        hits = len(flask_hits)
        retitle_behind_orm(event.id, "Changed behind the cache")
        second = client.get(path)
        assert len(flask_hits) == hits, "answered before Flask"
        assert second.status_code == 200
        assert second.data == first.data, path
        assert _same_headers(second) == _same_headers(first)
        assert "Set-Cookie" not in second.headers
        retitle_behind_orm(event.id, "Original title")


def test_pages_answer_304_for_their_etag(
    client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    first = client.get("/events/original")
    etag = first.headers["ETag"]
    by_flask = client.get("/events/original", headers={"If-None-Match": etag})
    assert by_flask.status_code == 304 and by_flask.data == b""
    client.get("/events/original", headers={"If-None-Match": etag})
    assert flask_hits.count("/events/original") == 1  # the first GET only
    event.title = "Edited"
    db.session.commit()
    after = client.get("/events/original", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag


def test_an_orm_save_invalidates(client: FlaskClient, event: Event) -> None:
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
    assert not len(cache_of(app).entries)  # nothing stored for a logged-in user
    anonymous = app.test_client()
    anonymous.get("/events/")
    assert len(cache_of(app).entries) == 1  # an anonymous visitor's page is stored
    retitle_behind_orm(event.id, "Fresh for staff")
    assert b"Fresh for staff" in client.get("/events/").data  # not served from the cache
    assert b"Original title" in anonymous.get("/events/").data  # the anonymous hit
    # The footer links a signed-in user to the staff area, everyone else to the login.
    assert b">Staff area<" in client.get("/events/").data
    for path in ("/events/", "/"):
        page = anonymous.get(path).data
        assert b">Staff sign in<" in page and b">Staff area<" not in page


def test_the_next_minute_ends_a_page(app: Flask, client: FlaskClient, event: Event) -> None:
    client.get("/events/")
    retitle_behind_orm(event.id, "A minute later")
    app.config["NOW"] = NOW + timedelta(seconds=59)
    assert b"Original title" in client.get("/events/").data  # same minute: cached
    app.config["NOW"] = NOW + timedelta(seconds=60)
    assert b"A minute later" in client.get("/events/").data


def test_disabled_with_zero_bytes(app: Flask, client: FlaskClient, event: Event) -> None:
    app.config["RESPONSE_CACHE_BYTES"] = 0
    client.get("/events/")
    retitle_behind_orm(event.id, "Not cached")
    assert b"Not cached" in client.get("/events/").data
    assert not len(cache_of(app).entries)


def test_errors_and_other_methods_are_not_stored(
    app: Flask, client: FlaskClient, event: Event
) -> None:
    assert client.get("/events/no-such-event").status_code == 404
    assert client.get("/events/?kind=nonsense").status_code == 400
    assert client.get("/feeds/categories/nothing.ics").status_code == 404
    assert client.head("/events/").status_code == 200
    assert not len(cache_of(app).entries)


def test_bounded_by_bytes(app: Flask, client: FlaskClient, event: Event) -> None:
    size = len(client.get("/events/original").data)
    app.config["RESPONSE_CACHE_BYTES"] = 5 * size
    cache = ResponseCache(app.wsgi_app.wsgi_app, app)  # a fresh layer with the smaller budget
    app.wsgi_app = cache
    for n in range(1, 8):
        assert client.get(f"/events/original?a={n}").status_code == 200
    assert 1 <= len(cache.entries) < 7
    assert cache.entries.cache.currsize <= 5 * size


def test_a_new_or_renamed_category_shows_at_once(client: FlaskClient, event: Event) -> None:
    """Categories appear in the list's filter even before any event uses them."""
    assert b"Quantum networks" not in client.get("/events/").data
    category = Category(name="Quantum networks", slug="quantum")
    db.session.add(category)
    db.session.commit()
    assert b"Quantum networks" in client.get("/events/").data
    category.name = "Quantum links"
    db.session.commit()
    assert b"Quantum links" in client.get("/events/").data


# --- feeds ---------------------------------------------------------------------------------------


def test_a_repeated_revalidation_is_answered_before_flask(
    client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    first = client.get(FEED)
    etag = first.headers["ETag"]
    by_flask = client.get(FEED, headers={"If-None-Match": etag})
    assert by_flask.status_code == 304 and len(flask_hits) == 1  # the 200 taught it the 304
    for _ in range(3):
        again = client.get(FEED, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.data == b""
        assert _same_headers(again) == _same_headers(by_flask)
    assert len(flask_hits) == 1
    # A list of ETags and the weak form match as they do in Flask.
    assert client.get(FEED, headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert len(flask_hits) == 1


def test_the_304_headers_are_flasks_own(app: Flask, event: Event) -> None:
    """What the cache derives from the 200 equals the 304 Flask itself sends."""
    app.config["RESPONSE_CACHE_BYTES"] = 0
    client = app.test_client()
    etag = client.get(FEED).headers["ETag"]
    flask_304 = client.get(FEED, headers={"If-None-Match": etag})
    app.config["RESPONSE_CACHE_BYTES"] = 1 << 20
    client.get(FEED)
    cached_304 = client.get(FEED, headers={"If-None-Match": etag})
    assert _same_headers(cached_304) == _same_headers(flask_304)


def test_if_modified_since_is_answered_as_flask_would(
    client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    first = client.get(FEED)
    modified = first.headers["Last-Modified"]
    assert client.get(FEED, headers={"If-Modified-Since": modified}).status_code == 304
    older = "Wed, 21 Oct 2015 07:28:00 GMT"
    again = client.get(FEED, headers={"If-Modified-Since": older})
    assert again.status_code == 200 and again.data == first.data
    assert len(flask_hits) == 1


def test_a_repeated_download_is_the_same_200(
    client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    first = client.get(FEED)
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


def test_a_change_behind_the_orm_without_mark_changed_is_not_seen(
    client: FlaskClient, event: Event
) -> None:
    """The other side of the contract: only the token tells."""
    body = client.get(FEED).data
    assert b"SUMMARY:Original title" in body
    retitle_behind_orm(event.id, "Behind")
    assert client.get(FEED).data == body


def test_the_window_moving_at_the_sites_midnight_goes_to_flask(
    app: Flask, client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    app.config["SITE_TIMEZONE"] = "America/New_York"  # NOW is 8:00 AM there
    etag = client.get(FEED).headers["ETag"]
    midnight = NOW.replace(hour=4)  # 00:00 EDT on June 16
    app.config["NOW"] = midnight + timedelta(days=1) - timedelta(seconds=1)
    assert client.get(FEED, headers={"If-None-Match": etag}).status_code == 304
    assert len(flask_hits) == 1
    app.config["NOW"] = midnight + timedelta(days=1)
    client.get(FEED, headers={"If-None-Match": etag})
    assert len(flask_hits) == 2


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Basic dXNlcjpwYXNz"}, {"Range": "bytes=0-10"}, {"If-Match": "*"}],
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


def test_the_session_cookie_goes_to_flask_other_cookies_do_not(
    client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    assert client.get(FEED).data
    client.set_cookie("_ga", "GA1.2.3")  # a host site's analytics cookie
    assert client.get(FEED).data
    assert len(flask_hits) == 1
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
    assert b"https://other.example.org/events/original" in there.data
    assert there.headers["ETag"] != here.headers["ETag"]
    assert client.get("/feeds/events.ics?kind=webinar").data
    assert client.get("/feeds/events.ics?kind=live").data
    assert len(flask_hits) == 4
    assert client.get(FEED, base_url="https://other.example.org").data == there.data
    assert len(flask_hits) == 4


def test_without_a_feed_state_row_nothing_is_replayed(
    client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    etag = client.get(FEED).headers["ETag"]
    db.session.execute(delete(FeedState))  # e.g. a restore without the row
    db.session.commit()
    for _ in range(2):
        assert client.get(FEED, headers={"If-None-Match": etag}).status_code == 304
    assert len(flask_hits) == 3


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
    assert len(proxied.extensions["response_cache"].entries) == 2
    with proxied.app_context():
        db.engine.dispose()


def test_pages_tell_browsers_and_cdns_how_long_to_keep_them(
    app: Flask, client: FlaskClient, event: Event, flask_hits: list[str]
) -> None:
    app.config["NOW"] = NOW + timedelta(seconds=45)
    first = client.get("/events/")
    assert first.headers["Cache-Control"] == "public, max-age=15"  # until the next minute
    assert "Cookie" not in first.headers.get("Vary", "")
    assert "Set-Cookie" not in first.headers
    app.config["NOW"] = NOW + timedelta(seconds=50)
    again = client.get("/events/")  # repeated by the cache: the time left, counted again
    assert flask_hits == ["/events/"]
    assert again.headers["Cache-Control"] == "public, max-age=10"
    unchanged = client.get("/events/", headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304
    assert unchanged.headers["Cache-Control"] == "public, max-age=10"


def test_a_signed_in_visitors_pages_are_private(
    app: Flask, client: FlaskClient, event: Event, create_user
) -> None:
    create_user()
    AuthActions(client).login()
    response = client.get("/events/")
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response.headers.get("Vary", "")
    assert client.get("/staff/").headers["Cache-Control"] == "no-store"


def test_the_server_dates_every_answer_once_and_a_repeat_anew(app: Flask, event: Event) -> None:
    """Werkzeug's server (`make run`) sent two Date headers, and a repeated answer carried the
    first one's time: the app leaves Date to the server (gunicorn drops an app's own)."""
    import http.client
    import threading
    import time

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dates = []
        for path in (FEED, FEED, "/api/v1/events", "/events/original"):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", path)
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200, path
            assert len(answer.headers.get_all("Date")) == 1, (path, answer.headers)
            dates.append(answer.headers["Date"])
            connection.close()
            if len(dates) == 1:
                time.sleep(1.05)  # Date counts whole seconds
        assert dates[1] != dates[0]  # the repeat (from the cache) is dated when it is sent
    finally:
        server.shutdown()
        thread.join()
