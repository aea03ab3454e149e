"""person presence and household-status indexes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 11:10:00.000000

Who is in the register at a date depends on status, registration, move-out
and death dates. This covering index lets the dashboard's twelve-month
resident trend count the people who never left (almost everyone) as one
index range and bucket only the few who arrived late or left, instead of
sorting the whole person table. The grid tree counts each household's
在册 members by one seek of (household_id, status) per household, walking
the households in area order (an integer-first key is markedly cheaper to
seek than the (status, household_id) one).
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_presence', ['status', 'moved_out_on', 'died_on', 'registered_on'],
                              unique=False)
        batch_op.create_index('ix_person_household_status', ['household_id', 'status'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_household_status')
        batch_op.drop_index('ix_person_presence')
