"""longest spans: feed_state's bounds for date-range queries

A date range's overlap (start on or before its end, end on or after its start) bounds the
start dates on one side only, so every month page and date-filtered list or feed walked all
the events that started before its end. With the longest span of any event kept in
feed_state (changes.py; apart for series masters, which span their series), the events start
in a closed range (models.dates_overlap).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 23:30:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: Union[str, Sequence[str], None] = "0009"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = {"longest_event_days": "WHERE NOT series_master", "longest_series_days": ""}


def upgrade() -> None:
    with op.batch_alter_table("feed_state") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    if op.get_bind().dialect.name == "sqlite":
        span = "CAST(julianday(end_date) - julianday(start_date) AS INTEGER)"
    else:
        span = "(end_date - start_date)"
    for name, where in COLUMNS.items():
        op.execute(
            f"UPDATE feed_state SET {name} = (SELECT coalesce(max({span}), 0) FROM events {where})"
        )
    with op.batch_alter_table("feed_state") as batch:
        for name in COLUMNS:
            batch.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("feed_state") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
