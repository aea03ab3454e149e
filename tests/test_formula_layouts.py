"""Formula cells in identifier and text columns are refused in the wide
household layout and in the two-group sign-in sheet as in the ordinary
layouts: the formula shown, the Excel row and the file's own column named.
The files are written by openpyxl (formulas without a result) and given the
cached result a program writing them would leave — a plausible name or
XlsxWriter's placeholder 0 — which is what the reader would otherwise
import."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date

from gridadmin.services.importing import plan_import
from tests.test_import_signin_two_groups import crowd, two_groups  # noqa: F401  (fixture)
from tests.test_import_support import pid
from tests.test_import_wide import TODAY, grid_db, wide_book  # noqa: F401  (fixture)
from tests import staffdata


def cache_results(path, results: dict[str, str]):
    """Give the formula cells ``results`` (cell → cached text) in the .xlsx
    at ``path``, as Excel or XlsxWriter would have saved them."""
    tmp = path.with_suffix(".tmp")
    shutil.move(path, tmp)
    with zipfile.ZipFile(tmp) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode()
                for ref, value in results.items():
                    text, n = re.subn(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>',
                                      lambda m: f'<c r="{ref}"{m[1]} t="str"><f>{m[2]}</f><v>{value}</v>', text)
                    assert n == 1, ref
                data = text.encode()
            out.writestr(item, data)
    tmp.unlink()
    return path


def test_wide_layout_refuses_formulas_in_member_and_household_text_columns(grid_db, tmp_path):  # noqa: F811
    rows = [[1.0, "河街社区", "一网格", '="H"&"1"', "河街1号", "李云", pid(date(1980, 1, 2), 11),
             '=CONCATENATE("王","芳")', pid(date(1981, 3, 4), 22), "妻", "李小云", "=G3&\"\"", "子"],
            ["=ROW()-2", None, None, "H2", "河街2号", "张三", pid(date(1960, 5, 6), 35), "赵敏",
             pid(date(1962, 7, 8), 44), "配偶", None, None, None]]
    path = cache_results(wide_book(tmp_path / "wide.xlsx", rows),
                         {"D3": "H1", "H3": "王芳", "L3": "0", "A4": "2"})
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    messages = {(e.row, e.column): e.message for e in plan.errors}
    assert "公式（=CONCATENATE(\"王\",\"芳\")）" in messages[(3, "成员1姓名")]
    assert "公式（=G3&\"\"）" in messages[(3, "成员2身份证号")] and "选择性粘贴" in messages[(3, "成员2身份证号")]
    assert "公式（=\"H\"&\"1\"）" in messages[(3, "户号")]
    assert {r.status for r in plan.rows[:3]} == {"error"}  # the household is refused whole
    # 序号 is a number: its formula's result is fine; the second household imports
    assert [r.status for r in plan.rows[3:]] == ["new", "new"] and not [e for e in plan.errors if e.row == 4]


def test_two_group_signin_sheet_refuses_formulas_in_names_and_phones(township_db, crowd, tmp_path):  # noqa: F811
    attendees = ["李云", {"姓名": "王芳", "联系电话": "=\"139\"&\"00000022\""},
                 {"姓名": '=CONCATENATE("刘","洋")'}, "陈静"]
    # left group: 李云 (row 5), 王芳 (row 6); right group: 刘洋 (row 5), 陈静 (row 6)
    path = cache_results(two_groups(tmp_path / "签到.xlsx", attendees), {"D6": "0", "F5": "刘洋"})
    plan = plan_import(township_db, path, "attendance", today=staffdata.TODAY)
    messages = {(e.row, e.column): e.message for e in plan.errors}
    assert set(messages) == {(6, "联系电话（D列）"), (5, "姓名（F列）")}, messages
    assert "公式（=\"139\"&\"00000022\"）" in messages[(6, "联系电话（D列）")]
    assert "公式（=CONCATENATE(\"刘\",\"洋\")）" in messages[(5, "姓名（F列）")]
    assert sorted((r.row, r.record.get("name"), r.status) for r in plan.rows if r.status != "error") == \
        [(5, "李云", "new"), (6, "陈静", "new")]
