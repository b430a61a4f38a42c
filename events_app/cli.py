"""Flask commands: seed-demo, and the staff commands registered by their modules."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from . import clock, demo
from .auth import hash_password, normalize_email
from .extensions import db
from .forms import EMAIL_RE, MIN_PASSWORD_LENGTH, max_length
from .importing import reader as ics_reader
from .importing.plan import ImportFailed, ImportPlan, apply_import, plan_import
from .models import ROLES, Event, User, utcnow


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
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for (twice) when not given; can be piped in on standard input.",
)
def create_user(email: str, role: str, name: str, password: str) -> None:
    """Create a staff account with EMAIL and the password typed at the prompt."""
    email = normalize_email(email)
    if not EMAIL_RE.match(email) or len(email) > max_length(User, "email"):
        raise click.BadParameter(f"{email!r} is not an email address.", param_hint="EMAIL")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise click.ClickException(f"A staff account for {email} already exists.")
    name = (name or email.split("@")[0].replace(".", " ").title())[
        : max_length(User, "display_name")
    ]
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


@click.command("import-ics")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish new events (default: drafts).")
@click.option("--dry-run", is_flag=True, help="Only show what would change.")
@click.option("--past-days", default=90, show_default=True, type=click.IntRange(0, 36500))
@click.option("--future-days", default=730, show_default=True, type=click.IntRange(0, 36500))
def import_ics(file: Path, publish: bool, dry_run: bool, past_days: int, future_days: int) -> None:
    """Import events from an .ics FILE, matched by UID; shows the preview, then applies it."""
    with file.open("rb") as f:
        data = f.read(ics_reader.MAX_FILE_BYTES + 1)
    plan = plan_import(
        data,
        db.session,
        now=utcnow(),
        window_days_past=past_days,
        window_days_future=future_days,
    )
    click.echo(preview_table(plan))
    if plan.error:
        raise click.ClickException(plan.error)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    try:
        summary = apply_import(plan, db.session, publish=publish)
    except ImportFailed as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Imported: {summary}.")


def preview_table(plan: ImportPlan) -> str:
    """One line per event: action, when, title, and the reason or the changed fields."""
    if plan.error:
        return f"Cannot import: {plan.error}"
    lines = [f"{'ACTION':<10} {'WHEN':<36} {'TITLE':<40} DETAILS"]
    order = ("new", "update", "rejected", "unchanged")
    for item in sorted(plan.items, key=lambda i: order.index(i.action)):
        if item.action == "rejected":
            detail = item.reason
        elif item.action == "update":
            detail = "changes: " + ", ".join(item.changes)
        else:
            detail = ""
        title = item.title if len(item.title) <= 40 else item.title[:39] + "…"
        lines.append(f"{item.action:<10} {item.when_text:<36} {title:<40} {detail}".rstrip())
    lines.extend(f"Warning: {w}" for w in plan.warnings)
    counts = plan.counts()
    lines.append(", ".join(f"{n} {action}" for action, n in counts.items()))
    return "\n".join(lines)


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
    app.cli.add_command(import_ics)
