"""submitted monthly reports

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 16:30:00.000000

A month's report that has been sent up (已上报) is kept with its figures
(JSON), who submitted it and when, and the PDF generated then; a 管理员
may withdraw it with a reason. At most one submission per month and scope
is current (a partial unique index over the ones not withdrawn).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'submitted_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('scope_key', sa.Integer(), nullable=False),
        sa.Column('scope_area_id', sa.Integer(), nullable=True),
        sa.Column('scope_name', sa.String(length=100), nullable=False),
        sa.Column('figures', sa.Text(), nullable=False),
        sa.Column('generated_report_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=40), nullable=False),
        sa.Column('submitted_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.Column('withdrawn_by', sa.String(length=40), nullable=True),
        sa.Column('withdraw_reason', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['generated_report_id'], ['generated_report.id'],
                                name=op.f('fk_submitted_report_generated_report_id_generated_report')),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_submitted_report_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_submitted_report')),
    )
    with op.batch_alter_table('submitted_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submitted_report_month'), ['month'], unique=False)
        batch_op.create_index('ux_submitted_report_current', ['month', 'scope_key'], unique=True,
                              sqlite_where=sa.text('withdrawn_at IS NULL'),
                              postgresql_where=sa.text('withdrawn_at IS NULL'))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('submitted_report', schema=None) as batch_op:
        batch_op.drop_index('ux_submitted_report_current')
        batch_op.drop_index(batch_op.f('ix_submitted_report_month'))
    op.drop_table('submitted_report')
