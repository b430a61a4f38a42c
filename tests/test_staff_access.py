"""Authorization on every staff URL, found by walking the URL map (so a route added later is
checked too): anonymous visitors are sent to the login page, editors are refused what only
admins may do, and admins are refused nothing."""

import io

import pytest
from conftest import NOW, STAFF_PASSWORD
from flask import Blueprint

from events_app import create_app
from events_app.auth import require_staff
from events_app.extensions import db

UPLOAD = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
    b"UID:access-webinar@example.org\r\nSUMMARY:Imported Webinar\r\n"
    b"DTSTART;TZID=America/New_York:20260701T140000\r\n"
    b"DTEND;TZID=America/New_York:20260701T150000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
# The one staff URL for visitors who are not signed in.
OPEN_ENDPOINTS = {"auth.login"}


def is_staff(rule) -> bool:
    return rule.rule == "/staff" or rule.rule.startswith("/staff/")


def admin_only(rule) -> bool:
    """What the product reserves for admins, by URL: staff accounts, the audit log, the
    export of everything, and deleting events (editors delete venues and categories)."""
    path = rule.rule
    if path.startswith(("/staff/users", "/staff/audit", "/staff/export")):
        return True
    return path.startswith("/staff/events/") and path.endswith("/delete")


def staff_requests(app):
    """(rule, method) for every staff URL: reads first, then changes, then deletes, then logout
    (each of which ends something the ones before it need)."""
    found = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if is_staff(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]

    def order(rm):
        rule, method = rm
        return (rule.endpoint == "auth.logout", rule.rule.endswith("/delete"), method != "GET")

    return sorted(found, key=order)


@pytest.fixture
def rows(app, monkeypatch, tmp_path, create_event, create_venue, create_category, create_user):
    """A real row for every id a staff URL takes; the venue and category are unused, so that
    deleting them goes through."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))  # uploads wait here
    app.config["NOW"] = NOW
    event = create_event(status="draft", venue=create_venue(name="Used Hall"), kind="live")
    return {
        "event_id": event.id,
        "venue_id": create_venue(name="Spare Hall").id,
        "category_id": create_category("Optical").id,
        "user_id": create_user("other@example.com", STAFF_PASSWORD).id,
    }


def sign_in(app, email):
    client = app.test_client()
    response = client.post("/staff/login", data={"email": email, "password": STAFF_PASSWORD})
    assert response.status_code == 302, email
    return client


def upload_token(client) -> str:
    """An import token waiting in `client`'s session, stored through the real upload form."""
    response = client.post(
        "/staff/import/",
        data={"file": (io.BytesIO(UPLOAD), "events.ics")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def url_of(rule, rows) -> str:
    missing = set(rule.arguments) - set(rows)
    assert not missing, f"{rule.rule}: give the test a real value for {missing}"
    return rule.build({name: rows[name] for name in rule.arguments})[1]


def anonymous_problems(app, rows) -> list[str]:
    """Staff URLs that an anonymous visitor is not turned away from."""
    client = app.test_client()
    problems = []
    for rule, method in staff_requests(app):
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        response = client.open(url_of(rule, rows), method=method, data={})
        to_login = response.status_code == 302 and response.headers["Location"].startswith(
            "/staff/login?next="
        )
        if not (to_login or response.status_code in (401, 403)):
            problems.append(f"{method} {rule.rule}: {response.status_code}")
    return problems


def signed_in_problems(app, rows, email: str, role: str) -> list[str]:
    """Staff URLs that answer `role` otherwise than the product says."""
    client = sign_in(app, email)
    rows = {**rows, "token": upload_token(client)}
    problems = []
    for rule, method in staff_requests(app):
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        response = client.open(url_of(rule, rows), method=method, data={})
        status = response.status_code
        where = f"{role} {method} {rule.rule}: {status}"
        to_login = status == 302 and response.headers["Location"].startswith("/staff/login")
        if role == "editor" and admin_only(rule):
            if status != 403:
                problems.append(where + " (admins only: expected 403)")
        elif method == "GET" and status != 200:
            problems.append(where + " (expected 200)")
        elif method != "GET" and status not in (200, 302, 400):  # an empty form: refused or done
            problems.append(where + " (expected 200, 302 or 400)")
        elif to_login and rule.endpoint != "auth.logout":
            problems.append(where + " (sent to the login page)")
    return problems


def test_the_walk_sees_every_kind_of_staff_url(app):
    requests = staff_requests(app)
    endpoints = {rule.endpoint for rule, _ in requests}
    admins = {rule.endpoint for rule, _ in requests if admin_only(rule)}
    assert {"staff.delete_event", "staff_admin.users", "staff_admin.edit_user",
            "staff_admin.reset_password", "staff_admin.audit_log"} <= admins  # fmt: skip
    assert {"staff_admin.delete_venue", "staff_admin.delete_category"}.isdisjoint(admins)
    assert {"staff.dashboard", "staff_import.confirm", "auth.logout"} <= endpoints
    assert {method for _, method in requests} >= {"GET", "POST"}


def test_anonymous_visitors_are_sent_to_login_everywhere(app, rows):
    assert anonymous_problems(app, {**rows, "token": "a" * 32}) == []


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_each_role_gets_what_the_product_says(app, rows, create_user, role):
    email = f"{role}-matrix@example.com"
    create_user(email, STAFF_PASSWORD, role=role)
    assert signed_in_problems(app, rows, email, role) == []


def test_a_new_unprotected_staff_route_is_caught(app, rows, create_user):
    """The checks above walk the URL map: routes they have never heard of fail them."""
    config = {k: v for k, v in app.config.items() if k.isupper()}
    grown = create_app(config)
    grown.instance_path = app.instance_path
    unguarded = Blueprint("unguarded", __name__, url_prefix="/staff")
    unguarded.add_url_rule("/reports", "reports", lambda: "reports for anyone")
    editors_too = Blueprint("editors_too", __name__, url_prefix="/staff")
    editors_too.before_request(require_staff)
    editors_too.add_url_rule("/users/export", "export", lambda: "every account, for editors")
    grown.register_blueprint(unguarded)
    grown.register_blueprint(editors_too)
    create_user("editor@example.com", STAFF_PASSWORD, role="editor")
    try:
        assert anonymous_problems(grown, {**rows, "token": "a" * 32}) == ["GET /staff/reports: 200"]
        problems = signed_in_problems(grown, rows, "editor@example.com", "editor")
        assert problems == ["editor GET /staff/users/export: 200 (admins only: expected 403)"]
    finally:
        with grown.app_context():
            db.engine.dispose()


def test_an_editor_refused_an_admin_page_is_pointed_to_the_dashboard(client, auth, editor):
    auth.login()
    response = client.get("/staff/users")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert '<a href="/staff/">Back to the dashboard</a>' in html and "home page" not in html
    assert "Back to the home page" in client.get("/no/such/page").get_data(as_text=True)
