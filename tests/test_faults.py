"""PostgreSQL restarted, stopped and restored under two gunicorn workers, for real.

The restore runs the pg_dump and pg_restore commands that `flask backup` and `flask restore`
print. These tests stop and restart a PostgreSQL cluster of their own (`faults`, port 5434,
made by `.ci/postgres` with PG_CLUSTER=faults), never the shared one other test runs use. They
need root (pg_ctlcluster) and run with the PostgreSQL leg (marker postgres). One more kills a
connection under a request, on the suite's own database.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import STAFF_PASSWORD
from sqlalchemy import create_engine, select, text

from events_app import clock, create_app, database_url, demo
from events_app.auth import hash_password
from events_app.extensions import alembic, db
from events_app.models import Event, User, upcoming_events
from tests.servers import OwnCluster, Server, fetch, form_values, gunicorn, server_env
from tests.tools import postgres_url, require_tool

pytestmark = pytest.mark.postgres

CLUSTER = OwnCluster("faults", 5434, "events_faults")
EDITOR = "editor@example.com"
STALE = "events-app; hit; fwd=stale; detail=database-unavailable"


@pytest.fixture(scope="module")
def cluster_url() -> str:
    postgres_url()  # skipped (or failed under CI) like every PostgreSQL test
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster"):
        require_tool("needs root and pg_ctlcluster to stop and restart a PostgreSQL cluster")
    return database_url(CLUSTER.start())


@pytest.fixture
def server(cluster_url: str, tmp_path: Path) -> Iterator[Server]:
    """A migrated database with the demo events and an editor, served by two workers."""
    engine = create_engine(cluster_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app(
        {"SQLALCHEMY_ENGINES": {"default": cluster_url}, "SECRET_KEY": "x", "TESTING": True}
    )
    with app.app_context():
        alembic.upgrade()
        demo.load_demo(db.session, clock.today())
        db.session.add(User(email=EDITOR, display_name="Ed", password_hash=hash_password(
            STAFF_PASSWORD), role="editor"))  # fmt: skip
        db.session.commit()
        db.engine.dispose()
    env = server_env(
        DATABASE_URL=cluster_url.replace("+psycopg", ""),
        SECRET_KEY="faults-secret-of-at-least-32-characters",
        EVENTS_PRODUCTION="true",
        EVENTS_INSTANCE_PATH=str(tmp_path),
    )
    try:
        # Two workers booting on a busy shared machine may take a while.
        with gunicorn(env, tmp_path / "gunicorn.log", workers=2, wait=120) as running:
            yield running
    finally:
        CLUSTER.ctl("start", check=False)  # running again, whatever a failed test left behind


def log_lines(server: Server) -> list[dict]:
    return [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]


def many(server: Server, paths: list[str]) -> list[tuple[int, dict, bytes]]:
    """GET them four at a time, so that both workers answer some."""
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda path: fetch(server.url + path), paths))


def warm_in_both_workers(server: Server, path: str) -> None:
    """Request ``path`` until both workers have answered it (and so keep it in their cache)."""
    for _ in range(50):
        many(server, [path] * 8)
        pids = {line["pid"] for line in log_lines(server) if line["path"] == path}
        if len(pids) == 2:
            return
    pytest.fail(f"only one worker ever answered {path}")


def test_every_worker_recovers_from_a_restart_by_itself(server: Server) -> None:
    """Without the pool's pre-ping, the first request on each dead connection answered 500."""
    warm = many(server, [f"/events/?q=warm{n}" for n in range(24)])
    assert {status for status, _, _ in warm} == {200}
    assert len({line["pid"] for line in log_lines(server)}) == 2
    CLUSTER.ctl("restart")
    after = many(server, [f"/events/?q=after{n}" for n in range(24)] + ["/feeds/all.ics"] * 4)
    assert [status for status, _, _ in after] == [200] * 28
    assert "Traceback" not in server.output()


def signed_in_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def post(opener, url: str, fields: dict) -> tuple[int, dict, bytes]:
    return fetch(url, urllib.parse.urlencode(fields, doseq=True).encode(), opener=opener)


def test_an_outage_under_two_workers(server: Server, cluster_url: str) -> None:
    for path in ("/", "/feeds/all.ics"):
        warm_in_both_workers(server, path)
    opener = signed_in_opener()
    login = form_values(fetch(server.url + "/staff/login", opener=opener)[2].decode())
    login.update(email=EDITOR, password=STAFF_PASSWORD)
    assert post(opener, server.url + "/staff/login", login)[0] == 200  # the dashboard
    edit_url = f"{server.url}/staff/events/1/edit"
    fields = form_values(fetch(edit_url, opener=opener)[2].decode())
    fields.update(title="Saved Across A Restart", save="Save event")
    _, headers, _ = fetch(server.url + "/feeds/all.ics")
    etag = headers["ETag"]

    CLUSTER.ctl("stop")
    try:
        for status, headers, _ in many(server, ["/"] * 8 + ["/feeds/all.ics"] * 8):
            assert status == 200 and headers["Cache-Status"] == STALE
        status, headers, _ = fetch(server.url + "/feeds/all.ics", headers={"If-None-Match": etag})
        assert status == 304 and headers["Cache-Status"] == STALE
        for status, headers, body in many(server, [f"/events/?q=down{n}" for n in range(8)]):
            assert status == 503 and headers["Retry-After"] == "5"
            assert b'class="site-header"' in body and b"cannot reach its database" in body
        assert fetch(server.url + "/healthz")[0] == 503
        status, _, metrics = fetch(server.url + "/metrics")
        assert status == 200
        errors = rb'events_database_errors_total\{error="OperationalError"\} [1-9]'
        stale = rb'events_response_cache_total\{result="stale"\} (1[7-9]|[2-9]\d)'
        assert re.search(errors, metrics) and re.search(stale, metrics)
        status, _, page = post(opener, edit_url, fields)
        assert status == 503 and b"Saved Across A Restart" in page
        again = form_values(page.decode())
    finally:
        CLUSTER.ctl("start")

    recovered = many(server, [f"/events/?q=up{n}" for n in range(16)])
    assert [status for status, _, _ in recovered] == [200] * 16
    status, _, page = post(opener, edit_url, again)
    assert status == 200 and b"Saved Across A Restart" in page  # followed to the edit page
    engine = create_engine(cluster_url)
    with engine.connect() as connection:
        title = connection.execute(select(Event.title).where(Event.id == 1)).scalar()
    engine.dispose()
    assert title == "Saved Across A Restart"
    output = server.output()
    assert "Traceback" not in output
    failed = [line for line in log_lines(server) if line.get("error")]
    assert all(line["level"] == "WARNING" for line in failed)
    # One line per failed request: 8 stale pages, 9 stale feeds, 8 pages, healthz, the save.
    assert len(failed) == 27, [line["path"] for line in failed]


def test_a_connection_dying_after_the_answer_leaves_the_answer(app, caplog) -> None:
    """The request's session is closed (rolled back) after its answer is made; when PostgreSQL
    dropped the connection meanwhile, the answer still goes out, and one line says so."""
    postgres_url()

    @app.get("/_dies")
    def dies():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return "made before the connection died"

    response = app.test_client().get("/_dies")
    assert response.status_code == 200
    assert response.data == b"made before the connection died"
    (line,) = [r for r in caplog.records if "Closing a session" in r.getMessage()]
    assert line.levelname == "WARNING" and not line.exc_info
    assert app.test_client().get("/healthz").status_code == 200


def flask_command(env: dict[str, str], *args: str) -> str:
    command = [str(Path(sys.executable).with_name("flask")), "--app", "events_app", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def run_printed(printed: str, env: dict[str, str], password: str) -> None:
    """Run the pg_dump / pg_restore / flask lines a command printed, as an operator would."""
    lines = [line for line in printed.splitlines() if line.startswith(("pg_", "flask "))]
    assert lines, printed
    for line in lines:
        words = shlex.split(line)
        if words[0] == "flask":
            flask_command(env, *words[3:])  # after "flask --app events_app"
        else:
            done = subprocess.run(words, env={**env, "PGPASSWORD": password},
                                  capture_output=True, text=True, timeout=300)  # fmt: skip
            assert done.returncode == 0, done.stderr


def test_pg_dump_and_pg_restore_under_two_workers(
    server: Server, cluster_url: str, tmp_path: Path
) -> None:
    """Back up, change, restore: each worker serves the restored pages and feeds (bytes and
    ETags) at once, though both had the changed ones cached."""
    env = server_env(DATABASE_URL=cluster_url.replace("+psycopg", ""), SECRET_KEY="x",
                     EVENTS_INSTANCE_PATH=str(tmp_path))  # fmt: skip
    password = create_engine(cluster_url).url.password
    paths = ["/", "/events/", "/feeds/all.ics", "/feeds/live.ics"]

    def everywhere() -> dict[str, set[tuple[bytes, str | None]]]:
        got: dict[str, set] = {path: set() for path in paths}
        for path, (status, headers, body) in zip(paths * 8, many(server, paths * 8), strict=True):
            assert status == 200, path
            got[path].add((body, headers.get("ETag")))
        return got

    for path in paths:
        warm_in_both_workers(server, path)
    before = everywhere()
    assert all(len(answers) == 1 for answers in before.values())
    dump = tmp_path / "events.dump"
    run_printed(flask_command(env, "backup", str(dump)), env, password)
    assert dump.stat().st_size > 0

    app = create_app({"SQLALCHEMY_ENGINES": {"default": cluster_url}, "SECRET_KEY": "x"})
    with app.app_context():
        live = db.session.scalars(upcoming_events(clock.now(), kind="live", limit=1)).first()
        live.title, live.status = "Changed After The Dump", "cancelled"
        db.session.commit()
        db.engine.dispose()
    for path in paths:
        warm_in_both_workers(server, path)  # both cache the changed pages
    changed = everywhere()
    assert all(changed[path] != before[path] for path in paths)

    lines_before = len(server.output().splitlines())
    run_printed(flask_command(env, "restore", str(dump)), env, password)
    assert everywhere() == before
    after = [json.loads(x) for x in server.output().splitlines()[lines_before:] if x[:1] == "{"]
    assert len({line["pid"] for line in after if line["path"] == "/feeds/all.ics"}) == 2
    assert not [line for line in after if line["status"] >= 500]
