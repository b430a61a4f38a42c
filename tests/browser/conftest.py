"""Real-browser fixtures: a gunicorn server on a fresh demo database, and Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from events_app import audit, create_app
from events_app.extensions import alembic, db
from events_app.models import Event, User
from tests.browser.helpers import DESKTOP, PHONE, screenshot_dir
from tests.servers import Server, gunicorn, server_env
from tests.tools import chromium_path

STAFF_EMAIL = "browser-editor@example.com"
STAFF_PASSWORD = "browser tests password"
ADMIN_EMAIL = "browser-admin-with-a-long-address@newsroom.example.com"
REVIEW_TITLE = "Leading Lights Awards Dinner"
REVIEW_NOTE = (
    "Start: 6:30 PM happens twice on Nov 8, 2026 in America/New_York (first in EDT, then in "
    "EST): choose which one you mean; the first, 6:30 PM EDT, is kept until someone chooses."
)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    folder = screenshot_dir()
    if folder.is_dir() and any(folder.glob("*.png")):
        count = len(list(folder.glob("*.png")))
        terminalreporter.write_line(f"browser screenshots ({count}): {folder}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn (2 workers) on a migrated SQLite file with the demo data, an editor, an admin
    (same password) and an audit entry with long values, as staff really paste them."""
    chromium_path()  # no browser, no point starting a server
    root = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{root / 'events.sqlite'}"
    app = create_app({"SECRET_KEY": "setup", "SQLALCHEMY_ENGINES": {"default": url}})
    app.instance_path = str(root)
    with app.app_context():
        alembic.upgrade()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert "Loaded" in result.output, result.output
        password_hash = generate_password_hash(STAFF_PASSWORD)
        db.session.add(
            User(
                email=STAFF_EMAIL,
                display_name="Browser Editor",
                role="editor",
                password_hash=password_hash,
            )
        )
        admin = User(
            email=ADMIN_EMAIL,
            display_name="Browser Admin",
            role="admin",
            password_hash=password_hash,
        )
        db.session.add(admin)
        event = db.session.scalars(select(Event).order_by(Event.id)).first()
        long_url = "https://registration.example.com/" + "a-long-path-segment-" * 6 + "?ref=1"
        audit.record(
            "update",
            event,
            {"registration_url": ["", long_url], "summary": ["Old summary", event.summary]},
            admin,
        )
        dinner = db.session.scalars(select(Event).where(Event.title == REVIEW_TITLE)).one()
        dinner.wall_review = REVIEW_NOTE  # as tz-refresh leaves an event new zone rules moved
        db.session.commit()
        db.engine.dispose()
    env = server_env(
        DATABASE_URL=url,
        SECRET_KEY="browser-tests-secret-of-32-characters-or-more",
        EVENTS_INSTANCE_PATH=str(root),
        EVENTS_PRODUCTION="true",
        EVENTS_PAGE_SIZE="5",
    )
    with gunicorn(env, root / "gunicorn.log", workers=2) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page plus the console errors and uncaught exceptions it produced (CSP reports included)."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", self._record_failure)

    def _record_failure(self, response) -> None:
        if response.status >= 400:
            self.errors.append(f"{response.status} {response.url}")

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, (path, response and response.status)
        return response


def _watched(browser, live_server: Server, viewport: dict) -> Iterator[Watched]:
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    watched = Watched(page, live_server.url)
    yield watched
    context.close()


@pytest.fixture
def desktop(browser, live_server) -> Iterator[Watched]:
    yield from _watched(browser, live_server, DESKTOP)


@pytest.fixture
def phone(browser, live_server) -> Iterator[Watched]:
    yield from _watched(browser, live_server, PHONE)
