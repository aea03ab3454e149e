"""a clerk's residents search: household, status and pinyin in one index

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 19:20:00.000000

A search by a user limited to some communities (``person.household_id IN
(the households of their areas)`` and a pinyin prefix) walked every person
of the township with that prefix and looked each row up for its household.
``ix_person_household_name`` (household_id, status, name_pinyin,
name_initials) answers it inside the index, one seek per household of the
user's areas, so its cost follows the user's areas, not the register. It
starts with (household_id, status), so it replaces
``ix_person_household_status`` (the grid tree's per-household seek).
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0016'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_person_household_name', 'person', ['household_id', 'status', 'name_pinyin', 'name_initials'],
                    unique=False)
    op.drop_index('ix_person_household_status', table_name='person')


def downgrade() -> None:
    op.create_index('ix_person_household_status', 'person', ['household_id', 'status'], unique=False)
    op.drop_index('ix_person_household_name', table_name='person')
