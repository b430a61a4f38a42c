"""The events and webinar listing service."""

from __future__ import annotations

import inspect
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, make_response, render_template, request
from sqlalchemy.exc import ArgumentError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from . import changes, reads, search, settings
from .extensions import alembic, csrf, db, login_manager, use_sqlite_journal_mode

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then environment, then `test_config`
    (whose INSTANCE_PATH, if any, replaces instance/)."""
    instance_path = os.path.abspath(  # a relative EVENTS_INSTANCE_PATH: from the current folder
        (test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("EVENTS_INSTANCE_PATH")
        or str(PROJECT_ROOT / "instance")
    )
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    configure(app, test_config)
    register_extensions(app)
    register_serving(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    # Here, not at the top: importing the package must not import prometheus_client (through
    # the views), which gunicorn_config's folder must come before (metrics.py).
    from . import calendar

    app.config.from_mapping(
        SITE_NAME="Telecom Events",
        SITE_DESCRIPTION="Live events, webinars and live audio for the telecom industry",
        UID_DOMAIN="events.example.com",
        # The zone whose calendar day is "today" for the month grid, the feeds' window, the demo.
        SITE_TIMEZONE="UTC",
        SQLALCHEMY_ENGINES={"default": "sqlite:///events.sqlite"},
        SQLITE_JOURNAL_MODE="wal",
        ALEMBIC={"script_location": str(PROJECT_ROOT / "migrations")},
        PAGE_SIZE=20,
        CALENDAR_PER_DAY=calendar.PER_DAY,  # a day of the month grid's events before "+N more"
        FEED_PAST_DAYS=90,
        FEED_REFRESH_HOURS=12,
        FEED_MAX_AGE=300,
        FEED_CACHE_BYTES=64 * 1024 * 1024,
        FEED_CACHE_MAX_EVENTS=20_000,
        FEED_BUILD_WAIT=10,
        RESPONSE_CACHE_BYTES=96 * 1024 * 1024,
        # How old a kept answer may be and still be served while the database does not answer.
        RESPONSE_CACHE_STALE_IF_ERROR=24 * 3600,
        METRICS_ALLOWED_NETWORKS=["127.0.0.0/8", "::1/128"],
        # The public base URL ("https://events.example.com") feeds link to; default: the request's.
        SITE_URL=None,
        # The image (an absolute URL) a shared link to a public page shows; an event's own first.
        SITE_IMAGE_URL=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=None,  # unset: as PRODUCTION (configure's last step)
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        PRODUCTION=False,
        PROXY_FIX=0,
    )
    if test_config is None:
        defaults = set(app.config)
        config_file = str(Path(app.instance_path) / "config.py")
        try:
            app.config.from_pyfile("config.py", silent=True)
        except Exception as error:  # a syntax error, or anything it raises
            raise settings.SettingsError(f"{config_file} could not be read: {error}") from None
        in_file = settings.unread_in_file(config_file, set(app.config) - defaults, defaults)
        settings.warn_unread(os.environ, defaults, in_file)  # not the file's typos too
        settings.check_nested(os.environ, app.config)
        app.config.from_prefixed_env("EVENTS")
        url = os.environ.get("DATABASE_URL") or app.config.get("DATABASE_URL")
        if url:  # the environment's, else instance/config.py's (settings.check reads it)
            app.config["SQLALCHEMY_ENGINES"] = {"default": database_url(str(url).strip())}
        if os.environ.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    else:
        app.config.from_mapping(test_config)
    settings.check(app.config, app.instance_path)  # SettingsError: one message, no traceback
    if not app.config.get("SECRET_KEY"):
        try:
            app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
        except OSError as error:
            raise settings.SettingsError(
                f"The instance folder {app.instance_path} cannot be written ({error.strerror}):"
                " set EVENTS_INSTANCE_PATH to a folder the app may write, or SECRET_KEY."
            ) from None
    if app.config["SESSION_COOKIE_SECURE"] is None:
        # A production site is served over HTTPS: its staff cookie never goes out over HTTP.
        app.config["SESSION_COOKIE_SECURE"] = app.config["PRODUCTION"]


def database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret_key(instance: Path) -> str:
    """Read the secret key generated into instance/, creating it on first run."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    try:
        db.init_app(app)
    except (TypeError, ValueError, ArgumentError) as error:  # engine options of a wrong kind
        raise settings.SettingsError(f"SQLALCHEMY_ENGINES: {error}") from None
    changes.init_app(app)
    reads.init_app(app)
    drop_async_session_teardown(app)
    use_sqlite_journal_mode(app)  # after: it pushes an app context
    app.config.setdefault("ALEMBIC_CONTEXT", {}).setdefault("include_name", search.include_name)
    alembic.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)


def drop_async_session_teardown(app: Flask) -> None:
    """Unregister Flask-SQLAlchemy-Lite's async-session teardown when no async engine exists.

    Flask runs an async teardown through asgiref, which starts a thread and an event loop at the
    end of every request: about 2 ms each time, more than a small page costs, for nothing here.
    """
    if app.config.get("SQLALCHEMY_ASYNC_ENGINES"):
        return
    app.teardown_appcontext_funcs[:] = [
        f for f in app.teardown_appcontext_funcs if not inspect.iscoroutinefunction(f)
    ]


def register_blueprints(app: Flask) -> None:
    from . import auth, calendar, export, metrics, ops, public, staff, staff_admin, venues, webinars
    from .api import views as api
    from .embed import staff_views as staff_embed
    from .embed import views as embed
    from .feeds import views as feeds
    from .importing import views as staff_import
    from .syndication import views as syndication

    modules = (
        public,
        venues,
        calendar,
        webinars,
        feeds,
        auth,
        staff,
        staff_admin,
        staff_import,
        ops,
    )
    modules += (api, syndication, embed, staff_embed, metrics, export)
    for module in modules:
        app.register_blueprint(module.bp)


def register_serving(app: Flask) -> None:
    """Reverse-proxy trust, security headers, request limits, outages, kept forms, logs."""
    from . import assets, kept_form, observability, ops, outage, response_cache, security

    assets.init_app(app)
    security.init_app(app)
    outage.init_app(app)
    kept_form.init_app(app)
    response_cache.init_app(app)  # inside ProxyFix: it sees the client's scheme and host
    ops.init_app(app)
    observability.init_app(app)  # outermost: every request, cached or not, and its id


def register_template_helpers(app: Flask) -> None:
    from . import templating

    templating.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    def render_error(error: HTTPException):
        from . import addresses
        from .api.http import answers_in_json, problem
        from .response_cache import is_anonymous

        # Routing errors (405) and request limits (414) come before the blueprints' handlers.
        in_json = answers_in_json(request.path)
        if in_json:
            response = problem(error.code or 500, error.name, error.description or error.name)
        else:
            response = make_response(render_template("errors.html", error=error), error.code)
        # A deleted event's address, or a page that names nothing: kept a minute, shared if
        # anonymous. (A problem body's Cache-Control is http.problem's.)
        if error.code in (404, 410) and not in_json:
            addresses.absent_cache_control(response, is_anonymous(request.environ, app))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)  # HTTP asks it of a 405
        return response

    for code in (400, 403, 404, 405, 410, 413, 414, 415, 429):
        app.register_error_handler(code, render_error)


def register_commands(app: Flask) -> None:
    from . import backup, cli, export

    cli.init_app(app)
    backup.init_app(app)
    export.init_app(app)
    for name, command in app.cli.commands.items():
        if name not in ("routes", "run", "shell"):  # Flask's own
            cli.database_errors_in_one_line(command)
