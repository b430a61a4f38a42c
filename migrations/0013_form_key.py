"""events' form key: a new-event form sent twice makes one event

The new-event form carries a random key; the event it creates keeps it (unique), so the same
form sent again (a second click on Save, "Send again" after an outage whose first save went
through) finds that event instead of creating a second one. Existing events have none.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 22:10:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: Union[str, Sequence[str], None] = "0012"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Both databases add a nullable column and an index in place (no table copy).
    op.add_column("events", sa.Column("form_key", sa.String(length=43), nullable=True))
    op.create_index("uq_events_form_key", "events", ["form_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_events_form_key", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("form_key")
