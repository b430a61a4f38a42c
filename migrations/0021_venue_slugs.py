"""venue slugs: every venue has an address of its own (/venues/<slug>), and keeps its former ones

Venues had no page. Each gets a slug made from its name (text.slugify, "-2", "-3"... for a
name another venue already made), unique; former_venue_slugs keeps the address a venue had
before an editor changed it, which then leads to the new one.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 05:10:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0021"
down_revision: Union[str, Sequence[str], None] = "0020"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None

venues = sa.table(
    "venues", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("slug")
)
SLUG_LENGTH = 200
KEEP = {"sqlite_autoincrement": True}  # SQLite copies the table: it keeps AUTOINCREMENT (0016)


def upgrade() -> None:
    from events_app.text import slugify

    op.add_column("venues", sa.Column("slug", sa.String(length=SLUG_LENGTH), nullable=True))
    connection = op.get_bind()
    taken: set[str] = set()
    rows = connection.execute(sa.select(venues.c.id, venues.c.name).order_by(venues.c.id)).all()
    for venue_id, name in rows:
        base = slugify(name or "", SLUG_LENGTH, fallback="venue")
        slug, n = base, 1
        while slug in taken:  # the oldest venue of a name keeps the plain address
            n += 1
            slug = f"{base[: SLUG_LENGTH - len(str(n)) - 1]}-{n}"
        taken.add(slug)
        connection.execute(venues.update().where(venues.c.id == venue_id).values(slug=slug))
    with op.batch_alter_table("venues", table_kwargs=KEEP) as batch:
        batch.alter_column("slug", existing_type=sa.String(length=SLUG_LENGTH), nullable=False)
        batch.create_unique_constraint(batch.f("uq_venues_slug"), ["slug"])
    op.create_table(
        "former_venue_slugs",
        sa.Column("slug", sa.String(length=SLUG_LENGTH), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_former_venue_slugs_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_former_venue_slugs")),
    )
    op.create_index(op.f("ix_former_venue_slugs_venue_id"), "former_venue_slugs", ["venue_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_former_venue_slugs_venue_id"), table_name="former_venue_slugs")
    op.drop_table("former_venue_slugs")
    with op.batch_alter_table("venues", table_kwargs=KEEP) as batch:
        batch.drop_constraint("uq_venues_slug", type_="unique")
        batch.drop_column("slug")
