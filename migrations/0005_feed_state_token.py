"""feed state token: a random value per change instead of a counter

A counter repeats after a database is restored from a backup, and running workers would trust
their caches for numbers that now name other content; a random token never repeats.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 19:30:00

"""

import secrets
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("feed_state") as batch:
        batch.add_column(sa.Column("token", sa.String(32), nullable=False, server_default=""))
        batch.drop_column("generation")
    feed_state = sa.table("feed_state", sa.column("id"), sa.column("token"))
    op.execute(feed_state.update().values(token=secrets.token_hex(8)))
    with op.batch_alter_table("feed_state") as batch:
        batch.alter_column("token", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("feed_state") as batch:
        batch.add_column(sa.Column("generation", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_column("token")
