"""An event's or series' address (slug) changed by an editor: the old one leads to the new (a
301 from its page, its .ics, its dates and the API), as WordPress keeps an old slug; once the
event is deleted, every address it had says so (410)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import NOW
from sqlalchemy import select
from test_staff_events import FORM, edit_page_fields
from test_staff_series import SHOW, occurrence_form, on, the_show

from events_app.extensions import db
from events_app.models import Event, FormerSlug


@pytest.fixture
def staff(app, client, auth, admin):
    app.config["NOW"] = NOW
    auth.login("admin@example.com")
    return client


def rename(client, event: Event, slug: str, form: dict, **changes) -> None:
    data = {**form, **edit_page_fields(client, event.id), "slug": slug, **changes}
    assert client.post(f"/staff/events/{event.id}/edit", data=data).status_code == 302


def moved(client, old: str, max_age: int = 60) -> str:
    response = client.get(old)
    assert response.status_code == 301, old
    assert response.headers["Cache-Control"] == f"public, max-age={max_age}", old  # not for good
    return response.headers["Location"]


def test_a_renamed_event_is_found_at_every_address_it_had(staff, app_ctx):
    made = staff.post("/staff/events/new", data={**FORM, "slug": "optcal-outlook"})
    assert made.status_code == 302
    event = db.session.scalar(select(Event))
    rename(staff, event, "optical-outlook", FORM)
    visitor = app_ctx.test_client()
    assert moved(visitor, "/events/optcal-outlook") == "/events/optical-outlook"
    assert moved(visitor, "/events/optcal-outlook.ics") == "/events/optical-outlook.ics"
    api = moved(visitor, "/api/v1/events/optcal-outlook")
    assert api == "http://localhost/api/v1/events/optical-outlook"
    # Asked for among series, to the event (it led to /series/optical-outlook, a 404).
    assert moved(visitor, "/api/v1/series/optcal-outlook") == api
    assert visitor.get(api).get_json()["data"]["title"] == FORM["title"]

    db.session.expire_all()
    rename(staff, event, "optical-networks-2026", FORM)  # again: both earlier ones lead here
    for old in ("/events/optcal-outlook", "/events/optical-outlook"):
        assert moved(visitor, old) == "/events/optical-networks-2026"
    assert visitor.get("/events/optical-networks-2026").status_code == 200

    # A new event given an old address has it: the live address comes first.
    new = {**FORM, "title": "Outlook, the sequel", "slug": "optical-outlook"}
    assert staff.post("/staff/events/new", data=new).status_code == 302
    assert "Outlook, the sequel" in visitor.get("/events/optical-outlook").get_data(as_text=True)

    # Deleted, every address it had says so.
    db.session.expire_all()
    assert staff.post(f"/staff/events/{event.id}/delete").status_code == 302
    for old in ("/events/optcal-outlook", "/events/optical-networks-2026"):
        assert visitor.get(old).status_code == 410, old
        gone = visitor.get("/api/v1" + old)  # the API says so as the page does (it said 404)
        assert gone.status_code == 410 and gone.get_json()["title"] == "Gone", old
    assert db.session.scalars(select(FormerSlug.event_id)).all() == []  # SQLite keeps no FKs


def test_a_draft_renamed_before_it_was_public_keeps_no_old_address(staff, app_ctx):
    draft = {**FORM, "status": "draft"}
    assert staff.post("/staff/events/new", data={**draft, "slug": "wip"}).status_code == 302
    event = db.session.scalar(select(Event))
    rename(staff, event, "optical-outlook", FORM)  # renamed as it is published
    assert db.session.scalar(select(FormerSlug)) is None  # "wip" was never public
    assert app_ctx.test_client().get("/events/wip").status_code == 404


def test_an_event_unpublished_renamed_and_published_again_keeps_its_public_address(staff, app_ctx):
    """The common edit: taken back to draft to rework it, renamed, published again. The
    address it had in public (in newsletters, calendars) leads to it again."""
    assert (
        staff.post("/staff/events/new", data={**FORM, "slug": "optcal-outlook"}).status_code == 302
    )
    event = db.session.scalar(select(Event))
    rename(staff, event, "optcal-outlook", FORM, status="draft")  # unpublished, same address
    db.session.expire_all()
    rename(staff, event, "wip", FORM, status="draft")  # renamed as a draft
    visitor = app_ctx.test_client()
    assert visitor.get("/events/optcal-outlook").status_code == 404  # a draft is not shown
    db.session.expire_all()
    rename(staff, event, "optical-outlook", FORM)  # published again
    assert moved(visitor, "/events/optcal-outlook") == "/events/optical-outlook"
    assert visitor.get("/events/wip").status_code == 404  # never public: not kept

    # Deleted as a draft, the address calendars hold says it is gone.
    db.session.expire_all()
    rename(staff, event, "optical-outlook", FORM, status="draft")
    assert staff.post(f"/staff/events/{event.id}/delete").status_code == 302
    for old in ("/events/optcal-outlook", "/events/optical-outlook"):
        assert visitor.get(old).status_code == 410, old
    assert visitor.get("/events/wip").status_code == 404


def test_a_series_unpublished_renamed_and_published_again_keeps_its_dates_addresses(staff, app_ctx):
    assert staff.post("/staff/events/new", data=SHOW).status_code == 302
    master = the_show()
    rename(staff, master, "the-telecom-hour", SHOW, status="draft")
    db.session.expire_all()
    rename(staff, master, "telecom-hour", SHOW, status="draft")
    db.session.expire_all()
    rename(staff, master, "telecom-hour", SHOW)
    visitor = app_ctx.test_client()
    assert moved(visitor, "/events/the-telecom-hour") == "/events/telecom-hour"
    day = "/events/telecom-hour/2026-07-23"
    assert moved(visitor, "/events/the-telecom-hour/2026-07-23") == day
    assert visitor.get(day).status_code == 200


def test_a_renamed_series_takes_its_dates_addresses_along(staff, app_ctx):
    assert staff.post("/staff/events/new", data=SHOW).status_code == 302
    rename(staff, the_show(), "telecom-hour", SHOW)
    db.session.expire_all()
    master = db.session.scalar(select(Event).where(Event.slug == "telecom-hour"))
    assert on(master, date(2026, 7, 23)).slug == "telecom-hour/2026-07-23"
    visitor = app_ctx.test_client()
    assert moved(visitor, "/events/the-telecom-hour") == "/events/telecom-hour"
    day = "/events/telecom-hour/2026-07-23"
    assert moved(visitor, "/events/the-telecom-hour/2026-07-23") == day
    assert moved(visitor, "/events/the-telecom-hour/2026-07-23.ics") == day + ".ics"
    assert moved(visitor, "/events/the-telecom-hour.ics") == "/events/telecom-hour.ics"
    assert visitor.get(day).status_code == 200
    no_such_date = moved(visitor, "/events/the-telecom-hour/2026-07-24")  # to the series' 404
    assert visitor.get(no_such_date).status_code == 404
    assert visitor.get("/events/the-telecom-hour-2/2026-07-23").status_code == 404
    api = "http://localhost/api/v1"
    for old, new in (
        ("/api/v1/series/the-telecom-hour", f"{api}/series/telecom-hour"),
        # Asked for among events, as its page's address serves both, to the series' own
        # address (it led to /events/telecom-hour, a 404 saying "This is a series").
        ("/api/v1/events/the-telecom-hour", f"{api}/series/telecom-hour"),
        ("/api/v1/events/the-telecom-hour/2026-07-23", f"{api}/events/telecom-hour/2026-07-23"),
    ):
        assert moved(visitor, old) == new
        assert visitor.get(new).status_code == 200, new


def test_a_split_series_renamed_keeps_every_part_in_its_file(staff, app_ctx):
    """ "This and following" names its new part after the series' address; once the first part
    is renamed, each part's .ics still holds both, and a later date's first address still
    leads to the part that has it."""
    assert staff.post("/staff/events/new", data=SHOW).status_code == 302
    cut = on(the_show(), date(2026, 8, 20))
    data = occurrence_form(staff, cut, start_time="10:00", end_time="11:00",
                           **{"repeat-scope": "following"})  # fmt: skip
    assert staff.post(f"/staff/events/{cut.id}/edit", data=data).status_code == 302
    first = the_show()
    until = first.rule.until.isoformat()
    rename(staff, first, "telecom-hour", SHOW, **{"repeat-until": until})
    visitor = app_ctx.test_client()
    for ics in ("/events/telecom-hour.ics", "/events/the-telecom-hour-from-2026-08-20.ics"):
        body = visitor.get(ics).get_data(as_text=True)
        assert body.count("RRULE:FREQ=WEEKLY") == 2, ics  # both parts
    later = "/events/the-telecom-hour-from-2026-08-20/2026-09-03"
    assert moved(visitor, "/events/the-telecom-hour/2026-09-03", 3600) == later  # split


def test_a_slug_renamed_back_is_not_a_loop_in_a_browsers_cache(staff, app_ctx):
    """A -> B, then B -> A: a browser that kept A's 301 to B for an hour went from A to B
    (its cache) and from B to A (the site) until then. A rename's 301 is kept a minute."""
    assert staff.post("/staff/events/new", data={**FORM, "slug": "optcal"}).status_code == 302
    event = db.session.scalar(select(Event))
    rename(staff, event, "optical", FORM)
    visitor = app_ctx.test_client()
    assert moved(visitor, "/events/optcal") == "/events/optical"
    db.session.expire_all()
    rename(staff, event, "optcal", FORM)
    assert moved(visitor, "/events/optical") == "/events/optcal"
    assert visitor.get("/events/optcal").status_code == 200


def test_a_draft_given_an_old_address_is_previewed_there_by_staff(staff, app_ctx):
    """Next year's summit drafted at the address last year's had before its rename (or
    before its deletion): staff opening it get its preview, not the 301 or the 410."""
    assert staff.post("/staff/events/new", data={**FORM, "slug": "summit"}).status_code == 302
    old = db.session.scalar(select(Event))
    rename(staff, old, "summit-2026", FORM)
    gone = staff.post("/staff/events/new", data={**FORM, "slug": "forum"})
    assert gone.status_code == 302
    db.session.expire_all()
    forum = db.session.scalar(select(Event).where(Event.slug == "forum"))
    assert staff.post(f"/staff/events/{forum.id}/delete").status_code == 302
    for slug in ("summit", "forum"):
        draft = {**FORM, "status": "draft", "slug": slug}
        assert staff.post("/staff/events/new", data=draft).status_code == 302
        event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
        response = staff.get(f"/events/{slug}")
        assert response.status_code == 302, slug
        assert response.headers["Location"] == f"/staff/events/{event_id}/preview", slug
    visitor = app_ctx.test_client()
    assert moved(visitor, "/events/summit") == "/events/summit-2026"
    assert visitor.get("/events/forum").status_code == 410


def test_an_event_renamed_back_and_forth_can_be_deleted(staff, app_ctx):
    """A -> B -> A: "A" is both its address and a former one; deleted, each says 410 once."""
    assert staff.post("/staff/events/new", data={**FORM, "slug": "optcal"}).status_code == 302
    event = db.session.scalar(select(Event))
    rename(staff, event, "optical", FORM)
    db.session.expire_all()
    rename(staff, event, "optcal", FORM)
    db.session.expire_all()
    assert staff.post(f"/staff/events/{event.id}/delete").status_code == 302
    visitor = app_ctx.test_client()
    for old in ("/events/optcal", "/events/optical"):
        assert visitor.get(old).status_code == 410, old
        assert "BEGIN:VEVENT" not in visitor.get(f"{old}.ics").get_data(as_text=True), old


def test_a_new_series_at_a_renamed_series_old_address_is_no_part_of_it(staff, app_ctx):
    """The first series, renamed, and a new one at its old address: each .ics holds its own."""
    assert staff.post("/staff/events/new", data=SHOW).status_code == 302
    first = the_show()
    rename(staff, first, "telecom-hour", SHOW)
    new = {**SHOW, "title": "The New Hour", "start_time": "15:00", "end_time": "16:00"}
    assert (
        staff.post("/staff/events/new", data={**new, "slug": "the-telecom-hour"}).status_code == 302
    )
    visitor = app_ctx.test_client()
    for ics, title in (("telecom-hour", "The Telecom Hour"), ("the-telecom-hour", "The New Hour")):
        body = visitor.get(f"/events/{ics}.ics").get_data(as_text=True)
        assert body.count("RRULE:FREQ=WEEKLY") == 1 and f"SUMMARY:{title}" in body, ics


def test_a_deleted_events_address_says_410_though_an_earlier_event_had_it(staff, app_ctx):
    """Z at "summit" renamed away, X given "summit", X deleted: "summit" and its .ics were
    X's last, so they say it is gone; they led subscribers of X's calendar on to Z's."""
    assert staff.post("/staff/events/new", data={**FORM, "slug": "summit"}).status_code == 302
    earlier = db.session.scalar(select(Event))
    rename(staff, earlier, "summit-2025", FORM)
    later = {**FORM, "title": "Summit 2026", "slug": "summit"}
    assert staff.post("/staff/events/new", data=later).status_code == 302
    event_id = db.session.scalar(select(Event.id).where(Event.slug == "summit"))
    assert staff.post(f"/staff/events/{event_id}/delete").status_code == 302
    visitor = app_ctx.test_client()
    assert visitor.get("/events/summit").status_code == 410
    assert "BEGIN:VEVENT" not in visitor.get("/events/summit.ics").get_data(as_text=True)
    assert visitor.get("/events/summit-2025").status_code == 200


def test_a_deleted_events_answers_are_kept_a_minute_as_a_rename_is(app, staff, app_ctx):
    """A deleted event's 410s (its page, a deleted series' date and its .ics, the API) had no
    Cache-Control (the API's said no-store): each cache guessed. Now they are public for a
    minute, as a rename's 301 and a page are (the next save may give the address to a new
    event); a signed-in visitor's page, which shows them signed in, stays private. The empty
    calendar at a deleted event's .ics is a feed like any other."""
    assert staff.post("/staff/events/new", data={**FORM, "slug": "summit"}).status_code == 302
    assert staff.post("/staff/events/new", data=SHOW).status_code == 302
    for slug in ("summit", "the-telecom-hour"):
        event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
        assert staff.post(f"/staff/events/{event_id}/delete").status_code == 302
    visitor = app_ctx.test_client()
    for path in (
        "/events/summit",
        "/events/the-telecom-hour/2026-07-23",
        "/events/the-telecom-hour/2026-07-23.ics",
        "/api/v1/events/summit",
        "/api/v1/events/the-telecom-hour/2026-07-23",
        "/api/v1/series/the-telecom-hour",
    ):
        gone = visitor.get(path)
        assert gone.status_code == 410, path
        assert gone.headers["Cache-Control"] == "public, max-age=60", path
        assert "Set-Cookie" not in gone.headers, path
    signed_in = staff.get("/events/summit")
    assert signed_in.status_code == 410
    assert signed_in.headers["Cache-Control"] == "private, no-cache"
    empty = visitor.get("/events/summit.ics")
    assert empty.status_code == 200 and "BEGIN:VEVENT" not in empty.get_data(as_text=True)
    max_age = app.config["FEED_MAX_AGE"]
    assert empty.headers["Cache-Control"] == f"public, max-age={max_age}" and empty.last_modified
    again = visitor.get("/events/summit.ics", headers={"If-None-Match": empty.headers["ETag"]})
    assert again.status_code == 304


def test_a_pages_404_is_kept_a_minute_as_a_410_is(app, staff, app_ctx):
    """A 404 page had no Cache-Control: each cache guessed. An anonymous visitor's is public
    for a minute, as a 410 is (the next save may publish an event there); a signed-in
    visitor's is private; a staff page's 404 is never kept. The API's 404 is kept as its 410
    is, public whoever asks (it was no-store); its other problems are not kept."""
    visitor = app_ctx.test_client()
    for path in ("/events/no-such-event", "/no-such-page", "/feeds/categories/nothing.ics"):
        missing = visitor.get(path)
        assert missing.status_code == 404, path
        assert missing.headers["Cache-Control"] == "public, max-age=60", path
        assert "Set-Cookie" not in missing.headers, path
    signed_in = staff.get("/events/no-such-event")
    assert signed_in.status_code == 404
    assert signed_in.headers["Cache-Control"] == "private, no-cache"
    for client, path in (
        (staff, "/staff/events/999999/edit"),
        (staff, "/staff/no-such-page"),
        (visitor, "/staff/no-such-page"),
    ):
        missing = client.get(path)
        assert missing.status_code == 404, path
        assert missing.headers["Cache-Control"] == "no-store", path
    api_404s = (
        "/api/v1/events/no-such-event",
        "/api/v1/series/no-such-series",
        "/api/v1/no-such-resource",
        "/embed/list.json/",
    )
    for client in (visitor, staff):
        for path in api_404s:
            missing = client.get(path)
            assert missing.status_code == 404, path
            assert missing.content_type == "application/problem+json", path
            assert missing.headers["Cache-Control"] == "public, max-age=60", path
            assert "Set-Cookie" not in missing.headers, path
    refused = visitor.get("/api/v1/events?nothing=1")
    assert refused.status_code == 400
    assert refused.headers["Cache-Control"] == "no-store"
