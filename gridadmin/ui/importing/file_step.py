"""Step 1: what to import (kind), from which file, and which sheet."""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QDateEdit, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton,
    QVBoxLayout, QWidget,
)

from gridadmin.services.importing import KINDS
from gridadmin.services.importing.overview import FileOverview, kind_fields
from gridadmin.ui.importing.common import kind_label, message_label, show_message


class FileStep(QWidget):
    """Emits ``kind_changed``, ``choose_requested`` (the 选择文件 button)
    and ``sheet_chosen(name)``; the wizard does the reading."""

    kind_changed = Signal(str)
    choose_requested = Signal()
    template_requested = Signal(str)  # the kind
    sheet_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        kinds_box = QGroupBox(self.tr("1. 导入什么数据"))
        kinds_layout = QHBoxLayout(kinds_box)
        for key in KINDS:
            button = QRadioButton(kind_label(key))
            button.setProperty("kind", key)
            self.kind_group.addButton(button)
            self.kind_buttons[key] = button
            kinds_layout.addWidget(button)
        kinds_layout.addStretch(1)
        self.template_button = QPushButton(self.tr("下载模板…"))
        self.template_button.setToolTip(self.tr("生成所选数据类型的空白 Excel 模板：必填列带 *，"
                                                "有下拉列表，公民身份号码和联系电话为文本格式"))
        kinds_layout.addWidget(self.template_button)
        next(iter(self.kind_buttons.values())).setChecked(True)
        # Register kinds: the day the changes happened, for rows without a date of their own.
        self.effective_day = QDateEdit(QDate.currentDate())
        self.effective_day.setCalendarPopup(True)
        self.effective_day.setDisplayFormat("yyyy-MM-dd")
        self.effective_day.setMaximumDate(QDate.currentDate())
        self.effective_label = QLabel(self.tr("变动生效日期"))
        self.effective_hint = QLabel(self.tr("没有登记日期/迁入日期/变动日期的行按此日期生效，月报按此日期统计（默认今天）"))
        self.effective_hint.setStyleSheet("color: #444;")
        self.columns_hint = QLabel()
        self.columns_hint.setWordWrap(True)
        self.columns_hint.setStyleSheet("color: #444;")

        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.path.setPlaceholderText(self.tr("尚未选择文件"))
        self.choose_button = QPushButton(self.tr("选择文件(&O)…"))
        self.choose_button.setDefault(True)
        self.sheet = QComboBox()
        self.sheet.setMinimumContentsLength(16)
        self.sheet_label = QLabel(self.tr("工作表"))
        self.sheet_note = QLabel()
        self.info = message_label()
        self.error = message_label()
        file_box = QGroupBox(self.tr("2. 选择文件"))
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.choose_button)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(self.sheet)
        sheet_row.addWidget(self.sheet_note, 1)
        form = QFormLayout(file_box)
        form.addRow(self.tr("文件"), file_row)
        effective_row = QHBoxLayout()
        effective_row.addWidget(self.effective_day)
        effective_row.addWidget(self.effective_hint, 1)
        form.addRow(self.effective_label, effective_row)
        form.addRow(self.sheet_label, sheet_row)
        form.addRow(QLabel(self.tr("支持 Excel 工作簿（.xlsx .xlsm .xls）、WPS/LibreOffice 表格（.ods）和 CSV 文本。"
                                   "表头上方的标题行、合并单元格、列名中的 * 和空格都可以保留。")))
        form.itemAt(form.rowCount() - 1, QFormLayout.ItemRole.SpanningRole).widget().setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(kinds_box)
        layout.addWidget(self.columns_hint)
        layout.addWidget(file_box)
        layout.addWidget(self.info)
        layout.addWidget(self.error)
        layout.addStretch(1)

        self.kind_group.buttonToggled.connect(self._kind_toggled)
        self.choose_button.clicked.connect(self.choose_requested)
        self.template_button.clicked.connect(lambda: self.template_requested.emit(self.kind()))
        self.sheet.activated.connect(lambda _i: self.sheet_chosen.emit(self.sheet.currentData()))
        self._show_columns_hint()
        self.show_overview(None)

    def set_allowed(self, allowed: dict[str, bool], who: str) -> None:
        """Offer only the kinds the user may import (the others greyed, with
        the reason as tooltip); with none, say so before any file is chosen.
        Templates stay available to everyone."""
        for key, button in self.kind_buttons.items():
            button.setEnabled(allowed.get(key, False))
            button.setToolTip("" if allowed.get(key, False) else self.tr("当前用户{who}无权导入此类数据").format(who=who))
        usable = [key for key, ok in allowed.items() if ok]
        if usable and not allowed.get(self.kind(), False):
            self.set_kind(usable[0])
        self.choose_button.setEnabled(bool(usable))
        if not usable:
            show_message(self.error, self.tr("当前用户{who}没有导入数据的权限，只能下载模板。"
                                             "需要导入时，请用有导入权限的账号登录，或请管理员分配角色。").format(who=who))

    def kind(self) -> str:
        return self.kind_group.checkedButton().property("kind")

    def set_kind(self, kind: str) -> None:
        self.kind_buttons[kind].setChecked(True)

    def _kind_toggled(self, button, checked: bool) -> None:
        if checked:
            self._show_columns_hint()
            self.kind_changed.emit(button.property("kind"))

    def effective_date(self):
        """The import's effective date for a register kind, else None."""
        return self.effective_day.date().toPython() if KINDS[self.kind()].dated else None

    def _show_columns_hint(self) -> None:
        dated = KINDS[self.kind()].dated
        for widget in (self.effective_day, self.effective_label, self.effective_hint):
            widget.setVisible(dated)
        fields = kind_fields(self.kind())
        required = "、".join(f.label for f in fields if f.required)
        optional = "、".join(f.label for f in fields if not f.required and f.key != "seq")
        self.columns_hint.setText(self.tr("文件必须有这些列：{required}。\n可以有的列：{optional}。").format(
            required=required, optional=optional))

    def show_path(self, path: str) -> None:
        self.path.setText(path)
        self.path.setToolTip(path)

    def show_overview(self, overview: FileOverview | None, detected: str | None = None) -> None:
        """The sheet choice and a line about what was found; ``detected``:
        the sheet the first look at the file chose (the user may have
        picked another since)."""
        self.sheet.clear()
        several = overview is not None and len(overview.sheet_names) > 1
        self.sheet.setVisible(several)
        self.sheet_label.setVisible(several)
        self.sheet_note.setVisible(several)
        if overview is None:
            show_message(self.info, "")
            return
        for name in overview.sheet_names:
            self.sheet.addItem(name, name)
        self.sheet.setCurrentIndex(max(0, self.sheet.findData(overview.sheet_name)))
        detected = detected or overview.detected_sheet
        self.sheet_note.setText(self.tr("自动识别为“{name}”").format(name=detected) if detected == overview.sheet_name
                                else self.tr("已改选“{name}”（自动识别的是“{auto}”）").format(
                                    name=overview.sheet_name, auto=detected))
        if overview.households:
            found = self.tr("“每户一行”的格式，共 {h:,} 户、{n:,} 人").format(h=overview.households, n=overview.data_rows)
        else:
            found = self.tr("共 {n:,} 行数据").format(n=overview.data_rows)
        show_message(self.info, self.tr("工作表“{sheet}”：表头在第 {row} 行，{found}。点“下一步”核对各列。").format(
            sheet=overview.sheet_name, row=overview.header_row, found=found), "ok")

    def show_error(self, message: str) -> None:
        show_message(self.error, message)
        if message:
            show_message(self.info, "")

    def show_info(self, message: str) -> None:
        show_message(self.error, "")
        show_message(self.info, message, "ok")
