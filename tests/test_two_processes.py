"""Two gunicorn servers on one PostgreSQL database serve the same data: an edit made through one
is what the other shows, on pages and in feeds (ETag included), and a session works on both."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest
from conftest import NOW, STAFF_PASSWORD

from events_app import database_url
from tests.servers import fetch, form_values, gunicorn, server_env
from tests.tools import postgres_url

pytestmark = pytest.mark.postgres


# As behind one reverse proxy: absolute URLs in feeds come from the Host both processes see.
SITE = {"Host": "events.example.com"}


def feed(server, **headers: str):
    return fetch(server.url + "/feeds/all.ics", headers={**SITE, **headers})


def post(opener, url: str, fields: dict[str, str | list[str]]):
    return fetch(url, urllib.parse.urlencode(fields, doseq=True).encode(), opener=opener)


def test_edit_through_one_server_is_seen_through_the_other(app, tmp_path, create_event, editor):
    url = database_url(postgres_url())
    assert app.config["SQLALCHEMY_ENGINES"]["default"] == url, "the suite runs on PostgreSQL"
    start = NOW.replace(year=NOW.year + 2)  # upcoming whatever today is
    event = create_event(title="Shared Database Webinar", slug="shared-db", start=start)
    event_id = event.id
    env = server_env(
        DATABASE_URL=url,
        SECRET_KEY="shared-secret-of-at-least-32-characters",
        EVENTS_PRODUCTION="true",
        EVENTS_INSTANCE_PATH=str(tmp_path),
    )
    with (
        gunicorn(env, tmp_path / "a.log", workers=2) as a,
        gunicorn(env, tmp_path / "b.log", workers=2) as b,
    ):
        for server in (a, b):
            status, _, body = fetch(server.url + "/events/shared-db")
            assert status == 200 and b"Shared Database Webinar" in body
        feed_a, feed_b = feed(a), feed(b)
        assert feed_a[0] == feed_b[0] == 200
        differing = set(feed_a[2].splitlines()) ^ set(feed_b[2].splitlines())
        assert feed_a[2] == feed_b[2], f"the two processes' feeds differ in {sorted(differing)}"
        assert feed_a[1]["ETag"] == feed_b[1]["ETag"]
        old_etag = feed_b[1]["ETag"]
        assert feed(b, **{"If-None-Match": old_etag})[0] == 304

        # Sign in and edit through A (real form, real CSRF token).
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        _, _, page = fetch(a.url + "/staff/login", opener=opener)
        login = form_values(page.decode())
        login.update(email=editor.email, password=STAFF_PASSWORD)
        status, _, page = post(opener, a.url + "/staff/login", login)
        assert status == 200 and b"Sign out" in page
        _, _, page = fetch(f"{a.url}/staff/events/{event_id}/edit", opener=opener)
        fields = form_values(page.decode())
        fields["title"] = "Shared Database Webinar, Renamed"
        status, _, page = post(opener, f"{a.url}/staff/events/{event_id}/edit", fields)
        assert status == 200, page.decode()[:2000]

        # B sees it at once: page, feed bytes, a new ETag.
        status, _, body = fetch(b.url + "/events/shared-db")
        assert b"Shared Database Webinar, Renamed" in body
        status, headers, body = feed(b)
        assert b"SUMMARY:Shared Database Webinar\\, Renamed" in body
        assert headers["ETag"] != old_etag
        assert feed(b, **{"If-None-Match": old_etag})[0] == 200
        assert feed(a)[2] == body

        # The session cookie A issued is good on B (stateless processes, one SECRET_KEY).
        status, _, page = fetch(b.url + "/staff/", opener=opener)
        assert status == 200 and b"Shared Database Webinar, Renamed" in page

        # Cancel through B; A's feed keeps the event as cancelled.
        _, _, page = fetch(b.url + "/staff/", opener=opener)
        token = form_values(page.decode())["csrf_token"]
        post(
            opener,
            f"{b.url}/staff/events/{event_id}/status",
            {"csrf_token": token, "status": "cancelled"},
        )
        _, _, body = feed(a)
        block = body.decode().split("Shared Database Webinar\\, Renamed")[1].split("END:VEVENT")[0]
        assert "STATUS:CANCELLED" in block
    for server in (a, b):
        # A 500 in the JSON request log or the access log; not "500" in a time (19:49:49.500).
        server_error = r'Traceback|"status": 500\b|" 500 '
        assert not re.search(server_error, server.output()), server.output()
