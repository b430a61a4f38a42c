"""Event create/edit through the staff pages: input kept, lost updates, audit, quick actions."""

import json
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from events_app.extensions import db
from events_app.models import AuditEntry, DeletedEvent, Event, FormerSlug, Venue, record_deleted
from tests.conftest import NOW, AuthActions
from tests.tools import postgres_url

FORM = {
    "title": "Optical Networks Outlook",
    "kind": "webinar",
    "status": "published",
    "summary": "Where optical goes next.",
    "description": "**Bold** claims.",
    "start_date": "2026-11-10",
    "start_time": "14:00",
    "end_date": "2026-11-10",
    "end_time": "15:00",
    "timezone": "America/New_York",
    "venue": "",
    "online_url": "https://meet.example.com/optical",
    "speakers": "Dana Whitfield | Principal Analyst | Heavy Reading",
}


@pytest.fixture
def logged_in(client, auth, editor):
    auth.login()
    return client


def edit_page_fields(client, event_id):
    """The hidden fields the edit page hands out (version and original values)."""
    html = client.get(f"/staff/events/{event_id}/edit").get_data(as_text=True)
    fields = {}
    for name in ("version", "original"):
        chunk = html.split(f'name="{name}" type="hidden" value="')[1].split('"')[0]
        fields[name] = chunk.replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")
    return fields


def entries(event_id):
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_id == event_id).order_by(AuditEntry.id)
    ).all()


def test_create_event(logged_in, app_ctx, editor):
    response = logged_in.post("/staff/events/new", data=FORM)
    assert response.status_code == 302
    event = db.session.scalar(select(Event).where(Event.slug == "optical-networks-outlook"))
    assert event.start_at == datetime(2026, 11, 10, 19, 0, tzinfo=UTC)
    assert event.timezone == "America/New_York"
    assert [s.name for s in event.speakers] == ["Dana Whitfield"]
    assert event.sequence == 0
    (entry,) = entries(event.id)
    assert entry.action == "create" and entry.user_id == editor.id
    assert json.loads(entry.changes)["title"] == [None, "Optical Networks Outlook"]


def test_errors_beside_fields_and_input_kept(logged_in):
    data = {**FORM, "end_time": "13:00", "registration_url": "javascript:alert(1)"}
    response = logged_in.post("/staff/events/new", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The end cannot be before the start" in html
    assert "http:// or https://" in html
    for value in ("Optical Networks Outlook", "Where optical goes next.", "**Bold** claims.",
                  "javascript:alert(1)", "Dana Whitfield | Principal Analyst | Heavy Reading",
                  "https://meet.example.com/optical", 'value="13:00"'):  # fmt: skip
        assert value in html, value
    assert db.session.scalar(select(Event.id)) is None
    # Above the form, each error leads to its field (a phone shows some three screens down).
    summary = html[
        html.index('id="form-errors"') : html.index("</div>", html.index('id="form-errors"'))
    ]
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary)
    assert [label.split(":")[0] for _, label in links] == ["End time", "Registration link"], links
    for target, _ in links:
        assert f'id="{target}"' in html, target


def test_a_refused_slug_comes_back_as_typed(logged_in):
    response = logged_in.post("/staff/events/new", data={**FORM, "slug": "Bad Slug!"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "single hyphens" in html and 'value="Bad Slug!"' in html


def test_an_empty_address_stays_empty_on_a_refused_form(logged_in, app_ctx):
    """Made from the title when the event is saved: a refused form does not fill it in, so a
    title corrected before saving again makes it (it had kept the typo)."""
    refused = {**FORM, "title": "Optcal Networks Outlook", "slug": "", "end_time": "13:00"}
    html = logged_in.post("/staff/events/new", data=refused).get_data(as_text=True)
    (box,) = re.findall(r'<input[^>]*name="slug"[^>]*>', html)
    assert 'value=""' in box
    assert "optcal-networks-outlook" not in html
    fixed = {**refused, "title": "Optical Networks Outlook", "end_time": "15:00"}
    assert logged_in.post("/staff/events/new", data=fixed).status_code == 302
    assert db.session.scalar(select(Event.slug)) == "optical-networks-outlook"


def test_enter_in_a_text_box_saves_the_event(logged_in):
    """Enter presses the form's first submit button: it was "Preview description"."""
    html = logged_in.get("/staff/events/new").get_data(as_text=True)
    form = html[html.index('<form method="post" class="event-form"') :]
    first = re.search(r"<(?:input|button)[^>]*type=\"submit\"[^>]*>", form)[0]
    assert 'name="save"' in first and 'tabindex="-1"' in first and "visually-hidden" in first


def test_dst_gap_and_overlap_through_the_page(logged_in, app_ctx):
    gap = {**FORM, "start_date": "2026-03-08", "end_date": "2026-03-08", "start_time": "02:30"}
    html = logged_in.post("/staff/events/new", data=gap).get_data(as_text=True)
    assert "2:30 AM does not exist on Mar 8, 2026 in America/New_York" in html
    overlap = {**FORM, "start_date": "2026-11-01", "end_date": "2026-11-01",
               "start_time": "01:30", "end_time": "03:00"}  # fmt: skip
    response = logged_in.post("/staff/events/new", data=overlap)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "happens twice" in html and "first (EDT)" in html and "second (EST)" in html
    response = logged_in.post("/staff/events/new", data={**overlap, "start_fold": "1"})
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.start_at == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    # Editing it again offers the same choice, already made.
    html = logged_in.get(f"/staff/events/{event.id}/edit").get_data(as_text=True)
    assert '<input checked id="start_fold-1"' in html


@pytest.mark.parametrize(
    "shown_again",
    [{"organizer": "x" * 201}, {"preview": "Preview description"}, {"repeat-preview_dates": "y"}],
    ids=["another-mistake", "preview", "preview-dates"],
)
def test_a_chosen_twice_happening_time_stays_chosen_when_the_form_comes_back(
    logged_in, app_ctx, shown_again
):
    """The second 1:30 AM of the day clocks go back, chosen, then the form is shown again for
    another reason: the choice is still there, made (it used to vanish and be asked anew)."""
    overlap = {**FORM, "start_date": "2026-11-01", "end_date": "2026-11-01",
               "start_time": "01:30", "end_time": "01:45"}  # fmt: skip
    overlap.update(start_fold="1", end_fold="1")
    html = logged_in.post("/staff/events/new", data={**overlap, **shown_again}).get_data(
        as_text=True
    )
    assert '<input checked id="start_fold-1"' in html
    assert '<input checked id="end_fold-1"' in html
    assert db.session.scalar(select(Event.id)) is None


def test_edit_records_old_and_new_values_and_bumps_sequence(logged_in, app_ctx, create_event):
    event = create_event(title="Old title", start=datetime(2026, 11, 10, 19, 0, tzinfo=UTC))
    hidden = edit_page_fields(logged_in, event.id)
    data = {**FORM, **hidden, "title": "New title", "slug": event.slug}
    assert logged_in.post(f"/staff/events/{event.id}/edit", data=data).status_code == 302
    db.session.refresh(event)
    assert event.title == "New title" and event.sequence == 0  # the time did not change
    changes = json.loads(entries(event.id)[-1].changes)
    assert changes["title"] == ["Old title", "New title"]
    assert "start" not in changes

    hidden = edit_page_fields(logged_in, event.id)
    data = {**data, **hidden, "start_time": "16:00", "end_time": "17:00"}
    assert logged_in.post(f"/staff/events/{event.id}/edit", data=data).status_code == 302
    db.session.refresh(event)
    assert event.sequence == 1
    entry = entries(event.id)[-1]
    assert entry.action == "update"
    assert json.loads(entry.changes)["start"] == ["2026-11-10 14:00 EST", "2026-11-10 16:00 EST"]


def test_lost_update_is_refused_and_shows_their_change(app, logged_in, app_ctx, create_event,
                                                       create_user):  # fmt: skip
    event = create_event(title="Shared title", summary="Original summary")
    mine = edit_page_fields(logged_in, event.id)

    create_user("colleague@example.com", "correct horse battery")
    colleague = app.test_client()
    colleague.post(
        "/staff/login", data={"email": "colleague@example.com", "password": "correct horse battery"}
    )
    theirs = edit_page_fields(colleague, event.id)
    data = {**FORM, "title": "Shared title", "slug": event.slug, "summary": "Colleague's summary"}
    assert (
        colleague.post(f"/staff/events/{event.id}/edit", data={**data, **theirs}).status_code == 302
    )

    my_data = {**FORM, **mine, "slug": event.slug, "title": "My better title"}
    response = logged_in.post(f"/staff/events/{event.id}/edit", data=my_data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this event" in html
    assert "Original summary" in html and "Colleague&#39;s summary" in html
    assert "colleague@example.com" in html
    assert "My better title" in html  # my input is kept
    db.session.refresh(event)
    assert event.title == "Shared title" and event.summary == "Colleague's summary"

    # The returned form carries the new version: saving it again goes through.
    new_version = html.split('name="version" type="hidden" value="')[1].split('"')[0]
    assert new_version == str(event.version)
    response = logged_in.post(
        f"/staff/events/{event.id}/edit", data={**my_data, "version": new_version}
    )
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.title == "My better title"


def test_stale_data_error_is_a_conflict_too(app, app_ctx, create_event):
    """Two sessions racing past the version check: SQLAlchemy's version counter catches it."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    event = create_event()
    engine = db.engine
    with Session(engine) as first, Session(engine) as second:
        a = first.get(Event, event.id)
        b = second.get(Event, event.id)
        a.title = "A"
        first.commit()
        b.title = "B"
        with pytest.raises(StaleDataError):
            second.commit()


def test_nothing_changed(logged_in, create_event):
    event = create_event(title="Same", summary="", start=datetime(2026, 11, 10, 19, tzinfo=UTC))
    hidden = edit_page_fields(logged_in, event.id)
    data = {**FORM, **hidden, "title": "Same", "summary": "", "slug": event.slug,
            "status": "published", "description": "", "online_url": "", "speakers": ""}  # fmt: skip
    response = logged_in.post(f"/staff/events/{event.id}/edit", data=data, follow_redirects=True)
    assert "Nothing changed." in response.get_data(as_text=True)
    assert entries(event.id) == []


def test_live_event_with_new_venue(logged_in, app_ctx):
    data = {**FORM, "kind": "live", "venue": "new", "timezone": "", "all_day": "y",
            "end_date": "2026-11-12", "new_venue-name": "Westin Westminster",
            "new_venue-city": "Denver", "new_venue-timezone": "America/Denver"}  # fmt: skip
    assert logged_in.post("/staff/events/new", data=data).status_code == 302
    event = db.session.scalar(select(Event))
    assert event.venue.name == "Westin Westminster"
    assert event.timezone == "America/Denver"
    assert event.all_day and event.when_text == "Nov 10–12, 2026"


def test_existing_venue_and_categories_saved_through_the_form(
    logged_in, app_ctx, create_venue, create_category
):
    denver = create_venue(name="Westin Westminster", timezone="America/Denver")
    london = create_venue(name="The Montcalm", city="London", timezone="Europe/London")
    fiveg, optical, cloud = (create_category(n) for n in ("5G", "Optical", "Cloud"))
    data = {**FORM, "kind": "live", "venue": str(denver.id), "timezone": "",
            "categories": [str(fiveg.id), str(optical.id)]}  # fmt: skip
    assert logged_in.post("/staff/events/new", data=data).status_code == 302
    event = db.session.scalar(select(Event))
    assert event.venue_id == denver.id
    assert event.timezone == "America/Denver"  # the venue's zone, none typed
    assert event.start_at == datetime(2026, 11, 10, 21, 0, tzinfo=UTC)  # 14:00 MST
    assert sorted(c.name for c in event.categories) == ["5G", "Optical"]

    hidden = edit_page_fields(logged_in, event.id)
    data = {**data, **hidden, "slug": event.slug, "venue": str(london.id),
            "timezone": "America/Denver", "categories": [str(cloud.id)]}  # fmt: skip
    assert logged_in.post(f"/staff/events/{event.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.venue_id == london.id
    assert [c.name for c in event.categories] == ["Cloud"]
    changes = json.loads(entries(event.id)[-1].changes)
    assert changes["venue"] == ["Westin Westminster, Denver", "The Montcalm, London"]
    assert changes["categories"] == ["5G, Optical", "Cloud"]

    hidden = edit_page_fields(logged_in, event.id)
    data = {**data, **hidden, "kind": "webinar", "venue": ""}
    del data["categories"]  # no box ticked: the browser sends nothing
    assert logged_in.post(f"/staff/events/{event.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.venue is None and event.categories == []


def test_markdown_preview(logged_in):
    response = logged_in.post(
        "/staff/preview-markdown", data={"text": "**hi** <script>alert(1)</script>"}
    )
    assert response.status_code == 200
    assert "<strong>hi</strong>" in response.get_data(as_text=True)
    assert "<script>" not in response.get_data(as_text=True)
    # Without JavaScript the Preview button re-renders the form with the preview.
    response = logged_in.post("/staff/events/new", data={**FORM, "preview": "Preview"})
    html = response.get_data(as_text=True)
    assert "<strong>Bold</strong> claims." in html
    assert "Optical Networks Outlook" in html


def test_draft_preview_for_staff_only(client, auth, editor, create_event):
    event = create_event(status="draft", title="Secret summit")
    assert client.get(f"/events/{event.slug}").status_code == 404
    assert client.get(f"/staff/events/{event.id}/preview").status_code == 302
    auth.login()
    html = client.get(f"/staff/events/{event.id}/preview").get_data(as_text=True)
    assert "Secret summit" in html and "Draft" in html and "draft-banner" in html
    # A draft has no public .ics yet, so the preview offers no calendar links to it.
    assert f"/events/{event.slug}.ics" not in html


@pytest.mark.parametrize(
    "status,sequence", [("published", 0), ("postponed", 1), ("cancelled", 1), ("draft", 1)]
)
def test_quick_status_actions(logged_in, app_ctx, create_event, status, sequence):
    logged_in.application.config["NOW"] = NOW  # the event is a week ahead
    event = create_event(status="published")
    response = logged_in.post(f"/staff/events/{event.id}/status", data={"status": status})
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.status == status and event.sequence == sequence
    if sequence:
        assert json.loads(entries(event.id)[-1].changes) == {"status": ["published", status]}
    assert (
        logged_in.post(f"/staff/events/{event.id}/status", data={"status": "x"}).status_code == 400
    )


def test_an_event_that_has_ended_is_not_offered_or_given_postpone(
    logged_in, app_ctx, create_event, create_series
):
    """Postpone on a past event's row was one misclick from telling visitors and calendars a
    webinar that took place last week is postponed: it is not offered, and sent anyway it is
    refused with why; an event still to come (or under way) keeps it."""
    logged_in.application.config["NOW"] = NOW
    past = create_event(title="Took place", start=NOW - timedelta(days=7))
    ended_series = create_series(title="Ended series", start=datetime(2026, 3, 3, 10), count=4)
    on_now = create_event(title="Under way", start=NOW - timedelta(minutes=30))
    coming = create_event(title="Coming up")
    rows = logged_in.get("/staff/").text.split("<tr>")
    for event in (past, ended_series, on_now, coming):
        (row,) = [r for r in rows if f"/staff/events/{event.id}/edit" in r]
        offered = 'value="postponed"' in row
        assert offered == (event in (on_now, coming)), (event.title, row)
    for event in (past, ended_series):
        response = logged_in.post(f"/staff/events/{event.id}/status", data={"status": "postponed"})
        assert response.status_code == 302
        said = logged_in.get(response.headers["Location"]).text
        assert f"{event.title}\u201d is unchanged: it has already ended" in said
        db.session.refresh(event)
        assert event.status == "published" and event.sequence == 0
    response = logged_in.post(f"/staff/events/{on_now.id}/status", data={"status": "postponed"})
    db.session.refresh(on_now)
    assert on_now.status == "postponed"


def test_duplicate(logged_in, app_ctx, create_event, create_category):
    event = create_event(slug="summit", categories=[create_category("Cloud")],
                         speakers=(("A", "B", "C"),))  # fmt: skip
    response = logged_in.post(f"/staff/events/{event.id}/duplicate")
    assert response.status_code == 302
    copy = db.session.scalar(select(Event).where(Event.id != event.id))
    assert copy.slug == "summit-copy" and copy.status == "draft" and copy.uid != event.uid
    assert [c.name for c in copy.categories] == ["Cloud"]
    assert [s.name for s in copy.speakers] == ["A"]
    assert entries(copy.id)[0].action == "duplicate"


def test_delete_is_for_admins(client, auth, editor, admin, app_ctx, create_event):
    event = create_event()
    auth.login()
    assert client.post(f"/staff/events/{event.id}/delete").status_code == 403
    auth.logout()
    auth.login("admin@example.com")
    assert client.post(f"/staff/events/{event.id}/delete").status_code == 302
    assert db.session.get(Event, event.id) is None
    assert entries(event.id)[-1].action == "delete"


@pytest.fixture
def colleague_deletes_first(app_ctx):
    """A colleague's delete of the same event (its row, its address, its audit entry),
    committed through a connection of its own, as a second process does, after this request
    read the event and before its first write. (SQLite lets no other writer in after that;
    PostgreSQL's row lock makes a second DELETE wait for the first.)"""
    from sqlalchemy import event as sa_event
    from sqlalchemy.orm import Session

    from events_app.models import DeletedEvent

    pending: list[tuple[Event, str]] = []

    def delete_it(session, flush_context, instances):
        if not pending:
            return
        event, email = pending.pop()
        with db.engine.begin() as conn:
            conn.execute(Event.__table__.delete().where(Event.__table__.c.id == event.id))
            deleted = {"slug": event.slug, "title": event.title, "deleted_at": datetime.now(UTC)}
            conn.execute(DeletedEvent.__table__.insert().values(deleted))
            conn.execute(AuditEntry.__table__.insert().values(
                at=datetime.now(UTC), user_email=email, action="delete", object_type="event",
                object_id=event.id, object_label=event.title, changes="{}",
            ))  # fmt: skip

    sa_event.listen(Session, "before_flush", delete_it, insert=True)
    yield lambda event, email: pending.append((event, email))
    sa_event.remove(Session, "before_flush", delete_it)


@pytest.mark.parametrize("status", ["published", "draft"])
def test_a_delete_meeting_a_colleagues_delete_says_it_is_gone_not_a_500(
    client, auth, admin, app_ctx, create_event, colleague_deletes_first, status
):
    """Both found the event there; the colleague's delete landed first. Ours met it as a
    changed event ("someone else changed this event ... retry", and the retry a 404 page),
    or on PostgreSQL as a second row in deleted_events (a 500). The event is gone, as asked:
    the dashboard says who deleted it."""
    event = create_event(title="Deleted Twice", slug="deleted-twice", status=status)
    event_id = event.id
    auth.login("admin@example.com")
    colleague_deletes_first(event, "colleague@example.com")
    response = client.post(f"/staff/events/{event_id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/")
    page = client.get("/staff/").get_data(as_text=True)
    assert "“Deleted Twice” was already deleted by colleague@example.com." in page
    db.session.expire_all()
    assert db.session.get(Event, event_id) is None
    assert [e.user_email for e in entries(event_id)] == ["colleague@example.com"]


def test_delete_clicked_twice_answers_the_second_click_as_the_first(
    client, auth, admin, app_ctx, create_event
):
    """The second click arrives once the first is done: it was a 404 page for an event that
    was deleted as asked. An id that never was an event is still a 404."""
    event = create_event(title="Clicked Twice")
    auth.login("admin@example.com")
    for _ in range(2):
        response = client.post(f"/staff/events/{event.id}/delete")
        assert response.status_code == 302 and response.headers["Location"].endswith("/staff/")
        assert "Deleted “Clicked Twice”." in client.get("/staff/").get_data(as_text=True)
    assert [e.action for e in entries(event.id)] == ["delete"]
    assert client.post(f"/staff/events/{event.id + 1000}/delete").status_code == 404


def test_an_address_deleted_again_names_the_later_event(client, auth, admin, app_ctx, create_event):
    """A slug that a deleted event had, given to a new event that is deleted in turn: its row
    in deleted_events is updated (record_deleted), not inserted twice."""
    auth.login("admin@example.com")
    first = create_event(title="Summit 2025", slug="summit")
    assert client.post(f"/staff/events/{first.id}/delete").status_code == 302
    second = create_event(title="Summit 2026", slug="summit")
    assert client.post(f"/staff/events/{second.id}/delete").status_code == 302
    db.session.expire_all()
    (row,) = db.session.scalars(select(DeletedEvent)).all()
    assert (row.slug, row.title) == ("summit", "Summit 2026")
    assert app_ctx.test_client().get("/events/summit").status_code == 410


def test_dashboard_lists_drafts_newest_change_first_with_filters(logged_in, create_event):
    create_event(title="Alpha draft", status="draft")
    create_event(title="Beta webinar", kind="webinar")
    create_event(title="Gamma live", kind="live", status="cancelled")
    html = logged_in.get("/staff/").get_data(as_text=True)
    assert html.index("Gamma live") < html.index("Beta webinar") < html.index("Alpha draft")
    html = logged_in.get("/staff/?status=draft").get_data(as_text=True)
    assert "Alpha draft" in html and "Beta webinar" not in html
    html = logged_in.get("/staff/?kind=live").get_data(as_text=True)
    assert "Gamma live" in html and "Alpha draft" not in html
    html = logged_in.get("/staff/?q=beta").get_data(as_text=True)
    assert "Beta webinar" in html and "Gamma live" not in html
    html = logged_in.get("/staff/?date_from=2030-01-01").get_data(as_text=True)
    assert "No events match." in html
    assert logged_in.get("/staff/?status=bogus").status_code == 400
    assert logged_in.get("/staff/?date_from=never").status_code == 400
    backwards = logged_in.get("/staff/?date_from=2030-01-01&date_to=2020-01-01")
    assert backwards.status_code == 400
    assert "This is before the From date" in backwards.get_data(as_text=True)
    assert logged_in.get("/staff/?page=x").status_code == 400
    assert logged_in.get("/staff/?page=99").status_code == 404


def test_the_zone_box_suggests_current_names(logged_in):
    html = logged_in.get("/staff/events/new").get_data(as_text=True)
    assert '<option value="Asia/Kolkata">' in html and '<option value="US/Eastern">' not in html


def test_dashboard_buttons_name_the_event_they_act_on(logged_in, create_event):
    logged_in.application.config["NOW"] = NOW  # the event is a week ahead: Postpone is offered
    create_event(title="Beta webinar", kind="webinar")
    html = logged_in.get("/staff/").get_data(as_text=True)
    for label in ("Cancel event", "Postpone", "Unpublish", "Duplicate"):
        assert f'{label}<span class="visually-hidden">: Beta webinar</span></button>' in html


def test_dashboard_asks_before_cancelling_unpublishing_or_postponing(
    logged_in, create_event, create_series
):
    """One click had cancelled a whole published series; Delete alone asked first."""
    logged_in.application.config["NOW"] = NOW  # the event is a week ahead: Postpone is offered
    create_event(title="Beta webinar", kind="webinar")
    create_series(start=datetime(2026, 7, 2, 12), title="Weekly show", weekdays=("TH",))
    html = logged_in.get("/staff/").get_data(as_text=True)
    for asked in (
        "Cancel “Beta webinar”? Visitors and subscribed calendars will see it as cancelled.",
        "Unpublish “Beta webinar”? It leaves the site, the feeds and the API.",
        "Mark “Beta webinar” as postponed?",
        "Cancel every date of the series “Weekly show”?",
        "Unpublish the series “Weekly show” and all its dates?",
        "Mark the series “Weekly show” as postponed? Its dates show so, but for those given",
    ):
        assert f'data-confirm="{asked}' in html, asked
    draft = create_event(title="Gamma draft", status="draft")
    html = logged_in.get(f"/staff/?q={draft.title}").get_data(as_text=True)
    publish = html[html.index("Publish<span") - 300 : html.index("Publish<span")]
    assert "data-confirm" not in publish  # publishing asks nothing


def test_dashboard_pagination(logged_in, create_event):
    for i in range(7):
        create_event(title=f"Event number {i}")
    page2 = logged_in.get("/staff/?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page2


def test_quick_action_returns_to_the_same_dashboard_page(logged_in, create_event):
    event = create_event(status="draft")
    response = logged_in.post(
        f"/staff/events/{event.id}/status",
        data={"status": "published", "next": "/staff/?status=draft&page=1"},
    )
    assert response.headers["Location"] == "/staff/?status=draft&page=1"
    response = logged_in.post(
        f"/staff/events/{event.id}/status",
        data={"status": "draft", "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/staff/"
    html = logged_in.get("/staff/?kind=webinar").get_data(as_text=True)
    assert 'name="next" value="/staff/?kind=webinar"' in html


def test_race_past_the_version_check_is_a_conflict(logged_in, app_ctx, create_event):
    """Another save lands between our version check and our UPDATE: StaleDataError -> 409."""
    from sqlalchemy import event as sa_event
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    event = create_event(title="Before the race")
    hidden = edit_page_fields(logged_in, event.id)
    racer = {"done": False}

    def other_save(session, flush_context, instances):
        if racer["done"]:
            return
        racer["done"] = True
        with db.engine.begin() as conn:  # a different connection: another app process
            conn.execute(
                text("UPDATE events SET title = 'Racer', version = version + 1 WHERE id = :id"),
                {"id": event.id},
            )

    sa_event.listen(Session, "before_flush", other_save, insert=True)  # before ours
    try:
        data = {**FORM, **hidden, "slug": event.slug, "title": "Mine"}
        response = logged_in.post(f"/staff/events/{event.id}/edit", data=data)
    finally:
        sa_event.remove(Session, "before_flush", other_save)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this event" in html and "Racer" in html and "Mine" in html
    db.session.expire_all()
    assert db.session.get(Event, event.id).title == "Racer"


def test_a_conflict_merges_their_changes_to_fields_i_left_alone(
    app, logged_in, app_ctx, create_user
):  # fmt: skip
    """Three-way merge on a lost update: their summary and time come into my form, my title
    stays, and the description we both changed keeps mine, marked; saving again keeps all."""
    assert logged_in.post("/staff/events/new", data=FORM).status_code == 302
    event = db.session.scalar(select(Event).where(Event.slug == "optical-networks-outlook"))
    mine = edit_page_fields(logged_in, event.id)

    create_user("colleague@example.com", "correct horse battery")
    colleague = app.test_client()
    colleague.post(
        "/staff/login", data={"email": "colleague@example.com", "password": "correct horse battery"}
    )
    theirs = {**FORM, **edit_page_fields(colleague, event.id), "slug": event.slug,
              "summary": "Their summary", "start_time": "16:00", "end_time": "17:00",
              "description": "Their description"}  # fmt: skip
    assert colleague.post(f"/staff/events/{event.id}/edit", data=theirs).status_code == 302

    my_data = {**FORM, **mine, "slug": event.slug, "title": "My better title",
               "description": "My description"}  # fmt: skip
    response = logged_in.post(f"/staff/events/{event.id}/edit", data=my_data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    form_part = html.split('class="event-form"', 1)[1]
    assert 'value="My better title"' in form_part  # mine, kept
    assert "Their summary</textarea>" in form_part  # theirs, merged
    assert 'value="16:00"' in form_part and 'value="17:00"' in form_part  # their time
    assert "My description</textarea>" in form_part
    assert "Their description</textarea>" not in form_part
    assert "you both changed it" in html and "Their changes to fields you had not" in html
    assert "in the form below. Where you both changed a field" in " ".join(html.split())
    db.session.expire_all()
    assert db.session.get(Event, event.id).title == FORM["title"]  # nothing of mine saved yet

    version = html.split('name="version" type="hidden" value="')[1].split('"')[0]
    merged = {**my_data, "summary": "Their summary", "start_time": "16:00", "end_time": "17:00",
              "version": version}  # fmt: skip
    assert logged_in.post(f"/staff/events/{event.id}/edit", data=merged).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Event, event.id)
    assert (saved.title, saved.summary, saved.description) == (
        "My better title",
        "Their summary",
        "My description",
    )
    assert saved.start_at == datetime(2026, 11, 10, 21, 0, tzinfo=UTC)


def test_a_save_whose_every_change_they_made_too_goes_through(
    app, logged_in, app_ctx, create_event, create_user
):  # fmt: skip
    """Their save changed only what mine changes the same way (a second click on Save, Back to
    a form one saved oneself): nothing to reconcile, so no conflict page."""
    assert logged_in.post("/staff/events/new", data=FORM).status_code == 302
    event = db.session.scalar(select(Event).where(Event.slug == "optical-networks-outlook"))
    mine = edit_page_fields(logged_in, event.id)
    other = {**FORM, **edit_page_fields(logged_in, event.id), "slug": event.slug,
             "kind": "audio"}  # fmt: skip
    assert logged_in.post(f"/staff/events/{event.id}/edit", data=other).status_code == 302
    response = logged_in.post(
        f"/staff/events/{event.id}/edit",
        data={**FORM, **mine, "slug": event.slug, "kind": "audio", "title": "Mine"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.scalars(select(Event)).one()
    assert (saved.title, saved.kind) == ("Mine", "audio")
    # A change of theirs mine does not make is still a conflict, with theirs in the form.
    stale = {**FORM, **mine, "slug": event.slug, "kind": "audio", "title": "Older"}
    response = logged_in.post(f"/staff/events/{event.id}/edit", data=stale)
    assert response.status_code == 409
    assert 'value="Older"' in response.get_data(as_text=True)


def test_a_save_goes_through_while_a_long_read_is_open(logged_in, app_ctx, create_event):
    """A large feed being built reads events in one long statement (feeds/source.py); a save
    meanwhile is neither held back nor refused (SQLite: write-ahead logging; PostgreSQL: MVCC),
    and the reader goes on with the rows as they were when it started."""
    others = [create_event(title=f"Other {n}") for n in range(3)]
    event = create_event(title="Old title", start=datetime(2026, 11, 10, 19, 0, tzinfo=UTC))
    data = {**FORM, **edit_page_fields(logged_in, event.id), "title": "New", "slug": event.slug}
    with db.engine.connect() as reader:
        rows = reader.execute(
            select(Event.id, Event.title).order_by(Event.id).execution_options(yield_per=1)
        )
        read = list(next(rows.partitions()))
        response = logged_in.post(f"/staff/events/{event.id}/edit", data=data)
        read += [row for partition in rows.partitions() for row in partition]
    assert response.status_code == 302
    assert [r.id for r in read] == [e.id for e in others] + [event.id]
    assert read[-1].title == "Old title"
    db.session.expire_all()
    assert db.session.get(Event, event.id).title == "New"


def form_key_of(html):
    return html.split('name="form_key" type="hidden" value="')[1].split('"')[0]


def hidden_fields(html):
    """The version, original and form key a page's form carries."""
    fields = {}
    for name in ("version", "original", "form_key"):
        chunk = html.split(f'name="{name}" type="hidden" value="')[1].split('"')[0]
        fields[name] = chunk.replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")
    return fields


def test_a_new_event_form_sent_twice_makes_one_event(logged_in, app_ctx):
    """A second click on Save, or "Send again" after an outage whose first save went through:
    the form's key finds the event it made. Typed on after Back, it makes none either."""
    key = form_key_of(logged_in.get("/staff/events/new").text)
    data = {**FORM, "form_key": key}
    first = logged_in.post("/staff/events/new", data=data)
    second = logged_in.post("/staff/events/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert "already saved" in logged_in.get(second.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(Event.id))) == 1
    # Any field changed since is shown against the event it made, not only the texts.
    changes = (
        {"title": "Another Outlook"},
        {"start_date": "2026-11-12", "end_date": "2026-11-12"},
        {"timezone": "Europe/London"},
        {"organizer": "Someone else"},
        {"speakers": "Ana Ruiz | CTO | Acme"},
        {"kind": "audio"},
    )
    for change in changes:
        changed = logged_in.post("/staff/events/new", data={**data, **change})
        assert changed.status_code == 409, change
        assert "This event was already created from this form" in changed.text
    assert db.session.scalar(select(func.count(Event.id))) == 1
    # A key no form of ours makes is ignored, not trusted.
    odd = logged_in.post("/staff/events/new", data={**FORM, "title": "Odd", "form_key": "x"})
    assert odd.status_code == 302
    assert db.session.scalar(select(Event.form_key).where(Event.title == "Odd")) is None


def test_back_to_a_saved_new_event_typed_on_and_saved_is_shown_against_it(logged_in, app_ctx):
    """I create an event, press Back (my typing comes back, key and all), correct the title
    and save: no second event; its edit page shows my change against it, nothing saved yet.
    Save makes it an edit of that event; "Save as a new event" makes another, once."""
    key = form_key_of(logged_in.get("/staff/events/new").text)
    data = {**FORM, "form_key": key}
    made = logged_in.post("/staff/events/new", data=data).headers["Location"]
    event = db.session.scalar(select(Event))
    again = logged_in.post("/staff/events/new", data={**data, "title": "Optical Outlook 2027"})
    assert again.status_code == 409
    html = " ".join(again.text.split())
    assert "This event was already created from this form" in html
    assert f'action="{made}"' in html  # its Save edits the event
    row = html.split('<th scope="row">Title</th>')[1].split("</tr>")[0]
    assert "Optical Networks Outlook" in row and "Optical Outlook 2027" in row
    assert '<th scope="row">Summary</th>' not in html  # unchanged: not listed
    row = html.split('<th scope="row">Slug</th>')[1].split("</tr>")[0]  # left empty: the title's
    assert "optical-networks-outlook" in row and "optical-outlook-2027" in row
    assert 'value="Optical Outlook 2027"' in html.split('class="event-form"')[1]
    assert 'formaction="/staff/events/new"' in html  # Save as a new event
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Event.id))) == 1
    assert db.session.get(Event, event.id).title == FORM["title"]

    page = hidden_fields(again.text)
    assert page["form_key"] != key
    edit = {**data, **page, "title": "Optical Outlook 2027"}
    assert logged_in.post(made, data=edit).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Event, event.id)
    assert (saved.title, saved.slug) == ("Optical Outlook 2027", "optical-outlook-2027")
    as_new = {**edit, "title": "Optical Outlook 2028"}
    for _ in range(2):  # a second click finds the one it made
        response = logged_in.post("/staff/events/new", data=as_new)
        assert response.status_code == 302 and response.headers["Location"] != made
    assert db.session.scalar(select(func.count(Event.id))) == 2
    assert db.session.scalar(select(Event.slug).where(Event.title == "Optical Outlook 2028")) == (
        "optical-outlook-2028"
    )


def test_a_resent_new_event_forms_page_is_under_the_dashboard_not_new_event(logged_in, app_ctx):
    """The page a resent new-event form gets edits the event it made ("Edit event"): the
    staff navigation marks the Dashboard (where editing is), not "New event", as where I am."""
    key = form_key_of(logged_in.get("/staff/events/new").text)
    data = {**FORM, "form_key": key}
    assert logged_in.post("/staff/events/new", data=data).status_code == 302
    again = logged_in.post("/staff/events/new", data={**data, "title": "Optical Outlook 2027"})
    assert again.status_code == 409 and "<h1>Edit event</h1>" in again.text
    current = re.findall(r'<a href="([^"]*)"[^>]*aria-current="page"', again.text)
    assert current == ["/staff/"], current


def test_a_resent_new_event_form_takes_in_what_was_saved_to_the_event_since(
    app, logged_in, app_ctx, create_user
):  # fmt: skip
    """Between my save and my Back, a colleague changed the event: their summary comes into
    my form (I left it alone), the organizer we both changed keeps mine, marked; and a resent
    form with a mistake says so beside the field, still without making a second event."""
    key = form_key_of(logged_in.get("/staff/events/new").text)
    data = {**FORM, "form_key": key}
    assert logged_in.post("/staff/events/new", data=data).status_code == 302
    event = db.session.scalar(select(Event))
    create_user("colleague@example.com", "correct horse battery")
    colleague = app.test_client()
    colleague.post(
        "/staff/login", data={"email": "colleague@example.com", "password": "correct horse battery"}
    )
    theirs = {**FORM, **edit_page_fields(colleague, event.id), "slug": event.slug,
              "summary": "Their summary", "organizer": "Their organizer"}  # fmt: skip
    assert colleague.post(f"/staff/events/{event.id}/edit", data=theirs).status_code == 302

    mine = {**data, "title": "My title", "organizer": "My organizer"}
    response = logged_in.post("/staff/events/new", data=mine)
    assert response.status_code == 409
    form_part = response.text.split('class="event-form"', 1)[1]
    assert 'value="My title"' in form_part and 'value="My organizer"' in form_part
    assert "Their summary</textarea>" in form_part
    assert '<tr class="conflict-both"><th scope="row">Organizer</th>' in response.text
    saved = {**mine, **hidden_fields(response.text), "summary": "Their summary"}
    assert logged_in.post(f"/staff/events/{event.id}/edit", data=saved).status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.title, event.summary, event.organizer) == (
        "My title", "Their summary", "My organizer"
    )  # fmt: skip

    wrong = logged_in.post("/staff/events/new", data={**data, "title": ""})
    assert wrong.status_code == 400
    assert "This event was already created from this form" in wrong.text
    assert 'class="error"' in wrong.text.split('class="event-form"', 1)[1]
    assert db.session.scalar(select(func.count(Event.id))) == 1


def test_a_live_event_whose_venue_is_not_known_yet_is_saved_and_said_so(logged_in, client, app_ctx):
    """An editor announces a summit before its venue is booked, or edits an imported event
    whose place matched no venue (a live event could not be saved without one). Visitors read
    "Venue to be announced", not "Online"."""
    data = {**FORM, "kind": "live", "venue": "", "online_url": "", "timezone": "Europe/Berlin",
            "start_date": "2030-11-10", "end_date": "2030-11-10"}  # fmt: skip
    assert logged_in.post("/staff/events/new", data=data).status_code == 302
    event = db.session.scalar(select(Event))
    assert (event.kind, event.venue_id, event.is_online) == ("live", None, False)
    listing = client.get("/events/").get_data(as_text=True)
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    for html in (listing, page):
        assert "Venue to be announced" in html and ">Online<" not in html
    structured = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page, re.S)[1])
    assert "location" not in structured  # no Place without an address (jsonld.event_jsonld)
    assert structured["eventAttendanceMode"].endswith("OfflineEventAttendanceMode")
    atom = client.get("/feeds/all.atom").get_data(as_text=True)
    assert "· Venue to be announced" in atom


def test_an_event_that_takes_no_time_is_saved_again_and_shown_as_its_start(
    logged_in, app_ctx, create_event
):
    """An import of a DTSTART alone ends at its start (RFC 5545): a later edit saves it as it is,
    its page gives one time, and its .ics has no DTEND (which must be later than DTSTART)."""
    start = datetime(2026, 11, 10, 19, 0, tzinfo=UTC)  # 14:00 in New York
    event = create_event(title="Call for papers closes", start=start, minutes=0)
    page = logged_in.get(f"/staff/events/{event.id}/edit").get_data(as_text=True)
    assert 'name="end_time" type="time" value="14:00"' in page
    data = {**FORM, **edit_page_fields(logged_in, event.id), "slug": event.slug}
    data.update(title="Call for papers closes", end_time="14:00", organizer="Programme committee")
    assert logged_in.post(f"/staff/events/{event.id}/edit", data=data).status_code == 302
    db.session.refresh(event)
    assert (event.organizer, event.start_at, event.end_at) == ("Programme committee", start, start)
    detail = logged_in.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Nov 10, 2026, 2:00 PM EST" in detail and "2:00 – 2:00" not in detail
    ics = logged_in.get(f"/events/{event.slug}.ics").get_data(as_text=True)
    assert "DTSTART;TZID=America/New_York:20261110T140000" in ics and "DTEND" not in ics


def test_a_form_sent_again_with_a_new_venue_or_as_a_series_makes_nothing_twice(logged_in, app_ctx):
    """The zone left to the venue's, a venue typed in, a series: sent again, all found."""
    venue = {"kind": "live", "venue": "new", "timezone": "", "new_venue-name": "Westin",
             "new_venue-city": "Denver", "new_venue-timezone": "America/Denver"}  # fmt: skip
    weekly = {"repeat-freq": "weekly", "repeat-interval": "1", "repeat-weekdays": ["TU"],
              "repeat-ends": "after", "repeat-count": "5"}  # fmt: skip
    for extra in (venue, weekly):
        page = logged_in.get("/staff/events/new").get_data(as_text=True)
        key = page.split('name="form_key" type="hidden" value="')[1].split('"')[0]
        data = {**FORM, **extra, "title": f"Sent again {len(extra)}", "form_key": key}
        first = logged_in.post("/staff/events/new", data=data)
        second = logged_in.post("/staff/events/new", data=data)
        assert first.headers["Location"] == second.headers["Location"], extra
    assert db.session.scalar(select(func.count()).where(Event.series_id.is_(None))) == 2
    assert db.session.scalar(select(func.count(Venue.id))) == 1
    # The same key, but the venue typed in another city and zone, another address typed, or
    # the series' weekday changed: changes to the event it made, shown against it (the first
    # was kept, an hour off what was sent); none makes a second event or venue.
    page = logged_in.get("/staff/events/new").get_data(as_text=True)
    key = page.split('name="form_key" type="hidden" value="')[1].split('"')[0]
    data = {**FORM, **venue, "new_venue-name": "Hall N", "title": "Venue moved", "form_key": key}
    first = logged_in.post("/staff/events/new", data=data)
    assert first.status_code == 302, re.findall(r"class=\"error\"[^>]*>([^<]*)", first.text)
    elsewhere = {**data, "new_venue-name": "Hall L", "new_venue-city": "Lyon",
                 "new_venue-timezone": "Europe/Paris"}  # fmt: skip
    for changed in (elsewhere, {**data, "slug": "venue-moved-again"}):
        again = logged_in.post("/staff/events/new", data=changed)
        assert again.status_code == 409, re.findall(r"class=\"error\"[^>]*>([^<]*)", again.text)
        assert f'action="{first.headers["Location"]}"' in again.text, changed
    assert db.session.scalar(select(func.count()).where(Event.title == "Venue moved")) == 1
    assert db.session.scalar(select(func.count(Venue.id))) == 2
    series_form = {**FORM, **weekly, "title": "Sent again 5", "form_key": key}
    series_form["form_key"] = form_key_of(logged_in.get("/staff/events/new").text)
    made = logged_in.post("/staff/events/new", data=series_form).headers["Location"]
    again = logged_in.post("/staff/events/new", data={**series_form, "repeat-weekdays": ["WE"]})
    assert again.status_code == 409 and f'action="{made}"' in again.text
    assert '<th scope="row">Repeats</th>' in again.text
    assert db.session.scalar(select(func.count()).where(Event.series_master)) == 2


@pytest.mark.postgres
def test_two_events_deleted_at_once_that_had_one_address_leave_its_row_once(
    app, admin, app_ctx, create_event
):
    """Event A has the address x now, event B had it before: both deletes write x's row in
    deleted_events. Two admins delete them at the same moment: neither is an error page, and
    x has one row. (Each takes the feed_state lock at its first flush, changes._lock_and_stamp,
    which serialises them: without that lock the second was a 503, a duplicate key or a
    deadlock.)"""
    postgres_url()
    a = create_event(title="Summit A", slug="summit")
    b = create_event(title="Summit B", slug="summit-b")
    db.session.add(FormerSlug(slug="summit", event_id=b.id))
    db.session.commit()
    start = threading.Barrier(2)
    codes: list[int] = []

    def delete(event_id: int) -> None:
        client = app.test_client()
        AuthActions(client).login("admin@example.com")
        start.wait(10)
        codes.append(client.post(f"/staff/events/{event_id}/delete").status_code)

    threads = [threading.Thread(target=delete, args=(event_id,)) for event_id in (a.id, b.id)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == [302, 302]
    db.session.expire_all()
    rows = db.session.scalars(select(DeletedEvent).order_by(DeletedEvent.slug)).all()
    assert [row.slug for row in rows] == ["summit", "summit-b"]


def test_an_address_recorded_deleted_twice_keeps_one_row_with_the_later_title(app_ctx):
    first, later = NOW - timedelta(days=1), NOW
    record_deleted(db.session, "summit", "Summit 2025", first)
    record_deleted(db.session, "summit", "Summit 2026", later)
    db.session.commit()
    rows = db.session.execute(select(DeletedEvent.title, DeletedEvent.deleted_at)).all()
    assert rows == [("Summit 2026", later)]


LONG_VENUE = "The Margaret Hollingsworth-Abernathy Memorial Conference Centre and Exhibition Hall"


def venue_place(html: str) -> str:
    """The line below the Venue list that names the chosen venue in full ("" when hidden)."""
    found = re.search(r'<p class="hint venue-place" id="venue-place"( hidden)?>(.*?)</p>', html)
    assert found, "no venue-place line"
    return "" if found[1] else re.sub(r"<[^>]+>", "", found[2]).strip()


def test_the_chosen_venue_is_named_in_full_below_the_list(logged_in, create_venue, create_event):
    """A phone's closed list cuts a long venue name: the whole name and address stand below
    it, and each venue's go to staff.js for another choice; no venue, no line."""
    venue = create_venue(name=LONG_VENUE, address="1200 North Riverside Boulevard",
                         city="Minneapolis", region="MN", timezone="America/Chicago")  # fmt: skip
    event = create_event(kind="live", venue=venue, zone="America/Chicago")
    html = logged_in.get(f"/staff/events/{event.id}/edit").get_data(as_text=True)
    assert venue_place(html) == (
        f"{LONG_VENUE} 1200 North Riverside Boulevard, Minneapolis, MN, United States"
    )
    places = re.search(r"data-venue-places='([^']*)'", html)[1].replace("&#34;", '"')
    assert json.loads(places)[str(venue.id)] == [LONG_VENUE, venue.full_address]
    assert venue_place(logged_in.get("/staff/events/new").get_data(as_text=True)) == ""


def test_the_chosen_venues_name_and_address_each_take_their_own_direction(
    logged_in, create_venue, create_event
):
    """A Hebrew or Arabic venue's name and address below the list were laid out in the
    page's left-to-right order (its words and the commas between them mixed up); each is
    dir="auto", as the public pages' venue names are, also while no venue is chosen (staff.js
    fills the same elements)."""
    venue = create_venue(name="היכל התרבות", address="שדרות חן 2", city="תל אביב", region="",
                         country="ישראל", timezone="Asia/Jerusalem")  # fmt: skip
    event = create_event(kind="live", venue=venue, zone="Asia/Jerusalem")
    html = logged_in.get(f"/staff/events/{event.id}/edit").get_data(as_text=True)
    assert '<span class="venue-place-name" dir="auto">היכל התרבות</span>' in html
    assert '<span class="venue-place-address" dir="auto">שדרות חן 2, תל אביב, ישראל</span>' in html
    empty = logged_in.get("/staff/events/new").get_data(as_text=True)
    assert '<span class="venue-place-name" dir="auto"></span>' in empty
    assert '<span class="venue-place-address" dir="auto"></span>' in empty


def test_a_resent_form_says_an_empty_address_is_made_from_the_title(logged_in, app_ctx):
    """Back to a saved new event, a new title, Address left empty: the Slug row shows the
    address the title makes, and says that is where it comes from (the field is empty); an
    address typed is shown as typed, with nothing to explain."""
    key = form_key_of(logged_in.get("/staff/events/new").text)
    data = {**FORM, "form_key": key}
    logged_in.post("/staff/events/new", data=data)
    again = logged_in.post("/staff/events/new", data={**data, "title": "Optical Outlook 2027"})
    assert again.status_code == 409
    row = " ".join(again.text.split()).split('<th scope="row">Slug</th>')[1].split("</tr>")[0]
    yours = re.sub(
        r"<[^>]+>", " ", row.split('data-label="In the form now (yours)"')[1].split(">", 1)[1]
    )
    assert " ".join(yours.split()) == (
        "optical-outlook-2027 The Address field is empty, so this is made from the title: "
        "/events/optical-outlook-2027"
    )
    typed = {**data, "title": "Optical Outlook 2027", "slug": "optical-2027"}
    again = logged_in.post("/staff/events/new", data=typed)
    assert again.status_code == 409 and "optical-2027" in again.text
    assert "slug-made-from-title" not in again.text
