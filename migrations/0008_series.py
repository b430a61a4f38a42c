"""recurring series: series_rules, events' series columns, covering indexes that include them

A series master (events.series_master) holds the template and its rule (series_rules); its
occurrences are events pointing at it (series_id) with their original start (recurrence_id,
local wall time). The feed and list queries filter on both columns, so the covering indexes
carry them and those queries still read the indexes only.

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-28 20:20:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None

OLD = {
    "ix_events_start_order": [
        *("start_at", "id", "end_at", "status", "version", "all_day", "timezone"),
    ],
    "ix_events_kind_start_order": [
        *("kind", "start_at", "id", "end_at", "status"),
        *("version", "all_day", "timezone", "updated_at"),
    ],
    "ix_events_end_at": ["end_at", "status", "start_at", "version", "updated_at"],
}
NEW = {
    "ix_events_start_order": [*OLD["ix_events_start_order"], "series_id", "series_master"],
    "ix_events_kind_start_order": [
        *OLD["ix_events_kind_start_order"],
        *("series_id", "series_master"),
    ],
    "ix_events_end_at": [*OLD["ix_events_end_at"], "series_id", "series_master"],
}


def _replace(indexes: dict[str, list[str]]) -> None:
    for name, columns in indexes.items():
        op.drop_index(name, table_name="events")
        op.create_index(name, "events", columns, unique=False)


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("series_master", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("recurrence_id", sa.DateTime(), nullable=True))
        batch.create_foreign_key(
            "fk_events_series_id_events", "events", ["series_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_events_series_id", ["series_id"], unique=False)
        batch.create_index(
            "uq_events_series_id_recurrence_id", ["series_id", "recurrence_id"], unique=True
        )
    with op.batch_alter_table("events") as batch:
        batch.alter_column("series_master", server_default=None)
    _replace(NEW)
    op.create_table(
        "series_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("freq", sa.String(length=10), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.String(length=30), nullable=False),
        sa.Column("month_day", sa.Integer(), nullable=True),
        sa.Column("week_of_month", sa.Integer(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("start_local", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("materialized_through", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "freq IN ('daily', 'weekly', 'monthly', 'yearly')", name=op.f("ck_series_rules_freq")
        ),
        sa.CheckConstraint("interval >= 1", name=op.f("ck_series_rules_interval")),
        sa.CheckConstraint("duration_minutes >= 0", name=op.f("ck_series_rules_duration")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_series_rules_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_rules")),
        sa.UniqueConstraint("event_id", name=op.f("uq_series_rules_event_id")),
    )


def downgrade() -> None:
    op.drop_table("series_rules")
    _replace(OLD)
    with op.batch_alter_table("events") as batch:
        batch.drop_index("uq_events_series_id_recurrence_id")
        batch.drop_index("ix_events_series_id")
        batch.drop_constraint("fk_events_series_id_events", type_="foreignkey")
        batch.drop_column("recurrence_id")
        batch.drop_column("series_id")
        batch.drop_column("series_master")
