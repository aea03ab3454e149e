"""A stale save: tell the user who changed the record and when, and offer
to reload it (shared by every edit dialog)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QLineEdit, QMessageBox, QSpinBox, QWidget

from gridadmin.services.common.errors import ConflictError

RELOAD_BUTTON = "reload"  # objectName of the 重新载入 button (tests press it)


def offer_reload(parent: QWidget | None, error: ConflictError) -> bool:
    """Show ``error.message`` (who changed the record and when) with the
    buttons 「重新载入」 and 「取消」; True when the user chose to reload.
    Cancelling keeps what the user typed, so it can be compared or copied;
    nothing has been saved either way."""
    box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate("conflict", "记录已被修改"),
                      error.message, parent=parent)
    box.setInformativeText(QCoreApplication.translate("conflict", "「重新载入」显示该记录的最新内容（放弃您这次的修改）；"
                                                      "「取消」保留您填写的内容，以便对照后重新录入。"))
    reload_button = box.addButton(QCoreApplication.translate("conflict", "重新载入"), QMessageBox.ButtonRole.AcceptRole)
    reload_button.setObjectName(RELOAD_BUTTON)
    cancel = box.addButton(QCoreApplication.translate("conflict", "取消"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(reload_button)
    box.setEscapeButton(cancel)
    box.exec()
    chosen = box.clickedButton() is reload_button
    box.deleteLater()
    return chosen


def refill_from(target: QWidget, fresh: QWidget, *attributes: str) -> None:
    """Reload a form in place from ``fresh``, a newly built dialog of the
    same class for the same record: every line edit, combo box, spin box,
    date edit and check box held as an attribute of both gets ``fresh``'s
    value, and each name in ``attributes`` (e.g. ``"record"``, which holds
    the version) is copied as it is. ``fresh`` is deleted afterwards."""
    for name, widget in vars(fresh).items():
        mine = getattr(target, name, None)
        if type(mine) is not type(widget):
            continue
        if isinstance(widget, QLineEdit):
            mine.setText(widget.text())
        elif isinstance(widget, QComboBox):
            mine.setCurrentIndex(widget.currentIndex())
        elif isinstance(widget, QSpinBox):
            mine.setValue(widget.value())
        elif isinstance(widget, QDateEdit):
            mine.setDate(widget.date())
        elif isinstance(widget, QCheckBox):
            mine.setChecked(widget.isChecked())
    for name in attributes:
        setattr(target, name, getattr(fresh, name))
    fresh.deleteLater()
