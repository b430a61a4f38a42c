"""The outage pages in Chromium, at both widths: a visitor's 503 and an editor's save kept for
sending again. The outage is real: another connection holds SQLite's exclusive lock, so the
servers' reads time out ("database is locked") until it lets go. That takes SQLite's rollback
journal (`SQLITE_JOURNAL_MODE=delete`): in the default WAL mode a writer never stops readers."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from events_app import create_app
from events_app.extensions import alembic, db
from events_app.models import User
from tests.browser.conftest import STAFF_EMAIL, STAFF_PASSWORD, Watched
from tests.browser.helpers import DESKTOP, check_page
from tests.browser.test_staff import sign_in
from tests.servers import Server, gunicorn, server_env
from tests.tools import chromium_path

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """gunicorn on the demo data, waiting at most 0.2 s for SQLite's lock."""
    chromium_path()
    root = tmp_path_factory.mktemp("outage")
    path = root / "events.sqlite"
    app = create_app(
        {
            "SECRET_KEY": "setup",
            "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{path}"},
            "SQLITE_JOURNAL_MODE": "delete",
        }
    )
    app.instance_path = str(root)
    with app.app_context():
        alembic.upgrade()
        assert "Loaded" in app.test_cli_runner().invoke(args=["seed-demo"]).output
        db.session.add(User(email=STAFF_EMAIL, display_name="Browser Editor", role="editor",
                            password_hash=generate_password_hash(STAFF_PASSWORD)))  # fmt: skip
        db.session.commit()
        db.engine.dispose()
    engine = {"url": f"sqlite:///{path}", "connect_args": {"timeout": 0.2}}
    env = server_env(
        EVENTS_SQLALCHEMY_ENGINES=json.dumps({"default": engine}),
        SECRET_KEY="browser-tests-secret-of-32-characters-or-more",
        EVENTS_INSTANCE_PATH=str(root),
        EVENTS_PRODUCTION="true",
        EVENTS_SQLITE_JOURNAL_MODE="delete",
    )
    with gunicorn(env, root / "gunicorn.log", workers=2) as server:
        yield server, path


@contextmanager
def locked(path: Path) -> Iterator[None]:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.fixture
def page(browser, site) -> Iterator[Watched]:
    server, _ = site
    context = browser.new_context(viewport=DESKTOP, base_url=server.url)
    watched = Watched(context.new_page(), server.url)
    watched.page.set_default_timeout(10_000)
    yield watched
    context.close()


def expect_503(watched: Watched) -> None:
    """The 503 is the point here; any other failed response is still an error."""
    expected = ("503 ", "Failed to load resource: the server responded with a status of 503")
    assert [e for e in watched.errors if e.startswith(expected)], "a 503 was expected"
    watched.errors[:] = [e for e in watched.errors if not e.startswith(expected)]


def test_a_visitors_503_page(page: Watched, site) -> None:
    with locked(site[1]):
        response = page.page.goto(page.base_url + "/events/?q=never+cached")
        assert response is not None and response.status == 503
        assert response.headers["retry-after"] == "5"
        expect_503(page)
        assert "cannot reach its database" in page.page.inner_text("main")
        check_page(page, "outage 503")


def test_an_editors_save_is_kept_and_sent_again(page: Watched, site) -> None:
    p = page.page
    sign_in(page)
    page.goto("/staff/events/1/edit")
    title = "Kept While The Database Was Away: a rather long title, as editors write them"
    p.fill("#title", title)
    p.fill("#description", "First paragraph.\n\nSecond paragraph, with a link: "
                           "https://registration.example.com/" + "long-path-" * 8)  # fmt: skip
    with locked(site[1]):
        p.click("#save")
        p.wait_for_load_state("load")
        expect_503(page)
        assert "Nothing was saved yet" in p.inner_text("main")
        assert title in p.inner_text(".kept-input")
        check_page(page, "outage save kept")
    p.click("text=Send again")
    p.wait_for_url(re.compile(r"/staff/events/1/edit$"))
    assert p.input_value("#title") == title
    assert "Saved" in p.inner_text(".flashes")
