"""The ``changes`` import kind (人口变动): each row a dated event, never a
deletion; dry run, errors naming row/column/value, template, undo, the
command line; the monthly report counts each change in the month it
happened."""

from __future__ import annotations

import json
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from gridadmin.cli import main
from gridadmin.models import AuditLog, Household, Person, PersonEvent
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.template import write_template
from gridadmin.services.importing.undo import undo_batch
from gridadmin.services.reports.monthly_figures import monthly_figures
from tests.test_import_support import person, pid, write_workbook

TODAY = date(2025, 6, 1)
HEADERS = ["序号", "公民身份号码", "姓名", "变动类型", "变动日期", "去向/来源", "新户号", "与户主关系", "新类别"]
BABY = (date(2025, 4, 20), 71)
NEWCOMER = (date(1995, 8, 1), 73)


@pytest.fixture
def register(township_db, tmp_path):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11), person("H1", "妻", "王芳", date(1981, 3, 4), 22),
            person("H1", "子", "李小云", date(2010, 5, 6), 33), person("H2", "户主", "张三", date(1940, 5, 6), 35),
            person("H3", "户主", "赵四", date(1970, 7, 8), 45)]
    result = run_to_end(import_job(township_db, write_workbook(tmp_path / "base.xlsx", rows), "residents",
                                   today=TODAY, effective_date=date(2025, 1, 10)))
    assert result.committed
    return township_db


def changes_file(path, rows, headers=HEADERS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2025年4月人口变动表"])
    ws.append(headers)
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    wb.save(path)
    return path


MONTHLY = [
    (pid(*BABY), "李小宝", "出生", "2025-04-20", None, "H1", "子", None),
    (pid(*NEWCOMER), "钱七", "迁入", "2025-04-02", "河南省郑州市", "H3", "妻", None),
    (pid(date(1981, 3, 4), 22), "王芳", "类别变更", "2025-04-05", None, None, None, "流动人口"),
    (pid(date(2010, 5, 6), 33), "李小云", "户间迁移", "2025-04-10", None, "H3", "子", None),
    (pid(date(1940, 5, 6), 35), "张三", "死亡", "2025-04-28", None, None, None, None),
]


def _get(db, name):
    with db.session() as s:
        return s.scalar(select(Person).where(Person.name == name))


def test_a_monthly_list_becomes_dated_events(register, tmp_path):
    path = changes_file(tmp_path / "变动.xlsx", MONTHLY)
    plan = plan_import(register, path, "changes", today=TODAY)
    assert [r.status for r in plan.rows] == ["new", "new", "update", "update", "update"], plan.errors
    assert plan.rows[3].changes == {"change": ("户间迁移", "户号 H1", "户号 H3（2025-04-10）")}
    assert plan.rows[4].changes == {"change": ("死亡", "在册", "死亡（2025-04-28）")}
    with register.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 5  # the dry run wrote nothing
    result = run_to_end(import_job(register, path, "changes", today=TODAY))
    assert result.committed and result.to_dict()["inserted"] == 2 and result.to_dict()["updated"] == 3
    baby, qian, wang, li, zhang = (_get(register, n) for n in ("李小宝", "钱七", "王芳", "李小云", "张三"))
    assert (baby.registered_on, baby.gender, baby.birth_date, baby.relation) == (BABY[0], "1", BABY[0], "20")
    assert qian.registered_on == date(2025, 4, 2) and wang.category == "3"
    assert zhang.status == "死亡" and zhang.died_on == date(2025, 4, 28)
    with register.session() as s:
        h3 = s.scalar(select(Household).where(Household.household_no == "H3"))
        assert li.household_id == h3.id
        h2 = s.scalar(select(Household).where(Household.household_no == "H2"))
        assert h2.dissolved_on == date(2025, 4, 28)  # its last member died: dissolved that day, never deleted
        events = {(e.kind, e.event_date) for e in s.scalars(select(PersonEvent).where(
            PersonEvent.note == f"导入批次 {result.batch_id}"))}
        assert events == {("出生", BABY[0]), ("迁入", date(2025, 4, 2)), ("类别变更", date(2025, 4, 5)),
                          ("户间迁移", date(2025, 4, 10)), ("死亡", date(2025, 4, 28))}
        category = s.scalar(select(PersonEvent).where(PersonEvent.kind == "类别变更"))
        assert (category.old_value, category.new_value, category.entered_by) == ("1", "3", "system")
    # the report counts each change in April, the month it happened, although entered on 1 June
    april = monthly_figures(register, 2025, 4)
    assert (april.total.residents.previous, april.total.residents.increase, april.total.residents.decrease,
            april.total.residents.current) == (5, 2, 1, 6)
    may = monthly_figures(register, 2025, 5)
    assert (may.total.residents.increase, may.total.residents.decrease) == (0, 0)


def test_undo_puts_the_register_back(register, tmp_path):
    result = run_to_end(import_job(register, changes_file(tmp_path / "a.xlsx", MONTHLY), "changes", today=TODAY))
    undo_batch(register, result.batch_id)
    assert _get(register, "李小宝") is None and _get(register, "钱七") is None
    zhang, li, wang = _get(register, "张三"), _get(register, "李小云"), _get(register, "王芳")
    assert (zhang.status, zhang.died_on, wang.category) == ("在册", None, "1")
    with register.session() as s:
        h1 = s.scalar(select(Household.id).where(Household.household_no == "H1"))
        assert li.household_id == h1
        assert s.scalar(select(Household.dissolved_on).where(Household.household_no == "H2")) is None
        assert s.scalar(select(func.count()).select_from(PersonEvent).where(
            PersonEvent.note == f"导入批次 {result.batch_id}")) == 0


def test_bad_rows_name_row_column_and_value(register, tmp_path):
    rows = [
        ("411302199001010000", "无名", "迁出", "2025-04-01", "北京", None, None, None),  # invalid ID
        (pid(date(1999, 9, 9), 91), "孙八", "迁出", "2025-04-01", "北京", None, None, None),  # not registered
        (pid(date(1980, 1, 2), 11), "周桂英", "迁出", "2025-04-01", "北京", None, None, None),  # 李云's number
        (pid(date(1970, 7, 8), 45), "赵四", "迁出", "2025-07-01", "北京", None, None, None),  # future
        (pid(date(1981, 3, 4), 22), "王芳", "迁出", "1975-01-01", "北京", None, None, None),  # before birth
        (pid(date(2010, 5, 6), 33), "李小云", "结婚", "2025-04-01", None, None, None, None),  # unknown kind
        (pid(date(1940, 5, 6), 35), "张三", "迁出", "2025-04-01", None, None, None, None),  # no destination
    ]
    plan = plan_import(register, changes_file(tmp_path / "bad.xlsx", rows), "changes", today=TODAY)
    by_row = {e.row: e for e in plan.errors}
    assert [r.status for r in plan.rows] == ["error"] * 7
    assert by_row[3].column == "公民身份号码"
    assert by_row[4].column == "公民身份号码" and "第 4 行" in by_row[4].message and "未登记" in by_row[4].message
    assert by_row[5].column == "姓名" and "李云" in by_row[5].message and "周桂英" in by_row[5].message
    assert (by_row[6].column, by_row[6].value) == ("变动日期", "2025-07-01") and "晚于今天" in by_row[6].message
    assert (by_row[7].column, by_row[7].value) == ("变动日期", "1975-01-01") and "出生日期" in by_row[7].message
    assert by_row[8].column == "变动类型" and "结婚" in by_row[8].message
    assert by_row[9].column == "去向/来源"


def test_changes_on_people_no_longer_registered_are_refused(register, tmp_path):
    first = [(pid(date(1940, 5, 6), 35), "张三", "死亡", "2025-04-28", None, None, None, None)]
    run_to_end(import_job(register, changes_file(tmp_path / "a.xlsx", first), "changes", today=TODAY))
    rows = [(pid(date(1940, 5, 6), 35), "张三", "迁出", "2025-05-02", "北京", None, None, None),
            (pid(date(1980, 1, 2), 11), "李云", "迁出", "2025-05-02", "北京", None, None, None)]  # the head, with 2
    plan = plan_import(register, changes_file(tmp_path / "b.xlsx", rows), "changes", today=TODAY)
    assert plan.errors[0].row == 3 and "晚于“张三”的死亡日期 2025-04-28" in plan.errors[0].message
    assert "是户主" in plan.errors[1].message and plan.errors[1].row == 4
    earlier = [(pid(date(1940, 5, 6), 35), "张三", "迁出", "2025-04-20", "北京", None, None, None)]
    plan = plan_import(register, changes_file(tmp_path / "b2.xlsx", earlier), "changes", today=TODAY)
    assert "“张三”已于 2025-04-28 死亡，不能再登记变动" in plan.errors[0].message
    # a birth dated other than the ID number's birth date; a move into a household that does not exist
    rows = [(pid(*BABY), "李小宝", "出生", "2025-04-25", None, "H1", "子", None),
            (pid(*NEWCOMER), "钱七", "迁入", "2025-04-02", "郑州", "H99", "妻", None)]
    plan = plan_import(register, changes_file(tmp_path / "c.xlsx", rows), "changes", today=TODAY)
    assert plan.errors[0].column == "变动日期" and "2025-04-20" in plan.errors[0].message
    assert plan.errors[1].column == "新户号" and plan.errors[1].value == "H99"


def test_rows_without_a_date_take_the_import_effective_date(register, tmp_path):
    rows = [(pid(date(1970, 7, 8), 45), "赵四", "迁出", None, "北京", None, None, None)]
    path = changes_file(tmp_path / "a.xlsx", rows)
    plan = plan_import(register, path, "changes", today=TODAY, effective_date=date(2025, 3, 15))
    assert plan.rows[0].changes["change"] == ("迁出", "户号 H3", "迁往 北京（2025-03-15）")
    plan = plan_import(register, path, "changes", today=TODAY, effective_date=date(2024, 12, 1))
    assert plan.errors[0].column == "" and "本次导入的生效日期" in plan.errors[0].message \
        and "登记日期 2025-01-10" in plan.errors[0].message


def test_template_lists_the_columns(tmp_path):
    out = tmp_path / "t.xlsx"
    write_template("changes", out)
    ws = openpyxl.load_workbook(out).active
    headers = [c.value for c in ws[3]]
    assert headers[:5] == ["序号", "公民身份号码*", "姓名*", "变动类型*", "变动日期"]
    assert "新户号" in headers and "新类别" in headers


def test_command_line_imports_changes_with_an_effective_date(township_db, tmp_path, cli_login):
    login = cli_login(township_db)
    today = date.today()
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    base = write_workbook(tmp_path / "base.xlsx", [person("H1", "户主", "李云", date(1980, 1, 2), 11),
                                                  person("H1", "妻", "王芳", date(1981, 3, 4), 22)])
    day = today - timedelta(days=40)
    assert main(["import", "--db", township_db.url, "--kind", "residents", str(base), "--effective-date",
                 day.isoformat(), *login]) == 0
    with township_db.session() as s:
        assert set(s.scalars(select(Person.registered_on))) == {day}
    moved = changes_file(tmp_path / "c.xlsx", [(pid(date(1981, 3, 4), 22), "王芳", "迁出", None, "北京",
                                                None, None, None)])
    out_day = today - timedelta(days=3)
    assert main(["import", "--db", township_db.url, "--kind", "changes", str(moved), "--effective-date",
                 out_day.isoformat(), *login]) == 0
    with township_db.session() as s:
        assert s.scalar(select(Person.moved_out_on).where(Person.name == "王芳")) == out_day
        who = "system" if login == ["--as-system"] else login[login.index("--user") + 1]
        assert s.scalar(select(AuditLog.username).where(AuditLog.summary.like("导入迁出%"))) == who


def test_command_line_refuses_a_future_effective_date(township_db, tmp_path, capsys, cli_login):
    path = changes_file(tmp_path / "c.xlsx", [(pid(date(1981, 3, 4), 22), "王芳", "迁出", None, "北京",
                                               None, None, None)])
    future = (date.today() + timedelta(days=2)).isoformat()
    assert main(["import", "--db", township_db.url, "--kind", "changes", str(path), "--effective-date",
                 future, "--json", *cli_login(township_db)]) == 1
    assert "晚于今天" in capsys.readouterr().err


def test_changes_through_the_wizard_with_its_effective_date(qtbot, register, tmp_path, monkeypatch):
    from PySide6.QtCore import QDate, Qt

    from gridadmin.ui.importing.preview_model import changes_text
    from gridadmin.ui.importing.wizard import STEP_RESULT
    from tests.test_import_page import _page, _to_preview

    rows = [(pid(date(1970, 7, 8), 45), "赵四", "迁出", None, "北京市", None, None, None)]
    path = changes_file(tmp_path / "变动.xlsx", rows)
    page = _page(qtbot, register)
    wizard = page.wizard
    wizard.file_step.kind_buttons["changes"].click()
    assert wizard.file_step.kind_buttons["changes"].text() == "人口变动"
    assert wizard.file_step.effective_day.isVisibleTo(wizard.file_step)
    wizard.file_step.effective_day.setDate(QDate(2025, 5, 31))
    _to_preview(qtbot, page, monkeypatch, path)
    assert changes_text(wizard.plan.rows[0]) == "迁出：户号 H3 → 迁往 北京市（2025-05-31）"
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT
    assert _get(register, "赵四").moved_out_on == date(2025, 5, 31)
    wizard.file_step.kind_buttons["staff"].click()  # not a register kind: no effective date asked
    assert not wizard.file_step.effective_day.isVisibleTo(wizard.file_step)


def test_a_refused_row_leaves_the_households_for_the_next_rows_as_they_were(register, tmp_path):
    rows = [(pid(date(2010, 5, 6), 33), "李小云", "户间迁移", "2025-07-01", None, "H2", "子", None),  # future
            (pid(date(1940, 5, 6), 35), "张三", "死亡", "2025-04-28", None, None, None, None)]  # H2's only member
    plan = plan_import(register, changes_file(tmp_path / "a.xlsx", rows), "changes", today=TODAY)
    assert [r.status for r in plan.rows] == ["error", "update"]
    rows = [(pid(date(2010, 5, 6), 33), "李小云", "户间迁移", "2025-04-01", None, "H2", "子", None),
            (pid(date(1940, 5, 6), 35), "张三", "死亡", "2025-04-28", None, None, None, None)]
    plan = plan_import(register, changes_file(tmp_path / "b.xlsx", rows), "changes", today=TODAY)
    assert [r.status for r in plan.rows] == ["update", "error"]  # now the head would leave 李小云 behind
    assert "是户主，本户还有 1 位成员" in plan.rows[1].errors[0].message
