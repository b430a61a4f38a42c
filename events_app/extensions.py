"""The bare extension objects, imported by the app factory and by feature modules."""

import sqlite3

from flask_alembic import Alembic
from flask_login import LoginManager
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, event

from .models import Base

# Pre-ping: a pooled connection that died with a database restart is replaced, not used.
db = SQLAlchemy(engine_options={"pool_pre_ping": True})
alembic = Alembic(metadatas=Base.metadata, run_mkdir=False)
csrf = CSRFProtect()
login_manager = LoginManager()


@event.listens_for(Engine, "connect")
def sqlite_settings(dbapi_connection, _record) -> None:
    """Every SQLite connection: write-ahead logging, so that a long read (a large feed being
    built, an export) never holds a staff save back, nor a save the readers. WAL is kept in
    the file (the first connection converts it); ``synchronous`` stays FULL, so an
    acknowledged save survives a power cut. (No memory-mapped reads: they ran searches about
    a tenth faster, but a worker that read the whole file, serving a large feed, then counted
    every page of it as its own memory.)"""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
