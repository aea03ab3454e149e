"""人员花名册: every staff member in a lazily loaded table, searched as you
type and filtered in SQL; double-click opens the staff dialog. The header's
right-click menu chooses columns (layout remembered); buttons open the
网格配备情况 and 90天内到期的证书 lists. "显示完整号码" is offered only to
roles that may see full numbers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QLabel, QMenu, QPushButton,
    QTableView, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID, LEVEL_TOWNSHIP
from gridadmin.models.staff import STAFF_STATUSES, STATUS_ON_POST
from gridadmin.services.access.permissions import SEE_FULL_NUMBERS, acting
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.roster.listing import AGE_BANDS, SERVING, RosterFilter, RosterRow, area_options, roster_columns, \
    roster_source
from gridadmin.services.roster.staff import EMPLOYMENT_TYPES, code_choices
from gridadmin.ui.common.column_chooser import remember_columns
from gridadmin.ui.common.export_actions import export_kind_xlsx, export_xlsx, print_pdf
from gridadmin.ui.common.widgets import (
    EmptyState, area_title, filter_combo, fit_place_combo, run_dialog, search_box, select_data, setup_lazy_table,
)
from gridadmin.ui.common.flow_layout import flow_row
from gridadmin.ui.common.lazy_table_model import ROW_ROLE, LazyTableModel
from gridadmin.ui.roster.list_dialogs import ExpiringCertificatesDialog, StaffingDialog
from gridadmin.ui.roster.staff_dialog import StaffDialog

ALL = ""  # combo data meaning "no filter"
STATUS_SERVING, STATUS_ALL = "serving", "all"  # status combo data besides the statuses themselves


class RosterPage(QWidget):
    """Search box, filter combos, the roster table and a summary line."""

    page_name = "roster"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        choices = code_choices(db, "staff_role", "skill_level", "political")

        self.search = search_box(self.tr("查找：姓名、拼音或首字母（如 zs）、身份证号、联系电话"))
        self.area = QComboBox()
        self.area.addItem(self.tr("全部社区/网格"), None)
        for option in area_options(db, levels=(LEVEL_TOWNSHIP, LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID)):
            if option.level != LEVEL_TOWNSHIP:
                self.area.addItem("　" * (option.depth - 1) + option.full_name, option.id)
        self.area.setMaxVisibleItems(25)
        fit_place_combo(self.area)
        self.role = filter_combo(self.tr("全部岗位"), choices["staff_role"])
        self.employment = filter_combo(self.tr("专职和兼职"), [(t, t) for t in EMPLOYMENT_TYPES])
        self.status = QComboBox()
        self.status.addItem(self.tr("在岗"), STATUS_ON_POST)
        self.status.addItem(self.tr("在职（在岗、休假）"), STATUS_SERVING)
        for status in STAFF_STATUSES:
            if status != STATUS_ON_POST:
                self.status.addItem(status, status)
        self.status.addItem(self.tr("全部状态"), STATUS_ALL)
        self.skill = filter_combo(self.tr("全部技能等级"), choices["skill_level"])
        self.political = filter_combo(self.tr("全部政治面貌"), choices["political"])
        self.age = QComboBox()
        self.age.addItem(self.tr("全部年龄"), None)
        for label, low, high in AGE_BANDS:
            self.age.addItem(label, (low, high))
        self.show_full = QCheckBox(self.tr("显示完整号码"))
        self.show_full.setToolTip(self.tr("公民身份号码和联系电话默认只显示部分数字"))
        may_see_full = acting(db).can(SEE_FULL_NUMBERS)
        self.show_full.setVisible(may_see_full)
        self.show_full.setEnabled(may_see_full)
        self.add_button = QPushButton(self.tr("新增人员(&N)"))
        self.edit_button = QPushButton(self.tr("查看/编辑(&E)"))
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.summary = QLabel()

        self._on_post = None  # (the model's data generation, its on-post count) for the summary line
        self.model = LazyTableModel(roster_source(db), roster_columns(False),
                                    query=PageQuery(self.current_filter(), "name"), parent=self)
        self.table = QTableView()
        setup_lazy_table(self.table, self.model, sort_key="name")
        self.column_layout = remember_columns(self.table, "roster")
        self.empty_state = EmptyState(self.table, self._empty_text)

        self.filter_row = filters = flow_row(self.search, self.area, self.role, self.employment, self.status, self.skill,
                           self.political, self.age, self.show_full)
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        self.print_button = QPushButton(self.tr("打印花名册…"))
        more = flow_row(self.add_button, self.edit_button, self.export_button, self.print_button, self.refresh_button)
        self.staffing_button = QPushButton(self.tr("网格配备情况…"))
        self.staffing_button.setToolTip(self.tr("各网格“1+3+N”配备、缺岗和每名专职网格员服务户数"))
        self.expiring_button = QPushButton(self.tr("90天内到期的证书…"))
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("人员花名册"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        heading = flow_row(title, self.staffing_button, self.expiring_button)
        layout.addLayout(heading)
        layout.addLayout(filters)
        layout.addLayout(more)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

        self.search.textChanged.connect(lambda _text: self.apply_filter())
        for combo in (self.area, self.role, self.employment, self.status, self.skill, self.political, self.age):
            combo.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.show_full.toggled.connect(lambda checked: self.model.set_columns(roster_columns(checked)))
        self.model.countChanged.connect(lambda _n: self._update_summary())
        self.table.doubleClicked.connect(lambda index: self.open_staff(self.model.data(index, ROW_ROLE)))
        self.add_button.clicked.connect(self.add_staff)
        self.edit_button.clicked.connect(lambda: self.open_staff(self.selected_row()))
        self.refresh_button.clicked.connect(self.model.refresh)
        export_menu = QMenu(self.export_button)
        self.export_shown_action = export_menu.addAction(self.tr("按表格当前的列导出…"))
        self.export_template_action = export_menu.addAction(self.tr("按导入模板的列导出（可修改后再导入）…"))
        self.export_button.setMenu(export_menu)
        self.export_shown_action.triggered.connect(
            lambda: export_xlsx(self, self.db, self.model, area_title(self.area, self.tr("网格力量花名册")),
                                full_numbers=self.show_full.isChecked()))
        self.export_template_action.triggered.connect(self.export_template)
        self.print_button.clicked.connect(lambda: print_pdf(self, self.db, self.model,
                                                            area_title(self.area, self.tr("网格力量花名册")),
                                                            full_numbers=self.show_full.isChecked()))
        self.staffing_button.clicked.connect(self.show_staffing)
        self.expiring_button.clicked.connect(self.show_expiring)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.model.refresh)
        self._update_summary()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.reload_code_filters()
        super().showEvent(event)

    def reload_code_filters(self) -> None:
        """Re-read the editable code lists (roles, skill levels) into their
        filter drop-downs, keeping the current choice, so edits made in the
        settings show up when the page is shown again."""
        choices = code_choices(self.db, "staff_role", "skill_level")
        for combo, key in ((self.role, "staff_role"), (self.skill, "skill_level")):
            items = [(combo.itemData(i), combo.itemText(i)) for i in range(1, combo.count())]
            if items == choices[key]:
                continue
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for code, label in choices[key]:
                combo.addItem(label, code)
            found = select_data(combo, current)
            combo.blockSignals(False)
            if not found:
                combo.setCurrentIndex(0)  # the chosen value is gone: show everyone again

    # -- filtering -------------------------------------------------------
    def show_area(self, area_id: int) -> bool:
        """Filter the roster to one area (drill-down from the grid tree)."""
        return select_data(self.area, area_id)

    def _empty_text(self) -> str:
        filtered = bool(self.search.text().strip()) or any(
            combo.currentIndex() != 0 for combo in (self.area, self.role, self.employment, self.status,
                                                    self.skill, self.political, self.age))
        if filtered:
            return self.tr("没有符合条件的人员。可以清空查找内容，或放宽上面的筛选条件。")
        return self.tr("还没有网格员。可以点击“新增人员”，或在“数据导入”中导入花名册。")

    def current_filter(self) -> RosterFilter:
        """The filter the widgets describe."""
        return RosterFilter(
            search=self.search.text(), area_id=self.area.currentData(), role=self.role.currentData() or None,
            employment_type=self.employment.currentData() or None, statuses=self._statuses(),
            skill_level=self.skill.currentData() or None, political_status=self.political.currentData() or None,
            age_band=self.age.currentData())

    def _statuses(self) -> tuple[str, ...]:
        choice = self.status.currentData()
        return SERVING if choice == STATUS_SERVING else () if choice == STATUS_ALL else (choice,)

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        if self.model.rowCount():
            self.table.scrollToTop()

    def _update_summary(self) -> None:
        count = self.model.rowCount()
        if self.current_filter() == RosterFilter():
            # counted again after a refresh or a filter change, not after a sort (0.4 s at 100,000 staff)
            generation = self.model.data_generation
            if self._on_post is None or self._on_post[0] != generation:
                self._on_post = (generation, self.on_post_count())
            on_post = self._on_post[1]
            text = self.tr("在岗 {n:,} 人").format(n=on_post.on_post)
            if on_post.on_leave:
                text += self.tr("（另有休假 {n:,} 人）").format(n=on_post.on_leave)
            if count > on_post.on_post:
                text += self.tr("，另有 {n:,} 人状态为在岗但尚未分配网格").format(n=count - on_post.on_post)
        else:
            text = self.tr("共 {n:,} 人").format(n=count) + self.tr("（已按条件筛选）")
        text += self.tr("　双击一行查看或编辑；点击列标题排序。")
        self.summary.setText(text)

    def on_post_count(self):
        """在岗 and 休假 beside it (``roster.on_post``), for the summary line."""
        from gridadmin.services.roster.on_post import on_post_today

        return on_post_today(self.db)

    # -- actions ---------------------------------------------------------
    def selected_row(self) -> RosterRow | None:
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def open_staff(self, row: RosterRow | None) -> None:
        if row is None:
            return
        dialog = StaffDialog(self.db, row.id, self)
        dialog.exec()
        dialog.deleteLater()
        self.model.refresh()  # assignments may have changed even when cancelled
        self.select_staff(row.id)

    def add_staff(self) -> None:
        dialog = StaffDialog(self.db, None, self)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        saved_id = dialog.saved_id
        dialog.deleteLater()
        if accepted and saved_id is not None:
            self.model.refresh()
            self.select_staff(saved_id)

    def export_template(self) -> Path | None:
        """The people the filter shows, in the staff import template's
        columns (a corrected copy imports again)."""
        return export_kind_xlsx(self, self.db, "staff", self.tr("网格力量花名册（导入模板格式）"),
                                full_numbers=self.show_full.isChecked(), roster_filter=self.model.query.filter)

    def show_staffing(self) -> None:
        run_dialog(StaffingDialog(self.db, self))

    def show_expiring(self) -> None:
        run_dialog(ExpiringCertificatesDialog(self.db, self))
        self.model.refresh()  # a holder may have been edited

    def select_staff(self, staff_id: int, *, look_ahead: int = 1000) -> bool:
        """Select the row of ``staff_id`` if it is among the first rows shown."""
        for row in range(min(self.model.rowCount(), look_ahead)):
            item = self.model.row_at(row)
            if item is not None and item.id == staff_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return True
        return False
