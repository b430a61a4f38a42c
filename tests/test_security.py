"""Security headers on every kind of response; request limits answered with clear 4xx pages."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from flask import request, url_for

from events_app.calendar import DigitsConverter
from events_app.security import SECURITY_HEADERS, DatabaseIntConverter

NUMBERS = (DatabaseIntConverter, DigitsConverter)  # the converters of numbers in URLs

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def assert_security_headers(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{name} on {response.request.path}"
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp


def argument_free_get_paths(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    )


def test_headers_on_every_argument_free_page_and_feed(app, client, create_event):
    create_event(title="Headers check")
    paths = argument_free_get_paths(app)
    assert "/" in paths and "/healthz" in paths
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        assert_security_headers(response)


@pytest.mark.parametrize(
    "host", ["a" * 64 + ".example.com", "events." + "b" * 70, "x" * 64 + ":8080"]
)
def test_a_host_header_that_cannot_be_routed_is_a_400_everywhere(app, client, auth, editor, host):
    """Werkzeug cannot bind such a host (IDNA refuses a label over 63 characters): every page,
    error pages included, used to fail on url_for with a 500."""
    auth.login()
    posts = [r.rule for r in app.url_map.iter_rules() if "POST" in r.methods and not r.arguments]
    paths = [*argument_free_get_paths(app), "/no/such/page", "/static/site.css"]
    assert posts and "/" in paths
    for method, path in [*(("GET", p) for p in paths), *(("POST", p) for p in posts)]:
        response = client.open(path, method=method, headers={"Host": host})
        assert response.status_code == 400, (method, path)
        assert b"not a valid host name" in response.data
    assert client.get("/", headers={"Host": "events.example.com"}).status_code == 200


def test_headers_on_static_files(client):
    for name in ("site.css", "site.js"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        assert_security_headers(response)
        response.close()


def test_headers_on_error_pages(client):
    for path, status in (("/no-such-page", 404), ("/static/nope.css", 404)):
        response = client.get(path)
        assert response.status_code == status
        assert_security_headers(response)
    response = client.post("/")
    assert response.status_code == 405
    assert_security_headers(response)


def test_staff_pages_are_never_cached(client):
    response = client.get("/staff/")
    assert response.headers["Cache-Control"] == "no-store"
    assert_security_headers(response)


def test_overlong_query_string_gets_414_page(client):
    response = client.get("/?q=" + "x" * 5000)
    assert response.status_code == 414
    assert b"too long" in response.data
    assert_security_headers(response)
    assert client.get("/?q=" + "x" * 1000).status_code < 500


@pytest.fixture
def form_app(app):
    @app.post("/_form")
    def form():
        return {"fields": len(request.form)}

    return app


def test_request_body_over_two_megabytes_gets_413_page(form_app):
    client = form_app.test_client()
    response = client.post("/_form", data={"body": "x" * (2 * 1024 * 1024 + 10)})
    assert response.status_code == 413
    assert b"413" in response.data
    assert_security_headers(response)
    assert client.post("/_form", data={"body": "x" * 1000}).json == {"fields": 1}


def test_upload_over_two_megabytes_gets_413(form_app):
    # The multipart body is built by hand: the test client's own encoder spools it to a temp file.
    boundary = "----upload-limit"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.ics"\r\n'
            "Content-Type: text/calendar\r\n\r\n"
        ).encode()
        + b"X" * (2 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = form_app.test_client().post(
        "/_form", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413
    assert_security_headers(response)


def test_pages_need_nothing_the_csp_blocks(app, client, runner, editor, auth):
    """No inline scripts, event-handler attributes or style attributes on any page type."""
    from sqlalchemy import select

    from events_app.extensions import db
    from events_app.models import Category, Event
    from tests.html_checks import inspect_html

    assert "Loaded" in runner.invoke(args=["seed-demo"]).output
    with app.app_context():
        event = db.session.scalars(select(Event).where(Event.status == "published")).first()
        category = db.session.scalars(select(Category)).first()
        paths = [
            "/",
            "/events/",
            f"/events/{event.slug}",
            f"/categories/{category.slug}",
            "/calendar/",
            "/webinars/",
            "/webinars/archive",
            "/no-such-page",
            "/staff/login",
        ]
        staff_paths = ["/staff/", "/staff/events/new", f"/staff/events/{event.id}/edit"]
    for path in paths + ["login"] + staff_paths:
        if path == "login":
            auth.login()
            continue
        response = client.get(path)
        assert response.status_code in (200, 404), path
        page = inspect_html(response.get_data(as_text=True))
        assert not page.problems, (path, page.problems)
        assert not page.style_attributes, (path, page.style_attributes)


def test_huge_ids_in_urls_are_404_not_overflow(client, auth, editor):
    auth.login()
    for path in ("/staff/events/9223372036854775808/edit", "/calendar/99999999999/01"):
        assert client.get(path).status_code == 404


def test_a_number_in_a_url_has_one_spelling(
    app, client, auth, admin, create_event, create_venue, create_category
):
    """A leading zero or non-ASCII digits are a 404, not the page again under another address
    (and another cache entry); walks every GET route whose arguments are all numbers."""
    ids = {
        "event_id": create_event(title="Numbered").id,
        "venue_id": create_venue().id,
        "category_id": create_category().id,
        "user_id": admin.id,
        "year": 2026,
        "month": 3,
        "part": 1,
    }
    auth.login(admin.email)
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.arguments
        and all(isinstance(rule._converters[a], NUMBERS) for a in rule.arguments)
    ]
    assert {r.endpoint for r in rules} >= {"calendar.month", "staff.edit_event"}
    for rule in rules:
        values = {a: ids[a] for a in rule.arguments}
        with app.test_request_context():
            good = url_for(rule.endpoint, **values)
        assert client.get(good).status_code == 200, good
        for name in rule.arguments:
            spelled = rule._converters[name].to_url(values[name])
            for odd in ("0" + spelled, spelled.translate(ARABIC_INDIC)):
                path = re.sub(rf"(?<=[/-]){spelled}(?=[/.]|$)", odd, good, count=1)
                assert path != good
                assert client.get(path).status_code == 404, path


def test_overlong_form_fields_get_a_form_message_not_a_500(client, auth, editor):
    auth.login()
    response = client.post("/staff/events/new", data={"title": "T" * 5000, "kind": "webinar"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "200" in page  # the title's limit, stated beside the field
    assert "T" * 5000 in page  # and what the editor typed is kept


def test_headers_on_feeds_and_event_downloads(client, create_event):
    event = create_event(title="Feed headers")
    for path in ("/feeds/all.ics", "/feeds/webinars.ics", f"/events/{event.slug}.ics"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "text/calendar"
        assert_security_headers(response)
        assert response.get_data().startswith(b"BEGIN:VCALENDAR")
        response.close()
        again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
        assert_security_headers(again)
        again.close()


def test_nul_in_any_form_field_is_a_400(client, auth, editor):
    auth.login()
    response = client.post("/staff/categories/new", data={"name": "Fine", "slug": "\x00"})
    assert response.status_code == 400
    assert b"NUL" in response.data


def test_feeds_are_cacheable_by_shared_caches_even_for_staff(
    app, client, auth, editor, create_event
):
    from conftest import NOW

    app.config["NOW"] = NOW
    create_event(title="Public webinar")
    for logged_in in (False, True):
        if logged_in:
            auth.login()
        response = client.get("/feeds/all.ics")
        assert response.status_code == 200
        assert b"Public webinar" in response.get_data()
        assert "public" in response.headers["Cache-Control"]
        assert "Cookie" not in response.headers.get("Vary", "")
        assert "Set-Cookie" not in response.headers
    # Pages that do use the session still say so.
    assert "Cookie" in client.get("/staff/").headers.get("Vary", "")


def test_static_files_are_linked_by_content_and_kept_a_year(client):
    """Pages link our files with their hash: that address is kept a year; any other (none, an
    old hash) is asked again every time, so no page is shown with an old stylesheet."""
    page = client.get("/").text
    linked = re.search(r'href="(/static/site\.css\?v=([0-9a-f]{12}))"', page)
    assert linked, "site.css is linked by its content"
    digest = hashlib.sha256((Path(client.application.static_folder) / "site.css").read_bytes())
    assert linked[2] == digest.hexdigest()[:12]
    with client.get(linked[1]) as kept:
        assert kept.status_code == 200
        assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for other in ("/static/site.css", "/static/site.css?v=000000000000"):
        with client.get(other) as sent:
            assert sent.headers["Cache-Control"] == "no-cache", other
    with client.get("/static/../events_app/assets.py?v=x") as outside:
        assert outside.status_code == 404
    # A NUL in a file's name is a 404 (it was a 500), and names of no file are not kept.
    from events_app import assets

    kept_before = len(assets._known)
    for odd in ("/static/%00", "/static/site.css%00.css", "/static/no-such-1.css"):
        with client.get(odd) as missing:
            assert missing.status_code == 404, odd
            assert 'rel="canonical"' not in missing.text, odd
    assert len(assets._known) == kept_before
