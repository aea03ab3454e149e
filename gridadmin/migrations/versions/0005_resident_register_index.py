"""resident register index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:20:00.000000

The residents page lists people of one status in pinyin order and searches
by pinyin/initials prefix; this index gives that order and serves the
search and its count without touching the table. The tag index lists
the holders of one special group (the tag filter) without the table.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_register', ['status', 'name_pinyin', 'name_initials'], unique=False)
    with op.batch_alter_table('person_tag', schema=None) as batch_op:
        batch_op.create_index('ix_person_tag_holders', ['tag_kind_id', 'person_id', 'start_date', 'end_date'],
                              unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('person_tag', schema=None) as batch_op:
        batch_op.drop_index('ix_person_tag_holders')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_register')
