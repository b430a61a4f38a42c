"""Migrations alone build the schema and it matches the models (no drift), on both databases."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

from events_app import create_app, database_url
from events_app.extensions import alembic, db
from events_app.models import Base, Event
from events_app.search import TABLE as SEARCH_TABLE
from tests.tools import postgres_url

DRIFT_SCHEMA = "drift_check"
NY = "America/New_York"


def _upgrade_and_compare(engine_config: dict | str, instance: Path) -> tuple[set[str], list]:
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_ENGINES": {"default": engine_config}}
    )
    app.instance_path = str(instance)
    with app.app_context():
        assert alembic.current() == ()
        alembic.upgrade()
        assert {s.revision for s in alembic.current()} == {s.revision for s in alembic.heads()}
        # The search index is the migration's alone (its shape differs by database).
        tables = {t for t in inspect(db.engine).get_table_names() if t != SEARCH_TABLE}
        assert search_index_exists(db.engine)
        diff = alembic.compare_metadata()
        db.engine.dispose()
    return tables, diff


def search_index_exists(engine) -> bool:
    return SEARCH_TABLE in inspect(engine).get_table_names()


def test_sqlite_empty_database_upgrades_to_head_without_drift(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    tables, diff = _upgrade_and_compare(url, tmp_path)
    assert set(Base.metadata.tables) <= tables
    assert diff == []


@pytest.mark.postgres
def test_postgresql_empty_database_upgrades_to_head_without_drift(tmp_path: Path) -> None:
    # A separate schema, so the session's migrated test database stays untouched.
    url = database_url(postgres_url())
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {DRIFT_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {DRIFT_SCHEMA}"))
    try:
        config = {"url": url, "connect_args": {"options": f"-csearch_path={DRIFT_SCHEMA}"}}
        tables, diff = _upgrade_and_compare(config, tmp_path)
        assert set(Base.metadata.tables) | {"alembic_version"} == tables
        assert diff == []
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {DRIFT_SCHEMA} CASCADE"))
        engine.dispose()


def test_0014_keeps_the_status_a_date_of_a_series_was_given_on_its_own(app, create_series):
    """A date whose status differs from its series' keeps it as its own (own_status)."""
    from events_app import series

    master = create_series(start=datetime(2026, 7, 2, 12, 0), weekdays=("TH",), count=3)
    first, second, _ = master.occurrences
    series.set_date_status(second, "cancelled")
    ids = (first.id, second.id)
    db.session.commit()
    db.session.close()  # PostgreSQL: an open transaction would hold off the ALTER TABLE
    alembic.downgrade("0013")
    try:
        columns = {c["name"] for c in inspect(db.engine).get_columns("events")}
        assert "own_status" not in columns
    finally:
        alembic.upgrade()
    db.session.expire_all()
    rows = db.session.execute(
        select(Event.id, Event.status, Event.own_status).where(Event.id.in_(ids)).order_by(Event.id)
    ).all()
    assert [tuple(r) for r in rows] == [
        (ids[0], "published", None),
        (ids[1], "cancelled", "cancelled"),
    ]


def test_0015_gives_a_series_date_in_a_dst_gap_its_rules_wall_time(app, create_series):
    """A date made before 0015 kept its placed time (3:30 AM) as its wall time."""
    show = create_series(
        start=datetime(2027, 3, 7, 2, 30), zone="America/New_York", weekdays=("SU",), count=3
    )
    gap, plain = show.occurrences[1], show.occurrences[2]
    gap.wall_start = datetime(2027, 3, 14, 3, 30)  # as series._schedule wrote it before
    moved = show.occurrences[0]
    moved.set_timed(moved.start_at + timedelta(hours=5), moved.end_at + timedelta(hours=5), NY)
    db.session.commit()
    ids = [o.id for o in show.occurrences]
    db.session.close()  # PostgreSQL: an open transaction would hold off the migration
    alembic.downgrade("0014")
    alembic.upgrade()
    walls = dict(
        db.session.execute(select(Event.id, Event.wall_start).where(Event.id.in_(ids))).all()
    )
    assert walls[gap.id] == datetime(2027, 3, 14, 2, 30)  # the rule's
    assert walls[plain.id] == datetime(2027, 3, 21, 2, 30)
    assert walls[moved.id] == datetime(2027, 3, 7, 7, 30)  # moved on its own: as it was


def test_0016_a_deleted_rows_id_is_never_given_again(
    app, create_event, create_venue, create_category, create_user
):
    """Deleting the newest event (venue, category, user) and adding another gave the new one
    the deleted one's id on SQLite: its History showed the other's entries, and a form left
    open on the deleted one saved onto it. The rows survive the migration both ways."""
    from events_app.models import Category, User, Venue

    made = itertools.count()
    makers = {
        Event: lambda: create_event(),
        Venue: lambda: create_venue(name=f"Hall {next(made)}"),
        Category: lambda: create_category(f"Topic {next(made)}"),
        User: lambda: create_user(f"user{next(made)}@example.com"),
    }
    kept = {}
    for model, make in makers.items():
        kept[model] = make().id
        newest = make().id
        db.session.delete(db.session.get(model, newest))
        db.session.commit()
        assert make().id > newest, model.__name__
    db.session.close()  # PostgreSQL: an open transaction would hold off the migration
    alembic.downgrade("0015")
    alembic.upgrade()
    for model, row_id in kept.items():
        assert db.session.get(model, row_id) is not None, model.__name__


def test_0017_series_dates_left_without_their_venue_get_it(app, create_series, create_venue):
    """Series made from the staff form at a venue had dates without one. The migration gives
    them the series' venue, as a change (a new version, so their calendar entries are written
    again; a higher SEQUENCE; a new token for every cache); a date with a venue of its own
    keeps it."""
    hall, own = create_venue(name="Hall A"), create_venue(name="Own Room")
    show = create_series(start=datetime(2026, 6, 18, 12, 0), kind="live", venue=hall)
    hall_id, own_id, show_id = hall.id, own.id, show.id
    kept = sorted(show.occurrences, key=lambda o: o.recurrence_id)[1].id
    table = Event.__table__
    db.session.execute(table.update().where(Event.series_id == show_id).values(venue_id=None))
    db.session.execute(table.update().where(Event.id == kept).values(venue_id=own_id))
    db.session.commit()

    def read():
        columns = (Event.id, Event.venue_id, Event.sequence, Event.version)
        rows = db.session.execute(select(*columns).where(Event.series_id == show_id)).all()
        token = db.session.scalar(text("SELECT token FROM feed_state"))
        db.session.close()  # PostgreSQL: an open transaction would hold off the migration
        return {row[0]: row[1:] for row in rows}, token

    before, token_before = read()
    alembic.downgrade("0016")
    alembic.upgrade()
    after, token_after = read()
    assert after.pop(kept) == before.pop(kept)  # its own venue, untouched
    assert {venue for venue, _, _ in after.values()} == {hall_id}
    for row_id, (_, sequence, version) in after.items():
        assert sequence > before[row_id][1] and version != before[row_id][2], row_id
    assert token_after != token_before


def test_flask_db_downgrade_takes_a_revision_id_as_a_revision(app, runner, create_event):
    """Our revision ids are numbers; Flask-Alembic read any number as steps, so `flask db
    downgrade 0015` went down fifteen steps and left an empty database."""
    kept = create_event().id
    db.session.close()  # PostgreSQL: an open transaction would hold off the migration
    result = runner.invoke(args=["db", "downgrade", "0015"])
    assert result.exit_code == 0, result.output
    try:
        assert {s.revision for s in alembic.current()} == {"0015"}
        result = runner.invoke(args=["db", "downgrade", "1"])  # a small number: steps
        assert result.exit_code == 0, result.output
        assert {s.revision for s in alembic.current()} == {"0014"}
        # A revision id that does not exist (there is no 0007) is not read as seven steps.
        result = runner.invoke(args=["db", "downgrade", "0007"])
        assert result.exit_code == 1 and "There is no revision 0007" in result.output
        assert {s.revision for s in alembic.current()} == {"0014"}
        # "13", a revision's number without its zeros, is neither read as 13 steps nor done;
        # "-2" is two steps, as the refusal says.
        result = runner.invoke(args=["db", "downgrade", "13"])
        assert result.exit_code == 1 and "Write 0013 for the revision, or -13" in result.output
        assert {s.revision for s in alembic.current()} == {"0014"}
        result = runner.invoke(args=["db", "downgrade", "-2"])
        assert result.exit_code == 0, result.output
        assert {s.revision for s in alembic.current()} == {"0012"}
        assert runner.invoke(args=["db", "upgrade", "0014"]).exit_code == 0
        # Upgrade reads them so too, and what cannot be done is one line, not a traceback.
        named = []
        for args, said in (
            (["upgrade", "0099"], "Error: There is no revision 0099; the revisions are 0001,"),
            (["upgrade", "abc"], "Error: Can't locate revision identified by 'abc'."),
            (["downgrade", "abc"], "Error: Can't locate revision identified by 'abc'."),
            (["downgrade", "１２"], "Error: "),  # digits, but not ASCII ones
            (["downgrade", "99"], "Error: Relative revision -99 didn't produce 99 migrations."),
            (["upgrade", "9"], "Error: Relative revision +9 didn't produce 9 migrations."),
            (["upgrade", "head+1"], "Error: "),
        ):
            result = runner.invoke(args=["db", *args])
            assert result.exit_code == 1 and result.output.startswith(said), result.output
            assert "Traceback" not in result.output
            named += re.findall(r"`flask (db \w+)`", result.output)
        # The commands those messages name to find the way exist.
        assert named and all(runner.invoke(args=n.split()).exit_code == 0 for n in set(named))
        assert {s.revision for s in alembic.current()} == {"0014"}
        result = runner.invoke(args=["db", "upgrade", "0015"])  # a revision id: to it
        assert result.exit_code == 0, result.output
        assert {s.revision for s in alembic.current()} == {"0015"}
        # A target behind the database: Alembic does nothing, and now says so.
        for target in ("0014", "base"):
            result = runner.invoke(args=["db", "upgrade", target])
            assert result.exit_code == 0 and result.output.startswith(
                f"Nothing to do: the database is at 0015, past {target}. To go back to it:"
                f" flask db downgrade {target}"
            ), result.output
        assert {s.revision for s in alembic.current()} == {"0015"}
        assert runner.invoke(args=["db", "upgrade", "0015"]).output == ""  # where it is: quiet
    finally:
        alembic.upgrade()
    assert db.session.get(Event, kept) is not None
