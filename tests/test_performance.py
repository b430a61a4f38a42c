"""Performance guards that are not timings: SQL statements per page stay flat as events grow,
and the cached feed path gives exactly the bytes of a fresh full build."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bench.dataset import Generator
from events_app.extensions import db
from events_app.feeds.bodies import FeedBodies, feed_bodies
from events_app.models import Event, Venue
from tests.conftest import NOW, Sent

N = 30  # events at the small size; the large size is 5N


@pytest.fixture
def count_get(client: FlaskClient, statements: list[Sent]) -> Callable[[str], int]:
    """count_get(path) -> the number of SQL statements a successful GET of `path` ran (the
    uncached path: the response cache is off)."""
    client.application.config["RESPONSE_CACHE_BYTES"] = 0

    def count(path: str) -> int:
        statements.clear()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert response.data  # a streamed body runs its queries while it is read
        response.close()
        return len(statements)

    return count


@pytest.fixture
def generator(app: Flask) -> Iterator[Generator]:
    """Realistic events (the benchmark's generator) around the tests' fixed NOW.

    Pages are long enough to show every event, so that a query per event would show up as
    growth instead of hiding behind a fixed page size.
    """
    app.config["NOW"] = NOW
    app.config["PAGE_SIZE"] = 1000
    with app.app_context():
        engine = db.engine
    # Its own session, outside any app context: requests must not share its identity map.
    with Session(engine) as session:
        yield Generator(session, date(NOW.year, NOW.month, 1), seed=6, span_days=120)


def test_no_async_teardown_without_async_engines(app: Flask) -> None:
    # Flask would run it through asgiref: a new thread and event loop after every request.
    assert app.teardown_appcontext_funcs
    assert not [f for f in app.teardown_appcontext_funcs if inspect.iscoroutinefunction(f)]


def test_counting_sees_every_statement(app: Flask, statements: list[Sent]) -> None:
    from sqlalchemy import text

    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.execute(text("SELECT 2"))
    assert [s for s in statements if s.startswith("SELECT ")][-2:] == ["SELECT 1", "SELECT 2"]


def add_events(generator: Generator, n: int) -> None:
    """Add `n` events; every fourth is featured, so the home page's sections are never empty."""
    generator.add_events(n)
    generator.session.execute(update(Event).where(Event.id % 4 == 0).values(featured=True))
    generator.session.commit()


def upcoming_live_slug(session: Session) -> str:
    return session.scalars(
        select(Event.slug)
        .where(Event.kind == "live", Event.start_at > NOW, Event.status == "published")
        .order_by(Event.start_at)
    ).first()


def busiest_venue_slug(session: Session) -> str:
    """The venue with the most public events: its page grows most as events are added."""
    return session.scalars(
        select(Venue.slug)
        .join(Event, Event.venue_id == Venue.id)
        .where(Event.status == "published")
        .group_by(Venue.slug)
        .order_by(func.count().desc(), Venue.slug)
    ).first()


PAGES = ["/", "/events/", "/events/?kind=webinar", "/categories/5g", "/calendar/", "/webinars/",
         "/webinars/archive", "event page", "/feeds/all.ics", "/feeds/live.ics",
         "/feeds/webinars.ics", "/feeds/categories/5g.ics", "/feeds/events.ics?kind=live",
         "event download", "/events/?q=operators+5g", "/events/?q=operators&sort=date",
         "/events/?q=network&when=past", "/calendar/?q=operators", "/calendar/?q=5g&kind=live",
         "/webinars/archive?q=webinar",
         "/feeds/events.ics?q=operators&from=2026-06-01",
         "/feeds/events.ics?q=operators&from=2026-06-10&to=2026-06-20",
         "/events/?place=denver", "/embed/sidebar.json?place=denver", "/embed/sidebar",
         "/feeds/events.ics?place=United+States&kind=live", "venue page"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_statements_do_not_grow_with_events(
    app: Flask, generator: Generator, count_get: Callable[[str], int], path: str
) -> None:
    # Feeds stream from the database here, not from the body cache. (They read events in
    # keyset chunks of feed_source.CHUNK, so past that many a feed adds one query per chunk.)
    app.config["FEED_CACHE_BYTES"] = 0
    add_events(generator, N)
    if path in ("event page", "event download"):
        slug = upcoming_live_slug(generator.session)
        path = f"/events/{slug}" + (".ics" if path == "event download" else "")
    if path == "venue page":
        path = f"/venues/{busiest_venue_slug(generator.session)}"
    count_get(path)  # the first request may fill caches (feed blocks): not what is compared
    small = count_get(path)
    add_events(generator, 4 * N)
    count_get(path)
    large = count_get(path)
    assert large == small, f"{path}: {small} statements at {N} events, {large} at {5 * N}"


SHORT_RANGE_FEED = "/feeds/events.ics?q=operators+5g&from=2026-06-10&to=2026-06-24"


def test_a_searched_feed_over_a_short_range_reads_its_search_once(
    app: Flask, generator: Generator, statements: list[Sent], monkeypatch
) -> None:
    """Its fingerprint, the last event to leave its window and its rows check one list of the
    matching ids: the words' matches in the whole database are read once per request, not three
    times. The bytes are those of the feed that checks the search in every query."""
    from events_app import filters

    app.config["RESPONSE_CACHE_BYTES"] = 0
    app.config["FEED_CACHE_BYTES"] = 0
    add_events(generator, 5 * N)
    client = app.test_client()
    searches = ("MATCH", "to_tsquery")  # SQLite FTS5, PostgreSQL

    def get() -> tuple[bytes, int]:
        statements.clear()
        response = client.get(SHORT_RANGE_FEED)
        assert response.status_code == 200
        body = response.get_data()
        return body, sum(any(word in s for word in searches) for s in statements)

    once, searched = get()
    assert searched == 1
    assert once.count(b"BEGIN:VEVENT") > 0
    monkeypatch.setattr(filters, "SEARCHED_IDS_MAX", 0)  # too many: the search in every query
    forget_feed_bodies(app)  # and the fingerprint memo: each query runs again
    every_query, searched = get()
    assert searched == 1 + 3  # the list that came out too long, then the three queries
    assert once == every_query


def test_a_place_is_read_as_its_venues_once_per_request(
    app: Flask, generator: Generator, statements: list[Sent]
) -> None:
    """The sidebar's sections, and the list page's count and rows, name the place's venue
    ids: the venues are read once per request, not joined into each section's query."""
    app.config["RESPONSE_CACHE_BYTES"] = 0
    add_events(generator, N)
    client = app.test_client()
    for path in ("/embed/sidebar.json?place=DENVER", "/events/?place=united+states"):
        statements.clear()
        assert client.get(path).status_code == 200
        venues = [s for s in statements if s.startswith("SELECT venues.id, venues.city")]
        events = [s for s in statements if "FROM events" in s and "venue_id IN" in s]
        assert len(venues) == 1, path
        assert events and not any("venues.city" in s for s in events), path


@pytest.mark.parametrize(
    ("path", "sections"),
    [("/embed/sidebar.json", 4), ("/embed/sidebar.json?place=denver&category=5g", 4),
     ("/embed/sidebar?kind=live", 1), ("/embed/sidebar?kind=webinar&place=denver", 2),
     ("/embed/list.json?count=8", 1), ("/embed/list?kind=live&place=denver&q=network", 1)],
)  # fmt: skip
def test_a_widget_section_is_one_statement(
    app: Flask, generator: Generator, statements: list[Sent], path: str, sections: int
) -> None:
    """Each section reads its events with their venues and nothing else a widget does not
    show (categories, speakers, series): one statement a section, its filters built once."""
    app.config["RESPONSE_CACHE_BYTES"] = 0
    add_events(generator, N)
    statements.clear()
    response = app.test_client().get(path)
    assert response.status_code == 200
    places = [s for s in statements if s.startswith("SELECT venues.id")]
    assert len(places) == ("place=" in path)
    # A widget that shows nothing asks once whether its category is one, and whether its
    # place has public events (the console's notes).
    noted = [s for s in statements if s.startswith(("SELECT categories.id", "SELECT DISTINCT"))]
    shows_nothing = "ew-item" not in response.text and '"events":[{' not in response.text
    assert len(noted) <= shows_nothing * (("category=" in path) + ("place=" in path))
    reads = [s for s in statements if s not in places + noted]
    assert len(reads) == sections, reads
    # A ranked search's select starts with its matches (WITH found AS ...): one statement too.
    assert all(s.startswith(("SELECT events.id, events.uid", "WITH found")) for s in reads)
    assert all("SELECT events.id, events.uid" in s and "venues" in s for s in reads)


def test_a_venue_page_is_a_few_statements(
    app: Flask, generator: Generator, count_get: Callable[[str], int]
) -> None:
    """The venue; its upcoming page's ids and total, their rows, their categories and
    speakers; its past events, theirs; a series' rules: never more, however many events."""
    add_events(generator, 5 * N)
    path = f"/venues/{busiest_venue_slug(generator.session)}"
    count_get(path)
    assert count_get(path) <= 9


SERIES_PAGES = ["/", "/events/", "/events/?kind=audio", "/calendar/", "/webinars/",
                "/webinars/archive", "series page", "occurrence page", "/feeds/all.ics",
                "/feeds/webinars.ics", "series download"]  # fmt: skip


@pytest.mark.parametrize("path", SERIES_PAGES)
def test_statements_do_not_grow_with_series_or_their_occurrences(
    app: Flask, generator: Generator, count_get: Callable[[str], int], path: str
) -> None:
    app.config["FEED_CACHE_BYTES"] = 0
    add_events(generator, N)
    generator.add_series(2, weeks=10)
    master = generator.session.scalars(
        select(Event).where(Event.series_master.is_(True)).order_by(Event.id)
    ).first()
    occurrence = generator.session.scalars(
        select(Event.slug).where(Event.series_id == master.id, Event.start_at > NOW)
    ).first()
    path = {
        "series page": f"/events/{master.slug}",
        "occurrence page": f"/events/{occurrence}",
        "series download": f"/events/{master.slug}.ics",
    }.get(path, path)
    count_get(path)
    small = count_get(path)
    generator.add_series(6, weeks=60)  # three times the series, nine times the occurrences
    count_get(path)
    large = count_get(path)
    assert large == small, f"{path}: {small} statements with 2 series, {large} with 8"


def test_an_occurrence_page_loads_nothing_lazily(
    app: Flask, generator: Generator, count_get: Callable[[str], int], statements: list[Sent]
) -> None:
    """A date of a series: one query for the page, one for its rule; the series' zone and
    all-day-ness (its rule's wording) come with it, not as a lookup each (a round trip each
    on PostgreSQL)."""
    generator.add_series(1, weeks=10)
    slug = generator.session.scalars(
        select(Event.slug).where(Event.series_id.is_not(None), Event.start_at > NOW)
    ).first()
    count_get(f"/events/{slug}")
    lazy = [s for s in statements if s.startswith("SELECT events.") and "WHERE events.id = ?" in s]
    assert not lazy
    assert len(statements) == 2, statements


def test_month_grid_from_capped_query_equals_grid_of_every_event(app: Flask) -> None:
    """month_events loads only what the grid can show; the grid must come out the same."""
    from events_app.calendar import grid_bounds, month_events, month_grid
    from events_app.filters import EventFilters
    from events_app.models import public_events

    with app.app_context():
        generator = Generator(db.session, date(NOW.year, NOW.month, 1), seed=3, span_days=80)
        generator.add_events(400)  # about ten a day, many spanning several days
        start, end = grid_bounds(NOW.year, NOW.month)
        for filters in (EventFilters(), EventFilters(kind="live"), EventFilters(category="5g")):
            every = db.session.scalars(
                filters.apply(public_events())
                .where(Event.start_date <= end, Event.end_date >= start)
                .order_by(Event.start_at, Event.id)
            ).unique()
            expected = month_grid(NOW.year, NOW.month, every, NOW.date(), per_day=3)
            events, sizes = month_events(filters, start, end, 3)
            assert len(events) < 400
            got = month_grid(NOW.year, NOW.month, events, NOW.date(), 3, sizes)
            for week_expected, week_got in zip(expected, got, strict=True):
                for a, b in zip(week_expected, week_got, strict=True):
                    assert [(e.event.id, e.label) for e in a.shown] == [
                        (e.event.id, e.label) for e in b.shown
                    ], a.day
                    assert a.more == b.more, a.day


@pytest.mark.parametrize("largest_in_memory", [20_000, 5])
def test_feed_builds_give_their_database_connection_back(
    app: Flask, generator, largest_in_memory: int
) -> None:
    # Feed bodies are built on a background thread (in memory, or into a file when larger
    # than FEED_CACHE_MAX_EVENTS); its session must be closed, or every build keeps a pooled
    # connection until the pool is exhausted and requests wait 30 s for one.
    app.config["FEED_CACHE_MAX_EVENTS"] = largest_in_memory
    generator.add_events(N)
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    for path in ("/feeds/all.ics", "/feeds/live.ics", "/feeds/all.ics"):
        response = client.get(path)
        assert response.status_code == 200 and b"END:VCALENDAR" in response.data
        response.close()
    assert engine.pool.checkedout() == 0


FEED_PATHS = ["/feeds/all.ics", "/feeds/live.ics", "/feeds/webinars.ics",
              "/feeds/categories/5g.ics", "/feeds/events.ics?kind=webinar&category=cloud",
              "/feeds/events.ics?kind=live&category=5g"]  # fmt: skip


def test_cached_feeds_equal_a_fresh_full_build_after_edits(app: Flask, generator) -> None:
    """Served from cached blocks (some stale after edits) and from the body cache, every feed
    is byte for byte what rendering every event from scratch gives."""
    from events_app import clock
    from events_app.feeds import views as feeds
    from events_app.feeds.source import render_feed
    from events_app.models import Category, Venue

    add_events(generator, 3 * N)
    generator.add_series(3, weeks=20)
    client = app.test_client()
    before = {path: client.get(path).data for path in FEED_PATHS}
    session = generator.session
    events = session.scalars(select(Event).order_by(Event.id)).all()
    dates = [e for e in events if e.series_id is not None and e.end_at > NOW]
    dates[0].status = "cancelled"  # an EXDATE
    dates[1].set_timed(dates[1].start_at + timedelta(days=1), dates[1].end_at + timedelta(days=1),
                       dates[1].timezone)  # an override  # fmt: skip
    events[0].description += "\n\nNow with *more* detail; and a, comma."
    events[1].status = "cancelled"
    events[2].set_timed(events[2].start_at + timedelta(hours=1), events[2].end_at, "UTC")
    events[3].categories = []
    session.scalars(select(Venue).order_by(Venue.id)).first().name = "Hall B; renamed"
    session.scalars(select(Category).where(Category.slug == "cloud")).one().name = "Cloud, Edge"
    assert events[4].speakers or events[5].speakers
    events[4].speakers = events[5].speakers = []  # delete-orphan: the speakers go
    session.commit()

    served = {path: client.get(path).data for path in FEED_PATHS}
    again = {path: client.get(path).data for path in FEED_PATHS}  # from the body cache
    assert served["/feeds/all.ics"] != before["/feeds/all.ics"]
    assert len(app.extensions["response_cache"].entries), "the second round came from the cache"

    session.execute(update(Event).values(ical_block=None, ical_block_key=None))
    session.commit()
    forget_feed_bodies(app)
    fresh = {path: client.get(path).data for path in FEED_PATHS}
    for path in FEED_PATHS:
        assert served[path] == again[path] == fresh[path], path
        assert served[path].count(b"BEGIN:VEVENT") > 0, path

    with app.test_request_context("/feeds/all.ics"):
        feed, site = feeds.named_feed_for("all"), feeds.site()
        with Session(db.engine) as fresh_session:
            built = render_feed(
                fresh_session,
                feed,
                site,
                clock.now(),
                app.config["FEED_PAST_DAYS"],
                clock.site_zone(),
            )
    assert built == served["/feeds/all.ics"]
    events_part = built.split(b"BEGIN:VEVENT", 1)[1]  # VTIMEZONEs have yearly RRULEs too
    assert events_part.count(b"RRULE:") == 3
    assert b"EXDATE;" in events_part and b"RECURRENCE-ID;" in events_part


def forget_feed_bodies(app: Flask) -> None:
    """A worker that has built nothing yet (the raw-SQL changes above are not announced)."""
    app.extensions["feed_bodies"] = FeedBodies(app)
    app.extensions["response_cache"].entries.cache.clear()


def test_a_rebuild_copies_unchanged_blocks_from_the_previous_build(app: Flask, generator) -> None:
    """After edits, a small feed is rebuilt from this worker's previous build of it: the blocks
    of unchanged events are copied from there (the stored ones are poisoned behind the ORM, and
    never show), in the new order, and the bytes equal a fresh full build."""
    add_events(generator, 3 * N)
    client = app.test_client()
    before = {path: client.get(path).data for path in FEED_PATHS}
    session = generator.session
    poisoned = func.replace(Event.ical_block, "SUMMARY:", "SUMMARY:Poisoned ")
    session.execute(update(Event).values(ical_block=poisoned))
    session.commit()

    events = session.scalars(select(Event).order_by(Event.start_at, Event.id)).all()
    last = events[-1]
    last.set_timed(events[0].start_at - timedelta(hours=1), events[0].start_at, "UTC")  # to the top
    events[5].description += "\n\nEdited."
    events[9].status = "cancelled"
    session.delete(events[12])
    generator.add_events(2)  # commits
    served = {path: client.get(path).data for path in FEED_PATHS}
    assert len(feed_bodies(app).previous), "rebuilt from a previous build"
    for path in FEED_PATHS:
        assert b"Poisoned" not in served[path], path
    assert served["/feeds/all.ics"] != before["/feeds/all.ics"]
    first_uid = served["/feeds/all.ics"].split(b"BEGIN:VEVENT\r\nUID:", 1)[1].split(b"\r\n")[0]
    assert first_uid.decode() == last.uid

    session.execute(update(Event).values(ical_block=None, ical_block_key=None))
    session.commit()
    forget_feed_bodies(app)
    app.config["FEED_CACHE_BYTES"] = 0  # built from scratch
    for path in FEED_PATHS:
        assert client.get(path).data == served[path], path
