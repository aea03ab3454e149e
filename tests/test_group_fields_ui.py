"""The resident form's 人群类别 tab: kinds by family, the age-defined ones
shown but not editable, the chosen kind's fields typed and saved, bad input
shown with the field and value and nothing saved (pytest-qt)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from sqlalchemy import select, update

from gridadmin.models import Person
from gridadmin.services.register.tags import person_tags
from gridadmin.ui.register.resident_dialog import ResidentDialog
from tests.test_residents_page import OFFICIAL, register  # noqa: F401 - the shared fixture
from tests.uihelpers import type_text

SHOTS = Path(os.environ.get("GRIDADMIN_SHOTS", "/tmp/gridadmin_shots"))


def _item(dialog, text):
    return next(dialog.tags.item(i) for i in range(dialog.tags.count()) if dialog.tags.item(i).text() == text)


def _shot(qtbot, widget, name):
    qtbot.wait(50)  # the rows added to a shown form are shown by the event loop
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


def test_the_form_enters_the_fields_of_a_kind(qtbot, register):  # noqa: F811
    db, _hid, _kinds = register
    with db.session() as s:
        zhang = s.scalar(select(Person.id).where(Person.name == "张三"))
        s.execute(update(Person).where(Person.id == zhang).values(birth_date=date(1944, 5, 6)))
    dialog = ResidentDialog(db, zhang)
    qtbot.addWidget(dialog)
    dialog.resize(1024, 768)
    dialog.show()
    dialog.tabs.setCurrentIndex(1)
    texts = [dialog.tags.item(i).text() for i in range(dialog.tags.count())]
    assert texts[0].startswith("特殊人群 · ") and texts[-1].startswith("关怀对象 · ")
    elder = _item(dialog, "关怀对象 · 高龄老人（按出生日期计算）")
    assert elder.checkState() == Qt.CheckState.Checked and not elder.flags() & Qt.ItemFlag.ItemIsEnabled

    corrections = _item(dialog, "特殊人群 · 社区矫正人员（敏感）")
    dialog.tags.setCurrentItem(corrections)
    panel = dialog.group_fields
    assert [panel.form.itemAt(r, panel.form.ItemRole.LabelRole).widget().text()
            for r in range(panel.form.rowCount())] == ["矫正开始日期", "矫正期满日期", "矫正类别", "管控等级"]
    type_text(qtbot, panel.widgets["correction_start"], "2024-01-01")
    type_text(qtbot, panel.widgets["correction_end"], "2023-12-31")
    panel.set_value("correction_type", "缓刑")
    assert not dialog.try_save_tags()
    assert "矫正期满日期 2023-12-31 早于矫正开始日期 2024-01-01" in dialog.error.text()
    _shot(qtbot, dialog, "resident_form_group_fields_error.png")
    assert person_tags(db, zhang)[0].details == ()  # nothing saved

    panel.widgets["correction_end"].clear()
    type_text(qtbot, panel.widgets["correction_end"], "2026-12-31")
    panel.set_value("control_level", "严管")
    disabled = _item(dialog, "关怀对象 · 残疾人")
    disabled.setCheckState(Qt.CheckState.Checked)
    dialog.tags.setCurrentItem(disabled)  # what was typed for 社区矫正人员 is kept while another kind is shown
    panel.set_value("disability_types", ["肢体残疾"])
    panel.set_value("disability_grade", "二级")
    assert dialog.try_save_tags(), dialog.error.text()
    held = {t.name: dict(t.details) for t in person_tags(db, zhang)}
    assert held["社区矫正人员"] == {"correction_start": "2024-01-01", "correction_end": "2026-12-31",
                                   "correction_type": "缓刑", "control_level": "严管"}
    assert held["残疾人"] == {"disability_types": "肢体残疾", "disability_grade": "二级"}
    dialog.tags.setCurrentItem(_item(dialog, "特殊人群 · 社区矫正人员（敏感）"))
    assert panel.widgets["correction_end"].text() == "2026-12-31"  # read back after saving
    _shot(qtbot, dialog, "resident_form_group_fields.png")

    official = ResidentDialog(db.as_actor(OFFICIAL), zhang)
    qtbot.addWidget(official)
    shown = [official.tags.item(i).text() for i in range(official.tags.count())]
    assert all(t.startswith("关怀对象") for t in shown)


def test_the_code_lists_tab_shows_families_and_sets_the_age_thresholds(qtbot, township_db):
    from gridadmin.services.common import code_lists
    from gridadmin.services.register.age_groups import age_threshold_values
    from gridadmin.ui.settings.codes_tab import COL_FAMILY, CodesTab

    tab = CodesTab(township_db)
    qtbot.addWidget(tab)
    tab.resize(1024, 768)
    tab.show()
    tab.lists.setCurrentRow([k for k, _ in code_lists.editable_lists()].index(code_lists.TAG_LIST))
    families = [tab.table.item(r, COL_FAMILY).text() for r in range(tab.table.rowCount())]
    assert families[0] == "特殊人群" and families[-1] == "关怀对象" and "重点人员" in families
    tab.new_name.setText("涉稳人员")
    tab.family.setCurrentIndex(tab.family.findData("key"))
    tab.add()
    added = next(it for it in code_lists.list_items(township_db, code_lists.TAG_LIST) if it.label == "涉稳人员")
    assert (added.family, added.sensitive) == ("key", True)
    tab.age_spins["elder_60"].setValue(65)
    assert tab.save_ages()
    assert age_threshold_values(township_db) == {"elder_60": 65, "elder_80": 80}
    _shot(qtbot, tab, "codes_tab_groups.png")
