"""Flask commands: seed-demo, and the staff commands registered by their modules."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from . import demo
from .extensions import db
from .models import Event, utcnow


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


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo)
