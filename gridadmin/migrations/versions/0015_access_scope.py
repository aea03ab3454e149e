"""a user's areas: 全部 is an explicit choice

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 16:30:00.000000

Until now a user with no area ticked had every area ("不选表示全部"), so
forgetting to tick one granted the whole township. ``app_user.all_areas``
now says 全部 explicitly and no area means none. Users who have no area
rows today keep seeing everything: the upgrade sets 全部 for them.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # A plain ADD COLUMN (with its default) on both engines: a batch rebuild
    # of app_user would fail on SQLite once other tables refer to its rows.
    op.add_column('app_user', sa.Column('all_areas', sa.Boolean(), server_default=sa.false(), nullable=False))
    # 不选表示全部 was the rule: keep those users' reach, now stated explicitly
    op.execute(sa.text("UPDATE app_user SET all_areas = :yes "
                       "WHERE NOT EXISTS (SELECT 1 FROM user_scope WHERE user_scope.user_id = app_user.id)")
               .bindparams(sa.bindparam("yes", True, type_=sa.Boolean())))


def downgrade() -> None:
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('all_areas')
