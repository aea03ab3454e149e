"""The fields per group kind (矫正起止日期, 安置帮教期满, 监护人, 残疾类别/等级,
管控等级): entered through the service the form uses, imported and
exported (``groups`` kind), refused with field/row/column and value, as
sensitive as their kind; the day a membership is due to end follows from
them (and from the age for 重点青少年) and past it nothing counts it."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from gridadmin.models import Person, PersonTag
from gridadmin.services.access.permissions import Actor
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.export import export_kind
from gridadmin.services.importing.template import write_template
from gridadmin.services.importing.undo import undo_batch
from gridadmin.services.register.special_groups import special_group_counts
from gridadmin.services.register.tags import person_tags, set_person_tags
from tests.test_import_changes import TODAY, register  # noqa: F401
from tests.test_import_support import pid

OFFICIAL = Actor(None, "lead", "领导", frozenset({"official"}))
LI = pid(date(1980, 1, 2), 11)  # 李云
WANG = pid(date(1981, 3, 4), 22)  # 王芳
SON = pid(date(2010, 5, 6), 33)  # 李小云
ZHANG = pid(date(1940, 5, 6), 35)  # 张三


def _id(db, name):
    with db.session() as s:
        return s.scalar(select(Person.id).where(Person.name == name))


def _kind(db, code):
    from gridadmin.models import TagKind

    with db.session() as s:
        return s.scalar(select(TagKind.id).where(TagKind.code == code))


def _held(db, name, day=TODAY):
    return {t.code: t for t in person_tags(db, _id(db, name), day)}


def test_fields_are_checked_kept_and_set_the_due_end(register):  # noqa: F811
    db = register
    li, corrections = _id(db, "李云"), _kind(db, "corrections")
    set_person_tags(db, li, {corrections}, date(2025, 2, 1), today=TODAY, details={corrections: {
        "矫正开始日期": "2025.2.1", "矫正期满日期": "2025-05-31", "矫正类别": "缓刑", "管控等级": "严管"}})
    held = _held(db, "李云")["corrections"]
    assert dict(held.details) == {"correction_start": "2025-02-01", "correction_end": "2025-05-31",
                                  "correction_type": "缓刑", "control_level": "严管"}
    assert held.due_end == date(2025, 5, 31)
    # not counted from 矫正期满 on, although nobody has confirmed the end yet
    before = {r.name: r.total for r in special_group_counts(db, date(2025, 5, 30), today=TODAY).rows}
    after = {r.name: r.total for r in special_group_counts(db, date(2025, 5, 31), today=TODAY).rows}
    assert before["社区矫正人员（敏感）"] == 1 and after["社区矫正人员（敏感）"] == 0
    assert "corrections" in _held(db, "李云", date(2025, 6, 1))  # still recorded: a person confirms the end

    bad = [({"矫正开始日期": "2025-02-01", "矫正期满日期": "2024-12-31"},
            "矫正期满日期 2024-12-31 早于矫正开始日期 2025-02-01", "矫正期满日期"),
           ({"矫正类别": "劳教"}, "矫正类别“劳教”无效，应为 管制、缓刑、假释、暂予监外执行 之一", "矫正类别"),
           ({"矫正期满日期": "2025-13-01"}, "矫正期满日期“2025-13-01”不是有效日期", "矫正期满日期")]
    for values, message, field in bad:
        with pytest.raises(ValidationError, match=message) as caught:
            set_person_tags(db, li, {corrections}, date(2025, 2, 1), today=TODAY, details={corrections: values})
        assert caught.value.field == field
    assert dict(_held(db, "李云")["corrections"].details)["correction_type"] == "缓刑"  # unchanged

    disabled, mental = _kind(db, "disabled"), _kind(db, "mental")
    wang = _id(db, "王芳")
    with pytest.raises(ValidationError, match="残疾等级“5”无效") as caught:
        set_person_tags(db, wang, {disabled}, today=TODAY, details={disabled: {"残疾等级": "5"}})
    assert (caught.value.field, caught.value.value) == ("残疾等级", "5")
    set_person_tags(db, wang, {disabled}, today=TODAY, details={disabled: {"残疾类别": ["肢体残疾", "视力残疾"],
                                                                           "残疾等级": "2"}})
    assert dict(_held(db, "王芳")["disabled"].details) == {"disability_types": "视力残疾、肢体残疾",
                                                           "disability_grade": "二级"}
    for guardian in ({"监护人": "王芳"}, {"监护人": "王大芳", "监护人身份证号": WANG}):
        with pytest.raises(ValidationError, match="是本人，监护人须为他人"):
            set_person_tags(db, wang, {disabled, mental}, today=TODAY, details={mental: guardian})
    assert "mental" not in _held(db, "王芳")  # nothing saved
    set_person_tags(db, wang, {disabled, mental}, today=TODAY, details={mental: {
        "监护人": "李云", "监护人电话": "138 0013 8000", "危险性评估等级": "3"}})
    assert dict(_held(db, "王芳")["mental"].details)["risk_level"] == "3级"

    # the fields are as sensitive as the kind: an official sees the 残疾人 fields, not the others
    official = db.as_actor(OFFICIAL)
    assert set(_held(official, "王芳")) == {"disabled"}


def test_a_youth_membership_is_due_to_end_at_35(register):  # noqa: F811
    db = register
    youth = _kind(db, "youth")
    set_person_tags(db, _id(db, "李小云"), {youth}, date(2025, 1, 10), today=TODAY)
    assert _held(db, "李小云")["youth"].due_end == date(2045, 5, 6)


def groups_file(path, rows, headers=("序号", "公民身份号码", "姓名", "人群类别", "开始日期", "矫正开始日期",
                                     "矫正期满日期", "矫正类别", "管控等级", "残疾等级", "监护人")):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["人群类别名单"])
    ws.append(list(headers))
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    wb.save(path)
    return path


def test_import_refuses_bad_fields_with_row_column_and_value(register, tmp_path):  # noqa: F811
    db = register
    path = groups_file(tmp_path / "g.xlsx", [
        (LI, "李云", "社区矫正人员", "2025-02-01", "2025-02-01", "2026-01-31", "缓刑", "严管", None, None),
        (WANG, "王芳", "残疾人", "2025-02-01", None, None, None, None, "5", None),
        (ZHANG, "张三", "严重精神障碍", "2025-02-01", None, None, None, None, None, "张三"),
        (SON, "李小云", "社区矫正", "2025-02-01", "2025-03-01", "2025-01-01", None, None, None, None),
        (SON, "李小云", "高龄老人", None, None, None, None, None, None, None),
        (SON, "李小云", "独居老人", None, None, None, "假释", None, None, None),
        (SON, "李小云", "外星人", None, None, None, None, None, None, None),
    ])
    plan = plan_import(db, path, "groups", today=TODAY)
    issues = {(e.row, e.column, e.value): e.message for e in plan.errors}
    assert plan.rows[0].status == "new"
    assert issues[(4, "残疾等级", "5")].startswith("残疾等级“5”无效")
    assert issues[(5, "监护人", "张三")] == "监护人“张三”是本人，监护人须为他人。"
    assert "矫正期满日期 2025-01-01 早于矫正开始日期 2025-03-01" in issues[(6, "矫正期满日期", "2025-01-01")]
    assert issues[(7, "人群类别", "高龄老人")] == "“高龄老人”按出生日期计算，不需导入"
    assert issues[(8, "矫正类别", "假释")] == "“矫正类别”不是“独居老人”的信息项"
    assert issues[(9, "人群类别", "外星人")].startswith("人群类别“外星人”不存在或无权导入")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(PersonTag)) == 0  # the dry run wrote nothing


def test_import_then_export_round_trip_and_undo(register, tmp_path):  # noqa: F811
    db = register
    path = groups_file(tmp_path / "g.xlsx", [
        (LI, "李云", "社区矫正人员", "2025-02-01", "2025-02-01", "2026-01-31", "缓刑", "严管", None, None),
        (WANG, "王芳", "残疾人", "2025-02-01", None, None, None, None, "三级", None),
    ])
    result = run_to_end(import_job(db, path, "groups", today=TODAY))
    assert result.committed and result.to_dict()["inserted"] == 2
    li = _held(db, "李云")["corrections"]
    assert (li.start_date, li.due_end, li.detail("control_level")) == (date(2025, 2, 1), date(2026, 1, 31), "严管")
    assert _held(db, "王芳")["disabled"].detail("disability_grade") == "三级"
    # a second file updates the fields of the memberships held
    again = groups_file(tmp_path / "g2.xlsx", [(LI, "李云", "社区矫正人员", None, None, None, None, "宽管", None,
                                                 None)])
    plan = plan_import(db, again, "groups", today=TODAY)
    assert plan.rows[0].status == "update" and plan.rows[0].changes["details"][2] == "修改 管控等级"
    second = run_to_end(import_job(db, again, "groups", today=TODAY))
    assert _held(db, "李云")["corrections"].detail("control_level") == "宽管"
    assert _held(db, "李云")["corrections"].detail("correction_type") == "缓刑"  # kept

    out = tmp_path / "export.xlsx"
    assert export_kind(db, "groups", out, full_numbers=True) == 2
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    header = list(rows[0])
    li_row = dict(zip(header, next(r for r in rows[1:] if r[1] == "李云")))
    assert (li_row["人群类别"], li_row["矫正期满日期"], li_row["管控等级"]) == ("社区矫正人员", "2026-01-31", "宽管")
    reimport = plan_import(db, out, "groups", today=TODAY)
    assert [r.status for r in reimport.rows] == ["unchanged", "unchanged"], reimport.errors
    # an official's export leaves out the sensitive kinds and their fields
    hidden = tmp_path / "hidden.xlsx"
    assert export_kind(db.as_actor(OFFICIAL), "groups", hidden) == 1
    cells = [c for r in openpyxl.load_workbook(hidden).active.iter_rows(values_only=True) for c in r if c]
    assert "社区矫正人员" not in cells and "宽管" not in cells

    undo_batch(db, second.batch_id)
    assert _held(db, "李云")["corrections"].detail("control_level") == "严管"
    undo_batch(db, result.batch_id)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(PersonTag)) == 0


def test_the_template_lists_the_fields(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template("groups", path)
    cells = [c for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True) for c in r if c]
    for label in ("公民身份号码*", "人群类别*", "矫正期满日期", "安置帮教期满日期", "监护人", "残疾等级", "管控等级"):
        assert label in cells
