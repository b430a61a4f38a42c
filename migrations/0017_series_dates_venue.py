"""series dates get their series' venue

A series created from the staff form at a venue (chosen, or typed in with it) left every
date without one: the form sets the venue object, whose id the series copied before the save
gave it (series.TEMPLATE_COLUMNS now copies the object). Dates without a venue whose series
has one get the series' venue here, and count as changed (a new SEQUENCE, their calendar
entries written again, caches told). A date given another venue of its own keeps it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 23:40:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: Union[str, Sequence[str], None] = "0016"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None

events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("series_id", sa.Integer),
    sa.column("venue_id", sa.Integer),
)


def upgrade() -> None:
    from sqlalchemy.orm import Session

    from events_app import changes

    connection = op.get_bind()
    master = events.alias("master")
    rows = connection.execute(
        sa.select(events.c.id, master.c.venue_id)
        .join(master, master.c.id == events.c.series_id)
        .where(events.c.venue_id.is_(None), master.c.venue_id.is_not(None))
    ).all()
    for event_id, venue_id in rows:
        connection.execute(events.update().where(events.c.id == event_id).values(venue_id=venue_id))
    if rows:
        session = Session(bind=connection)
        changes.mark_changed(session, [event_id for event_id, _ in rows])
        session.flush()


def downgrade() -> None:
    pass  # the dates keep the venue they were always meant to have
