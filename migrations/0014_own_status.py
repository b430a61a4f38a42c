"""events' own_status: the status one date of a series was given on its own

Before, a date's own status lived only in `status`, so a series made a draft left a date
cancelled on its own public, and a series cancelled and published again published it. Now
`status` is what visitors see (series.date_status) and `own_status` what the date was given;
existing dates whose status differs from their series' keep it as their own.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 03:00:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: Union[str, Sequence[str], None] = "0013"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("events", sa.Column("own_status", sa.String(length=20), nullable=True))
    op.execute(
        "UPDATE events SET own_status = status WHERE series_id IS NOT NULL AND status <> "
        "(SELECT m.status FROM events AS m WHERE m.id = events.series_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("own_status")
