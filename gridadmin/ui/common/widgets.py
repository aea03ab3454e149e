"""Small widget helpers shared by every page: the red refusal label and the
standard table set-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QDialog, QHeaderView, QLabel, QLineEdit, QTableView

if TYPE_CHECKING:
    from gridadmin.services.roster.staff import IdFacts

ERROR_STYLE = "color: #b00020;"
NOTICE_STYLE = "color: #1b7f3b;"
NOTICE_MS = 15_000  # how long a "已保存" notice stays in the status bar


def notify(widget, text: str) -> bool:
    """Tell the user ``text`` without a box to click away: in the status
    bar of ``widget``'s main window for a while. False when the widget is
    not inside one (the caller shows it on its own page too)."""
    from PySide6.QtWidgets import QMainWindow

    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, NOTICE_MS)
        return True
    return False


def error_label() -> QLabel:
    """A red, word-wrapped label for refusals, hidden until used."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def show_error(label: QLabel, message: str) -> None:
    """Show ``message`` in an error label (hide it for '')."""
    label.setText(message)
    label.setVisible(bool(message))


def setup_table(view: QTableView, stretch_column: int | None = None) -> None:
    """Row selection, alternating colours, columns sized to their contents
    (from the first rows only, so thousands of rows stay quick)."""
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setMinimumSectionSize(48)
    header.setResizeContentsPrecision(60)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch_column is not None:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)


def filter_combo(everything: str, items: list[tuple[str, str]]) -> QComboBox:
    """A filter drop-down: first "全部…" (data '': no filter), then
    ``(code, label)`` items."""
    combo = QComboBox()
    combo.addItem(everything, "")
    for code, label in items:
        combo.addItem(label, code)
    return combo


def search_box(placeholder: str) -> QLineEdit:
    """A list's search box: takes at most ``MAX_SEARCH_CHARS`` characters
    (a longer paste is cut, and the tooltip says so); the services bound
    and clean what they are given the same way."""
    from gridadmin.services.common.text import MAX_SEARCH_CHARS

    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    edit.setMaxLength(MAX_SEARCH_CHARS)
    edit.setToolTip(QCoreApplication.translate("widgets", "最多 {count} 个字，粘贴更长的内容时只取前 {count} 个字")
                    .format(count=MAX_SEARCH_CHARS))
    return edit


def area_filter_combo(db) -> QComboBox:
    """The "全部社区/网格" filter drop-down over the whole grid tree (data:
    the area id, None for everything), as the register lists use it."""
    from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID, LEVEL_TOWNSHIP
    from gridadmin.services.roster.listing import area_options

    combo = QComboBox()
    combo.addItem(QCoreApplication.translate("widgets", "全部社区/网格"), None)
    for option in area_options(db, levels=(LEVEL_TOWNSHIP, LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID)):
        combo.addItem(option.label, option.id)
    combo.setMaxVisibleItems(25)
    fit_place_combo(combo)
    return combo


def fit_place_combo(combo: QComboBox, chars: int = 16) -> None:
    """A drop-down of full place names ("建设东路社区·第一村民小组网格"): the box
    keeps a modest width (a tool row still fits the window), its open list
    is as wide as the longest name."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    view = combo.view()
    view.setMinimumWidth(view.sizeHintForColumn(0) + view.verticalScrollBar().sizeHint().width() + 8)


def area_title(combo: QComboBox, base: str) -> str:
    """The title of a list printed or exported with an area filter: "建设东路社区"
    + ``base`` for a community, ``base``（建设东路社区·第一网格） for a grid,
    ``base`` alone when the filter is 全部 (its data None)."""
    if combo.currentData() is None:
        return base
    place = combo.currentText().strip("　 ")
    return f"{base}（{place}）" if "·" in place else f"{place}{base}"


def select_data(combo: QComboBox, value: object) -> bool:
    """Select the item whose data is ``value``; False when there is none."""
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)
    return index >= 0


def run_dialog(dialog: QDialog) -> bool:
    """Show a modal dialog; True when accepted. The dialog is scheduled for
    deletion (it stays usable until control returns to the event loop), so
    dialogs parented to a page do not pile up until exit."""
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    dialog.deleteLater()
    return accepted


def setup_lazy_table(view: QTableView, model, sort_key: str | None = None) -> None:
    """Set up a view over a ``LazyTableModel``: whole-row single selection,
    fixed row height, column widths from the columns' descriptions, never
    sized to the contents of all rows (that would load them all), sorting
    by header click (in SQL)."""
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    for position, column in enumerate(model.columns):
        if column.width:
            view.setColumnWidth(position, column.width)
    if sort_key is not None:  # the header shows the query's initial order; clicks sort in SQL
        from PySide6.QtCore import Qt

        header.setSortIndicator(model.column_index(sort_key), Qt.SortOrder.AscendingOrder)
        view.setSortingEnabled(True)


def show_id_facts(hint: QLabel, text: str, birth_edit: QLineEdit, gender_combo: QComboBox) -> IdFacts | None:
    """React to a 公民身份号码 being typed: a complete valid number fills the
    birth date and gender and says so in green; a complete wrong one is
    explained in red; otherwise the grey hint counts the digits typed.
    Returns the facts of a valid number, else None."""
    from gridadmin.services.common.idcard import check_id_number
    from gridadmin.services.roster.staff import id_facts

    digits = "".join(text.split())
    complete = len(digits) in (15, 18)
    facts = id_facts(digits) if complete else None
    if facts is not None:
        birth_edit.setText(facts.birth_date.isoformat())
        gender_combo.setCurrentIndex(max(0, gender_combo.findData(facts.gender or "")))
        hint.setStyleSheet("color: #2e7d32;")
        hint.setText(QCoreApplication.translate("IdHint", "号码有效：{birth} 出生，{gender}").format(
            birth=facts.birth_date.isoformat(), gender=gender_combo.currentText()))
    elif complete:
        hint.setStyleSheet("color: #b00020;")
        hint.setText(QCoreApplication.translate("IdHint", "号码有误：") + (check_id_number(digits).error or ""))
    else:
        hint.setStyleSheet("color: #666;")
        hint.setText(QCoreApplication.translate("IdHint", "已输入 {n} 位，共 18 位").format(n=len(digits))
                     if digits else "")
    return facts


def form_fields(*layouts) -> list:
    """The focusable field widgets of form layouts, row by row (widgets in a
    nested layout left to right), in the order a user reads them."""
    from PySide6.QtCore import Qt as _Qt
    from PySide6.QtWidgets import QFormLayout, QLayout

    found: list = []

    def visit(item) -> None:
        if item is None:
            return
        widget = item.widget()
        if widget is not None:
            if widget.focusPolicy() & _Qt.FocusPolicy.TabFocus:
                found.append(widget)
            return
        layout = item.layout()
        if isinstance(layout, QLayout):
            walk(layout)

    def walk(layout) -> None:
        if isinstance(layout, QFormLayout):
            for row in range(layout.rowCount()):
                for role in (QFormLayout.ItemRole.FieldRole, QFormLayout.ItemRole.SpanningRole):
                    visit(layout.itemAt(row, role))
        else:
            for index in range(layout.count()):
                visit(layout.itemAt(index))

    for layout in layouts:
        walk(layout)
    return found


def set_form_tab_order(*layouts) -> list:
    """Make Tab go through the forms' fields in reading order (forms in the
    order given), whatever order the widgets were created in."""
    from PySide6.QtWidgets import QWidget

    fields = form_fields(*layouts)
    for first, second in zip(fields, fields[1:]):
        QWidget.setTabOrder(first, second)
    return fields


class EmptyState:
    """A centred grey hint over an empty table's viewport saying what to do
    next; shown while the model has no rows. ``text`` is a string or a
    callable (e.g. a different hint while filters are active)."""

    def __init__(self, view: QTableView, text):
        from PySide6.QtCore import QEvent, QObject, Qt

        self.view = view
        self._text = text
        self.label = QLabel(view.viewport())
        self.label.setObjectName("empty_state")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("color: #666; font-size: 11pt; background: transparent;")
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label.hide()

        class _Resize(QObject):
            def eventFilter(inner, watched, event):  # noqa: N802, N805 - Qt override
                if event.type() == QEvent.Type.Resize:
                    self._place()
                return False

        self._filter = _Resize(view)
        view.viewport().installEventFilter(self._filter)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):
            signal.connect(self.update)
        self.update()

    @property
    def text(self) -> str:
        return self._text() if callable(self._text) else self._text

    def _place(self) -> None:
        viewport = self.view.viewport()
        # never wider than the viewport (a narrow pane would cut the text in half): the text wraps instead
        width = max(1, min(560, viewport.width() - 40 if viewport.width() > 240 else viewport.width() - 8))
        self.label.setFixedWidth(width)
        height = self.label.heightForWidth(width)
        self.label.setFixedHeight(height if height > 0 else self.label.sizeHint().height())
        top = max(4, min(viewport.height() // 3 - self.label.height() // 2, viewport.height() - self.label.height()))
        self.label.move((viewport.width() - width) // 2, top)

    def update(self, *_args) -> None:
        try:
            empty = self.view.model().rowCount() == 0
        except RuntimeError:  # the view is being destroyed (a QTableWidget clears its rows then)
            return
        if empty:
            self.label.setText(self.text)
            self._place()
        self.label.setVisible(empty)

    def is_shown(self) -> bool:
        return not self.label.isHidden()
