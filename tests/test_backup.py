"""`flask backup` / `flask restore`: back up, change, restore, and every page, feed and ETag is
what it was before the change, at once in every worker; Last-Modified moves forward. SQLite here,
on every leg (PostgreSQL's pg_dump/pg_restore round trip is in tests/test_faults.py)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import NOW, _base_config
from flask import Flask
from flask.testing import FlaskCliRunner
from werkzeug.http import http_date, parse_date

from events_app import clock, create_app
from events_app.backup import backup_sqlite
from events_app.extensions import alembic, db
from events_app.models import Category, Event
from tests.servers import fetch, gunicorn, server_env

FEED = "/feeds/all.ics"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """This module backs up SQLite files, whatever database the rest of the suite runs on."""
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    app = create_app(_base_config(url, tmp_path))
    with app.app_context():
        alembic.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def sqlite_app(app: Flask, request: pytest.FixtureRequest) -> Flask:
    """The app, its clock pinned at NOW (or at what the test's parameter says)."""
    app.config["NOW"] = getattr(request, "param", NOW)
    return app


@pytest.fixture
def events(sqlite_app: Flask, create_event: Callable[..., Event], create_category) -> list[int]:
    """Two events a week after the app's clock (the real one when NOW is not pinned)."""
    optical = create_category("Optical")
    start = clock.now(sqlite_app) + timedelta(days=7)
    made = [
        create_event(
            title="Backed Up Webinar", slug="backed-up", categories=[optical], start=start
        ),
        create_event(title="Summit To Cancel", slug="to-cancel", kind="live", start=start),
    ]
    return [e.id for e in made]


PATHS = ("/", "/events/", "/events/backed-up", "/events/to-cancel", "/calendar/2026/06",
         "/webinars/", "/categories/optical", FEED, "/feeds/categories/optical.ics",
         "/events/backed-up.ics")  # fmt: skip


def snapshot(get: Callable[[str], tuple[int, dict, bytes]]) -> dict[str, tuple]:
    """Status, body and ETag of every path (the ETag of pages comes from their bytes)."""
    return {path: (status, body, headers.get("ETag")) for path in PATHS
            for status, headers, body in [get(path)]}  # fmt: skip


def change_everything(event_ids: list[int]) -> None:
    kept, cancelled = (db.session.get(Event, i) for i in event_ids)
    kept.title = "Renamed After The Backup"
    cancelled.status = "cancelled"
    db.session.add(Category(name="Added Later", slug="added-later"))
    db.session.commit()


def test_backup_change_restore_gives_back_pages_feeds_and_etags(
    sqlite_app: Flask, runner: FlaskCliRunner, events: list[int], tmp_path: Path
) -> None:
    client = sqlite_app.test_client()

    def get(path: str):
        response = client.get(path)
        return response.status_code, response.headers, response.data

    before = snapshot(get)
    changed_at = client.get(FEED).headers["Last-Modified"]
    path = tmp_path / "backups" / "site.sqlite"
    path.parent.mkdir()
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert "Backed up 2 events" in result.output
    assert runner.invoke(args=["backup", str(path)]).exit_code != 0  # never overwritten

    change_everything(events)
    changed = snapshot(get)
    assert [p for p in PATHS if changed[p] == before[p]] == [], "every path shows the change"
    modified_by_change = parse_date(client.get(FEED).headers["Last-Modified"])

    sqlite_app.config["NOW"] = NOW + timedelta(hours=1)  # restored an hour later
    result = runner.invoke(args=["restore", str(path)], input="n\n")
    assert result.exit_code != 0 and snapshot(get) == changed  # asked, and refused
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    restored = snapshot(get)
    for p in PATHS:
        assert restored[p] == before[p], p
    assert parse_date(client.get(FEED).headers["Last-Modified"]) > modified_by_change
    assert parse_date(changed_at) < modified_by_change
    etag = before[FEED][2]
    assert client.get(FEED, headers={"If-None-Match": etag}).status_code == 304


def test_restore_refuses_what_is_not_a_backup(
    sqlite_app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("not a database")
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    for path, says in (
        (tmp_path / "missing.sqlite", "There is no backup"),
        (tmp_path / "notes.txt", "is not a backup of this site"),
        (empty, "is not a backup of this site"),
    ):
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code != 0 and says in result.output, result.output


def test_postgresql_commands_are_printed(app: Flask, tmp_path: Path) -> None:
    url = "postgresql+psycopg://events:s3cret@db.internal:5432/events"
    pg = create_app({**app.config, "SQLALCHEMY_ENGINES": {"default": url}})
    runner = pg.test_cli_runner()
    dump = runner.invoke(args=["backup", "/srv/backups/events.dump"]).output
    assert (
        "pg_dump --format=custom --no-owner --no-privileges --file=/srv/backups/events.dump "
        "--dbname=postgresql://events@db.internal:5432/events"
    ) in dump
    restore = runner.invoke(args=["restore", "/srv/backups/events.dump"]).output
    assert "pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction" in (
        restore
    )
    assert "flask --app events_app mark-changed" in restore
    assert "s3cret" not in dump + restore


@pytest.mark.parametrize("sqlite_app", [None], indirect=True)  # the servers' clock: real time
def test_every_worker_serves_the_restored_data_at_once(
    sqlite_app: Flask, events: list[int], tmp_path: Path
) -> None:
    """Two gunicorn workers, each with its response cache and feed builds warm."""
    live = sqlite_app.config["SQLALCHEMY_ENGINES"]["default"]
    served = tmp_path / "served.sqlite"
    backup_sqlite(Path(live.removeprefix("sqlite:///")), served)  # a live copy: WAL included
    url = f"sqlite:///{served}"
    site = create_app({**sqlite_app.config, "SQLALCHEMY_ENGINES": {"default": url}})
    env = server_env(DATABASE_URL=url, SECRET_KEY="s", EVENTS_INSTANCE_PATH=str(tmp_path))

    def flask(*args: str) -> str:
        """The command in a process of its own, as an operator runs it."""
        command = [str(Path(sys.executable).with_name("flask")), "--app", "events_app", *args]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    paths = [FEED, "/events/backed-up", "/events/"]
    with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as server:

        def everywhere() -> dict[str, set[tuple[bytes, str]]]:
            """What 12 concurrent requests per path get (so both workers answer)."""
            with ThreadPoolExecutor(4) as pool:
                got = list(pool.map(lambda p: (p, fetch(server.url + p)), paths * 12))
            answers: dict[str, set] = {p: set() for p in paths}
            for p, (status, headers, body) in got:
                assert status == 200, p
                answers[p].add((body, headers.get("ETag")))
            return answers

        before = everywhere()
        assert all(len(a) == 1 for a in before.values())
        assert "Backed up 2 events" in flask("backup", str(tmp_path / "b.sqlite"))
        with site.app_context():
            change_everything(events)
        assert everywhere() != before
        assert "Restored 2 events" in flask("restore", str(tmp_path / "b.sqlite"), "--yes")
        lines_before = len(server.output().splitlines())
        assert everywhere() == before
    after = [json.loads(x) for x in server.output().splitlines()[lines_before:] if x[:1] == "{"]
    assert len({line["pid"] for line in after}) == 2, "both workers answered after the restore"
    with site.app_context():
        db.engine.dispose()


def test_a_backup_of_a_database_without_tables_makes_no_file(tmp_path: Path) -> None:
    """It was refused after copying: the file left behind refused the next try ("exists")."""
    url = f"sqlite:///{tmp_path / 'unmigrated.sqlite'}"
    unmigrated = create_app(_base_config(url, tmp_path))
    target = tmp_path / "backup.sqlite"
    result = unmigrated.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 1 and "no tables yet" in result.output, result.output
    assert not target.exists() and not list(tmp_path.glob("backup.sqlite*"))
    with unmigrated.app_context():
        alembic.upgrade()
        result = unmigrated.test_cli_runner().invoke(args=["backup", str(target)])
        assert result.exit_code == 0 and target.exists(), result.output
        db.engine.dispose()


def test_a_restore_right_after_a_burst_of_changes_still_moves_last_modified_on(
    sqlite_app: Flask, runner: FlaskCliRunner, events: list[int], tmp_path: Path
) -> None:
    """Changes within one second are stamped a second apart, so a burst runs ahead of the
    clock; a restore stamped "now" went back before it, and a cache holding the burst's
    answer got 304 for the restored data."""
    client = sqlite_app.test_client()
    path = tmp_path / "site.sqlite"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    for n in range(4):  # the clock stands still (NOW): each change a second after the last
        db.session.get(Event, events[0]).title = f"Renamed {n}"
        db.session.commit()
    burst = parse_date(client.get(FEED).headers["Last-Modified"])
    assert burst > NOW + timedelta(seconds=2)
    result = runner.invoke(args=["restore", str(path), "--yes"])  # still NOW
    assert result.exit_code == 0, result.output
    restored = client.get(FEED)
    assert parse_date(restored.headers["Last-Modified"]) > burst
    asked = client.get(FEED, headers={"If-Modified-Since": http_date(burst)})
    assert asked.status_code == 200


def test_a_backup_is_restored_into_a_new_empty_database(
    sqlite_app: Flask, runner: FlaskCliRunner, events: list[int], tmp_path: Path
) -> None:
    """The disaster case: a new machine, an empty instance folder, yesterday's backup."""
    path = tmp_path / "site.sqlite"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    new_site = create_app(_base_config(f"sqlite:///{fresh / 'events.sqlite'}", fresh))
    result = new_site.test_cli_runner().invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored 2 events" in result.output
    with new_site.app_context():
        db.engine.dispose()


def test_restore_as_an_operator_runs_it_on_a_new_a_damaged_and_a_locked_live_file(
    sqlite_app: Flask, runner: FlaskCliRunner, events: list[int], tmp_path: Path, monkeypatch
) -> None:
    """In a process of its own (the change state's own connection answers with sqlite3's
    errors): a new machine's empty folder is restored into; a damaged live file is refused
    in one line saying what to do; a live file another process keeps locked is given up on
    after RESTORE_WAIT, in one line, not waited on for ever."""
    from events_app import backup

    path = tmp_path / "site.sqlite"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0

    def flask(folder: Path, *args: str) -> subprocess.CompletedProcess:
        env = server_env(SECRET_KEY="s", EVENTS_INSTANCE_PATH=str(folder))
        command = [str(Path(sys.executable).with_name("flask")), "--app", "events_app", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    done = flask(fresh, "restore", str(path), "--yes")
    assert done.returncode == 0 and "Restored 2 events" in done.stdout, done.stderr

    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "events.sqlite").write_bytes(b"not a database at all " * 400)
    done = flask(damaged, "restore", str(path), "--yes")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "could not be read (file is not a database). Move it aside" in done.stderr
    (damaged / "events.sqlite").rename(damaged / "events.sqlite.damaged")
    assert flask(damaged, "restore", str(path), "--yes").returncode == 0

    monkeypatch.setattr(backup, "RESTORE_WAIT", 0.5)
    live = Path(sqlite_app.config["SQLALCHEMY_ENGINES"]["default"].removeprefix("sqlite:///"))
    holder = sqlite3.connect(live, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's write, never finished
    try:
        result = runner.invoke(args=["restore", str(path), "--yes"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1, result.output
    assert "stayed locked by another process for 0.5 seconds; nothing was restored" in result.output


def test_backup_and_export_to_where_they_cannot_write_say_so_in_one_line(
    sqlite_app: Flask, runner: FlaskCliRunner, events: list[int], tmp_path: Path
) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("a file, not a folder")
    for command in ("backup", "export-site"):
        result = runner.invoke(args=[command, str(a_file / "out.zip")])
        assert result.exit_code != 0 and "is a file, not a folder" in result.output, command
        assert "Traceback" not in result.output
    unwritable = Path("/proc/events-test.sqlite")  # no one may make a file here, root neither
    result = runner.invoke(args=["backup", str(unwritable)])
    assert result.exit_code == 1 and "The backup could not be written to" in result.output
    result = runner.invoke(args=["export-site", "/proc/events-test.zip"])
    assert result.exit_code == 1 and "The export could not be written to" in result.output
