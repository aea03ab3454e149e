"""户卡 PDF: its text (masked by default, full numbers only when allowed),
the audit line, and the 打印户卡 button of the household card."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import select

from gridadmin.models import AuditLog
from gridadmin.services.access.permissions import Actor, PermissionDeniedError
from gridadmin.services.reports.household_card import household_card_pdf
from gridadmin.ui.common.pdf_viewer import PdfPreviewDialog
from gridadmin.ui.register.household_dialog import HouseholdDialog
from tests.test_residents_page import OFFICIAL, register  # noqa: F401 - the shared fixture

NOBODY = Actor(None, "guest", "访客", frozenset())
READER = Actor(None, "lead", "领导", frozenset({"official"}))  # prints are audited: no user row needed


def _text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_card_pdf_lists_the_members_masked_and_is_audited(register, tmp_path):
    db, hid, _kinds = register
    out = tmp_path / "card.pdf"
    assert household_card_pdf(db, hid, out, printed_on=date(2026, 3, 1)) == 1
    text = _text(out)
    for expected in ("户卡", "4113020010010001", "幸福小区", "家庭成员", "张三", "李四", "张小五", "户主",
                     "138****5678", "411302********", "社区矫正", "第 1 页 共 1 页", "户主签字"):
        assert expected in text, expected
    assert "13812345678" not in text
    full = tmp_path / "full.pdf"
    household_card_pdf(db, hid, full, full_numbers=True)
    assert "13812345678" in _text(full)
    with db.session() as s:
        summaries = list(s.scalars(select(AuditLog.summary).where(AuditLog.entity == "household",
                                                                  AuditLog.action == "print")))
    assert summaries == ["打印户卡 4113020010010001 到 card.pdf", "打印户卡 4113020010010001 到 full.pdf（完整号码）"]


def test_card_pdf_permissions(register, tmp_path):
    db, hid, _kinds = register
    official = db.as_actor(READER)
    household_card_pdf(official, hid, tmp_path / "o.pdf")
    assert "社区矫正" not in _text(tmp_path / "o.pdf")  # sensitive groups hidden from this role
    with pytest.raises(PermissionDeniedError):
        household_card_pdf(official, hid, tmp_path / "f.pdf", full_numbers=True)
    with pytest.raises(PermissionDeniedError):
        household_card_pdf(db.as_actor(NOBODY), hid, tmp_path / "n.pdf")


def test_print_button_saves_the_card(qtbot, register, tmp_path, monkeypatch):
    db, hid, _kinds = register
    dialog = HouseholdDialog(db, hid)
    qtbot.addWidget(dialog)
    assert dialog.print_full.isVisibleTo(dialog)
    out = tmp_path / "button.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    dialog.print_button.click()
    preview = dialog.findChild(PdfPreviewDialog)  # the card opens in the PDF viewer
    assert preview.isVisible() and "户卡已保存" in preview.note.text() and preview.viewer.page_count() >= 1
    preview.close()
    assert "张小五" in _text(out) and "138****5678" in _text(out)
    reader = HouseholdDialog(db.as_actor(OFFICIAL), hid)
    qtbot.addWidget(reader)  # a dialog left alive until exit crashes Qt's teardown
    assert not reader.print_full.isVisibleTo(reader)
