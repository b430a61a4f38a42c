"""search index: online and hybrid, Chinese and Japanese words

The index now holds "Online" for webinars, live audio and live events with a join link, and
"Hybrid" for those also at a venue (search._kind_words): a search for "online" or "hybrid"
found hybrid events only when their own text said so. Chinese and Japanese characters are
words of their own (search._clean), so a word inside a run of them is found. Existing events
are indexed again here (search.rebuild), as 0012 did.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 23:25:00

"""

from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: Union[str, Sequence[str], None] = "0017"
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    from events_app import search

    search.rebuild(op.get_bind())


def downgrade() -> None:
    pass  # the index without these words is the same table; rows with them find the rest
