"""events' descriptions stored rendered

An event page ran Markdown and the HTML sanitizer on its description at every view (the
largest cost of the page). The rendering is now kept beside the description, under a key of
the text and the renderer (markup.rendering_key), and set whenever the description is
(Event._render_description); a rendering whose key does not match is not used. Existing
events are rendered here.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 04:00:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None

BATCH = 1000


def upgrade() -> None:
    from events_app.markup import render_markdown, rendering_key

    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("description_html", sa.Text(), nullable=True))
        batch.add_column(sa.Column("description_html_key", sa.String(length=32), nullable=True))
    bind = op.get_bind()
    events = sa.table(
        "events",
        sa.column("id"),
        sa.column("description"),
        sa.column("description_html"),
        sa.column("description_html_key"),
    )
    update = (
        events.update()
        .where(events.c.id == sa.bindparam("b_id"))
        .values(description_html=sa.bindparam("b_html"), description_html_key=sa.bindparam("b_key"))
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(events.c.id, events.c.description)
            .where(events.c.id > last)
            .order_by(events.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            update,
            [
                {
                    "b_id": row.id,
                    "b_html": str(render_markdown(row.description)),
                    "b_key": rendering_key(row.description),
                }
                for row in rows
            ],
        )
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("description_html_key")
        batch.drop_column("description_html")
