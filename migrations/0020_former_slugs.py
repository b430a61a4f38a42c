"""former slugs: the addresses public events and series had before their slug was changed

A link to an event whose address (slug) an editor changed answered 404: shared links,
bookmarks and the URL a calendar kept of a downloaded event were dead. The former address is
kept here and leads to the event's address now.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 05:20:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0020"
down_revision: Union[str, Sequence[str], None] = "0019"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "former_slugs",
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_former_slugs_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_former_slugs")),
    )
    op.create_index(op.f("ix_former_slugs_event_id"), "former_slugs", ["event_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_former_slugs_event_id"), table_name="former_slugs")
    op.drop_table("former_slugs")
