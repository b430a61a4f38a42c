"""Flask commands: seed-demo, and the staff commands registered by their modules."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import click
from alembic.util import CommandError as AlembicCommandError
from flask import Flask, has_app_context
from flask.cli import with_appcontext
from flask_alembic.cli import cli as alembic_cli
from sqlalchemy import func, select
from sqlalchemy.exc import (
    DatabaseError,
    DataError,
    DBAPIError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
)

from . import audit, auth, clock, demo, series, timefmt, tz_refresh
from .auth import hash_password, normalize_email
from .extensions import alembic, db
from .feeds.views import render_blocks_for_site_url
from .forms import EMAIL_RE, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, max_length
from .importing import bulk
from .importing import reader as ics_reader
from .importing.apply import ImportFailed
from .importing.plan import PREVIEW_ORDER, ImportItem
from .models import ROLES, Event, User, refresh_renderings
from .text import as_name, has_visible

# SQLite's and PostgreSQL's words for a table or column the migrations have not made.
NOT_MIGRATED = re.compile(r'no such (table|column)|(relation|column) "[^"]*" does not exist')
SHOWN_PER_ACTION = 20  # events listed per action by import-ics without --verbose


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only load when the database has no events.")
def seed_demo(if_empty: bool) -> None:
    """Load the demo venues, categories and events, placed relative to today."""
    count = db.session.scalar(select(func.count(Event.id)))
    if count:
        if if_empty:
            click.echo(f"Database already has {count} events; demo data not loaded.")
            return
        raise click.ClickException("The database already has events; refusing to add demo data.")
    added = demo.load_demo(db.session, clock.today())
    db.session.commit()
    click.echo(f"Loaded {added} demo events.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(list(ROLES)), default="editor", show_default=True)
@click.option("--name", default="", help="Display name (default: from the email).")
@click.option(
    "--password",
    help="Asked for (twice) when not given; or piped in on standard input (once or twice).",
)
def create_user(email: str, role: str, name: str, password: str | None) -> None:
    """Create a staff account with EMAIL and the password typed at the prompt."""
    # Everything else is checked before the password is asked for (typed twice, for nothing).
    email = normalize_email(email)
    if not EMAIL_RE.match(email) or len(email) > max_length(User, "email"):
        raise click.BadParameter(f"{email!r} is not an email address.", param_hint="EMAIL")
    if name and not has_visible(as_name(name)):
        raise click.BadParameter("Give a name people can see.", param_hint="--name")
    if len(as_name(name)) > (most := max_length(User, "display_name")):
        raise click.BadParameter(
            f"Keep it to {most} characters or fewer: it has {len(as_name(name))}.",
            param_hint="--name",
        )
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise click.ClickException(f"A staff account for {email} already exists.")
    password = _new_password(password)
    name = as_name(name or email.split("@")[0].replace(".", " ").title())[:most]
    user = User(
        email=email,
        display_name=name,
        role=role,
        password_hash=hash_password(password),
        created_at=clock.now(),
    )
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@click.command("set-password")
@with_appcontext
@click.argument("email")
@click.option(
    "--password",
    help="Asked for (twice) when not given; or piped in on standard input (once or twice).",
)
def set_password(email: str, password: str | None) -> None:
    """Set a new password for the staff account EMAIL (a lost one): its sign-ins end."""
    email = normalize_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:  # said before the password is asked for
        raise click.ClickException(f"No staff account has the email {email}.")
    auth.set_password(db.session, user, _new_password(password))
    audit.record("update", user, {"password": ["(old)", "(reset)"]}, None)
    db.session.commit()
    inactive = "" if user.active else " The account is inactive: an admin must make it active."
    click.echo(f"Set a new password for {email}; its sessions are signed out.{inactive}")


def _new_password(given: str | None) -> str:
    """The password `given` (--password), or typed twice at a terminal, or the first line piped
    in (a second line, when there is one, must repeat it; piped, nothing is prompted or warned
    about echoing); refused unless the sign-in form would take it."""
    password = given
    if password is None and sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    elif password is None:
        lines = sys.stdin.read().splitlines()
        if not lines:
            raise click.ClickException("No password on standard input.")
        if len(lines) > 1 and lines[1] != lines[0]:
            raise click.ClickException("The two passwords piped in differ.")
        password = lines[0]
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise click.ClickException(
            f"The password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
            " (the sign-in form takes no more)."
        )
    return password


def _zone_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--zone: an IANA zone (None: the site's, known once the app context is there)."""
    if value is None:
        return None
    value = value.strip()
    if not timefmt.is_valid_zone(value):
        raise click.BadParameter(
            f'"{value[:64]}" is not a time zone we know; use an IANA name such as '
            '"America/New_York" or "Europe/London".'
        )
    return value


@click.command("import-ics")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish new events (default: drafts).")
@click.option("--dry-run", is_flag=True, help="Only show what would change.")
@click.option(
    "--zone",
    callback=_zone_option,
    help="IANA zone for floating times, when the file gives none (default: SITE_TIMEZONE).",
)
@click.option("--past-days", default=90, show_default=True, type=click.IntRange(0, 36500))
@click.option("--future-days", default=730, show_default=True, type=click.IntRange(0, 36500))
@click.option(
    "--verbose", "-v", is_flag=True, help=f"List every event, not the first {SHOWN_PER_ACTION}."
)
def import_ics(
    file: Path,
    publish: bool,
    dry_run: bool,
    zone: str | None,
    past_days: int,
    future_days: int,
    verbose: bool,
) -> None:
    """Import events from an .ics FILE of any size, matched by UID.

    The file is read twice, streamed, and written in batches of a transaction each: run the
    same command again after an interruption to finish the job. Lists, per action, the first
    events (all with --verbose), then the counts and the time taken.
    """
    started = time.monotonic()
    zone = zone or clock.site_zone().key
    click.echo(f"Reading {file.name} ({file.stat().st_size / 1e6:,.1f} MB)...", err=True)
    try:
        reader = bulk.open_calendar(
            file,
            now=clock.now(),
            window_days_past=past_days,
            window_days_future=future_days,
            floating_zone=zone,
        )
    except ics_reader.FileError as exc:
        raise click.ClickException(f"Cannot import: {exc}") from exc
    label = "Checking" if dry_run else "Importing"
    progress = click.progressbar(
        length=reader.vevents_total,
        label=f"{label} {reader.vevents_total:,} VEVENTs",
        file=sys.stderr,
    )
    try:
        with progress as bar:
            result = bulk.import_events(
                reader,
                db.session,
                publish=publish,
                dry_run=dry_run,
                keep=None if verbose else SHOWN_PER_ACTION,
                progress=bar.update,
            )
    except ImportFailed as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        db.session.rollback()
        raise click.ClickException(
            "Interrupted. The batches written so far stay; run the same command again to "
            "finish: events already imported are matched by UID and left unchanged."
        ) from None
    click.echo(import_report(result, verbose=verbose))
    took = _duration(time.monotonic() - started)
    if dry_run:
        click.echo(f"Dry run: nothing was written ({took}).")
        return
    click.echo(f"Imported: {result.written} in {took}.")
    rendering = time.monotonic()
    rendered = render_blocks_for_site_url()  # so that no feed request waits for them
    if rendered is None:
        click.echo("Feed blocks not rendered ahead (SITE_URL is not set).")
    else:
        took = _duration(time.monotonic() - rendering)
        click.echo(f"Rendered {rendered:,} iCalendar blocks for the feeds in {took}.")


def import_report(result: bulk.BulkResult, *, verbose: bool = False) -> str:
    """The first events of each action (all when verbose; unchanged ones only then), one line
    each with the reason or the changed fields; then warnings and the counts."""
    lines = [f"{'ACTION':<10} {'WHEN':<36} {'TITLE':<40} DETAILS"]
    for action in PREVIEW_ORDER:
        items = result.shown[action]
        if action == "unchanged" and not verbose:
            continue
        for item in items:
            lines.append(_report_line(item))
        more = result.counts[action] - len(items)
        if more > 0:
            lines.append(f"{'':<10} ... and {more:,} more {action} (--verbose lists them)")
    warnings = result.warnings if verbose else result.warnings[:SHOWN_PER_ACTION]
    lines.extend(f"Warning: {w}" for w in warnings)
    if len(result.warnings) > len(warnings):
        lines.append(f"... and {len(result.warnings) - len(warnings):,} more warnings.")
    if result.untitled:
        lines.append(
            f"No SUMMARY: {_events(result.untitled)}, coming in as drafts titled "
            f"{ics_reader.UNTITLED} (even with --publish)."
        )
    if result.floating_count:
        lines.append(
            f"Floating times read as {result.floating_zone} "
            f"(no time zone in the file): {_events(result.floating_count)}."
        )
    lines.append(", ".join(f"{n:,} {action}" for action, n in result.counts.items()))
    return "\n".join(lines)


def _report_line(item: ImportItem) -> str:
    if item.action == "rejected":
        detail = item.reason
    elif item.action == "update" and item.changes:
        detail = "changes: " + ", ".join(item.changes)
    elif item.action == "update":  # only what the file now agrees with the site on
        agreed = [*item.agreed, *(f"a date's {n}" for d in item.agreed_dates.values() for n in d)]
        detail = "the file now agrees with the site's " + ", ".join(dict.fromkeys(agreed))
    else:
        detail = ""
    if item.untitled and item.action != "rejected":
        detail = f"{detail}; no SUMMARY: a draft titled {item.title}".lstrip("; ")
    title = item.title if len(item.title) <= 40 else item.title[:39] + "…"
    return f"{item.action:<10} {item.when_text:<36} {title:<40} {detail}".rstrip()


def _events(n: int) -> str:
    return f"{n:,} event" if n == 1 else f"{n:,} events"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s"


@click.command("extend-series")
def extend_series() -> None:
    """Give open-ended series their dates up to two years ahead (run it daily, from cron)."""
    extended = series.extend(db.session, clock.today())
    db.session.commit()
    click.echo(f"{extended} series extended.")


@click.command("render-descriptions")
def render_descriptions() -> None:
    """Store the rendering of every description made by an older renderer or none (run after a
    deploy; `make serve` does): until then those pages render it on every view."""
    started = time.monotonic()
    count = refresh_renderings(db.session.connection())
    db.session.commit()
    click.echo(f"Rendered {count} descriptions in {time.monotonic() - started:.1f} s.")


def known_revisions() -> frozenset[str]:
    """This version's schema revisions: the ids of its migrations."""
    return frozenset(script.revision for script in alembic.script_directory.walk_revisions())


def _revision_or_steps(target: str, way: str) -> tuple[str, bool]:
    """(``target``, whether it is a revision id) as Flask-Alembic reads it: a revision id, or
    else a number of steps. Our revision ids are numbers too: an unknown one with leading
    zeros ("0017") is refused rather than read as seventeen steps."""
    known = known_revisions()
    if target not in known and len(target) > 1 and target.startswith("0") and target.isdigit():
        raise click.ClickException(
            f"There is no revision {target}; the revisions are {', '.join(sorted(known))}."
            f" To go {way} a number of steps, give it without leading zeros."
        )
    return target, target in known


@click.command("upgrade")
@click.pass_obj
@click.argument("target", default="heads")
def upgrade(alembic, target: str = "heads") -> None:
    """Upgrade the database: to the latest revision, to a revision ("0015"), or by a number
    of steps ("1")."""
    before = _current(alembic)
    _migrate(alembic.upgrade, _revision_or_steps(target, "up")[0])
    now = _current(alembic)
    if now == before and target not in ("head", "heads", *now):
        # Alembic says nothing when the target is behind the database (even "base").
        click.echo(
            f"Nothing to do: the database is at {', '.join(now) or 'base'}, past {target}."
            f" To go back to it: flask db downgrade {target}"
        )


def _current(alembic) -> tuple[str, ...]:
    return tuple(script.revision for script in alembic.current())


@click.command("downgrade", context_settings={"ignore_unknown_options": True})  # "-3": steps
@click.pass_obj
@click.argument("target", default="-1")
def downgrade(alembic, target: str = "-1") -> None:
    """Downgrade the database: to a revision ("0015"), or by a number of steps ("1", "-3")."""
    # Flask-Alembic reads any number as steps, and our revision ids are numbers: "downgrade
    # 0015" went down fifteen steps, to an empty database.
    target, is_revision = _revision_or_steps(target, "down")
    steps = target.lstrip("-")
    if not is_revision and steps.isascii() and steps.isdigit():  # a number of steps
        as_revision = f"{int(steps):04}"
        if target == steps and int(steps) > 1 and as_revision in known_revisions():
            # "15" meaning revision 0015 would undo fifteen migrations (and drop their tables).
            raise click.ClickException(
                f"{target} could mean revision {as_revision} or {target} steps down, which"
                f" drops what those migrations made. Write {as_revision} for the revision, or"
                f" -{target} for the steps."
            )
        target = str(-int(steps))
    _migrate(alembic.downgrade, target)


def _migrate(step, target: str) -> None:
    """Run ``step`` (upgrade, downgrade); a target it cannot reach is one line."""
    try:
        step(target)
    except (AlembicCommandError, AssertionError) as error:  # "head+1": an assertion in Alembic
        said = str(error) or f"{target} is not a revision this database can go to"
        raise click.ClickException(
            f"{said}. `flask db current` says where the database is, `flask db log` lists"
            " the revisions."
        ) from None


def folder_problem(path: Path) -> str | None:
    """Why a file cannot be written at ``path`` for want of its folder, or None."""
    if path.parent.exists() and not path.parent.is_dir():
        return f"{path.parent} is a file, not a folder."
    if not path.parent.is_dir():
        return f"the folder {path.parent} does not exist."
    return None


def in_a_folder(_ctx: click.Context, _param: click.Parameter, path: Path) -> Path:
    """A file to write (an export): its folder must exist (``folder_problem``)."""
    if problem := folder_problem(path):
        raise click.BadParameter(problem)
    return path


migrations_cli = click.Group(
    "db",
    callback=alembic_cli.callback,
    help=alembic_cli.help,
    commands={**alembic_cli.commands, "upgrade": upgrade, "downgrade": downgrade},
)


def database_named() -> str:
    """'The database <url>' for a message, its password hidden: a SQLite file that a typo in
    DATABASE_URL names is made empty on first use, and would be said to need migrating."""
    if not has_app_context():
        return "The database"
    return f"The database {db.engine.url.render_as_string(hide_password=True)}"


def database_problem(error: DBAPIError) -> str:
    """One line for a database error that stops a command: not migrated, or not answering."""
    words = str(error.orig)
    if NOT_MIGRATED.search(words):
        return (
            f"{database_named()} has no tables yet, or not this version's: run `flask db"
            f" upgrade` ({words.splitlines()[0]})."
        )
    return f"The database did not answer: {' '.join(words.split())}"  # one line


def database_errors_in_one_line(command: click.Command) -> None:
    """A database error out of ``command`` (or its subcommands) ends it with one line saying
    what to do, not a traceback. Commands are module-level objects that every app made shares:
    they are wrapped once."""
    if getattr(command, "database_errors_said", False):
        return
    command.database_errors_said = True  # type: ignore[attr-defined]
    invoke = command.invoke

    def guarded(ctx: click.Context):
        try:
            return invoke(ctx)
        except (OperationalError, ProgrammingError) as error:
            raise click.ClickException(database_problem(error)) from None
        except DatabaseError as error:  # "file is not a database": DATABASE_URL names another file
            if isinstance(error, IntegrityError | DataError):
                raise  # a bug of the command's, not the database's
            words = " ".join(str(error.orig).split())
            raise click.ClickException(
                f"{database_named()} could not be read: {words}. Check DATABASE_URL."
            ) from None
        except AlembicCommandError as error:  # "Can't locate revision identified by 'abc'"
            raise click.ClickException(f"{error}.") from None

    command.invoke = guarded  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    app.cli.add_command(migrations_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
    app.cli.add_command(set_password)
    app.cli.add_command(import_ics)
    app.cli.add_command(tz_refresh.tz_refresh_command)
    app.cli.add_command(extend_series)
    app.cli.add_command(render_descriptions)
