"""A weekly series over its whole life, as subscribed calendars see it: staff forms change it
step by step, and after each step every feed is read by every reader, each reader one process
across all the steps (as a long-lived client keeps what it learned)."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from conftest import NOW
from servers import form_values
from sqlalchemy import select
from test_staff_events import edit_page_fields
from test_staff_series import SHOW as A_YEAR_OF_SHOWS

from events_app.extensions import db
from events_app.feeds import ical
from events_app.feeds.ical import STATUS_MAP
from events_app.models import Event
from tests.ical_expanders import (
    expand_many_with_icaljs,
    expand_many_with_libical,
    expand_many_with_vobject,
    expand_with_recurring_ical_events,
)
from tests.ical_readers import (
    ReaderUnavailable,
    read_many_with_icaljs,
    read_many_with_libical,
    read_many_with_vobject,
    read_with_icalendar,
)
from tests.tools import require_tool

SHOW = {**A_YEAR_OF_SHOWS, "repeat-until": "2026-09-24", "repeat-scope": "all"}
LO, HI = NOW - timedelta(days=1), NOW + timedelta(days=400)
FEEDS = ("/feeds/all.ics", "/feeds/events.ics?kind=audio", "/events/the-telecom-hour.ics")
DATES = ("2026-07-09", "2026-07-23")  # one moved on its own, one not: their own .ics
READERS = {
    "icalendar": lambda files: [read_with_icalendar(f) for f in files],
    "vobject": read_many_with_vobject,
    "ical.js": read_many_with_icaljs,
    "libical": read_many_with_libical,
}
EXPANDERS = {
    "recurring-ical-events": lambda files, lo, hi: [
        expand_with_recurring_ical_events(f, lo, hi) for f in files
    ],
    "vobject": expand_many_with_vobject,
    "ical.js": expand_many_with_icaljs,
    "libical": expand_many_with_libical,
}


@dataclass
class Life:
    client: object
    steps: list[str] = field(default_factory=list)
    files: list[bytes] = field(default_factory=list)  # every feed of every step, in order
    where: list[tuple[str, str]] = field(default_factory=list)  # (step, feed) of each file
    expected: list[set] = field(default_factory=list)  # the site's dates of each file
    date_files: list[bytes] = field(default_factory=list)  # DATES' own .ics, step by step
    date_expected: list[dict] = field(default_factory=list)  # each as the site has it
    uids: set[str] = field(default_factory=set)
    cache: dict[str, object] = field(default_factory=dict)  # each URL's last 200 response

    def masters(self) -> list[Event]:
        db.session.expire_all()
        found = db.session.scalars(
            select(Event).where(Event.series_master.is_(True), Event.slug.like("the-telecom-%"))
        )
        return list(found)

    def site_dates(self) -> set:
        """What the site shows: each date taking place, by its series' UID, start and end."""
        dates = set()
        for master in self.masters():
            self.uids.add(master.uid)
            for o in master.occurrences:
                if o.status in ("published", "postponed"):
                    dates.add((master.uid, o.start_at, o.end_at))
        return dates

    def fetch(self, url: str) -> bytes:
        """The file as a polling client has it: asked for with the ETag and Last-Modified it
        has (both, or Last-Modified alone every other time), kept on 304."""
        kept = self.cache.get(url)
        headers = {}
        if kept is not None:
            headers["If-Modified-Since"] = kept.headers["Last-Modified"]
            if len(self.steps) % 2:
                headers["If-None-Match"] = kept.headers["ETag"]
        response = self.client.get(url, headers=headers)
        if response.status_code == 304:
            assert kept is not None
            return kept.data
        assert response.status_code == 200, (url, response.status_code)
        self.cache[url] = response
        return response.data

    def snapshot(self, step: str) -> None:
        expected = self.site_dates()
        self.steps.append(step)
        for url in FEEDS:
            self.files.append(self.fetch(url))
            self.where.append((step, url))
            self.expected.append(expected)
        show = the_show()
        for day in DATES if show is not None else ():
            one = date_of(show, day)
            self.date_files.append(self.fetch(f"/events/the-telecom-hour/{day}.ics"))
            self.date_expected.append(
                {one.calendar_uid: (one.start_at, one.end_at, STATUS_MAP[one.status])}
            )


def taking_place(instances: set, uids: set[str]) -> set:
    return {
        (uid, start, end)
        for uid, start, end, summary in instances
        if uid in uids and not summary.startswith("Cancelled: ")
    }


def the_show(slug: str = "the-telecom-hour") -> Event:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.slug == slug))


def date_of(master: Event, day: str) -> Event:
    return next(o for o in master.occurrences if o.recurrence_id.date().isoformat() == day)


def date_form(client, event: Event, **changes) -> dict:
    """What one date's edit page sends, as it stands, with these changes."""
    page = client.get(f"/staff/events/{event.id}/edit").text
    data = {**form_values(page), "repeat-scope": "this"}
    data.update(changes)
    return data


def master_form(client, master: Event, **changes) -> dict:
    rule = master.rule
    data = {
        **SHOW,
        "timezone": master.timezone,
        "start_date": rule.start_local.date().isoformat(),
        "start_time": rule.start_local.strftime("%H:%M"),
        "end_date": rule.start_local.date().isoformat(),
        "end_time": (rule.start_local + timedelta(minutes=rule.duration_minutes)).strftime("%H:%M"),
        "repeat-until": rule.until.isoformat(),
        **edit_page_fields(client, master.id),
    }
    data.update(changes)
    return data


def ok(response) -> None:
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]


def split_at_aug_20(client) -> None:
    """The show's form of Aug 20 saved for it and the following dates, an hour earlier from
    there on: "this and following" makes the later dates a series of their own."""
    cut = date_of(the_show(), "2026-08-20")
    form = date_form(client, cut, start_time="10:00", end_time="11:00")
    ok(client.post(f"/staff/events/{cut.id}/edit", data={**form, "repeat-scope": "following"}))


@pytest.fixture
def life(app, client, auth, admin):
    app.config["NOW"] = NOW
    auth.login("admin@example.com")
    return Life(client)


def live_a_life(life: Life) -> None:
    client = life.client
    ok(client.post("/staff/events/new", data=SHOW))
    life.snapshot("created")
    show = the_show()
    moved = date_of(show, "2026-07-09")
    ok(client.post(f"/staff/events/{moved.id}/edit", data=date_form(
        client, moved, start_date="2026-07-10", end_date="2026-07-10", start_time="15:00",
        end_time="16:00")))  # fmt: skip
    life.snapshot("moved one date")
    cancelled = date_of(the_show(), "2026-07-16")
    ok(client.post(f"/staff/events/{cancelled.id}/status", data={"status": "cancelled"}))
    life.snapshot("cancelled one date")
    show = the_show()
    ok(client.post(f"/staff/events/{show.id}/edit", data=master_form(
        client, show, start_time="13:00", end_time="14:00")))  # fmt: skip
    life.snapshot("new time for all")
    moved = date_of(the_show(), "2026-07-09")
    ok(client.post(f"/staff/events/{moved.id}/edit", data=date_form(
        client, moved, start_time="16:00", end_time="17:00")))  # fmt: skip
    life.snapshot("moved date moved again")
    split_at_aug_20(client)
    life.snapshot("this and following")
    later = date_of(the_show("the-telecom-hour-from-2026-08-20"), "2026-09-03")
    ok(
        client.post(
            f"/staff/events/{later.id}/edit",
            data=date_form(
                client, later, timezone="Europe/London", start_time="18:00", end_time="19:00"
            ),
        )
    )
    life.snapshot("one date of the new part in its own zone")
    moved = date_of(the_show(), "2026-07-09")
    ok(client.post(f"/staff/events/{moved.id}/edit", data=date_form(
        client, moved, start_date="2026-07-09", end_date="2026-07-09", start_time="13:00",
        end_time="14:00")))  # fmt: skip
    life.snapshot("moved date put back")
    show = the_show()
    ok(client.post(f"/staff/events/{show.id}/edit", data=master_form(
        client, show, timezone="America/Chicago")))  # fmt: skip
    life.snapshot("new zone")
    show = the_show()
    ok(client.post(f"/staff/events/{show.id}/edit", data=master_form(
        client, show, **{"repeat-until": "2026-07-30"})))  # fmt: skip
    life.snapshot("ends early")
    show = the_show()
    ok(client.post(f"/staff/events/{show.id}/edit", data=master_form(
        client, show, **{"repeat-until": "2026-08-13"})))  # fmt: skip
    life.snapshot("lengthened")
    one = date_of(the_show(), "2026-07-23")
    assert client.post(f"/staff/events/{one.id}/delete").status_code == 409
    cancelled = date_of(the_show(), "2026-07-16")
    ok(client.post(f"/staff/events/{cancelled.id}/status", data={"status": "published"}))
    life.snapshot("un-cancelled")
    own = client.get("/events/the-telecom-hour.ics").data
    calendar = icalendar.Calendar.from_ical(own)
    master = next(e for e in calendar.walk("VEVENT") if "RRULE" in e)
    master["SUMMARY"] = "The Telecom Hour (imported)"
    master["SEQUENCE"] = int(master["SEQUENCE"]) + 1
    # An hour later, two more weeks, and the date of Jul 30 moved to the Friday.
    for name in ("DTSTART", "DTEND"):
        master[name].dt = master[name].dt + timedelta(hours=1)
    master["RRULE"]["UNTIL"] = [master["RRULE"]["UNTIL"][0] + timedelta(days=14, hours=1)]
    moved = icalendar.Event()
    for name in ("UID", "SUMMARY", "DTSTAMP"):
        moved.add(name, master[name])
    moved.add("RECURRENCE-ID", master["DTSTART"].dt.replace(month=7, day=30))
    moved.add("DTSTART", master["DTSTART"].dt.replace(month=7, day=31))
    moved.add("DTEND", master["DTEND"].dt.replace(month=7, day=31))
    calendar.add_component(moved)
    response = client.post(
        "/staff/import/",
        data={"file": (io.BytesIO(calendar.to_ical()), "show.ics")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    ok(client.post(response.headers["Location"], data={"publish": "y"}))
    life.snapshot("import")
    show = the_show()
    ok(client.post(f"/staff/events/{show.id}/status", data={"status": "cancelled"}))
    life.snapshot("series cancelled")
    one = date_of(the_show(), "2026-07-23")
    ok(client.post(f"/staff/events/{one.id}/status", data={"status": "postponed"}))
    ok(client.post(f"/staff/events/{show.id}/status", data={"status": "published"}))
    life.snapshot("series published again")
    for master in life.masters():
        ok(client.post(f"/staff/events/{master.id}/delete"))
    life.snapshot("deleted")


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_every_reader_follows_a_series_through_its_life(life, reader):
    live_a_life(life)
    try:
        expanded = EXPANDERS[reader](life.files, LO, HI)
    except ReaderUnavailable as exc:
        require_tool(str(exc))
    wrong = []
    for where, expected, instances in zip(life.where, life.expected, expanded, strict=True):
        seen = taking_place(instances, life.uids)
        if seen != expected:
            wrong.append((where, sorted(seen - expected), sorted(expected - seen)))
    assert not wrong, "\n".join(map(str, wrong))


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_a_series_file_keeps_the_dates_this_and_following_moved_on(life, reader):
    """Google is offered to subscribe to a series' own .ics: after "this and following" made
    a new series of the later dates, that file still has them (the file of either part holds
    both), or the subscribed show stopped at the split."""
    client = life.client
    ok(client.post("/staff/events/new", data=SHOW))
    split_at_aug_20(client)
    expected = life.site_dates()
    assert len({uid for uid, _, _ in expected}) == 2
    files = [
        client.get(url).data
        for url in ("/events/the-telecom-hour.ics", "/events/the-telecom-hour-from-2026-08-20.ics")
    ]
    try:
        expanded = EXPANDERS[reader](files, LO, HI)
    except ReaderUnavailable as exc:
        require_tool(str(exc))
    assert [taking_place(found, life.uids) for found in expanded] == [expected, expected]


def components(data: bytes) -> dict[tuple, dict]:
    """Each VEVENT by (UID, RECURRENCE-ID in UTC): its SEQUENCE and what a change of it is."""
    found = {}
    for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        rid = event.get("RECURRENCE-ID")
        exdates = event.get("EXDATE", [])
        exdates = exdates if isinstance(exdates, list) else [exdates]
        found[(str(event["UID"]), rid and rid.dt.astimezone(UTC))] = {
            "sequence": int(event.get("SEQUENCE", 0)),
            "what": (
                event["DTSTART"].dt.astimezone(UTC),
                event.get("DTEND") and event["DTEND"].dt.astimezone(UTC),
                str(event.get("STATUS")),
                event.get("RRULE") and event["RRULE"].to_ical(),
                sorted(d.dt.astimezone(UTC) for e in exdates for d in e.dts),
            ),
        }
    return found


def test_sequence_rises_whenever_what_a_calendar_shows_of_an_event_changes(life):
    live_a_life(life)
    last: dict[str, dict] = {}
    wrong = []
    for (step, url), data in zip(life.where, life.files, strict=True):
        now = components(data)
        for key, item in now.items():
            before = last.get(url, {}).get(key)
            if before is None:
                continue
            if item["sequence"] < before["sequence"] or (
                item["what"] != before["what"] and item["sequence"] == before["sequence"]
            ):
                wrong.append((step, url, key, before, item))
        last[url] = now
    assert not wrong, "\n".join(map(str, wrong))


def google_gets(client, link: str) -> bytes:
    """The calendar Google makes of a link: the .ics a subscription reads, or the series an
    add link's dates, zone and rule make."""
    query = parse_qs(urlsplit(html.unescape(link)).query)
    if "cid" in query:
        return client.get(urlsplit(query["cid"][0]).path).data
    zone = ZoneInfo(query["ctz"][0])
    start, end = (
        datetime.strptime(t, "%Y%m%dT%H%M%S").replace(tzinfo=zone)
        for t in query["dates"][0].split("/")
    )
    event = icalendar.Event.from_ical(f"BEGIN:VEVENT\r\n{query['recur'][0]}\r\nEND:VEVENT\r\n")
    event.add("UID", the_show().uid)
    event.add("SUMMARY", query["text"][0])
    event.add("DTSTART", start)
    event.add("DTEND", end)
    calendar = icalendar.Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", "-//Google, as a test reads its link//EN")
    calendar.add_component(icalendar.Timezone.from_ical(ical.vtimezones_text([zone.key])))
    calendar.add_component(event)
    return calendar.to_ical()


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_google_is_offered_every_part_of_a_split_series(life, reader):
    """The first part's page offered Google an add link whose rule ends at the split: the
    show stopped there in the visitor's calendar. It subscribes Google to the .ics now."""
    client = life.client
    ok(client.post("/staff/events/new", data=SHOW))
    split_at_aug_20(client)
    expected = life.site_dates()
    page = client.get("/events/the-telecom-hour").text
    links = re.findall(r'href="(https://calendar\.google\.com/[^"]+)"', page)
    assert len(links) == 1
    try:
        (expanded,) = EXPANDERS[reader]([google_gets(client, links[0])], LO, HI)
    except ReaderUnavailable as exc:
        require_tool(str(exc))
    assert taking_place(expanded, life.uids) == expected


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_dates_own_file_follows_it_through_the_life_of_its_series(life, reader):
    """A date's .ics, read again after every step by one reader process: its UID stays, its
    instants and status are the site's."""
    live_a_life(life)
    try:
        read = READERS[reader](life.date_files)
    except ReaderUnavailable as exc:
        require_tool(str(exc))
    seen = [
        {uid: (e["start"], e["end"], e["status"]) for uid, e in events.items()} for events in read
    ]
    assert seen == life.date_expected
    assert len({uid for one in seen for uid in one}) == len(DATES)


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_a_part_deleted_is_not_kept_by_a_client_asking_if_modified_since(life, reader):
    """A client that asks with If-Modified-Since alone got 304 for the series' .ics once a
    later part was deleted (its newest change went with it) and kept the deleted dates."""
    client = life.client
    ok(client.post("/staff/events/new", data=SHOW))
    split_at_aug_20(client)
    first = client.get("/events/the-telecom-hour.ics")
    assert len({uid for uid, _, _ in life.site_dates()}) == 2
    ok(client.post(f"/staff/events/{the_show('the-telecom-hour-from-2026-08-20').id}/delete"))
    again = client.get(
        "/events/the-telecom-hour.ics",
        headers={"If-Modified-Since": first.headers["Last-Modified"]},
    )
    kept = first.data if again.status_code == 304 else again.data
    expected = life.site_dates()
    try:
        (expanded,) = EXPANDERS[reader]([kept], LO, HI)
    except ReaderUnavailable as exc:
        require_tool(str(exc))
    assert taking_place(expanded, life.uids) == expected


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_a_deleted_series_leaves_the_calendars_subscribed_to_it(life, reader):
    """A deleted series' .ics answered 404, and a calendar app keeps what it last read when
    a feed fails: a calendar subscribed to the series showed every date for good. It is a
    calendar of no events now; the series' pages and its dates' say 410 Gone."""
    client = life.client
    ok(client.post("/staff/events/new", data=SHOW))
    url = "/events/the-telecom-hour.ics"
    assert life.site_dates()
    kept = client.get(url).data
    ok(client.post(f"/staff/events/{the_show().id}/delete"))
    response = client.get(url)
    if response.status_code == 200:
        kept = response.data
    assert not life.site_dates()
    try:
        (expanded,) = EXPANDERS[reader]([kept], LO, HI)
    except ReaderUnavailable as exc:
        require_tool(str(exc))
    assert taking_place(expanded, life.uids) == set()
    for gone in (
        "/events/the-telecom-hour",
        "/events/the-telecom-hour/2026-07-09",
        "/events/the-telecom-hour/2026-07-09.ics",
    ):
        assert client.get(gone).status_code == 410
    assert client.get("/events/never-was.ics").status_code == 404


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_a_series_whose_first_part_was_deleted_keeps_the_later_parts_at_its_address(life, reader):
    """The earlier part of a split series deleted (a tidy-up once it is over): a calendar
    subscribed to the series' address keeps the dates of the part that continues it."""
    client = life.client
    ok(client.post("/staff/events/new", data=SHOW))
    split_at_aug_20(client)
    life.fetch("/events/the-telecom-hour.ics")
    assert len({uid for uid, _, _ in life.site_dates()}) == 2
    ok(client.post(f"/staff/events/{the_show().id}/delete"))
    expected = life.site_dates()
    assert len({uid for uid, _, _ in expected}) == 1
    life.steps.append("deleted")  # the next poll sends Last-Modified alone
    later = "/events/the-telecom-hour-from-2026-08-20"
    for old, new in (
        ("/events/the-telecom-hour", later),
        ("/events/the-telecom-hour/2026-08-27", f"{later}/2026-08-27"),
        ("/events/the-telecom-hour/2026-08-27.ics", f"{later}/2026-08-27.ics"),
    ):
        assert client.get(old).headers.get("Location") == new
    assert client.get("/events/the-telecom-hour/2026-07-09").status_code == 410
    try:
        (expanded,) = EXPANDERS[reader]([life.fetch("/events/the-telecom-hour.ics")], LO, HI)
    except ReaderUnavailable as exc:
        require_tool(str(exc))
    assert taking_place(expanded, life.uids) == expected
