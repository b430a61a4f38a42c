"""When the database does not answer (restarting, down, unreachable, out of connections).

``is_unavailable`` is the one rule for what counts as that, rather than a bug in a query. A
request it stops gets a 503 with Retry-After and a page in the site's layout (the response
cache serves its last good answer instead, where it holds one: response_cache.py), and one log
line (observability.py), never a traceback per request. A form sent in the meantime (a staff
save) is not lost: the page lists what was sent and offers to send it again unchanged, with a
fresh CSRF token; the event form's version field then still guards against overwriting a
colleague's save. Connections that died with a restart are replaced by the pool's pre-ping
(extensions.py), so the first request after the database is back succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from inspect import iscoroutinefunction
from typing import Any

from flask import Flask, current_app, g, render_template, request
from flask_login import AnonymousUserMixin
from sqlalchemy import exc as sa_exc

from . import kept_form, metrics
from .observability import FAILURE

RETRY_AFTER_SECONDS = 5
_WRAPPED = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def error_classes(app: Flask) -> tuple[type[BaseException], ...]:
    """SQLAlchemy's connection errors, and the driver's own (raised by raw cursors)."""
    from .extensions import db

    with app.app_context():
        dbapi = db.engine.dialect.loaded_dbapi
    return (*_WRAPPED, dbapi.OperationalError, dbapi.InterfaceError)


def is_unavailable(error: BaseException, app: Flask | None = None) -> bool:
    """The one rule: the database could not be reached or went away during the request."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return isinstance(error, app.extensions["database_unavailable"])


def summary(error: BaseException) -> str:
    """The failure in one line: 'OperationalError: connection failed: ... refused'."""
    cause = getattr(error, "orig", None) or error
    text = " ".join(str(cause).split())
    return f"{type(cause).__name__}: {text[:300]}"


def record(error: BaseException, environ: dict[str, Any] | None = None) -> None:
    """Count a failure, and note it for the request's log line (when there is a request)."""
    metrics.DATABASE_ERRORS.labels(type(getattr(error, "orig", None) or error).__name__).inc()
    if environ is not None:
        environ[FAILURE] = summary(error)


def unavailable(error: BaseException):
    """The error handler: 503, Retry-After, the outage page (with a form's fields to resend)."""
    record(error, request.environ)
    from .api.http import answers_in_json, problem

    if answers_in_json(request.path):  # the API and the widgets' data: a problem body
        response = problem(503, "Service Unavailable", "The database does not answer just now.")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    # The page must not ask the database again: who is signed in is not known now.
    g._login_user = AnonymousUserMixin()
    kept = kept_form.fields(request.form) if request.method == "POST" else []
    shown = kept_form.shown(kept)
    page = render_template("outage.html", kept=kept, shown=shown, posted=request.method == "POST")
    response = current_app.make_response((page, 503))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.cache_control.no_store = True
    return response


def tolerate_closing(teardown: Callable[[BaseException | None], None]):
    """A session teardown that survives the database going away after the answer was made:
    its rollback fails then, and the connection is dropped (SQLAlchemy invalidates it), but
    the answer stands; it is not turned into a 500."""

    @wraps(teardown)
    def close(error: BaseException | None) -> None:
        try:
            teardown(error)
        except current_app.extensions["database_unavailable"] as failure:
            record(failure)  # the request is gone: this is its own line
            current_app.logger.warning("Closing a session after its answer: %s", summary(failure))

    return close


def init_app(app: Flask) -> None:
    """Call after the database extension is set up (its session teardown is wrapped)."""
    app.extensions["database_unavailable"] = error_classes(app)
    for error_class in app.extensions["database_unavailable"]:
        app.register_error_handler(error_class, unavailable)
    app.teardown_appcontext_funcs[:] = [
        tolerate_closing(f) if _closes_sessions(f) else f for f in app.teardown_appcontext_funcs
    ]


def _closes_sessions(teardown: Callable) -> bool:
    """Flask-SQLAlchemy-Lite's teardown that closes the request's sessions."""
    module = getattr(teardown, "__module__", None) or ""
    return module.startswith("flask_sqlalchemy_lite") and not iscoroutinefunction(teardown)
