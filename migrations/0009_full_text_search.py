"""full-text search index of events

SQLite: an FTS5 table (porter stemming, unicode61 without diacritics). PostgreSQL: a tsvector
table under a GIN index, in the text search configuration ``events_search`` (English Snowball
stemming without stop words, after unaccent, so that both databases find the same events).
Existing events are indexed here; from then on changes.py keeps the index current.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 20:30:00

"""

from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None

# Token types of the default parser that hold words (the rest: numbers, URLs, e-mail, ...).
WORD_TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword"
WORD_TOKENS += ", numhword, hword_numpart"


def upgrade() -> None:
    from events_app import search

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        schema = bind.exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'unaccent'"
        ).scalar()
        op.execute(
            "CREATE TEXT SEARCH DICTIONARY events_search_stem"
            " (TEMPLATE = pg_catalog.snowball, LANGUAGE = english)"
        )
        op.execute("CREATE TEXT SEARCH CONFIGURATION events_search (COPY = pg_catalog.english)")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION events_search ALTER MAPPING FOR {WORD_TOKENS}"
            f' WITH "{schema}".unaccent, events_search_stem'
        )
        op.execute(
            "CREATE TABLE event_search ("
            " event_id INTEGER NOT NULL PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,"
            " document TSVECTOR NOT NULL,"
            " body TEXT NOT NULL DEFAULT '')"
        )
        op.execute("CREATE INDEX ix_event_search_document ON event_search USING gin (document)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE event_search USING fts5(title, topics, place, body,"
            " tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    search.rebuild(bind)


def downgrade() -> None:
    op.execute("DROP TABLE event_search")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TEXT SEARCH CONFIGURATION events_search")
        op.execute("DROP TEXT SEARCH DICTIONARY events_search_stem")
