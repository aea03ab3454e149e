"""境外人员: a person's 证件类型, 国籍, document validity and a second phone

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 02:00:00.000000

境外人员 are registered by passports, 外国人永久居留身份证 or 通行证, not by
a resident ID number. ``person.id_type`` says which document ``id_number``
is (codes of ``services.common.id_types``; every existing person gets 111
居民身份证, the column's default), and the register's identity becomes the
pair: no two 在册 persons share (证件类型, 证件号码) — ``uq_person_active_id_number``
is rebuilt on both columns. ``nationality`` (国籍) and
``document_valid_until`` (证件有效期结束时间) are kept for 境外人员;
``other_phone`` holds a second number (固定电话 beside 联系手机) so an
import loses neither.

Columns are added in place (no table copy on SQLite: the tally triggers on
``person`` stay as they are).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0024'
down_revision: Union[str, Sequence[str], None] = '0023'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTIVE_WITH_ID = "status = '在册'"


def upgrade() -> None:
    op.add_column('person', sa.Column('id_type', sa.String(length=3), server_default='111', nullable=False))
    op.add_column('person', sa.Column('other_phone', sa.String(length=20), nullable=True))
    op.add_column('person', sa.Column('nationality', sa.String(length=60), nullable=True))
    op.add_column('person', sa.Column('document_valid_until', sa.Date(), nullable=True))
    op.drop_index('uq_person_active_id_number', table_name='person')
    op.create_index('uq_person_active_id_number', 'person', ['id_type', 'id_number'], unique=True,
                    sqlite_where=sa.text(ACTIVE_WITH_ID), postgresql_where=sa.text(ACTIVE_WITH_ID))


def downgrade() -> None:
    op.drop_index('uq_person_active_id_number', table_name='person')
    op.create_index('uq_person_active_id_number', 'person', ['id_number'], unique=True,
                    sqlite_where=sa.text(ACTIVE_WITH_ID), postgresql_where=sa.text(ACTIVE_WITH_ID))
    # DROP COLUMN in place (SQLite 3.35+, PostgreSQL): a batch copy of person
    # would DROP TABLE a table other rows point to (FOREIGN KEY constraint failed)
    for column in ('document_valid_until', 'nationality', 'other_phone', 'id_type'):
        op.execute(f"ALTER TABLE person DROP COLUMN {column}")
