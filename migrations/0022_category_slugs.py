"""former category slugs: a category's address before an editor changed it leads to the new one

A changed category slug left its page, its feeds (.ics, .atom) and every ``?category=`` link at
the old address answering 404 or "no such category": calendar apps subscribed to it kept what
they had and got nothing new. former_category_slugs keeps the old address, which then answers
a 301 to the new one.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 14:50:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0022"
down_revision: Union[str, Sequence[str], None] = "0021"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "former_category_slugs",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_former_category_slugs_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_former_category_slugs")),
    )
    op.create_index(
        op.f("ix_former_category_slugs_category_id"), "former_category_slugs", ["category_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_former_category_slugs_category_id"), table_name="former_category_slugs")
    op.drop_table("former_category_slugs")
