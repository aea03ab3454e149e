"""Small pieces shared by the import widgets."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel

from gridadmin.services.common.errors import ServiceError, scrub_personal_data
from gridadmin.ui.common.jobs import JobOutcome

ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #1b7f3b;"
INFO_STYLE = "color: #444;"
STYLES = {"error": ERROR_STYLE, "ok": OK_STYLE, "info": INFO_STYLE}
FILE_FILTER_EXTENSIONS = "*.xlsx *.xlsm *.xls *.ods *.csv"


def kind_label(kind: str, short: bool = False) -> str:
    translate = QCoreApplication.translate  # literal texts in the "ImportWizard" context, as lupdate records them
    labels = {"residents": translate("ImportWizard", "户籍人口") if short
              else translate("ImportWizard", "户籍人口（每人一行）"),
              "grids": translate("ImportWizard", "网格"), "staff": translate("ImportWizard", "网格员"),
              "attendance": translate("ImportWizard", "培训签到"), "changes": translate("ImportWizard", "人口变动"),
              "groups": translate("ImportWizard", "人群类别"),
              "houses": translate("ImportWizard", "房屋/出租房")}
    return labels.get(kind, kind)


def mode_labels() -> dict[str, str]:
    translate = QCoreApplication.translate
    return {"insert": translate("ImportWizard", "仅新增"), "update": translate("ImportWizard", "仅更新已有"),
            "upsert": translate("ImportWizard", "新增并更新")}


def status_labels() -> dict[str, str]:
    translate = QCoreApplication.translate
    return {"new": translate("ImportWizard", "新增"), "update": translate("ImportWizard", "更新"),
            "unchanged": translate("ImportWizard", "无变化"), "skip": translate("ImportWizard", "跳过"),
            "error": translate("ImportWizard", "错误")}


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
        return QCoreApplication.translate("ImportWizard", "已取消，没有写入任何数据。")
    error = outcome.error
    if error is None:
        return ""
    if isinstance(error, ServiceError):
        return error.message
    if isinstance(error, OSError):  # a file moved, locked or on a drive that went away
        name = os.path.basename(str(error.filename)) if error.filename else ""
        return QCoreApplication.translate("ImportWizard", "无法访问文件“{name}”：文件可能已被移动、删除或正被其他程序占用。"
                                          ).format(name=name)
    return QCoreApplication.translate("ImportWizard", "出现意外错误：{error}").format(error=scrub_personal_data(error))
