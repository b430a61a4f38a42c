"""Fixtures: an app on a real, migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy import event as sa_event

from events_app import create_app, database_url
from events_app.extensions import alembic, db
from events_app.models import Base, Category, Event, Speaker, User, Venue

# A fixed "now" for tests that depend on the clock; pass it wherever a function takes `now`.
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def _base_config(url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-of-32-characters-or-more",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_ENGINES": {"default": url},
        "UID_DOMAIN": "events.test",
        "INSTANCE_PATH": str(instance),
        "PAGE_SIZE": 5,
    }


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate an empty database to head once per session; return its URL."""
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if pg_url:
        url = database_url(pg_url)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'template.sqlite'}"
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(_base_config(url, instance))
    with app.app_context():
        alembic.upgrade()
        for engine in db.engines.values():
            engine.dispose()  # SQLite: the last connection closed, the WAL is in the file to copy
    return url


@pytest.fixture
def app(migrated_database: str, tmp_path: Path) -> Iterator[Flask]:
    if migrated_database.startswith("sqlite"):
        template = migrated_database.removeprefix("sqlite:///")
        copy = tmp_path / "test.sqlite"
        shutil.copyfile(template, copy)
        url = f"sqlite:///{copy}"
    else:
        url = migrated_database
        engine = create_engine(url)
        with engine.begin() as conn:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
    app = create_app(_base_config(url, tmp_path))
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


# --- factories ---------------------------------------------------------------------------------

_counter = iter(range(1, 10**9))


@pytest.fixture
def create_venue(app_ctx: Flask) -> Callable[..., Venue]:
    def create(**overrides) -> Venue:
        fields = dict(
            name="Westin Westminster",
            address="10600 Westminster Blvd",
            city="Denver",
            region="CO",
            country="United States",
            timezone="America/Denver",
        )
        fields.update(overrides)
        venue = Venue(**fields)
        db.session.add(venue)
        db.session.commit()
        return venue

    return create


@pytest.fixture
def create_category(app_ctx: Flask) -> Callable[..., Category]:
    def create(name: str = "5G", slug: str | None = None) -> Category:
        category = Category(name=name, slug=slug or name.lower().replace(" ", "-"))
        db.session.add(category)
        db.session.commit()
        return category

    return create


@pytest.fixture
def create_event(app_ctx: Flask) -> Callable[..., Event]:
    """create_event(title=..., start=aware dt, minutes=60, zone=..., first_day=..., days=...)."""

    def create(
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        minutes: int = 60,
        zone: str = "America/New_York",
        first_day: date | None = None,
        last_day: date | None = None,
        speakers: tuple[tuple[str, str, str], ...] = (),
        categories: list[Category] | None = None,
        **overrides,
    ) -> Event:
        n = next(_counter)
        fields = dict(
            title=f"Event {n}",
            slug=f"event-{n}",
            kind="webinar",
            status="published",
            summary="A test event.",
        )
        fields.update(overrides)
        event = Event(**fields)
        if first_day is not None:
            event.set_all_day(first_day, last_day or first_day, zone)
        else:
            start = start or NOW + timedelta(days=7)
            event.set_timed(start, end or start + timedelta(minutes=minutes), zone)
        event.speakers = [
            Speaker(name=a, title=b, company=c, position=i) for i, (a, b, c) in enumerate(speakers)
        ]
        event.categories = categories or []
        db.session.add(event)
        db.session.commit()
        return event

    return create


@pytest.fixture
def create_series(app_ctx: Flask) -> Callable[..., Event]:
    """create_series(start=naive local wall time, zone=..., freq="weekly", minutes=60,
    weekdays=(), week_of_month=None, until=None, count=None, interval=1, **event fields):
    a published series master with its occurrences (materialized as of NOW)."""
    from events_app import recurrence, series

    def create(
        *,
        start: datetime,
        zone: str = "America/New_York",
        freq: str = "weekly",
        minutes: int = 60,
        all_day: bool = False,
        weekdays: tuple[str, ...] = (),
        week_of_month: int | None = None,
        month_day: int | None = None,
        until: date | None = None,
        count: int | None = None,
        interval: int = 1,
        **overrides,
    ) -> Event:
        n = next(_counter)
        fields = dict(title=f"Series {n}", slug=f"series-{n}", kind="webinar")
        fields.update(status="published", summary="A test series.")
        fields.update(overrides)
        master = Event(**fields, timezone=zone, all_day=all_day)
        duration = timedelta(days=minutes // 1440) if all_day else timedelta(minutes=minutes)
        rule = recurrence.Rule(
            freq=freq, start=start, zone=zone, duration=duration, all_day=all_day,
            interval=interval, weekdays=weekdays, week_of_month=week_of_month,
            month_day=month_day, until=until, count=count,
        )  # fmt: skip
        series.set_rule(master, rule)
        db.session.add(master)
        series.sync(master, NOW.date())
        db.session.commit()
        return master

    return create


@pytest.fixture
def create_user(app_ctx: Flask) -> Callable[..., User]:
    from werkzeug.security import generate_password_hash

    def create(email: str = "editor@example.com", password: str = "correct horse battery", *,
               role: str = "editor", **overrides) -> User:  # fmt: skip
        user = User(
            email=email,
            display_name=overrides.pop("display_name", email.split("@")[0].title()),
            password_hash=generate_password_hash(password),
            role=role,
            **overrides,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return create


# --- staff sessions ----------------------------------------------------------------------------

STAFF_PASSWORD = "correct horse battery"


class AuthActions:
    """auth.login(email, password) / auth.logout() through the real login form."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str = "editor@example.com", password: str = STAFF_PASSWORD):
        return self._client.post("/staff/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/staff/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def editor(create_user: Callable[..., User]) -> User:
    return create_user("editor@example.com", STAFF_PASSWORD, role="editor")


@pytest.fixture
def admin(create_user: Callable[..., User]) -> User:
    return create_user("admin@example.com", STAFF_PASSWORD, role="admin", display_name="Ada Admin")


@pytest.fixture
def csrf_app(app, monkeypatch, tmp_path):
    """The test app's database and settings, with CSRF on and uploads kept in tmp_path."""
    monkeypatch.setenv("EVENTS_INSTANCE_PATH", str(tmp_path / "csrf-instance"))
    app.config["NOW"] = NOW
    config = {k: v for k, v in app.config.items() if k.isupper()}
    csrf_app = create_app({**config, "WTF_CSRF_ENABLED": True})
    yield csrf_app
    with csrf_app.app_context():
        db.engine.dispose()


@pytest.fixture
def csrf_client(csrf_app, admin, create_event):
    return csrf_app.test_client()


class Sent(str):
    """An SQL statement the app's engine sent, with `transaction`: psycopg's status of its
    connection after it (IDLE: it ran in no transaction, INTRANS: in one), or "sqlite"."""

    transaction: str


@pytest.fixture
def statements(app: Flask) -> Iterator[list[Sent]]:
    """Every SQL statement the app's engine sends while the test runs, in order."""
    seen: list[Sent] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        sent = Sent(statement)
        info = getattr(conn.connection.dbapi_connection, "info", None)
        sent.transaction = info.transaction_status.name if info is not None else "sqlite"
        seen.append(sent)

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "after_cursor_execute", record)
    yield seen
    sa_event.remove(engine, "after_cursor_execute", record)
