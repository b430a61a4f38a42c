import pytest
from conftest import _base_config

from events_app import create_app, database_url
from events_app.extensions import db


def test_config_layers_test_config_wins(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret-of-32-characters-or-more"


def test_secret_key_generated_into_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app()
    key = (tmp_path / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == key
    assert len(key) == 64
    assert create_app().config["SECRET_KEY"] == key


def test_database_url_uses_psycopg():
    assert database_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert database_url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"


def test_home_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"<!doctype html>" in response.data


def test_unknown_url_gets_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"404" in response.data


def test_seed_demo_loads_once(runner, app):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "Loaded" in result.output
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has" in result.output


def test_sqlite_connections_use_write_ahead_logging_unless_told(tmp_path) -> None:
    """Set on every connection of a SQLite file (that readers then never hold a save back is
    tested in test_staff_events.py); `delete` for where WAL cannot work; a typo stops the app."""
    for mode, expected in ((None, "wal"), ("delete", "delete")):
        config = _base_config(f"sqlite:///{tmp_path / f'{expected}.sqlite'}", tmp_path)
        app = create_app(config if mode is None else {**config, "SQLITE_JOURNAL_MODE": mode})
        with app.app_context(), db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == expected
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        with app.app_context():
            db.engine.dispose()
    typo = {**_base_config("sqlite://", tmp_path), "SQLITE_JOURNAL_MODE": "wall"}
    with pytest.raises(RuntimeError, match="SQLITE_JOURNAL_MODE is 'wall'"):
        create_app(typo)
