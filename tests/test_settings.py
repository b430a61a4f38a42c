"""The operator's settings are checked when the app is made (events_app/settings.py): a wrong
value stops it with one message naming the setting, on the command line and under gunicorn,
instead of a traceback or a 500 on every request that reads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import _base_config
from flask import Flask

from events_app import create_app
from events_app.settings import SettingsError, unread_variables
from tests.servers import free_port, server_env

ROOT = Path(__file__).resolve().parent.parent


def made(tmp_path: Path, **settings):
    return create_app({**_base_config("sqlite://", tmp_path), **settings})


def test_every_wrong_setting_is_named_in_one_message(tmp_path):
    wrong = {
        "PAGE_SIZE": "abc",
        "FEED_MAX_AGE": "5m",
        "FEED_PAST_DAYS": -1,
        "SITE_URL": "events.example.com",
        "METRICS_ALLOWED_NETWORKS": ["10.0.0.0/33"],
        "PRODUCTION": "maybe",
        "SITE_TIMEZONE": "Mars/Olympus",
    }
    with pytest.raises(SettingsError) as raised:
        made(tmp_path, **wrong)
    message = raised.value.message
    for name in wrong:
        assert name in message, name
    assert "use a whole number from 1 to 500" in message
    assert "https://events.example.com" in message


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"FEED_PAST_DAYS": 100_000_000}, "FEED_PAST_DAYS is 100000000: use a whole number from"),
        ({"PAGE_SIZE": 10**20}, "PAGE_SIZE is"),
        ({"SITE_TIMEZONE": 123}, "SITE_TIMEZONE 123 is not an IANA time zone"),
        ({"SQLALCHEMY_ENGINES": {"x": "sqlite://"}}, "no default database URL"),
        ({"SQLALCHEMY_ENGINES": "sqlite://"}, "no default database URL"),
        ({"PRODUCTION": 2}, "PRODUCTION is 2: use true or false."),
        # Read without a default, by the app (security.py) and Flask-Login: checked when set.
        ({"MAX_QUERY_STRING_LENGTH": "abc"}, "MAX_QUERY_STRING_LENGTH is 'abc': use a whole"),
        ({"FORCE_HOST_FOR_REDIRECTS": 5}, "FORCE_HOST_FOR_REDIRECTS is 5: use a host name"),
        # A key of another kind failed every form with a 500; its value is never written out.
        ({"SECRET_KEY": 123456}, "SECRET_KEY is a number (EVENTS_SECRET_KEY is read as JSON"),
        ({"SECRET_KEY": ["a", "b"]}, "SECRET_KEY is a list: use a long random string."),
        ({"SECRET_KEY": "   "}, "SECRET_KEY is blank: use a long random string."),
        # Pasted as a URL, it went into every new event's permanent UID.
        (
            {"UID_DOMAIN": "https://events.example.com"},
            "UID_DOMAIN is 'https://events.example.com': use a host name alone, like",
        ),
        ({"UID_DOMAIN": "events example"}, "UID_DOMAIN is 'events example': use a host name"),
        ({"SITE_URL": "https://example.com/?utm=x"}, "without a query or fragment"),
        ({"SITE_IMAGE_URL": "share.png"}, "SITE_IMAGE_URL is 'share.png': use an image's whole"),
        ({"SITE_IMAGE_URL": 5}, "SITE_IMAGE_URL is 5: use an image's whole address"),
        (
            {"SITE_NAME": 2024},
            """SITE_NAME is 2024: use some text (a number in EVENTS_SITE_NAME"""
            """ is read as one: write it as '"2024"').""",
        ),  # fmt: skip
    ],
)
def test_values_out_of_range_or_of_the_wrong_kind_are_named(tmp_path, settings, words):
    with pytest.raises(SettingsError) as raised:
        made(tmp_path, **settings)
    assert words in raised.value.message
    assert "123456" not in raised.value.message


def test_a_broken_instance_config_py_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTS_INSTANCE_PATH", str(tmp_path))
    for text, words in (
        ("PAGE_SIZE = (", "was never closed"),
        ("raise RuntimeError('boom')", "boom"),
    ):
        (tmp_path / "config.py").write_text(text + "\n")
        with pytest.raises(SettingsError) as raised:  # the file where it is, moved or not
            create_app()
        assert raised.value.message.startswith(f"{tmp_path}/config.py could not be read: ")
        assert words in raised.value.message


def test_engine_options_of_a_wrong_kind_are_one_line(tmp_path):
    engines = {"default": {"url": "sqlite://", "pool_size": "x"}}
    with pytest.raises(SettingsError, match="SQLALCHEMY_ENGINES: Invalid argument"):
        made(tmp_path, SQLALCHEMY_ENGINES=engines)


def test_production_sends_the_session_cookie_over_https_only_unless_told(tmp_path):
    """A production operator who did not set SESSION_COOKIE_SECURE got a staff cookie that
    went out over plain HTTP too."""
    secret = {"SECRET_KEY": "s" * 32}
    assert made(tmp_path, PRODUCTION=True, **secret).config["SESSION_COOKIE_SECURE"] is True
    assert made(tmp_path, PRODUCTION="yes", **secret).config["SESSION_COOKIE_SECURE"] is True
    told = made(tmp_path, PRODUCTION=True, SESSION_COOKIE_SECURE="false", **secret)
    assert told.config["SESSION_COOKIE_SECURE"] is False  # HTTPS ends before the app, say
    assert made(tmp_path).config["SESSION_COOKIE_SECURE"] is False  # development: plain HTTP


def test_production_refuses_a_short_secret_key(tmp_path):
    """Anyone who guesses the key signs a staff session: "changeme" was accepted in production."""
    for short in ("changeme", "x" * 31, b"y" * 31):
        with pytest.raises(SettingsError, match=f"SECRET_KEY has {len(short)} characters") as e:
            made(tmp_path, PRODUCTION=True, SECRET_KEY=short)
        assert str(short) not in str(e.value)  # its value is never written out
    assert made(tmp_path, PRODUCTION=True, SECRET_KEY="x" * 32).config["PRODUCTION"] is True
    assert made(tmp_path, SECRET_KEY="dev").config["PRODUCTION"] is False  # development: any
    with pytest.raises(SettingsError, match="SECRET_KEY is blank"):  # said once, as before
        made(tmp_path, PRODUCTION=True, SECRET_KEY="   ")


def test_the_instance_folder_must_be_a_folder(tmp_path):
    a_file = tmp_path / "instance"
    a_file.write_text("")
    with pytest.raises(SettingsError, match="is a file"):
        create_app({**_base_config("sqlite://", a_file)})


@pytest.mark.parametrize("folder", ["/proc", "/proc/events-instance"])
def test_an_instance_folder_the_app_cannot_write_stops_it(folder):
    """With SECRET_KEY set the app started, then answered every feed with a 500 (its zone
    definitions and large feeds are files there); one it could not make was a traceback.
    /proc takes no new files, even from root."""
    with pytest.raises(SettingsError) as raised:
        create_app({**_base_config("sqlite://", Path(folder))})
    assert raised.value.message.startswith(f"The instance folder {folder} cannot be written (")
    assert "set EVENTS_INSTANCE_PATH to a folder the app may write" in raised.value.message


def test_settings_given_as_text_are_read_as_meant(tmp_path):
    app = made(tmp_path, PRODUCTION="False", METRICS_ALLOWED_NETWORKS="10.0.0.0/8, ::1/128")
    assert app.config["PRODUCTION"] is False
    assert app.config["METRICS_ALLOWED_NETWORKS"] == ["10.0.0.0/8", "::1/128"]
    assert made(tmp_path, PRODUCTION="yes").config["PRODUCTION"] is True
    assert made(tmp_path, PRODUCTION=1).config["PRODUCTION"] is True  # EVENTS_PRODUCTION=1
    assert made(tmp_path, PRODUCTION=0).config["PRODUCTION"] is False
    assert made(tmp_path, SITE_URL="https://events.example.com/agenda").config["PAGE_SIZE"] == 5
    image = "https://events.example.com/static/share.png"
    assert made(tmp_path, SITE_IMAGE_URL=image).config["SITE_IMAGE_URL"] == image


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/srv/events.sqlite", "is not a database URL"),
        ("mysql://user@db/events", "SQLite or PostgreSQL only"),
        ("postgresql+psycopg2://u@db/events", "through psycopg; write it postgresql://"),
        ("postgresql://u:s3cret@db:port/events", "DATABASE_URL (postgresql://...) is not"),
        ("mysql://admin:Top/Sec@ret@db/x?password=Top", "DATABASE_URL (mysql://...): the app"),
        ("sqlite:///data/events.sqlite", "does not exist (a relative path is in instance/)"),
        ("sqlite:////no/such/folder/events.sqlite", "the folder /no/such/folder does not exist"),
    ],
)
def test_a_database_url_we_cannot_use_is_refused_with_why(tmp_path, url, words):
    with pytest.raises(SettingsError, match="DATABASE_URL") as raised:
        made(tmp_path, SQLALCHEMY_ENGINES={"default": url})
    assert words in raised.value.message


def test_a_relative_sqlite_path_is_in_the_instance_folder(tmp_path):
    (tmp_path / "data").mkdir()
    for url in ("sqlite:///events.sqlite", "sqlite:///data/events.sqlite"):
        made(tmp_path, SQLALCHEMY_ENGINES={"default": url})


def test_database_url_in_instance_config_py_is_used(tmp_path, monkeypatch):
    wanted = tmp_path / "from-config.sqlite"
    (tmp_path / "config.py").write_text(f'DATABASE_URL = "sqlite:///{wanted}"\n')
    monkeypatch.setenv("EVENTS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_ENGINES"]["default"] == f"sqlite:///{wanted}"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.sqlite'}")
    assert create_app().config["SQLALCHEMY_ENGINES"]["default"].endswith("from-env.sqlite")


def flask(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    settings = {"EVENTS_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "cli-tests", **env}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "events_app", *args],
        env=server_env(**settings),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def test_the_command_line_says_what_is_wrong_in_one_line(tmp_path):
    cases = [
        (("routes",), {"EVENTS_PAGE_SIZE": "abc"}, "Error: PAGE_SIZE is 'abc'"),
        (("routes",), {"DATABASE_URL": "mysql://u@h/d"}, "SQLite or PostgreSQL only"),
        (("routes",), {"EVENTS_DATABASE_URL": "5"}, "DATABASE_URL (not shown) is not a database"),
        (
            ("routes",),
            {"EVENTS_SITE_DESCRIPTION": "5"},
            "SITE_DESCRIPTION is 5: use some text (a number in EVENTS_SITE_DESCRIPTION",
        ),
        (("routes",), {"EVENTS_ALEMBIC": "5"}, "ALEMBIC is 5"),
        (("routes",), {"EVENTS_SITE_NAME__X": "1"}, "sets a key of SITE_NAME, which is not a"),
        (
            ("db", "upgrade"),
            {"DATABASE_URL": f"postgresql://u:p@127.0.0.1:{free_port()}/none"},
            "Error: The database did not answer: connection failed",
        ),
        (("backup", str(tmp_path / "no" / "b.sqlite")), {}, "Error: The folder"),
        (("export-site", str(tmp_path / "no" / "e.zip")), {}, "does not exist"),
        (
            ("import-site", str(ROOT / "README.md")),
            {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}"},
            "no tables yet: run `flask db upgrade`",
        ),
    ]
    one = tmp_path / "one.ics"
    one.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:one@t\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART:20270101T100000Z\r\nSUMMARY:One\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    not_migrated = {"DATABASE_URL": f"sqlite:///{tmp_path / 'not-migrated.sqlite'}"}
    cases += [
        (args, not_migrated, "no tables yet, or not this version's: run `flask db upgrade`")
        for args in (
            ("create-user", "x@example.com", "--password", "long enough password"),
            ("seed-demo",),
            ("tz-refresh",),
            ("feeds", "render-blocks"),
            ("import-ics", str(one)),
        )
    ]
    not_a_database = tmp_path / "notes.sqlite"  # DATABASE_URL naming another file
    not_a_database.write_text("shopping list\n" * 100)
    cases += [
        (args, {"DATABASE_URL": f"sqlite:///{not_a_database}"}, "file is not a database. Check")
        for args in (("db", "upgrade"), ("tz-refresh",), ("seed-demo",))
    ]
    down = {"DATABASE_URL": f"postgresql://u:p@127.0.0.1:{free_port()}/none"}
    cases.append((("seed-demo",), down, "Error: The database did not answer: connection failed"))
    kept = tmp_path / "last.zip"
    kept.write_bytes(b"the last export")  # an export that fails leaves it whole
    cases.append((("export-site", str(kept)), down, "Error: The database did not answer"))
    for args, env, words in cases:
        result = flask(tmp_path, *args, **env)
        assert result.returncode != 0, args
        assert words in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)
        error = [line for line in result.stderr.splitlines() if line.strip()][-1]
        assert error.startswith("Error: "), (args, result.stderr)  # the message: one line
    assert kept.read_bytes() == b"the last export" and not list(tmp_path.glob(".*.partial"))


def test_an_events_variable_that_names_no_setting_is_warned_about_with_the_closest_name():
    known = Flask("probe").config.keys() | {"PAGE_SIZE", "SITE_URL"}  # Flask's own, and ours
    environ = {
        "EVENTS_PAGESIZE": "30",  # a typo
        "EVENTS_SITEURL": "https://x",
        "EVENTS_SERVICE_HOST": "10.0.0.1",  # e.g. what a container platform sets
        "EVENTS_PAGE_SIZE": "30",  # read
        "EVENTS_WTF_CSRF_TIME_LIMIT": "600",  # read by Flask-WTF
        "EVENTS_SQLALCHEMY_ENGINES__default": "sqlite://",  # a key of a dict setting
        "EVENTS_INSTANCE_PATH": "/srv/events",
        "EVENTS_SESSION_COOKIE_SECURE": "true",  # Flask's own
        "OTHER_PAGESIZE": "1",  # not ours
    }
    assert unread_variables(environ, known) == [
        "EVENTS_PAGESIZE names no setting of this app: it is ignored."
        " Did you mean EVENTS_PAGE_SIZE?",
        "EVENTS_SERVICE_HOST names no setting of this app: it is ignored.",
        "EVENTS_SITEURL names no setting of this app: it is ignored. Did you mean EVENTS_SITE_URL?",
    ]


def test_the_command_line_warns_once_about_an_unread_variable_and_goes_on(tmp_path):
    result = flask(tmp_path, "routes", EVENTS_FEED_MAXAGE="60", EVENTS_PAGE_SIZE="30")
    assert result.returncode == 0, result.stderr
    warning = "EVENTS_FEED_MAXAGE names no setting of this app: it is ignored."
    assert result.stderr.count(warning) == 1, result.stderr
    assert "Did you mean EVENTS_FEED_MAX_AGE?" in result.stderr
    assert "EVENTS_PAGE_SIZE names" not in result.stderr


def test_a_name_in_config_py_that_is_no_setting_is_warned_about(tmp_path):
    """EVENTS_ typos were named; the same typo in instance/config.py was ignored silently."""
    (tmp_path / "config.py").write_text("PAGESIZE = 30\nPAGE_SIZE = 25\nFEED_MAX_AGE = 60\n")
    result = flask(tmp_path, "routes")
    assert result.returncode == 0, result.stderr
    assert (
        result.stderr.count(
            f"{tmp_path}/config.py sets PAGESIZE, which names no setting of this app:"
            " it is ignored. Did you mean PAGE_SIZE?"
        )
        == 1
    ), result.stderr
    assert "sets PAGE_SIZE" not in result.stderr and "sets FEED_MAX_AGE" not in result.stderr
    # The same typo in the environment is still named (the file's did not make it known).
    both = flask(tmp_path, "routes", EVENTS_PAGESIZE="30", EVENTS_AUTH_HEADER_NAME="X-Token")
    assert "EVENTS_PAGESIZE names no setting" in both.stderr, both.stderr
    assert "AUTH_HEADER_NAME" not in both.stderr  # Flask-Login reads it


def test_the_calendar_days_size_is_a_setting_checked_like_the_others(tmp_path):
    """It was read without being a setting: said to be ignored, and a bad value was a 500
    on every month page."""
    result = flask(tmp_path, "routes", EVENTS_CALENDAR_PER_DAY="5")
    assert result.returncode == 0 and "CALENDAR_PER_DAY" not in result.stderr, result.stderr
    refused = flask(tmp_path, "routes", EVENTS_CALENDAR_PER_DAY="abc")
    assert refused.returncode == 1
    assert "Error: CALENDAR_PER_DAY is 'abc': use a whole number from 1 to 50." in refused.stderr


def test_commands_are_wrapped_once_however_many_apps_are_made(tmp_path):
    """Every app made shares the commands: wrapped again each time, 1,000 apps in one test
    run nested them past Python's recursion limit."""
    from events_app.cli import create_user

    for _ in range(3):
        made(tmp_path)
    assert create_user.invoke.__qualname__.endswith("guarded")
    assert create_user.invoke.__closure__ is not None
    inner = [c.cell_contents for c in create_user.invoke.__closure__ if callable(c.cell_contents)]
    assert all(not getattr(f, "__qualname__", "").endswith("guarded") for f in inner)
