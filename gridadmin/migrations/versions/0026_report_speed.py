"""indexes for the monthly report's age groups and due memberships

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 02:00:00.000000

The monthly report counts the age groups (老年人 60+, 高龄老人 80+) per
area at three month ends. It read every person of that age from the
table (≈118,000 at county size, 525,000 residents) and looked up each
one's household: 1.3–2 s. ``ix_person_status_birth_place`` (status,
birth_date, household_id, house_id) lets it count them inside the index
per household and house, and look up each household once.

Open memberships due to end (矫正期满 …: ``due_end``) were found by
walking every open membership (``end_date IS NULL``, ≈200,000) for a
few dozen rows (the report, the dashboard's 待办提醒);
``ix_person_tag_open_due`` (end_date, due_end) is that range.

Section 八 (houses, 承租人数, 人户分离) grouped every house and every person
of the register (0.7–1.4 s); it now counts 在册 people per household and
house inside ``ix_person_status_residence`` and corrects the few houses
recorded since the previous month (``ix_house_registered``).
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0026'
down_revision: Union[str, Sequence[str], None] = '0025'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_person_status_birth_place', 'person', ['status', 'birth_date', 'household_id', 'house_id'],
                    unique=False)
    op.create_index('ix_person_status_residence', 'person', ['status', 'residence_status', 'household_id', 'house_id'],
                    unique=False)
    op.create_index('ix_person_tag_open_due', 'person_tag', ['end_date', 'due_end'], unique=False)
    op.create_index('ix_house_registered', 'house', ['registered_on', 'area_id', 'purpose'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_house_registered', table_name='house')
    op.drop_index('ix_person_tag_open_due', table_name='person_tag')
    op.drop_index('ix_person_status_residence', table_name='person')
    op.drop_index('ix_person_status_birth_place', table_name='person')
