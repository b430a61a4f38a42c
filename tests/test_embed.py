"""Widgets for other sites: their data (display-ready, filtered, cacheable, CORS), their frames
(the only pages other sites may frame), embed.js, payloads kept inert, and the staff Embed page."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import request

from events_app.embed import widgets
from events_app.security import CONTENT_SECURITY_POLICY
from tests.conftest import NOW
from tests.html_checks import active_content
from tests.test_xss import TEXT_PAYLOADS


@pytest.fixture
def events(app, create_event, create_venue, create_category):
    app.config["NOW"] = NOW  # Monday 2026-06-15, 12:00 UTC
    venue = create_venue()
    five_g = create_category("5G")
    create_event(
        title="Big 5G Event",
        kind="live",
        venue=venue,
        first_day=date(2026, 6, 24),
        last_day=date(2026, 6, 26),
        zone="America/Denver",
        categories=[five_g],
    )
    create_event(title="Open RAN Webinar", start=NOW + timedelta(days=2), categories=[five_g])
    create_event(title="Cloud Webinar", start=NOW + timedelta(days=4), status="postponed")
    create_event(title="Telecom Radio Hour", kind="audio", start=NOW + timedelta(days=1))
    create_event(
        title="Past Webinar",
        start=NOW - timedelta(days=3),
        recording_url="https://video.example/past",
    )
    create_event(title="Secret Draft", status="draft", start=NOW + timedelta(days=1))


def sections(client, query: str = "", widget: str = "sidebar") -> dict[str, list[str]]:
    response = client.get(f"/embed/{widget}.json{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {s["id"]: [e["title"] for e in s["events"]] for s in response.get_json()["sections"]}


def test_sidebar_has_the_model_pages_boxes(client, events):
    assert sections(client) == {
        "live": ["Big 5G Event"],
        "webinars": ["Open RAN Webinar", "Cloud Webinar"],
        "audio": ["Telecom Radio Hour"],
        "recordings": ["Past Webinar"],
    }
    data = client.get("/embed/sidebar.json").get_json()
    live = data["sections"][0]["events"][0]
    assert live["when"] == "Jun 24–26, 2026" and live["place"] == "Westin Westminster, Denver"
    assert (live["start"], live["end"], live["offset"]) == ("2026-06-24", "2026-06-26", None)
    webinar = data["sections"][1]["events"][0]
    assert webinar["when"] == "Jun 17, 2026, 8:00 – 9:00 AM EDT" and webinar["offset"] == -240
    assert webinar["start"] == "2026-06-17T12:00:00Z" and webinar["url"].startswith("http://")
    postponed = data["sections"][1]["events"][1]
    assert postponed["status_label"] == "Postponed"
    recording = data["sections"][3]["events"][0]
    assert recording["recording_url"] == "https://video.example/past"
    assert recording["recording_label"] == "Watch the recording"
    assert webinar["recording_label"] is None  # no recording: nothing to say


def test_a_live_audio_recording_is_listened_to(app, client, create_event):
    app.config["NOW"] = NOW
    create_event(
        title="Last Week's Hour",
        kind="audio",
        start=NOW - timedelta(days=7),
        recording_url="https://audio.example/hour",
    )
    data = client.get("/embed/sidebar.json").get_json()
    (recording,) = [s for s in data["sections"] if s["id"] == "recordings"][0]["events"]
    assert recording["recording_label"] == "Listen to the recording"
    frame = client.get("/embed/sidebar").text
    assert re.search(r'href="https://audio.example/hour"[^>]*>Listen to the recording<', frame)


def test_filters_and_count(client, events):
    assert sections(client, "?kind=webinar") == {
        "webinars": ["Open RAN Webinar", "Cloud Webinar"],
        "recordings": ["Past Webinar"],
    }
    assert sections(client, "?category=5g&count=1")["webinars"] == ["Open RAN Webinar"]
    assert sections(client, "?place=denver")["live"] == ["Big 5G Event"]
    assert sections(client, "?q=cloud", "list") == {"list": ["Cloud Webinar"]}
    # The archive's own search carries a widget's search; the lists carry every filter.
    more = {
        s["id"]: s["more"]["url"]
        for s in client.get("/embed/sidebar.json?q=past").get_json()["sections"]
    }
    assert more["recordings"] == "http://localhost/webinars/archive?q=past"
    assert more["webinars"] == "http://localhost/events/?kind=webinar&q=past"
    assert sections(client, "?count=2", "list") == {
        "list": ["Telecom Radio Hour", "Open RAN Webinar"]
    }


def headings(client, query: str = "", widget: str = "sidebar") -> dict[str, str]:
    data = client.get(f"/embed/{widget}.json{query}").get_json()
    return {s["id"]: s["heading"] for s in data["sections"]}


def test_a_filtered_widget_is_headed_with_its_views_name(client, events):
    """A category, place or search narrows a widget: its headings say so in the words of the
    list and month pages (view_names); a kind alone keeps its sections' own names."""
    assert headings(client) == {
        "live": "Upcoming live events",
        "webinars": "Upcoming webinars",
        "audio": "Live Digital Audio",
        "recordings": "Webinar archive",
    }
    assert headings(client, "?kind=audio", "list") == {"list": "Live Digital Audio"}
    assert headings(client, "?kind=webinar&place=denver&q=5g", "list") == {
        "list": "Upcoming webinars in Denver matching “5g”"
    }
    assert headings(client, "?place=denver&q=5g", "list") == {
        "list": "Upcoming events in Denver matching “5g”"
    }
    # A sidebar's boxes keep their own names: its caption names the filters, once.
    assert headings(client, "?category=5g&q=open") == {
        "live": "Upcoming live events",
        "webinars": "Upcoming webinars",
        "recordings": "Webinar archive",
    }  # (no live audio there: the show's box is left out)
    data = client.get("/embed/sidebar.json?category=5g&place=DENVER&q=open").get_json()
    assert data["caption"] == "5G events in Denver matching “open”"
    assert client.get("/embed/sidebar.json").get_json()["caption"] is None
    # The month: its month, then what it shows, as the month page's heading; a kind too.
    month = client.get("/embed/month.json?month=2026-06&kind=live").get_json()["month"]
    assert (month["label"], month["heading"]) == ("June 2026", "June 2026 · Live events")
    month = client.get("/embed/month.json?month=2026-06").get_json()["month"]
    assert month["heading"] == "June 2026"
    # The frames are headed the same way, and titled by it.
    frame = client.get("/embed/list?kind=webinar&place=denver&q=5g").text
    assert "<title>Telecom Events: Upcoming webinars in Denver matching “5g”</title>" in frame
    # People's words in their own direction (<bdi>): an Arabic search keeps its place.
    assert (
        '<h2 class="ew-heading" id="ew-list">Upcoming webinars in <bdi>Denver</bdi> matching'
        in frame
    )
    frame = client.get("/embed/month?month=2026-06&category=5g").text
    assert "<title>Telecom Events: June 2026 · 5G events</title>" in frame
    assert 'rel="noopener">June 2026 · <bdi>5G</bdi> events</a></h2>' in frame
    assert "<title>Telecom Events: upcoming events</title>" in client.get("/embed/sidebar").text


def test_a_filter_matching_nothing_here_is_noted_for_the_hosts_console(client, events):
    """A mistyped category or place shows an empty widget (a deleted one must not break the
    host's page), with a note embed.js and the frames write to the console."""
    assert client.get("/embed/list.json?category=5g&place=denver").get_json()["notes"] == []
    notes = client.get("/embed/sidebar.json?category=five-g&place=Denverr").get_json()["notes"]
    assert notes == [
        'category="five-g": there is no such category (its slug is in the address of its page'
        " on our site)",
        'place="Denverr": no venue is in a city or country of that name',
    ]
    frame = client.get("/embed/list?category=five-g").text
    assert "data-notes='[" in frame and "five-g" in frame
    assert "data-notes" not in client.get("/embed/list?category=5g").text


def test_month_counts_days_in_each_events_zone(client, events):
    month = client.get("/embed/month.json?month=2026-06").get_json()["month"]
    days = {d["date"]: d for week in month["weeks"] for d in week}
    assert month["label"] == "June 2026" and (month["prev"], month["next"]) == (
        "2026-05",
        "2026-07",
    )
    assert [days[f"2026-06-{n}"]["count"] for n in (24, 25, 26, 27)] == [1, 1, 1, 0]
    assert days["2026-06-15"]["today"] and days["2026-06-01"]["in_month"]
    assert days["2026-06-24"]["url"].endswith("/events/?from=2026-06-24&to=2026-06-24")
    # This month's list starts today: what is still to come (the grid shows the 12th's too).
    assert [e["title"] for e in month["events"]][:2] == ["Telecom Radio Hour", "Open RAN Webinar"]
    assert days["2026-06-12"]["count"] == 1 and "Past Webinar" not in str(month["events"])
    assert month["empty"] == "Nothing more this month."
    assert "Secret Draft" not in str(month)
    default = client.get("/embed/month.json").get_json()["month"]
    assert default["value"] == "2026-06"
    # Another month lists from its first day.
    july = client.get("/embed/month.json?month=2026-07").get_json()["month"]
    assert july["empty"] == "Nothing this month."


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?count=0", "count"),
        ("?count=21", "count"),
        ("?count=x", "count"),
        ("?kind=concert", "kind"),
        ("?month=2026-13", "month"),
        ("?month=June", "month"),
        ("?colour=red", "colour"),
        ("?theme=dark", "theme"),  # the data has no theme: the element applies it
        ("?month=2026-09", "month"),  # a list shows no month: it would be ignored
    ],
)
def test_bad_data_parameters_are_400_problems(client, events, query, parameter):
    response = client.get(f"/embed/list.json{query}")
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert response.get_json()["parameter"] == parameter


def test_bad_frame_parameters_are_a_400_page_the_host_can_show(client, events):
    response = client.get("/embed/list?accent=red")
    assert response.status_code == 400 and "six hex digits" in response.get_data(as_text=True)
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]


def test_only_the_frames_may_be_framed(client, events):
    for path in ("/embed/sidebar", "/embed/list?kind=webinar&theme=dark", "/embed/month"):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors *" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "X-Frame-Options" not in response.headers
    for path in (
        "/",
        "/events/",
        "/embed/list.json",
        "/embed.js",
        "/api/v1/events",
        "/staff/login",
    ):
        with client.get(path) as response:
            assert response.headers["X-Frame-Options"] == "DENY", path
            assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path


def test_frames_render_the_widget_without_javascript(client, events):
    html = client.get("/embed/sidebar?accent=0B5CAD").get_data(as_text=True)
    assert "Upcoming live events" in html and "Big 5G Event" in html
    assert "Jun 24–26, 2026" in html and "Westin Westminster, Denver" in html
    assert 'target="_blank" rel="noopener"' in html
    assert "/embed/accent-0B5CAD.css" in html
    css = client.get("/embed/accent-0B5CAD.css")
    assert css.get_data(as_text=True) == ".ew { --ew-accent: #0b5cad; }\n"
    assert client.get("/embed/accent-red.css").status_code == 404
    month = client.get("/embed/month?month=2026-06").get_data(as_text=True)
    assert "June 2026" in month and "(1 event)" in month and "?month=2026-07" in month


def test_data_is_cacheable_cors_open_and_repeated_before_flask(app, client, events):
    hits: list[str] = []
    app.before_request(lambda: hits.append(request.path) and None)
    first = client.get("/embed/sidebar.json?count=3")
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert first.headers["Cache-Control"] == "public, max-age=60"
    etag = first.headers["ETag"]
    assert client.get("/embed/sidebar.json?count=3").data == first.data
    assert (
        client.get("/embed/sidebar.json?count=3", headers={"If-None-Match": etag}).status_code
        == 304
    )
    assert client.get("/embed/list").status_code == 200
    assert client.get("/embed/list").status_code == 200
    assert hits == ["/embed/sidebar.json", "/embed/list"], "repeats answered before Flask"


def test_embed_js_is_served_from_our_origin_with_cors(client):
    with client.get("/embed.js") as response:
        assert response.status_code == 200
        assert response.content_type.startswith("text/javascript")
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        script = response.get_data(as_text=True)
    assert 'customElements.define("events-widget"' in script
    # Data becomes text, never markup: no innerHTML, insertAdjacentHTML, eval or document.write.
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "document.write"):
        assert forbidden not in script, forbidden
    with client.get("/embed/widget.css") as css:
        assert css.headers["Access-Control-Allow-Origin"] == "*"


def test_payloads_stay_inert_in_every_widget(app, client, create_event, create_venue):
    app.config["NOW"] = NOW
    for n, text in enumerate(TEXT_PAYLOADS):
        venue = create_venue(name=text, city=text)
        create_event(title=f"{text} live", kind="live", venue=venue, start=NOW + timedelta(days=1))
        create_event(title=f"{text} audio", kind="audio", start=NOW + timedelta(days=n % 5 + 1))
        create_event(
            title=f"{text} past",
            start=NOW - timedelta(days=2),
            recording_url="javascript:alert(1)",
        )
    for widget in ("sidebar", "list", "month"):
        for text in TEXT_PAYLOADS:
            query = f"?q={quote(text[:60])}&count=20"
            response = client.get(f"/embed/{widget}{query}")
            assert response.status_code in (200, 400), (widget, text)
            problems = active_content(response.get_data(as_text=True))
            assert not problems, (widget, text, problems)
        data = client.get(f"/embed/{widget}.json?count=20").get_json()
        items = [e for s in data["sections"] for e in s["events"]]
        items += (data["month"] or {}).get("events", [])
        assert all(e["recording_url"] in (None,) for e in items), "no javascript: link goes out"
        assert any("<script>" in e["title"] for e in items), "titles stay data, as typed"


# --- the staff Embed page ------------------------------------------------------------------------


def test_embed_page_needs_sign_in(client):
    response = client.get("/staff/embed/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_embed_page_builds_the_snippet_and_preview(client, auth, editor, events):
    auth.login()
    html = client.get("/staff/embed/?widget=list&kind=webinar&count=3&theme=dark").get_data(
        as_text=True
    )
    assert (
        "&lt;script src=&#34;http://localhost/embed.js&#34; async&gt;&lt;/script&gt;\n"
        "&lt;events-widget widget=&#34;list&#34; kind=&#34;webinar&#34; count=&#34;3&#34; "
        "theme=&#34;dark&#34;&gt;&lt;/events-widget&gt;"
    ) in html
    assert (
        '<events-widget widget="list" kind="webinar" count="3" theme="dark"></events-widget>'
        in html
    )
    assert "/static/staff-embed.js" in html and "<script>" not in html
    frame = client.get("/staff/embed/?mode=iframe&widget=month&place=Denver").get_data(as_text=True)
    assert "&lt;iframe src=&#34;http://localhost/embed/month?place=Denver&#34;" in frame
    assert '<iframe src="http://localhost/embed/month?place=Denver"' in frame
    # It fits a column narrower than 320 px, without the browser's frame border.
    assert "width=&#34;320&#34; height=&#34;" in frame
    assert "style=&#34;max-width: 100%; border: 0&#34;" in frame


def test_embed_page_says_which_boxes_a_sidebar_shows(client, auth, editor, events):
    """It offered "Sidebar (all four sections)": the live audio box is there only while the
    show is scheduled, a type keeps its own boxes, a place the online ones that find something.
    The frame's first height counts the boxes shown even empty."""
    auth.login()
    html = client.get("/staff/embed/?mode=iframe").text
    assert "all four" not in html
    assert ">Sidebar (boxes by type)</option>" in html
    assert "Live Digital Audio while the show is scheduled" in html
    assert 'aria-describedby="e-widget-hint"' in html
    height = re.compile(r'height="(\d+)"')
    everywhere = int(height.search(html.split('id="embed-preview"')[1])[1])
    html = client.get("/staff/embed/?mode=iframe&place=Denver").text
    assert int(height.search(html.split('id="embed-preview"')[1])[1]) < everywhere / 2


def test_embed_page_says_what_is_wrong_beside_the_field(client, auth, editor, events):
    auth.login()
    response = client.get("/staff/embed/?count=99&q=kept")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="e-count-error"' in html and "from 1 to 20" in html
    assert 'value="kept"' in html and 'value="99"' in html


def test_embed_page_keeps_the_other_choices_when_one_is_refused(client, auth, editor, events):
    """A refused count or colour, or a category deleted since the link was shared, is said
    beside its box; the type, category and place chosen stay chosen and in the snippet."""
    auth.login()
    slug = "5g"
    url = f"/staff/embed/?widget=list&kind=webinar&category={slug}&place=Denver&count=999&accent=zz"
    html = client.get(url).get_data(as_text=True)
    assert 'id="e-count-error"' in html and 'id="e-accent-error"' in html
    assert '<option value="webinar" selected>' in html
    assert f'<option value="{slug}" selected>' in html
    assert f'<events-widget widget="list" kind="webinar" category="{slug}" place="Denver">' in html
    html = client.get("/staff/embed/?widget=list&kind=live&category=long-gone").get_data(
        as_text=True
    )
    assert 'id="e-category-error"' in html and "no such category" in html
    assert '<option value="live" selected>' in html
    html = client.get("/staff/embed/?kind=bad&place=Oslo&foo=1").get_data(as_text=True)
    assert 'id="e-kind-error"' in html and "Unknown kind" in html
    assert "Unknown parameter &#39;foo&#39;" in html and "It was left out." in html
    assert 'place="Oslo"' in html


def test_embed_page_takes_a_link_colour_written_as_css_writes_it(client, auth, editor, events):
    auth.login()
    html = client.get("/staff/embed/?accent=%230B5CAD").get_data(as_text=True)
    assert 'id="e-accent-error"' not in html
    assert '<events-widget widget="sidebar" accent="0B5CAD"></events-widget>' in html
    html = client.get("/staff/embed/?accent=zzzzzz").get_data(as_text=True)
    assert 'id="e-accent-error"' in html and 'value="zzzzzz"' in html


def test_embed_script_carries_the_visitors_time_code_of_our_pages(client):
    """One writer of the visitor's time: /embed.js is visitor-time.js and embed.js in one
    block, so the host page gets no global from it."""
    from pathlib import Path

    static = Path(__file__).resolve().parent.parent / "events_app" / "static"
    body = client.get("/embed.js").get_data(as_text=True)
    shared = (static / "visitor-time.js").read_text()
    assert body.startswith("{\n" + shared) and body.rstrip().endswith("}")
    assert (static / "embed" / "embed.js").read_text() in body
    assert "visitorTime(" in (static / "embed" / "embed.js").read_text()
    # ... and contrast.js, which the staff Embed page loads too: one writer of the WCAG ratio.
    assert (static / "contrast.js").read_text() in body
    assert "contrastRatio(" in (static / "embed" / "embed.js").read_text()
    assert "contrastRatio(" in (static / "staff-embed.js").read_text()
    assert "luminance" not in (static / "embed" / "embed.js").read_text()


@pytest.mark.parametrize(
    ("query", "warning"),
    [
        ("theme=light&accent=ffffff", "1.0:1 on the light background"),
        ("theme=light&accent=ffff00", "1.0:1 on the light background"),
        ("theme=dark&accent=000000", "1.1:1 on the dark background"),
        # Just short of 4.5:1 reads as 4.4:1, never as the 4.5:1 it needs.
        ("theme=auto&accent=777777", "4.4:1 on the light background"),
        ("theme=auto&accent=0b5cad", None),  # dark, its links take our own colour
        ("theme=light&accent=0b5cad", None),  # the default: 6.7:1
        ("theme=dark&accent=9ccbff", None),
        ("accent=ffffff", None),  # the host page's colours: its background is not known here
    ],
)
def test_embed_page_warns_of_a_link_colour_hard_to_read(client, auth, editor, query, warning):
    auth.login()
    html = client.get(f"/staff/embed/?{query}").get_data(as_text=True)
    note = re.search(r'<p class="hint accent-contrast" id="e-accent-contrast"[^>]*>([^<]*)<', html)
    if warning is None:
        assert note[1] == "" and "hidden" in note[0]
    else:
        assert warning in note[1] and "they need 4.5:1" in note[1], note[1]


def test_the_contrast_check_knows_the_widgets_own_backgrounds():
    """widgets.BACKGROUNDS are the colours widget.css paints each theme with."""
    css = (Path(__file__).parent.parent / "events_app/static/embed/widget.css").read_text()
    assert re.search(r"\.ew\.theme-light \{[^}]*background: #fff;", css)
    assert re.search(r"\.ew\.theme-dark \{[^}]*background: #15191d;", css)
    assert widgets.BACKGROUNDS == {"light": "ffffff", "dark": "15191d"}
    assert widgets.contrast("0b5cad", "ffffff") == pytest.approx(6.67, abs=0.01)
    assert widgets.contrast("000000", "ffffff") == pytest.approx(21)


def test_the_widgets_data_answers_other_sites_even_when_refused(client):
    """embed.js reads it from other origins: a preflight, an unknown widget and a bad parameter
    are all CORS-readable, and the last two problem bodies, not our HTML pages."""
    preflight = client.options(
        "/embed/list.json",
        headers={"Origin": "https://news.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "if-none-match"},
    )  # fmt: skip
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    too_long = "/embed/list.json?q=" + "x" * 5000  # refused before any view (414)
    for method, url, status in (
        ("GET", "/embed/calendar.json", 404),
        ("GET", "/embed/list.json?count=abc", 400),
        ("GET", too_long, 414),
        ("POST", "/embed/list.json", 405),  # refused by routing, before the blueprint
        ("GET", "/embed/list.json/", 404),  # no route: still the data's address, mistyped
        ("GET", "/embed/list.JSON", 404),
        ("GET", "/embed/list.json%00", 404),  # was our HTML page
        ("GET", "/embed/list.json%20x", 404),
    ):
        response = client.open(url, method=method, headers={"Origin": "https://news.example"})
        assert response.status_code == status, url
        assert response.content_type == "application/problem+json", url
        assert response.headers["Access-Control-Allow-Origin"] == "*", url
    assert client.get("/embed/calendar").status_code == 404  # a frame: our HTML page
    assert client.get("/embed/list.json").status_code == 200


def more_links(client, query: str = "", widget: str = "sidebar") -> dict[str, tuple[str, str]]:
    data = client.get(f"/embed/{widget}.json{query}").get_json()
    # Each link's name, as read aloud: its words, then those only read aloud.
    return {
        s["id"]: (s["more"]["label"] + s["more"]["hidden"], s["more"]["url"])
        for s in data["sections"]
    }


def test_a_filtered_widgets_links_name_the_lists_they_lead_to(client, events):
    """A widget headed "Upcoming events in Denver matching “5g”" led to "All upcoming events":
    each link to a list says which list, in the words of its page (view_names)."""
    assert more_links(client, "?place=denver&q=5g", "list") == {
        "list": (
            "See all upcoming events in Denver matching “5g”",
            "http://localhost/events/?place=denver&q=5g&sort=date",
        )
    }
    assert more_links(client, "?kind=webinar", "list")["list"][0] == "All upcoming webinars"
    assert more_links(client, "", "list")["list"][0] == "All upcoming events"
    sidebar = more_links(client, "?category=5g&place=DENVER")
    assert sidebar["live"] == (
        "All upcoming live events on 5G in Denver",
        "http://localhost/events/?kind=live&category=5g&place=DENVER",
    )
    assert more_links(client, "?category=5g")["webinars"][0] == "All upcoming webinars on 5G"
    assert more_links(client)["live"][0] == "All upcoming live events"


def test_a_place_leaves_out_the_online_boxes_it_finds_nothing_in(
    app, client, events, create_event, create_venue
):
    """A sidebar for Denver showed "Upcoming webinars" and "Webinar archive" boxes, empty: an
    online event is in a place only when staff gave it a venue. Such boxes are left out when
    they find nothing, as the audio show's is; a webinar given a venue there is shown."""
    assert sections(client, "?place=denver") == {"live": ["Big 5G Event"]}
    assert sections(client, "?place=atlantis") == {"live": []}  # still says nothing is on
    assert sections(client, "?kind=webinar&place=denver") == {}
    frame = client.get("/embed/sidebar?place=denver").text
    assert "Upcoming webinars" not in frame and "archive" not in frame
    create_event(title="Studio webinar", venue=create_venue(), start=NOW + timedelta(days=3))
    assert sections(client, "?place=denver") == {
        "live": ["Big 5G Event"],
        "webinars": ["Studio webinar"],
    }
    assert sections(client, "?q=nothing-here")["webinars"] == []  # no place: kept


def test_a_filtered_sidebar_names_its_filters_once(client, events):
    """Each box's heading and link named the whole view ("Upcoming 5G webinars matching “ran”",
    "All upcoming 5G webinars matching “ran”"): six times the filters, two lines each on a
    phone. A caption says them once; boxes and links keep their own words, the links' filters
    read aloud only (a link's name still says where it leads, out of context)."""
    frame = client.get("/embed/sidebar?category=5g&q=ran").text
    assert '<p class="ew-caption"><bdi>5G</bdi> events matching “<bdi>ran</bdi>”</p>' in frame
    assert '<h2 class="ew-heading" id="ew-webinars">Upcoming webinars</h2>' in frame
    assert (
        'rel="noopener">All upcoming webinars<span class="ew-hidden"> on <bdi>5G</bdi> matching'
        " “<bdi>ran</bdi>”</span></a></p>"
    ) in frame
    assert 'rel="noopener">All past sessions<span class="ew-hidden"> on <bdi>5G</bdi>' in frame
    shown = re.sub(r'<span class="ew-hidden">.*?</span>|<h1 .*?</h1>|<title>.*?</title>', "", frame)
    assert shown.count("matching") == 1 and shown.count("<bdi>5G</bdi>") == 1
    # Unfiltered: no caption, the links' words as they were.
    frame = client.get("/embed/sidebar").text
    assert "ew-caption" not in frame and 'rel="noopener">All upcoming webinars</a>' in frame


def test_a_filtered_list_names_its_view_once(client, events):
    """A filtered list widget named its view in its heading and again in its link ("All
    upcoming 5G events matching “open”"), two lines each on a phone: the heading names it, the
    link says "See all", its name read aloud whole (out of context, and starting with its
    words)."""
    frame = client.get("/embed/list?category=5g&q=open").text
    assert (
        '<h2 class="ew-heading" id="ew-list">Upcoming <bdi>5G</bdi> events matching'
        " “<bdi>open</bdi>”</h2>"
    ) in frame
    assert (
        'rel="noopener">See all<span class="ew-hidden"> upcoming <bdi>5G</bdi> events matching'
        " “<bdi>open</bdi>”</span></a></p>"
    ) in frame
    shown = re.sub(r'<span class="ew-hidden">.*?</span>|<h1 .*?</h1>|<title>.*?</title>', "", frame)
    assert shown.count("matching") == 1 and shown.count("<bdi>5G</bdi>") == 1
    more = client.get("/embed/list.json?kind=webinar&place=DENVER").get_json()["sections"][0]
    assert more["heading"] == "Upcoming webinars in Denver"
    assert (more["more"]["label"], more["more"]["hidden"]) == (
        "See all",
        " upcoming webinars in Denver",
    )
    assert more["more"]["label_parts"] == [["See all", "ours"]]
    assert [t for t, kind in more["more"]["hidden_parts"] if kind == "typed"] == ["Denver"]
    # Unfiltered (a kind alone names no view): the link's own words, nothing hidden.
    more = client.get("/embed/list.json?kind=webinar").get_json()["sections"][0]["more"]
    assert (more["label"], more["hidden"], more["hidden_parts"]) == (
        "All upcoming webinars",
        "",
        [],
    )


def test_peoples_words_keep_their_direction_in_widgets(client, events):
    """A search, place or category name in a heading or link: the frames set it in <bdi>, and
    the data gives the parts (view_names.Words) for embed.js to do the same."""
    q = "مرحبا 5G"
    data = client.get(f"/embed/sidebar.json?q={quote(q)}").get_json()
    caption = data["caption_parts"]
    assert "".join(t for t, _ in caption) == data["caption"] == f"Events matching “{q}”"
    assert [kind for text, kind in caption if text == q] == ["typed"]
    more = data["sections"][1]["more"]
    assert "".join(t for t, _ in more["label_parts"]) == "All upcoming webinars"
    assert more["hidden_parts"] == [[" matching “", "ours"], [q, "typed"], ["”", "ours"]]
    listed = client.get(f"/embed/list.json?q={quote(q)}").get_json()["sections"][0]
    assert [q, "typed"] in listed["heading_parts"] and [q, "typed"] in listed["more"][
        "hidden_parts"
    ]
    month = client.get("/embed/month.json?category=5g").get_json()["month"]
    assert month["heading_parts"][1:] == [["5G", "typed"], [" events", "ours"]]
    frame = client.get(f"/embed/sidebar?q={quote(q)}").text
    assert f"Events matching “<bdi>{q}</bdi>”</p>" in frame


def test_a_filtered_sidebars_audio_link_keeps_its_filters(client, events):
    """The live audio box of a searched sidebar led to the Webinars section, its search
    dropped, while the boxes beside it kept theirs: it leads to the list of live audio shows
    with the widget's filters; unfiltered, to the Webinars section still."""
    assert more_links(client, "?q=radio")["audio"] == (
        "All upcoming live audio shows matching “radio”",
        "http://localhost/events/?kind=audio&q=radio",
    )
    assert more_links(client)["audio"] == (
        "All webinars and live audio",
        "http://localhost/webinars/",
    )


def test_a_searched_sidebars_archive_link_names_the_search(client, events):
    """It said "The whole webinar archive" and led to the archive searched: it says what."""
    assert more_links(client, "?q=past")["recordings"] == (
        "All past sessions matching “past”",
        "http://localhost/webinars/archive?q=past",
    )
    assert more_links(client)["recordings"][0] == "The whole webinar archive"


def test_a_sidebars_archive_link_lists_what_its_box_lists(client, events):
    """The archive box of a 5G sidebar lists 5G recordings; its link led to the archive
    searched only, every topic's sessions under "All past sessions matching …": it leads to
    the archive narrowed by the category too (and by a place), named as that page names it."""
    assert more_links(client, "?q=past&category=5g")["recordings"] == (
        "All past sessions on 5G matching “past”",
        "http://localhost/webinars/archive?category=5g&q=past",
    )
    label, url = more_links(client, "?category=5g")["recordings"]
    assert label == "All past sessions on 5G"
    assert client.get(url).status_code == 200


def test_a_series_dates_links_are_told_apart_by_their_date(app, client, create_series):
    """Two dates of one show share its title: the data gives each its date, and the frame and
    the list pages write it into the link's words for screen readers (hidden on screen)."""
    app.config["NOW"] = NOW
    create_series(title="Morning Show", kind="audio", start=datetime(2026, 6, 16, 9, 0), count=3)
    audio = client.get("/embed/list.json?kind=audio").get_json()["sections"][0]["events"]
    assert [e["series_date"] for e in audio] == ["Jun 16, 2026", "Jun 23, 2026", "Jun 30, 2026"]
    frame = client.get("/embed/list?kind=audio").get_data(as_text=True)
    assert 'Morning Show<span class="ew-hidden">, Jun 23, 2026</span></a>' in frame
    for url in ("/events/?kind=audio", "/calendar/2026/06"):
        page = client.get(url).get_data(as_text=True)
        assert 'Morning Show<span class="visually-hidden">, Jun 23, 2026</span></a>' in page, url


def test_a_searched_list_shows_the_next_matches_soonest_first(app, client, create_event):
    """A list widget with `q` shows what comes next, as the sidebar and the month do: not the
    best matches months ahead first, and each date of a series, not the series once."""
    app.config["NOW"] = NOW
    create_event(title="Spectrum Auction Webinar", start=NOW + timedelta(days=90))
    create_event(
        title="Policy Briefing", summary="On the spectrum auction.", start=NOW + timedelta(days=2)
    )
    create_event(title="Spectrum Weekly", start=NOW + timedelta(days=5))
    create_event(title="Spectrum Weekly", start=NOW + timedelta(days=12))
    data = client.get("/embed/list.json?q=spectrum&count=3").get_json()["sections"][0]
    titles = [e["title"] for e in data["events"]]
    assert titles == ["Policy Briefing", "Spectrum Weekly", "Spectrum Weekly"]
    assert data["more"]["url"] == "http://localhost/events/?q=spectrum&sort=date"
    frame = client.get("/embed/list?q=spectrum&count=1").get_data(as_text=True)
    assert "Policy Briefing" in frame and "Spectrum Auction Webinar" not in frame


def test_a_place_known_only_from_a_draft_stays_unannounced(app, client, create_event, create_venue):
    """The console note for a place matching nothing reads public events' venues only, as
    /api/v1/venues does: a venue entered for a draft is not confirmed by the note's absence."""
    app.config["NOW"] = NOW
    secret = create_venue(name="Unannounced Hall", city="Reykjavik", country="Iceland")
    create_event(title="Secret Summit", kind="live", venue=secret, status="draft")
    public = create_venue(name="Old Hall", city="Oslo", country="Norway", timezone="Europe/Oslo")
    create_event(title="Past Summit", kind="live", venue=public, start=NOW - timedelta(days=30))
    for place in ("reykjavik", "Iceland", "Atlantis"):
        notes = client.get(f"/embed/list.json?place={place}").get_json()["notes"]
        assert notes == [f'place="{place}": no venue is in a city or country of that name']
        assert "data-notes" in client.get(f"/embed/sidebar?place={place}").text
    assert client.get("/embed/list.json?place=OSLO").get_json()["notes"] == []  # past: known
    assert "reykjavik" not in client.get("/api/v1/venues").text.lower()


def test_a_frames_link_colour_hard_to_read_is_said_in_its_console(client, events):
    """As embed.js warns of the element's, a frame's accent below 4.5:1 on its background is
    a note that frame.js writes to the console; a readable one, or the default, is none."""
    frame = client.get("/embed/list?theme=light&accent=ffd479").text
    notes = re.search(r"data-notes='([^']*)'", frame)
    assert notes and 'accent=\\"ffd479\\": Links in this colour are hard to read' in notes[1]
    assert "1.4:1 on the light background" in notes[1]
    assert "hard to read" in client.get("/embed/month?accent=ffd479").text  # auto: light
    for query in ("?theme=dark&accent=ffd479", "?theme=light&accent=0b5cad", "?theme=dark"):
        assert "data-notes" not in client.get(f"/embed/sidebar{query}").text, query
