"""人口信息: four tabs — 人员 (every resident in a lazily loaded table,
searched as you type and filtered in SQL; double-click opens the resident's
form, 打开户卡 the household card, 新增居民 registers a new person in a
chosen or new household), 住户 (the households list), 房屋 (the houses
and rentals list, ``houses_panel``) and
人群统计 (counts per group kind — 特殊人群, 重点人员, 关怀对象 — and community;
a click filters 人员)."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateEdit, QLabel, QPushButton, QTableView,
    QTabWidget, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.models.household import PERSON_ACTIVE, PERSON_STATUSES
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.register.residents import AGE_BANDS, ResidentFilter, ResidentRow, may_see_full_numbers, \
    resident_columns, resident_source
from gridadmin.services.roster.staff import code_choices
from gridadmin.services.register.tags import tag_choices
from gridadmin.ui.common.column_chooser import remember_columns
from gridadmin.ui.common.export_actions import export_xlsx
from gridadmin.ui.common.widgets import (
    NOTICE_STYLE, EmptyState, area_filter_combo, area_title, filter_combo, notify, search_box, select_data,
    setup_lazy_table,
)
from gridadmin.ui.common.flow_layout import flow_row, joined
from gridadmin.ui.common.lazy_table_model import ROW_ROLE, LazyTableModel

ALL = ""
STATUS_ALL = "all"
TAB_PEOPLE, TAB_HOUSEHOLDS, TAB_HOUSES, TAB_GROUPS = range(4)


def last_month_end(today: date | None = None) -> date:
    """The last day of the previous month (the 截至日期 offered first)."""
    return (today or date.today()).replace(day=1) - timedelta(days=1)


class ResidentsPage(QWidget):
    """Search box, filter combos, the residents table and a summary line."""

    page_name = "residents"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        choices = code_choices(db, "resident_category", "gender")

        self.search = search_box(self.tr("查找：姓名、拼音或首字母（如 zs）、证件号码、联系电话、户号、地址"))
        self.area = area_filter_combo(db)
        self.category = filter_combo(self.tr("全部人口类别"), choices["resident_category"])
        self.status = QComboBox()
        for status in PERSON_STATUSES:
            self.status.addItem(status, status)
        self.status.addItem(self.tr("全部状态"), STATUS_ALL)
        self.age = QComboBox()
        self.age.addItem(self.tr("全部年龄"), None)
        for label, low, high in AGE_BANDS:
            self.age.addItem(label, (low, high))
        self.gender = filter_combo(self.tr("男和女"), [c for c in choices["gender"] if c[0] in ("1", "2")])
        self.tag = QComboBox()
        self.tag.addItem(self.tr("全部（不限人群类别）"), None)
        for kind_id, name in tag_choices(db):
            self.tag.addItem(name, kind_id)
        # 截至日期: the register as of a past day (the monthly report's history)
        self.as_of_check = QCheckBox(self.tr("截至日期"))
        self.as_of_check.setToolTip(self.tr("勾选后列出该日在册的人员（按当时的户籍和迁移记录推算）"))
        self.as_of_date = QDateEdit(QDate(last_month_end()))
        self.as_of_date.setCalendarPopup(True)
        self.as_of_date.setDisplayFormat("yyyy-MM-dd")
        self.as_of_date.setMaximumDate(QDate.currentDate())
        self.as_of_date.setEnabled(False)
        self.show_full = QCheckBox(self.tr("显示完整号码"))
        self.show_full.setToolTip(self.tr("证件号码和联系电话默认只显示部分数字"))
        self.show_full.setVisible(may_see_full_numbers(db))
        self.open_button = QPushButton(self.tr("打开户卡(&O)"))
        self.add_button = QPushButton(self.tr("新增居民…"))
        self.add_button.setToolTip(self.tr("选择所在户（或新建住户），再填写居民信息"))
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        self.summary = QLabel()
        self.notice = QLabel()
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.hide()

        self.model = LazyTableModel(resident_source(db), resident_columns(False),
                                    query=PageQuery(self.current_filter(), "name"), parent=self)
        self.table = QTableView()
        setup_lazy_table(self.table, self.model, sort_key="name")
        self.column_layout = remember_columns(self.table, "residents")
        self.empty_state = EmptyState(self.table, self._empty_text)

        filters = flow_row(self.search, self.area, self.category, self.status,
                           joined(self.as_of_check, self.as_of_date), self.age, self.gender, self.tag, self.show_full)
        more = flow_row(self.add_button, self.open_button, self.export_button, self.refresh_button)
        self.people_tab = QWidget()
        people = QVBoxLayout(self.people_tab)
        people.setContentsMargins(0, 6, 0, 0)
        people.addLayout(filters)
        people.addLayout(more)
        people.addWidget(self.table, 1)
        people.addWidget(self.summary)
        people.addWidget(self.notice)
        # The other tabs are built on first visit (opening the page stays one COUNT).
        self.tabs = QTabWidget()
        self.tabs.addTab(self.people_tab, self.tr("居民"))
        self._panels: dict[int, QWidget] = {}
        for title_text in (self.tr("住户"), self.tr("房屋"), self.tr("人群统计")):
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, title_text)
        self.tabs.currentChanged.connect(self._tab_shown)
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("人口信息"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)

        self.search.textChanged.connect(lambda _text: self.apply_filter())
        for combo in (self.area, self.category, self.status, self.age, self.gender, self.tag):
            combo.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.as_of_check.toggled.connect(self._as_of_toggled)
        self.as_of_date.dateChanged.connect(lambda _d: self.as_of_check.isChecked() and self.apply_filter())
        self.show_full.toggled.connect(lambda checked: self.model.set_columns(resident_columns(checked)))
        self.model.countChanged.connect(lambda _n: self._update_summary())
        self.table.doubleClicked.connect(lambda index: self.open_resident(self.model.data(index, ROW_ROLE)))
        self.open_button.clicked.connect(lambda: self.open_household(self.selected_row()))
        self.add_button.clicked.connect(self.add_resident)
        self.export_button.clicked.connect(lambda: export_xlsx(self, self.db, self.model, self._export_title(),
                                                               full_numbers=self.show_full.isChecked()))
        self.refresh_button.clicked.connect(self.model.refresh)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.model.refresh)
        self._update_summary()

    # -- tabs ------------------------------------------------------------
    def _tab_shown(self, index: int) -> None:
        if index != TAB_PEOPLE:
            self.panel(index)

    def panel(self, index: int) -> QWidget:
        """The widget of tab ``index``, built on first use (住户 and
        人群统计 are not built until they are wanted)."""
        if index == TAB_PEOPLE:
            return self.people_tab
        panel = self._panels.get(index)
        if panel is None:
            if index == TAB_HOUSEHOLDS:
                from gridadmin.ui.register.households_panel import HouseholdsPanel

                panel = HouseholdsPanel(self.db, self, on_changed=self._changed)
            elif index == TAB_HOUSES:
                from gridadmin.ui.register.houses_panel import HousesPanel

                panel = HousesPanel(self.db, self, on_changed=self._changed)
            else:
                from gridadmin.ui.register.special_groups_panel import SpecialGroupsPanel

                panel = SpecialGroupsPanel(self.db, self, on_cell=self.show_tag_in_area)
            self._panels[index] = panel
            self.tabs.widget(index).layout().addWidget(panel)
        return panel

    @property
    def households(self):
        """The 住户 tab (``HouseholdsPanel``)."""
        return self.panel(TAB_HOUSEHOLDS)

    @property
    def houses(self):
        """The 房屋 tab (``HousesPanel``)."""
        return self.panel(TAB_HOUSES)

    @property
    def special_groups(self):
        """The 人群统计 tab (``SpecialGroupsPanel``)."""
        return self.panel(TAB_GROUPS)

    def show_tag_in_area(self, tag_kind_id: int | None, area_id: int | None, as_of: date | None = None) -> None:
        """Show the 人员 tab filtered to one special group in one area
        (a click on a count of the 人群统计 tab); ``as_of`` a past day
        lists the register of that day, else today's."""
        self.set_as_of(as_of, apply=False)
        self.area.blockSignals(True)
        if area_id is None:
            self.area.setCurrentIndex(0)
        else:
            select_data(self.area, area_id)
        self.area.blockSignals(False)
        self.status.blockSignals(True)
        select_data(self.status, PERSON_ACTIVE)
        self.status.blockSignals(False)
        if tag_kind_id is None:
            self.tag.setCurrentIndex(0)
        else:
            select_data(self.tag, tag_kind_id)
        self.apply_filter()
        self.tabs.setCurrentIndex(TAB_PEOPLE)

    # -- filtering -------------------------------------------------------
    def show_area(self, area_id: int) -> bool:
        """Filter the lists to one area (drill-down from the grid tree)."""
        for tab in (TAB_HOUSEHOLDS, TAB_HOUSES):
            if tab in self._panels:
                self._panels[tab].show_area(area_id)
        return select_data(self.area, area_id)

    def as_of(self) -> date | None:
        """The 截至日期 chosen, or None for today's register."""
        return self.as_of_date.date().toPython() if self.as_of_check.isChecked() else None

    def set_as_of(self, day: date | None, *, apply: bool = True) -> None:
        """List the register as of ``day`` (None: today's)."""
        for widget in (self.as_of_check, self.as_of_date):
            widget.blockSignals(True)
        if day is not None:
            self.as_of_date.setDate(QDate(day))
        self.as_of_check.setChecked(day is not None)
        for widget in (self.as_of_check, self.as_of_date):
            widget.blockSignals(False)
        self.as_of_date.setEnabled(day is not None)
        self.status.setEnabled(day is None)
        if apply:
            self.apply_filter()

    def _as_of_toggled(self, checked: bool) -> None:
        self.as_of_date.setEnabled(checked)
        self.status.setEnabled(not checked)  # as of a day everyone listed was 在册 then
        self.apply_filter()

    def current_filter(self) -> ResidentFilter:
        status = self.status.currentData()
        as_of = self.as_of()
        return ResidentFilter(
            search=self.search.text(), area_id=self.area.currentData(), category=self.category.currentData() or None,
            status=None if status == STATUS_ALL or as_of is not None else status, age_band=self.age.currentData(),
            gender=self.gender.currentData() or None, tag_kind_id=self.tag.currentData(), as_of=as_of)

    def _empty_text(self) -> str:
        f = self.current_filter()
        filtered = (bool(f.search.strip()) or f.area_id is not None or f.category is not None or f.age_band is not None
                    or f.gender is not None or f.tag_kind_id is not None or f.as_of is not None
                    or f.status != PERSON_ACTIVE)
        if filtered:
            return self.tr("没有符合条件的居民。可以清空查找内容，或放宽上面的筛选条件。")
        return self.tr("还没有居民。可以在“数据导入”中导入户籍表，或点击“新增居民”。")

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        if self.model.rowCount():
            self.table.scrollToTop()

    def _export_title(self) -> str:
        as_of = self.as_of()
        base = self.tr("人口信息") if as_of is None else self.tr("人口信息（截至{day}）").format(day=as_of.isoformat())
        return area_title(self.area, base)

    def _update_summary(self) -> None:
        as_of = self.as_of()
        estimate = self.model.count_estimate
        if estimate is not None:  # a large result: its exact count is on its way (off the UI thread)
            if estimate.at_least:
                text = self.tr("超过 {n:,} 人（正在统计准确人数…）").format(n=estimate.n - 1)
            else:
                text = self.tr("约 {n:,} 人（估计数，正在统计准确人数…）").format(n=estimate.n)
        elif as_of is not None:
            text = self.tr("截至 {day} 在册 {n:,} 人").format(day=as_of.isoformat(), n=self.model.rowCount())
        else:
            text = self.tr("共 {n:,} 人").format(n=self.model.rowCount())
        unfiltered = ResidentFilter(status=None, as_of=as_of) if as_of else ResidentFilter(status=PERSON_ACTIVE)
        if self.current_filter() != unfiltered:
            text += self.tr("（已按条件筛选）")
        text += self.tr("　双击一行打开居民信息；点击列标题排序。")
        self.summary.setText(text)

    # -- actions ---------------------------------------------------------
    def selected_row(self) -> ResidentRow | None:
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def open_household(self, row: ResidentRow | None) -> None:
        if row is None or row.household_id is None:
            return
        from gridadmin.ui.register.household_dialog import HouseholdDialog

        dialog = HouseholdDialog(self.db, row.household_id, self)
        dialog.exec()
        changed = dialog.changed
        dialog.deleteLater()  # free the card (and its cell widgets) now, not at exit
        if changed:
            self._changed()

    def open_resident(self, row: ResidentRow | None) -> None:
        """The resident's full form (timeline and tags included)."""
        if row is None:
            return
        from gridadmin.ui.register.resident_dialog import ResidentDialog

        dialog = ResidentDialog(self.db, row.id, self)
        dialog.exec()
        changed = dialog.changed
        dialog.deleteLater()
        if changed:
            self._changed()

    def add_resident(self) -> None:
        """新增居民: choose (or create) the household, then fill the form
        (``ui/register/new_resident.py``); the lists refresh after a save."""
        from gridadmin.ui.register.new_resident import add_resident_flow

        message = add_resident_flow(self.db, self, area_id=self.area.currentData())
        if message:
            self._changed()
            notify(self, message)
            self.notice.setText(message)  # on the page too: seen without looking down at the status bar
            self.notice.show()

    def _changed(self) -> None:
        self.model.refresh()
        for panel in self._panels.values():
            panel.refresh()
