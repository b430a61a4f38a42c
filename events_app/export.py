"""An export of everything an admin may take away, and its import into an empty site.

The export is a zip of ``site.json``, every row of every table of the site's content (events
with drafts, venues, categories, speakers, the audit log, and any table added later: they are
walked from the models), and ``all.ics``, every public event ever, as the whole-site feed
writes them. Left out: staff accounts (their password hashes stay here), login attempts, and
bookkeeping rebuilt on import (the change token, stored iCalendar blocks). ``import_site`` loads
one into an empty site with the same ids, versions and times, so that its public pages and
feeds are the same bytes. Admins download it at /staff/export; ``flask export-site PATH`` and
``flask import-site PATH`` do both from the command line (moving from SQLite to PostgreSQL).
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import click
from flask import Blueprint, Flask, Response, current_app
from flask.cli import with_appcontext
from sqlalchemy import Column, Date, DateTime, Table, func, insert, inspect, select, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from . import changes, clock
from .auth import admin_required, require_staff
from .cli import database_named, in_a_folder
from .extensions import db
from .models import Base
from .text import slugify

FORMAT, VERSION = "events-app export", 1
# Staff accounts and their sign-in history stay; the change token is made anew on import.
LEFT_OUT_TABLES = frozenset({"users", "login_attempts", "feed_state"})
LEFT_OUT_COLUMNS = {"events": frozenset({"ical_block", "ical_block_key"})}  # rendered again
ALL_TIME_DAYS = 200 * 365  # the .ics reaches this far back: every event ever
BATCH = 1000

bp = Blueprint("export", __name__, url_prefix="/staff")
bp.before_request(require_staff)


class ImportRefused(Exception):
    """The file is not an export of this site, or the site is not empty."""


def content_tables() -> list[Table]:
    """The exported tables, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in LEFT_OUT_TABLES]


def _columns(table: Table) -> list[Column]:
    return [c for c in table.columns if c.name not in LEFT_OUT_COLUMNS.get(table.name, ())]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def json_chunks(session: Session, now: datetime) -> Iterator[str]:
    """site.json, a row at a time (a large site's export never sits in memory whole)."""
    revision = session.scalar(text("SELECT version_num FROM alembic_version"))
    head = {"format": FORMAT, "version": VERSION, "exported_at": now.isoformat()}
    head |= {"site_name": current_app.config["SITE_NAME"], "schema": revision}
    yield json.dumps(head)[:-1] + ', "tables": {'
    for n, table in enumerate(content_tables()):
        yield ("," if n else "") + f"\n{json.dumps(table.name)}: ["
        columns = _columns(table)
        stmt = select(*columns).order_by(*table.primary_key.columns)
        rows = session.execute(stmt.execution_options(yield_per=BATCH))
        for i, row in enumerate(rows):
            line = {c.name: _plain(v) for c, v in zip(columns, row, strict=True)}
            yield ("," if i else "") + "\n" + json.dumps(line, ensure_ascii=False)
        yield "\n]"
    yield "\n}}\n"


def ics_chunks(session: Session, now: datetime) -> Iterator[bytes]:
    """Every public event ever, written as /feeds/all.ics writes its window (needs a request
    context: the event links use SITE_URL, else the request's host)."""
    from .feeds.source import compute_fingerprint, stream_body
    from .feeds.views import named_feed_for, site

    feed, here, zone = named_feed_for("all"), site(), clock.site_zone()
    fp = compute_fingerprint(session, feed, here, now, ALL_TIME_DAYS, zone)
    yield from stream_body(session, feed, here, fp, now, ALL_TIME_DAYS, zone)


def write_export(session: Session, out: IO[bytes], now: datetime) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("site.json", "w", force_zip64=True) as member:
            for chunk in json_chunks(session, now):
                member.write(chunk.encode())
        with archive.open("all.ics", "w", force_zip64=True) as member:
            for chunk in ics_chunks(session, now):
                member.write(chunk)


def _value(column: Column, value: Any) -> Any:
    """A JSON value as the column takes it (times and days were written as ISO strings)."""
    kind = getattr(column.type, "impl_instance", column.type)  # UTCDateTime is a DateTime
    if value is None:
        return None
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    return value


def import_site(session: Session, data: dict) -> dict[str, int]:
    """Load an export into this empty site (the caller commits); rows per table."""
    if not isinstance(data, dict) or (data.get("format"), data.get("version")) != (FORMAT, VERSION):
        raise ImportRefused("This is not an export of this site (site.json has another format).")
    tables = {t.name: t for t in content_tables()}
    given = data.get("tables") or {}
    unknown = sorted(set(given) - set(tables))
    if unknown:
        raise ImportRefused(f"Tables this version does not know: {', '.join(unknown)}.")
    for table in tables.values():
        if session.scalar(select(func.count()).select_from(table)):
            raise ImportRefused(
                f"The site is not empty ({table.name} has rows): import into a new one."
            )
    counts = {}
    for name, table in tables.items():
        rows = given.get(name) or []
        columns = {c.name: c for c in table.columns}
        # Links to what is left out (the staff account behind an audit entry) become empty.
        cut = {
            c.name
            for c in table.columns
            for key in c.foreign_keys
            if key.column.table.name in LEFT_OUT_TABLES
        }
        for at in range(0, len(rows), BATCH):
            batch = []
            for row in rows[at : at + BATCH]:
                if not isinstance(row, dict):
                    raise ImportRefused(f"A row of {name} is not a set of columns: {row!r:.80}.")
                strange = sorted(set(row) - set(columns))
                if strange:
                    raise ImportRefused(f"Columns of {name} this version does not know: {strange}.")
                try:
                    values = {
                        k: None if k in cut else _value(columns[k], v) for k, v in row.items()
                    }
                except (TypeError, ValueError) as error:  # a date that is no date
                    raise ImportRefused(f"A row of {name} could not be read ({error}).") from None
                batch.append(values)
            if name == "venues":
                _venue_slugs(session, batch)
            try:
                session.execute(insert(table), batch)
            except (IntegrityError, DataError) as error:  # a file edited by hand, or damaged
                words = str(error.orig).splitlines()[0]
                raise ImportRefused(f"The rows of {name} could not be loaded ({words}).") from None
        counts[name] = len(rows)
    continue_ids(session, tables.values())
    changes.mark_changed(session)
    return counts


def _venue_slugs(session: Session, rows: list[dict[str, Any]]) -> None:
    """Venues of an export made before venues had addresses (migration 0021) get the ones
    their names make, as that migration gave them."""
    from .forms import venue_slug

    made = [row["slug"] for row in rows if row.get("slug")]
    for row in rows:
        if not row.get("slug"):
            row["slug"] = venue_slug(session, str(row.get("name") or ""), also_taken=made)
            made.append(row["slug"])


def continue_ids(session: Session, tables: Iterable[Table]) -> None:
    """PostgreSQL: new rows get ids after rows inserted with their own ids (an import, a bulk
    load); SQLite does this by itself."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or keys[0].type.python_type is not int:
            continue
        key = keys[0]
        sequence = func.pg_get_serial_sequence(table.name, key.name)
        following = select(func.coalesce(func.max(key), 0) + 1).scalar_subquery()
        session.execute(select(func.setval(sequence, following, False)))


def read_export(path: Path) -> dict:
    try:
        with zipfile.ZipFile(path) as archive, archive.open("site.json") as member:
            return json.load(member)
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        with open(path, "rb") as file:
            is_backup = file.read(16) == b"SQLite format 3\x00"
        hint = " It is a SQLite database, a backup: load it with `flask restore`."
        hint = hint if is_backup else ""
        raise ImportRefused(f"{path} is not an export of this site ({error}).{hint}") from None


def export_name(now: datetime) -> str:
    name = slugify(current_app.config["SITE_NAME"], 60, fallback="site")
    return f"{name}-export-{now:%Y-%m-%d}.zip"


@bp.get("/export")
@admin_required
def download() -> Response:
    """The export as a download, built whole into a temporary file first (a large site's is
    large), which goes once it has been sent."""
    now = clock.now()
    with tempfile.NamedTemporaryFile(suffix=".zip", delete=False) as out:
        path = Path(out.name)
        try:
            write_export(db.session, out, now)
        except BaseException:
            path.unlink()
            raise

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as built:
            yield from iter(lambda: built.read(1 << 16), b"")

    response = Response(chunks(), mimetype="application/zip")
    response.headers["Content-Length"] = str(path.stat().st_size)
    response.headers["Content-Disposition"] = f'attachment; filename="{export_name(now)}"'
    response.call_on_close(lambda: path.unlink(missing_ok=True))
    return response


@click.command("export-site")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), callback=in_a_folder)
def export_command(path: Path) -> None:
    """Write the export (site.json and all.ics in a zip) to PATH."""
    base = current_app.config.get("SITE_URL")
    if not base:
        click.echo("SITE_URL is not set: links in all.ics point to http://localhost/.", err=True)
    # Written beside it, then moved over it: an export that fails leaves the last one whole.
    partial = path.with_name(f".{path.name}.partial")
    try:
        with (
            current_app.test_request_context(base_url=base or "http://localhost"),
            partial.open("wb") as out,
        ):
            write_export(db.session, out, clock.now())
        partial.replace(path)
    except OSError as error:  # a folder it may not write to, a full disk
        words = f"The export could not be written to {path} ({error})."
        raise click.ClickException(words) from None
    finally:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
    click.echo(f"Exported to {path} ({path.stat().st_size / 1e6:,.1f} MB).")


@click.command("import-site")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Load the export at PATH into this site, which must be empty (migrated, no events)."""
    if not inspect(db.engine).has_table("events"):
        raise click.ClickException(f"{database_named()} has no tables yet: run `flask db upgrade`.")
    try:
        counts = import_site(db.session, read_export(path))
    except ImportRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo("Imported " + ", ".join(f"{n:,} {name}" for name, n in counts.items()) + ".")


def init_app(app: Flask) -> None:
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
