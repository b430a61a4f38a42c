"""Flask commands: seed-demo, and the staff commands registered by their modules."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from . import demo
from .auth import hash_password, normalize_email
from .extensions import db
from .forms import EMAIL_RE, MIN_PASSWORD_LENGTH, max_length
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
    added = demo.load_demo(db.session, utcnow().date())
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
    user = User(email=email, display_name=name, role=role, password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
