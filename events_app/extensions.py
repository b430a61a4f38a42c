"""The bare extension objects, imported by the app factory and by feature modules."""

import sqlite3

from flask_alembic import Alembic
from flask_login import LoginManager
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, event

from .models import Base

# SQLite reads through a memory map of up to this much of the file: no read() call per page,
# and the pages are shared by every worker of the host (the OS page cache).
SQLITE_MMAP_BYTES = 1024 * 1024 * 1024

# Pre-ping: a pooled connection that died with a database restart is replaced, not used.
db = SQLAlchemy(engine_options={"pool_pre_ping": True})
alembic = Alembic(metadatas=Base.metadata, run_mkdir=False)
csrf = CSRFProtect()
login_manager = LoginManager()


@event.listens_for(Engine, "connect")
def sqlite_settings(dbapi_connection, _record) -> None:
    """Every SQLite connection: write-ahead logging, so that a long read (a large feed being
    built, an export) never holds a staff save back, nor a save the readers; memory-mapped
    reads. WAL is kept in the file (the first connection converts it); ``synchronous`` stays
    FULL, so an acknowledged save survives a power cut."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        cursor.close()
