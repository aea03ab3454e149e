"""generated report history

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 09:45:00.000000

The reports page keeps a history of generated report files (month, scope,
who, when, file and its SHA-256) so they can be reopened.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'generated_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('scope_area_id', sa.Integer(), nullable=True),
        sa.Column('scope_name', sa.String(length=100), nullable=False),
        sa.Column('file_path', sa.String(length=1000), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_generated_report_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_generated_report')),
    )
    with op.batch_alter_table('generated_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_generated_report_month'), ['month'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('generated_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generated_report_month'))
    op.drop_table('generated_report')
