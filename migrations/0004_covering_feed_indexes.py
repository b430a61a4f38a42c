"""covering feed indexes

The feed queries (the ordered ids with versions and zones, and the fingerprint aggregate) read
only these indexes, never the wide event rows: after any write SQLite re-reads a connection's
pages, and reading 10,000 rows from the table took most of a feed rebuild.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 03:40:00

"""

from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None

OLD = {
    "ix_events_start_order": ["start_at", "id", "end_at", "status"],
    "ix_events_kind_start_order": ["kind", "start_at", "id", "end_at", "status"],
    "ix_events_end_at": ["end_at", "status"],
}
NEW = {
    "ix_events_start_order": [*OLD["ix_events_start_order"], "version", "all_day", "timezone"],
    "ix_events_kind_start_order": [
        *OLD["ix_events_kind_start_order"],
        *("version", "all_day", "timezone", "updated_at"),
    ],
    "ix_events_end_at": [*OLD["ix_events_end_at"], "start_at", "version", "updated_at"],
}


def _replace(indexes: dict[str, list[str]]) -> None:
    for name, columns in indexes.items():
        op.drop_index(name, table_name="events")
        op.create_index(name, "events", columns, unique=False)


def upgrade() -> None:
    _replace(NEW)


def downgrade() -> None:
    _replace(OLD)
