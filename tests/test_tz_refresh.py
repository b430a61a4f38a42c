"""flask tz-refresh: for events still to come the wall time is the truth when zone rules change;
events whose wall time new rules skip or repeat are marked for staff, who settle them in the
event form. Zone rules are changed the way a deploy changes them: zic-compiled files read first
(tests/zones.py), in this process with a restarted app, or in a new process via PYTHONTZPATH."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from ical_readers import read_with_icalendar
from sqlalchemy import MetaData, Table, func, insert, select

from events_app import PROJECT_ROOT, create_app, demo
from events_app.extensions import alembic, db
from events_app.models import AuditEntry, Event
from tests.conftest import NOW, STAFF_PASSWORD, AuthActions
from tests.ical_expanders import expand_with_recurring_ical_events
from tests.zones import compile_zones, new_york, use_zone_folder

NY = "America/New_York"
# From 2028 New York springs forward a week later and falls back a week earlier.
SHORTER_SUMMERS = new_york(
    last_dst_year=2027,
    extra_rules="Rule\tTest\t2028\tmax\t-\tMar\tSun>=15\t2:00\t1:00\tD\n"
    "Rule\tTest\t2028\tmax\t-\tOct\tlastSun\t2:00\t0\tS\n",
)


@pytest.fixture
def new_rules(tmp_path: Path) -> Iterator[Callable[[str], None]]:
    """Compile tzdata source and read zones from it first, as after a tzdata upgrade."""

    def switch(source: str) -> None:
        use_zone_folder(compile_zones(source, tmp_path / "zoneinfo"))

    yield switch
    use_zone_folder(None)


@pytest.fixture
def restart(app: Flask) -> Iterator[Callable[[], Flask]]:
    """A new app on the same database and settings: what a new process after a deploy builds."""
    started: list[Flask] = []

    def make() -> Flask:
        started.append(create_app(dict(app.config)))
        return started[-1]

    yield make
    for new_app in started:
        with new_app.app_context():
            db.engine.dispose()


def refresh(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["tz-refresh"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def entries(event: Event) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.object_id == event.id).order_by(AuditEntry.id)
    return list(db.session.scalars(stmt))


def test_wall_time_kept_as_entered(create_event) -> None:
    summer = create_event(start=datetime(2028, 7, 15, 18, tzinfo=UTC))
    assert (summer.wall_start, summer.wall_end) == (
        datetime(2028, 7, 15, 14),
        datetime(2028, 7, 15, 15),
    )
    assert summer.wall_start_fold is None and summer.wall_review is None
    second = create_event(start=datetime(2026, 11, 1, 6, 30, tzinfo=UTC))  # 1:30 AM EST, again
    assert (second.wall_start, second.wall_start_fold) == (datetime(2026, 11, 1, 1, 30), 1)
    all_day = create_event(first_day=datetime(2026, 9, 24).date())
    assert all_day.wall_start is None and all_day.wall_end is None


def test_future_events_keep_their_wall_time_and_past_ones_their_instant(
    app: Flask, create_event, new_rules, restart
) -> None:
    """The issue's case: a 2:00 PM New York webinar in July 2028, and New York keeping standard
    time all year from this year on (2026: a change that also reaches this past month)."""
    app.config["NOW"] = NOW
    future = create_event(title="Webinar 2028", start=datetime(2028, 7, 15, 18, tzinfo=UTC))
    soon = create_event(title="This summer", start=datetime(2026, 7, 15, 18, tzinfo=UTC))
    past = create_event(title="Last month", start=datetime(2026, 6, 1, 18, tzinfo=UTC))
    first = app.test_client().get("/feeds/all.ics")
    assert b"DTSTART;TZID=America/New_York:20280715T140000" in first.data

    new_rules(new_york(last_dst_year=2025))
    deployed = restart()
    output = refresh(deployed)

    assert future.start_at == datetime(2028, 7, 15, 19, tzinfo=UTC)  # 2:00 PM EST
    assert future.end_at == datetime(2028, 7, 15, 20, tzinfo=UTC)
    assert (future.local_start.hour, future.local_start.tzname()) == (14, "EST")
    assert future.wall_start == datetime(2028, 7, 15, 14) and future.sequence == 1
    assert soon.start_at == datetime(2026, 7, 15, 19, tzinfo=UTC) and soon.sequence == 1
    assert past.start_at == datetime(2026, 6, 1, 18, tzinfo=UTC) and past.sequence == 0
    assert entries(past) == []
    (entry,) = entries(future)
    assert entry.action == "zone_rules" and entry.user_id is None
    assert json.loads(entry.changes) == {
        "zone rules changed": "14:00 America/New_York is now 19:00 UTC, was 18:00 UTC",
        "zone rules changed (end)": "15:00 America/New_York is now 20:00 UTC, was 19:00 UTC",
    }
    moved = f"Moved #{future.id} Webinar 2028: 14:00 America/New_York is now 19:00 UTC"
    assert moved in output and "2 events not yet ended, 2 moved, 0 to review" in output

    second = deployed.test_client().get(
        "/feeds/all.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"] and second.data != first.data
    assert b"DTSTART;TZID=America/New_York:20280715T140000" in second.data  # still 2:00 PM
    assert b"SEQUENCE:1\r\n" in second.data
    read = read_with_icalendar(second.data)  # with the file's VTIMEZONE, the new rules
    for event in (future, soon, past):
        assert read[event.uid]["start"] == event.start_at

    assert "0 moved, 0 to review" in refresh(restart())  # the same rules: nothing to do


def test_unchanged_rules_change_nothing(app: Flask, create_event) -> None:
    """The demo data, and a time an editor chose in a fall-back hour (the second 1:30 AM)."""
    app.config["NOW"] = NOW
    demo.load_demo(db.session, NOW.date())
    db.session.commit()
    chosen = create_event(start=datetime(2026, 11, 1, 6, 30, tzinfo=UTC))
    assert chosen.wall_start_fold == 1
    first = app.test_client().get("/feeds/all.ics")
    versions = dict(db.session.execute(select(Event.id, Event.version)).all())
    output = refresh(app)
    assert ", 0 moved, 0 to review" in output
    assert dict(db.session.execute(select(Event.id, Event.version)).all()) == versions
    assert db.session.scalar(select(AuditEntry.id)) is None
    again = app.test_client().get(
        "/feeds/all.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_the_command_lists_the_first_moved_events(
    app: Flask, create_event, new_rules, restart
) -> None:
    app.config["NOW"] = NOW
    for day in range(1, 23):
        create_event(title=f"July {day}", start=datetime(2027, 7, day, 18, tzinfo=UTC))
    new_rules(new_york(last_dst_year=2026))
    output = refresh(restart())
    assert "22 events not yet ended, 22 moved" in output
    assert output.count("Moved #") == 20 and "... and 2 more moved" in output
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 22


def edit_form(client, event: Event, **changes: str) -> dict[str, str]:
    """What the edit page would post, from its fields, with ``changes``."""
    html = client.get(f"/staff/events/{event.id}/edit").get_data(as_text=True)
    fields = {}
    for name in ("version", "original", "start_date", "start_time", "end_date", "end_time"):
        value = re.search(rf'name="{name}"[^>]*? value="([^"]*)"', html).group(1)
        fields[name] = value.replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")
    return {
        "title": event.title, "slug": event.slug, "kind": event.kind, "status": event.status,
        "summary": event.summary, "timezone": event.timezone, "venue": "", **fields, **changes,
    }  # fmt: skip


def test_gaps_and_overlaps_are_marked_and_settled_in_the_event_form(
    app: Flask, create_event, create_user, new_rules, restart
) -> None:
    app.config["NOW"] = NOW
    create_user("editor@example.com", STAFF_PASSWORD)
    # 2:30-4:00 AM on Mar 19, 2028, and 1:30-2:30 AM on Oct 29, 2028: summer time both (EDT).
    gap = create_event(
        title="Early bird", start=datetime(2028, 3, 19, 6, 30, tzinfo=UTC), minutes=90
    )
    overlap = create_event(title="Night owl", start=datetime(2028, 10, 29, 5, 30, tzinfo=UTC))
    new_rules(SHORTER_SUMMERS)
    deployed = restart()
    output = refresh(deployed)

    # 2:30 AM no longer exists: read with the offset before the jump, as calendar apps read it.
    assert gap.start_at == datetime(2028, 3, 19, 7, 30, tzinfo=UTC)  # 3:30 AM EDT
    assert gap.wall_start == datetime(2028, 3, 19, 2, 30) and gap.sequence == 1
    assert gap.wall_review == (
        "Start: 2:30 AM does not exist on Mar 19, 2028 in America/New_York: clocks jump from "
        "2:00 AM to 3:00 AM; it is kept at 3:30 AM EDT, where calendar apps put it."
    )
    # 1:30 AM now happens twice and nobody chose: the first is kept, and staff are asked.
    assert overlap.start_at == datetime(2028, 10, 29, 5, 30, tzinfo=UTC)
    assert overlap.end_at == datetime(2028, 10, 29, 7, 30, tzinfo=UTC)  # 2:30 AM EST
    assert overlap.wall_review.startswith(
        "Start: 1:30 AM happens twice on Oct 29, 2028 in America/New_York (first in EDT, then "
        "in EST): choose which one you mean; the first, 1:30 AM EDT, is kept until someone"
    )
    for event in (gap, overlap):
        assert f"Review #{event.id} {event.title}: {event.wall_review}" in output
    assert json.loads(entries(gap)[-1].changes)["needs review"] == [None, gap.wall_review]

    client = deployed.test_client()
    AuthActions(client).login()
    dashboard = client.get("/staff/").get_data(as_text=True)
    assert dashboard.count("Needs review<span") == 2
    assert f'/staff/events/{gap.id}/edit#wall-review"' in dashboard

    page = client.get(f"/staff/events/{gap.id}/edit").get_data(as_text=True)
    assert 'id="wall-review"' in page and "2:30 AM does not exist" in page
    refused = client.post(f"/staff/events/{gap.id}/edit", data=edit_form(client, gap))
    assert refused.status_code == 400 and "clocks jump from 2:00 AM to 3:00 AM" in refused.text
    saved = client.post(
        f"/staff/events/{gap.id}/edit", data=edit_form(client, gap, start_time="03:30")
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert gap.wall_review is None and gap.wall_start == datetime(2028, 3, 19, 3, 30)
    assert gap.start_at == datetime(2028, 3, 19, 7, 30, tzinfo=UTC)
    assert json.loads(entries(gap)[-1].changes)["needs_review"][1] == ""

    page = client.get(f"/staff/events/{overlap.id}/edit").get_data(as_text=True)
    assert "happens twice: which one?" in page and 'id="start_fold-0"' in page
    assert '<input checked id="start_fold-' not in page  # never chosen by accident
    unsure = client.post(f"/staff/events/{overlap.id}/edit", data=edit_form(client, overlap))
    assert unsure.status_code == 400 and "choose which one you mean" in unsure.text
    chosen = edit_form(client, overlap, start_fold="1")
    assert client.post(f"/staff/events/{overlap.id}/edit", data=chosen).status_code == 302
    db.session.expire_all()
    assert overlap.wall_review is None and overlap.wall_start_fold == 1
    assert overlap.start_at == datetime(2028, 10, 29, 6, 30, tzinfo=UTC)  # 1:30 AM EST

    assert ", 0 moved, 0 to review" in refresh(restart())  # settled: nothing left


def test_a_new_process_with_pythontzpath(app: Flask, create_event, tmp_path: Path) -> None:
    """The command as a deploy runs it, in a process of its own that reads changed rules
    through PYTHONTZPATH, on the real clock: a 2090 event moves, a 2000 one does not."""
    future = create_event(title="Far", start=datetime(2090, 7, 15, 18, tzinfo=UTC))
    past = create_event(title="Long ago", start=datetime(2000, 7, 15, 18, tzinfo=UTC))
    folder = compile_zones(new_york(last_dst_year=2025), tmp_path / "zoneinfo")
    engine = app.config["SQLALCHEMY_ENGINES"]["default"]
    env = {
        **os.environ,
        "PYTHONTZPATH": str(folder),
        "DATABASE_URL": engine if isinstance(engine, str) else engine["url"],
        "EVENTS_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test",
    }
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "events_app", "tz-refresh"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"Moved #{future.id} Far: 14:00 America/New_York is now 19:00 UTC" in done.stdout
    db.session.expire_all()
    assert future.start_at == datetime(2090, 7, 15, 19, tzinfo=UTC)
    assert past.start_at == datetime(2000, 7, 15, 18, tzinfo=UTC) and past.sequence == 0


def column_default(column):
    """The Python-side default of a model column, as an ORM insert would compute it."""
    value = column.default.arg
    return value(None) if callable(value) else value


def test_migration_gives_existing_events_their_wall_times(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_ENGINES": {"default": url},
                      "INSTANCE_PATH": str(tmp_path)})  # fmt: skip
    with app.app_context():
        alembic.upgrade("0005")
        rows = [
            ("second", False, datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),  # 1:30 AM EST, again
            ("summer", False, datetime(2026, 7, 1, 18, 0, tzinfo=UTC)),
            ("all-day", True, datetime(2026, 9, 24, 6, 0, tzinfo=UTC)),
        ]
        with db.engine.begin() as connection:
            # The table as migration 0005 left it: later columns (series...) do not exist yet.
            old = Table("events", MetaData(), autoload_with=connection)
            defaults = {
                c.name: column_default(Event.__table__.c[c.name])
                for c in old.columns
                if c.name != "id" and Event.__table__.c[c.name].default is not None
            }
            for slug, all_day, start in rows:
                connection.execute(
                    insert(old).values(defaults).values(
                        uid=slug, slug=slug, title=slug, timezone=NY, all_day=all_day,
                        start_at=start, end_at=start, start_date=start.date(),
                        end_date=start.date(), first_day=start.date() if all_day else None,
                        last_day=start.date() if all_day else None,
                    )
                )  # fmt: skip
        alembic.upgrade()
        found = {
            e.slug: (e.wall_start, e.wall_start_fold, e.wall_end)
            for e in db.session.scalars(select(Event))
        }
        db.engine.dispose()
    assert found == {
        "second": (datetime(2026, 11, 1, 1, 30), 1, datetime(2026, 11, 1, 1, 30)),
        "summer": (datetime(2026, 7, 1, 14, 0), None, datetime(2026, 7, 1, 14, 0)),
        "all-day": (None, None, None),
    }


def test_a_weekly_series_keeps_its_noon_when_the_rules_change(
    app: Flask, create_series, new_rules, restart
) -> None:
    """Every date of a weekly 12:00 PM New York show stays at 12:00 PM local, in the database,
    on its pages and in the feed, after New York drops DST: the rule is wall time too."""
    from tests.ical_expanders import expand_with_recurring_ical_events

    app.config["NOW"] = NOW
    show = create_series(start=datetime(2026, 6, 18, 12, 0), zone=NY, weekdays=("TH",),
                         title="The Telecom Hour", slug="telecom-hour")  # fmt: skip
    july = next(o for o in show.occurrences if o.recurrence_id == datetime(2027, 7, 1, 12, 0))
    assert july.start_at == datetime(2027, 7, 1, 16, tzinfo=UTC)  # 12:00 PM EDT

    new_rules(new_york(last_dst_year=2026))
    deployed = restart()
    refresh(deployed)

    july = db.session.get(Event, july.id)
    assert july.start_at == datetime(2027, 7, 1, 17, tzinfo=UTC)  # 12:00 PM EST now
    assert july.wall_start == datetime(2027, 7, 1, 12, 0) and july.sequence >= 1
    future = [o for o in db.session.get(Event, show.id).occurrences if o.end_at > NOW]
    assert all(o.local_start.hour == 12 for o in future)
    feed = deployed.test_client().get("/feeds/all.ics").data
    lo, hi = datetime(2027, 6, 1, tzinfo=UTC), datetime(2027, 8, 1, tzinfo=UTC)
    found = {start for _, start, _, _ in expand_with_recurring_ical_events(feed, lo, hi)}
    assert datetime(2027, 7, 1, 17, tzinfo=UTC) in found
    assert found == {o.start_at for o in future if lo <= o.start_at < hi}


def test_a_series_date_in_a_dst_gap_follows_its_rule_when_the_gap_goes(
    app: Flask, create_series, new_rules, restart
) -> None:
    """Sundays at 2:30 AM New York: on Mar 14, 2027 the clocks jump from 2:00 to 3:00, and that
    date is placed at 3:30 AM EDT as calendar apps place it. When New York keeps daylight time
    all year from 2027, that date is at 2:30 AM like the others, an hour long, and no date is
    marked for review, before or after."""
    app.config["NOW"] = NOW
    show = create_series(start=datetime(2027, 3, 7, 2, 30), zone=NY, weekdays=("SU",), count=3)
    gap = next(o for o in show.occurrences if o.recurrence_id == datetime(2027, 3, 14, 2, 30))
    assert gap.start_at == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)  # 3:30 AM EDT
    assert "Needs review" not in refresh(app) and gap.wall_review is None  # same rules: nothing

    new_rules(new_york(2026, "Rule\tTest\t2027\tmax\t-\tJan\t1\t0:00\t1:00\tD\n"))
    deployed = restart()
    refresh(deployed)

    dates = db.session.get(Event, show.id).occurrences
    assert [(o.start_at.hour, o.start_at.minute) for o in dates] == [(6, 30)] * 3  # 2:30 AM EDT
    assert all(o.end_at - o.start_at == timedelta(hours=1) for o in dates)
    assert all(o.wall_review is None for o in dates)
    feed = deployed.test_client().get("/feeds/all.ics").get_data(as_text=True)
    lo, hi = datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC)
    found = {start for _, start, _, _ in expand_with_recurring_ical_events(feed.encode(), lo, hi)}
    assert found == {o.start_at for o in dates}


def test_an_end_the_new_rules_put_before_the_start_is_marked_for_review(
    app: Flask, create_event, new_rules, restart
) -> None:
    """1:30 AM EDT to 1:15 AM EST on the night clocks fall back: with no summer time that
    year, 1:15 comes first. It became a moment long, unmarked, and the form then saved that."""
    app.config["NOW"] = NOW
    night = create_event(title="Night shift", start=datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
                         minutes=45)  # fmt: skip
    assert (night.wall_end, night.wall_end_fold) == (datetime(2027, 11, 7, 1, 15), 1)
    new_rules(new_york(last_dst_year=2026))  # New York keeps standard time from 2027
    output = refresh(restart())
    assert night.start_at == night.end_at == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    assert night.wall_end == datetime(2027, 11, 7, 1, 15)  # what was entered stays known
    assert night.wall_review == (
        "End: 1:15 AM EST now comes before the start; it is kept at the start, 1:30 AM EST,"
        " until someone sets the end."
    )
    assert f"Review #{night.id} Night shift: {night.wall_review}" in output
