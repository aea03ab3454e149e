"""Column chooser and remembered table layout, for any ``QTableView``.

``remember_columns(view, key)``:
- right-click on the header shows every column as a checkable entry (the
  last visible column cannot be hidden) and "恢复默认列";
- columns can be dragged to another place;
- hidden columns, order and widths (``QHeaderView.saveState``) are kept
  per user and computer in the program's ``QSettings`` under
  ``columns/<key>`` and restored the next time the view is built. A layout
  saved for another set of columns (after a program update) is ignored.

Call it after the model is set and the default widths are applied.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QCoreApplication, QObject, QPoint, QSettings, Qt, QTimer
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView

SAVE_DELAY_MS = 400


def _settings() -> QSettings:
    """Where layouts are kept (tests replace this)."""
    from gridadmin.ui.shell.pc_settings import app_settings

    return app_settings()


def _column_keys(view: QTableView) -> list[str]:
    """Stable names of the model's columns: ``Column.key`` for models
    showing ``Column``s, else the header titles."""
    model = view.model()
    columns = getattr(model, "columns", None)
    if columns is not None and all(hasattr(c, "key") for c in columns):
        return [c.key for c in columns]
    return [str(model.headerData(i, Qt.Orientation.Horizontal)) for i in range(model.columnCount())]


class ColumnLayout(QObject):
    """Keeps one view's column layout (owned by its header)."""

    def __init__(self, view: QTableView, key: str):
        super().__init__(view.horizontalHeader())
        self.view = view
        self.key = f"columns/{key}"
        header = view.horizontalHeader()
        self.default_state = header.saveState()
        header.setSectionsMovable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self.show_menu)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save)
        self.restore()
        header.sectionResized.connect(lambda *_args: self._timer.start())
        header.sectionMoved.connect(lambda *_args: self._timer.start())

    @property
    def header(self) -> QHeaderView:
        return self.view.horizontalHeader()

    # -- menu ------------------------------------------------------------
    def build_menu(self) -> QMenu:
        """The chooser menu (checkable columns in their shown order)."""
        menu = QMenu(self.view)
        model = self.view.model()
        header = self.header
        visible = [i for i in range(header.count()) if not header.isSectionHidden(i)]
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            title = str(model.headerData(logical, Qt.Orientation.Horizontal) or "")
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(logical))
            action.setEnabled(not (len(visible) == 1 and logical in visible))
            action.setData(logical)
            action.toggled.connect(lambda checked, column=logical: self.set_visible(column, checked))
        menu.addSeparator()
        menu.addAction(QCoreApplication.translate("ColumnChooser", "恢复默认列"), self.reset)
        return menu

    def show_menu(self, pos: QPoint) -> None:
        menu = self.build_menu()
        menu.exec(self.header.mapToGlobal(pos))
        menu.deleteLater()

    # -- state -----------------------------------------------------------
    def set_visible(self, column: int, visible: bool) -> None:
        """Show or hide a column (never the last visible one) and save."""
        header = self.header
        if not visible and sum(not header.isSectionHidden(i) for i in range(header.count())) <= 1:
            return
        header.setSectionHidden(column, not visible)
        if visible and header.sectionSize(column) < header.minimumSectionSize():
            self.view.resizeColumnToContents(column)
        self.save()

    def reset(self) -> None:
        """Back to the program's default columns, order and widths."""
        self.header.restoreState(self.default_state)
        for i in range(self.header.count()):
            self.header.setSectionHidden(i, False)
        _settings().remove(self.key)

    def save(self) -> None:
        self._timer.stop()
        state = bytes(self.header.saveState().toBase64()).decode("ascii")
        _settings().setValue(self.key, json.dumps({"columns": _column_keys(self.view), "state": state}))

    def restore(self) -> bool:
        """Apply the saved layout; False when none fits these columns."""
        raw = _settings().value(self.key, "")
        try:
            saved = json.loads(raw) if raw else None
        except (TypeError, ValueError):
            saved = None
        if not isinstance(saved, dict) or saved.get("columns") != _column_keys(self.view):
            return False
        state = QByteArray.fromBase64(str(saved.get("state", "")).encode("ascii"))
        if not self.header.restoreState(state):
            return False
        if all(self.header.isSectionHidden(i) for i in range(self.header.count())):
            self.reset()
            return False
        return True


def remember_columns(view: QTableView, key: str) -> ColumnLayout:
    """Give ``view`` a column chooser on its header and remember its column
    layout under ``key`` (see the module docstring). Returns the keeper."""
    layout = ColumnLayout(view, key)
    view.setProperty("column_layout_key", key)
    return layout
