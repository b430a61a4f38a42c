from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from events_app import series
from events_app.demo import load_demo
from events_app.extensions import db
from events_app.models import Event


@pytest.mark.parametrize(
    "today", [date(2026, 6, 15), date(2026, 10, 30), date(2026, 12, 28), date(2027, 3, 1)]
)
def test_demo_data_matches_the_brief(app_ctx, today):
    added = load_demo(db.session, today)
    db.session.commit()
    events = db.session.scalars(select(Event)).unique().all()
    assert len([e for e in events if e.series_id is None]) == added  # a series counts once
    assert 40 <= added <= 60
    now = datetime.combine(today, time(12), tzinfo=UTC)
    public = [e for e in events if e.is_public]

    live = [e for e in public if e.kind == "live"]
    cities = {e.venue.city for e in live if e.venue}
    assert {"Los Angeles", "Denver", "New York", "Atlanta", "London", "Lisbon"} <= cities
    denver = next(e for e in live if e.venue.name == "Westin Westminster" and not e.is_past(now))
    assert denver.all_day and (denver.last_day - denver.first_day).days == 2
    lisbon = [e for e in live if e.venue.city == "Lisbon" and e.all_day]
    assert any((e.last_day - e.first_day).days == 2 for e in lisbon)
    assert any(e.venue.name == "Georgia World Congress Center" for e in live)
    assert any(e.venue.name == "The Montcalm Marble Arch" for e in live)

    webinars = [e for e in public if e.kind == "webinar"]
    zones = {e.timezone for e in webinars if not e.is_past(now)}
    assert any(z.startswith("America/") for z in zones)
    assert any(z.startswith("Europe/") for z in zones)
    assert any(e.local_start.utcoffset() != e.local_end.utcoffset() for e in webinars)

    # The weekly show is a series: one cancelled and one moved episode, recordings on past
    # ones; every other episode a week after the one before, at 12:00 PM New York time.
    (show,) = [e for e in events if e.series_master and e.kind == "audio"]
    episodes = [e for e in public if e.series_id == show.id]
    assert len(episodes) >= 100 and show.rule.until is None and show.rule.count is None
    assert sum(e.status == "cancelled" for e in episodes) == 1
    moved = [e for e in episodes if series.is_moved(e, series.rule_of(show))]
    assert len(moved) == 1 and moved[0].start_at > now
    regular = [e for e in episodes if e not in moved]
    assert {e.local_start.time() for e in regular} == {time(12)}
    gaps = {b.recurrence_id - a.recurrence_id for a, b in zip(regular, regular[1:], strict=False)}
    assert gaps <= {timedelta(days=7), timedelta(days=14)}
    past = [e for e in episodes if e.is_past(now)]
    assert len(past) >= 5 and all(e.recording_url for e in past)
    (monthly,) = [e for e in events if e.series_master and e.kind == "webinar"]
    assert monthly.rule.week_of_month == 2 and len(monthly.occurrences) == 12

    archived = [e for e in webinars if e.is_past(now) and e.recording_url]
    assert len(archived) >= 15
    assert any(e.is_past(now) and not e.recording_url for e in webinars)

    statuses = [e.status for e in events]
    assert statuses.count("cancelled") >= 1
    assert statuses.count("postponed") >= 1
    assert statuses.count("draft") >= 1
    assert any(not e.all_day and e.start_date < e.end_date for e in public)  # across midnight
    offsets = {e.local_start.utcoffset().total_seconds() % 3600 for e in public if not e.all_day}
    assert offsets - {0.0}  # a zone with a non-hour offset
    assert any(e.featured for e in public)
