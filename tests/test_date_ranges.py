"""Date ranges (models.dates_overlap): start dates bounded on both sides, nothing long missed.

A range's overlap alone bounds start dates on one side, so every month page and date-filtered
list or feed walked all the events that started before its end. The bound is the longest span
of an event (feed_state, kept by changes.py): of any event but series masters for lists and the
month grid, of any event for feeds, whose masters span their series.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select, text, update

from events_app import changes
from events_app.extensions import alembic, db
from events_app.filters import EventFilters, filtered_events_query
from events_app.models import PUBLIC_STATUSES, Event, FeedState
from tests.conftest import NOW


def longest(column: str = "longest_event_days") -> int:
    db.session.expire_all()
    value = db.session.scalar(select(getattr(FeedState, column)).where(FeedState.id == 1))
    return value or 0


def titles_between(first: date, last: date) -> list[str]:
    filters = EventFilters(date_from=first, date_to=last)
    return [e.title for e in db.session.scalars(filtered_events_query(filters, NOW))]


def test_a_longer_event_raises_the_bound_and_every_view_of_a_range_finds_it(
    app_ctx, client, create_event
):
    app_ctx.config["NOW"] = NOW
    create_event(title="Short", first_day=date(2026, 8, 11))
    assert longest() == 0
    create_event(title="Exhibition", first_day=date(2026, 7, 1), last_day=date(2026, 8, 31))
    assert longest() == 61
    # Each range starts weeks after the exhibition did: only the bound's width reaches it.
    assert titles_between(date(2026, 8, 10), date(2026, 8, 12)) == ["Exhibition", "Short"]
    assert titles_between(date(2026, 8, 31), date(2026, 9, 30)) == ["Exhibition"]
    assert titles_between(date(2026, 9, 1), date(2026, 9, 30)) == []
    feed = client.get("/feeds/events.ics?from=2026-08-20&to=2026-08-21")
    assert feed.status_code == 200 and b"SUMMARY:Exhibition" in feed.data
    assert b"SUMMARY:Short" not in feed.data
    month = client.get("/calendar/2026/08").get_data(as_text=True)
    assert "Exhibition" in month and "Short" in month
    widget = client.get("/embed/month.json?month=2026-08")
    assert widget.status_code == 200 and "Exhibition" in widget.get_data(as_text=True)


def test_an_edit_that_lengthens_an_event_raises_the_bound(app_ctx, create_event):
    event = create_event(title="Course", first_day=date(2026, 9, 1))
    event.set_all_day(date(2026, 9, 1), date(2026, 10, 15), event.timezone)
    db.session.commit()
    assert longest() == 44
    assert titles_between(date(2026, 10, 14), date(2026, 10, 14)) == ["Course"]


def test_a_change_behind_the_orm_raises_it_through_mark_changed(app_ctx, create_event):
    event = create_event(title="Festival", first_day=date(2026, 9, 1))
    table = Event.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == event.id)
        .values(end_date=date(2026, 10, 31), last_day=date(2026, 10, 31))
    )
    changes.mark_changed(db.session, [event.id])
    db.session.commit()
    assert longest() == 60
    assert titles_between(date(2026, 10, 30), date(2026, 10, 31)) == ["Festival"]


def test_a_series_master_spanning_a_year_is_in_a_short_range_of_a_feed(
    app_ctx, client, create_series
):
    app_ctx.config["NOW"] = NOW
    master = create_series(
        title="Weekly Radio Show", start=datetime(2026, 7, 6, 10, 0), until=date(2027, 6, 28)
    )
    span = (master.end_date - master.start_date).days
    assert span > 300 and longest("longest_series_days") == span
    assert longest() < 7  # a list's bound leaves masters out
    feed = client.get("/feeds/events.ics?from=2027-03-01&to=2027-03-07")
    assert feed.status_code == 200
    assert b"SUMMARY:Weekly Radio Show" in feed.data and b"RRULE:" in feed.data
    # A list shows the occurrence of that week, not the master.
    assert titles_between(date(2027, 3, 1), date(2027, 3, 7)) == ["Weekly Radio Show"]


@pytest.mark.parametrize("masters", [True, False])
def test_the_range_is_read_from_the_dates_index_on_both_sides(app_ctx, create_event, masters):
    create_event(first_day=date(2026, 8, 1), last_day=date(2026, 8, 3))
    filters = EventFilters(q="fiber", date_from=date(2026, 9, 1), date_to=date(2026, 9, 3))
    stmt = select(Event.id).where(Event.status.in_(PUBLIC_STATUSES), Event.end_at >= NOW)
    stmt = filters.apply(stmt, masters=masters).order_by(Event.start_at, Event.id)
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    assert ("longest_series_days" if masters else "longest_event_days") in str(compiled)
    if db.engine.dialect.name == "sqlite":  # PostgreSQL's plan depends on its statistics
        plan = [row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
        assert any("ix_events_dates (start_date>? AND start_date<?)" in p for p in plan), plan


def test_the_migration_fills_the_bounds_from_the_events_it_finds(
    app_ctx, create_event, create_series
):
    create_event(title="Season", first_day=date(2026, 9, 1), last_day=date(2026, 11, 29))
    master = create_series(start=datetime(2026, 7, 6, 10, 0), until=date(2027, 6, 28))
    series_span = (master.end_date - master.start_date).days
    db.session.commit()
    db.session.close()
    alembic.downgrade("0009")
    alembic.upgrade()
    assert longest() == 89
    assert longest("longest_series_days") == series_span


def test_without_a_feed_state_row_a_range_is_not_bounded(app_ctx, create_event):
    create_event(title="Exhibition", first_day=date(2026, 7, 1), last_day=date(2026, 8, 31))
    db.session.execute(text("DELETE FROM feed_state"))
    assert titles_between(date(2026, 8, 20), date(2026, 8, 21)) == ["Exhibition"]
