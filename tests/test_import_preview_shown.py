"""The import preview's "before" side (the stored ID number or phone beside
the file's value) leaves the service already as the actor may see it: masked
for a role that may import but not see whole numbers, and nothing of a
stored record outside the actor's areas at all — in the dry run, in the
commit's result, and in the wizard's preview table."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import select

from gridadmin.models import AuditLog
from gridadmin.models.access import ROLE_OFFICIAL
from gridadmin.services.access import permissions
from gridadmin.services.access.users import authenticate, create_user
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job
from gridadmin.services.importing.pipeline import plan_import
from gridadmin.services.importing.plan import ERROR, UPDATE
from gridadmin.services.importing.export import export_kind
from tests.test_read_scope_matrix import PASSWORD, RESIDENT, world  # noqa: F401  (the matrix's fixture)

NEW_PHONE = {"in": "13700001111", "out": "13700002222"}
TODAY = date(2025, 3, 1)


def _file_with_new_phones(w):
    """The administrator's residents export (whole numbers) with both
    residents' phones changed: each row an update of a stored phone."""
    path = w.tmp / "residents-changed.xlsx"
    export_kind(w.actors["admin"], "residents", path, full_numbers=True)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header_row = next(r for r in sheet.iter_rows() if any(str(c.value or "").startswith("姓名") for c in r))
    columns = {str(c.value or "").rstrip("*"): c.column for c in header_row}
    for row in sheet.iter_rows(min_row=header_row[0].row + 1):
        name = row[columns["姓名"] - 1].value
        where = next((k for k, v in RESIDENT.items() if v[0] == name), None)
        if where:
            sheet.cell(row[0].row, columns["联系电话"], NEW_PHONE[where])
    book.save(path)
    return path


def _everything_shown(plan) -> str:
    """Every text and value of the plan that reaches a screen or a file."""
    return json.dumps([[r.changes, r.previous, [(i.column, i.value, i.message) for i in r.errors + r.warnings]]
                       for r in plan.rows], ensure_ascii=False, default=str)


def _row(plan, where):
    return next(r for r in plan.rows if RESIDENT[where][0] in [str(c) for c in r.cells])


@pytest.fixture
def importing_official(world, monkeypatch):  # noqa: F811
    """A 领导 given the register import (a township's own role set-up): may
    import, may not see whole numbers."""
    monkeypatch.setitem(permissions.ROLE_PERMISSIONS, ROLE_OFFICIAL,
                        permissions.ROLE_PERMISSIONS[ROLE_OFFICIAL] | {permissions.IMPORT_REGISTER})
    return world.actors["official"]


def test_scoped_clerk_gets_nothing_of_a_stored_record_outside_her_areas(world):  # noqa: F811
    path = _file_with_new_phones(world)
    plan = plan_import(world.actors["clerk"], path, "residents", today=TODAY)
    mine, other = _row(plan, "in"), _row(plan, "out")
    assert mine.status == UPDATE and mine.changes["phone"][1:] == (RESIDENT["in"][2], NEW_PHONE["in"])
    assert other.status == ERROR and "不在当前用户负责的区域内" in other.summary()
    assert other.changes == {} and other.previous == {}
    assert RESIDENT["out"][2] not in _everything_shown(plan)  # 王芳's stored phone


def test_numbers_are_masked_in_the_service_for_a_role_that_may_not_see_them(world, importing_official):  # noqa: F811
    path = _file_with_new_phones(world)
    plan = plan_import(importing_official, path, "residents", today=TODAY)
    row = _row(plan, "in")
    assert row.status == UPDATE
    assert row.changes["phone"][1:] == ("138****5678", "137****1111")
    shown = _everything_shown(plan)
    assert RESIDENT["in"][2] not in shown and NEW_PHONE["in"] not in shown and RESIDENT["out"][2] not in shown
    # the commit: written whole (the audit trail keeps the old phone), returned masked
    result = run_to_end(import_job(importing_official, path, "residents", today=TODAY, skip_errors=True))
    assert result.committed
    assert RESIDENT["in"][2] not in _everything_shown(result.plan)
    assert _row(result.plan, "in").previous["phone"] == "138****5678"
    with world.actors["admin"].session() as s:
        audit = s.scalars(select(AuditLog.changes).where(AuditLog.import_batch_id == result.batch_id)).all()
    assert any(RESIDENT["in"][2] in (c or "") for c in audit)


def test_wizard_preview_shows_what_the_service_gave(qtbot, world, importing_official, monkeypatch):  # noqa: F811
    from gridadmin.ui.importing.import_page import ImportPage
    from gridadmin.ui.importing.wizard import STEP_PREVIEW

    path = _file_with_new_phones(world)
    page = ImportPage(importing_official)
    qtbot.addWidget(page)
    page.resize(1200, 680)
    page.show()
    wizard = page.wizard
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    wizard.file_step.choose_button.click()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_PREVIEW
    model = wizard.preview_step.model
    texts = [" ".join(model.cells(line)) for line in model.all_lines]
    assert any("联系电话：138****5678 → 137****1111" in t for t in texts), texts
    assert not any(RESIDENT["in"][2] in t or RESIDENT["out"][2] in t for t in texts)
    assert any("不在当前用户负责的区域内" in t for t in texts)


def test_an_id_number_outside_her_areas_tells_a_clerk_no_name(world, tmp_path):  # noqa: F811
    """A file pairing 王芳's ID number (粮行社区) with another name: the
    dry run must not answer “已登记给‘王芳’（户号 …）” to a clerk of 河街社区."""
    path = _file_with_new_phones(world)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == RESIDENT["out"][0]:
                cell.value = "王某某"
    book.save(path)
    plan = plan_import(world.actors["clerk"], path, "residents", today=TODAY)
    row = next(r for r in plan.rows if "王某某" in [str(c) for c in r.cells])
    assert row.status == ERROR and len(row.errors) == 1 and not row.warnings
    assert row.errors[0].message == "“粮行社区”不在当前用户负责的区域内"
    shown = _everything_shown(plan)
    assert RESIDENT["out"][0] not in shown and "4113020020010001" not in shown
    # the administrator is told whose number it is
    admin_plan = plan_import(world.actors["admin"], path, "residents", today=TODAY)
    assert RESIDENT["out"][0] in _everything_shown(admin_plan)
