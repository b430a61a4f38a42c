"""Performance guards that are not timings: SQL statements per page stay flat as events grow,
and the cached feed path gives exactly the bytes of a fresh full build."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event as sa_event

from bench.dataset import Generator
from events_app.extensions import db
from tests.conftest import NOW

N = 12  # events at the small size; the large size is 5N


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends while the test runs, in order."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    yield seen
    sa_event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def count_get(client: FlaskClient, statements: list[str]) -> Callable[[str], int]:
    """count_get(path) -> the number of SQL statements a successful GET of `path` ran."""

    def count(path: str) -> int:
        statements.clear()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        response.close()  # a streamed body runs its queries while it is read
        return len(statements)

    return count


@pytest.fixture
def generator(app: Flask) -> Iterator[Generator]:
    """Realistic events (the benchmark's generator) around the tests' fixed NOW."""
    app.config["NOW"] = NOW
    with app.app_context():
        yield Generator(db.session, date(NOW.year, NOW.month, 1), seed=6, span_days=120)


def test_counting_sees_every_statement(app: Flask, statements: list[str]) -> None:
    from sqlalchemy import text

    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.execute(text("SELECT 2"))
    assert [s for s in statements if s.startswith("SELECT ")][-2:] == ["SELECT 1", "SELECT 2"]


PAGES = ["/"]


@pytest.mark.parametrize("path", PAGES)
def test_statements_do_not_grow_with_events(
    generator: Generator, count_get: Callable[[str], int], path: str
) -> None:
    generator.add_events(N)
    count_get(path)  # first request may fill caches (feed blocks): not what is compared
    small = count_get(path)
    generator.add_events(4 * N)
    count_get(path)
    large = count_get(path)
    assert large == small, f"{path}: {small} statements at {N} events, {large} at {5 * N}"
