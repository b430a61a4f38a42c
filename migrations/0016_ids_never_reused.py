"""ids never reused: SQLite tables of events, venues, categories and users get AUTOINCREMENT

Without it SQLite gives a new row the largest id plus one, so deleting the newest event and
creating another gave the new one the deleted one's id: its History showed the deleted
event's entries, and a form left open on the deleted event saved onto the new one. PostgreSQL's
sequences never hand an id out twice; there this changes nothing. Each SQLite table is copied
once (its indexes and constraints with it).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 05:30:00

"""

from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: Union[str, Sequence[str], None] = "0015"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("events", "venues", "categories", "users")


def _recreate(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TABLES:
        with op.batch_alter_table(
            name, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _recreate(True)


def downgrade() -> None:
    _recreate(False)
