"""With CSRF protection on (as in production): every staff page hands out working tokens, and
every rule of the app that changes things refuses a request without one."""

import io
import re

import pytest
from conftest import STAFF_PASSWORD
from sqlalchemy import select
from test_staff_events import FORM

from events_app.extensions import db
from events_app.models import Base, Event, LoginAttempt

TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MISSING = "The CSRF token is missing."

UPLOAD = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
    b"UID:csrf-webinar@example.org\r\nSUMMARY:Imported Webinar\r\n"
    b"DTSTART;TZID=America/New_York:20260701T140000\r\n"
    b"DTEND;TZID=America/New_York:20260701T150000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def token_on(client, url):
    page = client.get(url)
    assert page.status_code == 200, url
    found = TOKEN.findall(page.get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found[-1]


def sign_in(client, email="admin@example.com"):
    token = token_on(client, "/staff/login")
    data = {"email": email, "password": STAFF_PASSWORD, "csrf_token": token}
    assert client.post("/staff/login", data=data).status_code == 302
    assert client.get("/staff/").status_code == 200


def test_forms_and_buttons_carry_tokens(csrf_client, app_ctx, create_event):
    client = csrf_client
    sign_in(client)

    assert client.post("/staff/events/new", data=FORM).status_code == 400  # no token
    token = token_on(client, "/staff/events/new")
    assert client.post("/staff/events/new", data={**FORM, "csrf_token": token}).status_code == 302
    event = db.session.scalar(select(Event).where(Event.slug == "optical-networks-outlook"))

    # A quick action, with the token the dashboard's buttons carry.
    data = {"status": "cancelled"}
    assert client.post(f"/staff/events/{event.id}/status", data=data).status_code == 400
    token = token_on(client, "/staff/")
    data["csrf_token"] = token
    assert client.post(f"/staff/events/{event.id}/status", data=data).status_code == 302
    db.session.refresh(event)
    assert event.status == "cancelled"

    for url in ("/staff/venues/new", "/staff/categories/new", "/staff/users/new",
                "/staff/account/password"):  # fmt: skip
        token_on(client, url)
    token = token_on(client, "/staff/")
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302


# --- every rule that changes things -----------------------------------------------------------


def unsafe_rules(app):
    """(rule, method) for every rule accepting POST, PUT, PATCH or DELETE; logout last, since
    a logout that went through would end the session the others run in."""
    found = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods & UNSAFE_METHODS)
    ]
    return sorted(found, key=lambda rm: (rm[0].endpoint == "auth.logout", rm[0].rule, rm[1]))


def table_rows(app):
    """Every row of every table, for comparing before and after."""
    with app.app_context():
        rows = {
            table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
        }
        db.session.close()
    return rows


def body_without_token():
    """A form that would do something on any of the rules if its token were not checked."""
    return {
        **FORM,
        "status": "cancelled",
        "name": "Renamed",
        "slug": "renamed",
        "email": "admin@example.com",
        "password": STAFF_PASSWORD,
        "current_password": STAFF_PASSWORD,
        "new_password": "a brand new password",
        "confirm": "a brand new password",
        "display_name": "Renamed",
        "role": "editor",
        "text": "**preview**",
        "publish": "y",
        "file": (io.BytesIO(UPLOAD), "events.ics"),
    }


@pytest.fixture
def rows_to_point_at(csrf_app, csrf_client, create_event, create_venue, create_category,
                     create_user):  # fmt: skip
    """Real rows for every URL argument, none of them in use elsewhere (so that a delete that
    slipped through would go ahead), and an upload waiting under a real import token."""
    used_venue = create_venue(name="Used Hall")
    event = create_event(kind="live", venue=used_venue, status="published")
    spare_venue = create_venue(name="Spare Hall")
    category = create_category("Optical")
    other = create_user("other@example.com", STAFF_PASSWORD)
    sign_in(csrf_client)
    token = token_on(csrf_client, "/staff/import/")
    upload = csrf_client.post(
        "/staff/import/",
        data={"file": (io.BytesIO(UPLOAD), "events.ics"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302, upload.get_data(as_text=True)
    import_token = upload.headers["Location"].rsplit("/", 1)[1]
    assert csrf_client.get(f"/staff/import/{import_token}").status_code == 200
    return {
        "event_id": event.id,
        "venue_id": spare_venue.id,
        "category_id": category.id,
        "user_id": other.id,
        "token": import_token,
    }


def test_every_unsafe_rule_refuses_a_request_without_token(csrf_app, csrf_client, rows_to_point_at):
    rules = unsafe_rules(csrf_app)
    assert len(rules) >= 15  # the walk sees the staff area, not an empty map
    before = table_rows(csrf_app)
    refused = []
    for rule, method in rules:
        missing = set(rule.arguments) - set(rows_to_point_at)
        assert not missing, f"{rule.rule}: add a real row for {missing} to rows_to_point_at"
        url = rule.build({a: rows_to_point_at[a] for a in rule.arguments})[1]
        response = csrf_client.open(
            url, method=method, data=body_without_token(), content_type="multipart/form-data"
        )
        where = f"{method} {url} ({rule.endpoint})"
        assert response.status_code == 400, f"{where} answered {response.status_code}"
        assert MISSING in response.get_data(as_text=True), where
        refused.append(rule.endpoint)
        # Still signed in: a refused logout or password change ended nothing.
        assert csrf_client.get("/staff/").status_code == 200, where
    assert table_rows(csrf_app) == before
    assert {"staff.delete_event", "auth.login", "staff_import.confirm"} <= set(refused)


def cut_off(fields: dict[str, str], boundary: str = "cut") -> bytes:
    """A multipart body of ``fields`` whose last part ends halfway: a connection that dropped
    while the form was sent. (Cut in a file's part, werkzeug leaks the part's temporary file
    to the garbage collector: a ResourceWarning.)"""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return "".join(parts).encode()[:-12]


def test_every_unsafe_rule_says_a_cut_off_or_foreign_body_is_one(
    csrf_app, csrf_client, rows_to_point_at
):
    """A form cut off on its way (its token lost with it) is said to be cut off, with what to
    do, not "The CSRF token is missing." (the import page says it beside its file field); a
    body that is no form at all is a 415. Nothing changes."""
    before = table_rows(csrf_app)
    token = token_on(csrf_client, "/staff/")
    fields = {"csrf_token": token, "title": "Typed before the cut"}
    for rule, method in unsafe_rules(csrf_app):
        url = rule.build({a: rows_to_point_at[a] for a in rule.arguments})[1]
        where = f"{method} {url} ({rule.endpoint})"
        response = csrf_client.open(url, method=method, data=cut_off(fields),
                                    content_type="multipart/form-data; boundary=cut")  # fmt: skip
        html = response.get_data(as_text=True)
        assert response.status_code == 400, f"{where} answered {response.status_code}"
        assert "cut off" in html and MISSING not in html, where
        if rule.endpoint == "staff_import.upload_post":
            assert "cut off" in html.split('id="file-error">', 1)[1].split("</p>", 1)[0]
        response = csrf_client.open(url, method=method, data='{"title": "x"}',
                                    content_type="application/json")  # fmt: skip
        assert response.status_code == 415, f"{where} answered {response.status_code}"
        assert csrf_client.get("/staff/").status_code == 200, where
    assert table_rows(csrf_app) == before


def test_login_without_token_is_refused(csrf_app, csrf_client, app_ctx):
    good = {"email": "admin@example.com", "password": STAFF_PASSWORD}
    forged = {**good, "csrf_token": "forged"}

    def refused(data, message):
        response = csrf_client.post("/staff/login", data=data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        following = csrf_client.get("/staff/")
        assert following.status_code == 302
        assert following.headers["Location"].startswith("/staff/login")

    refused(forged, "The CSRF session token is missing.")  # a session that never saw the form
    refused(good, "The CSRF token is missing.")
    token_on(csrf_client, "/staff/login")
    refused(forged, "The CSRF token is invalid.")
    refused(good, "The CSRF token is missing.")
    assert db.session.scalar(select(LoginAttempt.id)) is None  # not even counted as a try
    sign_in(csrf_client)
