"""A staff form that arrives when its sender is no longer signed in is kept, not lost: sign in
on the page that answers, send it again, and it is saved. Forms from other sites are not."""

import io
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from conftest import STAFF_PASSWORD
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from servers import form_values
from sqlalchemy import select, update
from test_staff_csrf import sign_in, token_on
from test_staff_events import FORM

from events_app.extensions import db
from events_app.models import Event, User, Venue

FROM_US = {"Origin": "http://localhost"}
NEW_EVENT = {**FORM, "title": 'Kept "Across" <Sign-outs>', "description": "Typed for an hour."}
ADMIN = {"email": "admin@example.com", "password": STAFF_PASSWORD}
SIGN_IN_TO_NEW = "/staff/login?next=/staff/events/new"


class HiddenFields(HTMLParser):
    """The hidden inputs of the form posting to `action` (None: a form without an action)."""

    def __init__(self, action: str | None) -> None:
        super().__init__()
        self.action, self.inside, self.found = action, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif tag == "input" and self.inside and attrs.get("type") == "hidden":
            self.found.setdefault(attrs["name"], []).append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_on(response, action: str | None) -> dict[str, str]:
    """The hidden fields of the form posting to `action`, by name (values unescaped)."""
    parser = HiddenFields(action)
    parser.feed(response.get_data(as_text=True))
    assert parser.found, f"no form posting to {action}"
    assert all(len(values) == 1 for values in parser.found.values())
    return {name: values[0] for name, values in parser.found.items()}


def form_values_of(response) -> dict:
    """What a browser sends from the page's main form: the event form where there is one (a
    date's page has "Cancel this date" above it), else the first after the staff menu."""
    page = response.get_data(as_text=True)
    main = page.split('<main id="main"', 1)[1]
    if 'class="event-form"' in main:
        main = main[main.index('class="event-form"') :]
    return form_values(main[: main.index("</form>")])


def signed_out_elsewhere(client, url: str = "/staff/events/new") -> str:
    """Sign in, open the form at `url`, sign out in 'another tab': the form's token."""
    sign_in(client)
    token = token_on(client, url)
    logout = client.post("/staff/logout", data={"csrf_token": token_on(client, "/staff/")})
    assert logout.status_code == 302
    return token


def new_event_after_signing_out(client, headers: dict, url: str = "/staff/events/new"):
    """NEW_EVENT sent to `url` with the token of a form opened before signing out elsewhere."""
    old_token = signed_out_elsewhere(client)
    response = client.post(url, data={**NEW_EVENT, "csrf_token": old_token}, headers=headers)
    return old_token, response


def saved(title: str) -> Event | None:
    db.session.expire_all()  # (SQLite may give a deleted event's id to a new one)
    return db.session.scalar(select(Event).where(Event.title == title))


def test_a_form_sent_after_signing_out_is_kept_and_saved_after_signing_in(csrf_client, app_ctx):
    client = csrf_client
    old_token, refused = new_event_after_signing_out(client, FROM_US)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Your form is kept, nothing was saved yet." in page
    assert saved(NEW_EVENT["title"]) is None
    # The sign-in form carries every field, renamed apart from its own, and lists what was typed.
    carried = form_on(refused, SIGN_IN_TO_NEW)
    assert carried["kept-title"] == NEW_EVENT["title"]
    assert carried["kept-description"] == NEW_EVENT["description"]
    assert "kept-csrf_token" not in carried and old_token not in page
    assert "<dd>Typed for an hour.</dd>" in page
    assert "&lt;Sign-outs&gt;" in page and "<Sign-outs>" not in page

    # A wrong password: the form is still carried.
    wrong = {**carried, "email": ADMIN["email"], "password": "not it"}
    again = client.post(SIGN_IN_TO_NEW, data=wrong, headers=FROM_US)
    assert again.status_code == 200
    assert "do not match" in again.get_data(as_text=True)
    assert {k: v for k, v in form_on(again, SIGN_IN_TO_NEW).items() if k != "csrf_token"} == {
        k: v for k, v in carried.items() if k != "csrf_token"
    }

    signed_in = client.post(SIGN_IN_TO_NEW, data={**wrong, **ADMIN}, headers=FROM_US)
    assert signed_in.status_code == 200
    assert "Send your form again" in signed_in.get_data(as_text=True)
    resend = form_on(signed_in, "/staff/events/new")
    assert resend["title"] == NEW_EVENT["title"] and resend["csrf_token"] != old_token
    assert saved(NEW_EVENT["title"]) is None  # nothing is saved before they say so

    sent = client.post("/staff/events/new", data=resend, headers=FROM_US)
    assert sent.status_code == 302
    event = saved(NEW_EVENT["title"])
    assert event is not None and event.description == NEW_EVENT["description"]
    assert event.summary == NEW_EVENT["summary"] and event.timezone == NEW_EVENT["timezone"]


def test_an_edit_sent_after_a_password_change_elsewhere_is_kept(csrf_client, app_ctx, create_event):
    """A password change ends the account's other sessions (their CSRF secret stays): the edit
    is kept behind the sign-in, and its version field still guards the save."""
    client = csrf_client
    event = create_event(title="Edited While Signed Out")
    url = f"/staff/events/{event.id}/edit"
    sign_in(client)
    fields = form_on(client.get(url), None)
    db.session.execute(update(User).values(session_version=User.session_version + 1))
    db.session.commit()

    data = {**FORM, **fields, "title": "Renamed After A Long Lunch"}
    refused = client.post(url, data=data, headers={"Referer": "http://localhost/staff/"})
    assert refused.status_code == 403  # the token is good; the session's user is not
    carried = form_on(refused, f"/staff/login?next={url}")
    assert carried["kept-version"] == fields["version"]

    signed_in = client.post(f"/staff/login?next={url}", data={**carried, **ADMIN})
    resend = form_on(signed_in, url)
    assert client.post(url, data=resend).status_code == 302
    db.session.refresh(event)
    assert event.title == "Renamed After A Long Lunch"

    # Sent again once more, the same kept form meets the version guard: nothing is overwritten.
    resend["csrf_token"] = token_on(client, "/staff/")
    stale = client.post(url, data={**resend, "title": "A Stale Copy"})
    assert stale.status_code == 409
    db.session.refresh(event)
    assert event.title == "Renamed After A Long Lunch"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://elsewhere.example"},
        {"Referer": "https://elsewhere.example/x"},
        {"Origin": "null"},
        {**FROM_US, "Sec-Fetch-Mode": "cors"},
        {"Origin": "https://localhost"},
        {**FROM_US, "Sec-Fetch-Site": "cross-site"},
        {**FROM_US, "Sec-Fetch-Site": "same-site"},
        {"Origin": "http://localhost:8080"},
    ],
    ids=[
        "no-origin",
        "other-origin",
        "other-referer",
        "opaque-origin",
        "script-request",
        "other-scheme",
        "cross-site",
        "same-site",
        "other-port",
    ],  # fmt: skip
)
def test_a_form_from_elsewhere_is_refused_plainly(csrf_client, app_ctx, headers):
    """A forged request never comes back with a working token; nor does a script's request."""
    _, refused = new_event_after_signing_out(csrf_client, headers)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "The CSRF session token is missing." in page
    assert "kept-" not in page and "Typed for an hour" not in page
    assert saved(NEW_EVENT["title"]) is None


def test_a_bare_button_has_nothing_to_keep(csrf_client, app_ctx, create_event):
    event = create_event(title="Not Deleted")
    old_token = signed_out_elsewhere(csrf_client)
    url = f"/staff/events/{event.id}/delete"
    refused = csrf_client.post(url, data={"csrf_token": old_token}, headers=FROM_US)
    assert refused.status_code == 400
    assert "kept-" not in refused.get_data(as_text=True)
    assert saved("Not Deleted") is not None


def test_a_form_whose_address_cannot_be_sent_to_again_is_not_kept(csrf_client, app_ctx):
    """After signing in the kept form goes back to its address; one the sign-in would refuse
    as `next` (a backslash, 2,000+ characters) gets the plain refusal, promising nothing."""
    _, refused = new_event_after_signing_out(csrf_client, FROM_US, "/staff/events/new?from=a\\b")
    assert refused.status_code == 400 and "kept-" not in refused.get_data(as_text=True)


def test_passwords_are_never_carried(csrf_client, app_ctx):
    token = signed_out_elsewhere(csrf_client, "/staff/users/new")
    secret = "a secret of theirs"
    data = {"email": "new.colleague@example.com", "display_name": "New Colleague", "role": "editor"}
    data.update(password=secret, confirm=secret, csrf_token=token)
    refused = csrf_client.post("/staff/users/new", data=data, headers=FROM_US)
    assert refused.status_code == 400
    assert secret not in refused.get_data(as_text=True)
    carried = form_on(refused, "/staff/login?next=/staff/users/new")
    assert carried["kept-email"] == "new.colleague@example.com"
    assert not {"kept-password", "kept-confirm"} & set(carried)
    # However a form spells them.
    token = signed_out_elsewhere(csrf_client, "/staff/users/new")
    spelled = {
        "Password": "s1",
        "PASSWORD": "s2",
        "Confirm": "s3",
        "passwd": "s4",
        "API_Token": "s5",
    }
    data = {"display_name": "Someone", "csrf_token": token, **spelled}
    page = csrf_client.post("/staff/users/new", data=data, headers=FROM_US).get_data(as_text=True)
    assert "Someone" in page and not [
        v for v in spelled.values() if f'"{v}"' in page or f">{v}<" in page
    ]
    # The colleague's email rides along; the sign-in box is left for the sender's own.
    assert 'value="new.colleague@example.com"' not in refused.get_data(as_text=True).replace(
        'name="kept-email" value="new.colleague@example.com"', ""
    )


def test_a_sign_in_page_left_open_signs_in_after_the_password_again(csrf_client, app_ctx):
    """The sign-in page's own session is gone (cookies cleared, the server's key changed)."""
    token = token_on(csrf_client, "/staff/login")
    csrf_client.delete_cookie("session")
    refused = csrf_client.post("/staff/login", data={**ADMIN, "csrf_token": token}, headers=FROM_US)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "left open from an earlier visit" in page and 'value="admin@example.com"' in page
    fresh = form_on(refused, "/staff/login")
    assert csrf_client.post("/staff/login", data={**ADMIN, **fresh}).status_code == 302
    assert csrf_client.get("/staff/").status_code == 200


def test_a_token_from_yesterday_is_still_good_while_signed_in(csrf_app, csrf_client, app_ctx):
    """Tokens last as long as the sign-in session: a form left open all day is taken."""
    sign_in(csrf_client)
    with csrf_client.session_transaction() as session:
        raw = session["csrf_token"]

    class Yesterday(TimestampSigner):
        def get_timestamp(self) -> int:
            return int((datetime.now() - timedelta(days=1)).timestamp())

    signer = URLSafeTimedSerializer(csrf_app.secret_key, salt="wtf-csrf-token", signer=Yesterday)
    data = {**NEW_EVENT, "csrf_token": signer.dumps(raw)}
    csrf_app.config["WTF_CSRF_TIME_LIMIT"] = 3600  # Flask-WTF's default: an hour
    refused = csrf_client.post("/staff/events/new", data=data)
    assert "The CSRF token has expired." in refused.get_data(as_text=True)
    csrf_app.config["WTF_CSRF_TIME_LIMIT"] = None  # ours (kept_form.init_app)
    assert csrf_client.post("/staff/events/new", data=data).status_code == 302
    assert saved(NEW_EVENT["title"]) is not None


# --- what the form edits was deleted meanwhile --------------------------------------------------


def test_an_edit_of_an_event_deleted_meanwhile_can_be_saved_as_a_new_one(
    csrf_client, app_ctx, create_event
):
    sign_in(csrf_client)
    event = create_event(title="Deleted While Edited")
    url = f"/staff/events/{event.id}/edit"
    fields = form_on(csrf_client.get(url), None)
    delete = {"csrf_token": token_on(csrf_client, "/staff/")}
    assert csrf_client.post(f"/staff/events/{event.id}/delete", data=delete).status_code == 302

    # A button (no typing) on the deleted event is a plain 404.
    status = {"status": "cancelled", "csrf_token": token_on(csrf_client, "/staff/")}
    plain = csrf_client.post(f"/staff/events/{event.id}/status", data=status)
    assert plain.status_code == 404 and "Save as a new" not in plain.get_data(as_text=True)

    data = {**FORM, **fields, "title": "Rescued Webinar", "description": "An hour of typing."}
    refused = csrf_client.post(url, data=data)
    assert refused.status_code == 404
    page = refused.get_data(as_text=True)
    assert "This event was deleted while you edited it" in page
    assert "<dd>An hour of typing.</dd>" in page
    again = form_on(refused, "/staff/events/new")
    assert "version" not in again and "original" not in again
    assert again["description"] == "An hour of typing.", again
    first = csrf_client.post("/staff/events/new", data=again)
    second = csrf_client.post("/staff/events/new", data=again)  # a second click: one event
    assert first.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    rescued = saved("Rescued Webinar")
    assert rescued is not None and rescued.description == "An hour of typing."


def test_an_edit_of_a_date_its_series_dropped_is_kept_as_a_single_event(csrf_client, app_ctx):
    """A colleague moves the series to another weekday while I edit one of its dates."""
    from test_staff_series import SHOW

    sign_in(csrf_client)
    token = token_on(csrf_client, "/staff/events/new")
    assert (
        csrf_client.post("/staff/events/new", data={**SHOW, "csrf_token": token}).status_code == 302
    )
    master = db.session.scalar(select(Event).where(Event.slug == "the-telecom-hour"))
    thursday = min(master.occurrences, key=lambda o: o.start_at).id
    url = f"/staff/events/{thursday}/edit"
    mine = form_values_of(csrf_client.get(url))

    theirs = form_values_of(csrf_client.get(f"/staff/events/{master.id}/edit"))
    theirs.update({"start_date": "2026-06-19", "end_date": "2026-06-19", "repeat-weekdays": ["FR"]})
    assert csrf_client.post(f"/staff/events/{master.id}/edit", data=theirs).status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, thursday) is None  # that Thursday is gone

    mine.update({"title": "A Special Thursday", "description": "Guests and notes for it."})
    refused = csrf_client.post(url, data=mine)
    assert refused.status_code == 404
    assert "a change to its series took this date out" in refused.get_data(as_text=True)
    again = form_on(refused, "/staff/events/new")
    assert not [name for name in again if name.startswith("repeat-")]
    assert csrf_client.post("/staff/events/new", data=again).status_code == 302
    single = saved("A Special Thursday")
    assert single.description == "Guests and notes for it."
    assert single.series_id is None and not single.series_master


def test_an_edit_of_a_venue_deleted_meanwhile_can_be_saved_as_a_new_one(csrf_client, app_ctx):
    sign_in(csrf_client)
    token = token_on(csrf_client, "/staff/venues/new")
    venue = {"name": "Harbour Hall", "city": "Oslo", "country": "NO", "timezone": "Europe/Oslo"}
    assert (
        csrf_client.post("/staff/venues/new", data={**venue, "csrf_token": token}).status_code
        == 302
    )
    hall = db.session.scalar(select(Venue).where(Venue.name == "Harbour Hall"))
    url = f"/staff/venues/{hall.id}/edit"
    mine = form_values_of(csrf_client.get(url))
    delete = {"csrf_token": token_on(csrf_client, "/staff/venues")}
    assert csrf_client.post(f"/staff/venues/{hall.id}/delete", data=delete).status_code == 302

    mine.update({"address": "Kaiveien 1", "postal_code": "0150"})
    refused = csrf_client.post(url, data=mine)
    assert refused.status_code == 404
    assert "This venue was deleted while you edited it" in refused.get_data(as_text=True)
    again = form_on(refused, "/staff/venues/new")
    assert csrf_client.post("/staff/venues/new", data=again).status_code == 302
    db.session.expire_all()
    rescued = db.session.scalar(select(Venue).where(Venue.name == "Harbour Hall"))
    assert (rescued.address, rescued.postal_code) == ("Kaiveien 1", "0150")


def test_a_file_sent_after_signing_out_asks_for_the_sign_in_and_the_file_again(
    csrf_client, app_ctx
):
    """A file cannot ride along a page: the sign-in page says so and leads back to the upload."""
    client = csrf_client
    old_token = signed_out_elsewhere(client, "/staff/import/")
    data = {"csrf_token": old_token, "file": (io.BytesIO(b"BEGIN:VCALENDAR"), "events.ics")}
    refused = client.post("/staff/import/", data=data, headers=FROM_US)
    assert refused.status_code == 400
    assert "You are signed out, so the file was not read" in refused.text
    form_on(refused, "/staff/login?next=/staff/import/")  # the sign-in form, back to the upload
    # Signed in, a token that fails (the server's keys changed): back to the upload, said why.
    sign_in(client)
    data = {"csrf_token": "stale", "file": (io.BytesIO(b"BEGIN:VCALENDAR"), "events.ics")}
    again = client.post("/staff/import/", data=data, headers=FROM_US)
    assert again.status_code == 303 and again.headers["Location"] == "/staff/import/"
    assert "Your page had expired, so the file" in client.get("/staff/import/").text
    # From another site: the plain refusal.
    data = {"csrf_token": "stale", "file": (io.BytesIO(b"BEGIN:VCALENDAR"), "events.ics")}
    elsewhere = client.post("/staff/import/", data=data, headers={"Origin": "https://x.example"})
    assert elsewhere.status_code == 400 and "choose it again" not in elsewhere.text
