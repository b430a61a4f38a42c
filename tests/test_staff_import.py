"""Staff .ics import views: upload -> preview -> confirm, and every bad upload answered."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from events_app import audit
from events_app.extensions import db
from events_app.models import AuditEntry, Event
from tests.conftest import NOW
from tests.test_importer import WEBINAR, ics

SECOND = WEBINAR.replace("webinar-1", "webinar-2").replace("5G Core Webinar", "Optical Summit")
BROKEN = "UID:broken@example.org\nSUMMARY:Broken\nDTSTART;TZID=Atlantis/Deep:20260701T100000"


@pytest.fixture
def staff_client(app, client, auth, editor):
    app.config["NOW"] = NOW
    auth.login()
    return client


def upload(client, data: bytes, filename: str = "events.ics"):
    if len(data) < 100_000:
        return client.post(
            "/staff/import/",
            data={"file": (io.BytesIO(data), filename)},
            content_type="multipart/form-data",
        )
    # Built by hand: the test client's encoder spools large bodies to a temp file it leaks.
    boundary = "----import-upload"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: text/calendar\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        "/staff/import/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def field_error(html: str) -> str:
    match = re.search(r'<p class="error" id="file-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def test_anonymous_visitors_get_the_login_page(client):
    for response in (client.get("/staff/import/"), upload(client, ics(WEBINAR))):
        assert response.status_code == 302
        assert "/staff/login" in response.headers["Location"]
    assert client.get("/staff/import/" + "a" * 32).status_code == 302


def test_upload_preview_confirm(app, staff_client, editor):
    page = staff_client.get("/staff/import/")
    assert page.status_code == 200 and b'type="file"' in page.data

    response = upload(staff_client, ics(WEBINAR, SECOND, BROKEN))
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[1]
    stored = Path(app.instance_path) / "imports" / f"{token}.ics"
    assert stored.is_file()

    preview = staff_client.get(preview_url)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "5G Core Webinar" in html and "Optical Summit" in html
    assert "Unknown time zone &#39;Atlantis/Deep&#39;." in html
    assert html.count('class="badge badge-import-new"') == 2
    assert '<details class="import-group" id="import-new" open>' in html
    assert '<details class="import-group" id="import-rejected" open>' in html
    assert "New events (2)" in html and "Rejected (1)" in html
    assert "Jul 1, 2026, 2:00 – 3:00 PM EDT" in html
    assert re.search(
        r'<td data-label="Details"[^>]*>\s*Webinar', html
    )  # as pages say it, not "webinar"
    with app.app_context():
        assert db.session.scalars(select(Event)).all() == []  # nothing written by a preview

    done = staff_client.post(preview_url, data={"publish": "y"})
    assert done.status_code == 302
    assert not stored.exists()
    with app.app_context():
        events = db.session.scalars(select(Event).order_by(Event.title)).all()
        assert [(e.title, e.status) for e in events] == [
            ("5G Core Webinar", "published"),
            ("Optical Summit", "published"),
        ]
        entries = db.session.scalars(select(AuditEntry)).all()
        assert {(e.action, e.user_id) for e in entries} == {("import", editor.id)}
    assert "Import done: 2 created" in staff_client.get("/staff/").get_data(as_text=True)
    # Confirm sent again (a second click, Back and Confirm): said to be done, not applied twice.
    twice = staff_client.post(preview_url, data={"publish": "y"})
    assert twice.status_code == 302 and twice.headers["Location"].endswith("/staff/")
    assert "already done; it was not applied twice" in staff_client.get("/staff/").get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id))) == 2
    assert not stored.exists()

    again = staff_client.get(upload(staff_client, ics(WEBINAR, SECOND)).headers["Location"])
    html = again.get_data(as_text=True)
    assert html.count('class="badge badge-import-unchanged"') == 2
    assert '<details class="import-group" id="import-unchanged">' in html  # folded
    assert "Unchanged (2)" in html and "import-new" not in html
    assert "Nothing to import" in html


def test_drafts_unless_publish_is_ticked(app, staff_client):
    preview_url = upload(staff_client, ics(WEBINAR)).headers["Location"]
    assert staff_client.post(preview_url, data={}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Event.status)) == "draft"


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (b"just some notes", "notes.txt", "Only .ics (iCalendar) files."),
        (b"just some notes", "notes.ics", "not an iCalendar"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "photo.ics", "binary"),
        (b"", "empty.ics", "The file is empty."),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "none.ics", "no events"),
        (b"BEGIN:VCALENDAR\r\n" + b"X:" + b"a" * (1024 * 1024 + 10), "big.ics", "larger than"),
    ],
)
def test_bad_uploads_get_a_message_beside_the_field(staff_client, data, filename, message):
    response = upload(staff_client, data, filename)
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True))


def test_posting_without_a_file_asks_for_one(staff_client):
    response = staff_client.post("/staff/import/", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True)) == "Choose an .ics file to import."


def test_a_form_of_too_many_fields_is_not_called_a_large_file(staff_client):
    fields = {f"f{n}": "x" for n in range(2000)}  # over werkzeug's 1,000 form parts, in 30 kB
    response = staff_client.post("/staff/import/", data=fields, content_type="multipart/form-data")
    assert response.status_code == 413
    message = field_error(response.get_data(as_text=True))
    assert "more fields than this page has" in message and "larger" not in message


def test_upload_over_the_request_limit_gets_a_message_beside_the_field(app, staff_client):
    too_big = b"BEGIN:VCALENDAR\r\n" + b"a" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = upload(staff_client, too_big)
    assert response.status_code == 413
    assert "larger than" in field_error(response.get_data(as_text=True))


def test_a_large_upload_from_someone_not_signed_in_gets_the_sign_in_page(app, client):
    """The size is refused before the sign-in is checked: not the staff page with its menu."""
    too_big = b"BEGIN:VCALENDAR\r\n" + b"a" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = upload(client, too_big)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "You are signed out, so the file was not read" in page and "Sign out" not in page
    assert 'action="/staff/login?next=/staff/import/"' in page


def test_another_session_cannot_see_or_apply_an_upload(app, staff_client, create_user):
    preview_url = upload(staff_client, ics(WEBINAR)).headers["Location"]
    create_user("other@example.com", role="editor")
    other = app.test_client()
    other.post(
        "/staff/login", data={"email": "other@example.com", "password": "correct horse battery"}
    )
    for response in (other.get(preview_url), other.post(preview_url, data={"publish": "y"})):
        assert response.status_code == 302 and response.headers["Location"] == "/staff/import/"
    page = other.get("/staff/import/").get_data(as_text=True)
    assert "upload the file again" in page and "5G Core Webinar" not in page
    assert other.get("/staff/import/../../secret_key").status_code == 404
    malformed = other.get("/staff/import/not-a-token!")
    assert malformed.status_code == 404
    assert "There is no such upload; upload the file again." in malformed.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Event)).all() == []


def test_confirm_plans_again_against_the_database_as_it_is(app, staff_client, create_event):
    preview_url = upload(staff_client, ics(WEBINAR, SECOND)).headers["Location"]
    with app.app_context():
        # Someone creates an event with the second UID between preview and confirm.
        create_event(uid="webinar-2@example.org", title="Optical Summit (old)", slug="taken")
    response = staff_client.post(preview_url, data={"publish": "y"})
    assert response.status_code == 302  # webinar-2 became an update instead of a clash
    with app.app_context():
        titles = sorted(db.session.scalars(select(Event.title)))
        assert titles == ["5G Core Webinar", "Optical Summit"]


def test_confirm_without_csrf_token_is_refused(app, staff_client):
    preview_url = upload(staff_client, ics(WEBINAR)).headers["Location"]
    app.config["WTF_CSRF_ENABLED"] = True
    response = staff_client.post(preview_url, data={"publish": "y"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(Event)).all() == []


def test_staff_navigation_links_to_the_import(staff_client):
    assert 'href="/staff/import/">Import</a>' in staff_client.get("/staff/").text
    html = staff_client.get("/staff/import/").get_data(as_text=True)
    assert 'href="/staff/import/" aria-current="page">Import</a>' in html
    assert "<<<<<<<" not in html and ">>>>>>>" not in html


def test_preview_groups_are_in_date_order(staff_client):
    later = WEBINAR.replace("20260701", "20260901")
    assert later != WEBINAR
    html = staff_client.get(upload(staff_client, ics(later, SECOND)).headers["Location"]).text
    new_group = html.split('id="import-new"', 1)[1].split("</details>", 1)[0]
    # The file lists the September webinar first; the preview puts July first.
    assert new_group.index("Optical Summit") < new_group.index("5G Core Webinar")


FLOATING = (
    "UID:floating@example.org\nSUMMARY:Floating breakfast\nDTSTART:20260701T080000\nDURATION:PT1H"
)


def upload_with_zone(client, data: bytes, zone: str):
    return client.post(
        "/staff/import/",
        data={"file": (io.BytesIO(data), "events.ics"), "zone": zone},
        content_type="multipart/form-data",
    )


def test_the_zone_for_floating_times_defaults_to_the_sites(app, staff_client):
    app.config["SITE_TIMEZONE"] = "America/New_York"
    html = staff_client.get("/staff/import/").text
    assert re.search(r'<input[^>]*id="zone"[^>]*value="America/New_York"', html)
    assert '<datalist id="zone-names">' in html and '<option value="Asia/Tokyo">' in html

    preview = staff_client.get(upload(staff_client, ics(FLOATING)).headers["Location"]).text
    text = " ".join(re.sub(r"<[^>]+>", "", preview).split())
    assert "Floating times read as America/New_York: 1 event in this file has no time zone." in text
    assert "Floating time (no time zone in the file) read as America/New_York." in text
    assert "Jul 1, 2026, 8:00 – 9:00 AM EDT" in text


def test_the_zone_chosen_at_upload_is_used_at_confirm(app, staff_client):
    response = upload_with_zone(staff_client, ics(FLOATING), "Asia/Tokyo")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    text = " ".join(re.sub(r"<[^>]+>", "", staff_client.get(preview_url).text).split())
    assert "Floating times read as Asia/Tokyo: 1 event in this file has no time zone." in text
    assert staff_client.post(preview_url, data={}).status_code == 302
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert event.timezone == "Asia/Tokyo"
        assert event.start_at == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)


def test_an_unknown_zone_is_a_message_beside_the_field(app, staff_client):
    response = upload_with_zone(staff_client, ics(FLOATING), "Mars/Olympus")
    assert response.status_code == 400
    html = response.text
    error = re.search(r'<p class="error" id="zone-error">([^<]*)</p>', html)
    assert error and "is not a time zone we know" in error.group(1)
    assert re.search(r'<input[^>]*id="zone"[^>]*value="Mars/Olympus"', html)  # kept as typed
    with app.app_context():
        assert db.session.scalars(select(Event)).all() == []


def test_untitled_events_are_flagged_and_stay_drafts(app, staff_client):
    untitled = "UID:untitled@example.org\nDTSTART:20260701T100000Z"
    preview_url = upload(staff_client, ics(WEBINAR, untitled)).headers["Location"]
    html = staff_client.get(preview_url).text
    assert "New events (2)" in html
    assert "No SUMMARY in the file: imported as a draft titled (untitled)." in html
    assert staff_client.post(preview_url, data={"publish": "y"}).status_code == 302
    with app.app_context():
        statuses = dict(db.session.execute(select(Event.title, Event.status)).all())
        assert statuses == {"5G Core Webinar": "published", "(untitled)": "draft"}


def test_a_confirmed_import_leaves_the_feed_blocks_rendered(app, staff_client):
    from events_app.feeds.ical import Site
    from events_app.feeds.source import block_context, stale_blocks

    preview_url = upload(staff_client, ics(WEBINAR, SECOND)).headers["Location"]
    assert staff_client.post(preview_url, data={"publish": "y"}).status_code == 302
    with app.app_context():
        context = block_context(Site("http://localhost", "/events/{slug}"))  # the request's host
        stale = db.session.scalars(select(Event.title).where(stale_blocks(context))).all()
        assert stale == []
        assert len(db.session.scalars(select(Event)).all()) == 2


@pytest.mark.parametrize(
    "line", ["URL:http://[::1", "CONFERENCE;VALUE=URI:http://[x", "URL:http://example.org:99999"]
)
def test_a_link_no_parser_can_read_is_left_out_and_the_site_stays_up(app, staff_client, line):
    # Before, the confirm saved the event, then answered 500, and so did every feed and the API.
    vevent = WEBINAR.replace("URL:https://example.org/webinars/5g-core", line)
    preview_url = upload(staff_client, ics(vevent)).headers["Location"]
    assert "left out" in staff_client.get(preview_url).get_data(as_text=True)
    assert staff_client.post(preview_url, data={"publish": "y"}).status_code == 302
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert (event.registration_url, event.online_url) == ("", "")
        slug = event.slug
    for url in (f"/events/{slug}", "/feeds/all.ics", "/api/v1/events", f"/api/v1/events/{slug}"):
        assert staff_client.get(url).status_code == 200, url


def test_a_utf16_file_from_windows_is_read(app, staff_client):
    data = ics(WEBINAR.replace("5G Core Webinar", "Réseau 5G — Übersicht"))
    for encoded in (data.decode().encode("utf-16"), data.decode().encode("utf-16-be")):
        if not encoded.startswith((b"\xff\xfe", b"\xfe\xff")):
            encoded = b"\xfe\xff" + encoded  # utf-16-be writes no byte order mark itself
        response = upload(staff_client, encoded)
        assert response.status_code == 302, field_error(response.get_data(as_text=True))
        html = staff_client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Réseau 5G — Übersicht" in html and "Jul 1, 2026, 2:00 – 3:00 PM EDT" in html


def test_new_categories_are_named_in_the_preview_and_the_audit_log(app, staff_client, editor):
    long_name = "Optical " * 20  # 160 characters: shortened to the 100 a category holds
    one = WEBINAR.replace("URL:", f"CATEGORIES:Cloud,{long_name}\nURL:")
    html = staff_client.get(upload(staff_client, ics(one)).headers["Location"]).text
    shortened = (" ".join(long_name.split()))[:99] + "…"
    assert f"New categories, added when you import: 5G, Cloud, {shortened}." in html
    assert "Category name shortened to 100 characters." in html
    assert re.search(r">\s*Import 1 event\s*</button>", html)  # not "1 events"
    preview_url = upload(staff_client, ics(one)).headers["Location"]
    assert staff_client.post(preview_url, data={}).status_code == 302
    with app.app_context():
        made = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "category")
        ).all()
        assert sorted(e.object_label for e in made) == sorted(["5G", "Cloud", shortened])
        assert {(e.action, e.user_id) for e in made} == {("import", editor.id)}
    again = staff_client.get(upload(staff_client, ics(one)).headers["Location"]).text
    assert "New categor" not in again  # they exist now


def _save_edit_form(client, event_id: int, **changes: str) -> None:
    """Save the event's edit page as a browser would, with `changes` typed in."""
    from werkzeug.datastructures import MultiDict

    from tests.test_staff_roundtrip import FormFields

    parser = FormFields()
    parser.feed(client.get(f"/staff/events/{event_id}/edit").get_data(as_text=True))
    data = MultiDict(parser.data)
    for name, value in changes.items():
        data.setlist(name, [value])
    response = client.post(f"/staff/events/{event_id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def _import(client, data: bytes) -> str:
    """Upload, read the preview, confirm (publishing); the preview's HTML."""
    preview_url = upload(client, data).headers["Location"]
    html = client.get(preview_url).get_data(as_text=True)
    if "Nothing to import" not in html:
        assert client.post(preview_url, data={"publish": "y"}).status_code == 302
    return html


def test_a_reimport_keeps_what_staff_edited_on_the_site_since(staff_client, app_ctx, editor):
    _import(staff_client, ics(WEBINAR))
    event = db.session.scalar(select(Event).where(Event.uid == "webinar-1@example.org"))
    _save_edit_form(staff_client, event.id, title="5G Core Webinar: new speaker")
    assert staff_client.post(f"/staff/events/{event.id}/status", data={"status": "cancelled"})
    db.session.expire_all()
    assert (event.title, event.status, event.sequence) == (
        "5G Core Webinar: new speaker",
        "cancelled",
        1,
    )

    # The same file again: what the file says has not changed since it was imported, so the
    # editor's title and cancellation stay, and the preview says nothing is to be updated.
    html = _import(staff_client, ics(WEBINAR))
    assert "<strong>0</strong> to update" in html and "Nothing to import" in html
    assert "Kept the title edited on the site by editor@example.com" in html
    db.session.expire_all()
    assert (event.title, event.status, event.sequence) == (
        "5G Core Webinar: new speaker",
        "cancelled",
        1,
    )

    # The file changes the title too: it wins, and the preview says whose edit it replaces.
    html = _import(
        staff_client, ics(WEBINAR.replace("SUMMARY:5G Core Webinar", "SUMMARY:5G Core Live"))
    )
    assert "The title was edited on the site by editor@example.com" in html
    db.session.expire_all()
    assert (event.title, event.status) == ("5G Core Live", "cancelled")
    # Its time edited on the site, the file's old time does not move it back.
    _save_edit_form(staff_client, event.id, start_time="16:00", end_time="17:00")
    html = _import(
        staff_client, ics(WEBINAR.replace("SUMMARY:5G Core Webinar", "SUMMARY:5G Core Live"))
    )
    assert "Kept the time edited on the site" in html
    db.session.expire_all()
    assert event.start_at == datetime(2026, 7, 1, 20, 0, tzinfo=UTC)


SHOW = """UID:show-1@example.org
SUMMARY:The Telecom Hour
DTSTART;TZID=America/New_York:20260618T120000
DTEND;TZID=America/New_York:20260618T130000
RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20261231T170000Z
URL:https://example.org/radio"""
EPISODE = """UID:show-1@example.org
RECURRENCE-ID;TZID=America/New_York:20260709T120000
SUMMARY:The Telecom Hour: live from the summit
DESCRIPTION:Guest: the summit's chair.
DTSTART;TZID=America/New_York:20260710T150000
DTEND;TZID=America/New_York:20260710T160000"""


def test_a_reimport_keeps_what_staff_edited_on_one_date_of_a_series(staff_client, app_ctx):
    """A date the file changes (RECURRENCE-ID) and staff edited on the site since: the same
    rule as an event's fields, date by date."""
    _import(staff_client, ics(SHOW, EPISODE))
    master = db.session.scalar(select(Event).where(Event.uid == "show-1@example.org"))
    episode = next(o for o in master.occurrences if o.recurrence_id.day == 9)
    _save_edit_form(staff_client, episode.id, title="The Telecom Hour: from the show floor",
                    description="Guest: the summit's chair, and a surprise.",
                    start_time="16:00", end_time="17:00")  # fmt: skip
    db.session.expire_all()
    edited = (episode.title, episode.description, episode.start_at)
    assert edited == (
        "The Telecom Hour: from the show floor",
        "Guest: the summit's chair, and a surprise.",
        datetime(2026, 7, 10, 20, 0, tzinfo=UTC),
    )

    # The same file again: the date's edits stay, and there is nothing to update.
    html = _import(staff_client, ics(SHOW, EPISODE))
    assert "Nothing to import" in html, html[html.find("<main") :][:3000]
    db.session.expire_all()
    assert (episode.title, episode.description, episode.start_at) == edited

    # The file changed elsewhere (the series' link): still kept, and the preview says so.
    elsewhere = SHOW.replace("example.org/radio", "example.org/hour")
    html = _import(staff_client, ics(elsewhere, EPISODE))
    assert "Kept the title of the Jul 9, 2026 date edited on the site by editor@example.com" in html
    assert "Kept the time of the Jul 9, 2026 date edited on the site" in html
    db.session.expire_all()
    assert master.registration_url == "https://example.org/hour"
    assert (episode.title, episode.description, episode.start_at) == edited

    # The file changes the date's description too: it wins there, and says whose edit it was.
    rewritten = EPISODE.replace("the summit's chair.", "the summit's host.")
    html = _import(staff_client, ics(elsewhere, rewritten))
    assert (
        "The description of the Jul 9, 2026 date was edited on the site by editor@example.com"
        in html
    )
    db.session.expire_all()
    assert episode.description == "Guest: the summit's host."
    assert (episode.title, episode.start_at) == (edited[0], edited[2])
    # Imported since, the description is the file's again: no edit of it to keep or replace.
    again = elsewhere.replace("example.org/hour", "example.org/the-hour")
    html = _import(staff_client, ics(again, rewritten))
    assert "Kept the title of the Jul 9, 2026 date" in html
    assert "The description of the Jul 9, 2026 date" not in html


def test_a_reimport_keeps_a_date_staff_cancelled_or_brought_back_on_the_site(staff_client, app_ctx):
    """A date cancelled on the site stays cancelled while the file still has it as imported;
    a date the file cancels that staff brought back stays while the file still cancels it."""
    exdate = "EXDATE;TZID=America/New_York:20260716T120000"
    _import(staff_client, ics(SHOW))
    master = db.session.scalar(select(Event).where(Event.uid == "show-1@example.org"))
    by_day = {o.recurrence_id.day: o for o in master.occurrences if o.recurrence_id.month == 7}
    ill, moved = by_day[9], by_day[16]
    post = staff_client.post(f"/staff/events/{ill.id}/status", data={"status": "cancelled"})
    assert post.status_code == 302
    db.session.expire_all()
    assert ill.status == "cancelled"

    # The same file, and one changed elsewhere: the cancellation stays, said in the preview.
    html = _import(staff_client, ics(SHOW))
    assert "Nothing to import" in html, html[html.find("<main") :][:3000]
    elsewhere = SHOW.replace("example.org/radio", "example.org/hour")
    html = _import(staff_client, ics(elsewhere))
    assert (
        "Kept the cancellation of the Jul 9, 2026 date edited on the site by editor@example.com"
        in html
    )
    db.session.expire_all()
    assert master.registration_url == "https://example.org/hour"
    assert (ill.status, ill.own_status) == ("cancelled", "cancelled")
    assert moved.status == "published"

    # The file cancels another date; staff bring it back on the site: it stays, as the file
    # still cancels it as it did when imported.
    _import(staff_client, ics(elsewhere.replace("URL:", f"{exdate}\nURL:")))
    db.session.expire_all()
    assert moved.status == "cancelled"
    post = staff_client.post(f"/staff/events/{moved.id}/status", data={"status": "published"})
    assert post.status_code == 302
    with_exdate = SHOW.replace("URL:", f"{exdate}\nURL:")
    html = _import(staff_client, ics(with_exdate))  # the link changes back: an update
    assert "Kept the status of the Jul 16, 2026 date edited on the site" in html
    db.session.expire_all()
    assert (moved.status, moved.own_status) == ("published", None)
    assert ill.status == "cancelled"


def test_a_file_that_comes_to_agree_with_a_site_edit_then_changes_it_again_wins(
    staff_client, app_ctx, auth, admin
):
    """A field, a status and a series date staff changed on the site that the file later
    changes to the same: that import records the value as the file's, so the file's next
    change of it is applied, not kept out as the site's edit."""
    agreed_title = "5G Core Webinar: new speaker"
    exdate = "EXDATE;TZID=America/New_York:{}T120000"
    show = SHOW.replace("URL:", f"{exdate.format('20260716')}\nURL:")  # a date it cancels
    assert 'name="publish"' in _import(staff_client, ics(WEBINAR, show))  # new events
    event = db.session.scalar(select(Event).where(Event.uid == "webinar-1@example.org"))
    master = db.session.scalar(select(Event).where(Event.uid == "show-1@example.org"))
    days = {o.recurrence_id.date(): o for o in master.occurrences}
    ill, back = days[date(2026, 7, 9)], days[date(2026, 7, 16)]
    _save_edit_form(staff_client, event.id, title=agreed_title)
    for url, status in (
        (f"/staff/events/{event.id}/status", "cancelled"),
        (f"/staff/events/{ill.id}/status", "cancelled"),
        (f"/staff/events/{back.id}/status", "published"),
    ):
        assert staff_client.post(url, data={"status": status}).status_code == 302

    # The organiser's file comes to say the same: nothing changes on the site, but the
    # import has something to record, and the preview says what.
    agreeing = ics(
        WEBINAR.replace("SUMMARY:5G Core Webinar", f"SUMMARY:{agreed_title}\nSTATUS:CANCELLED"),
        SHOW.replace("URL:", f"{exdate.format('20260709')}\nURL:"),
    )
    html = _import(staff_client, agreeing)
    assert "<strong>2</strong> to update" in html, html[html.find("<main") :][:3000]
    assert "The file now has the title edited on the site by editor@example.com" in html
    assert "The file now has the status edited on the site" in html
    assert "The file now has the cancellation of the Jul 9, 2026 date edited" in html
    assert "The file now has the status of the Jul 16, 2026 date edited" in html
    assert 'name="publish"' not in html  # no new event to publish or keep as a draft
    db.session.expire_all()
    assert (event.title, event.status, event.sequence) == (agreed_title, "cancelled", 1)
    assert (ill.status, back.status) == ("cancelled", "published")
    entry = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_id == event.id, AuditEntry.action == "import")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert audit.changes_of(entry)["title"] == [agreed_title, agreed_title]
    auth.login(admin.email)  # the audit log is for admins
    log = staff_client.get(f"/staff/audit?event={event.id}").get_data(as_text=True)
    assert f'{agreed_title} <span class="hint">(unchanged: the file now has it too)' in log
    auth.login()
    # Recorded: the same file again has nothing to do.
    assert "Nothing to import" in _import(staff_client, agreeing)

    # The file changes them back: the organiser's change, applied.
    html = _import(staff_client, ics(WEBINAR, show))
    assert "Kept the" not in html, html[html.find("<main") :][:3000]
    db.session.expire_all()
    assert (event.title, event.status) == ("5G Core Webinar", "published")
    assert (ill.status, ill.own_status) == ("published", None)
    assert back.status == "cancelled"


def test_a_file_that_comes_to_agree_with_a_dates_edit_then_changes_it_again_wins(
    staff_client, app_ctx
):
    """The same for a date the file changes (RECURRENCE-ID): its title staff edited on the
    site, which the file's next version has too, then changes back."""
    _import(staff_client, ics(SHOW, EPISODE))
    master = db.session.scalar(select(Event).where(Event.uid == "show-1@example.org"))
    episode = next(o for o in master.occurrences if o.recurrence_id.date() == date(2026, 7, 9))
    floor = "The Telecom Hour: from the show floor"
    _save_edit_form(staff_client, episode.id, title=floor)

    agreeing = EPISODE.replace("live from the summit", "from the show floor")
    html = _import(staff_client, ics(SHOW, agreeing))
    assert "<strong>1</strong> to update" in html, html[html.find("<main") :][:3000]
    assert "The file now has the title of the Jul 9, 2026 date edited on the site by" in html
    db.session.expire_all()
    assert episode.title == floor
    assert "Nothing to import" in _import(staff_client, ics(SHOW, agreeing))

    html = _import(staff_client, ics(SHOW, EPISODE))  # the organiser changes it back
    assert "Kept the title" not in html, html[html.find("<main") :][:3000]
    db.session.expire_all()
    assert episode.title == "The Telecom Hour: live from the summit"


def test_an_updates_changes_are_said_in_words_in_the_events_zone(staff_client, create_venue):
    create_venue(name="Westin Westminster", city="Denver")
    _import(staff_client, ics(WEBINAR))
    long_text = "All about the core." + " More on the core." * 1500  # 27,000 characters
    changed = (
        WEBINAR.replace("T140000", "T160000")
        .replace("T150000", "T170000")
        .replace("CATEGORIES:5G,Cloud", "CATEGORIES:5G\nLOCATION:Westin Westminster")
        .replace("DESCRIPTION:All about the core.", f"DESCRIPTION:{long_text}")
    )
    html = staff_client.get(upload(staff_client, ics(changed)).headers["Location"]).text
    changes = re.search(r'<ul class="changes">(.*?)</ul>', html, re.S).group(1)
    assert "When: Jul 1, 2026, 2:00 – 3:00 PM EDT &rarr; Jul 1, 2026, 4:00 – 5:00 PM EDT" in changes
    assert "Venue: (none) &rarr; Westin Westminster" in changes
    assert "Categories: 5G, Cloud &rarr; 5G</li>" in changes
    assert "+00:00" not in changes and "[&#39;" not in changes  # no UTC instants, no lists
    assert len(changes) < 1500  # the description cut short, not 20,000 characters twice
