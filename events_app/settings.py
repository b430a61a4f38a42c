"""The operator's settings (instance/config.py, EVENTS_* and the other environment variables),
checked when the app is made: a wrong value stops it with one message naming the setting,
instead of failing every request that reads it."""

from __future__ import annotations

import difflib
import ipaddress
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .markup import is_web_address
from .timefmt import is_valid_zone

SQLITE_JOURNAL_MODES = ("wal", "delete", "truncate", "persist")
YEAR, GIB = 365 * 24 * 3600, 1024**3
# Whole numbers, each with its smallest and largest value.
COUNTS = {
    "PAGE_SIZE": (1, 500),
    "CALENDAR_PER_DAY": (1, 50),
    "FEED_PAST_DAYS": (0, 3660),
    "FEED_REFRESH_HOURS": (1, 24 * 366),
    "FEED_MAX_AGE": (0, YEAR),
    "FEED_CACHE_BYTES": (0, 64 * GIB),
    "FEED_CACHE_MAX_EVENTS": (0, 10**7),
    "FEED_BUILD_WAIT": (1, 3600),
    "RESPONSE_CACHE_BYTES": (0, 64 * GIB),
    "RESPONSE_CACHE_STALE_IF_ERROR": (0, YEAR),
    "MAX_CONTENT_LENGTH": (1, GIB),
    "PROXY_FIX": (0, 10),
}
# The same, for settings read without a default (READ_WITHOUT_DEFAULT): checked when set.
COUNTS_WHEN_SET = {"MAX_QUERY_STRING_LENGTH": (256, 1024 * 1024)}
FLAGS = ("PRODUCTION", "SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")
TEXTS = ("SITE_NAME", "SITE_DESCRIPTION", "UID_DOMAIN")
YES, NO = ("true", "yes", "on", "1"), ("false", "no", "off", "0", "")
HOST_NAME = re.compile(r"[^\W_]([^\W_]|-)*(\.[^\W_]([^\W_]|-)*)*")  # events.example.com
DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}  # the database and its driver


# EVENTS_* names read by what the app is built on (Flask-WTF, Flask-Login, Flask-SQLAlchemy-Lite,
# Flask-Alembic), and the ones the app reads without a default.
READ_ELSEWHERE = ("WTF_", "RECAPTCHA_", "SQLALCHEMY_", "REMEMBER_COOKIE_", "ALEMBIC")
READ_WITHOUT_DEFAULT = (
    "INSTANCE_PATH",
    "DATABASE_URL",
    "SESSION_COOKIE_SECURE",
    "SESSION_PROTECTION",
    "USE_SESSION_FOR_NEXT",
    "LOGIN_DISABLED",
    "MAX_QUERY_STRING_LENGTH",
    "AUTH_HEADER_NAME",  # Flask-Login's
    "FORCE_HOST_FOR_REDIRECTS",
)
log = logging.getLogger("events_app.settings")
_warned: set[str] = set()  # per process; gunicorn's workers inherit the master's


class SettingsError(click.ClickException, RuntimeError):
    """`flask` prints it as one line ("Error: ..."); gunicorn_config before any worker starts."""


def check(config: dict[str, Any], instance_path: str) -> None:
    """Normalize the settings given as text (flags, network lists) and raise SettingsError
    naming every wrong one."""
    problems = []
    for name in FLAGS:
        if config.get(name) is None:  # not set
            continue
        value = config.get(name)
        if isinstance(value, str | int) and str(value).strip().lower() in YES + NO:
            config[name] = str(value).strip().lower() in YES  # EVENTS_X=1 is read as a number
        elif not isinstance(value, bool):
            problems.append(f"{name} is {value!r}: use true or false.")
    for name in TEXTS:
        value = config.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            # EVENTS_SITE_NAME=2024 is read as JSON: a number.
            problems.append(
                f"{name} is {value!r}: use some text (a number in EVENTS_{name} is read as"
                f" one: write it as '\"{value}\"')."
            )
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{name} is {value!r}: use some text.")
    counts = {**COUNTS, **{n: r for n, r in COUNTS_WHEN_SET.items() if config.get(n) is not None}}
    for name, (least, most) in counts.items():
        value = config.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
            problems.append(f"{name} is {value!r}: use a whole number from {least} to {most}.")
    host = config.get("FORCE_HOST_FOR_REDIRECTS")  # Flask-Login's: a host name
    if host is not None and (not isinstance(host, str) or not host.strip() or "/" in host):
        problems.append(
            f"FORCE_HOST_FOR_REDIRECTS is {host!r}: use a host name, like events.example.com"
            " (or leave it unset)."
        )
    problems += _networks(config)
    site_url = config.get("SITE_URL")
    if site_url:
        parts = urlsplit(str(site_url))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(
                f"SITE_URL is {site_url!r}: use the site's address with its scheme, like "
                "https://events.example.com."
            )
        elif parts.query or parts.fragment or "?" in str(site_url) or "#" in str(site_url):
            problems.append(  # every link is made by adding a path to it
                f"SITE_URL is {site_url!r}: use the site's address without a query or fragment,"
                " like https://events.example.com or https://example.com/events."
            )
    image = config.get("SITE_IMAGE_URL")
    if image is not None and not (isinstance(image, str) and is_web_address(image.strip())):
        problems.append(
            f"SITE_IMAGE_URL is {image!r}: use an image's whole address, like "
            "https://events.example.com/static/share.png (or leave it unset)."
        )
    uid_domain = config.get("UID_DOMAIN")
    if isinstance(uid_domain, str) and uid_domain.strip() and not HOST_NAME.fullmatch(uid_domain):
        problems.append(
            f"UID_DOMAIN is {uid_domain!r}: use a host name alone, like events.example.com"
            " (the host part of every event's permanent UID and of the Atom feeds' ids)."
        )
    zone = config.get("SITE_TIMEZONE")
    if not isinstance(zone, str) or not is_valid_zone(zone):
        problems.append(
            f"SITE_TIMEZONE {config.get('SITE_TIMEZONE')!r} is not an IANA time zone "
            "(for example America/New_York or Europe/London)."
        )
    mode = str(config.get("SQLITE_JOURNAL_MODE")).lower()
    if mode not in SQLITE_JOURNAL_MODES:
        problems.append(
            f"SQLITE_JOURNAL_MODE is {mode!r}: use one of {', '.join(SQLITE_JOURNAL_MODES)}."
        )
    problems += _instance(instance_path)
    if not isinstance(config.get("ALEMBIC"), dict):
        problems.append(f"ALEMBIC is {config.get('ALEMBIC')!r}: leave it to the app.")
    engines = config.get("SQLALCHEMY_ENGINES")
    engine = engines.get("default") if isinstance(engines, dict) else None
    if isinstance(engine, dict):  # engine options, with the URL among them
        engine = engine.get("url")
    if isinstance(engine, str):
        problems += _database(engine, instance_path)
    else:
        problems.append("SQLALCHEMY_ENGINES has no default database URL: set DATABASE_URL.")
    problems += _secret_key(config.get("SECRET_KEY"))
    if not config.get("SECRET_KEY") and config["PRODUCTION"] is True:
        problems.append(
            "No SECRET_KEY configured. In production set the SECRET_KEY environment "
            "variable (or SECRET_KEY in instance/config.py) to a long random string, "
            "the same for every app process."
        )
    elif config["PRODUCTION"] is True and not _secret_key(config["SECRET_KEY"]):
        problems += _short_secret_key(config["SECRET_KEY"])
    if problems:
        raise SettingsError(" ".join(problems))


def _secret_key(key: Any) -> list[str]:
    """A secret key is text (its value is never written out); a number or a list failed every
    form with a 500, and blank text signs nothing worth the name."""
    if key is None or (isinstance(key, str | bytes) and key.strip()):
        return []
    if isinstance(key, str | bytes):
        said = "blank"
    elif isinstance(key, int | float) and not isinstance(key, bool):
        said = "a number (EVENTS_SECRET_KEY is read as JSON: set SECRET_KEY instead)"
    else:
        said = f"a {type(key).__name__}"
    return [f"SECRET_KEY is {said}: use a long random string."]


# Anyone who guesses the key can sign a staff session: a short one can be guessed offline from
# any signed cookie. 32 characters is what `secrets.token_hex(16)` gives; the README's makes 64.
MIN_SECRET_KEY_LENGTH = 32


def _short_secret_key(key: str | bytes) -> list[str]:
    """A production secret key long enough not to be guessed (its value is never written out)."""
    if len(key) >= MIN_SECRET_KEY_LENGTH:
        return []
    return [
        f"SECRET_KEY has {len(key)} characters: in production use {MIN_SECRET_KEY_LENGTH} or"
        " more, random (python3 -c 'import secrets; print(secrets.token_hex(32))')."
    ]


def _networks(config: dict[str, Any]) -> list[str]:
    value = config.get("METRICS_ALLOWED_NETWORKS")
    if isinstance(value, str):  # "10.0.0.0/8" or "10.0.0.0/8, ::1/128", not a JSON list
        value = config["METRICS_ALLOWED_NETWORKS"] = [v for v in value.replace(",", " ").split()]
    if not isinstance(value, list | tuple):
        return [f"METRICS_ALLOWED_NETWORKS is {value!r}: use a list of networks."]
    wrong = []
    for network in value:
        try:
            ipaddress.ip_network(str(network), strict=False)
        except ValueError:
            wrong.append(str(network))
    if wrong:
        return [
            f"METRICS_ALLOWED_NETWORKS holds {', '.join(map(repr, wrong))}: use networks like "
            "10.0.0.0/8 or ::1/128."
        ]
    return []


def _instance(path: str) -> list[str]:
    """The instance folder, made when missing: one the app may write (feed files, zone
    definitions, imports), or every feed would fail once the app is serving."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        return [f"The instance folder {path} is a file (EVENTS_INSTANCE_PATH): use a folder."]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".write-check-")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        return [
            f"The instance folder {path} cannot be written ({error.strerror}): set"
            " EVENTS_INSTANCE_PATH to a folder the app may write."
        ]
    return []


def _shown(url: str) -> str:
    """A database URL for a message: a SQLite file's as it is, another only by its scheme (a
    password, anywhere in it, is never written out)."""
    if url.startswith("sqlite"):
        return repr(url)
    return f"({url.split(':', 1)[0]}://...)" if "://" in url else "(not shown)"


def _database(url: str, instance_path: str) -> list[str]:
    """The database URL: one we can use, and for a SQLite file, a folder that exists (a
    relative path is under the instance folder)."""
    shown = _shown(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return [
            f"DATABASE_URL {shown} is not a database URL: use sqlite:////absolute/path.sqlite "
            "or postgresql://user:password@host/name."
        ]
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend not in DRIVERS:
        return [f"DATABASE_URL {shown}: the app runs on SQLite or PostgreSQL only."]
    if driver != DRIVERS[backend]:
        return [
            f"DATABASE_URL {shown}: the app reaches {backend} through {DRIVERS[backend]};"
            f" write it {backend}://..."
        ]
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return []
    if database.startswith("file:"):
        return []
    if Path(database).is_absolute():
        folder = Path(database).parent
    elif Path(database).parent == Path("."):
        return []  # in the instance folder, made when the app starts
    else:
        folder = Path(instance_path) / Path(database).parent
    if not folder.is_dir():
        where = "" if Path(database).is_absolute() else " (a relative path is in instance/)"
        return [f"DATABASE_URL {shown}: the folder {folder} does not exist{where}."]
    return []


def unread_variables(environ: Mapping[str, str], known: Iterable[str]) -> list[str]:
    """A warning for each EVENTS_* variable that names no setting (a typo such as
    EVENTS_PAGESIZE would otherwise be ignored without a word), with the closest name."""
    names = sorted(set(known) | set(READ_WITHOUT_DEFAULT))
    warnings = []
    for variable in sorted(environ):
        name = variable.removeprefix("EVENTS_").split("__")[0]  # A__B: the dict setting A
        if variable == name or name in names or name.startswith(READ_ELSEWHERE):
            continue
        hint = _closest(name, names, "EVENTS_")
        warnings.append(f"{variable} names no setting of this app: it is ignored.{hint}")
    return warnings


def unread_in_file(file: str, set_there: Iterable[str], known: Iterable[str]) -> list[str]:
    """A warning for each name a config file sets that is no setting (PAGESIZE = 30)."""
    names = sorted(set(known) | set(READ_WITHOUT_DEFAULT) | {"SECRET_KEY"})
    return [
        f"{file} sets {name}, which names no setting of this app: it is ignored."
        + _closest(name, names)
        for name in sorted(set_there)
        if name not in names and not name.startswith(READ_ELSEWHERE)
    ]


def _closest(name: str, names: list[str], prefix: str = "") -> str:
    close = difflib.get_close_matches(name, names, n=1)
    return f" Did you mean {prefix}{close[0]}?" if close else ""


def check_nested(environ: Mapping[str, str], config: Mapping[str, Any]) -> None:
    """EVENTS_A__B sets the key B of the setting A, which must then be a table of values
    (SQLALCHEMY_ENGINES); on another (EVENTS_SITE_NAME__X) Flask would fail with a traceback."""
    for variable in sorted(environ):
        if not variable.startswith("EVENTS_") or "__" not in variable:
            continue
        name = variable.removeprefix("EVENTS_").split("__")[0]
        if name in config and not isinstance(config[name], dict):
            raise SettingsError(
                f"{variable} sets a key of {name}, which is not a table of values:"
                f" set EVENTS_{name} itself."
            )


def warn_unread(
    environ: Mapping[str, str], known: Iterable[str], file_warnings: Iterable[str] = ()
) -> None:
    """Log unread_variables (and a config file's, unread_in_file) once per process (the
    master of a gunicorn says it for all)."""
    for warning in [*file_warnings, *unread_variables(environ, known)]:
        if warning not in _warned:
            _warned.add(warning)
            log.warning("Warning: %s", warning)
