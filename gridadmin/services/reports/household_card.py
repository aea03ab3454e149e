"""户卡: one household printed on A4 — a header block (户号, 户别, 所属网格,
地址, 联系电话, 户标识, 登记日期), the members table (序号, 姓名, 与户主关系,
性别, 出生日期, 民族, 公民身份号码, 人口类别, 联系电话, 人群类别) and the
signature lines, with the toolkit's page header and "第 X 页 共 Y 页".

ID numbers and phones are masked (110101********1234, 138****5678) unless
``full_numbers``, which needs 查看完整证件号码; printing needs 导出和打印 and
is recorded in the audit trail. Special groups are those the acting user
may see.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from gridadmin.db import Database
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import EXPORT, SEE_FULL_NUMBERS, acting, require
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.register.households import FLAGS, load_household
from gridadmin.services.common.idcard import mask_id_number, mask_phone
from gridadmin.services.reports.toolkit import (
    GRID_COLOUR, HEADER_FILL, DocumentInfo, Styles, data_table, render_pdf, signature_block, title_block,
)
from gridadmin.services.common.settings import KEY_TOWNSHIP_NAME, get_setting
from gridadmin.services.register.tags import tag_names_of, visible_tag_kinds

MEMBER_HEADERS = ("序号", "姓名", "与户主关系", "性别", "出生日期", "民族", "公民身份号码", "人口类别", "联系电话",
                  "人群类别")
MEMBER_WIDTHS_MM = (9, 16, 18, 10, 20, 13, 35, 17, 22, 20)


def household_card_pdf(db: Database, household_id: int, target: str | Path | BinaryIO, *,
                       full_numbers: bool = False, printed_on: date | None = None) -> int:
    """Write the card of ``household_id`` (its active members, head first)
    to ``target``; returns the page count."""
    printed_on = printed_on or date.today()
    card = load_household(db, household_id)
    with db.session() as session:
        actor = acting(db)
        require(session, actor, EXPORT)
        if full_numbers:
            require(session, actor, SEE_FULL_NUMBERS)
        book = CodeBook.load(session)
        unit = (get_setting(session, KEY_TOWNSHIP_NAME) or "") + "网格化服务管理中心"
        kinds = [k.id for k in visible_tag_kinds(session, actor)]
        tags = tag_names_of(session, [m.id for m in card.members if m.id is not None], kinds, printed_on)
    data = card.data

    def id_text(value: str) -> str:
        return value if full_numbers else mask_id_number(value)

    def phone_text(value: str) -> str:
        return value if full_numbers else mask_phone(value)

    styles = Styles()
    info = DocumentInfo(title="户卡", unit=unit, subtitle=f"户号：{data.household_no}", printed_on=printed_on)
    flags = "、".join(label for key, label in FLAGS if key in data.flags) or "无"
    status = f"已注销（{card.dissolved_on.isoformat()}）" if card.dissolved_on else "正常"
    pairs = [("户号", data.household_no), ("户别", book.label("household_type", data.household_type)),
             ("所属网格", card.area_label), ("户状态", status),
             ("地址", data.address), ("联系电话", phone_text(data.phone)),
             ("户标识", flags), ("成员人数", f"{len(card.members)} 人")]
    rows = [[i, m.name, book.label("relation", m.relation), book.label("gender", m.gender),
             m.birth_date.isoformat() if m.birth_date else "", book.label("ethnicity", m.ethnicity),
             id_text(m.id_number), book.label("resident_category", m.category), phone_text(m.phone),
             "、".join(tags.get(m.id, ()))]
            for i, m in enumerate(card.members, start=1)]
    story = title_block(info, styles) + [
        _pairs_table(styles, pairs), Spacer(1, 5 * mm),
        Paragraph("家庭成员", styles.heading),
        data_table(MEMBER_HEADERS, rows, col_widths=[w * mm for w in MEMBER_WIDTHS_MM], numeric_columns=[0],
                   styles=styles),
    ]
    if data.note:
        story += [Spacer(1, 3 * mm), Paragraph(f"备注：{data.note}", styles.body)]
    story += [Spacer(1, 8 * mm), signature_block(styles, labels=("户主签字", "登记人", "填报日期"), seal=False)]
    pages = render_pdf(target, info, story)
    with db.session() as session:
        name = target.name if isinstance(target, Path) else (Path(target).name if isinstance(target, str) else "")
        audit.record(session, acting(db), audit.ACTION_PRINT, "household", household_id,
                     summary=f"打印户卡 {data.household_no}{' 到 ' + name if name else ''}"
                             f"{'（完整号码）' if full_numbers else ''}")
    return pages


def _pairs_table(styles: Styles, pairs: list[tuple[str, str]]) -> Table:
    """Label/value pairs, two per row, labels shaded."""
    rows = []
    for i in range(0, len(pairs), 2):
        row = []
        for label, value in pairs[i:i + 2]:
            row += [Paragraph(label, styles.cell_centre), Paragraph(value or "", styles.cell)]
        rows.append(row + [""] * (4 - len(row)))
    table = Table(rows, colWidths=[22 * mm, 68 * mm, 22 * mm, 68 * mm], rowHeights=[9 * mm] * len(rows))
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, GRID_COLOUR),
        ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL), ("BACKGROUND", (2, 0), (2, -1), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table
