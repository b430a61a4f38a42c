"""A filtered view says what it shows: heading, tab title, result count, subscribe box and the
feed's name, all from view_names.view_name."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar
from icalendar.parser import unescape_backslash

from events_app.filters import EventFilters
from events_app.view_names import view_name
from tests.conftest import NOW


@pytest.fixture(autouse=True)
def _pin_now(app):
    app.config["NOW"] = NOW


@pytest.fixture
def denver(create_venue):
    return create_venue()


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def h1(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)


def count(html: str) -> str:
    return re.search(r'class="results-count">\s*(.*?)\s*</(h2|p)>', html, re.S).group(1)


def feed_of(client, html: str) -> Calendar:
    url = re.search(r'id="feed-url" class="feed-url" type="url" value="([^"]+)"', html).group(1)
    path = url.split("://", 1)[1].split("/", 1)[1].replace("&amp;", "&")
    response = client.get("/" + path)
    assert response.status_code == 200
    return Calendar.from_ical(response.data)


def calname(feed: Calendar, name: str = "X-WR-CALNAME") -> str:
    """A calendar's text property, unescaped (icalendar reads NAME and X-WR-* as raw)."""
    return unescape_backslash(str(feed[name]))


def test_the_words_of_filters(app_ctx, denver):
    f = EventFilters(
        when="all",
        kind="webinar",
        place="denver",
        q="5g",
        date_from=date(2026, 12, 1),
        date_to=date(2026, 12, 31),
    )
    assert str(view_name(f).heading) == "Webinars in Denver matching “5g”, Dec 1–31, 2026"
    listed, narrowed = view_name(f).heading_parts
    assert (str(listed), str(narrowed)) == ("Webinars", " in Denver matching “5g”, Dec 1–31, 2026")
    upcoming = view_name(EventFilters(kind="live", category="5g"), category="5G")
    assert str(upcoming.heading) == "Upcoming 5G live events"
    assert str(upcoming.count(1)) == "1 upcoming 5G live event"
    assert str(upcoming.count(0)) == "No upcoming 5G live events"
    assert str(upcoming.feed) == "5G live events"
    past = view_name(EventFilters(when="past", date_from=date(2026, 3, 2)))
    assert str(past.heading) == "Past events from Mar 2, 2026"
    assert str(past.count(1200)) == "1,200 past events from Mar 2, 2026"
    assert str(view_name(EventFilters(date_to=date(2026, 3, 2))).feed) == "events until Mar 2, 2026"
    # A place no venue has is said as it was given; a category that names none, not at all.
    nowhere = view_name(EventFilters(when="all", place="Atlantis", category="old-topic"))
    assert str(nowhere.heading) == "Events in Atlantis"


def test_user_text_is_escaped_and_isolated_in_html(app_ctx):
    words = view_name(EventFilters(q="<b>عرض</b>", category="a-b"), category="A&B").heading
    assert words.__html__() == (
        "Upcoming <bdi>A&amp;B</bdi> events matching “<bdi>&lt;b&gt;عرض&lt;/b&gt;</bdi>”"
    )


def test_a_headings_dates_break_at_their_dash_not_inside_a_date(app_ctx):
    """On a phone the heading broke "Dec 1, 2026 – Dec 31, 2027" after "Dec": each date is
    kept on one line in HTML (the line may break at the dash); plain text is unchanged."""
    both = view_name(EventFilters(date_from=date(2026, 12, 1), date_to=date(2027, 12, 31)))
    assert both.heading.__html__() == (
        'Upcoming events, <span class="nowrap">Dec 1, 2026</span>'
        ' – <span class="nowrap">Dec 31, 2027</span>'
    )
    assert str(both.heading) == "Upcoming events, Dec 1, 2026 – Dec 31, 2027"
    since = view_name(EventFilters(date_from=date(2026, 12, 1))).heading
    assert since.__html__() == 'Upcoming events from <span class="nowrap">Dec 1, 2026</span>'


def test_a_filtered_list_says_what_it_shows_everywhere(client, create_event, denver):
    create_event(
        title="Denver 5G webinar",
        venue=denver,
        start=datetime(2026, 12, 3, 19, tzinfo=UTC),
        summary="All about 5g.",
    )
    create_event(title="Elsewhere", start=datetime(2026, 12, 3, 19, tzinfo=UTC))
    html = text(client.get("/events/?place=denver&kind=webinar&q=5g&from=2026-12-01&to=2026-12-31"))
    words = (
        "webinars in <bdi>Denver</bdi> matching “<bdi>5g</bdi>”,"
        ' <span class="nowrap">Dec 1–31, 2026</span>'
    )
    assert h1(html) == (  # the filters' words apart, as the month's heading sets them
        'Upcoming webinars<span class="sub"> in <bdi>Denver</bdi> matching “<bdi>5g</bdi>”,'
        ' <span class="nowrap">Dec 1–31, 2026</span></span>'
    )
    assert count(html) == "1 upcoming webinar"  # under the heading, which names it in full
    assert title(html) == (
        "Upcoming webinars in Denver matching “5g”, Dec 1–31, 2026 · Telecom Events"
    )
    assert "Subscribe to " + words + "</h2>" in html
    feed = feed_of(client, html)
    name = "Telecom Events: webinars in Denver matching “5g”, Dec 1–31, 2026"
    assert calname(feed) == calname(feed, "NAME") == name
    assert calname(feed, "X-WR-CALDESC").endswith(
        ": webinars in Denver matching “5g”, Dec 1–31, 2026"
    )
    assert [str(e["SUMMARY"]) for e in feed.walk("VEVENT")] == ["Denver 5G webinar"]


def test_a_filtered_list_names_its_view_twice_not_three_times(client, create_event, denver):
    """On a phone the heading, the count under the form and the subscribe box each said
    "webinars in Denver matching “5g”": the heading names the view, the subscribe box its
    feed, and the count how many of what kind ("No upcoming webinars")."""
    for url in ("/events/?place=denver&kind=webinar&q=5g", "/events/?place=denver&q=zzz&when=past"):
        html = text(client.get(url))
        body = html.split("<body", 1)[1]
        assert body.count(" in <bdi>Denver</bdi> matching “<bdi>") == 2, url


def test_the_past_tab_and_a_page_say_so(client, create_event):
    for n in range(6):
        create_event(kind="live", first_day=date(2026, 5, 1 + n))
    html = text(client.get("/events/?when=past&kind=live&page=2"))
    assert h1(html) == "Past live events"
    assert title(html) == "Past live events (page 2) · Telecom Events"
    assert count(html) == "6 past live events, page 2 of 2"
    # The feed of live events is the named one, and is named as the box says.
    assert "Subscribe to live events</h2>" in html
    assert calname(feed_of(client, html)) == "Telecom Events: live events"


def test_an_empty_search_says_what_found_nothing(client):
    html = text(client.get("/events/?q=last+year"))
    assert title(html) == "Upcoming events matching “last year” · Telecom Events"
    assert count(html) == "No upcoming events"
    html = text(client.get("/events/?q=%3Cb%3Ex%3C%2Fb%3E&place=%3Ci%3E"))
    assert title(html) == (
        "Upcoming events in &lt;i&gt; matching “&lt;b&gt;x&lt;/b&gt;” · Telecom Events"
    )
    assert h1(html) == (
        'Upcoming events<span class="sub"> in <bdi>&lt;i&gt;</bdi> matching'
        " “<bdi>&lt;b&gt;x&lt;/b&gt;</bdi>”</span>"
    )


def test_a_category_page_says_its_filters(client, create_event, create_category, denver):
    optical = create_category("Optical")
    create_event(title="Coherent optics", venue=denver, kind="live", categories=[optical])
    html = text(client.get("/categories/optical"))
    assert h1(html) == "Upcoming <bdi>Optical</bdi> events"
    assert title(html) == "Upcoming Optical events · Telecom Events"
    assert "Subscribe to <bdi>Optical</bdi> events</h2>" in html
    assert calname(feed_of(client, html)) == "Telecom Events: Optical events"
    assert (
        'title="Optical events (Atom)" href="http://localhost/feeds/categories/optical.atom"'
        in html
    )
    html = text(client.get("/categories/optical?place=DENVER&kind=live"))
    assert h1(html) == (
        'Upcoming <bdi>Optical</bdi> live events<span class="sub"> in <bdi>Denver</bdi></span>'
    )
    assert count(html) == "1 upcoming <bdi>Optical</bdi> live event"
    name = calname(feed_of(client, html))
    assert name == "Telecom Events: Optical live events in Denver"
    atom = client.get("/feeds/categories/optical.atom").get_data(as_text=True)
    assert "<title>Telecom Events: Optical events</title>" in atom


def test_the_list_names_a_category_it_filters_by(client, create_event, create_category):
    fiveg = create_category("5G")
    create_event(categories=[fiveg])
    html = text(client.get("/events/?category=5g&kind=webinar"))
    assert h1(html) == "Upcoming <bdi>5G</bdi> webinars"
    assert calname(feed_of(client, html)) == "Telecom Events: 5G webinars"


def test_an_unknown_category_is_not_named_as_if_it_were_one(client, create_event):
    """A kept link to a renamed category: the page says there is no such category, and its
    heading, title and count name the view without it (they said "Upcoming nosuchcat
    webinars"); so do the month and a widget."""
    create_event(title="June webinar", start=datetime(2026, 6, 18, 18, tzinfo=UTC))
    html = text(client.get("/events/?category=nosuchcat&kind=webinar"))
    assert "There is no category “<bdi>nosuchcat</bdi>”" in html
    assert h1(html) == "Upcoming webinars"
    assert title(html) == "Upcoming webinars · Telecom Events"
    assert count(html) == "No upcoming webinars"
    html = text(client.get("/calendar/2026/06?category=nosuchcat&q=june"))
    assert h1(html) == 'June 2026 <span class="sub">· Events matching “<bdi>june</bdi>”</span>'
    widget = client.get("/embed/list.json?category=nosuchcat").get_json()
    assert widget["title"] == "Upcoming events"
    assert widget["sections"][0]["heading"] == "Upcoming events"
    assert client.get("/embed/sidebar.json?category=nosuchcat").get_json()["caption"] is None


def test_a_searched_month_says_what_it_shows(client, create_event, denver):
    create_event(title="London calling", start=datetime(2026, 7, 8, 15, tzinfo=UTC))
    html = text(client.get("/calendar/2026/07?q=london&kind=webinar"))
    assert h1(html) == (
        'July 2026 <span class="sub">· Webinars matching “<bdi>london</bdi>”</span>'
    )
    assert title(html) == "July 2026 · Webinars matching “london” · Calendar · Telecom Events"
    assert count(html) == "1 webinar in July 2026"  # the heading above names the search
    assert "Subscribe to webinars matching “<bdi>london</bdi>”</h2>" in html
    name = calname(feed_of(client, html))
    assert name == "Telecom Events: webinars matching “london”"


def test_a_searched_archive_says_what_it_shows(client, create_event):
    create_event(title="Optical past", start=datetime(2026, 5, 1, 15, tzinfo=UTC))
    html = text(client.get("/webinars/archive?q=optical"))
    assert h1(html) == (
        'Webinar archive <span class="sub">· Past sessions matching “<bdi>optical</bdi>”</span>'
    )
    assert title(html) == "Webinar archive · Past sessions matching “optical” · Telecom Events"
    assert count(html) == "1 past session"  # the heading above names the search
