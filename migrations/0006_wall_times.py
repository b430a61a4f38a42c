"""wall times: timed events keep the local wall time they were entered with

For events still to come the wall time and zone are the truth and the UTC instant is derived
from them (flask tz-refresh, after a change of zone rules). Existing events get the wall times
their instants show today, with the fold where the zone shows that wall time twice.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 20:30:00

"""

from datetime import UTC, datetime
from typing import Sequence, Union
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = ("wall_start", "wall_end", "wall_start_fold", "wall_end_fold", "wall_review")
BATCH = 1000


def _wall(instant: datetime, zone: ZoneInfo) -> tuple[datetime, int | None]:
    """The wall time a stored (naive UTC) instant shows, and its fold when it shows twice."""
    local = instant.replace(tzinfo=UTC).astimezone(zone)
    naive = local.replace(tzinfo=None, fold=0)
    first, second = naive.replace(tzinfo=zone), naive.replace(tzinfo=zone, fold=1)
    twice = first.utcoffset() != second.utcoffset() and (
        first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive
    )
    return naive, (local.fold if twice else None)


def upgrade() -> None:
    op.add_column("events", sa.Column("wall_start", sa.DateTime(), nullable=True))
    op.add_column("events", sa.Column("wall_end", sa.DateTime(), nullable=True))
    op.add_column("events", sa.Column("wall_start_fold", sa.Integer(), nullable=True))
    op.add_column("events", sa.Column("wall_end_fold", sa.Integer(), nullable=True))
    op.add_column("events", sa.Column("wall_review", sa.String(length=500), nullable=True))

    events = sa.table(
        "events",
        sa.column("id", sa.Integer()),
        sa.column("all_day", sa.Boolean()),
        sa.column("timezone", sa.String()),
        sa.column("start_at", sa.DateTime()),
        sa.column("end_at", sa.DateTime()),
        *(sa.column(name) for name in COLUMNS[:4]),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(events.c.id, events.c.timezone, events.c.start_at, events.c.end_at)
        .where(events.c.all_day == sa.false())
        .order_by(events.c.id)
    ).all()
    update = (
        events.update()
        .where(events.c.id == sa.bindparam("b_id"))
        .values({name: sa.bindparam(f"b_{name}") for name in COLUMNS[:4]})
    )
    zones: dict[str, ZoneInfo] = {}
    values = []
    for row in rows:
        try:
            zone = zones.get(row.timezone) or zones.setdefault(row.timezone, ZoneInfo(row.timezone))
        except (ValueError, KeyError, OSError):
            continue  # not a zone this machine knows: left without wall times, never moved
        start, start_fold = _wall(row.start_at, zone)
        end, end_fold = _wall(row.end_at, zone)
        values.append(
            {"b_id": row.id, "b_wall_start": start, "b_wall_start_fold": start_fold,
             "b_wall_end": end, "b_wall_end_fold": end_fold}
        )  # fmt: skip
        if len(values) == BATCH:
            connection.execute(update, values)
            values = []
    if values:
        connection.execute(update, values)


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
