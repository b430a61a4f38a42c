"""Migrations alone build the schema and it matches the models (no drift), on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from events_app import create_app, database_url
from events_app.extensions import alembic, db
from events_app.models import Base
from events_app.search import TABLE as SEARCH_TABLE
from tests.tools import postgres_url

DRIFT_SCHEMA = "drift_check"


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
