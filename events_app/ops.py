"""Running behind a reverse proxy: trusted X-Forwarded-* headers and the /healthz check."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, Flask, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cli, outage
from .extensions import alembic, db

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers and holds this version's tables; 503 otherwise (for load
    balancers): code deployed before `flask db upgrade` answers every page with a 503, and is
    not healthy."""
    headers = {"Cache-Control": "no-store"}
    try:
        found = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars()
        revisions = set(found)
    except SQLAlchemyError as error:
        db.session.rollback()
        outage.record(error, request.environ)  # said once, in the request's log line
        if cli.NOT_MIGRATED.search(str(getattr(error, "orig", error))):
            said = "no tables: run flask db upgrade"
            return {"status": "unavailable", "database": said}, 503, headers
        return {"status": "unavailable", "database": "error"}, 503, headers
    behind = revisions & older_revisions()
    if behind or not revisions:
        at = ", ".join(sorted(revisions)) or "none"
        said = f"at revision {at}, this version needs {head_revision()}: run flask db upgrade"
        return {"status": "unavailable", "database": said}, 503, headers
    return {"status": "ok", "database": "ok"}, 200, headers


@cache
def head_revision() -> str:
    return alembic.script_directory.get_current_head() or ""


@cache
def older_revisions() -> frozenset[str]:
    """The revisions before this version's last: a database at one of them is not migrated
    yet (one at a revision this version does not know is newer: a rollback; its pages run)."""
    return cli.known_revisions() - {head_revision()}


def init_app(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto/-Host from PROXY_FIX proxies (0 = not behind a proxy)."""
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
