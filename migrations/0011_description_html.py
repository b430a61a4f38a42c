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


def upgrade() -> None:
    from events_app.models import refresh_renderings

    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("description_html", sa.Text(), nullable=True))
        batch.add_column(sa.Column("description_html_key", sa.String(length=32), nullable=True))
    refresh_renderings(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("description_html_key")
        batch.drop_column("description_html")
