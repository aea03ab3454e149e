"""Step 2: the file's columns → the kind's fields, pre-filled by the
pipeline's header matching; every required field must be mapped, and no
field from two columns (the user resolves it: nothing is unmapped behind
their back while they browse a drop-down)."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QComboBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from gridadmin.services.importing.overview import FileOverview, kind_fields, missing_required
from gridadmin.services.importing.samples import REFUSED
from gridadmin.ui.importing.common import message_label, show_message

COL_LETTER, COL_HEADER, COL_SAMPLE, COL_FIELD = range(4)


class FieldCombo(QComboBox):
    """A column's "导入为" drop-down. The mouse wheel changes it only once
    the user has clicked into it; otherwise the wheel scrolls the table, as
    a clerk rolling through a long list of columns expects."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no focus (and no change) by the wheel alone

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # to the table, which scrolls


class MappingStep(QWidget):
    """``chosen()`` is the user's mapping (field key → 0-based column)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.overview: FileOverview | None = None
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("列"), self.tr("文件中的列名"), self.tr("第一行数据"),
                                              self.tr("导入为（* 为必填）")])
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab goes from drop-down to drop-down, not cell to cell
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_LETTER, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_HEADER, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_SAMPLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_FIELD, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(COL_FIELD, 220)
        self.status = message_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

    def combos(self) -> list[QComboBox]:
        return [self.table.cellWidget(r, COL_FIELD) for r in range(self.table.rowCount())]

    def set_overview(self, overview: FileOverview) -> None:
        """Show the file's headers with the automatic mapping."""
        self.overview = overview
        fields = kind_fields(overview.kind)
        self.intro.setText(self.tr(
            "文件“{file}”，工作表“{sheet}”，表头在第 {row} 行。请核对每一列要导入为哪一项；"
            "不需要的列选“（不导入）”。").format(file=overview.file_name, sheet=overview.sheet_name,
                                          row=overview.header_row)
                           + (("\n" + overview.note) if overview.note else ""))
        self.table.setRowCount(len(overview.headers))
        for column, text in enumerate(overview.headers):
            letter = QTableWidgetItem(overview.letters[column] or "—" if overview.letters
                                      else get_column_letter(column + 1))
            letter.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(column, COL_LETTER, letter)
            self.table.setItem(column, COL_HEADER, QTableWidgetItem(text or self.tr("（空白列名）")))
            self.table.setItem(column, COL_SAMPLE, QTableWidgetItem())
            self._show_sample(column, overview.field_of(column))
            combo = FieldCombo()
            combo.addItem(self.tr("（不导入）"), None)
            for spec in fields:
                combo.addItem(spec.label + (" *" if spec.required else ""), spec.key)
            combo.setCurrentIndex(max(0, combo.findData(overview.field_of(column))))
            combo.currentIndexChanged.connect(lambda _i, c=column: self._combo_changed(c))
            self.table.setCellWidget(column, COL_FIELD, combo)
        self.table.resizeRowsToContents()
        self._update_status()

    def apply_mapping(self, chosen: dict[str, int], note: str = "") -> None:
        """Show ``chosen`` (field → column) instead of the automatic mapping."""
        by_column = {column: key for key, column in chosen.items()}
        for column, combo in enumerate(self.combos()):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(by_column.get(column))))
            combo.blockSignals(False)
            self._show_sample(column, combo.currentData())
        self._update_status()
        if note and not self.problem():
            show_message(self.status, note, "ok")
        self.changed.emit()

    def chosen(self) -> dict[str, int]:
        return {combo.currentData(): column for column, combo in enumerate(self.combos())
                if combo.currentData() is not None}

    def choose(self, column: int, key: str | None) -> None:
        """Set the field of ``column`` (as the user would with the combo)."""
        combo = self.combos()[column]
        combo.setCurrentIndex(combo.findData(key))

    def _show_sample(self, column: int, key: str | None) -> None:
        """The first value under the column as the import reads it for the
        chosen field, or the refusal (red) it would give."""
        text = self.overview.sample(column, key)
        item = self.table.item(column, COL_SAMPLE)
        item.setText(text)
        item.setToolTip(text)
        item.setForeground(QColor("#b00020" if text.startswith(REFUSED) else "#000"))

    def _combo_changed(self, column: int) -> None:
        self._show_sample(column, self.combos()[column].currentData())
        self._update_status()
        self.changed.emit()

    def clashes(self) -> list[tuple[str, list[str]]]:
        """Fields chosen for more than one column: (label, columns as
        letter and header text, e.g. 'G 列“公民身份号码”')."""
        if self.overview is None:
            return []
        letters: dict[str, list[str]] = {}
        for column, combo in enumerate(self.combos()):
            if combo.currentData() is not None:
                letters.setdefault(combo.currentData(), []).append(self.tr("{letter} 列“{header}”").format(
                    letter=self.letter(column), header=self.overview.headers[column]))
        labels = {f.key: f.label for f in kind_fields(self.overview.kind)}
        return [(labels[key], found) for key, found in letters.items() if len(found) > 1]

    def problem(self) -> str:
        """Why the mapping cannot be used yet ('' when it can)."""
        parts = []
        clashes = self.clashes()
        if clashes:
            parts.append(self.tr("同一项只能对应一列：{items}。请把其中多余的列改为“（不导入）”或其他项。").format(
                items="；".join(self.tr("“{label}”对应了 {columns}").format(label=label, columns="和 ".join(found))
                               for label, found in clashes)))
        missing = self.missing()
        if missing:
            parts.append(self.tr("还缺少必填项：{names}。请在“导入为”一栏为它们选择对应的列，"
                                 "如果文件里没有这些列，请在文件中补上后重新选择文件。").format(names="、".join(missing)))
        return "\n".join(parts)

    def letter(self, column: int) -> str:
        """The column as the mapping table names it (A, B, …)."""
        return self.table.item(column, COL_LETTER).text()

    def missing(self) -> list[str]:
        if self.overview is None:
            return []
        return [f.label for f in missing_required(self.overview.kind, self.chosen())]

    def _update_status(self) -> None:
        chosen = [combo.currentData() for combo in self.combos()]
        for column, key in enumerate(chosen):
            colour = "#9a9a9a" if key is None else "#b00020" if chosen.count(key) > 1 else "#000"
            self.table.item(column, COL_HEADER).setForeground(QColor(colour))  # grey: not imported; red: clash
        problem = self.problem()
        if problem:
            show_message(self.status, problem)
        else:
            show_message(self.status, self.tr("必填项都已对应，可以点“下一步”检查数据（不会写入）。"), "ok")

    def show_error(self, message: str) -> None:
        if message:
            show_message(self.status, message)
        else:
            self._update_status()
