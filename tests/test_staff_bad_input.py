"""Bad input anywhere in the staff area gets a 4xx or a form message, never a 500."""

import re

import pytest
from test_properties import _APP, parse_form, signed_in, world  # noqa: F401 (a fixture)
from test_staff_events import FORM, edit_page_fields

from events_app.extensions import db

HUGE = "9" * 30


@pytest.fixture
def logged_in(client, auth, admin):
    auth.login("admin@example.com")
    return client


@pytest.mark.parametrize(
    "url",
    [
        f"/staff/events/{HUGE}/edit",
        f"/staff/events/{HUGE}/preview",
        f"/staff/venues/{HUGE}/edit",
        f"/staff/categories/{HUGE}/edit",
        f"/staff/users/{HUGE}/edit",
        f"/staff/users/{HUGE}/password",
        "/staff/events/0/edit",
    ],
)
def test_huge_or_unknown_ids_are_404(logged_in, url):
    assert logged_in.get(url).status_code == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"venue": HUGE},
        {"venue": "abc"},
        {
            "start_date": "2026-11-01",
            "end_date": "2026-11-01",
            "start_time": "01:30",
            "end_time": "03:00",
            "start_fold": "x" * 1000,
        },  # fmt: skip
        {"categories": HUGE},
        {"start_time": "25:00"},
        {"start_date": "2026-02-30"},
        {"description": "x" * 20_001},
        {"kind": ""},
        {"all_day": "y", "start_date": "", "end_date": ""},
        {"timezone": "../../etc/passwd"},
        {"timezone": "x" * 5000},
        {"new_venue-name": "x" * 5000, "venue": "new", "kind": "live"},
        {"speakers": "x | y | z\n" * 51},
    ],
)
def test_garbage_in_the_event_form(logged_in, changes):
    response = logged_in.post("/staff/events/new", data={**FORM, **changes})
    assert response.status_code == 400


def test_a_lost_version_comes_back_with_what_was_typed(logged_in, create_event, app_ctx):
    """No version (or not a number) and no readable original: nothing tells whether a colleague
    saved meanwhile, so the form comes back (409) as typed, the message by Save (it was a plain
    400 page, the typing lost); sent again as it came back, it saves."""
    event = create_event()
    url = f"/staff/events/{event.id}/edit"
    data = {**FORM, "slug": event.slug, "title": "Typed Over Title"}
    for sent in (
        {**data, "version": "abc"},
        data,  # no version field at all
        {**data, "version": "1e3", "original": "[not json"},
        {**data, "version": "\u0661", "original": "{}"},
    ):
        response = logged_in.post(url, data=sent)
        assert response.status_code == 409, sent
        html = response.get_data(as_text=True)
        said = html.split('id="save-error">', 1)[1].split("</p>")[0]
        assert "could not be checked" in said and "is still in the form" in said
        # No field is marked: the summary above the form does not send staff looking for one.
        assert "<p>Nothing has been saved yet.</p>" in html and "fields marked" not in html
        assert 'href="#save"' in html  # the summary above the form leads to it
        assert 'value="Typed Over Title"' in html
    again = {name: html.split(f'name="{name}" type="hidden" value="')[1].split('"')[0]
             for name in ("version", "original")}  # fmt: skip
    again["original"] = again["original"].replace("&#34;", '"').replace("&amp;", "&")
    assert logged_in.post(url, data={**data, **again}).status_code == 302
    db.session.refresh(event)
    assert event.title == "Typed Over Title"


def test_a_lost_version_with_its_original_is_checked_by_the_merge(logged_in, create_event):
    event = create_event()
    url = f"/staff/events/{event.id}/edit"
    fields = edit_page_fields(logged_in, event.id)
    data = {**FORM, "slug": event.slug, **fields}
    assert logged_in.post(url, data={**data, "version": "abc"}).status_code == 302  # unchanged
    response = logged_in.post(url, data={**data, "version": "abc", "title": "Mine"})
    assert response.status_code == 409  # the first save changed the title it started from
    response = logged_in.post(url, data={**data, "version": "0", "original": "[not json"})
    assert response.status_code == 409


@pytest.mark.parametrize(
    "path, typed",
    [
        ("/staff/venues/{venue}/edit", {"name": "Typed Hall", "city": "Denver",
                                        "country": "US", "timezone": "America/Denver"}),
        ("/staff/categories/{category}/edit", {"name": "Typed Topic", "slug": "typed-topic"}),
        ("/staff/users/{user}/edit", {"display_name": "Typed Name", "role": "editor",
                                      "active": "y"}),
    ],
)  # fmt: skip
def test_an_edit_form_that_lost_its_original_comes_back_with_what_was_typed(
    logged_in, create_venue, create_category, editor, path, typed
):
    """Its original unreadable, a colleague's save could not be told: the form comes back
    (409), the message by its button (it saved over whatever a colleague had saved)."""
    url = path.format(venue=create_venue().id, category=create_category().id, user=editor.id)
    for original in ("[not json", "{}", '"a string"'):
        response = logged_in.post(url, data={**typed, "original": original})
        assert response.status_code == 409, (url, original)
        html = response.get_data(as_text=True)
        said = html.split('id="submit-error">', 1)[1].split("</p>")[0]
        assert "could not be checked" in said
        # Said under the form, and in the summary above it: where the typing is, not "below".
        assert "what you typed is still in the form" in said and "below" not in said
        assert "<p>Nothing has been saved yet.</p>" in html and "fields marked" not in html
        assert f'value="{next(iter(typed.values()))}"' in html
    given = html.split('name="original" type="hidden" value="')[1].split('"')[0]
    given = given.replace("&#34;", '"').replace("&amp;", "&")
    assert logged_in.post(url, data={**typed, "original": given}).status_code == 302


# Addresses urllib cannot read (it raises instead of answering): a bracket left open, a
# port out of range, a character NFKC turns into a URL delimiter.
UNREADABLE_URLS = [
    "http://[::1",
    "http://a]b",
    "http://example.com:99999",
    "http://ex\uff03ample.com",
]
LINK_FIELDS = ["online_url", "registration_url", "recording_url", "slides_url", "image_url"]


@pytest.mark.parametrize("url", UNREADABLE_URLS)
@pytest.mark.parametrize("name", LINK_FIELDS)
def test_link_fields_refuse_addresses_no_parser_can_read(logged_in, name, url):
    response = logged_in.post("/staff/events/new", data={**FORM, name: url})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{name}-error"' in html and "http:// or https://" in html
    assert 'value="Optical Networks Outlook"' in html  # what was typed is kept


@pytest.mark.parametrize("url", UNREADABLE_URLS)
def test_venue_website_refuses_addresses_no_parser_can_read(logged_in, url):
    venue = {"name": "Javits Center", "city": "New York", "country": "US"}
    response = logged_in.post(
        "/staff/venues/new", data={**venue, "timezone": "America/New_York", "website": url}
    )
    assert response.status_code == 400
    assert "http:// or https://" in response.get_data(as_text=True)


def test_deeply_nested_markdown_is_saved_and_shown(logged_in, app_ctx):
    nested = "1. " * 1000  # Python-Markdown overflowed the stack on this (a 500)
    assert logged_in.post("/staff/preview-markdown", data={"text": nested}).status_code == 200
    response = logged_in.post("/staff/events/new", data={**FORM, "description": nested})
    assert response.status_code == 302
    assert logged_in.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/staff/events/new",
        "/staff/venues/new",
        "/staff/venues/{venue}/edit",
        "/staff/categories/new",
        "/staff/categories/{category}/edit",
        "/staff/users/new",
        "/staff/users/{user}/password",
        "/staff/account/password",
        "/staff/import/",
    ],
)
def test_every_refused_staff_form_lists_its_errors_linked_to_their_fields(
    logged_in, create_venue, create_category, editor, path
):
    """Above the form: what is wrong, each a link to a field of the page (site.js starts the
    focus there)."""
    url = path.format(venue=create_venue().id, category=create_category().id, user=editor.id)
    sent = {"name": "", "slug": "", "email": "", "new_password": "x", "confirm": "y"}
    html = logged_in.post(url, data=sent).get_data(as_text=True)
    assert 'id="form-errors"' in html, url
    summary = html.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets, url
    for target in targets:
        assert f'id="{target}"' in html, (url, target)


def test_a_refused_sign_in_lists_its_error_and_does_not_take_the_focus_back(client):
    html = client.post("/staff/login", data={"email": "x@example.com", "password": "no"}).text
    assert 'id="form-errors"' in html and 'href="#password"' in html
    assert "autofocus" not in html
    assert "autofocus" in client.get("/staff/login").text


# A staged import's preview (/staff/import/<token>) takes no typed text: only which to import.
NO_TYPED_TEXT = {"staff_import.preview"}
FORM_PAGES = [
    rule
    for rule in sorted(_APP.url_map.iter_rules(), key=lambda r: r.rule)
    if rule.endpoint not in NO_TYPED_TEXT
    and (
        {"GET", "POST"} <= rule.methods
        or any(
            other.rule == rule.rule and "POST" in other.methods
            for other in _APP.url_map.iter_rules()
            if "GET" in rule.methods and other is not rule
        )
    )
]


@pytest.mark.parametrize("rule", FORM_PAGES, ids=lambda r: r.rule)
def test_a_nul_typed_in_a_form_page_is_said_beside_its_field(client, world, rule):  # noqa: F811
    """Every address that shows a form and takes it back (walked from the URL map): a NUL
    in what was typed comes back beside the field, the text kept (it was a plain 400 page)."""
    ids, session_id = world
    path = rule.rule
    for name, value in ids.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
    if rule.endpoint != "auth.login":
        signed_in(client, session_id)
    page = client.get(path)
    assert page.status_code == 200 and 'method="post"' in page.text, path
    form = parse_form(page.text)
    kinds = ("text", "email", "textarea", "password")
    typed = [name for name, kind in form.fields.items() if kind in kinds]
    sent = {name: form.shown.get(name, "") for name in form.fields if name != "csrf_token"}
    sent |= {name: f"Typed\x00{name}" for name in typed}
    response = client.post(path, data=sent)
    assert response.status_code == 400, path
    html = response.get_data(as_text=True)
    shown = parse_form(html).shown
    for name in typed:
        error = html.split(f'id="{name}-error">', 1)[-1].split("</p>", 1)[0]
        # The event form's inline new venue counts (and is checked) only when chosen.
        assert "NUL character" in error or name.startswith("new_venue-"), (path, name)
        if form.fields[name] != "password":  # (an email is shown lower-cased)
            assert shown[name].strip().lower() == f"typed\ufffd{name}".lower(), (path, name)


def test_a_field_refused_with_a_lost_original_still_sends_staff_to_the_fields(
    logged_in, create_venue
):
    venue = create_venue()
    typed = {"name": "", "city": "Denver", "timezone": "America/Denver", "original": "{}"}
    response = logged_in.post(f"/staff/venues/{venue.id}/edit", data=typed)
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 409) and 'href="#name"' in html
    assert "<p>Please correct the fields marked below; nothing has been saved yet.</p>" in html
