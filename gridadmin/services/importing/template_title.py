"""What a platform template's title says about every row.

The county platform has one template per kind of people or house, and no
column for what its title already says: the 流动人口 template
("流动人口信息登记表") has no 人口类别 column, the 出租房 template
("出租房信息登记表") no 是否出租房. ``apply_title_column`` gives such a
sheet the column its title implies, headed "人口类别（表名）",
"是否出租房（表名）" or (a 特殊人群 template) "人群类别（表名）", so each row
is read (and checked) as if the file had said it; a note in the preview
tells the clerk. Only a 登记表 title counts (GridAdmin's own "房屋/出租房导入
模板" implies nothing); a file with its own column for it keeps it; a title
naming two categories implies nothing.
"""

from __future__ import annotations

import re

from dataclasses import replace

from gridadmin.services.importing.filing_unit import add_column
from gridadmin.services.importing.headers import find_header_row
from gridadmin.services.importing.mapping import KindSpec, map_columns
from gridadmin.services.importing.reading import SheetData

# kind → (field, the added column's header, (word in the title, the value it means) …)
TITLE_RULES = {
    "residents": ("category", "人口类别（表名）", (("户籍人口", "户籍人口"), ("流动人口", "流动人口"),
                                                 ("境外人员", "境外人员"), ("未落户人口", "未落户人口"))),
    # 特殊人群 templates (矫正人员信息登记表 …): the kind by a name ``groups`` reads (short forms)
    "groups": ("kind", "人群类别（表名）", (("矫正人员", "社区矫正"), ("社区矫正", "社区矫正"), ("刑释解教", "刑满释放"),
                                        ("刑满释放", "刑满释放"), ("精神病", "严重精神障碍"), ("精神障碍", "严重精神障碍"),
                                        ("吸毒", "吸毒"), ("重点青少年", "重点青少年"), ("艾滋病", "艾滋病危险"),
                                        ("残疾人", "残疾人"))),
    "houses": ("is_rental", "是否出租房（表名）", (("出租房", "是"), ("出租屋", "是"), ("出租房屋", "是"))),
}
TITLE_MAX = 30  # a longer cell is a note, not a title


def title_of(rows: list[list], header_index: int) -> str:
    """The title: the short texts of the first row above the header that
    has any (the version cell 1.0 is not text), joined; a longer cell is a
    note (填写注意事项 …), the 填报单位 block no title."""
    for row in rows[:header_index]:
        cells = [" ".join(str(cell).split()) if cell is not None else "" for cell in row]
        if any(c.startswith(_UNIT_LABELS) for c in cells):
            return ""  # the 填报单位 block (see ``filing_unit``) comes after the title
        texts = list(dict.fromkeys(c for c in cells if c and not c.replace(".", "").isdigit()))
        if texts:
            return " ".join(t for t in texts if len(t) <= TITLE_MAX and not t.startswith("填写"))
    return ""


_UNIT_LABELS = ("填报单位", "填表单位", "报送单位")


def title_value(spec: KindSpec, title: str) -> str | None:
    """The value the title implies for the kind's rule, or None."""
    rule = TITLE_RULES.get(spec.key)
    if rule is None:
        return None
    values = {value for word, value in rule[2] if re.search(re.escape(word) + ".*登记表", title)}
    return values.pop() if len(values) == 1 else None


def apply_title_column(spec: KindSpec, sheet: SheetData) -> SheetData:
    """``sheet`` with the column its title implies (see the module), or the
    sheet itself."""
    rule = TITLE_RULES.get(spec.key)
    if rule is None or sheet.layout is not None:
        return sheet
    index = find_header_row(spec, sheet.rows)
    if index is None or index == 0:
        return sheet
    key, header, _words = rule
    value = title_value(spec, title_of(sheet.rows, index))
    if value is None or key in map_columns(spec, sheet.rows[index]).columns:
        return sheet
    label = spec.field(key).label
    note = f"文件没有“{label}”列，表名为“{title_of(sheet.rows, index)}”：各行的{label}按“{value}”导入"
    return replace(add_column(sheet, index, header, value), notes=[*sheet.notes, note])
