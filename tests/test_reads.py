"""How pages read: the event page in one statement with its categories and speakers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy import update

from events_app.extensions import db
from events_app.models import Speaker


@pytest.fixture
def reads(app: Flask) -> Iterator[list[tuple[str, str]]]:
    """(statement, the connection's transaction status after it) of every statement sent; the
    status is psycopg's (IDLE: the statement ran in no transaction, INTRANS: in one)."""
    seen: list[tuple[str, str]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        info = getattr(conn.connection.dbapi_connection, "info", None)
        status = info.transaction_status.name if info is not None else "sqlite"
        seen.append((statement, status))

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "after_cursor_execute", record)
    yield seen
    sa_event.remove(engine, "after_cursor_execute", record)


def test_the_event_page_is_one_statement_with_categories_and_speakers_in_order(
    app, client, reads, create_event, create_category
):
    app.config["RESPONSE_CACHE_BYTES"] = 0
    categories = [create_category(name) for name in ("Zeta", "Alpha", "Mid")]
    speakers = (("Cara", "CEO", "C Co"), ("Abe", "CTO", "A Co"), ("Bo", "COO", "B Co"))
    event = create_event(slug="ordered", categories=categories, speakers=speakers)
    # Positions unlike the order the rows were made in: Bo first, then Abe, then Cara.
    for name, position in (("Cara", 2), ("Abe", 1), ("Bo", 0)):
        db.session.execute(
            update(Speaker).where(Speaker.event_id == event.id, Speaker.name == name),
            {"position": position},
        )
    db.session.commit()
    reads.clear()
    html = client.get("/events/ordered").get_data(as_text=True)
    assert len(reads) == 1, [s[:80] for s, _ in reads]
    shown = re.findall(r"\b(Zeta|Alpha|Mid|Cara|Abe|Bo)\b", html.split('id="speakers-h"')[1])
    assert shown[:3] == ["Bo", "Abe", "Cara"]
    assert [name for name in shown if name in ("Zeta", "Alpha", "Mid")][:3] == [
        "Alpha",
        "Mid",
        "Zeta",
    ]
    assert html.count(">Alpha</a>") == 1 and html.count(">Bo<") <= 1
