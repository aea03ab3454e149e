"""Workbooks in the shape of the county platform's import templates (the
public Tianque ones: HOUSEHOLDSTAFF.xls 户籍人口 …), filled with generated
people. Only the shape is copied: a version cell, a title, a long 填写注意事项
cell, a 填报单位 row with each value before its level's label, a blank row,
then a two-row header whose groups (户籍地, 家庭称号, 外出去向) span their
sub-labels — merged in the .xls, blank cells in the .xlsx variant."""

from __future__ import annotations

from pathlib import Path

import openpyxl

# (header, sub-labels or None): the household register template's columns.
HOUSEHOLD_COLUMNS = [
    ("姓名*", None), ("所属网格*", None), ("性别*", None), ("出生日期", None), ("身份证号码*", None),
    (" 户号*", None), ("与户主关系*", None), ("与户主关系备注", None), ("户籍地", ("省*", "市*", "区县*")),
    ("民族*", None), ("政治面貌*", None), ("文化程度*", None), ("婚姻状况*", None), ("人户状态*", None),
    ("是否外出*", None), ("外出原因*", None), ("户籍详址", None), ("曾用名", None), ("联系手机", None),
    ("职业", None), ("家庭称号", ("五好家庭", "平安家庭")), ("外出去向", ("省", "市", "区县")), ("备注", None),
]
NOTES = ("填写注意事项：\n1.表格中带有*的单元格，为必须填入的数据项目，否则将会出现数据导入失败。\n"
         "2.所属网格请填写网格名称。\n3.日期格式为 yyyy-mm-dd。")


def flat_columns(columns=HOUSEHOLD_COLUMNS) -> list[tuple[str, str | None]]:
    """(header, sub-label) per sheet column."""
    out = []
    for header, subs in columns:
        if subs is None:
            out.append((header, None))
        else:
            out.extend((header, sub) for sub in subs)
    return out


def _unit_row(unit: tuple[str, str, str, str, str]) -> list[str]:
    labels = ("省*", "市*", "市/县/区*", "乡镇/街道*", "社区/村*")
    row = ["填报单位："]
    for value, label in zip(unit, labels):
        row += [value, label]
    return row


def _cell_rows(title: str, unit, columns) -> tuple[list[list], list[str], list[str]]:
    flat = flat_columns(columns)
    top = [["1.0", title], ["", NOTES], _unit_row(unit), []]
    header = [h for h, _ in flat]
    sub = [s if s is not None else h for h, s in flat]
    return top, header, sub


def _values(flat, person: dict) -> list:
    return [person.get(f"{h}/{s}" if s is not None else h, "") for h, s in flat]


def write_platform_xls(path: Path, people: list[dict], *, title="户籍人口信息登记表",
                       unit=("浙江省", "嘉兴市", "嘉善县", "某某镇", "河街社区"), columns=HOUSEHOLD_COLUMNS,
                       sheet_name: str | None = None) -> Path:
    """The template as the platform ships it (.xls, merged group headers and
    vertically merged plain headers). ``people``: header (or "header/sub")
    → value."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(sheet_name or title.replace("信息", ""))
    flat = flat_columns(columns)
    top, header, sub = _cell_rows(title, unit, columns)
    for r, row in enumerate(top):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    h = len(top)
    c = 0
    two_rows = any(subs is not None for _name, subs in columns)
    for name, subs in columns:
        if subs is None and not two_rows:  # a one-row header (the 房屋 templates)
            sheet.write(h, c, name)
            c += 1
        elif subs is None:
            sheet.write_merge(h, h + 1, c, c, name)
            c += 1
        else:
            sheet.write_merge(h, h, c, c + len(subs) - 1, name)
            for i, label in enumerate(subs):
                sheet.write(h + 1, c + i, label)
            c += len(subs)
    for r, person in enumerate(people, start=h + (2 if two_rows else 1)):
        for c, value in enumerate(_values(flat, person)):
            if value != "":
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_platform_xlsx(path: Path, people: list[dict], *, title="户籍人口信息登记表",
                        unit=("浙江省", "嘉兴市", "嘉善县", "某某镇", "河街社区"), columns=HOUSEHOLD_COLUMNS) -> Path:
    """The same shape saved as .xlsx without merges: a group header is
    followed by blank cells, plain headers are blank on the sub-label row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    flat = flat_columns(columns)
    top, header, sub = _cell_rows(title, unit, columns)
    for row in top:
        ws.append(row)
    seen, first_row = set(), []
    for h, s in flat:
        first_row.append(h if h not in seen else None)
        seen.add(h)
    ws.append(first_row)
    ws.append([s for _, s in flat])
    for person in people:
        ws.append([v if v != "" else None for v in _values(flat, person)])
    wb.save(path)
    return path

GRIDTEAM_COLUMNS = [("姓名*", None), ("所属网格", None), ("身份证号码*", None), ("性别*", None), ("出生年月*", None),
                    ("联系电话", None), ("专兼职情况*", None), ("政治面貌*", None), ("文化程度*", None),
                    ("登记时间*", None), ("备注", None)]


def write_gridteam_xls(path: Path, people: list[dict], *, unit=("浙江省", "嘉兴市", "嘉善县", "某某镇", "河街社区")) -> Path:
    """The platform's 网格员 template (one header row) as .xls."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("网格员")
    top, header, _sub = _cell_rows("网格员信息登记表", unit, GRIDTEAM_COLUMNS)
    for r, row in enumerate([*top, header]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    for r, person in enumerate(people, start=len(top) + 1):
        for c, (name, _) in enumerate(GRIDTEAM_COLUMNS):
            if person.get(name, "") != "":
                sheet.write(r, c, person[name])
    book.save(str(path))
    return path


# The 流动人口 template: no 户号 or 与户主关系; 户籍地 and 流入来源 over 省/市/区县.
FLOATING_COLUMNS = [
    ("姓名*", None), ("所属网格*", None), ("性别*", None), ("出生日期", None), ("身份证号码*", None),
    (" 流入原因*", None), ("流入时间*", None), ("户籍地", ("省*", "市*", "区县*")), ("民族*", None),
    ("政治面貌*", None), ("文化程度*", None), ("婚姻状况*", None), ("预计到期日期*", None), ("暂住处所*", None),
    ("户籍详细地址", None), ("临时居所", None), ("曾用名", None), ("工作单位或就读学校", None), ("联系电话", None),
    ("联系手机", None), ("电子邮件", None), ("职业", None), ("血型", None), ("宗教信仰", None), ("身高(CM)", None),
    ("流入来源", ("省", "市", "区县")), ("登记证情况", None), ("登记证编号", None), ("登记日期", None),
    ("经济来源", None), ("已居住时限", None), ("预居住时限", None), ("是否有婚育证明", None), ("备注", None),
]
# The 未落户人口 template: 原户籍地 over 省/市/区县, an optional 身份证号码.
UNSETTLED_COLUMNS = [
    ("姓名*", None), ("所属网格*", None), ("性别*", None), ("民族*", None), ("政治面貌*", None), ("文化程度*", None),
    ("婚姻状况*", None), ("出生日期", None), ("身份证号码", None), (" 持证种类", None), ("持证编号", None),
    ("未落户时间", None), ("未落户原因", None), ("原户籍地", ("省", "市", "区县")), ("户籍详址", None),
    ("临时居所", None), ("曾用名", None), ("工作单位或就读学校", None), ("联系电话", None), ("联系手机", None),
    ("电子邮箱", None), ("职业", None), ("血型", None), ("宗教信仰", None), ("身高(CM)", None), ("备注", None),
]
# The 境外人员 template: one header row, no address.
OVERSEAS_COLUMNS = [
    ("英文名*", None), ("所属网格*", None), ("性别*", None), ("*证件种类", None), ("证件号码*", None),
    ("出生日期", None), ("中文名", None), ("流入原因", None), ("国籍", None), ("邮箱", None),
    ("工作单位或就读学校", None), ("职业", None), ("固定电话", None), ("联系手机", None), ("证件有效期开始时间", None),
    ("证件有效期结束时间", None), ("抵达时间", None), ("离开时间", None), ("备注", None),
]
_HOUSE_DETAILS = [
    ("房屋编号", None), ("房产证地址", None), ("建筑物名称", None), ("建筑物用途", None), ("物业管理单位名称", None),
    ("代表人/业主", None), ("业主身份证号码", None), ("业主联系电话", None), ("房屋户型", None), ("建成年份", None),
]
# The 实有房屋 template: one header row; 是否为出租房 says which rows are 出租房.
ACTUAL_HOUSE_COLUMNS = [
    ("所属网格*", None), ("房屋准确地址*", None), ("是否为出租房*", None), ("*出租人\n(出租房时有效)", None),
    ("*隐患程度\n(出租房时有效)", None), ("出租房类别*\n（出租房选择“是”时必填）", None), *_HOUSE_DETAILS,
    ("本户建筑面积(㎡)", None), ("房屋结构", None), ("房屋用途", None), ("房屋来源", None), ("产权人姓名", None),
    ("产权人联系手机", None), ("出租房用途", None), ("出租人联系电话", None), ("出租间数", None), ("限住人数", None),
    ("月租金(RMB)", None), ("隐患情况", None), ("备注", None),
]
# The 出租房 template: its title says every row is a 出租房.
RENTAL_HOUSE_COLUMNS = [
    ("所属网格*", None), ("房屋准确地址*", None), ("*房主姓名", None), ("*隐患程度", None), ("出租房类别*", None),
    *_HOUSE_DETAILS, ("本户建筑面积", None), ("房屋结构", None), ("房屋用途", None), ("出租房用途", None),
    ("出租人联系电话", None), ("出租间数", None), ("限住人数", None), ("月租金", None), ("隐患情况", None),
    ("备注", None),
]

# The 特殊人群 templates: 社区矫正 (籍贯 over 省/市/县) and 刑释解教 (户籍地* over 省/市/县).
RECTIFICATIVE_COLUMNS = [
    ("姓名*", None), ("所属网格*", None), ("性别*", None), ("出生日期", None), ("身份证号码*", None),
    ("社区矫正开始时间*", None), ("社区矫正结束时间*", None), ("原判刑期", None), ("刑法执行类别*", None),
    ("籍贯", ("省*", "市*", "县*")), ("户籍详细地址", None), ("现住地址*", None), ("其他地址", None), ("曾用名", None),
    ("联系电话", None), ("民族*", None), ("政治面貌*", None), ("文化程度*", None), ("婚姻状况*", None),
    ("近况描述", None), ("备注", None),
]
POSITIVE_COLUMNS = [
    ("姓名*", None), ("所属网格*", None), ("性别*", None), ("出生日期", None), ("身份证号码*", None),
    ("人员类型*", None), ("解教(刑释)日期*", None), ("原罪名/原罪错*", None), ("原判刑期*", None),
    ("服刑(劳改)场所*", None), ("户籍地*", ("省*", "市*", "县*")), ("关注程度", None), ("户籍详细地址", None),
    ("现住地址*", None), ("联系电话", None), ("民族*", None), ("政治面貌*", None), ("文化程度*", None),
    ("婚姻状况*", None), ("是否累犯", None), ("安置日期", None), ("未安置原因", None), ("备注", None),
]
# The 残疾人 template (a 关怀对象 kind): 残疾类型, 残疾等级 and a 监护人 GridAdmin keeps only for 严重精神障碍.
HANDICAPPED_COLUMNS = [
    ("姓名*", None), ("所属网格*", None), ("性别*", None), ("出生日期", None), ("身份证号码*", None),
    ("残疾原因*", None), ("残疾类型*", None), ("户籍地", ("省*", "市*", "区县*")), ("关注程度", None),
    ("现住地址*", None), ("联系电话", None), ("残疾时间", None), ("残疾等级", None), ("是否持有残疾证", None),
    ("残疾证号", None), ("监护人", None), ("备注", None),
]
