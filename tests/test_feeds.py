"""Feed routes: content read by four parsers, windows, HTTP caching, cached-block path, links."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from conftest import NOW
from hypothesis import given, settings
from hypothesis import strategies as st
from ical_readers import READERS, ReaderUnavailable
from sqlalchemy import select
from tools import require_tool

from events_app.extensions import db
from events_app.feeds import ical
from events_app.feeds import links as calendar_links
from events_app.feeds import source as feed_source
from events_app.models import Event
from events_app.timefmt import local_to_utc

SITE = ical.Site("http://localhost", "/events/{slug}")
UTC_ZONE = ZoneInfo("UTC")


def read(reader: str, data: bytes) -> dict:
    try:
        return READERS[reader](data)
    except ReaderUnavailable as exc:
        require_tool(f"{reader} reader unavailable: {exc}")


def expected(event: Event) -> tuple:
    if event.all_day:
        return event.first_day, event.last_day + timedelta(days=1)
    return event.start_at, event.end_at


@pytest.fixture
def pinned(app):
    app.config["NOW"] = NOW
    return app


@pytest.fixture
def data(pinned, create_event, create_venue, create_category):
    """A small catalogue: kinds, categories, DST edges, cancelled, postponed, draft, old."""
    venue = create_venue(name="Hall; A, \u201cB\u201d", latitude=39.9, longitude=-105.1)
    fiveg, cloud = create_category("5G"), create_category("Cloud, Edge", slug="cloud")
    ny = "America/New_York"
    e = {
        "webinar": create_event(title="Gap day", start=local_to_utc(datetime(2027, 3, 14, 3), ny),
                                categories=[fiveg], online_url="https://x.test/j"),
        "overlap": create_event(title="Overlap", start=local_to_utc(datetime(2026, 11, 1, 1, 30),
                                ny, fold=0), minutes=90, categories=[cloud]),
        "audio": create_event(title="Radio \U0001f4fb", kind="audio",
                              start=NOW + timedelta(days=2), online_url="https://x.test/r"),
        "live": create_event(title="Summit", kind="live", venue=venue, first_day=date(2026, 12, 30),
                             last_day=date(2027, 1, 2), zone="America/Denver", categories=[fiveg]),
        "dinner": create_event(title="Dinner", kind="live", venue=venue, zone="Europe/London",
                               start=datetime(2026, 10, 25, 23, 30, tzinfo=UTC), minutes=150),
        "cancelled": create_event(title="Gone", status="cancelled", categories=[fiveg]),
        "postponed": create_event(title="Later", kind="live", status="postponed",
                                  first_day=date(2026, 9, 1), zone="Asia/Kolkata"),
        "recent": create_event(title="Recent", start=NOW - timedelta(days=80)),
        "old": create_event(title="Old", start=NOW - timedelta(days=100)),
        "draft": create_event(title="Secret draft", status="draft", categories=[fiveg]),
        # Takes no time (an import of a DTSTART alone): no DTEND, read as ending at its start.
        "deadline": create_event(title="Deadline", start=NOW + timedelta(days=5), minutes=0,
                                 zone="Asia/Tokyo"),
    }  # fmt: skip
    return e


# What calendar apps must see, written out rather than read from the code under test.
STATUS_IN_FEEDS = {"published": "CONFIRMED", "postponed": "TENTATIVE", "cancelled": "CANCELLED"}

FEEDS = {
    "/feeds/all.ics": {"webinar", "overlap", "audio", "live", "dinner", "cancelled", "postponed",
                       "recent", "deadline"},
    "/feeds/live.ics": {"live", "dinner", "postponed"},
    "/feeds/webinars.ics": {"webinar", "overlap", "audio", "cancelled", "recent", "deadline"},
    "/feeds/categories/5g.ics": {"webinar", "live", "cancelled"},
    "/feeds/categories/cloud.ics": {"overlap"},
    "/feeds/events.ics?kind=live&place=Denver": {"live", "dinner"},
    "/feeds/events.ics?q=radio": {"audio"},
    "/feeds/events.ics?category=5g&kind=webinar": {"webinar", "cancelled"},
}  # fmt: skip


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("url", sorted(FEEDS))
def test_feeds_parse_and_give_database_instants(client, data, url, reader):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = read(reader, response.data)
    wanted = {data[name].uid: data[name] for name in FEEDS[url]}
    assert set(events) == set(wanted)
    for uid, event in wanted.items():
        assert (events[uid]["start"], events[uid]["end"]) == expected(event), event.title
        assert events[uid]["status"] == STATUS_IN_FEEDS[event.status], event.title


def test_feed_calendar_properties_and_headers(client, data):
    response = client.get("/feeds/live.ics")
    body = response.data.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert "X-WR-CALNAME:Telecom Events: live events\r\n" in body
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in body
    assert "METHOD:" not in body
    assert "Secret draft" not in body
    assert response.headers["Content-Disposition"] == 'inline; filename="live.ics"'
    assert response.headers["Cache-Control"] in ("public, max-age=300", "max-age=300, public")
    assert re.fullmatch(r'"[0-9a-f]{40}"', response.headers["ETag"])
    assert response.headers["Last-Modified"]
    for line in response.data.split(b"\r\n"):
        assert len(line) <= 75


def test_drafts_are_in_no_feed(client, data):
    urls = [*FEEDS, "/feeds/events.ics?q=secret", f"/events/{data['draft'].slug}.ics"]
    for url in urls:
        response = client.get(url)
        assert data["draft"].uid.encode() not in response.data
    assert client.get(f"/events/{data['draft'].slug}.ics").status_code == 404


def test_bad_feed_requests_are_4xx(client, data):
    assert client.get("/feeds/events.ics?kind=party").status_code == 400
    assert client.get("/feeds/events.ics?from=yesterday").status_code == 400
    assert client.get("/feeds/events.ics?category=nope").status_code == 400
    assert client.get("/feeds/categories/nope.ics").status_code == 404
    assert client.get("/feeds/other.ics").status_code == 404
    assert client.get("/events/nope.ics").status_code == 404


@pytest.mark.parametrize(
    ("asked", "canonical"),
    [
        ("kind=live&place=denver", "kind=live&place=Denver"),
        ("place=DENVER&kind=live&utm_source=x", "kind=live&place=Denver"),
        ("kind=live&place=ATLANTIS", "kind=live&place=atlantis"),
        ("place=Atlantis", "place=atlantis"),
        # A list page's own arguments: a feed holds upcoming and recent events, in date order.
        ("kind=live&place=Denver&when=past", "kind=live&place=Denver"),
        ("q=5g&sort=date", "q=5g"),
    ],
)
def test_a_feed_at_a_place_spelled_otherwise_moves_to_its_address(client, data, asked, canonical):
    """A list's page names '?place=DENVER' and '?place=ATLANTIS' by one canonical link
    (EventFilters.spelled_once); their feeds answered 200 at every spelling: as many copies
    of one feed for calendar apps to poll. A 301 they follow, kept a minute (a venue added
    may spell the place anew), leads to the address the page's subscribe box gives."""
    for method in (client.get, client.head):
        moved = method(f"/feeds/events.ics?{asked}")
        assert moved.status_code == 301, asked
        assert moved.headers["Location"] == f"http://localhost/feeds/events.ics?{canonical}"
        assert moved.headers["Cache-Control"] == "public, max-age=60"
    page = client.get(f"/events/?{asked}").text
    assert f"webcal://localhost/feeds/events.ics?{canonical.replace('&', '&amp;')}" in page
    there = client.get(f"/feeds/events.ics?{canonical}")
    assert there.status_code == 200 and there.content_type == "text/calendar; charset=utf-8"
    # Spelled as its address spells it, whatever else is asked: the feed, not a redirect.
    assert client.get("/feeds/events.ics?place=Denver&utm_source=x").status_code == 200
    assert client.get("/feeds/events.ics?place=denver&kind=party").status_code == 400
    paged = client.get("/feeds/events.ics?kind=live&page=3")
    assert paged.headers["Location"] == "http://localhost/feeds/live.ics"


def test_single_event_download(client, data):
    event = data["overlap"]
    response = client.get(f"/events/{event.slug}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    for reader in READERS:
        got = read(reader, response.data)
        assert (got[event.uid]["start"], got[event.uid]["end"]) == expected(event)
    again = client.get(
        f"/events/{event.slug}.ics", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_conditional_requests(client, data, app):
    first = client.get("/feeds/all.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/feeds/all.ics", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/feeds/all.ics", headers={"If-Modified-Since": modified}).status_code == 304
    head = client.head("/feeds/all.ics")
    assert head.status_code == 200 and head.headers["ETag"] == etag and head.data == b""
    assert client.head("/feeds/all.ics", headers={"If-None-Match": etag}).status_code == 304
    # an edit: new ETag and Last-Modified, and a full answer to the old validators
    event = db.session.get(Event, data["audio"].id)
    event.description = "Now with a description."
    db.session.commit()
    changed = client.get("/feeds/all.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b"Now with a description." in changed.data
    assert client.get("/feeds/all.ics", headers={"If-Modified-Since": modified}).status_code == 200
    # an edit of an event in another feed leaves this one's ETag alone
    live_etag = client.get("/feeds/live.ics").headers["ETag"]
    event.title = "Renamed radio"
    db.session.commit()
    assert client.get("/feeds/live.ics").headers["ETag"] == live_etag


@pytest.mark.parametrize("largest_in_memory", [1000, 1])  # built in memory; written to a file
def test_a_head_of_a_feed_says_what_its_get_does_without_building_it_again(
    app, client, data, statements, largest_in_memory
):
    """HEAD answers with GET's headers, Content-Length too (link checkers and caches compare
    it), and no body; once a body is built (a file, or this worker's build) not again."""
    app.config["FEED_CACHE_MAX_EVENTS"] = largest_in_memory
    cold = client.head("/feeds/all.ics")  # nothing built yet: built, for its length
    with client.get("/feeds/all.ics") as got:  # a file's answer is closed
        assert got.headers["Content-Length"] == str(len(got.data))
        assert b"BEGIN:VEVENT" in got.data
    statements.clear()
    head = client.head("/feeds/all.ics")
    assert head.status_code == 200 and head.data == b""
    assert not [s for s in statements if "FROM events" in s], "built again for a HEAD"
    for answer in (cold, head):
        for name in ("Content-Length", "ETag", "Last-Modified", "Content-Type", "Cache-Control"):
            assert answer.headers[name] == got.headers[name], name
    with client.get("/feeds/categories/cloud.ics") as category:
        length = str(len(category.data))
    assert client.head("/feeds/categories/cloud.ics").headers["Content-Length"] == length


def test_removals_change_etag_and_last_modified(client, data):
    first = client.get("/feeds/categories/cloud.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    db.session.delete(db.session.get(Event, data["overlap"].id))
    db.session.commit()
    after = client.get("/feeds/categories/cloud.ics", headers={"If-Modified-Since": modified})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert b"BEGIN:VEVENT" not in after.data


def test_window_moves_daily_not_every_second(client, data, app):
    for event in db.session.scalars(select(Event)):
        event.updated_at = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.commit()
    etag = client.get("/feeds/all.ics").headers["ETag"]
    app.config["NOW"] = NOW + timedelta(hours=11, minutes=59)
    assert client.get("/feeds/all.ics").headers["ETag"] == etag
    # 'recent' ended 80 days ago; eleven days later it leaves the 90-day window
    app.config["NOW"] = NOW + timedelta(days=11)
    later = client.get("/feeds/all.ics", headers={"If-None-Match": etag})
    assert later.status_code == 200
    assert data["recent"].uid.encode() not in later.data
    left = datetime.combine(data["recent"].end_at.date() + timedelta(days=91), datetime.min.time())
    assert later.last_modified == left.replace(tzinfo=UTC)


@pytest.mark.parametrize("chunk", [3, 500])
def test_cached_path_is_byte_identical_to_a_fresh_build(client, data, monkeypatch, chunk):
    monkeypatch.setattr(feed_source, "CHUNK", chunk)
    client.application.config.update(RESPONSE_CACHE_BYTES=0, FEED_CACHE_BYTES=0)  # no copies
    first = client.get("/feeds/all.ics").data  # renders every block and stores it
    stored = db.session.scalars(select(Event).where(Event.ical_block_key.is_not(None))).all()
    assert {e.id for e in stored} == {data[n].id for n in FEEDS["/feeds/all.ics"]}
    second = client.get("/feeds/all.ics").data  # every block from the database
    feed = feed_source.Feed("all", _all_info(client), "all.ics", lambda s: s)
    fresh = feed_source.render_feed(db.session, feed, SITE, NOW, 90, UTC_ZONE)
    assert first == second == fresh
    # one event changes: only its block is re-rendered, and the bytes still match a full build
    event = db.session.get(Event, data["webinar"].id)
    event.set_timed(event.start_at + timedelta(hours=1), event.end_at + timedelta(hours=1), "UTC")
    db.session.commit()
    third = client.get("/feeds/all.ics").data
    assert third == feed_source.render_feed(db.session, feed, SITE, NOW, 90, UTC_ZONE) != first
    assert b"SEQUENCE:1\r\n" in third


def _all_info(client) -> ical.FeedInfo:
    app = client.application
    with app.test_request_context():
        from events_app.feeds.views import named_feed_for

        return named_feed_for("all").info


def test_stale_block_write_back_does_not_touch_versions(client, data):
    before = {e.id: (e.version, e.updated_at) for e in db.session.scalars(select(Event))}
    client.get("/feeds/all.ics")
    db.session.expire_all()
    after = {e.id: (e.version, e.updated_at) for e in db.session.scalars(select(Event))}
    assert before == after


# --- links -------------------------------------------------------------------------------------


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_google_and_outlook_links_for_a_timed_event(create_event):
    start = local_to_utc(datetime(2026, 11, 8, 14, 0), "America/New_York")
    event = create_event(title="Timed, in NY", start=start, minutes=90, description="x" * 5000)
    links = calendar_links.links_for(event, SITE)
    google = _query(links["google"])
    assert google["action"] == "TEMPLATE"
    assert google["dates"] == "20261108T140000/20261108T153000"
    assert google["ctz"] == "America/New_York"
    assert google["details"].endswith(f"Details: http://localhost/events/{event.slug}")
    for key, host in (("outlook", "outlook.live.com"), ("office", "outlook.office.com")):
        outlook = _query(links[key])
        assert urlsplit(links[key]).netloc == host
        assert outlook["rru"] == "addevent" and outlook["path"] == "/calendar/action/compose"
        assert datetime.fromisoformat(outlook["startdt"]) == start
        assert datetime.fromisoformat(outlook["enddt"]) == start + timedelta(minutes=90)
        assert outlook["allday"] == "false"
        assert outlook["subject"] == "Timed, in NY"
    assert all(len(url) <= calendar_links.MAX_URL for url in links.values())
    assert "\u2026" in google["details"]


def test_a_postponed_events_links_say_so_in_the_title_as_its_ics_does(create_event):
    """A copy added to a calendar keeps the original dates and hears nothing more: the word
    in its title is all that tells the visitor those dates are not to be relied on."""
    event = create_event(title="Fibre Days", first_day=date(2026, 9, 24), status="postponed")
    links = calendar_links.links_for(event, SITE)
    assert _query(links["google"])["text"] == "Postponed: Fibre Days"
    assert _query(links["outlook"])["subject"] == "Postponed: Fibre Days"
    assert _query(links["office"])["subject"] == "Postponed: Fibre Days"
    assert ical.event_summary(event) == "Postponed: Fibre Days"


def _fit_by_trying(head: str, after: str, body: str, tail: str) -> str:
    """The cut calendar links made before Details: quote the whole URL for every try."""

    def make(details: str) -> str:
        return head + quote(details, safe="/") + after

    full = make(f"{body}\n\n{tail}" if body else tail)
    if len(full) <= calendar_links.MAX_URL:
        return full
    low, high = 0, len(body)
    while low < high:
        mid = (low + high + 1) // 2
        if len(make(f"{body[:mid].rstrip()}\u2026\n\n{tail}")) <= calendar_links.MAX_URL:
            low = mid
        else:
            high = mid - 1
    return make(f"{body[:low].rstrip()}\u2026\n\n{tail}" if low else tail)


@settings(max_examples=300, deadline=None)
@given(
    unit=st.text(st.sampled_from("ab /&é€😀\n \t"), min_size=1, max_size=30),
    repeats=st.integers(1, 300),
    tail=st.text(st.sampled_from("ab:/é\n"), min_size=1, max_size=300),
    head=st.integers(0, 1990),
    after=st.integers(0, 200),
)
def test_details_are_cut_as_trying_every_length_would(unit, repeats, tail, head, after):
    """Details counts the quoted length instead of quoting each try: the same links."""
    body = (unit * repeats)[:3000]
    head_text, after_text = "h" * head, "&location=" + "l" * after
    expected = _fit_by_trying(head_text, after_text, body, tail)
    got = calendar_links.Details(body, tail).url(head_text, after_text)
    assert got == expected


def test_links_for_an_all_day_range(create_event):
    event = create_event(title="Summit", first_day=date(2026, 12, 30), last_day=date(2027, 1, 2))
    links = calendar_links.links_for(event, SITE)
    google = _query(links["google"])
    assert google["dates"] == "20261230/20270103" and "ctz" not in google
    outlook = _query(links["outlook"])
    assert (outlook["startdt"], outlook["enddt"], outlook["allday"]) == (
        "2026-12-30",
        "2027-01-03",
        "true",
    )


def test_google_link_writes_an_ambiguous_time_in_utc(create_event):
    start = local_to_utc(datetime(2026, 11, 1, 1, 30), "America/New_York", fold=1)
    event = create_event(start=start)
    assert _query(calendar_links.google_link(event, SITE))["dates"] == (
        "20261101T063000Z/20261101T073000Z"
    )


def test_pages_show_subscribe_box_and_calendar_links(client, data):
    for url, feed in [
        ("/", "/feeds/all.ics"),
        ("/events/?kind=live", "/feeds/live.ics"),
        ("/events/?kind=webinar&q=gap", "/feeds/events.ics?kind=webinar&amp;q=gap"),
        ("/categories/5g", "/feeds/categories/5g.ics"),
        ("/calendar/", "/feeds/all.ics"),
        ("/webinars/", "/feeds/webinars.ics"),
    ]:
        page = client.get(url).data.decode()
        assert f'value="http://localhost{feed}"' in page, url
        assert f'href="webcal://localhost{feed}"' in page, url
    detail = client.get(f"/events/{data['webinar'].slug}").data.decode()
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in detail
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in detail
    assert "https://outlook.office.com/calendar/0/deeplink/compose?" in detail
    assert f'href="/events/{data["webinar"].slug}.ics"' in detail


def test_no_add_to_calendar_links_for_an_event_over_or_called_off(app, client, create_event):
    app.config["NOW"] = NOW
    for status, start in (
        ("cancelled", NOW + timedelta(days=3)),
        ("published", NOW - timedelta(days=3)),
    ):
        event = create_event(title=f"{status} one", status=status, start=start)
        page = client.get(f"/events/{event.slug}").text
        assert "Add to your calendar" not in page and "calendar.google.com" not in page
    upcoming = create_event(title="Coming one", start=NOW + timedelta(days=3))
    assert "Add to your calendar" in client.get(f"/events/{upcoming.slug}").text


def test_render_blocks_command(runner, app, data, client):
    result = runner.invoke(args=["feeds", "render-blocks"])
    assert result.exit_code != 0 and "SITE_URL" in result.output
    result = runner.invoke(args=["feeds", "render-blocks", "--if-site-url"])  # make serve
    assert result.exit_code == 0 and "not rendered ahead" in result.output
    app.config["SITE_URL"] = "http://localhost"
    result = runner.invoke(args=["feeds", "render-blocks"])
    assert "Rendered 10 event blocks in" in result.output, result.output
    assert "Rendered 0 event blocks in" in runner.invoke(args=["feeds", "render-blocks"]).output
    first = client.get("/feeds/all.ics").data
    feed = feed_source.Feed("all", _all_info(client), "all.ics", lambda s: s)
    assert first == feed_source.render_feed(db.session, feed, SITE, NOW, 90, UTC_ZONE)


def test_cancel_and_publish_reach_subscribers(client, data):
    etag = client.get("/feeds/all.ics").headers["ETag"]
    event = db.session.get(Event, data["audio"].id)
    event.status = "cancelled"
    draft = db.session.get(Event, data["draft"].id)
    draft.status = "published"
    db.session.commit()
    response = client.get("/feeds/all.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200
    for reader in READERS:
        events = read(reader, response.data)
        assert events[event.uid]["status"] == "CANCELLED"
        assert events[event.uid]["summary"].startswith("Cancelled: ")
        assert events[draft.uid]["status"] == "CONFIRMED"
    block = response.data.split(f"UID:{event.uid}".encode())[1].split(b"END:VEVENT")[0]
    assert b"\r\nSEQUENCE:1\r\n" in block


def test_the_window_edge_is_the_sites_midnight(client, app, create_event):
    """90 days back from the site's today, at the site's midnight (New York here)."""
    app.config.update(SITE_TIMEZONE="America/New_York", FEED_PAST_DAYS=90)
    edge_event = create_event(title="Ended on March 31 in New York",
                              start=datetime(2026, 3, 31, 19, tzinfo=UTC))  # fmt: skip
    app.config["NOW"] = datetime(2026, 6, 30, 3, 59, tzinfo=UTC)  # 11:59 PM, June 29 in NY
    before = client.get("/feeds/all.ics")
    assert edge_event.uid.encode() in before.data  # UTC's June 30 would have dropped it
    app.config["NOW"] = datetime(2026, 6, 30, 4, 0, tzinfo=UTC)  # midnight in New York
    after = client.get("/feeds/all.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert edge_event.uid.encode() not in after.data
    assert after.last_modified == datetime(2026, 6, 30, 4, 0, tzinfo=UTC)


def test_a_feed_is_never_sent_unfinished(client, app, data):
    """A build that takes longer than FEED_BUILD_WAIT answers 503 + Retry-After and goes on in
    the background; the next request gets the whole feed. Larger feeds come from a file."""
    from events_app.feeds.bodies import feed_bodies

    app.config.update(FEED_BUILD_WAIT=0, FEED_CACHE_MAX_EVENTS=3)  # every block still to render
    first = client.get("/feeds/all.ics")
    assert first.status_code == 503
    assert first.headers["Retry-After"].isdigit() and "no-store" in first.headers["Cache-Control"]
    feed_bodies(app).wait()
    app.config["FEED_BUILD_WAIT"] = 10
    second = client.get("/feeds/all.ics")
    assert second.status_code == 200 and second.data.endswith(b"END:VCALENDAR\r\n")
    second.close()  # a file: a real server sends it with sendfile
    feed = feed_source.Feed("all", _all_info(client), "all.ics", lambda s: s)
    assert second.data == feed_source.render_feed(db.session, feed, SITE, NOW, 90, UTC_ZONE)
    files = list((Path(app.instance_path) / "feed-bodies").glob("*.ics"))
    assert [f.read_bytes() for f in files] == [second.data]
    assert int(second.headers["Content-Length"]) == len(second.data)
    # Sent as a file, it is cached as any feed is (send_file's no-cache had come along).
    memory = client.get("/feeds/live.ics")  # small: built in memory
    for header in ("Cache-Control", "Content-Type"):
        assert second.headers[header] == memory.headers[header], header
    assert second.headers["Cache-Control"] == "public, max-age=300"
    assert second.headers["Content-Type"] == "text/calendar; charset=utf-8"
    # An edit: the next build replaces the file; the old one is removed.
    event = db.session.get(Event, data["audio"].id)
    event.title = "Radio, renamed"
    db.session.commit()
    third = client.get("/feeds/all.ics")
    assert third.status_code == 200 and b"SUMMARY:Radio\\, renamed" in third.data
    third.close()
    files = list((Path(app.instance_path) / "feed-bodies").glob("*.ics"))
    assert [f.read_bytes() for f in files] == [third.data]


@pytest.mark.parametrize("url", ["/feeds/categories/%00.ics", "/events/a%00b.ics"])
def test_nul_in_a_feed_slug_is_a_404(client, url):
    """PostgreSQL cannot compare text with NUL in it: refused before any query."""
    assert client.get(url).status_code == 404
