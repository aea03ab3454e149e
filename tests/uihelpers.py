"""Helpers for driving modal dialogs in qtbot tests."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox


def when_modal(action: Callable[[QDialog], None], *, timeout_ms: int = 3000) -> list:
    """Run ``action(dialog)`` on the next modal dialog that opens (polling),
    so a test can type into it and press its buttons like a user. Returns a
    list that receives the dialog, for assertions afterwards."""
    seen: list = []
    waited = [0]

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, QDialog):
            widget = next((w for w in QApplication.topLevelWidgets()
                           if isinstance(w, QDialog) and w.isVisible() and w.isModal()), None)
        if isinstance(widget, QDialog) and widget not in seen:
            seen.append(widget)
            action(widget)
            return
        waited[0] += 20
        if waited[0] < timeout_ms:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen


def answer_message_box(button: QMessageBox.StandardButton) -> list[str]:
    """Press ``button`` on the next QMessageBox; returns [its text]."""
    texts: list[str] = []

    def press(box):
        if isinstance(box, QMessageBox):
            texts.append(box.text())
            box.button(button).click()
        else:
            box.reject()
    when_modal(press)
    return texts


def type_text(qtbot, widget, text: str) -> None:
    """Type ``text`` into ``widget`` as a user would: ASCII through key
    presses, Chinese the way an input method commits it (QTest's own key
    clicks only know ASCII)."""
    from PySide6.QtGui import QInputMethodEvent

    widget.setFocus()
    run = ""
    for ch in text + "\0":
        if ch != "\0" and ch.isascii():
            run += ch
            continue
        if run:
            qtbot.keyClicks(widget, run)
            run = ""
        if ch != "\0":
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)
