"""longest span: feed_state.longest_span_days and ix_events_span, for date-range queries

A date range's overlap (start on or before its end, end on or after its start) bounds the
start dates on one side only, so every month page and date-filtered list or feed walked all
the events that started before its end. With the longest span of any event but a series
master kept in feed_state (changes.py), the others start in a closed range
(models.dates_overlap); masters are found apart through the same index.

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


def upgrade() -> None:
    with op.batch_alter_table("feed_state") as batch:
        batch.add_column(
            sa.Column("longest_span_days", sa.Integer(), nullable=False, server_default="0")
        )
    if op.get_bind().dialect.name == "sqlite":
        span = "CAST(julianday(end_date) - julianday(start_date) AS INTEGER)"
    else:
        span = "(end_date - start_date)"
    op.execute(
        "UPDATE feed_state SET longest_span_days ="
        f" (SELECT coalesce(max({span}), 0) FROM events WHERE NOT series_master)"
    )
    with op.batch_alter_table("feed_state") as batch:
        batch.alter_column("longest_span_days", server_default=None)
    op.create_index(
        "ix_events_span", "events", ["series_master", "start_date", "end_date", "status"]
    )


def downgrade() -> None:
    op.drop_index("ix_events_span", table_name="events")
    with op.batch_alter_table("feed_state") as batch:
        batch.drop_column("longest_span_days")
