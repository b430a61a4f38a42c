"""Change tracking (changes.py): stamps that never collide, a token that never repeats, and
mark_changed as the one way to announce changes made behind the ORM."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.orm import Session

from events_app import changes
from events_app.extensions import db
from events_app.models import Event, FeedState
from tests.conftest import NOW

FEED = "/feeds/all.ics"


@pytest.fixture
def two_events(app: Flask, create_event: Callable[..., Event]) -> tuple[int, int]:
    app.config["NOW"] = NOW
    return create_event(title="First").id, create_event(title="Second").id


def test_overlapping_saves_in_two_workers_get_distinct_stamps(
    app: Flask, client: FlaskClient, two_events: tuple[int, int]
) -> None:
    """The first save flushes and waits; the second flushes and commits meanwhile (another
    worker); then the first commits. The second must be stamped after the first, or a client
    holding the first's Last-Modified would be told 304 after the second."""
    first_id, second_id = two_events
    engine = db.engine
    first = Session(engine)
    second_done = threading.Event()

    def second_worker() -> None:
        with app.app_context(), Session(engine) as session:
            session.get(Event, second_id).title = "Second edited"
            session.commit()  # blocks on the first's lock until it commits
        second_done.set()

    first.get(Event, first_id).title = "First edited"
    first.flush()
    worker = threading.Thread(target=second_worker)
    worker.start()
    second_done.wait(0.5)
    first.commit()
    first.close()
    worker.join(30)
    assert second_done.is_set()

    stamps = dict(db.session.execute(select(Event.id, Event.updated_at)).all())
    assert stamps[first_id] != stamps[second_id]
    latest = max(stamps.values())
    assert db.session.scalar(select(FeedState.changed_at)) == latest
    # A client that saw the earlier save only must get the later one.
    earlier = min(stamps.values()).strftime("%a, %d %b %Y %H:%M:%S GMT")
    response = client.get(FEED, headers={"If-Modified-Since": earlier})
    assert response.status_code == 200
    assert b"SUMMARY:First edited" in response.data
    assert b"SUMMARY:Second edited" in response.data


def test_every_change_gets_a_new_token(app: Flask, two_events: tuple[int, int]) -> None:
    seen = {changes.read_state(db.engine).token}
    for n in range(3):
        db.session.get(Event, two_events[0]).title = f"Title {n}"
        db.session.commit()
        seen.add(changes.read_state(db.engine).token)
    assert len(seen) == 4


def _kept_connection():
    """The connection read_state keeps (changes._KeptConnection)."""
    return changes._kept_connection(db.engine).connection


def _in_transaction(connection) -> bool:
    if hasattr(connection, "in_transaction"):  # sqlite3
        return connection.in_transaction
    return connection.info.transaction_status != 0  # psycopg: 0 is IDLE


def test_read_state_sees_each_commit_and_leaves_no_transaction_open(
    app: Flask, two_events: tuple[int, int]
) -> None:
    """The token is read on a connection kept for the thread: it must see every commit made
    on other connections at once, and hold no snapshot or transaction between reads."""
    before = changes.read_state(db.engine).token
    kept = _kept_connection()
    assert not _in_transaction(kept)
    with Session(db.engine) as other:
        other.get(Event, two_events[0]).title = "Edited elsewhere"
        other.commit()
    assert changes.read_state(db.engine).token != before
    assert _kept_connection() is kept  # the same connection, not one per read
    assert not _in_transaction(kept)


def test_read_state_keeps_one_connection_whatever_the_threads(app: Flask, two_events) -> None:
    """A server that starts a thread per request (flask run) must not gain a connection per
    thread: the threads take turns on the one kept connection."""
    engine = db.engine
    expected = changes.read_state(engine)
    kept = _kept_connection()
    seen: list = []

    def read() -> None:
        seen.append((changes.read_state(engine), changes._kept_connection(engine).connection))

    threads = [threading.Thread(target=read) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert seen == [(expected, kept)] * 20


def test_read_state_replaces_a_connection_that_died(app: Flask, two_events) -> None:
    """A kept connection that fails (the database restarted) is dropped, and the read is made
    again on a new one: the caller sees the state, not the error."""
    expected = changes.read_state(db.engine)
    dead = _kept_connection()
    dead.close()  # what a restart leaves behind: a connection that raises on use
    assert changes.read_state(db.engine) == expected
    assert _kept_connection() is not dead


def test_engine_dispose_closes_the_kept_connection(app: Flask, two_events) -> None:
    engine = create_engine(db.engine.url)  # its own: the app's session holds a connection
    expected = changes.read_state(engine)
    kept = changes._kept_connection(engine).connection
    engine.dispose()
    with pytest.raises(engine.dialect.loaded_dbapi.Error):
        kept.cursor().execute("SELECT 1")
    assert changes.read_state(engine) == expected  # a new one is made
    engine.dispose()


def _snapshot() -> tuple[list, list]:
    """What a backup holds of what the feeds show: the feed_state row and the events."""
    state = db.session.execute(text("SELECT * FROM feed_state")).mappings().all()
    events = db.session.execute(text("SELECT * FROM events")).mappings().all()
    return [dict(r) for r in state], [dict(r) for r in events]


def _restore(backup: tuple[list, list]) -> None:
    """Put the backed-up rows back, as restoring the database would (raw SQL, no ORM)."""
    state, events = backup
    db.session.execute(text("DELETE FROM feed_state"))
    for row in state:
        columns = ", ".join(row)
        values = ", ".join(f":{c}" for c in row)
        db.session.execute(text(f"INSERT INTO feed_state ({columns}) VALUES ({values})"), row)
    for row in events:
        assignments = ", ".join(f"{c} = :{c}" for c in row if c != "id")
        db.session.execute(text(f"UPDATE events SET {assignments} WHERE id = :id"), row)
    db.session.commit()
    db.session.expire_all()


def test_a_restored_backup_never_brings_back_a_token_workers_trust(
    app: Flask, client: FlaskClient, two_events: tuple[int, int]
) -> None:
    event_id = two_events[0]
    assert b"SUMMARY:First" in client.get(FEED).data
    backup = _snapshot()
    db.session.get(Event, event_id).title = "Edited after the backup"
    db.session.commit()
    assert b"SUMMARY:Edited after the backup" in client.get(FEED).data  # this worker keeps it
    assert b"Edited after the backup" in client.get("/events/").data
    _restore(backup)
    db.session.get(Event, event_id).title = "Edited after the restore"
    db.session.commit()
    feed = client.get(FEED).data
    assert b"SUMMARY:Edited after the restore" in feed
    assert b"Edited after the backup" not in feed
    assert b"Edited after the restore" in client.get("/events/").data


def test_mark_changed_is_the_one_way_for_raw_sql(
    app: Flask, client: FlaskClient, two_events: tuple[int, int]
) -> None:
    """Raw SQL, then changes.mark_changed: pages and feeds show it at once, with a new ETag,
    a new LAST-MODIFIED and a higher SEQUENCE; the stored block is rendered again."""
    event_id = two_events[0]
    event = db.session.get(Event, event_id)
    before = (event.version, event.sequence, event.updated_at)
    feed = client.get(FEED)
    page = client.get(f"/events/{event.slug}")
    assert client.get(FEED, headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304
    db.session.execute(update(Event).where(Event.id == event_id).values(title="Raw SQL title"))
    changes.mark_changed(db.session, [event_id])
    db.session.commit()
    after = client.get(FEED, headers={"If-None-Match": feed.headers["ETag"]})
    assert after.status_code == 200 and b"SUMMARY:Raw SQL title" in after.data
    assert after.last_modified > feed.last_modified
    assert b"Raw SQL title" in client.get(f"/events/{event.slug}").data
    assert client.get(f"/events/{event.slug}").headers["ETag"] != page.headers["ETag"]
    reloaded = db.session.get(Event, event_id)
    assert reloaded.version != before[0] and reloaded.sequence == before[1] + 1
    assert reloaded.updated_at > before[2]
    assert f"SEQUENCE:{before[1] + 1}\r\n".encode() in after.data


def test_clearing_the_stored_block_alone_is_not_enough(
    app: Flask, client: FlaskClient, two_events: tuple[int, int]
) -> None:
    """What the old module comment said to do: caches cannot see it; mark_changed is needed."""
    event_id = two_events[0]
    etag = client.get(FEED).headers["ETag"]
    db.session.execute(
        update(Event).where(Event.id == event_id).values(title="Behind", ical_block_key=None)
    )
    db.session.commit()
    assert client.get(FEED, headers={"If-None-Match": etag}).status_code == 304
    changes.mark_changed(db.session, [event_id])
    db.session.commit()
    assert b"SUMMARY:Behind" in client.get(FEED, headers={"If-None-Match": etag}).data


def test_bulk_inserts_are_announced_without_ids(app: Flask, client: FlaskClient, two_events):
    etag = client.get(FEED).headers["ETag"]
    row = {c.key: None for c in Event.__table__.columns if c.key != "id"}
    template = db.session.get(Event, two_events[1])
    row.update({c: getattr(template, c) for c in row if c not in ("uid", "slug")})
    row.update(uid="bulk@events.test", slug="bulk", title="Bulk loaded", ical_block=None)
    row.update(ical_block_key=None, updated_at=NOW + timedelta(seconds=5))
    db.session.execute(Event.__table__.insert(), [row])
    changes.mark_changed(db.session)
    db.session.commit()
    assert b"SUMMARY:Bulk loaded" in client.get(FEED, headers={"If-None-Match": etag}).data
