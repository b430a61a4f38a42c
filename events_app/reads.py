"""Public pages on PostgreSQL read in autocommit: no BEGIN and ROLLBACK round trips.

In a transaction, a page's few statements cost two more round trips to the server (BEGIN before
the first, ROLLBACK after the last): about 1 ms of a 6 ms event page. Under READ COMMITTED,
PostgreSQL's default, each statement of a transaction sees its own snapshot anyway, so a page
reads what it read before (Django reads in autocommit by default for the same reason).

Only GET and HEAD requests of the blueprints named here, whose views never write: a flush in such
a request raises. Feeds and the export stay in a transaction (they stream rows through a
server-side cursor, which PostgreSQL keeps only inside one), and so do staff pages. SQLite is left
as it is: its BEGIN is a function call, not a round trip.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from flask import Flask, g, has_request_context, request
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from .extensions import db

READ_ONLY_BLUEPRINTS = frozenset({"public", "calendar", "webinars", "embed", "api", "syndication"})
READ_ONLY = "reads_in_autocommit"  # Session.info key

_autocommit: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


class WriteInReadOnlyRequest(RuntimeError):
    """A view of a read-only blueprint tried to write: it would not be atomic in autocommit."""


def init_app(app: Flask) -> None:
    app.before_request(read_in_autocommit)
    app.teardown_request(end_read_only)


def read_in_autocommit() -> None:
    """before_request: bind this request's session to an autocommit engine, where that applies."""
    if request.method not in ("GET", "HEAD") or request.blueprint not in READ_ONLY_BLUEPRINTS:
        return
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    if engine not in _autocommit:
        _autocommit[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    db.session.bind = _autocommit[engine]
    db.session.info[READ_ONLY] = g.reads_in_autocommit = True


def end_read_only(error: BaseException | None = None) -> None:
    """teardown_request: give the autocommit connection back and bind the session as before
    (an app context can outlive its request, as in tests)."""
    if g.pop("reads_in_autocommit", False):
        db.session.info.pop(READ_ONLY, None)
        db.session.rollback()
        db.session.bind = db.engine


@event.listens_for(Session, "before_flush")
def _refuse_writes(session: Session, flush_context, instances) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        where = f"{request.method} {request.path}" if has_request_context() else "A request"
        raise WriteInReadOnlyRequest(
            f"{where} tried to write; its blueprint reads in autocommit (events_app/reads.py)"
        )
