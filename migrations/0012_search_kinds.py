"""search index: each event's kind

The index now holds each event's kind ("Live event", "Webinar", "Live audio") beside its
categories and speakers, so a search for "webinar" finds the webinars whose own text does not
say it. Existing events are indexed again here (search.rebuild).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 13:40:00

"""

from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: Union[str, Sequence[str], None] = "0011"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    from events_app import search

    search.rebuild(op.get_bind())


def downgrade() -> None:
    pass  # the index without kinds is the same table; rows with them still find the rest
