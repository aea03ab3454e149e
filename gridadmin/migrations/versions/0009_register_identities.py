"""the database enforces the register's identities

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 16:30:00.000000

Two clerks (or two imports) writing at once could register one person
twice: every check was a read before the insert. The database now refuses
it whoever writes:

- ``uq_person_active_id_number``: no two 在册 persons with one ID number
  (partial unique index, SQLite and PostgreSQL alike; people who moved out
  or died keep theirs);
- ``uq_person_tag_open``: one open membership (no end date) per person and
  special group;
- ``running_import``: who is importing what since when, so a second import
  can say whom it waits for (the lock itself is the database's).

A database that already holds two 在册 persons with one ID number is not
upgraded: nothing is changed or dropped, and the refusal (a Chinese
``ValidationError``, shown by ``gridadmin upgrade`` and the start dialog
after the pre-upgrade backup) lists the numbers, masked, with the person
ids so a clerk can resolve them in the older program first. Duplicate open
memberships of one group describe one fact twice (the tallies counted the
person twice): the later copies are ended on their own start date (so they
never held on any day), the earliest is kept, and the repair is audited.
"""
from collections import defaultdict
from datetime import date, datetime
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTIVE_WITH_ID = "status = '在册'"
OPEN_TAG = "end_date IS NULL"
LISTED = 20  # duplicate numbers named in the refusal


def upgrade() -> None:
    """Upgrade schema."""
    conn = op.get_bind()
    _refuse_duplicate_residents(conn)
    _end_duplicate_memberships(conn)
    op.create_table(
        'running_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('user_name', sa.String(length=100), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=True),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_running_import')),
        sa.UniqueConstraint('token', name=op.f('uq_running_import_token')),
    )
    with op.batch_alter_table('running_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_running_import_kind'), ['kind'], unique=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('uq_person_active_id_number', ['id_number'], unique=True,
                              sqlite_where=sa.text(ACTIVE_WITH_ID), postgresql_where=sa.text(ACTIVE_WITH_ID))
    with op.batch_alter_table('person_tag', schema=None) as batch_op:
        batch_op.create_index('uq_person_tag_open', ['person_id', 'tag_kind_id'], unique=True,
                              sqlite_where=sa.text(OPEN_TAG), postgresql_where=sa.text(OPEN_TAG))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('person_tag', schema=None) as batch_op:
        batch_op.drop_index('uq_person_tag_open')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('uq_person_active_id_number')
    with op.batch_alter_table('running_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_running_import_kind'))
    op.drop_table('running_import')


def duplicate_residents(conn) -> dict[str, list[int]]:
    """``{ID number: [person ids]}`` of the numbers held by more than one
    在册 person (what the new unique index forbids)."""
    rows = conn.execute(sa.text(
        "SELECT p.id_number, p.id FROM person p WHERE p.status = '在册' AND p.id_number IN ("
        " SELECT id_number FROM person WHERE status = '在册' AND id_number IS NOT NULL"
        " GROUP BY id_number HAVING count(*) > 1) ORDER BY p.id_number, p.id")).all()
    found: dict[str, list[int]] = defaultdict(list)
    for number, person_id in rows:
        found[number].append(person_id)
    return dict(found)


def _refuse_duplicate_residents(conn) -> None:
    from gridadmin.services.common.errors import ValidationError
    from gridadmin.services.common.idcard import mask_id_number

    found = duplicate_residents(conn)
    if not found:
        return
    lines = [f"{mask_id_number(number)}：人员编号 {'、'.join(str(i) for i in ids)}"
             for number, ids in list(found.items())[:LISTED]]
    more = f"\n……另有 {len(found) - LISTED} 个号码" if len(found) > LISTED else ""
    raise ValidationError(
        f"数据库中有 {len(found)} 个公民身份号码同时登记给了多位在册人员，新版本不允许同一人重复登记，"
        f"因此没有升级，数据保持原样。请先用原版本程序处理这些人员（核对后更正号码，或对重复登记的一条办理迁出），"
        f"再重新升级：\n" + "\n".join(lines) + more, field="公民身份号码", value=len(found))


def _end_duplicate_memberships(conn) -> None:
    rows = conn.execute(sa.text(
        "SELECT t.id, t.person_id, t.tag_kind_id, t.start_date, t.created_at FROM person_tag t"
        " WHERE t.end_date IS NULL AND EXISTS (SELECT 1 FROM person_tag o WHERE o.person_id = t.person_id"
        " AND o.tag_kind_id = t.tag_kind_id AND o.end_date IS NULL AND o.id <> t.id)"
        " ORDER BY t.person_id, t.tag_kind_id, t.start_date, t.id")).all()
    if not rows:
        return
    groups: dict[tuple[int, int], list] = defaultdict(list)
    for row in rows:
        groups[(row.person_id, row.tag_kind_id)].append(row)
    ended = 0
    for copies in groups.values():
        # the earliest start holds the whole period; an unknown start is the earliest of all
        copies.sort(key=lambda r: (r.start_date is not None, r.start_date or 0, r.id))
        for extra in copies[1:]:
            day = extra.start_date or (extra.created_at.date() if extra.created_at else None)
            conn.execute(sa.text("UPDATE person_tag SET end_date = :day WHERE id = :id"),
                         {"day": day or copies[0].start_date or date(1900, 1, 1), "id": extra.id})
            ended += 1
    conn.execute(sa.text(
        "INSERT INTO audit_log (username, action, entity, summary, at) VALUES ('system', 'update', 'person_tag',"
        " :summary, :at)"), {"summary": f"升级 0009：{ended} 条重复的特殊人群成员资格已结束（保留最早的一条）",
                             "at": datetime.now().replace(microsecond=0)})
