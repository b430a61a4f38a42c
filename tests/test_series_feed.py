"""Series in feeds: every reader expands our feed to the occurrences our database (and so our
pages) holds, with the same instants, across DST changes in New York, London and Sydney."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import NOW
from sqlalchemy import select

from events_app import series
from events_app.extensions import db
from events_app.feeds import ical
from events_app.models import Event
from tests.ical_expanders import EXPANDERS
from tests.ical_readers import ReaderUnavailable
from tests.tools import require_tool

WINDOW_START = datetime(2026, 3, 17, tzinfo=UTC)  # NOW less FEED_PAST_DAYS (90), at midnight
WINDOW_END = WINDOW_START + timedelta(days=400)


def occurrence(master: Event, day: date) -> Event:
    found = [o for o in master.occurrences if o.recurrence_id.date() == day]
    assert found, f"{master.title} has no occurrence on {day}"
    return found[0]


@pytest.fixture
def scenario(app, create_series, create_event):
    """Weekly, monthly-by-weekday and twice-weekly series over DST changes, with a cancelled,
    a moved and a retitled occurrence, a "this and following" split, and DST-edge wall times."""
    app.config["NOW"] = NOW
    show = create_series(
        title="The Telecom Hour", kind="audio", start=datetime(2026, 1, 8, 12, 0),
        zone="America/New_York", freq="weekly", weekdays=("TH",),
    )  # fmt: skip
    occurrence(show, date(2026, 11, 26)).status = "cancelled"
    moved = occurrence(show, date(2026, 12, 24))
    moved.set_timed(
        datetime(2026, 12, 22, 20, 0, tzinfo=UTC), datetime(2026, 12, 22, 21, 30, tzinfo=UTC),
        "America/New_York",
    )  # fmt: skip
    occurrence(show, date(2027, 1, 14)).title = "The Telecom Hour: 5G core with Ada"
    # Moved to before the feeds' window, from a date in it and from one still to come: the
    # feed must still replace those dates, or readers make them from the rule.
    for day in (date(2026, 3, 19), date(2027, 3, 4)):
        occurrence(show, day).set_timed(
            datetime(2026, 3, 10, 16, 0, tzinfo=UTC), datetime(2026, 3, 10, 17, 0, tzinfo=UTC),
            "America/New_York",
        )  # fmt: skip
    # Moved into another zone at its wall time (12:00 in Tokyo), a zone no other event uses.
    occurrence(show, date(2027, 2, 11)).set_timed(
        datetime(2027, 2, 11, 3, 0, tzinfo=UTC), datetime(2027, 2, 11, 4, 0, tzinfo=UTC),
        "Asia/Tokyo",
    )  # fmt: skip
    # Another series at the same wall times: each reader must relate an override to its own
    # series (by UID), not to every series with a date at that time.
    create_series(
        title="Same Hour Digest", start=datetime(2026, 1, 8, 12, 0), zone="America/New_York",
        freq="weekly", weekdays=("TH",), until=date(2027, 3, 31),
    )  # fmt: skip

    briefing = create_series(
        title="Optical Briefing", start=datetime(2026, 4, 14, 9, 30), zone="Europe/London",
        freq="monthly", weekdays=("TU",), week_of_month=2, until=date(2027, 6, 30), minutes=45,
    )  # fmt: skip
    twin = series.split(db.session, occurrence(briefing, date(2026, 11, 10)), NOW.date())
    before = series.template_values(twin)
    twin.title = "Optical Briefing (new time)"
    series.set_rule(twin, replace(series.rule_of(twin), start=datetime(2026, 11, 10, 10, 0)))
    series.propagate(twin, before)
    series.sync(twin, NOW.date())

    apac = create_series(
        title="APAC Cloud Webinar", start=datetime(2026, 6, 1, 18, 0), zone="Australia/Sydney",
        freq="weekly", weekdays=("MO", "WE"), count=40,
    )  # fmt: skip
    occurrence(apac, date(2026, 10, 5)).status = "cancelled"
    late = occurrence(apac, date(2026, 10, 7))
    late.set_timed(
        datetime(2026, 10, 8, 9, 0, tzinfo=UTC), datetime(2026, 10, 8, 10, 0, tzinfo=UTC),
        "Australia/Sydney",
    )  # fmt: skip

    create_series(
        title="Night Desk", start=datetime(2026, 3, 1, 2, 30), zone="America/New_York",
        freq="weekly", until=date(2027, 4, 1), minutes=30,
    )  # fmt: skip
    create_series(
        title="Early Desk", start=datetime(2026, 10, 4, 1, 30), zone="America/New_York",
        freq="weekly", until=date(2026, 11, 29), minutes=20,
    )  # fmt: skip
    create_series(
        title="Quarterly Town Hall", start=datetime(2026, 5, 29, 0, 0), zone="Europe/London",
        freq="monthly", interval=3, weekdays=("FR",), week_of_month=-1, all_day=True,
        minutes=1440,
    )  # fmt: skip
    create_event(title="One-off Summit", start=datetime(2026, 9, 1, 14, 0, tzinfo=UTC))
    db.session.commit()
    return {"show": show, "briefing": briefing, "twin": twin, "apac": apac}


def expected_instances() -> set[tuple]:
    """What our pages show (cancelled occurrences are labelled there, removed in calendars)."""
    found = set()
    listed = select(Event).where(Event.series_master.is_(False), Event.status != "draft")
    for e in db.session.scalars(listed):
        if e.status == "cancelled" and e.series_id is not None:
            continue
        uid = e.series.uid if e.series_id else e.uid
        if e.all_day:
            start, end = e.first_day, e.last_day + timedelta(days=1)
            lo = datetime.combine(start, datetime.min.time(), UTC)
            hi = datetime.combine(end, datetime.min.time(), UTC)
        else:
            start, end, lo, hi = e.start_at, e.end_at, e.start_at, e.end_at
        if hi > WINDOW_START and lo < WINDOW_END:
            found.add((uid, start, end, ical.event_summary(e)))
    return found


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_every_reader_expands_the_feed_to_our_occurrences(scenario, client, reader):
    body = client.get("/feeds/all.ics").data
    expected = expected_instances()
    try:
        got = EXPANDERS[reader](body, WINDOW_START, WINDOW_END)
    except ReaderUnavailable as missing:
        require_tool(str(missing))
    assert got - expected == set() and expected - got == set()


def test_the_feed_writes_each_series_once_with_rrule_exdate_and_overrides(scenario, client):
    body = client.get("/feeds/all.ics").data.decode()
    show = scenario["show"]
    # The master, the moved, the retitled one, the one moved into Tokyo time, and the two
    # moved to before the window (their dates, in it, are theirs to replace).
    assert body.count(f"UID:{show.uid}") == 6
    assert "RECURRENCE-ID;TZID=America/New_York:20260319T120000\r\n" in body
    assert "RECURRENCE-ID;TZID=America/New_York:20270304T120000\r\n" in body
    assert "RECURRENCE-ID;TZID=America/New_York:20270211T120000\r\n" in body
    assert "DTSTART;TZID=Asia/Tokyo:20270211T120000\r\n" in body
    assert "RRULE:FREQ=WEEKLY;BYDAY=TH\r\n" in body
    assert "EXDATE;TZID=America/New_York:20261126T120000\r\n" in body
    assert "RECURRENCE-ID;TZID=America/New_York:20261224T120000\r\n" in body
    assert "RECURRENCE-ID;TZID=America/New_York:20270114T120000\r\n" in body
    assert "RRULE:FREQ=MONTHLY;BYDAY=2TU;UNTIL=20261013T083000Z\r\n" in body
    assert "RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR\r\n" in body
    assert "DTSTART;VALUE=DATE:20260529\r\n" in body
    assert scenario["twin"].uid != scenario["briefing"].uid
    # Occurrences are only ever inside their master's block.
    for o in show.occurrences:
        assert f"UID:{o.uid}" not in body


def test_every_zone_a_series_names_has_its_vtimezone(scenario, client, app):
    """In the feed (streamed and built whole) and the series' download: a date moved into a
    zone of its own brings that zone's VTIMEZONE."""
    show = scenario["show"]
    bodies = {"feed": client.get("/feeds/all.ics").data.decode()}
    bodies["download"] = client.get(f"/events/{show.slug}.ics").data.decode()
    app.config["FEED_CACHE_MAX_EVENTS"] = 1  # written to a file as it streams, not built whole
    with client.get("/feeds/webinars.ics") as streamed:
        bodies["streamed"] = streamed.data.decode()
    for name, body in bodies.items():
        named = set(re.findall(r";TZID=([^:;]+)[:;]", body))
        defined = set(re.findall(r"BEGIN:VTIMEZONE\r\nTZID:([^\r]+)", body))
        assert "Asia/Tokyo" in named and named <= defined, (name, named - defined)


def test_our_pages_show_the_instants_the_readers_expand(scenario, client):
    """The series pages' dates (as <time datetime>) are among what every reader expands (the
    cancelled one aside, which our pages keep, labelled)."""
    expanded = EXPANDERS["recurring-ical-events"](
        client.get("/feeds/all.ics").data, WINDOW_START, WINDOW_END
    )
    instants = {(uid, start, end) for uid, start, end, _ in expanded}
    for key in ("show", "apac", "twin"):
        master = scenario[key]
        page = client.get(f"/events/{master.slug}").get_data(as_text=True)
        shown = re.findall(r'<li class="event-item( is-cancelled)?">.*?datetime="([^"]+)" '
                           r'data-end="([^"]+)"', page, re.S)  # fmt: skip
        assert len(shown) >= 8
        for cancelled, start, end in shown:
            if _utc(start) >= WINDOW_END:
                continue
            in_calendars = (master.uid, _utc(start), _utc(end)) in instants
            assert in_calendars != bool(cancelled), (master.title, start, cancelled)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# A feed filtered by dates or a search holds what the list with those filters shows: the dates
# it finds, each written alone (as its download is), never a whole series whose master merely
# spans the range, and never missing a date found by its own details.
FILTERED = (
    "from=2026-11-26&to=2026-11-26",  # a Thursday whose date of the show is cancelled
    "from=2026-12-20&to=2026-12-27",  # the show's date moved from Dec 24 to Dec 22
    "from=2027-08-01&to=2027-08-01",  # a Sunday no series has a date on
    "q=5G+core+with+Ada",  # found by one date's own title, not by its series'
    "q=optical&from=2026-10-01&to=2026-12-31",
)


def _listed(page: str) -> set[tuple[datetime, datetime]]:
    items = re.findall(r'<li class="event-item[^"]*">.*?datetime="([^"]+)" data-end="([^"]+)"',
                       page, re.S)  # fmt: skip
    return {(_utc(start), _utc(end)) for start, end in items}


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_a_filtered_feed_holds_the_dates_its_list_shows(scenario, client, reader):
    for query in FILTERED:
        body = client.get(f"/feeds/events.ics?{query}").data
        listed = _listed(client.get(f"/events/?{query}").get_data(as_text=True))
        try:
            got = EXPANDERS[reader](body, WINDOW_START, WINDOW_END)
        except ReaderUnavailable as missing:
            require_tool(str(missing))
        assert {(start, end) for _, start, end, _ in got} == listed, query
        events = body[body.find(b"BEGIN:VEVENT") :]  # VTIMEZONEs have RRULEs of their own
        assert b"RRULE" not in events and b"RECURRENCE-ID" not in events, query
        dates = db.session.scalars(
            select(Event).where(Event.series_id.is_not(None), Event.start_at.in_(
                [start for start, _ in listed]))
        ).all()  # fmt: skip
        uids = {uid for uid, *_ in got}  # dates' own UIDs (two series may share a start)
        assert uids <= {d.calendar_uid for d in dates} and len(uids) == len(got), query
    assert b"BEGIN:VEVENT" not in client.get(f"/feeds/events.ics?{FILTERED[2]}").data


def test_a_date_in_a_filtered_feed_is_its_download(scenario, client):
    retitled = occurrence(scenario["show"], date(2027, 1, 14))
    body = client.get("/feeds/events.ics?q=5G+core+with+Ada").get_data(as_text=True)
    download = client.get(f"/events/{retitled.slug}.ics").get_data(as_text=True)
    block = download[download.index("BEGIN:VEVENT") : download.index("END:VEVENT")]
    assert body.count("BEGIN:VEVENT") == 1 and block in body
    assert f"UID:{retitled.calendar_uid}\r\n" in block
    assert retitled.calendar_uid == f"{scenario['show'].uid}/20270114"
    # Feeds of whole kinds, categories or places still write the series whole.
    whole = client.get("/feeds/events.ics?kind=audio").get_data(as_text=True)
    assert "RRULE:FREQ=WEEKLY;BYDAY=TH\r\n" in whole and retitled.calendar_uid not in whole


def test_render_blocks_renders_the_dates_of_series_ahead(scenario, app, client):
    """A deploy renders the blocks of series' dates too (their downloads and the feeds filtered
    by dates or a search hold them), so no such request waits for them; masters are left to
    the feeds, as their blocks depend on the day's window."""
    from events_app.feeds import source

    app.config["SITE_URL"] = "http://localhost"
    result = app.test_cli_runner().invoke(args=["feeds", "render-blocks"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    retitled = occurrence(scenario["show"], date(2027, 1, 14))
    assert retitled.ical_block and f"UID:{retitled.calendar_uid}\r\n" in retitled.ical_block
    assert scenario["show"].ical_block is None  # the master: left to the feeds
    stale = select(Event.id).where(Event.series_master.is_(False), Event.status != "draft")
    context = source.block_context(ical.Site("http://localhost", "/events/{slug}"))
    assert db.session.scalars(stale.where(source.stale_blocks(context))).all() == []
    body = client.get("/feeds/events.ics?q=5G+core+with+Ada").get_data(as_text=True)
    assert retitled.ical_block in body


# A date given a category or kind of its own, which its series lacks, is in the feeds of that
# category or kind as the lists show it: alone, under its own UID, not as its whole series.
ALONE_FEEDS = {
    "/feeds/categories/security.ics": "/categories/security",
    "/feeds/events.ics?category=security": "/events/?category=security",
    "/feeds/live.ics": "/events/?kind=live",
    "/feeds/events.ics?kind=live": "/events/?kind=live",
}


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_a_date_of_its_own_category_or_kind_is_in_those_feeds_alone(
    scenario, client, create_category, reader
):
    show, apac = scenario["show"], scenario["apac"]
    own_category = occurrence(show, date(2026, 12, 3))
    own_category.categories = [create_category("Security")]
    own_kind = occurrence(apac, date(2026, 10, 12))
    own_kind.kind = "live"
    db.session.commit()
    for feed, page in ALONE_FEEDS.items():
        body = client.get(feed).data
        listed = _listed(client.get(page).get_data(as_text=True))
        assert len(listed) == 1, page
        try:
            got = EXPANDERS[reader](body, WINDOW_START, WINDOW_END)
        except ReaderUnavailable as missing:
            require_tool(str(missing))
        shown = {(start, end) for _, start, end, _ in got if start >= NOW}  # upcoming, as listed
        assert shown == listed, feed
        uid = (own_category if "security" in feed else own_kind).calendar_uid
        assert {u for u, *_ in got} == {uid}, feed
    atom = client.get("/feeds/categories/security.atom").get_data(as_text=True)
    assert f"/events/{own_category.slug}" in atom and atom.count("<entry>") == 1
    live_atom = client.get("/feeds/live.atom").get_data(as_text=True)
    assert f"/events/{own_kind.slug}" in live_atom


def _dates_of_their_own(scenario, create_category) -> None:
    """The show in "Radio shows" but for three dates in "Security" (one of them cancelled,
    one retitled), and one APAC webinar date made a live event."""
    show, apac = scenario["show"], scenario["apac"]
    shows, security = create_category("Radio shows"), create_category("Security")
    show.categories = [shows]
    for date_ in show.occurrences:
        date_.categories = [shows]
    occurrence(show, date(2027, 1, 14)).categories = [security]  # the retitled one
    occurrence(show, date(2026, 12, 3)).categories = [security]
    occurrence(show, date(2026, 11, 26)).categories = [security]  # cancelled: an EXDATE already
    occurrence(apac, date(2026, 10, 12)).kind = "live"
    db.session.commit()


def test_a_feed_leaving_dates_out_is_its_rendering_from_scratch(
    scenario, app, client, create_category
):
    """source.render_feed, the reference the stored blocks are checked against, leaves out
    what the served feed leaves out."""
    from zoneinfo import ZoneInfo

    from events_app.feeds import source
    from events_app.feeds.views import category_feed
    from events_app.models import Category

    _dates_of_their_own(scenario, create_category)
    shows = db.session.scalar(select(Category).where(Category.slug == "radio-shows"))
    served = client.get("/feeds/categories/radio-shows.ics").data
    assert b"EXDATE;TZID=America/New_York:20261203T120000,20270114T120000" in served
    with app.test_request_context():
        feed = category_feed(shows)
    site = ical.Site("http://localhost", "/events/{slug}")
    fresh = source.render_feed(db.session, feed, site, NOW, 90, ZoneInfo("UTC"))
    assert served == fresh


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_a_feed_of_whole_series_leaves_out_their_dates_that_do_not_match(
    scenario, app, client, create_category, reader
):
    """A date given another kind or category on its own leaves its series' feeds (an EXDATE,
    its override dropped) as it leaves their lists, so a subscriber of both feeds sees it
    once."""
    app.config["PAGE_SIZE"] = 500
    _dates_of_their_own(scenario, create_category)
    pairs = {
        "/feeds/categories/radio-shows.ics": "/categories/radio-shows",
        "/feeds/events.ics?kind=webinar": "/events/?kind=webinar",
        "/feeds/categories/security.ics": "/categories/security",
        "/feeds/events.ics?kind=live": "/events/?kind=live",
    }
    app.config["FEED_CACHE_MAX_EVENTS"] = 1  # streamed into a file, then built whole
    for streamed in (True, False):
        for feed, page in pairs.items():
            with client.get(feed) as response:
                body = response.data
            try:
                got = EXPANDERS[reader](body, WINDOW_START, WINDOW_END)
            except ReaderUnavailable as missing:
                require_tool(str(missing))
            html = client.get(page).get_data(as_text=True)
            struck = re.findall(r'<li class="event-item[^"]*is-cancelled.*?</li>', html, re.S)
            listed = {(start, end) for start, end in _listed(html) if start < WINDOW_END}
            cancelled = _listed("".join(struck))  # an EXDATE in a series, or shown cancelled
            exdates = re.findall(rb"\r\nEXDATE[^:]*:([^\r]*)", body.replace(b"\r\n ", b""))
            values = [v for line in exdates for v in line.split(b",")]
            assert len(values) == len(set(values)), (feed, values)  # ical.js misreads a repeat
            timed = [(start, end) for _, start, end, _ in got if isinstance(start, datetime)]
            shown = {(start, end) for start, end in timed if start >= NOW}  # as _listed reads
            assert shown <= listed, (feed, streamed, shown - listed)
            assert listed - shown <= cancelled, (feed, streamed, listed - shown)
        app.config["FEED_CACHE_MAX_EVENTS"] = 20_000


def test_a_venue_moved_into_a_place_brings_its_date_back_to_that_place_feed(
    scenario, client, create_venue
):
    """A venue's city decides which place feeds a date is in: renaming it changes the feed
    (and its ETag), though neither the date nor its series was saved."""
    show = scenario["show"]
    hall, barn = create_venue(name="Hall"), create_venue(name="Barn", city="Boulder")
    show.venue = hall
    for date_ in show.occurrences:
        date_.venue = hall
    occurrence(show, date(2026, 12, 3)).venue = barn
    db.session.commit()
    url, exdate = "/feeds/events.ics?place=Denver", "20261203T120000"

    def master_of(body: str) -> str:  # the show's VEVENT (after the VTIMEZONEs' rules)
        return body[body.index("BEGIN:VEVENT") :].split("RRULE:")[1].split("END:VEVENT")[0]

    first = client.get(url)
    assert exdate in master_of(first.get_data(as_text=True))
    barn.city = "Denver"
    db.session.commit()
    second = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert exdate not in master_of(second.get_data(as_text=True))


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_dates_over_a_clock_change_end_where_our_pages_end_them(app, create_series, client, reader):
    """Dates that run over a clock change, or end in a DST gap or in the hour that occurs
    twice, though they start at a plain wall time: libical applies the rule's exact length
    (RFC 5545 3.8.5.3), the others add it on the clock or take the second of two equal wall
    times. Their instants are written out, so every reader ends them where our pages do."""
    app.config["NOW"] = NOW
    # Sat 11 PM - Sun 4 AM, New York: 5 hours, 11 PM - 3 AM on Nov 1 and 4 AM - 5 AM on Mar 14.
    create_series(
        title="Overnight Desk",
        start=datetime(2026, 7, 4, 23, 0),
        zone="America/New_York",
        weekdays=("SA",),
        until=date(2027, 6, 1),
        minutes=300,
    )
    # Sun 1:30-2:30 AM New York: on Mar 14, 2027 its end, 2:30, is in the gap.
    create_series(
        title="Night Desk",
        start=datetime(2026, 7, 5, 1, 30),
        zone="America/New_York",
        weekdays=("SU",),
        until=date(2027, 6, 1),
    )
    # Lord Howe moves its clocks by 30 minutes: Sun 1:45-2:15 ends in the gap on Oct 4.
    create_series(
        title="Island Hour",
        start=datetime(2026, 7, 5, 1, 45),
        zone="Australia/Lord_Howe",
        weekdays=("SU",),
        until=date(2027, 6, 1),
        minutes=30,
    )
    # Sun 12:30-1:30 AM St. John's: on Nov 1, 2026 its end, 1:30, occurs twice.
    create_series(
        title="Harbour Hour",
        start=datetime(2026, 7, 12, 0, 30),
        zone="America/St_Johns",
        weekdays=("SU",),
        until=date(2027, 6, 1),
    )
    db.session.commit()
    body = client.get("/feeds/all.ics").data
    try:
        got = EXPANDERS[reader](body, WINDOW_START, WINDOW_END)
    except ReaderUnavailable as missing:
        require_tool(str(missing))
    expected = expected_instances()
    assert got - expected == set() and expected - got == set()


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_a_series_whose_first_date_runs_over_a_clock_change_keeps_its_length(
    app, create_series, client, reader
):
    """A series' first date runs over the night the clocks change (Sat 11 PM New York, 5 and
    3 hours): its length is exact, and so is every later date's. The master's DTEND had been
    that date's wall time, from which the readers that subtract wall times (all but libical)
    took a length an hour off for every other date."""
    app.config["NOW"] = NOW
    create_series(
        title="Fall Back Desk",  # Oct 31, 2026 11 PM EDT - Nov 1 3 AM EST; then 11 PM - 4 AM
        start=datetime(2026, 10, 31, 23, 0),
        zone="America/New_York",
        weekdays=("SA",),
        until=date(2027, 2, 1),
        minutes=300,
    )
    create_series(
        title="Spring Forward Desk",  # Mar 13, 2027 11 PM EST - 3 AM EDT; then 11 PM - 2 AM
        start=datetime(2027, 3, 13, 23, 0),
        zone="America/New_York",
        weekdays=("SA",),
        until=date(2027, 4, 20),
        minutes=180,
    )
    db.session.commit()
    body = client.get("/feeds/all.ics").data
    try:
        got = EXPANDERS[reader](body, WINDOW_START, WINDOW_END)
    except ReaderUnavailable as missing:
        require_tool(str(missing))
    expected = expected_instances()
    assert len(expected) == 14 + 6
    assert got - expected == set() and expected - got == set()


@pytest.mark.parametrize("reader", sorted(EXPANDERS))
def test_a_series_ending_in_the_hour_that_occurs_twice_keeps_its_last_date(
    app, create_series, client, reader
):
    """Sundays at 1:30 AM New York until Nov 1, 2026, when 1:30 occurs twice: the last date
    is the first 1:30 (EDT), as calendar apps place it. ical.js and libical read the rule's
    1:30 as the second; an UNTIL at the first then dropped that date from their calendars."""
    app.config["NOW"] = NOW
    master = create_series(
        title="Last Night Desk",
        start=datetime(2026, 10, 4, 1, 30),
        zone="America/New_York",
        weekdays=("SU",),
        until=date(2026, 11, 1),
        minutes=20,
    )
    assert occurrence(master, date(2026, 11, 1)).start_at == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )
    body = client.get("/feeds/all.ics").data
    try:
        got = EXPANDERS[reader](body, WINDOW_START, WINDOW_END)
    except ReaderUnavailable as missing:
        require_tool(str(missing))
    assert {start for _, start, _, _ in got} == {o.start_at for o in master.occurrences}
    assert len(master.occurrences) == 5
