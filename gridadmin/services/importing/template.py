"""「下载模板」: an empty workbook per import kind, written with openpyxl.

Contract of ``write_template(kind, path, db=None)``:
- sheet 1 (named after the kind): row 1 a title, row 2 a short hint per
  column (必填 / 下拉选择 / 18 位 …), row 3 the header — the kind's field
  labels, required ones marked ``*`` — frozen below it; so a filled
  template imports as is (the hint row sits above the header);
- code-list columns (性别, 民族, 政治面貌 …; 社区/村 and 网格 when a
  database is given) get a dropdown (list data validation) whose values are
  on the hidden sheet ``下拉列表``; free spellings are still accepted on
  import, the dropdown only helps;
- ID-number, phone and identifier columns (户号, 网格编码, 证书编号, and
  楼栋/单元/室/门牌号, which Excel would turn into dates such as 3-2) are
  formatted as text (``@``) so Excel cannot turn them into numbers or cut
  them to 15 digits — the whole column (its default style, which Excel and
  WPS give every cell typed or pasted later, as well as the first
  ``TEMPLATE_ROWS`` cells), and dropdowns validate the whole column below
  the header: a village of 4,500 people fits; widths fit the content;
- code lists come from the database when ``db`` is given (the editable
  lists such as 网格岗位 may differ), else from the built-in seed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from gridadmin.models.area import GRID_TYPES, LEVEL_COMMUNITY, LEVEL_GRID
from gridadmin.models.house import HOUSE_USES
from gridadmin.models.staff import EMPLOYMENT_FULL, EMPLOYMENT_PART, STAFF_STATUSES
from gridadmin.models.training import ATTENDANCE_LABELS
from gridadmin.services.common.code_seed import CODE_LISTS
from gridadmin.services.common.id_types import ID_TYPES
from gridadmin.services.importing.pipeline import kind_of
from gridadmin.services.register.group_fields import all_fields as all_group_fields

TEMPLATE_ROWS = 1000  # rows given a cell-level text format under the header (the column's style covers the rest)
SHEET_LAST_ROW = 1048576  # Excel's last row: formats and dropdowns reach it
LISTS_SHEET = "下拉列表"
HEADER_ROW = 3
# field key → hint of the columns formatted as text ('' for no hint)
TEXT_FIELDS = {"id_number": "18 位，文本格式", "phone": "手机 11 位或 0377-63123456", "household_no": "文本格式",
               "other_phone": "手机 11 位或 0377-63123456",
               "house_no": "文本格式", "landlord_phone": "手机 11 位或 0377-63123456",
               "grid_code": "文本格式", "certificate_no": "文本格式", "building": "", "unit": "", "room": "",
               "door_no": "", "residence_permit_no": "文本格式"}
WIDTHS = {"id_number": 22, "household_no": 22, "grid_code": 22, "certificate_no": 22}
# field key → code list key (a fixed tuple of labels where not a code list)
CODE_COLUMNS = {
    "gender": "gender", "ethnicity": "ethnicity", "relation": "relation", "political_status": "political",
    "education": "education", "marital_status": "marital", "category": "resident_category",
    "residence_status": "residence_status", "skill_level": "skill_level", "role": "staff_role",
    "employment_type": (EMPLOYMENT_FULL, EMPLOYMENT_PART), "status": STAFF_STATUSES, "grid_type": GRID_TYPES,
    "attendance_status": tuple(ATTENDANCE_LABELS.values()), "passed": ("合格", "不合格"),
    "purpose": HOUSE_USES, "id_type": tuple(label for _code, label, _aliases in ID_TYPES),
}
DATE_FIELDS = {"birth_date", "hired_on", "left_on", "session_date", "effective_date", "change_date", "inflow_date",
               "residence_permit_expires", "document_valid_until"}
NOTES = {"parent_grid": "微网格填所属网格；网格留空", "rooms_let": "出租房填写，整数", "occupancy_limit": "出租房填写，整数",
         "landlord": "出租房必填"}
CODE_COLUMNS["change"] = ("出生", "迁入", "迁出", "死亡", "户间迁移", "类别变更")  # field key → the instruction row's text
TITLES = {"residents": "户籍人口导入模板（每人一行）", "grids": "网格导入模板", "staff": "网格员花名册导入模板",
          "attendance": "培训签到导入模板", "changes": "人口变动导入模板（每项变动一行）",
          "groups": "人群类别导入模板（特殊人群、重点人员、关怀对象，每人每类一行；只填该类别的信息项）",
          "houses": "房屋/出租房导入模板（每处房屋一行）"}
# the group fields (``services.register.group_fields``): dates and choices
for _f in all_group_fields():
    if _f.kind == "date":
        DATE_FIELDS.add("f_" + _f.key)
    elif _f.choices:
        CODE_COLUMNS["f_" + _f.key] = _f.choices if _f.kind == "choice" else ()
        if _f.kind == "multi":
            NOTES["f_" + _f.key] = "可填多项，用“、”分隔：" + "、".join(_f.choices)
DATE_FIELDS.update({"start_date", "end_date"})


@dataclass(frozen=True)
class TemplateColumn:
    key: str
    header: str
    hint: str
    choices: tuple[str, ...] = ()


def _lists(db) -> dict[str, list[str]]:
    """list key → labels, from the database when given, else the seed."""
    labels = {key: [label for _code, label, *_rest in items] for key, (_title, items) in CODE_LISTS.items()}
    if db is None:
        return labels
    from gridadmin.services.common.codes import CodeBook

    with db.session() as session:
        book = CodeBook.load(session)
    for key in labels:
        found = [label for _code, label in book.items(key)]
        if found:
            labels[key] = found
    return labels


def _areas(db) -> tuple[list[str], list[str]]:
    """(community names, grid full names "建设东路社区·第一网格") of the
    database ([] without one): each unique, as the import reads them back."""
    if db is None:
        return [], []
    from gridadmin.services.areas.tree import load_tree

    nodes = load_tree(db, include_inactive=False, counts=False)  # names only
    communities = [n.name for n in nodes if n.level == LEVEL_COMMUNITY]
    grids = list(dict.fromkeys(n.full_name for n in nodes if n.level == LEVEL_GRID))
    return communities, grids


def template_columns(kind: str, db=None) -> list[TemplateColumn]:
    """The columns of ``kind``'s template, in field order."""
    lists = _lists(db)
    communities, grids = _areas(db)
    columns = []
    for spec in (f for f in kind_of(kind).spec.fields if f.own_template):
        choice = CODE_COLUMNS.get(spec.key)
        choices: tuple[str, ...] = ()
        if isinstance(choice, str):
            choices = tuple(lists.get(choice, ()))
        elif choice:
            choices = tuple(choice)
        elif spec.key == "community":
            choices = tuple(communities)
        elif spec.key in ("grid", "parent_grid"):
            choices = tuple(grids)
        # 户号 and 与户主关系: required of 户籍人口 (the template's rows); 流动人口 and others may leave them empty
        hukou_only = kind == "residents" and spec.key in ("household_no", "relation")
        required = spec.required or hukou_only
        parts = ["户籍人口必填（流动人口等可空，填房屋编号或现住地址）"] if hukou_only else (["必填"] if required else [])
        if TEXT_FIELDS.get(spec.key):
            parts.append(TEXT_FIELDS[spec.key])
        elif spec.key in DATE_FIELDS:
            parts.append("如 1990.01.02")
        elif spec.key in NOTES:
            parts.append(NOTES[spec.key])
        elif choices:
            parts.append("下拉选择")
        columns.append(TemplateColumn(spec.key, spec.label + ("*" if required else ""), "，".join(parts),
                                      choices))
    return columns


def _width(column: TemplateColumn) -> float:
    if column.key in WIDTHS:
        return WIDTHS[column.key]
    longest = max([len(column.header), len(column.hint) * 0.9, *(len(c) for c in column.choices[:60])] or [4])
    return min(max(8.0, longest * 2 + 2), 40.0)


def write_template(kind: str, path: str | os.PathLike, db=None) -> None:
    """Write ``kind``'s empty template to ``path`` (see the module docstring)."""
    columns = template_columns(kind, db)
    wb = Workbook()
    ws = wb.active
    ws.title = kind_of(kind).spec.label[:31]
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    last_row = HEADER_ROW + TEMPLATE_ROWS
    ws.cell(1, 1, TITLES.get(kind, kind_of(kind).spec.label) + "（第 2 行为填写说明，从第 4 行起填写，"
            "带 * 的列必填）").font = Font(bold=True, size=13)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    list_column = 0
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        hint = ws.cell(2, index, column.hint or None)
        hint.font = Font(color="808080", size=9)
        hint.alignment = Alignment(wrap_text=True, vertical="top")
        head = ws.cell(HEADER_ROW, index, column.header)
        head.font = Font(bold=True, color="C00000" if column.header.endswith("*") else "000000")
        head.fill = header_fill
        head.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[letter].width = _width(column)
        if column.key in TEXT_FIELDS:
            ws.column_dimensions[letter].number_format = "@"
            for r in range(HEADER_ROW + 1, last_row + 1):
                ws.cell(r, index).number_format = "@"
        if column.choices:
            list_column += 1
            list_letter = get_column_letter(list_column)
            for r, value in enumerate(column.choices, start=1):
                lists.cell(r, list_column, value)
            source = f"{quote_sheetname(LISTS_SHEET)}!${list_letter}$1:${list_letter}${len(column.choices)}"
            validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=False,
                                        showInputMessage=True, promptTitle=column.header.rstrip("*"),
                                        prompt="请从下拉列表中选择")
            validation.add(f"{letter}{HEADER_ROW + 1}:{letter}{SHEET_LAST_ROW}")
            ws.add_data_validation(validation)
    ws.row_dimensions[2].height = 30
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    wb.save(path)
