"""group families, computed age groups, fields per kind, reminder decisions

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07 19:10:00.000000

Every tag kind (once all called 特殊人群) now belongs to a family:
特殊人群 (刑满释放人员, 社区矫正人员 …), 重点人员 (重点上访人员 …) or
关怀对象 (独居老人, 残疾人, 低保对象 …). The upgrade puts each existing
kind into its family (built-in kinds by code, the township's own by name,
else by their sensitive flag), gives the built-in ones their real names
where the township kept the old ones (社区矫正 → 社区矫正人员 …), adds the
kinds that were missing, and converts stored tags of the kinds now
computed from the birth date (老年人, 高龄老人): their rows are removed
(they are counted from the birth date). What it mapped is written to the
audit trail (one row, entity ``tag_kind``) and to the log.

``person_tag`` gets ``details`` (the kind's fields, JSON) and ``due_end``
(the day the membership is due to end); ``reminder_decision`` keeps what
was confirmed or dismissed on the 待办提醒 page.
"""
import json
import logging
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0018'
down_revision: Union[str, Sequence[str], None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FAMILY_NAMES = {"special": "特殊人群", "key": "重点人员", "care": "关怀对象"}
# The built-in kinds as of this revision: code → (name, sensitive, family, old name)
BUILTIN = {
    "released": ("刑满释放人员", True, "special", "刑满释放"),
    "corrections": ("社区矫正人员", True, "special", "社区矫正"),
    "mental": ("严重精神障碍患者", True, "special", "严重精神障碍"),
    "drug": ("吸毒人员", True, "special", None),
    "aids_risk": ("艾滋病危险人员", True, "special", None),
    "youth": ("重点青少年", True, "special", None),
    "petition": ("重点上访人员", True, "key", "重点上访"),
    "elder_60": ("老年人", False, "care", None),
    "elder_80": ("高龄老人", False, "care", None),
    "elder_alone": ("独居老人", False, "care", None),
    "empty_nest": ("空巢老人", False, "care", None),
    "disabled": ("残疾人", False, "care", None),
    "dibao": ("低保对象", False, "care", None),
    "tekun": ("特困人员", False, "care", None),
    "left_child": ("留守儿童", False, "care", None),
    "needy_child": ("困境儿童", False, "care", None),
    "veteran": ("退役军人", False, "care", None),
    "youfu": ("优抚对象", False, "care", None),
    "fertile_woman": ("育龄妇女", False, "care", None),
    "unemployed": ("失业人员", False, "care", None),
}
COMPUTED = ("elder_60", "elder_80")
# A township's own kinds: family by words in the name
NAME_WORDS = (("special", ("刑满", "刑释", "矫正", "精神", "吸毒", "涉毒", "艾滋", "青少年", "肇事肇祸")),
              ("key", ("上访", "信访", "重点人员", "邪教", "涉稳")))


def _family_by_name(name: str) -> str | None:
    for family, words in NAME_WORDS:
        if any(w in name for w in words):
            return family
    return None


def upgrade() -> None:
    op.add_column('tag_kind', sa.Column('family', sa.String(length=8), server_default='care', nullable=False))
    op.add_column('person_tag', sa.Column('details', sa.Text(), nullable=True))
    op.add_column('person_tag', sa.Column('due_end', sa.Date(), nullable=True))
    op.create_table(
        'reminder_decision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('decision', sa.String(length=8), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('decided_by', sa.String(length=50), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_decision')),
    )
    op.create_index('uq_reminder_decision', 'reminder_decision', ['kind', 'ref_id', 'due_date'], unique=True)
    map_existing_kinds(op.get_bind())


def map_existing_kinds(conn) -> list[str]:
    """Put every kind into its family and write the list of what was done
    (returned too)."""
    rows = conn.execute(sa.text("SELECT id, code, name, sensitive, sort_order FROM tag_kind ORDER BY sort_order, id")).all()
    if not rows:
        return []  # a database not set up yet: the township's set-up seeds the kinds
    names = {r.name for r in rows}
    codes = {r.code for r in rows}
    lines: list[str] = []
    changes: dict[str, list] = {}
    for r in rows:
        builtin = BUILTIN.get(r.code)
        new_name, how = r.name, "内置类别"
        if builtin is None and r.name in {b[0] for b in BUILTIN.values()}:
            code = next(c for c, b in BUILTIN.items() if b[0] == r.name)
            if code not in codes:  # the township's own kind of a built-in name: becomes it
                conn.execute(sa.text("UPDATE tag_kind SET code = :c WHERE id = :i"), {"c": code, "i": r.id})
                codes.add(code)
                builtin = BUILTIN[code]
                how = "按名称对应内置类别"
        if builtin is not None:
            family = builtin[2]
            if builtin[3] is not None and r.name == builtin[3] and builtin[0] not in names:
                new_name = builtin[0]
                names.add(new_name)
        else:
            family = _family_by_name(r.name)
            how = "按名称归类"
            if family is None:
                family = "key" if r.sensitive else "care"
                how = "按敏感标志推定，请核对"
        conn.execute(sa.text("UPDATE tag_kind SET family = :f, name = :n WHERE id = :i"),
                     {"f": family, "n": new_name, "i": r.id})
        held = conn.execute(sa.text("SELECT count(*) FROM person_tag WHERE tag_kind_id = :i"), {"i": r.id}).scalar()
        line = (f"{r.name}" + (f" → {new_name}" if new_name != r.name else "")
                + f"：{FAMILY_NAMES[family]}（{how}）；记录 {held} 条")
        if family in ("special", "key") and not r.sensitive:
            line += "；注意：该类别未设为敏感"
        lines.append(line)
        changes[r.name] = [r.name, f"{FAMILY_NAMES[family]}·{new_name}"]
    order = max(r.sort_order for r in rows) + 1
    next_id = max(r.id for r in rows) + 1  # explicit ids: a sequence may lag rows given their ids
    for code, (name, sensitive, family, _old) in BUILTIN.items():
        if code not in codes and name not in names:
            conn.execute(sa.text("INSERT INTO tag_kind (id, code, name, sensitive, sort_order, active, family, "
                                 "version) VALUES (:i, :c, :n, :s, :o, :a, :f, 1)"),
                         {"i": next_id, "c": code, "n": name, "s": sensitive, "o": order, "a": True, "f": family})
            order += 1
            next_id += 1
            lines.append(f"新增 {name}：{FAMILY_NAMES[family]}")
            changes[name] = [None, f"{FAMILY_NAMES[family]}·{name}"]
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('tag_kind', 'id'), "
                             "(SELECT max(id) FROM tag_kind))"))
    for code in COMPUTED:
        kind = conn.execute(sa.text("SELECT id, name FROM tag_kind WHERE code = :c"), {"c": code}).first()
        if kind is None:
            continue
        threshold = 60 if code == "elder_60" else 80
        stored = conn.execute(sa.text("SELECT count(*) FROM person_tag WHERE tag_kind_id = :k"),
                              {"k": kind.id}).scalar()
        if not stored:
            continue
        disagree = conn.execute(sa.text(
            "SELECT count(*) FROM person_tag JOIN person ON person.id = person_tag.person_id "
            "WHERE person_tag.tag_kind_id = :k AND person.birth_date IS NULL"), {"k": kind.id}).scalar()
        conn.execute(sa.text("DELETE FROM person_tag WHERE tag_kind_id = :k"), {"k": kind.id})
        lines.append(f"{kind.name}：改为按出生日期计算（满 {threshold} 周岁），删除原标签记录 {stored} 条"
                     + (f"，其中 {disagree} 人无出生日期、今后不再计入" if disagree else ""))
        changes[f"{kind.name}（标签记录）"] = [stored, 0]
    log = logging.getLogger("alembic.runtime.migration")
    for line in lines:
        log.info("人群归类：%s", line)
    conn.execute(sa.text("INSERT INTO audit_log (at, username, action, entity, changes, summary) "
                         "VALUES (CURRENT_TIMESTAMP, :u, 'update', 'tag_kind', :c, :s)"),
                 {"u": "系统升级", "c": json.dumps(changes, ensure_ascii=False),
                  "s": f"升级：人群类别按特殊人群、重点人员、关怀对象归类（{len(lines)} 项，明细见变更内容）"})
    return lines


def downgrade() -> None:
    op.drop_index('uq_reminder_decision', table_name='reminder_decision')
    op.drop_table('reminder_decision')
    with op.batch_alter_table('person_tag') as batch:
        batch.drop_column('due_end')
        batch.drop_column('details')
    with op.batch_alter_table('tag_kind') as batch:
        batch.drop_column('family')
