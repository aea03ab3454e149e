"""Small pieces shared by the import widgets."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel

from gridadmin.services.errors import ServiceError
from gridadmin.ui.jobs import JobOutcome

ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #1b7f3b;"
INFO_STYLE = "color: #444;"
STYLES = {"error": ERROR_STYLE, "ok": OK_STYLE, "info": INFO_STYLE}
FILE_FILTER_EXTENSIONS = "*.xlsx *.xlsm *.xls *.ods *.csv"


def tr(text: str) -> str:
    return QCoreApplication.translate("ImportWizard", text)


def kind_label(kind: str, short: bool = False) -> str:
    labels = {"residents": tr("户籍人口") if short else tr("户籍人口（每人一行）"), "grids": tr("网格"),
              "staff": tr("网格员"), "attendance": tr("培训签到")}
    return labels.get(kind, kind)


def mode_labels() -> dict[str, str]:
    return {"insert": tr("仅新增"), "update": tr("仅更新已有"), "upsert": tr("新增并更新")}


def status_labels() -> dict[str, str]:
    return {"new": tr("新增"), "update": tr("更新"), "unchanged": tr("无变化"), "skip": tr("跳过"),
            "error": tr("错误")}


def message_label(word_wrap: bool = True) -> QLabel:
    """A word-wrapped label for messages, hidden until used; its text can
    be selected and copied."""
    label = QLabel()
    label.setWordWrap(word_wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_message(label: QLabel, text: str, kind: str = "error") -> None:
    label.setStyleSheet(STYLES[kind])
    label.setText(text)
    label.setVisible(bool(text))


def outcome_message(outcome: JobOutcome) -> str:
    """Why a job did not finish, in Chinese ('' when it did)."""
    if outcome.cancelled:
        return tr("已取消，没有写入任何数据。")
    error = outcome.error
    if error is None:
        return ""
    if isinstance(error, ServiceError):
        return error.message
    return tr("出现意外错误：{error}").format(error=error)
