"""Helpers for driving modal dialogs in qtbot tests."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox


_POLLERS: list[list[bool]] = []


def stop_pollers() -> None:
    """End every ``when_modal`` still waiting (called after each test)."""
    for alive in _POLLERS:
        alive[0] = False
    _POLLERS.clear()


def when_modal(action: Callable[[QDialog], None], *, timeout_ms: int = 3000, kind: type = QDialog) -> list:
    """Run ``action(dialog)`` on the next modal dialog of type ``kind`` that
    opens (polling), so a test can type into it and press its buttons like
    a user. Dialogs already open when this is called (left over from an
    earlier test) are ignored. Returns a list that receives the dialog, for
    assertions afterwards."""
    seen: list = []
    waited = [0]
    before = {id(w) for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()}
    alive = [True]
    _POLLERS.append(alive)

    def candidates():
        active = QApplication.activeModalWidget()
        if active is not None:
            yield active
        yield from QApplication.topLevelWidgets()

    def poll() -> None:
        if not alive[0]:  # its test has ended: never touch a later test's dialogs
            return
        widget = next((w for w in candidates() if isinstance(w, kind) and w.isVisible() and w.isModal()
                       and id(w) not in before and w not in seen), None)
        if widget is not None:
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
        texts.append(box.text())
        box.button(button).click()
    when_modal(press, kind=QMessageBox)
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
