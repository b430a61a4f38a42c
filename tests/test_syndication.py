"""Atom feeds (read with feedparser), the sitemap and robots.txt, link previews, canonical and
alternate links, and Google Calendar's subscribe link."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import feedparser
import pytest

from events_app.extensions import db
from tests.conftest import NOW

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def events(app, create_event, create_venue, create_category):
    app.config["NOW"] = NOW
    venue = create_venue()
    optical = create_category("Optical")
    return {
        "live": create_event(
            title="Big 5G Event",
            slug="big-5g-event",
            kind="live",
            venue=venue,
            first_day=date(2026, 9, 24),
            last_day=date(2026, 9, 26),
            zone="America/Denver",
            summary="Three days on 5G.",
            image_url="https://images.example/5g.jpg",
        ),
        "webinar": create_event(
            title="Optical Webinar",
            slug="optical-webinar",
            start=NOW + timedelta(days=3),
            zone="America/New_York",
            categories=[optical],
            description="**Bold** words <script>alert(1)</script>",
        ),
        "cancelled": create_event(
            title="Dropped Webinar", slug="dropped", status="cancelled", categories=[optical]
        ),
        "draft": create_event(title="Secret Draft", slug="secret-draft", status="draft"),
    }


def parse(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.content_type == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    return feed


def test_atom_feeds_parse_and_hold_public_events_newest_change_first(client, events):
    feed = parse(client, "/feeds/all.atom")
    assert feed.version == "atom10"
    assert feed.feed.language == "en"  # xml:lang, as the pages' <html lang>
    assert [e.title for e in feed.entries] == [
        "Cancelled: Dropped Webinar",
        "Optical Webinar",
        "Big 5G Event",
    ]
    entry = feed.entries[-1]
    assert entry.link == "http://localhost/events/big-5g-event"
    assert entry.summary.startswith("Sep 24–26, 2026 · Westin Westminster, Denver")
    webinar = feed.entries[1]
    assert "<strong>Bold</strong>" in webinar.content[0].value
    assert "<script" not in webinar.content[0].value
    assert [t.term for t in webinar.tags] == ["optical"]
    assert [e.title for e in parse(client, "/feeds/live.atom").entries] == ["Big 5G Event"]
    assert len(parse(client, "/feeds/webinars.atom").entries) == 2
    optical = parse(client, "/feeds/categories/optical.atom")
    assert [e.title for e in optical.entries] == ["Cancelled: Dropped Webinar", "Optical Webinar"]
    assert client.get("/feeds/categories/nothing.atom").status_code == 404


def test_entry_ids_are_stable_and_updated_follows_an_edit(app, client, events):
    before = {e.id: e for e in parse(client, "/feeds/all.atom").entries}
    again = {e.id: e for e in parse(client, "/feeds/all.atom").entries}
    assert before.keys() == again.keys()
    assert all(i.startswith("tag:events.test,2026:event:") for i in before)
    live = events["live"]
    app.config["NOW"] = NOW + timedelta(hours=1)
    live.title, live.slug = "Bigger 5G Event", "bigger-5g-event"  # the id must not follow them
    db.session.commit()
    after = {e.id: e for e in parse(client, "/feeds/all.atom").entries}
    assert after.keys() == before.keys()
    changed = [i for i in after if after[i].updated != before[i].updated]
    assert len(changed) == 1 and after[changed[0]].title == "Bigger 5G Event"
    assert after[changed[0]].updated_parsed > before[changed[0]].updated_parsed
    feed = parse(client, "/feeds/all.atom")
    assert feed.entries[0].title == "Bigger 5G Event"
    assert feed.feed.updated == after[changed[0]].updated


def test_atom_answers_304_for_its_etag(client, events):
    first = client.get("/feeds/all.atom")
    again = client.get("/feeds/all.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_pages_link_their_atom_feeds(client, events):
    html = client.get("/categories/optical").get_data(as_text=True)
    links = re.findall(
        r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', html
    )
    assert links == [
        "http://localhost/feeds/all.atom",
        "http://localhost/feeds/categories/optical.atom",
    ]
    html = client.get("/webinars/").get_data(as_text=True)
    assert "http://localhost/feeds/webinars.atom" in html


def test_a_lists_filters_have_an_atom_feed_of_what_they_find(client, events):
    """/feeds/events.atom takes a list's filters as /feeds/events.ics does, with its answers."""
    venue = events["live"].venue

    def titles(path: str) -> set[str]:
        return {e.title for e in parse(client, path).entries}

    webinars = parse(client, "/feeds/events.atom?category=optical&kind=webinar")
    assert {e.title for e in webinars.entries} == {"Optical Webinar", "Cancelled: Dropped Webinar"}
    assert webinars.feed.title == "Telecom Events: Optical webinars"
    assert webinars.feed.link == "http://localhost/events/?kind=webinar&category=optical"
    assert "http://localhost/feeds/events.atom?kind=webinar&category=optical" in [
        link.href for link in webinars.feed.links if link.rel == "self"
    ]
    assert titles(f"/feeds/events.atom?venue={venue.slug}") == {"Big 5G Event"}
    assert titles("/feeds/events.atom?q=three+days") == {"Big 5G Event"}
    assert titles("/feeds/events.atom?q=secret") == set()  # a draft, never
    assert titles("/feeds/events.atom?kind=webinar") == {
        "Optical Webinar",
        "Cancelled: Dropped Webinar",
    }
    # The same answers as the calendar feed's: a list page's own arguments move (301) to
    # the feed's address; an unknown category is a 400, a venue that never was a 404.
    moved = client.get("/feeds/events.atom?kind=webinar&when=past&page=2")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "http://localhost/feeds/events.atom?kind=webinar"
    only_category = client.get("/feeds/events.atom?category=optical&sort=date")
    assert only_category.headers["Location"] == "http://localhost/feeds/categories/optical.atom"
    assert client.get("/feeds/events.atom?category=nothing").status_code == 400
    assert client.get("/feeds/events.atom?venue=atlantis").status_code == 404
    assert client.get("/feeds/events.atom?from=yesterday").status_code == 400
    events["live"].status = "draft"  # a venue with no public events: an empty feed
    db.session.commit()
    assert titles(f"/feeds/events.atom?venue={venue.slug}") == set()


def test_a_filtered_list_a_month_and_a_venue_page_link_their_own_atom_feed(client, events):
    venue = events["live"].venue
    for page, feed in (
        ("/events/?kind=webinar&category=optical&when=past", "kind=webinar&amp;category=optical"),
        ("/events/?q=optical", "q=optical"),
        ("/calendar/2026/07?q=optical", "q=optical"),
        (f"/venues/{venue.slug}", f"venue={venue.slug}"),
    ):
        html = client.get(page).get_data(as_text=True)
        url = f"http://localhost/feeds/events.atom?{feed}"
        alternates = re.findall(
            r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', html
        )
        assert alternates == ["http://localhost/feeds/all.atom", url], page
        assert f'class="subscribe-atom" href="{url}"' in html, page
    # Named and category feeds are linked once, by their own addresses.
    html = client.get("/events/?kind=live").get_data(as_text=True)
    assert html.count('type="application/atom+xml"') == 2
    assert 'class="subscribe-atom" href="http://localhost/feeds/live.atom"' in html
    html = client.get("/events/").get_data(as_text=True)
    assert html.count('type="application/atom+xml"') == 1
    assert 'class="subscribe-atom" href="http://localhost/feeds/all.atom"' in html


def test_sitemap_lists_every_public_page_and_each_url_answers_200(client, events):
    index = ET.fromstring(client.get("/sitemap.xml").data)
    parts = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert parts == [
        "http://localhost/sitemaps/pages.xml",
        "http://localhost/sitemaps/events-1.xml",
    ]
    urls: dict[str, str | None] = {}
    for part in parts:
        response = client.get(urlsplit(part).path)
        assert response.content_type == "application/xml; charset=utf-8"
        for url in ET.fromstring(response.data).iter(f"{SITEMAP}url"):
            lastmod = url.find(f"{SITEMAP}lastmod")
            urls[url.find(f"{SITEMAP}loc").text] = None if lastmod is None else lastmod.text
    paths = {urlsplit(u).path for u in urls}
    assert {"/", "/events/", "/calendar/", "/webinars/", "/webinars/archive"} <= paths
    assert {"/events/big-5g-event", "/events/optical-webinar", "/events/dropped"} <= paths
    assert "/categories/optical" in paths and "/events/secret-draft" not in paths
    assert urls["http://localhost/events/big-5g-event"] == events["live"].updated_at.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    for path in paths:
        assert client.get(path).status_code == 200, path
    assert client.get("/sitemaps/events-2.xml").status_code == 404


def test_sitemap_splits_into_parts(app, client, events, monkeypatch):
    from events_app.syndication import sitemap

    monkeypatch.setattr(sitemap, "SITEMAP_SIZE", 2)
    index = ET.fromstring(client.get("/sitemap.xml").data)
    assert len(list(index.iter(f"{SITEMAP}loc"))) == 1 + 2  # three public events, two a part
    second = ET.fromstring(client.get("/sitemaps/events-2.xml").data)
    assert len(list(second.iter(f"{SITEMAP}url"))) == 1


def test_cancelled_events_leave_the_sitemap_a_month_after_they_ended(
    app, client, events, create_event, monkeypatch
):
    """A cancelled event's page stays, labelled, but the sitemap lists it only until
    CANCELLED_KEPT_DAYS (30) after its end: time for a search engine to read it is cancelled.
    Other past events stay listed (their pages keep recordings, slides, what was said)."""
    from events_app.syndication import sitemap

    def ended(days: int, **fields):
        return create_event(start=NOW - timedelta(days=days, hours=1), **fields).slug

    long_gone = ended(31, status="cancelled")
    recently = ended(29, status="cancelled")
    held = ended(400)

    def listed() -> set[str]:
        body = client.get("/sitemaps/events-1.xml").data
        return {urlsplit(u.text).path for u in ET.fromstring(body).iter(f"{SITEMAP}loc")}

    paths = listed()
    assert f"/events/{long_gone}" not in paths
    assert {f"/events/{recently}", f"/events/{held}", "/events/dropped"} <= paths
    assert client.get(f"/events/{long_gone}").status_code == 200  # its page stays
    # Parts are counted by the same rule: five events listed, two a part.
    monkeypatch.setattr(sitemap, "SITEMAP_SIZE", 2)
    index = ET.fromstring(client.get("/sitemap.xml").data)
    assert len(list(index.iter(f"{SITEMAP}loc"))) == 1 + 3
    assert client.get("/sitemaps/events-4.xml").status_code == 404
    app.config["NOW"] = NOW + timedelta(days=2)  # the one ended 29 days ago is gone too
    monkeypatch.setattr(sitemap, "SITEMAP_SIZE", 40_000)
    assert f"/events/{recently}" not in listed()


def test_robots_keeps_staff_out_and_names_the_sitemap(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /staff/" in text.splitlines()
    assert "Sitemap: http://localhost/sitemap.xml" in text


def test_favicon_ico_leads_to_the_icon_pages_name(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and "/static/favicon.svg?v=" in response.location
    with client.get(response.location) as icon:
        assert icon.status_code == 200 and icon.content_type.startswith("image/svg+xml")
    assert 'href="/static/favicon.svg?v=' in client.get("/").text


def _meta(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', html))


def test_event_pages_have_link_previews(client, events):
    tags = _meta(client.get("/events/big-5g-event").get_data(as_text=True))
    assert tags["og:title"] == "Big 5G Event"
    assert (
        tags["og:description"] == "Sep 24–26, 2026 · Westin Westminster, Denver. Three days on 5G."
    )
    assert tags["og:url"] == "http://localhost/events/big-5g-event"
    assert tags["og:image"] == "https://images.example/5g.jpg"
    assert tags["twitter:card"] == "summary_large_image"
    webinar = _meta(client.get("/events/optical-webinar").get_data(as_text=True))
    assert webinar["og:description"].startswith("Jun 18, 2026, 8:00 – 9:00 AM EDT · Online")
    assert webinar["twitter:card"] == "summary" and "og:image" not in webinar
    dropped = _meta(client.get("/events/dropped").get_data(as_text=True))
    assert dropped["og:title"] == "Cancelled: Dropped Webinar"


def test_an_event_without_an_image_shows_the_sites_image_in_link_previews(app, client, events):
    app.config["SITE_IMAGE_URL"] = "https://events.example.com/static/share.png"
    webinar = _meta(client.get("/events/optical-webinar").get_data(as_text=True))
    assert webinar["og:image"] == webinar["twitter:image"] == app.config["SITE_IMAGE_URL"]
    assert webinar["og:image:alt"] == app.config["SITE_NAME"]  # not the event's picture
    assert webinar["twitter:card"] == "summary"  # a logo, most often: shown small
    own = _meta(client.get("/events/big-5g-event").get_data(as_text=True))
    assert own["og:image"] == "https://images.example/5g.jpg"  # its own comes first
    assert own["og:image:alt"] == "Big 5G Event"
    assert own["twitter:card"] == "summary_large_image"


def test_every_public_page_has_a_link_preview_and_staff_and_error_pages_none(app, client, events):
    app.config["SITE_IMAGE_URL"] = "https://events.example.com/static/logo.png"
    for path, title in [
        ("/", "Telecom Events"),
        ("/events/?kind=live&q=5G", "5G"),
        ("/calendar/2026/09", "September 2026 · Calendar"),
        ("/webinars/", "Webinars"),
        ("/categories/optical", "Optical"),
    ]:
        page = client.get(path).get_data(as_text=True)
        tags = _meta(page)
        assert title in tags["og:title"] and tags["og:title"] == tags["twitter:title"], path
        assert path == "/" or "Telecom Events" not in tags["og:title"], path  # og:site_name
        assert "&lt;" not in tags["og:title"] and "&amp;amp;" not in page, path  # escaped once
        assert tags["og:url"] == re.search(r'rel="canonical" href="([^"]+)"', page)[1], path
        assert tags["og:description"] == tags["twitter:description"] != "", path
        assert tags["og:image"] == tags["twitter:image"] == app.config["SITE_IMAGE_URL"], path
        assert tags["og:image:alt"] == "Telecom Events" and tags["twitter:card"] == "summary"
    app.config["SITE_IMAGE_URL"] = None  # a page not kept by the response cache yet
    tags = _meta(client.get("/webinars/archive").get_data(as_text=True))
    assert tags["og:title"] and "og:image" not in tags and "twitter:image" not in tags
    assert "og:title" not in _meta(client.get("/events/no-such-event").get_data(as_text=True))
    assert "og:title" not in _meta(client.get("/staff/login").get_data(as_text=True))


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/", "http://localhost/"),
        ("/events/?utm_source=x&q=5G&kind=live", "http://localhost/events/?kind=live&amp;q=5G"),
        ("/events/?page=1&when=upcoming&sort=relevance", "http://localhost/events/"),
        ("/events/?sort=date&q=open", "http://localhost/events/?q=open&amp;sort=date"),
        ("/events/?sort=date", "http://localhost/events/"),  # without a search: no sort
        ("/events/?when=past&page=2&kind=nope", None),  # a 400 page: an error names none
        ("/events/?page=99", None),  # a 404
        ("/events/big-5g-event", "http://localhost/events/big-5g-event"),
        ("/calendar/2026/09", "http://localhost/calendar/2026/09"),
        ("/webinars/archive", "http://localhost/webinars/archive"),
        ("/categories/optical", "http://localhost/categories/optical"),
    ],
)
def test_every_page_has_one_canonical_url(client, events, path, canonical):
    html = client.get(path).get_data(as_text=True)
    expected = [canonical] if canonical else []
    assert re.findall(r'<link rel="canonical" href="([^"]+)"', html) == expected


@pytest.mark.parametrize("place", ["denver", "Denver", "DENVER"])
def test_a_place_in_any_case_names_one_page_and_one_feed(client, events, place):
    """A place is matched in any case, so every spelling shows one view: its canonical link and
    its feed's address spell it as its venues do."""
    html = client.get(f"/events/?kind=live&place={place}").text
    assert re.findall(r'<link rel="canonical" href="([^"]+)"', html) == [
        "http://localhost/events/?kind=live&amp;place=Denver"
    ]
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)[1]
    assert heading == 'Upcoming live events<span class="sub"> in <bdi>Denver</bdi></span>'
    assert "live events in <bdi>Denver</bdi>" in html.split("</h1>")[1]  # the count too
    assert 'href="http://localhost/feeds/events.ics?kind=live&amp;place=Denver"' in html
    assert "webcal://localhost/feeds/events.ics?kind=live&amp;place=Denver" in html
    month = client.get(f"/calendar/2026/09?place={place}").text
    assert '<link rel="canonical" href="http://localhost/calendar/2026/09?place=Denver">' in month


@pytest.mark.parametrize("place", ["atlantis", "Atlantis", "ATLANTIS"])
def test_a_place_no_venue_has_names_one_page_and_one_feed_in_any_case(client, events, place):
    """A place no venue has kept the case it was typed in: "?place=Atlantis" and
    "?place=ATLANTIS" named two canonical pages and two feeds of one view. Its addresses spell
    it in lower case; its heading shows it as typed."""
    html = client.get(f"/events/?kind=live&place={place}").text
    assert re.findall(r'<link rel="canonical" href="([^"]+)"', html) == [
        "http://localhost/events/?kind=live&amp;place=atlantis"
    ]
    assert f"<bdi>{place}</bdi>" in re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)[1]
    assert 'href="http://localhost/feeds/events.ics?kind=live&amp;place=atlantis"' in html
    assert "webcal://localhost/feeds/events.ics?kind=live&amp;place=atlantis" in html
    month = client.get(f"/calendar/2026/09?place={place}").text
    assert '<link rel="canonical" href="http://localhost/calendar/2026/09?place=atlantis">' in month


def test_site_url_is_used_for_links_elsewhere(app, client, events):
    app.config["SITE_URL"] = "https://events.example.com"
    html = client.get("/events/?kind=live").get_data(as_text=True)
    assert '<link rel="canonical" href="https://events.example.com/events/?kind=live">' in html
    assert (
        parse(client, "/feeds/all.atom").entries[0].link.startswith("https://events.example.com/")
    )


def test_subscribe_box_offers_google_calendars_subscribe_link(client, events):
    html = client.get("/").get_data(as_text=True)
    link = re.search(r'href="(https://calendar\.google\.com/calendar/r\?cid=[^"]+)"', html)
    assert link and link.group(1).endswith("cid=webcal%3A//localhost/feeds/all.ics")


def test_control_characters_never_reach_a_feed(client, events):
    """They are dropped when saved (a vertical tab, Word's line break, becomes a space); text
    saved before that still leaves every feed well-formed: one would break the whole feed."""
    from sqlalchemy import update

    from events_app.models import Category, Event

    webinar = events["webinar"]
    webinar.title = "Optical\x01 Webinar\x1b\ufffe\uffff"
    webinar.summary = "Line one\x0bline two"
    db.session.commit()
    assert (webinar.title, webinar.summary) == ("Optical Webinar", "Line one line two")
    # As an older database may hold it: written past the model.
    db.session.execute(
        update(Event).where(Event.id == webinar.id).values(summary="Raw\x02 text\x7f\ufffe")
    )
    db.session.execute(update(Category).values(name="Optical\uffff"))  # an attribute's text
    db.session.commit()
    for path in ("/feeds/all.atom", "/feeds/webinars.atom"):
        ET.fromstring(client.get(path).data)  # well-formed XML
        entry = next(e for e in parse(client, path).entries if e.title == "Optical Webinar")
        assert "Raw text" in entry.summary
    assert "\x02" not in client.get("/feeds/all.ics").text


def test_a_series_atom_entry_says_how_it_repeats(client, create_series):
    create_series(start=datetime(2026, 6, 18, 12, 0), weekdays=("TH",), title="The Hour",
                  until=date(2026, 12, 31))  # fmt: skip
    create_series(start=datetime(2026, 7, 1, 9, 0), freq="monthly", month_day=1, title="Open")
    body = client.get("/feeds/all.atom").get_data(as_text=True)
    summaries = re.findall(r"<summary[^>]*>([^<]*)</summary>", body)
    assert any(
        s.startswith("Weekly, Thursdays 12:00 PM New York time; Jun 18 – Dec 31, 2026 · ")
        for s in summaries
    ), summaries
    assert any("; from Jul 1, 2026, no end date · " in s for s in summaries), summaries


def test_site_url_is_the_event_and_series_pages_address_too(app, client, events, create_series):
    """An event page (and a series') names itself on SITE_URL, as the sitemap, Atom and every
    other page do: not on whatever host the request came through (a proxy's upstream)."""
    app.config["SITE_URL"] = "https://events.example.com"
    master = create_series(start=datetime(2026, 6, 18, 12, 0), weekdays=("TH",), slug="hour")
    occurrence = master.occurrences[0]
    sitemap = client.get("/sitemaps/events-1.xml").get_data(as_text=True)
    for slug in ("big-5g-event", "hour", occurrence.slug):
        url = f"https://events.example.com/events/{slug}"
        assert f"<loc>{url}</loc>" in sitemap
        html = client.get(f"/events/{slug}").get_data(as_text=True)
        assert re.findall(r'<link rel="canonical" href="([^"]+)"', html) == [url]
        assert _meta(html)["og:url"] == url
        data = json.loads(
            re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
        )
        assert data["url"] == url
        assert "localhost" not in json.dumps(data)


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/?kind=live&q=5G", "http://localhost/"),  # the home page reads no filters
        ("/webinars/?kind=live&category=optical", "http://localhost/webinars/"),
        ("/webinars/archive?kind=live&q=5g&page=1", "http://localhost/webinars/archive?q=5g"),
        ("/webinars/archive?kind=nope&q=5g", "http://localhost/webinars/archive?q=5g"),
        (
            "/categories/optical?category=5g&kind=live",
            "http://localhost/categories/optical?kind=live",
        ),
        (
            "/calendar/2026/09?when=past&page=3&kind=live",
            "http://localhost/calendar/2026/09?kind=live",
        ),
    ],
)
def test_a_canonical_url_keeps_only_the_arguments_its_page_reads(client, events, path, canonical):
    """An argument the page ignores shows the same page: naming it in the canonical link tells
    a search engine that each such address is a page of its own (duplicates of one page)."""
    response = client.get(path)
    assert response.status_code == 200
    found = re.findall(r'<link rel="canonical" href="([^"]+)"', response.get_data(as_text=True))
    assert found == [canonical.replace("&", "&amp;")]


@pytest.mark.parametrize("site_url", [None, "https://example.com/events-app"])
def test_an_app_served_under_a_path_writes_it_once(app, client, events, site_url):
    """Mounted at /events-app (SCRIPT_NAME), with SITE_URL naming that path or not set: the
    event page's canonical link, JSON-LD and the feeds' event URLs say /events-app once (they
    said /events-app/events-app/events/..., a dead link)."""
    app.config["SITE_URL"] = site_url
    root = site_url or "http://localhost/events-app"
    url = f"{root}/events/big-5g-event"
    html = client.get("/events/big-5g-event", base_url="http://localhost/events-app").text
    assert re.findall(r'<link rel="canonical" href="([^"]+)"', html) == [url]
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html)[1])
    assert data["url"] == url
    listing = client.get("/events/", base_url="http://localhost/events-app").text
    assert f'<link rel="canonical" href="{root}/events/">' in listing
    feed = client.get("/feeds/all.ics", base_url="http://localhost/events-app").text
    assert f"URL;VALUE=URI:{url}\r\n" in feed
    assert "events-app/events-app" not in html + listing + feed
