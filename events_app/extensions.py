"""The bare extension objects, imported by the app factory and by feature modules."""

import sqlite3
from functools import partial

from flask import Flask
from flask_alembic import Alembic
from flask_login import LoginManager
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event

from .models import Base

# Pre-ping: a pooled connection that died with a database restart is replaced, not used.
db = SQLAlchemy(engine_options={"pool_pre_ping": True})
# `flask db` is cli.migrations_cli: the library's commands, with a downgrade that reads our
# numeric revision ids ("0015") as revisions.
alembic = Alembic(metadatas=Base.metadata, run_mkdir=False, command_name="")
csrf = CSRFProtect()
login_manager = LoginManager()


def use_sqlite_journal_mode(app: Flask) -> None:
    """Every SQLite connection of the app gets ``SQLITE_JOURNAL_MODE``: "wal" (the default,
    write-ahead logging), so that a long read (a large feed being built, an export) never
    holds a staff save back, nor a save the readers; "delete" where WAL cannot work (a file on
    a network file system). The mode is kept in the file. ``synchronous`` stays FULL, so an
    acknowledged save survives a power cut. (No memory-mapped reads: they ran searches about
    a tenth faster, but a worker that read the whole file, serving a large feed, then counted
    every page of it as its own memory.)"""
    mode = str(app.config["SQLITE_JOURNAL_MODE"]).lower()  # checked by settings.check
    with app.app_context():  # the engines db.init_app made; none has connected yet
        engines = [e for e in db.engines.values() if e.dialect.name == "sqlite"]
    for engine in engines:
        event.listen(engine, "connect", partial(_set_journal_mode, mode))


def _set_journal_mode(mode: str, dbapi_connection: sqlite3.Connection, _record) -> None:
    dbapi_connection.execute(f"PRAGMA journal_mode = {mode}")
