"""deleted events: the addresses of public events and series that were deleted

A deleted series' .ics answered 404, which no calendar app takes as "gone": one subscribed to
it (a series page offers Google that) kept every date for good. The address is kept here;
its .ics answers with a calendar of no events, its pages 410 Gone.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 04:40:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0019"
down_revision: Union[str, Sequence[str], None] = "0018"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "deleted_events",
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_deleted_events")),
    )


def downgrade() -> None:
    op.drop_table("deleted_events")
