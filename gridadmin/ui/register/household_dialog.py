"""户卡: one household's address, number, type, flags and phone, and its
members with their relation to the head. Members are edited in the table
(typing an ID number fills birth date and gender); leaving the household
goes through the life-event buttons (迁出, 死亡, 户间迁移). 打印户卡 saves
the card as a PDF (masked numbers unless 打印完整号码 is ticked).

With ``household_id`` None the dialog is an empty card for a new household
(新建住户): number, grid, address and at least its head (one blank member
row, relation 户主, is ready); printing and life events wait for the first
save, after which the dialog goes on as the saved household's card."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QGridLayout, QGroupBox,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID
from gridadmin.services.common.errors import ConflictError, IdentityConflict, ServiceError
from gridadmin.services.register.household_rules import HEAD_RELATIONS
from gridadmin.services.register.households import FLAGS, HouseholdCard, HouseholdData, MemberData, PlausibilityError, \
    load_household, save_household
from gridadmin.services.common.idcard import mask_id_number, mask_phone
from gridadmin.services.register.residents import may_see_full_numbers
from gridadmin.services.reports.submission import submitted_month_notice
from gridadmin.services.roster.listing import area_options
from gridadmin.services.roster.staff import code_choices, id_facts, parse_form_date
from gridadmin.ui.common.conflict import offer_reload
from gridadmin.ui.common.widgets import fit_place_combo, run_dialog, set_form_tab_order
from gridadmin.ui.common.file_dialogs import ask_save_path

COLUMNS = ("姓名", "公民身份号码", "性别", "出生日期", "与户主关系", "人口类别", "联系电话")
NAME, ID_NUMBER, GENDER, BIRTH, RELATION, CATEGORY, PHONE = range(len(COLUMNS))
MEMBER_ROLE = Qt.ItemDataRole.UserRole + 1


def _combo(items: list[tuple[str, str]], value: str | None, blank: str = "（未填）") -> QComboBox:
    combo = QComboBox()
    combo.addItem(blank, "")
    for code, label in items:
        combo.addItem(label, code)
    combo.setCurrentIndex(max(0, combo.findData(value or "")))
    return combo


class HouseholdDialog(QDialog):
    """The card of ``household_id``, or with ``household_id`` None an empty
    card for a new household in ``area_id`` (default: the first grid
    offered). ``changed`` is true after a save or a life event (the caller
    refreshes its list); ``household_id`` is the saved household's id."""

    def __init__(self, db: Database, household_id: int | None, parent: QWidget | None = None, *,
                 area_id: int | None = None):
        super().__init__(parent)
        self.db = db
        self.household_id = household_id
        self.new_area_id = area_id
        self.changed = False
        self.full = may_see_full_numbers(db)
        self.choices = code_choices(db, "gender", "relation", "resident_category", "household_type")
        self.choices["gender"] = [c for c in self.choices["gender"] if c[0] in ("1", "2")]
        self.setMinimumSize(900, 600)

        self.household_no = QLineEdit()
        self.household_no.setMinimumWidth(self.household_no.fontMetrics().horizontalAdvance("0" * 20) + 12)
        self.area = QComboBox()
        self.first_grid_id: int | None = None  # a new household's default place
        for option in area_options(db, levels=(LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID)):
            self.area.addItem(option.label, option.id)
            if option.level == LEVEL_GRID and self.first_grid_id is None:
                self.first_grid_id = option.id
        fit_place_combo(self.area, 20)
        self.household_type = _combo(self.choices["household_type"], None)
        self.phone = QLineEdit()
        self.parts = {key: QLineEdit() for key in ("compound", "building", "unit", "room", "village_group", "door_no")}
        self.flags = {key: QCheckBox(label) for key, label in FLAGS}
        self.members = QTableWidget(0, len(COLUMNS))
        self.members.setHorizontalHeaderLabels([self.tr("姓名"), self.tr("公民身份号码"), self.tr("性别"), self.tr("出生日期"),
                                                self.tr("与户主关系"), self.tr("人口类别"), self.tr("联系电话")])
        self.members.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.members.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.members.verticalHeader().hide()
        header = self.members.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((NAME, 80), (ID_NUMBER, 170), (GENDER, 60), (BIRTH, 100), (RELATION, 170),
                              (CATEGORY, 100)):
            self.members.setColumnWidth(column, width)
        self.members.cellChanged.connect(self._cell_changed)

        self.add_button = QPushButton(self.tr("添加成员(&A)"))
        self.move_out_button = QPushButton(self.tr("迁出…"))
        self.death_button = QPushButton(self.tr("死亡登记…"))
        self.transfer_button = QPushButton(self.tr("户间迁移…"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        self.print_button = QPushButton(self.tr("打印户卡…"))
        self.print_full = QCheckBox(self.tr("打印完整号码"))
        self.print_full.setVisible(self.full)
        self.buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        # The day a new household and the members added now came (not the day they are typed in).
        self.effective_day = QDateEdit(QDate.currentDate())
        self.effective_day.setCalendarPopup(True)
        self.effective_day.setDisplayFormat("yyyy-MM-dd")
        self.effective_day.setMaximumDate(QDate.currentDate())
        self.effective_day.setToolTip(self.tr("新户和本次新增成员的登记日期、成员人口类别变更的生效日期"
                                              "（月报按此日期统计），默认今天"))
        self.print_button.clicked.connect(self.print_card)
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)
        self.add_button.clicked.connect(lambda: self._add_row(MemberData(None, "", category="1")))
        self.move_out_button.clicked.connect(lambda: self._event("move_out"))
        self.death_button.clicked.connect(lambda: self._event("death"))
        self.transfer_button.clicked.connect(lambda: self._event("transfer"))

        layout = QVBoxLayout(self)
        layout.addWidget(self._household_box())
        members_box = QGroupBox(self.tr("家庭成员"))
        box_layout = QVBoxLayout(members_box)
        box_layout.addWidget(self.members)
        row = QHBoxLayout()
        for button in (self.add_button, self.move_out_button, self.death_button, self.transfer_button):
            row.addWidget(button)
        row.addStretch(1)
        box_layout.addLayout(row)
        layout.addWidget(members_box, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.print_full)
        bottom.addWidget(self.buttons, 1)
        layout.addLayout(bottom)
        self.load()

    def _household_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("户信息"))
        grid = QGridLayout(box)
        cells = [(self.tr("户号"), self.household_no), (self.tr("所属网格"), self.area),
                 (self.tr("户别"), self.household_type), (self.tr("联系电话"), self.phone),
                 (self.tr("小区"), self.parts["compound"]), (self.tr("楼栋"), self.parts["building"]),
                 (self.tr("单元"), self.parts["unit"]), (self.tr("室"), self.parts["room"]),
                 (self.tr("村民小组"), self.parts["village_group"]), (self.tr("门牌号"), self.parts["door_no"]),
                 (self.tr("登记日期"), self.effective_day)]
        for position, (label, widget) in enumerate(cells):
            r, c = divmod(position, 4)
            grid.addWidget(QLabel(label), r, c * 2)
            grid.addWidget(widget, r, c * 2 + 1)
        flags = QHBoxLayout()
        for box_widget in self.flags.values():
            flags.addWidget(box_widget)
        flags.addStretch(1)
        grid.addLayout(flags, 3, 0, 1, 8)
        self.form_layouts = (grid,)
        set_form_tab_order(grid)  # row by row across the four columns, then the flags
        return box

    # -- loading ---------------------------------------------------------
    @property
    def is_new(self) -> bool:
        return self.household_id is None

    def _blank_card(self) -> HouseholdCard:
        """An unsaved household with one blank head row."""
        known = self.new_area_id is not None and self.area.findData(self.new_area_id) >= 0
        area_id = self.new_area_id if known else self.first_grid_id
        head = MemberData(None, "", relation=HEAD_RELATIONS[1], category="1")
        return HouseholdCard(0, 0, HouseholdData(household_no="", area_id=area_id), "", (head,))

    def load(self) -> None:
        new = self.is_new
        self.card = self._blank_card() if new else load_household(self.db, self.household_id)
        data = self.card.data
        self.setWindowTitle(self.tr("新建住户") if new else
                            self.tr("户卡：{no}（{area}）").format(no=data.household_no, area=self.card.area_label))
        for button in (self.move_out_button, self.death_button, self.transfer_button, self.print_button):
            button.setEnabled(not new)
        self.household_no.setText(data.household_no)
        self.area.setCurrentIndex(max(0, self.area.findData(data.area_id)))
        self.household_type.setCurrentIndex(max(0, self.household_type.findData(data.household_type or "")))
        self.phone.setText(data.phone if self.full else mask_phone(data.phone))
        self.phone.setReadOnly(not (self.full or new))
        for key, edit in self.parts.items():
            edit.setText(getattr(data, key))
        for key, check in self.flags.items():
            check.setChecked(key in data.flags)
        self.members.setRowCount(0)
        for member in self.card.members:
            self._add_row(member)

    def _add_row(self, m: MemberData) -> None:
        self.members.blockSignals(True)
        row = self.members.rowCount()
        self.members.insertRow(row)
        name = QTableWidgetItem(m.name)
        name.setData(MEMBER_ROLE, m)
        self.members.setItem(row, NAME, name)
        masked = not self.full and m.id is not None
        for column, text in ((ID_NUMBER, mask_id_number(m.id_number) if masked else m.id_number),
                             (BIRTH, m.birth_date.isoformat() if m.birth_date else ""),
                             (PHONE, mask_phone(m.phone) if masked else m.phone)):
            item = QTableWidgetItem(text)
            if masked and column != BIRTH:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.members.setItem(row, column, item)
        self.members.setCellWidget(row, GENDER, _combo(self.choices["gender"], m.gender))
        self.members.setCellWidget(row, RELATION, _combo(self.choices["relation"], m.relation))
        self.members.setCellWidget(row, CATEGORY, _combo(self.choices["resident_category"], m.category))
        self.members.blockSignals(False)

    def _cell_changed(self, row: int, column: int) -> None:
        if column != ID_NUMBER:
            return
        facts = id_facts(self.members.item(row, ID_NUMBER).text())
        if facts is None:
            return
        self.members.blockSignals(True)
        self.members.item(row, ID_NUMBER).setText(facts.normalized)
        self.members.item(row, BIRTH).setText(facts.birth_date.isoformat())
        gender = self.members.cellWidget(row, GENDER)
        gender.setCurrentIndex(max(0, gender.findData(facts.gender)))
        self.members.blockSignals(False)

    # -- saving ----------------------------------------------------------
    def typed_members(self) -> list[MemberData]:
        members = []
        for row in range(self.members.rowCount()):
            old: MemberData = self.members.item(row, NAME).data(MEMBER_ROLE)
            masked = not self.full and old.id is not None
            text = {c: self.members.item(row, c).text() for c in (NAME, ID_NUMBER, BIRTH, PHONE)}
            members.append(MemberData(
                id=old.id, version=old.version, name=text[NAME],
                id_number=old.id_number if masked else text[ID_NUMBER],
                phone=old.phone if masked else text[PHONE],
                birth_date=parse_form_date(text[BIRTH], f"“{text[NAME]}”的出生日期", "birth_date"),
                gender=self.members.cellWidget(row, GENDER).currentData() or None,
                relation=self.members.cellWidget(row, RELATION).currentData() or None,
                category=self.members.cellWidget(row, CATEGORY).currentData() or None,
                ethnicity=old.ethnicity, id_type=old.id_type))
        return members

    def typed_household(self) -> HouseholdData:
        return HouseholdData(
            household_no=self.household_no.text(), area_id=self.area.currentData(),
            household_type=self.household_type.currentData() or None,
            phone=self.phone.text() if self.full or self.is_new else self.card.data.phone, note=self.card.data.note,
            flags=frozenset(k for k, check in self.flags.items() if check.isChecked()),
            **{k: e.text() for k, e in self.parts.items()})

    def try_save(self, *, confirmed: bool = False) -> bool:
        stored = {m.id: m.category or None for m in (self.card.members if not self.is_new else ())}
        added = any(m.id is None or (m.category or None) != stored.get(m.id) for m in self.typed_members())
        try:
            saved = save_household(self.db, self.household_id, self.typed_household(), self.typed_members(),
                                   expected_version=None if self.is_new else self.card.version,
                                   confirmed=confirmed, on=self.effective_day.date().toPython())
        except PlausibilityError as exc:
            answer = QMessageBox.question(self, self.tr("请核对"), exc.message + self.tr("\n\n仍然保存吗？"))
            return answer == QMessageBox.StandardButton.Yes and self.try_save(confirmed=True)
        except IdentityConflict as exc:  # another clerk just registered that number: correct it, keep the form
            QMessageBox.warning(self, self.tr("不能保存"), exc.message)
            return False
        except ConflictError as exc:
            if offer_reload(self, exc):
                self.load()
            return False
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("不能保存"), exc.message)
            return False
        self.changed = True
        self.household_id = saved
        self.load()
        self._submitted_month_notice(added)
        return True

    def _submitted_month_notice(self, added: bool) -> str | None:
        """New members (or members whose category changed) count from the
        card's 登记日期: when that day falls in a submitted month, say that
        they count as 更正 next month."""
        if not added:
            return None
        notice = submitted_month_notice(self.db, self.effective_day.date().toPython(), self.card.data.area_id)
        if notice:
            QMessageBox.information(self, self.tr("已上报月份"), notice)
        return notice

    # -- printing --------------------------------------------------------
    def print_card(self) -> Path | None:
        """Ask where, then print the saved card as a PDF (IDs and phones
        masked unless 打印完整号码 is ticked)."""
        from gridadmin.services.reports.household_card import household_card_pdf
        from gridadmin.ui.common.pdf_viewer import show_pdf

        path = ask_save_path(self, self.tr("保存户卡 PDF"), f"户卡_{self.card.data.household_no}.pdf",
                             self.tr("PDF 文件 (*.pdf)"), ".pdf")
        if not path:
            return None
        try:
            household_card_pdf(self.db, self.household_id, Path(path),
                               full_numbers=self.full and self.print_full.isChecked())
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("不能打印"), exc.message)
            return None
        self.pdf_preview = show_pdf(self, path, self.tr("户卡 — {no}").format(no=self.card.data.household_no),
                                self.tr("户卡已保存到 {path}").format(path=path))
        return Path(path)

    # -- life events -----------------------------------------------------
    def selected_member(self) -> MemberData | None:
        row = self.members.currentRow()
        item = self.members.item(row, NAME) if row >= 0 else None
        member = item.data(MEMBER_ROLE) if item else None
        return member if member is not None and member.id is not None else None

    def _event(self, kind: str) -> None:
        from gridadmin.ui.register.event_dialogs import EventDialog

        member = self.selected_member()
        if member is None:
            QMessageBox.information(self, self.tr("请选择成员"), self.tr("请先在成员列表中选中一位已保存的成员。"))
            return
        dialog = EventDialog(self.db, kind, member, self.choices["relation"], self, area_id=self.card.data.area_id)
        if run_dialog(dialog):
            self.changed = True
            self.load()
