"""Production serving: health check, proxy headers, cookies, secret-key refusal, gunicorn."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from flask import request, session

from events_app import create_app
from events_app.extensions import alembic
from tests.servers import fetch, free_port, gunicorn, gunicorn_command, server_env


def _app(tmp_path: Path, url: str, **config):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_ENGINES": {"default": url}, **config}
    )
    app.instance_path = str(tmp_path)
    return app


def test_healthz_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_503_when_sqlite_file_cannot_be_opened(tmp_path):
    folder = tmp_path / "gone"
    folder.mkdir()
    app = _app(tmp_path, f"sqlite:///{folder / 'events.sqlite'}")
    folder.rmdir()  # the file cannot be opened now (made at start, the app would not start)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"


def test_healthz_503_until_the_database_is_migrated(tmp_path):
    """Code deployed before `flask db upgrade` serves every page a 503: not healthy either."""
    app = _app(tmp_path, f"sqlite:///{tmp_path / 'new.sqlite'}")
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "no tables: run flask db upgrade"
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        alembic.upgrade("0015")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "at revision 0015, this version needs" in response.json["database"]
    with app.app_context():
        alembic.upgrade()
    assert client.get("/healthz").status_code == 200


def test_healthz_503_when_postgresql_port_is_closed(tmp_path):
    url = f"postgresql+psycopg://events:pw@127.0.0.1:{free_port()}/events?connect_timeout=3"
    response = _app(tmp_path, url).test_client().get("/healthz")
    assert response.status_code == 503


def _echo_app(tmp_path: Path, **config):
    app = _app(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite'}", **config)

    @app.get("/_echo")
    def echo():
        session["seen"] = True
        return {
            "remote_addr": request.remote_addr,
            "scheme": request.scheme,
            "host": request.host,
        }

    return app


def test_forwarded_headers_ignored_without_proxy_fix(tmp_path):
    client = _echo_app(tmp_path).test_client()
    headers = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "events.example.org",
    }
    data = client.get("/_echo", headers=headers).json
    assert data == {"remote_addr": "127.0.0.1", "scheme": "http", "host": "localhost"}


def test_proxy_fix_trusts_one_proxy_when_configured(tmp_path):
    client = _echo_app(tmp_path, PROXY_FIX=1).test_client()
    headers = {
        "X-Forwarded-For": "198.51.100.1, 203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "events.example.org",
    }
    data = client.get("/_echo", headers=headers).json
    assert data == {"remote_addr": "203.0.113.9", "scheme": "https", "host": "events.example.org"}


def test_proxy_fix_and_secure_cookies_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("EVENTS_PROXY_FIX", "1")
    monkeypatch.setenv("EVENTS_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["PROXY_FIX"] == 1
    assert app.config["SESSION_COOKIE_SECURE"] is True

    @app.get("/_echo")
    def echo():
        session["seen"] = True
        return {"scheme": request.scheme}

    response = app.test_client().get("/_echo", headers={"X-Forwarded-Proto": "https"})
    assert response.json == {"scheme": "https"}
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_session_cookie_stays_under_the_path_the_app_is_served_at(tmp_path):
    """Served under https://example.com/events/ (SCRIPT_NAME=/events), the staff cookie was
    Path=/: sent to every other application of the host, and theirs, also named "session",
    could replace it."""
    app = _app(tmp_path, "sqlite://")

    @app.get("/_sign")
    def sign():
        session["seen"] = True
        return "ok"

    client = app.test_client()
    cookie = client.get("/_sign", base_url="https://example.com/events").headers["Set-Cookie"]
    assert "Path=/events;" in cookie or cookie.endswith("Path=/events"), cookie
    assert "Path=/;" in client.get("/_sign").headers["Set-Cookie"]  # served at the root
    app.config["SESSION_COOKIE_PATH"] = "/"  # an operator's choice stands
    cookie = client.get("/_sign", base_url="https://example.com/events").headers["Set-Cookie"]
    assert "Path=/;" in cookie, cookie


def test_the_session_cookie_is_secure_when_it_is_set_over_https(tmp_path):
    """Unless SESSION_COOKIE_SECURE was set as well, the cookie set over HTTPS (a proxy's
    X-Forwarded-Proto, trusted) was sent again over plain HTTP, where anyone could read it."""
    app = _app(tmp_path, "sqlite://", PROXY_FIX=1)

    @app.get("/_sign")
    def sign():
        session["seen"] = True
        return "ok"

    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": "https"}
    assert "; Secure" in client.get("/_sign", headers=forwarded).headers["Set-Cookie"]
    assert "; Secure" in client.get("/_sign", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" not in client.get("/_sign").headers["Set-Cookie"]  # plain HTTP, as set


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(RuntimeError, match="No SECRET_KEY configured.*SECRET_KEY environment"):
        create_app({"PRODUCTION": True, "SQLALCHEMY_ENGINES": {"default": "sqlite://"}})


def test_production_env_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("EVENTS_PRODUCTION", "true")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="No SECRET_KEY configured"):
        create_app()
    assert not (tmp_path / "secret_key").exists()


def test_gunicorn_prints_why_it_refuses_to_start(tmp_path):
    env = server_env(EVENTS_PRODUCTION="true", EVENTS_INSTANCE_PATH=str(tmp_path))
    result = subprocess.run(
        gunicorn_command(free_port(), workers=1),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode != 0
    assert "No SECRET_KEY configured" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr  # one line, from the master


def test_gunicorn_serves_in_production_mode(tmp_path):
    url = f"sqlite:///{tmp_path / 'events.sqlite'}"
    with _app(tmp_path, url).app_context():
        alembic.upgrade()
    env = server_env(
        EVENTS_PRODUCTION="true",
        SECRET_KEY="s3cret-of-at-least-32-characters-long",
        DATABASE_URL=url,
        EVENTS_INSTANCE_PATH=str(tmp_path),
        HOME=str(tmp_path / "home"),  # where gunicorn would put its control socket
    )
    env.pop("XDG_RUNTIME_DIR", None)
    with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as server:
        status, _, body = fetch(server.url + "/")
        assert status == 200
        assert b"<!doctype html>" in body
        assert fetch(server.url + "/no-such-page")[0] == 404
    assert "Booting worker" in server.output()
    assert not (tmp_path / "secret_key").exists()
    # No control socket: two gunicorns of one user on a host would share it.
    assert not (tmp_path / "home" / ".gunicorn").exists()
