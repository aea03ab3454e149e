"""Editing the local code lists and special groups: service rules and the
settings tab driven through its widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gridadmin.services.common import code_lists
from gridadmin.services.access.permissions import PermissionDeniedError
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.access.users import authenticate, create_user
from gridadmin.ui.settings.codes_tab import CodesTab
from tests.uihelpers import type_text


def labels(db, key):
    return [(it.label, it.active) for it in code_lists.list_items(db, key)]


def test_add_rename_retire_and_order_a_skill_level(township_db):
    new_id = code_lists.add_item(township_db, "skill_level", "  五级／初级工 ")
    items = code_lists.list_items(township_db, "skill_level")
    added = next(it for it in items if it.id == new_id)
    assert added.label == "五级／初级工" and added.code == "5" and added.active
    code_lists.move_item(township_db, "skill_level", new_id, -10)
    assert code_lists.list_items(township_db, "skill_level")[0].id == new_id
    code_lists.update_item(township_db, "skill_level", new_id, label="五级/初级工")
    code_lists.update_item(township_db, "skill_level", new_id, active=False)
    with township_db.session() as session:
        book = CodeBook.load(session)
    assert "5" not in dict(book.items("skill_level"))  # retired: gone from choices
    assert ("五级/初级工", False) in labels(township_db, "skill_level")


def test_word_coded_list_gets_made_up_codes(township_db):
    first = code_lists.add_item(township_db, "staff_role", "综治专干")
    second = code_lists.add_item(township_db, "staff_role", "调解员")
    codes = {it.id: it.code for it in code_lists.list_items(township_db, "staff_role")}
    assert (codes[first], codes[second]) == ("x01", "x02")


def test_refusals_name_the_value_and_change_nothing(township_db):
    before = labels(township_db, "training_category")
    with pytest.raises(ValidationError, match="“政策法规”已在“培训类别”中"):
        code_lists.add_item(township_db, "training_category", "政策法规")
    with pytest.raises(ValidationError, match="名称不能为空"):
        code_lists.add_item(township_db, "training_category", "   ")
    with pytest.raises(ValidationError, match="国家标准代码表"):
        code_lists.add_item(township_db, "ethnicity", "新民族")
    leader = next(it for it in code_lists.list_items(township_db, "staff_role") if it.code == "leader")
    with pytest.raises(ValidationError, match="“网格长”是“1\\+3\\+N”核心岗位"):
        code_lists.update_item(township_db, "staff_role", leader.id, active=False)
    assert labels(township_db, "training_category") == before


def test_last_active_item_cannot_be_retired(township_db):
    forms = code_lists.list_items(township_db, "training_form")
    for it in forms[:-1]:
        code_lists.update_item(township_db, "training_form", it.id, active=False)
    with pytest.raises(ValidationError, match="最后一个启用的项目"):
        code_lists.update_item(township_db, "training_form", forms[-1].id, active=False)


def test_special_group_sensitive_flag_and_audit(township_db):
    tag_id = code_lists.add_item(township_db, code_lists.TAG_LIST, "肇事肇祸精神病人", family="special")
    tag = next(it for it in code_lists.list_items(township_db, code_lists.TAG_LIST) if it.id == tag_id)
    assert tag.sensitive and tag.family == "special"  # 特殊人群 kinds are sensitive by default
    code_lists.update_item(township_db, code_lists.TAG_LIST, tag_id, sensitive=False)
    from sqlalchemy import func, select  # noqa: PLC0415

    from gridadmin.models import AuditLog  # noqa: PLC0415
    with township_db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditLog)
                              .where(AuditLog.entity == "tag_kind", AuditLog.entity_id == tag_id)) == 2


def test_only_the_administrator_edits_lists(township_db):
    create_user(township_db, "admin", "王管理", "guanli2026", ["admin"])
    create_user(township_db, "hr1", "人事甲", "renshi2026", ["hr"])
    hr_db = township_db.as_actor(authenticate(township_db, "hr1", "renshi2026"))
    with pytest.raises(PermissionDeniedError, match="无权修改系统设置"):
        code_lists.add_item(hr_db, "skill_level", "五级")


def test_tab_adds_renames_and_retires(qtbot, township_db):
    tab = CodesTab(township_db)
    qtbot.addWidget(tab)
    tab.lists.setCurrentRow([k for k, _ in code_lists.editable_lists()].index("training_category"))
    type_text(qtbot, tab.new_name, "防汛防台")
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    names = [tab.table.item(r, 0).text() for r in range(tab.table.rowCount())]
    assert names[-1] == "防汛防台" and tab.new_name.text() == ""
    row = tab.table.rowCount() - 1
    tab.table.item(row, 0).setText("防汛防台风")
    qtbot.waitUntil(lambda: tab.items[row].label == "防汛防台风")
    tab.table.selectRow(row)
    qtbot.mouseClick(tab.toggle_button, Qt.MouseButton.LeftButton)
    assert tab.table.item(row, 1).text() == "已停用" and tab.toggle_button.text() == "启用"
    # a duplicate name is refused in red and the list is shown as it is stored
    tab.table.item(0, 0).setText("防汛防台风")
    qtbot.waitUntil(lambda: not tab.error.isHidden())
    assert "“防汛防台风”已在“培训类别”中" in tab.error.text()
    assert tab.table.item(0, 0).text() == "政策法规"
