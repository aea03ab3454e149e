"""effective dates: who entered each register change, category/rename events

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-07 16:30:00.000000

Every register change carries the day it happened (``person_event.event_date``,
``person_tag.start_date``/``end_date``) apart from the moment it was
entered (``created_at``; for a tag's end the new ``ended_at``) and who
entered it (``entered_by``/``ended_by``). ``old_value``/``new_value``
hold the before and after of a 类别变更 or 更名 event. Plain nullable
columns added in place (no table rebuild on SQLite, so the count triggers
on ``person_tag`` stay); existing rows keep NULL (entered by unknown).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('person_event', sa.Column('old_value', sa.String(length=60), nullable=True))
    op.add_column('person_event', sa.Column('new_value', sa.String(length=60), nullable=True))
    op.add_column('person_event', sa.Column('entered_by', sa.String(length=50), nullable=True))
    op.add_column('person_tag', sa.Column('entered_by', sa.String(length=50), nullable=True))
    op.add_column('person_tag', sa.Column('ended_at', sa.DateTime(), nullable=True))
    op.add_column('person_tag', sa.Column('ended_by', sa.String(length=50), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a plain column in place (no rebuild, triggers kept).
    for table, column in (('person_tag', 'ended_by'), ('person_tag', 'ended_at'), ('person_tag', 'entered_by'),
                          ('person_event', 'entered_by'), ('person_event', 'new_value'),
                          ('person_event', 'old_value')):
        op.drop_column(table, column)
