"""With CSRF protection on (as in production), every staff page hands out working tokens."""

import re

import pytest
from conftest import STAFF_PASSWORD
from sqlalchemy import select
from test_staff_events import FORM

from events_app import create_app
from events_app.extensions import db
from events_app.models import Event

TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


@pytest.fixture
def csrf_client(app, admin, create_event):
    config = {k: v for k, v in app.config.items() if k.isupper()}
    csrf_app = create_app({**config, "WTF_CSRF_ENABLED": True})
    client = csrf_app.test_client()
    yield client
    with csrf_app.app_context():
        db.engine.dispose()


def token_on(client, url):
    page = client.get(url)
    assert page.status_code == 200, url
    found = TOKEN.findall(page.get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found[-1]


def test_forms_and_buttons_carry_tokens(csrf_client, app_ctx, create_event):
    client = csrf_client
    login = {"email": "admin@example.com", "password": STAFF_PASSWORD}
    token = token_on(client, "/staff/login")
    assert client.post("/staff/login", data={**login, "csrf_token": token}).status_code == 302

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
