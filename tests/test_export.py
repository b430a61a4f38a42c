"""The admin export (every row of the site's content as JSON, and the whole-site .ics) and its
import into an empty site, which then shows the same public pages and feeds, byte for byte.

The exporting site is a fresh SQLite database with the demo data, an edit in the audit log and
a draft; the importing one is the suite's database (PostgreSQL on that leg: the move from
SQLite to PostgreSQL)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
from conftest import NOW, STAFF_PASSWORD
from flask import Flask
from sqlalchemy import func, select

from events_app import create_app, demo
from events_app.auth import hash_password
from events_app.extensions import alembic, db
from events_app.models import AuditEntry, Category, Event, User, Venue, announced, listed

ADMIN = "admin@example.com"


@pytest.fixture
def source(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """A SQLite site with the demo data, one event edited by an admin, one draft."""
    url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    source = create_app({**app.config, "SQLALCHEMY_ENGINES": {"default": url}, "NOW": NOW})
    with source.app_context():
        alembic.upgrade()
        demo.load_demo(db.session, NOW.date())
        db.session.add(User(email=ADMIN, display_name="Ada", role="admin",
                            password_hash=hash_password(STAFF_PASSWORD)))  # fmt: skip
        db.session.commit()
    client = source.test_client()
    client.post("/staff/login", data={"email": ADMIN, "password": STAFF_PASSWORD})
    with source.app_context():
        first = db.session.scalars(select(Event).order_by(Event.id)).first()
        first_id, fields = first.id, {"status": "draft"}
    assert client.post(f"/staff/events/{first_id}/status", data=fields).status_code == 302
    yield source
    with source.app_context():
        db.engine.dispose()


def public_paths(site: Flask) -> list[str]:
    with site.app_context():
        slugs = db.session.scalars(select(Event.slug).where(Event.status != "draft")).all()
        categories = db.session.scalars(select(Category.slug)).all()
        venues = db.session.scalars(select(Venue.slug).where(Venue.events.any(listed()))).all()
    assert venues
    paths = ["/", "/events/", "/events/?when=past", "/events/?kind=webinar&page=2",
             "/webinars/", "/webinars/archive", "/calendar/", "/calendar/2026/07",
             "/feeds/all.ics", "/feeds/live.ics", "/feeds/webinars.ics",
             "/feeds/events.ics?place=Denver"]  # fmt: skip
    paths += [f"/events/{slug}" for slug in slugs] + [f"/events/{slug}.ics" for slug in slugs]
    paths += [f"/categories/{c}" for c in categories]
    paths += [f"/feeds/categories/{c}.ics" for c in categories]
    paths += [f"/venues/{v}" for v in venues]
    return paths


def answers(site: Flask, paths: list[str]) -> dict[str, tuple[int, bytes, str | None]]:
    client = site.test_client()
    return {
        path: (r.status_code, r.data, r.headers.get("ETag"))
        for path in paths
        for r in [client.get(path)]
    }


def download(site: Flask) -> bytes:
    client = site.test_client()
    client.post("/staff/login", data={"email": ADMIN, "password": STAFF_PASSWORD})
    response = client.get("/staff/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(
        r'attachment; filename="telecom-events-export-2026-06-15\.zip"',
        response.headers["Content-Disposition"],
    )
    return response.data


def test_an_export_imported_into_an_empty_site_shows_the_same_pages(
    source: Flask, app: Flask, runner, tmp_path: Path
) -> None:
    archive = zipfile.ZipFile(io.BytesIO(download(source)))
    assert sorted(archive.namelist()) == ["all.ics", "site.json"]
    data = json.loads(archive.read("site.json"))
    assert data["format"] == "events-app export" and data["schema"]
    assert "users" not in data["tables"] and "feed_state" not in data["tables"]
    assert ADMIN not in json.dumps(data["tables"]["events"])
    with source.app_context():
        total = db.session.scalar(select(func.count(Event.id)))
        # A series is one VEVENT (its master's UID) with its dates inside.
        public = set(db.session.scalars(select(Event.uid).where(announced())))
    assert len(data["tables"]["events"]) == total  # drafts too
    assert {e["status"] for e in data["tables"]["events"]} >= {"draft", "published"}
    assert all("ical_block" not in e for e in data["tables"]["events"])
    (entry,) = data["tables"]["audit_entries"]
    assert entry["user_email"] == ADMIN and entry["action"] == "status"
    calendar = icalendar.Calendar.from_ical(archive.read("all.ics"))
    assert {str(v["UID"]) for v in calendar.walk("VEVENT")} == public  # past ones too

    path = tmp_path / "export.zip"
    path.write_bytes(download(source))
    app.config["NOW"] = NOW
    result = runner.invoke(args=["import-site", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{total} events" in result.output

    paths = public_paths(source)
    before, after = answers(source, paths), answers(app, paths)
    assert [p for p in paths if before[p] != after[p]] == []
    assert {status for status, _, _ in after.values()} == {200}
    with app.app_context():
        (imported,) = db.session.scalars(select(AuditEntry)).all()
        assert imported.user_email == ADMIN and imported.user_id is None
        assert db.session.scalar(select(func.count(User.id))) == 0
        added = Category(name="After The Import", slug="after")  # ids go on after the import
        db.session.add(added)
        db.session.commit()
        assert added.id > max(c["id"] for c in data["tables"]["categories"])

    again = runner.invoke(args=["import-site", str(path)])
    assert again.exit_code != 0 and "The site is not empty" in again.output


def test_the_command_line_export_and_what_import_refuses(
    source: Flask, app: Flask, runner, tmp_path: Path
) -> None:
    path = tmp_path / "cli-export.zip"
    source.config["SITE_URL"] = "https://events.example.com"
    result = source.test_cli_runner().invoke(args=["export-site", str(path)])
    assert result.exit_code == 0, result.output
    ics = zipfile.ZipFile(path).read("all.ics")
    assert b"URL;VALUE=URI:https://events.example.com/events/" in ics
    (tmp_path / "bad.zip").write_bytes(b"PK not really")
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("site.json", json.dumps({"format": "something else"}))
    (tmp_path / "other.zip").write_bytes(other.getvalue())
    # A real export edited by hand: a row twice, a date that is no date, a row that is a list.
    data = json.loads(zipfile.ZipFile(path).read("site.json"))
    events = data["tables"]["events"]
    edits = {
        "twice.zip": ("events", [*events, events[0]]),
        "no-date.zip": ("events", [{**events[0], "first_day": "2026-02-30"}, *events[1:]]),
        "a-list.zip": ("categories", [["not", "a", "row"]]),
    }
    for name, (table, rows) in edits.items():
        edited = io.BytesIO()
        with zipfile.ZipFile(edited, "w") as archive:
            archive.writestr(
                "site.json", json.dumps({**data, "tables": {**data["tables"], table: rows}})
            )
        (tmp_path / name).write_bytes(edited.getvalue())
    for name, says in (
        ("bad.zip", "is not an export"),
        ("other.zip", "not an export"),
        ("twice.zip", "The rows of events could not be loaded"),
        ("no-date.zip", "A row of events could not be read"),
        ("a-list.zip", "A row of categories is not a set of columns"),
    ):
        result = runner.invoke(args=["import-site", str(tmp_path / name)])
        assert result.exit_code == 1 and says in result.output, result.output
        assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id))) == 0


def test_an_export_made_before_venues_had_slugs_gives_them_theirs(
    source: Flask, app: Flask, runner, tmp_path: Path
) -> None:
    data = json.loads(zipfile.ZipFile(io.BytesIO(download(source))).read("site.json"))
    venues = data["tables"]["venues"]
    for row in venues:
        del row["slug"]
    venues.append({**venues[0], "id": 999})  # a second venue of the first one's name
    del data["tables"]["former_venue_slugs"]
    path = tmp_path / "older.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("site.json", json.dumps(data))
    result = runner.invoke(args=["import-site", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        slugs = dict(db.session.execute(select(Venue.id, Venue.slug)).all())
    assert slugs[venues[0]["id"]] == "westin-westminster"
    assert slugs[999] == "westin-westminster-2"
    assert len(set(slugs.values())) == len(venues)


def test_editors_may_not_export(source: Flask) -> None:
    with source.app_context():
        db.session.add(User(email="ed@example.com", display_name="Ed", role="editor",
                            password_hash=hash_password(STAFF_PASSWORD)))  # fmt: skip
        db.session.commit()
    client = source.test_client()
    client.post("/staff/login", data={"email": "ed@example.com", "password": STAFF_PASSWORD})
    assert client.get("/staff/export").status_code == 403
