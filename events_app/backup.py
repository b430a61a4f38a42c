"""Backups and restores of the whole database: ``flask backup PATH``, ``flask restore PATH``.

SQLite: SQLite's online backup API copies the live database, consistent while it is served;
a restore copies a backup into the live file under its write lock, then migrates it to this
version's schema. PostgreSQL: ``pg_dump`` and ``pg_restore`` do it; the commands print them.

After any restore, ``mark-changed`` (run by ``restore`` itself for SQLite) writes a new change
token and a removal time of now: every worker's caches and every HTTP cache see a change at once
(Last-Modified moves forward, though the restored content is older), while pages, feeds and
their ETags, which depend on the content only, come back exactly as they were when the backup
was made. Tokens and event versions are random (changes.py), so nothing a worker kept from
other content can pass for the restored one.
"""

from __future__ import annotations

import shlex
import sqlite3
import time
import zipfile
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import URL, func, select
from sqlalchemy.exc import DBAPIError

from . import changes, cli
from .extensions import alembic, db
from .models import Event


def _sqlite_file(url: URL) -> Path | None:
    """The live database's file, or None when it is not SQLite."""
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise click.ClickException("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _pg_url(url: URL) -> str:
    """The database's URL for libpq tools, without its password (PGPASSWORD or ~/.pgpass)."""
    plain = URL.create("postgresql", url.username, None, url.host, url.port, url.database)
    return plain.update_query_dict(dict(url.query)).render_as_string(hide_password=False)


def backup_sqlite(live: Path, target: Path) -> None:
    """Copy the live database to ``target`` with SQLite's online backup API."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(live)
    copy = sqlite3.connect(partial)
    try:
        with copy:
            source.backup(copy)
    finally:
        copy.close()
        source.close()
    partial.rename(target)


class DatabaseBusy(Exception):
    """Another process held the live database's write lock for all of RESTORE_WAIT."""


RESTORE_WAIT = 15.0  # seconds: a save takes milliseconds; a lock held longer is not a save


def restore_sqlite(backup: Path, wait: float) -> None:
    """Copy ``backup`` over the live database (through the app's own connection pool), or
    raise DatabaseBusy when another process kept it locked for ``wait`` seconds (SQLite's
    backup would otherwise try again for ever)."""
    deadline = time.monotonic() + wait

    def give_up_when_locked_too_long(status: int, _remaining: int, _total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise DatabaseBusy

    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    connection = db.engine.raw_connection()
    try:
        source.backup(connection.driver_connection, progress=give_up_when_locked_too_long)
    finally:
        connection.close()
        source.close()


def backup_revision(path: Path) -> str:
    """The schema revision of a SQLite backup of this site, or a ClickException saying why not."""
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = source.execute("SELECT version_num FROM alembic_version").fetchall()
            source.execute("SELECT token FROM feed_state").fetchall()
        finally:
            source.close()
    except sqlite3.Error as error:
        hint = " It is a zip, an export: load it with `flask import-site`."
        hint = hint if zipfile.is_zipfile(path) else ""
        raise click.ClickException(
            f"{path} is not a backup of this site ({error}).{hint}"
        ) from None
    if len(rows) != 1:
        raise click.ClickException(f"{path} has no single schema revision.")
    revision = rows[0][0]
    if revision not in cli.known_revisions():
        raise click.ClickException(
            f"{path} has schema revision {revision}, which this version does not know "
            "(a backup made by a newer version): restore it with that version."
        )
    return revision


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Back the database up to PATH (SQLite), or print the pg_dump command (PostgreSQL)."""
    url = db.engine.url
    live = _sqlite_file(url)
    if live is None:
        click.echo("PostgreSQL: back up with pg_dump (consistent while the site serves):\n")
        dump = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
        click.echo(shlex.join([*dump, f"--file={path}", f"--dbname={_pg_url(url)}"]))
        click.echo("\nThe password comes from PGPASSWORD or ~/.pgpass. Restore: flask restore.")
        return
    if path.exists():
        raise click.ClickException(f"{path} exists; choose a new name for the backup.")
    if problem := cli.folder_problem(path):  # checked here: PostgreSQL's file is pg_dump's
        raise click.ClickException(problem[:1].upper() + problem[1:])
    # Read first: a database without the site's tables is refused before any file is made
    # (a backup of it would be refused by restore, and stood in the way of the next try).
    events = db.session.scalar(select(func.count(Event.id)))
    db.session.rollback()
    try:
        backup_sqlite(live, path)
    except (sqlite3.Error, OSError) as error:  # a folder it may not write to
        words = f"The backup could not be written to {path} ({error})."
        raise click.ClickException(words) from None
    click.echo(f"Backed up {events:,} events to {path} ({path.stat().st_size / 1e6:,.1f} MB).")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the live data.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH (SQLite), or print the pg_restore commands
    (PostgreSQL). Every app process serves the restored data at once."""
    url = db.engine.url
    live = _sqlite_file(url)
    if live is None:
        click.echo("PostgreSQL: restore with pg_restore, then migrate and announce the change:\n")
        restore = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges"]
        restore += ["--single-transaction", f"--dbname={_pg_url(url)}", str(path)]
        click.echo(shlex.join(restore))
        click.echo("flask --app events_app db upgrade")
        click.echo("flask --app events_app mark-changed")
        click.echo("\nThe password comes from PGPASSWORD or ~/.pgpass.")
        return
    if not path.is_file():
        raise click.ClickException(f"There is no backup at {path}.")
    revision = backup_revision(path)
    if not yes:
        click.confirm(f"Replace every event, venue and account in {live} with {path}?", abort=True)
    replaced = _state_before(db.engine, live)  # what caches have seen, to come after
    try:
        restore_sqlite(path, RESTORE_WAIT)
    except DatabaseBusy:
        raise click.ClickException(
            f"{live} stayed locked by another process for {RESTORE_WAIT:g} seconds; nothing"
            " was restored. Stop what is writing to it (a long import, a sqlite3 shell) and"
            " run restore again."
        ) from None
    alembic.upgrade()  # a backup made before the latest migrations
    announce_restore(replaced)
    events = db.session.scalar(select(func.count(Event.id)))
    click.echo(f"Restored {events:,} events from {path} (schema {revision}, now up to date).")


def _state_before(engine, live: Path) -> changes.State | None:
    """The live data's change state, or None when it has none (a new, empty database). A live
    file that is not a database (damaged) is refused, with what to do."""
    try:
        return changes.read_state(engine)
    except (DBAPIError, sqlite3.Error) as error:  # the state's own connection: sqlite3's
        words = " ".join(str(getattr(error, "orig", None) or error).split())
        if "no such table" in words:  # a new database: nothing was served from it
            return None
        raise click.ClickException(
            f"The live database {live} could not be read ({words}). Move it aside (it may"
            " be worth keeping) and run restore again: it restores into a new file."
        ) from None


def announce_restore(replaced: changes.State | None = None) -> None:
    """A new change token and removal time, so that every cache sees the restored data: later
    than the ``replaced`` data's last change (stamps can run a little ahead of the clock after
    a burst of saves, and a Last-Modified going back would keep caches on the replaced data)."""
    last = [t for t in (replaced.changed_at, replaced.removed_at) if t] if replaced else []
    changes.mark_changed(db.session, after=max(last, default=None))
    db.session.commit()


@click.command("mark-changed")
@with_appcontext
def mark_changed_command() -> None:
    """Tell every app process and HTTP cache that anything may have changed (run it after
    pg_restore, or after changing data behind the app)."""
    announce_restore()
    click.echo("Marked changed: every cache will ask the database again.")


def init_app(app: Flask) -> None:
    for command in (backup_command, restore_command, mark_changed_command):
        app.cli.add_command(command)
