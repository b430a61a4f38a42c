"""Running behind a reverse proxy: trusted X-Forwarded-* headers and the /healthz check."""

from __future__ import annotations

from flask import Blueprint, Flask, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from . import outage
from .extensions import db

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers `SELECT 1`, 503 otherwise (for load balancers)."""
    headers = {"Cache-Control": "no-store"}
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError as error:
        outage.record(error, request.environ)  # said once, in the request's log line
        db.session.rollback()
        return {"status": "unavailable", "database": "error"}, 503, headers
    return {"status": "ok", "database": "ok"}, 200, headers


def init_app(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto/-Host from PROXY_FIX proxies (0 = not behind a proxy)."""
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
