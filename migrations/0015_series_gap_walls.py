"""series dates in a DST gap keep their rule's wall time

A series date whose rule's wall time falls in a DST gap (2:30 AM on the night clocks jump
from 2:00 to 3:00) is placed past the jump, as calendar apps place it; it kept that placed
time (3:30 AM) as its wall time, so tz-refresh left it there when new zone rules closed the
gap. It now keeps the rule's (series._schedule); this gives existing ones theirs. Dates moved
on their own are left as they are.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 03:20:00

"""

from datetime import UTC
from typing import Sequence, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: Union[str, Sequence[str], None] = "0014"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None

events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("series_id", sa.Integer),
    sa.column("all_day", sa.Boolean),
    sa.column("timezone", sa.String),
    sa.column("start_at", sa.DateTime),
    sa.column("recurrence_id", sa.DateTime),
    sa.column("wall_start", sa.DateTime),
    sa.column("wall_start_fold", sa.Integer),
)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(events.c.id, events.c.timezone, events.c.start_at, events.c.recurrence_id)
        .where(events.c.series_id.is_not(None), events.c.recurrence_id.is_not(None))
        .where(events.c.all_day.is_(False), events.c.wall_start != events.c.recurrence_id)
    ).all()
    for id_, zone_name, start_at, wall in rows:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        placed = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
        in_gap = placed.astimezone(zone).replace(tzinfo=None) != wall
        if in_gap and placed.replace(tzinfo=None) == start_at:  # where the rule put it
            connection.execute(
                events.update().where(events.c.id == id_).values(wall_start=wall, wall_start_fold=0)
            )


def downgrade() -> None:
    pass  # the placed wall times are what 0014 had; nothing reads the difference but tz-refresh
