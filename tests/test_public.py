import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from events_app.extensions import db
from events_app.models import Event
from tests.conftest import NOW


@pytest.fixture(autouse=True)
def _pin_now(app):
    app.config["NOW"] = NOW


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def denver(create_venue):
    return create_venue(latitude=39.8886, longitude=-105.0647, postal_code="80020")


# --- home ----------------------------------------------------------------------------------------


def test_home_shows_live_events_webinars_audio_and_recordings(client, create_event, denver):
    create_event(
        title="Big 5G Event",
        kind="live",
        venue=denver,
        zone="America/Denver",
        first_day=date(2026, 9, 24),
        last_day=date(2026, 9, 26),
        featured=True,
    )
    create_event(title="Fiber webinar", start=datetime(2026, 6, 20, 18, tzinfo=UTC))
    create_event(
        title="The Telecom Hour",
        kind="audio",
        description="**Live radio** show",
        online_url="https://example.com/radio",
    )
    create_event(
        title="Old recording",
        start=NOW - timedelta(days=10),
        recording_url="https://example.com/rec",
    )
    create_event(
        title="Cancelled summit",
        kind="live",
        venue=denver,
        status="cancelled",
        first_day=date(2026, 7, 1),
    )
    create_event(
        title="Hidden draft", kind="live", venue=denver, status="draft", first_day=date(2026, 7, 1)
    )
    html = text(client.get("/"))
    assert "Sep 24–26, 2026" in html
    assert "Westin Westminster, Denver" in html
    assert "Jun 20, 2026, 2:00 – 3:00 PM EDT" in html
    assert "<strong>Live radio</strong>" in html
    assert "Old recording" in html and "Watch the recording" in html
    assert "Cancelled summit" in html and "Cancelled</span>" in html
    assert "Hidden draft" not in html
    assert 'href="/events/?kind=live"' in html
    for label in ("Events", "Calendar", "Webinars", "Archive"):
        assert f">{label}</a>" in html


# --- list ----------------------------------------------------------------------------------------


def test_list_upcoming_by_default_and_past_view(client, create_event):
    create_event(title="Coming up", start=NOW + timedelta(days=2))
    create_event(title="Long gone", start=NOW - timedelta(days=2))
    upcoming = text(client.get("/events/"))
    assert "Coming up" in upcoming and "Long gone" not in upcoming
    past = text(client.get("/events/?when=past"))
    assert "Long gone" in past and "Coming up" not in past


def test_list_filters_combine_in_the_url(client, create_event, create_category, denver):
    fiveg = create_category("5G")
    create_event(title="Denver 5G summit", kind="live", venue=denver, categories=[fiveg])
    create_event(title="Denver other", kind="live", venue=denver)
    create_event(title="5G webinar", categories=[fiveg])
    html = text(client.get("/events/?kind=live&category=5g&place=denver"))
    assert "Denver 5G summit" in html
    assert "Denver other" not in html and "5G webinar" not in html
    assert "Clear filters" in html
    assert '<option value="live" selected>' in html
    assert '<option value="5g" selected>' in html
    assert 'value="denver"' in html


def test_list_search_and_date_range(client, create_event):
    create_event(
        title="Optical day",
        first_day=date(2026, 7, 10),
        kind="live",
        speakers=(("Marcus Ortega", "CTO", "Lumen"),),
    )
    create_event(title="Optical later", first_day=date(2026, 8, 10), kind="live")
    html = text(client.get("/events/?q=ORTEGA"))
    assert "Optical day" in html and "Optical later" not in html
    html = text(client.get("/events/?from=2026-08-01&to=2026-08-31"))
    assert "Optical later" in html and "Optical day" not in html


def test_a_date_range_ending_before_it_starts_is_said_beside_the_field(
    client, create_event, create_category
):
    """Typed into the filter form: the list comes back with every filter kept, the message
    beside "To", and the events the other filters find (not a bare error page)."""
    create_category("Cloud")
    create_event(title="Optical day", first_day=date(2026, 7, 10), kind="live")
    create_event(title="Radio hour", kind="audio", start=NOW + timedelta(days=3))
    for url in ("/events/?kind=live&from=2026-07-01&to=2026-06-01",
                "/categories/cloud?kind=live&from=2026-07-01&to=2026-06-01"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 400
        html = text(response)
        to = re.search(r'<input id="f-to"[^>]*>\s*<p class="error" id="f-to-error">([^<]*)', html)
        assert to and "date is before the" in to[1], url
        assert 'value="2026-06-01" aria-invalid="true" aria-describedby="f-to-error"' in to[0]
        assert 'id="f-from" type="date" name="from" value="2026-07-01"' in html
        assert '<option value="live" selected>' in html
        if url.startswith("/events/"):
            assert "Optical day" in html and "Radio hour" not in html
    malformed = client.get("/events/?from=someday&kind=live")
    assert malformed.status_code == 400
    assert 'value="someday" aria-invalid="true"' in text(malformed)
    assert "must look like 2026-09-24" in text(malformed) and "Optical day" in text(malformed)


def results_count(html: str) -> str:
    return re.search(r'class="results-count">\s*(.*?)\s*</h2>', html, re.S)[1]


def test_an_empty_list_offers_what_the_other_tab_finds(client, create_event):
    """An upcoming list empty for a search (or dates gone by) said nothing of the past events
    it matched; and the other way round."""
    create_event(title="Last year's summit", first_day=date(2025, 9, 24), kind="live")
    create_event(title="Next year's summit", first_day=date(2027, 9, 24), kind="live")
    html = text(client.get("/events/?from=2025-09-01&to=2025-09-30"))
    assert "Nothing matches these filters" in html
    link = re.search(r'<a href="([^"]*)">1 past event matches</a>', html)
    assert link and "when=past" in link[1]
    assert "Last year&#39;s summit" in text(client.get(link[1].replace("&amp;", "&")))
    search = client.get("/events/?q=last+year")  # a search only: the past one
    assert ">1 past event matches</a>" in text(search)
    assert "<title>Upcoming events matching “last year” · " in text(search)
    assert results_count(text(search)) == "No upcoming events"
    past = text(client.get("/events/?when=past&q=next+year"))
    assert ">1 upcoming event matches</a>" in past
    assert '<a class="button" href="/events/?when=past">Clear filters</a>' in past  # same tab
    nothing = text(client.get("/events/?q=neither"))
    assert "event matches" not in nothing and "events match</a>" not in nothing


def test_an_empty_webinar_list_says_webinars_not_events(client, create_event):
    """The words around an empty list of webinars or live audio said "events" ("See these
    upcoming events in every category"): they name the kind, as the heading does."""
    create_event(title="Old show", kind="audio", start=datetime(2025, 9, 24, 15, tzinfo=UTC))
    html = text(client.get("/events/?kind=audio&q=old+show"))
    assert results_count(html) == "No upcoming live audio shows"
    assert ">1 past live audio show matches</a>" in html
    html = text(client.get("/events/?kind=webinar&category=gone&when=past"))
    assert 'href="/events/?when=past&amp;kind=webinar">See these past webinars in every' in html
    html = text(client.get("/calendar/2026/07?kind=webinar"))
    assert "No webinars match these filters in July 2026." in html


def test_empty_result_offers_to_clear_filters(client, create_event):
    create_event(title="Something")
    html = text(client.get("/events/?q=nothing-matches-this"))
    assert "Nothing matches these filters" in html
    assert '<a class="button" href="/events/">Clear filters</a>' in html


@pytest.mark.parametrize(
    "url",
    [
        "/events/?q=zzzzqq",
        "/events/?place=atlantis",
        "/events/?kind=webinar&q=zzzz",
        "/events/?when=past&q=zzzz",
        "/events/?category=gone",
        "/categories/cloud?q=zzzz",
    ],
)
def test_an_empty_list_offers_clear_filters_once(client, create_event, create_category, url):
    """A filtered list that finds nothing said "Clear filters" twice: beside the form's
    button and again in the box that says nothing matches. The box keeps it."""
    create_category("Cloud")
    create_event(title="Something", kind="live")
    html = text(client.get(url))
    assert html.count("Clear filters") == 1, url
    assert re.search(
        r'<div class="empty">.*<a class="button" href="[^"]*">Clear filters</a>', html, re.S
    )


def test_an_empty_list_keeps_its_other_ways_out(client, create_event, create_category):
    """Leaving out the form's "Clear filters" leaves the box's other links as they were."""
    create_category("Cloud")
    create_event(title="Last year's summit", first_day=date(2025, 9, 24), kind="live")
    create_event(title="Telecom Security Conference", kind="live")
    past = text(client.get("/events/?q=last+year"))
    assert ">1 past event matches</a>" in past and past.count("Clear filters") == 1
    misspelled = text(client.get("/events/?q=securty"))
    assert "Did you mean" in misspelled and misspelled.count("Clear filters") == 1
    unknown = text(client.get("/events/?category=gone"))
    assert "See these upcoming events in every category" in unknown
    # With results the form offers it, and there is no box.
    found = text(client.get("/events/?q=security"))
    assert found.count("Clear filters") == 1 and '<a href="/events/">Clear filters</a>' in found


def test_pagination_links_keep_filters(client, create_event):
    for i in range(12):
        create_event(title=f"Webinar {i:02d}", start=NOW + timedelta(days=i + 1))
    page1 = text(client.get("/events/?kind=webinar"))
    assert "12 upcoming webinars, page 1 of 3" in page1
    assert 'href="/events/?kind=webinar&amp;page=2" rel="next"' in page1
    page3 = text(client.get("/events/?kind=webinar&page=3"))
    assert "Webinar 10" in page3 and "Webinar 11" in page3 and "Webinar 00" not in page3
    assert 'href="/events/?kind=webinar&amp;page=2" rel="prev"' in page3
    assert 'aria-current="page" aria-label="Page 3">3<' in page3
    # A page past the end (a bookmark of a list that has since shrunk) links to the last one.
    gone = client.get("/events/?kind=webinar&page=7")
    assert gone.status_code == 404
    assert '<a href="/events/?kind=webinar&amp;page=3">Go to page 3, the last</a>' in text(gone)
    gone = client.get("/events/?q=nothing-at-all&page=2")
    assert '<a href="/events/?q=nothing-at-all">Go to the first page</a>' in text(gone)
    gone = client.get("/webinars/archive?q=webinar&page=4")
    assert gone.status_code == 404 and "Go to the first page" in text(gone)


def test_a_hybrid_event_says_so_beside_its_kind(client, create_event, create_venue):
    """At a venue and with a join link: "Hybrid" beside "Live event" on the list, in a
    search and its own page; a live event without the link, or online without a venue, not."""
    hall = create_venue(name="Hall A")
    create_event(title="Hybrid Forum", kind="live", venue=hall, slug="hybrid-forum",
                 online_url="https://stream.example.com/f")  # fmt: skip
    create_event(title="Hall Only", kind="live", venue=hall, slug="hall-only")
    for url in ("/events/", "/events/?q=hybrid", "/events/hybrid-forum"):
        html = text(client.get(url))
        assert html.count('<span class="badge badge-hybrid">Hybrid</span>') == 1, url
    assert "badge-hybrid" not in text(client.get("/events/hall-only"))


def test_drafts_never_leak(client, create_event, create_category):
    cat = create_category("Cloud")
    create_event(
        title="Draft thing",
        slug="draft-thing",
        status="draft",
        categories=[cat],
        summary="unique-draft-word",
    )
    create_event(
        title="Draft past", status="draft", start=NOW - timedelta(days=3), recording_url="https://x"
    )
    for url in (
        "/",
        "/events/",
        "/events/?when=past",
        "/events/?q=unique-draft-word",
        "/categories/cloud",
        "/calendar/",
        "/webinars/",
        "/webinars/archive",
    ):
        html = text(client.get(url))
        assert "Draft thing" not in html and "Draft past" not in html, url
    assert client.get("/events/draft-thing").status_code == 404


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/events/?page=abc", 400),
        ("/events/?page=-3", 400),
        ("/events/?page=0", 400),
        ("/events/?page=999999", 404),
        ("/events/?page=99999999999999999999", 400),
        ("/events/?kind=concert", 400),
        ("/events/?when=someday", 400),
        ("/events/?from=2026-02-30", 400),
        ("/events/?from=2026-09-10&to=2026-09-01", 400),
        ("/events/?category=%3Cscript%3E", 400),
        ("/events/?kind=live&kind=webinar", 400),
        ("/webinars/archive?q=a&q=b", 400),
        ("/events/?from=2026-W01-1", 400),  # ISO week dates: fromisoformat took them
        ("/feeds/events.ics?to=20260101xx", 400),
        ("/calendar/?q=a&q=b", 400),
        ("/events/?kind=%00", 400),
        ("/events/?page=%00", 400),
        ("/events/no-such-event", 404),
        ("/events/%00", 404),
        ("/events/%F0%9F%93%A1", 404),
        ("/categories/no-such-category", 404),
        ("/categories/%22%27%3E", 404),
        ("/categories/cloud?page=999999", 404),
        ("/events/?q=" + "x" * 10_000, 414),
    ],
)
def test_bad_input_gets_a_4xx_page(client, create_category, url, status):
    create_category("Cloud")
    response = client.get(url)
    assert response.status_code == status
    html = text(response)
    assert "main-nav" in html  # in the site's layout
    assert "<script>" not in html


def test_error_pages_speak_our_words_and_keep_the_views_own(client):
    unknown = text(client.get("/no/such/page"))
    assert "404 · Page not found" in unknown and "There is no page at this address." in unknown
    assert "check your spelling" not in unknown  # werkzeug's stock text
    event = text(client.get("/events/no-such-event"))
    assert "404 · Page not found" in event and "There is no such event" in event
    page = text(client.get("/events/?page=abc"))
    assert "400 · Bad request" in page and "page" in page.split("400 · Bad request", 1)[1]


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "x" * 1500,
        "q=%F0%9F%93%A1",
        "q=%22%27%3Cscript%3Ealert(1)%3C/script%3E",
        "q=100%25",
        "q=a_b",
        "place=%3Cscript%3E",
        "category=unknown-slug",
        "when=past&q=%27%20OR%201=1--",
    ],
)
def test_odd_parameters_give_an_empty_result(client, create_event, query):
    create_event(title="Plain")
    response = client.get(f"/events/?{query}")
    assert response.status_code == 200
    html = text(response)
    assert "<script>" not in html
    assert "Plain" not in html


@pytest.mark.parametrize("query", ["q=%00", "place=%00%01", "q=%E2%80%AE%EF%BB%BF", "q=+++"])
def test_control_characters_are_dropped(client, create_event, query):
    create_event(title="Plain")
    response = client.get(f"/events/?{query}")
    assert response.status_code == 200
    assert "Plain" in text(response)


def test_bad_filter_page_explains(client):
    html = text(client.get("/events/?page=abc"))
    assert "400" in html and "page must be a whole number" in html


# --- category page -------------------------------------------------------------------------------


def test_category_page_lists_only_that_category(client, create_event, create_category):
    optical = create_category("Optical")
    create_event(title="Coherent optics", categories=[optical])
    create_event(title="Unrelated")
    html = text(client.get("/categories/optical"))
    assert '<h1 dir="auto">Upcoming <bdi>Optical</bdi> events</h1>' in html
    assert "Coherent optics" in html and "Unrelated" not in html
    html = text(client.get("/categories/optical?when=past"))
    assert "There are no past <bdi>Optical</bdi> events yet." in html


# --- event detail --------------------------------------------------------------------------------


def test_detail_timed_event(client, create_event, create_category):
    cat = create_category("5G")
    create_event(
        slug="standalone",
        title="5G Standalone",
        kind="webinar",
        categories=[cat],
        start=datetime(2026, 11, 8, 19, tzinfo=UTC),
        zone="America/New_York",
        summary="Lessons learnt.",
        description="## Agenda\n\n*Intro* <script>x</script>",
        online_url="https://example.com/join",
        registration_url="https://example.com/reg",
        organizer="Heavy Reading",
        speakers=(("Priya Raman", "VP", "Northwind"),),
    )
    html = text(client.get("/events/standalone"))
    assert '<h1 dir="auto">5G Standalone</h1>' in html
    assert (
        '<time datetime="2026-11-08T19:00:00Z" data-end="2026-11-08T20:00:00Z" '
        'data-offset="-300" data-local>'
        "Nov 8, 2026, 2:00 – 3:00 PM EST</time>"
    ) in html
    assert "Times in America/New York" in html
    assert "<h2>Agenda</h2>" in html and "<em>Intro</em>" in html
    assert "<script>x" not in html
    assert 'href="https://example.com/join"' in html
    assert 'href="https://example.com/reg"' in html
    assert "Heavy Reading" in html
    assert "Priya Raman" in html and "VP, Northwind" in html
    assert 'href="/categories/5g"' in html


def test_an_event_across_a_clock_change_gives_both_offsets(client, create_event):
    """The night New York's clocks go back: 12:00 AM EDT to 3:00 AM EST. A visitor whose clock
    has one offset but not the other still gets their own time (visitor-time.js)."""
    create_event(
        title="Night Shift", slug="night-shift", zone="America/New_York",
        start=datetime(2026, 11, 1, 4, tzinfo=UTC), end=datetime(2026, 11, 1, 8, tzinfo=UTC),
    )  # fmt: skip
    for path in ("/events/night-shift", "/events/?q=night"):
        html = text(client.get(path))
        assert 'data-offset="-240" data-end-offset="-300"' in html, path
    webinars = client.get("/embed/list.json?kind=webinar").get_json()
    (night,) = [e for s in webinars["sections"] for e in s["events"] if e["title"] == "Night Shift"]
    assert (night["offset"], night["end_offset"]) == (-240, -300)
    frame = text(client.get("/embed/list?kind=webinar"))
    assert 'data-offset="-240" data-end-offset="-300"' in frame


def test_detail_all_day_event_with_map(client, create_event, denver):
    create_event(
        slug="big-5g",
        kind="live",
        venue=denver,
        zone="America/Denver",
        first_day=date(2026, 9, 24),
        last_day=date(2026, 9, 26),
        status="postponed",
    )
    html = text(client.get("/events/big-5g"))
    assert '<time datetime="2026-09-24">Sep 24–26, 2026</time>' in html
    assert "data-local" not in html.split("<main")[1].split("</article>")[0].split("When")[1][:200]
    assert "10600 Westminster Blvd, Denver, CO, 80020, United States" in html
    assert (
        "https://www.openstreetmap.org/?mlat=39.88860&amp;mlon=-105.06470#map=16/39.88860/-105.06470"
        in html
    )
    assert "status-postponed" in html and "Postponed" in html


def test_detail_map_search_link_without_coordinates(client, create_event, create_venue):
    venue = create_venue(
        name="Montcalm",
        city="London",
        country="United Kingdom",
        address="",
        region="",
        timezone="Europe/London",
    )
    create_event(
        slug="london", kind="live", venue=venue, first_day=date(2026, 9, 1), zone="Europe/London"
    )
    html = text(client.get("/events/london"))
    assert "https://www.openstreetmap.org/search?query=Montcalm%2C+London%2C+United+Kingdom" in html


def test_detail_past_webinar_recording_or_coming_soon(client, create_event):
    create_event(
        slug="recorded",
        start=NOW - timedelta(days=3),
        recording_url="https://example.com/rec",
        slides_url="https://example.com/s.pdf",
    )
    create_event(slug="unedited", start=NOW - timedelta(days=3))
    html = text(client.get("/events/recorded"))
    assert 'href="https://example.com/rec"' in html and "Watch the recording" in html
    assert 'href="https://example.com/s.pdf"' in html
    assert "Recording coming soon" in text(client.get("/events/unedited"))


def test_an_events_page_marks_its_section_in_the_menu(client, create_event, create_series):
    create_event(slug="summit", kind="live")
    create_event(slug="soon", kind="webinar")
    create_event(slug="recorded", kind="audio", start=NOW - timedelta(days=3))
    create_series(slug="monthly", start=datetime(2026, 7, 2, 14), count=3)
    create_series(slug="ended", start=datetime(2026, 4, 2, 14), count=2)
    current = re.compile(r'aria-current="page">([^<]+)<')
    sections = {
        "/events/summit": "Events",
        "/events/soon": "Webinars",
        "/events/recorded": "Archive",
        "/events/monthly": "Webinars",
        "/events/ended": "Archive",
        "/events/monthly/2026-07-02": "Webinars",
    }
    for url, label in sections.items():
        assert current.findall(text(client.get(url))) == [label], url


def test_detail_cancelled_banner_hides_registration(client, create_event):
    create_event(slug="off", status="cancelled", registration_url="https://example.com/reg")
    html = text(client.get("/events/off"))
    assert "status-cancelled" in html and "Cancelled." in html
    assert "https://example.com/reg" not in re.sub(
        r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S
    )


def test_past_list_offers_recordings_only_for_online_events(client, create_event, create_venue):
    create_event(
        title="Past summit",
        kind="live",
        venue=create_venue(),
        first_day=date(2026, 6, 1),
        zone="America/Denver",
    )
    create_event(title="Past webinar", start=NOW - timedelta(days=2))
    html = text(client.get("/events/?when=past"))
    assert html.count("Recording coming soon") == 1


def test_list_links_to_the_calendar_with_the_same_filters(client, create_category):
    create_category("Optical")
    html = text(client.get("/events/?kind=live&when=past&page=1"))
    assert 'href="/calendar/?kind=live"' in html
    html = text(client.get("/categories/optical?kind=webinar"))
    assert 'href="/calendar/?kind=webinar&amp;category=optical"' in html


PARAMS = ("when", "kind", "category", "place", "from", "to", "q", "page")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(args=st.dictionaries(st.sampled_from(PARAMS), st.text(max_size=40), max_size=4))
def test_any_query_string_is_never_a_server_error(client, args):
    for path in ("/events/", "/calendar/2026/06", "/categories/no-such", "/webinars/archive"):
        response = client.get(path, query_string=args)
        assert response.status_code in (200, 400, 404), (path, args)


def test_place_suggestions_come_from_public_events(client, create_event, create_venue):
    create_event(kind="live", venue=create_venue(), first_day=date(2026, 7, 1))
    hidden = create_venue(name="Secret", city="Reykjavik", country="Iceland")
    create_event(kind="live", venue=hidden, status="draft", first_day=date(2026, 7, 1))
    html = text(client.get("/events/"))
    assert '<option value="Denver">' in html and '<option value="United States">' in html
    assert "Reykjavik" not in html


def test_a_stored_link_no_parser_can_read_is_left_off_every_page(client, app_ctx, create_event):
    # Written around the forms (as imports did before they checked links the same way).
    event = create_event(title="Odd links", kind="webinar", start=NOW + timedelta(days=3))
    db.session.commit()
    odd, table = "http://[::1", Event.__table__
    columns = ("online_url", "registration_url", "recording_url", "slides_url", "image_url")
    db.session.execute(
        update(table).where(table.c.id == event.id).values(**dict.fromkeys(columns, odd))
    )
    db.session.commit()
    for url in (
        f"/events/{event.slug}",
        f"/events/{event.slug}.ics",
        "/feeds/all.ics",
        "/feeds/all.atom",
        "/api/v1/events",
        f"/api/v1/events/{event.slug}",
        "/embed/sidebar.json",
        "/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert odd not in response.get_data(as_text=True), url


def test_a_search_past_its_tenth_word_says_what_was_left_out(client, create_event):
    create_event(title="Open RAN summit", kind="live")
    long = "/events/?q=" + "+".join("abcdefghij") + "+open+ran"
    html = text(client.get(long))
    assert "Only the first 10 words were searched; 2 more were left out." in html
    assert "left out" not in text(client.get("/events/?q=open+ran"))
    assert "<title>June 2026 · Events matching “london” · " in text(
        client.get("/calendar/2026/06?q=london")
    )
    robots = '<meta name="robots" content="noindex, follow">'
    for url in ("/events/?q=open", "/calendar/?q=open", "/webinars/archive?q=open"):
        assert robots in text(client.get(url)), url  # search engines keep no search results
    for url in ("/events/", "/calendar/", "/webinars/archive", "/events/?kind=live"):
        assert robots not in text(client.get(url)), url
    # Pages that read no search are themselves, as their canonical link says: no mixed signal.
    for url in ("/?q=open", "/webinars/?q=open"):
        html = text(client.get(url))
        assert robots not in html and 'rel="canonical" href="http://localhost/' in html, url
    # A blank search is no search: the list itself, as its canonical link names it.
    for url in ("/events/?q=%20", "/events/?q=%0A%09"):
        html = text(client.get(url))
        assert robots not in html and 'rel="canonical" href="http://localhost/events/"' in html
    # A pasted paragraph is cut to 200 characters, before a word: what it left is counted too.
    pasted = " ".join(["open", "ran"] + [f"word{n:03}x" for n in range(60)])
    html = text(client.get("/events/", query_string={"q": pasted}))
    assert "Only the first 10 words were searched; 52 more were left out." in html
    few = "open " + "x" * 150 + " " + "y" * 150  # three words, the last two too long to keep
    html = text(client.get("/events/", query_string={"q": few}))
    assert "Only the first 2 words were searched; 1 more was left out." in html


@pytest.mark.parametrize("archive", [False, True])
def test_a_search_with_nothing_to_search_for_says_so(client, create_event, archive):
    """ "!!!" or an emoji has no word to find: the page says what to type, and offers no feed
    of it (a feed of nothing stays empty)."""
    create_event(
        title="Open RAN summit", kind="webinar", start=datetime(2026, 1, 8, 15, tzinfo=UTC)
    )
    url = "/webinars/archive" if archive else "/events/"
    for q in ("\U0001f680", "!!!", '"'):
        html = text(client.get(url, query_string={"q": q}))
        assert "has no letters or digits to search for" in html, q
        assert "Subscribe to" not in html and "Check the spelling" not in html, q
    html = text(client.get(url, query_string={"q": "zzzz"}))
    assert "Check the spelling, or try fewer or other words." in html
    assert "has no letters" not in html and "Subscribe to" in html or archive


def test_screen_readers_hear_the_status_a_new_tab_and_the_details_first(client, create_event):
    """A cancelled event's link says so (its badge sits apart); links that open a new tab say
    it; the details box is first in the page, as phones draw it."""
    create_event(slug="gone", title="Gone Webinar", status="cancelled")
    listing = client.get("/events/").text
    assert '>Gone Webinar<span class="visually-hidden">, cancelled</span></a>' in listing
    create_event(slug="on", title="On Webinar")
    page = client.get("/events/on").text
    google = re.search(r'target="_blank">Add to Google Calendar<span[^>]*>([^<]*)</span></a>', page)
    assert google and google[1] == " (opens in a new tab)"
    assert page.index('class="detail-side"') < page.index('class="detail-main"')


def test_an_unknown_category_is_named_not_called_no_match(client, create_event, create_category):
    """A kept link to a renamed category listed nothing under a form showing "All
    categories", and said the filters matched nothing; it says so, and where to go."""
    create_event(title="Plain", categories=[create_category(name="Optical", slug="optical")])
    response = client.get("/events/?category=opticals&kind=webinar")
    assert response.status_code == 200
    html = text(response)
    assert "There is no category “<bdi>opticals</bdi>”" in html
    assert "Nothing matches these filters" not in html
    assert 'href="/events/?kind=webinar">See these upcoming webinars in every category' in html
    assert "opticals.ics" not in html  # no feed to subscribe to: a 404
    assert "There is no category" not in text(client.get("/events/?category=optical&q=zzz"))
