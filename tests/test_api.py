"""The public JSON API: what it lists (never drafts), its fields and times, filters, cursor
paging, problem bodies for bad input, HTTP caching and CORS, and the OpenAPI document's schemas
matching real answers."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import jsonschema_rs
import pytest
from dateutil.rrule import rrulestr
from flask import request
from icalendar import vDuration

from events_app.api.openapi import document
from events_app.extensions import db
from events_app.models import FormerSlug
from tests.conftest import NOW

NY = "America/New_York"


@pytest.fixture
def events(app, create_event, create_venue, create_category):
    """A timed hybrid live event, an all-day one, a cancelled and a postponed webinar, a past
    one, and a draft; all at fixed dates around NOW."""
    app.config["NOW"] = NOW
    venue = create_venue(latitude=39.83, longitude=-105.03, website="javascript:alert(1)")
    five_g = create_category("5G")
    made = {
        "timed": create_event(
            title="Awards Dinner",
            slug="awards-dinner",
            kind="live",
            venue=venue,
            start=NOW + timedelta(days=1),  # 2026-06-16 12:00 UTC = 06:00 MDT
            zone="America/Denver",
            online_url="https://stream.example/awards",
            categories=[five_g],
            speakers=(("Ada Lovelace", "CTO", "Engines"),),
        ),
        "all_day": create_event(
            title="Big 5G Event",
            slug="big-5g-event",
            kind="live",
            venue=venue,
            first_day=date(2026, 9, 24),
            last_day=date(2026, 9, 26),
            zone="America/Denver",
            categories=[five_g],
        ),
        "cancelled": create_event(
            title="Cancelled webinar", status="cancelled", start=NOW + timedelta(days=2)
        ),
        "postponed": create_event(
            title="Postponed webinar", status="postponed", start=NOW + timedelta(days=3)
        ),
        "past": create_event(title="Past webinar", start=NOW - timedelta(days=5)),
        "draft": create_event(title="Secret draft", slug="secret-draft", status="draft"),
    }
    return made


def titles(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [e["title"] for e in response.get_json()["data"]]


def test_lists_public_events_soonest_first_never_drafts(client, events):
    assert titles(client.get("/api/v1/events")) == [
        "Awards Dinner",
        "Cancelled webinar",
        "Postponed webinar",
        "Big 5G Event",
    ]
    assert titles(client.get("/api/v1/events?when=past")) == ["Past webinar"]
    assert "Secret draft" not in titles(client.get("/api/v1/events?when=all&limit=100"))
    assert client.get("/api/v1/events/secret-draft").status_code == 404
    assert client.get(f"/api/v1/events/{events['draft'].uid}").status_code == 404


def test_times_carry_offset_and_zone_all_day_events_are_dates(client, events):
    timed = client.get("/api/v1/events/awards-dinner").get_json()["data"]
    assert (timed["start"], timed["end"]) == (
        "2026-06-16T06:00:00-06:00",
        "2026-06-16T07:00:00-06:00",
    )
    assert timed["timezone"] == "America/Denver" and timed["all_day"] is False
    assert timed["when_text"] == "Jun 16, 2026, 6:00 – 7:00 AM MDT"
    all_day = client.get("/api/v1/events/big-5g-event").get_json()["data"]
    assert (all_day["start"], all_day["end"], all_day["all_day"]) == (
        "2026-09-24",
        "2026-09-26",
        True,
    )
    assert all_day["when_text"] == "Sep 24–26, 2026"


def test_every_field_a_calendar_needs(client, events):
    event = events["timed"]
    data = client.get(f"/api/v1/events/{event.uid}").get_json()["data"]  # by UID as by slug
    assert data["uid"] == event.uid and data["slug"] == "awards-dinner"
    assert data["url"] == "http://localhost/events/awards-dinner"
    assert data["ics_url"] == "http://localhost/events/awards-dinner.ics"
    assert data["venue"]["name"] == "Westin Westminster" and data["venue"]["latitude"] == 39.83
    assert data["venue"]["website"] is None  # a stored javascript: link never goes out
    assert data["online"] is True and data["online_url"] == "https://stream.example/awards"
    assert data["categories"] == [{"slug": "5g", "name": "5G"}]
    assert data["speakers"] == [{"name": "Ada Lovelace", "title": "CTO", "company": "Engines"}]
    assert data["series"] is None
    assert data["updated_at"].endswith("Z") and data["sequence"] == event.sequence


def test_cancelled_and_postponed_are_visible_by_status(client, events):
    assert titles(client.get("/api/v1/events?status=cancelled")) == ["Cancelled webinar"]
    assert titles(client.get("/api/v1/events?status=postponed")) == ["Postponed webinar"]
    data = client.get("/api/v1/events/big-5g-event").get_json()["data"]
    assert data["status"] == "published"


def test_filters_are_the_lists(client, events):
    assert titles(client.get("/api/v1/events?kind=live")) == ["Awards Dinner", "Big 5G Event"]
    assert titles(client.get("/api/v1/events?category=5g&q=dinner")) == ["Awards Dinner"]
    assert titles(client.get("/api/v1/events?place=DENVER&from=2026-09-01")) == ["Big 5G Event"]
    assert titles(client.get("/api/v1/events?to=2026-06-16")) == ["Awards Dinner"]
    assert titles(client.get("/api/v1/events?category=nothing-here")) == []


def test_cursor_pages_are_stable_when_events_are_added(client, events, create_event):
    response = client.get("/api/v1/events?limit=2")
    first = response.get_json()
    assert [e["title"] for e in first["data"]] == ["Awards Dinner", "Cancelled webinar"]
    assert first["links"]["next"].startswith("http://localhost/api/v1/events?")
    # The same next page as a Link header, which a page elsewhere may read (CORS).
    assert response.headers["Link"] == f'<{first["links"]["next"]}>; rel="next"'
    exposed = response.headers["Access-Control-Expose-Headers"].replace(" ", "").split(",")
    assert "Link" in exposed and "Last-Modified" not in exposed  # only what is sent
    # An event added before the cursor does not shift the next page.
    create_event(title="Earlier newcomer", start=NOW + timedelta(hours=2))
    second = client.get(f"/api/v1/events?limit=2&cursor={first['next_cursor']}").get_json()
    assert [e["title"] for e in second["data"]] == ["Postponed webinar", "Big 5G Event"]
    assert second["next_cursor"] is None and second["links"]["next"] is None
    last = client.get(f"/api/v1/events?limit=2&cursor={first['next_cursor']}")
    assert "Link" not in last.headers
    # A search with "," or ";" still gives a link that HTTP clients read whole (requests'
    # parser, like most, ends a link at either).
    searched = client.get("/api/v1/events?limit=1&q=webinar,;")
    target = re.fullmatch(r'<([^>]*)>; rel="next"', searched.headers["Link"])[1]
    assert "," not in target and ";" not in target and "cursor=" in target
    followed = client.get(target.removeprefix("http://localhost")).get_json()
    assert (
        followed["data"] and followed["data"][0]["title"] != searched.get_json()["data"][0]["title"]
    )


def test_sorts(client, events):
    assert titles(client.get("/api/v1/events?when=all&sort=-start"))[0] == "Big 5G Event"
    client.application.config["NOW"] = NOW + timedelta(minutes=5)
    events["past"].summary = "Edited"
    db.session.commit()
    assert titles(client.get("/api/v1/events?when=all&sort=-updated"))[0] == "Past webinar"
    page = client.get("/api/v1/events?when=all&sort=-updated&limit=1").get_json()
    rest = client.get(f"/api/v1/events?when=all&sort=-updated&cursor={page['next_cursor']}")
    assert "Past webinar" not in titles(rest) and len(titles(rest)) == 4


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("kind=concert", "kind"),
        ("from=2026-02-30", "from"),
        ("from=2026-07-01&to=2026-06-01", "to"),  # as the list page says it beside "to"
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("when=soon", "when"),
        ("sort=title", "sort"),
        ("status=draft", "status"),
        ("category=Not%20A%20Slug", "category"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=" + "A" * 300, "cursor"),
        ("limt=5", "limt"),
        ("kind=live&kind=webinar", "kind"),  # the second would be dropped silently
        ("q=a&limit=5&q=b", "q"),
    ],
)
def test_bad_parameters_are_400_problems(client, events, query, parameter):
    response = client.get(f"/api/v1/events?{query}")
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and body["title"] == "Bad Request" and body["detail"]
    assert body["parameter"] == parameter
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_cursor_of_another_sort_is_refused(client, events):
    page = client.get("/api/v1/events?limit=1").get_json()
    response = client.get(f"/api/v1/events?sort=-start&cursor={page['next_cursor']}")
    assert response.status_code == 400 and response.get_json()["parameter"] == "cursor"


def test_unknown_things_are_404_problems_never_html(client, events):
    odd = ("/api/v1/events/%00x", "/api/v1/events/a%0Ab", "/api/v1/a%0A/b")
    others = ("/api/v2/events", "/api/nothing", "/api/v1/docs/")
    for path in ("/api/v1/events/no-such-event", "/api/v1/nothing", *odd, *others):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.content_type == "application/problem+json"


def test_the_apis_own_addresses_lead_to_its_docs(client):
    """/api (no slash) was the site's HTML 404 page, /api/ and /api/v1 a 404 problem."""
    for path in ("/api", "/api/", "/api/v1", "/api/v1/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/api/v1/docs", path
    assert client.get("/apis").mimetype == "text/html"  # not the API's


def test_etag_304_cache_control_and_cors(client, events):
    response = client.get("/api/v1/events?kind=live")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    again = client.get(
        "/api/v1/events?kind=live", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    preflight = client.options("/api/v1/events", headers={"Origin": "https://other.example"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Vary" not in response.headers and "Set-Cookie" not in response.headers


def test_repeats_come_from_the_response_cache_until_a_change(app, client, events):
    hits: list[str] = []
    app.before_request(lambda: hits.append(request.path) and None)
    for path in (
        "/api/v1/events",
        "/api/v1/categories",
        "/api/v1/venues",
        "/api/v1/events/big-5g-event",
    ):
        first = client.get(path)
        assert client.get(path).data == first.data
    assert len(hits) == 4, "each repeat was answered before Flask"
    events["all_day"].title = "Bigger 5G Event"
    db.session.commit()
    assert "Bigger 5G Event" in titles(client.get("/api/v1/events"))


def test_venues_are_those_of_public_events(client, events, create_venue, create_event):
    hidden = create_venue(name="Unannounced Hall")
    create_event(title="Draft there", status="draft", venue=hidden, kind="live")
    venues = client.get("/api/v1/venues").get_json()["data"]
    assert [v["name"] for v in venues] == ["Westin Westminster"]
    # Each names its page, which answers (a venue of public events has one).
    assert venues[0]["url"] == "http://localhost/venues/westin-westminster"
    assert client.get(venues[0]["url"]).status_code == 200
    # And its feeds, the addresses its page's subscribe box gives.
    page = client.get(venues[0]["url"]).get_data(as_text=True)
    feeds = venues[0]["feeds"]
    assert feeds == {
        "ics": "http://localhost/feeds/events.ics?venue=westin-westminster",
        "atom": "http://localhost/feeds/events.atom?venue=westin-westminster",
    }
    assert f'value="{feeds["ics"]}"' in page and f'href="{feeds["atom"]}"' in page
    assert "Westin Westminster" in client.get(feeds["atom"]).get_data(as_text=True)
    categories = client.get("/api/v1/categories").get_json()["data"]
    assert categories[0]["feeds"]["atom"] == "http://localhost/feeds/categories/5g.atom"


def _validator(name: str):
    schemas = document("http://localhost/api/v1")
    root = {"components": schemas["components"], "$ref": f"#/components/schemas/{name}"}
    return jsonschema_rs.validator_for(root)


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("/api/v1/events?when=all&limit=100", "EventPage"),
        ("/api/v1/events/awards-dinner", "EventDetail"),
        ("/api/v1/events/big-5g-event", "EventDetail"),
        ("/api/v1/categories", "CategoryList"),
        ("/api/v1/venues", "VenueList"),
        ("/api/v1/events?kind=x", "Problem"),
    ],
)
def test_answers_match_the_documents_schemas(client, events, path, schema):
    body = client.get(path).get_json()
    errors = [str(e) for e in _validator(schema).iter_errors(body)]
    assert not errors, errors


def test_the_document_is_served_and_names_every_parameter_the_view_reads(client, events):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": "http://localhost/api/v1"}]
    names = {p["name"] for p in doc["paths"]["/events"]["get"]["parameters"]}
    assert names == {
        "when",
        "kind",
        "category",
        "place",
        "venue",
        "q",
        "from",
        "to",
        "status",
        "sort",
    } | {
        "limit",
        "cursor",
    }
    assert set(doc["paths"]) == {
        "/events",
        "/events/{key}",
        "/series/{key}",
        "/categories",
        "/venues",
    }
    # Every operation sits under a declared tag (the docs page groups by tag, else "default").
    declared = {t["name"] for t in doc["tags"]}
    used = {tag for path in doc["paths"].values() for op in path.values() for tag in op["tags"]}
    assert used == declared == {"Events", "Categories and venues"}
    json.dumps(doc)  # plain JSON all the way down


def test_the_document_says_how_long_each_problem_is_kept(client, events):
    """A 404 or 410 problem is kept a minute by any cache, others not at all: the document
    said neither, so a client could not tell a cached "gone" from a fresh one."""
    doc = client.get("/api/v1/openapi.json").get_json()
    said = {}
    for path, operations in doc["paths"].items():
        for code, answer in operations["get"]["responses"].items():
            if "application/problem+json" in answer.get("content", {}):
                header = answer["headers"]["Cache-Control"]
                said[path, code] = header["schema"]["const"]
                assert header["description"], (path, code)
    assert {code for _, code in said} == {"400", "404", "410"}
    for (path, code), value in said.items():
        kept = "public, max-age=60" if code in ("404", "410") else "no-store"
        assert value == kept, (path, code)
    assert ("/events/{key}", "410") in said and ("/series/{key}", "410") in said
    # As answered.
    for url, code in (("/api/v1/events/no-such-event", "404"), ("/api/v1/events?x=1", "400")):
        response = client.get(url)
        assert str(response.status_code) == code, url
        assert response.headers["Cache-Control"] == said["/events/{key}", code], url


def test_the_docs_page_loads_only_our_own_assets(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/api-docs.js" in html and "/api/v1/openapi.json" in html
    assert "https://" not in html.replace('href="https://', "")  # no CDN
    with client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200


def test_a_series_date_names_its_series(app, client, create_series):
    app.config["NOW"] = NOW
    start = datetime(2026, 6, 18, 12, 0)
    show = create_series(start=start, zone="America/New_York", weekdays=("TH",),
                         title="The Telecom Hour", slug="telecom-hour")  # fmt: skip
    body = client.get("/api/v1/events/telecom-hour/2026-07-02").get_json()["data"]
    assert body["series"] == {
        "uid": show.uid,
        "slug": "telecom-hour",
        "title": "The Telecom Hour",
        "url": "http://localhost/events/telecom-hour",
        "ics_url": "http://localhost/events/telecom-hour.ics",
        "api_url": "http://localhost/api/v1/series/telecom-hour",
        "repeats": "weekly, Thursdays 12:00 PM EDT",
        "original_start": "2026-07-02T12:00:00",
    }
    listed = client.get("/api/v1/events?limit=3").get_json()["data"]
    assert [e["slug"] for e in listed] == ["telecom-hour/2026-06-18", "telecom-hour/2026-06-25",
                                           "telecom-hour/2026-07-02"]  # fmt: skip
    # One identity: the date's UID is the one its .ics download carries, and finds it again.
    uid = f"{show.uid}/20260702"
    assert body["uid"] == uid and listed[2]["uid"] == uid
    assert f"UID:{uid}\r\n" in client.get("/events/telecom-hour/2026-07-02.ics").text
    assert client.get(f"/api/v1/events/{uid}").get_json()["data"]["slug"] == body["slug"]
    for wrong in (
        f"{show.uid}/20260703",
        f"{show.uid}/2026070",
        f"{show.uid}/20261399",
        f"{show.uid}/99991231",  # the last day there is: no day after it to compare with
        "x/99991231",
        "/20260702",
    ):
        assert client.get(f"/api/v1/events/{wrong}").status_code == 404, wrong


def test_an_all_day_series_dates_original_start_is_a_day(client, create_series):
    """As its feed's RECURRENCE-ID;VALUE=DATE: a day, not midnight of it."""
    create_series(start=datetime(2026, 7, 2), all_day=True, minutes=1440, weekdays=("TH",),
                  slug="field-day")  # fmt: skip
    body = client.get("/api/v1/events/field-day/2026-07-09").get_json()["data"]
    assert body["series"]["original_start"] == "2026-07-09"
    assert body["start"] == "2026-07-09"
    one = client.get("/api/v1/series/field-day").get_json()["data"]["upcoming"][0]
    assert one["series"]["original_start"] == one["start"]


def test_the_document_refuses_unknown_parameters_as_every_api_answer_does(client):
    response = client.get("/api/v1/openapi.json?x=1")
    assert response.status_code == 400 and response.get_json()["parameter"] == "x"


def test_a_series_is_found_by_its_slug_or_uid_with_its_next_dates(app, client, create_series):
    """Each date's `series.api_url` leads to the series as a whole: its rule in words and as
    its .ics writes it, and its next dates as events (the series' slug under /events was a
    bare 404)."""
    from events_app import series

    app.config["NOW"] = NOW
    show = create_series(start=datetime(2026, 6, 18, 12, 0), zone="America/New_York",
                         weekdays=("TH",), count=30, title="The Telecom Hour",
                         slug="telecom-hour")  # fmt: skip
    cancelled = next(o for o in show.occurrences if o.recurrence_id.date() == date(2026, 6, 25))
    series.set_date_status(cancelled, "cancelled")
    db.session.commit()
    by_slug = client.get("/api/v1/series/telecom-hour")
    assert by_slug.status_code == 200
    assert by_slug.headers["Cache-Control"] == "public, max-age=60"
    data = by_slug.get_json()["data"]
    assert client.get(f"/api/v1/series/{show.uid}").get_json()["data"] == data
    assert (data["uid"], data["slug"], data["timezone"]) == (show.uid, "telecom-hour", NY)
    assert data["rrule"] == "FREQ=WEEKLY;BYDAY=TH;COUNT=30"
    assert (data["dtstart"], data["duration"]) == ("2026-06-18T12:00:00", "PT1H")
    assert data["repeats"].startswith("Every Thursday at 12:00 PM")
    assert data["upcoming_total"] == 30  # NOW is Jun 15: every date is to come
    shown = data["upcoming"]
    # Enough to expand the rule: from dtstart, in its zone, it gives the dates' instants.
    first = datetime.fromisoformat(data["dtstart"]).replace(tzinfo=ZoneInfo(NY))
    expanded = list(rrulestr(data["rrule"], dtstart=first))
    assert len(expanded) == 30
    assert [datetime.fromisoformat(e["start"]) for e in shown] == expanded[:20]
    length = vDuration.from_ical(data["duration"])
    assert all(
        datetime.fromisoformat(e["end"]) - datetime.fromisoformat(e["start"]) == length
        for e in shown
    )
    assert len(shown) == 20 and shown[0]["slug"] == "telecom-hour/2026-06-18"
    assert (shown[1]["slug"], shown[1]["status"]) == ("telecom-hour/2026-06-25", "cancelled")
    assert all(e["series"]["uid"] == show.uid for e in shown)
    errors = [str(e) for e in _validator("SeriesDetail").iter_errors(by_slug.get_json())]
    assert not errors, errors
    # Under /events, the series' slug says where the series is.
    problem = client.get("/api/v1/events/telecom-hour")
    assert problem.status_code == 404
    assert "http://localhost/api/v1/series/telecom-hour" in problem.get_json()["detail"]
    # Drafts, single events and made-up keys are not series.
    show.status = "draft"
    db.session.commit()
    create_series(start=datetime(2026, 7, 1), zone=NY, freq="monthly", month_day=1,
                  all_day=True, minutes=2 * 1440, slug="fair", count=3)  # fmt: skip
    fair = client.get("/api/v1/series/fair").get_json()["data"]
    assert (fair["dtstart"], fair["duration"], fair["all_day"]) == ("2026-07-01", "P2D", True)
    for key in ("telecom-hour", show.uid, "telecom-hour/2026-06-18", "nothing", "%0A"):
        response = client.get(f"/api/v1/series/{key}")
        assert response.status_code == 404, key
        assert response.content_type == "application/problem+json"


def test_a_wrong_method_is_a_problem_body_too(client):
    response = client.post("/api/v1/events")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
    assert client.post("/events/").status_code == 405  # pages keep their HTML page
    assert client.post("/events/").mimetype == "text/html"


def test_every_405_says_which_methods_the_address_takes(app, client):
    """HTTP asks a 405 for an Allow header: pages and feeds as much as the API."""
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.arguments:
            methods.setdefault(rule.rule, set()).update(rule.methods)
    for path, allowed in methods.items():
        if "PUT" in allowed:
            continue
        response = client.put(path)
        assert response.status_code == 405, path
        said = set(response.headers.get("Allow", "").replace(" ", "").split(","))
        assert said == allowed, (path, said, allowed)


def test_every_options_answer_is_a_204_naming_the_methods_and_keeping_no_session(app, client):
    """A CORS preflight or an OPTIONS probe gets `204` and `Allow`: no body, no cookie, no
    `Vary: Cookie`, and on staff addresses no "please sign in" left for the next page."""
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.arguments:
            methods.setdefault(rule.rule, set()).update(rule.methods)
    for path, allowed in methods.items():
        response = client.options(path, headers={"Origin": "https://other.example"})
        assert response.status_code == 204, path
        assert response.data == b"" and "Content-Type" not in response.headers, path
        said = set(response.headers["Allow"].replace(" ", "").split(","))
        assert said == allowed, (path, said, allowed)
        assert "Set-Cookie" not in response.headers and "Vary" not in response.headers, path
    login = client.get("/staff/login")
    assert "Please sign in" not in login.get_data(as_text=True)  # no flash kept by a probe


def test_the_document_lists_the_301_from_a_former_slug(client, events, create_series):
    """/series/{key} answers a renamed series' former slug with a 301 (as /events/{key} does a
    renamed event's) that the document did not list; the event's said a split date only."""
    weekly = create_series(start=datetime(2026, 6, 18, 12, 0), slug="weekly")
    db.session.add(FormerSlug(slug="the-weekly", event_id=weekly.id))
    db.session.add(FormerSlug(slug="awards-night", event_id=events["timed"].id))
    db.session.commit()
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, old, new in (
        ("/events/{key}", "awards-night", "awards-dinner"),
        ("/series/{key}", "the-weekly", "weekly"),
    ):
        said = doc["paths"][path]["get"]["responses"]["301"]
        assert "former slug" in said["description"], path
        assert said["headers"]["Location"]["schema"] == {"type": "string", "format": "uri"}
        response = client.get("/api/v1" + path.replace("{key}", old))
        assert response.status_code == 301, path
        assert response.headers["Location"] == "http://localhost/api/v1" + path.replace(
            "{key}", new
        )


def test_an_unknown_parameter_gets_an_answer_the_document_lists(client, events, create_series):
    """Every operation refuses a parameter it does not take with a 400 problem, and says so."""
    create_series(start=datetime(2026, 6, 18, 12, 0), slug="weekly")
    doc = client.get("/api/v1/openapi.json").get_json()
    keys = {"{key}": "awards-dinner"}
    for path, operations in doc["paths"].items():
        url = "/api/v1" + path.replace("{key}", "weekly" if "series" in path else keys["{key}"])
        response = client.get(url + "?x=1")
        assert response.status_code == 400, url
        assert response.content_type == "application/problem+json", url
        assert "400" in operations["get"]["responses"], path


def test_a_description_comes_as_safe_html_beside_its_source(
    app, client, create_event, create_series
):
    """An integrator shows a description as the event page does: rendered and sanitized, not
    the Markdown source, which keeps whatever HTML an editor or an import put in it."""
    app.config["NOW"] = NOW
    text = '**Agenda** <img src=x onerror="alert(1)"><script>alert(2)</script> [join](javascript:x)'
    create_event(title="Described", slug="described", description=text)
    create_series(title="Described show", slug="described-show", start=datetime(2026, 6, 18, 12),
                  count=2, description=text)  # fmt: skip
    event = client.get("/api/v1/events/described").get_json()["data"]
    series = client.get("/api/v1/series/described-show").get_json()["data"]
    page = client.get("/events/described").get_data(as_text=True)
    for data in (event, series, series["upcoming"][0]):
        html = data["description_html"]
        assert data["description"] == text  # the source, as documented
        assert "<strong>Agenda</strong>" in html and html in page
        assert "onerror" not in html and "<script" not in html and 'href="javascript' not in html
