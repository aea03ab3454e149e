"""居民信息: one resident's full record (all fields; the 流动人口 fields
only for 流动人口 and 境外人员), their special-group tags and their
timeline (life events and tag changes).

证件类型 (居民身份证 by default; 护照, 通行证 … for 境外人员): typing a
居民身份证 number fills birth date and gender; other documents leave them
to be typed, and 国籍 and 证件有效期 show for them. Refusals are shown in
the dialog, which keeps what was typed. ID number and phone are masked and
read-only for users who may not see full numbers (the stored values are
kept). Relation to the head, household and status belong to the household
card and the life events, so they are shown here read-only.

``ResidentDialog.new_member(db, household_id)`` is the same form for a new
resident of that household (新增居民): the relation to the head is chosen
here, tags and timeline wait until the first save, after which the dialog
goes on as the saved person's form. ``ResidentDialog.at_house(db,
house_id)`` is the form of a new resident without a 户 (流动人口, 境外人员,
未落户人口) living at that house.

现住房屋 shows where the person lives; 更换… records a dated move (住所变更,
from the 变更生效日期) to another house."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QCompleter, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
    QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QTabWidget,
    QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.models.household import ARRIVAL_EVENTS, PERSON_ACTIVE
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.register.dwellers import add_resident_at_house, move_house
from gridadmin.services.register.houses import load_house
from gridadmin.services.register.households import PlausibilityError, load_household
from gridadmin.services.common.id_types import COMMON_NATIONALITIES, ID_CARD, ID_TYPES
from gridadmin.services.common.idcard import mask_id_number, mask_phone
from gridadmin.services.register.life_events import resident_history
from gridadmin.services.register.resident_record import (
    CATEGORY_FLOATING, CATEGORY_OVERSEAS, INFLOW_CATEGORIES, ResidentData, ResidentRecord, add_resident, load_resident,
    save_resident,
)
from gridadmin.services.register.residents import may_see_full_numbers
from gridadmin.services.roster.staff import code_choices, parse_form_date
from gridadmin.services.register.tags import group_kinds, person_tags, set_person_tags
from gridadmin.services.reports.submission import submitted_month_notice
from gridadmin.ui.register.group_fields_panel import GroupFieldsPanel
from gridadmin.ui.common.widgets import (
    NOTICE_STYLE, error_label, set_form_tab_order, setup_table, show_error, show_id_facts,
)

CODE_LISTS = ("gender", "ethnicity", "relation", "resident_category", "residence_status", "political", "education",
              "marital")
_COMBOS = {"gender": "gender", "ethnicity": "ethnicity", "category": "resident_category",
           "residence_status": "residence_status", "political_status": "political", "education": "education",
           "marital_status": "marital"}
_TEXTS = ("hukou_place", "occupation", "employer", "inflow_reason", "origin_place", "residence_permit_no",
          "dwelling_type", "nationality", "note")
_DATES = {"birth_date": "出生日期", "inflow_date": "流入时间", "residence_permit_expires": "居住证有效期",
          "document_valid_until": "证件有效期至"}


def _combo(items: list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    combo.addItem(QCoreApplication.translate("ResidentDialog", "（未填）"), "")
    for code, label in items:
        combo.addItem(label, code)
    return combo


def _date_text(day: date | None) -> str:
    return day.isoformat() if day else ""


class ResidentDialog(QDialog):
    """The form of ``person_id``, or with ``person_id`` None and
    ``household_id`` the form of a new member of that household (see the
    module doc; ``new_member``). ``changed`` is true after a save (the
    caller refreshes its lists); ``person_id`` is the saved person's id."""

    def __init__(self, db: Database, person_id: int | None, parent: QWidget | None = None, *,
                 household_id: int | None = None, house_id: int | None = None):
        super().__init__(parent)
        if person_id is None and household_id is None and house_id is None:
            raise ValueError("a new resident needs a household or a house")
        self.db = db
        self.person_id = person_id
        self.new_household_id = household_id if person_id is None else None
        self.new_house_id = house_id if person_id is None and household_id is None else None
        self.changed = False
        self.saved_message = ""  # what the last save did, for the caller's status bar
        self.full = may_see_full_numbers(db)
        self.choices = code_choices(db, *CODE_LISTS)
        self.choices["gender"] = [c for c in self.choices["gender"] if c[0] in ("1", "2")]
        self.setMinimumSize(860, 600)

        self.name = QLineEdit()
        self.name.setMaxLength(50)
        self.id_type = QComboBox()
        for code, label, _aliases in ID_TYPES:
            self.id_type.addItem(label, code)
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(22)
        self.id_hint = QLabel()
        self.id_hint.setStyleSheet("color: #666;")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("手机号或 0377-63123456"))
        self.other_phone = QLineEdit()
        self.other_phone.setPlaceholderText(self.tr("第二个号码（可不填）"))
        self.combos = {key: _combo(self.choices[list_key]) for key, list_key in _COMBOS.items()}
        self.texts = {key: QLineEdit() for key in _TEXTS}
        self.dates = {key: QLineEdit() for key in _DATES}
        for edit in self.dates.values():
            edit.setPlaceholderText(self.tr("年-月-日（未填）"))  # empty looks empty, never like a date
            edit.setToolTip(self.tr("如 1990-01-31；不知道可不填"))
        self.texts["hukou_place"].setPlaceholderText(self.tr("如：河南省南阳市宛城区"))
        self.texts["nationality"].setCompleter(QCompleter(list(COMMON_NATIONALITIES), self))
        self.texts["nationality"].setPlaceholderText(self.tr("如：韩国、中国香港"))
        self.household_label = QLabel()
        self.house_label = QLabel()
        self.house_label.setWordWrap(True)
        self.house_button = QPushButton(self.tr("更换…"))
        self.house_button.setToolTip(self.tr("登记搬到另一处房屋（按变更生效日期）"))
        self.relation_label = QLabel()
        self.relation = _combo(self.choices["relation"])  # chosen here for a new member only
        self.relation.setVisible(False)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        # The effective date: a new member's 登记/出生/迁入 day; for a saved
        # person the day a category change or rename takes effect.
        self.arrival = QComboBox()
        arrival_labels = {"登记": self.tr("登记"), "出生": self.tr("出生"), "迁入": self.tr("迁入")}
        for kind in ARRIVAL_EVENTS:
            self.arrival.addItem(arrival_labels[kind], kind)
        self.effective_day = QDateEdit(QDate.currentDate())
        self.effective_day.setCalendarPopup(True)
        self.effective_day.setDisplayFormat("yyyy-MM-dd")
        self.effective_day.setMaximumDate(QDate.currentDate())
        self.effective_day.setToolTip(self.tr("变动发生的日期（月报按此日期统计），不是录入的日期"))
        self.effective_label = QLabel(self.tr("登记日期"))
        # under the date: "该变动属于已上报的…" when it falls in a submitted month
        self.late = QLabel()
        self.late.setWordWrap(True)
        self.late.setStyleSheet("color: #b26a00;")
        self.late.hide()
        self.effective_day.dateChanged.connect(lambda _d: self.show_notice())
        self.floating_box = self._floating_box()
        self.error = error_label()
        self.notice = QLabel()  # "已保存": green, the dialog stays open
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.hide()

        self.tags = QListWidget()
        self.group_fields = GroupFieldsPanel()
        self.tag_day = QDateEdit(QDate.currentDate())
        self.tag_day.setCalendarPopup(True)
        self.tag_day.setDisplayFormat("yyyy-MM-dd")
        self.save_tags_button = QPushButton(self.tr("保存人群类别"))
        self.tags_note = QLabel()
        self.timeline = QTableWidget(0, 3)
        self.timeline.setHorizontalHeaderLabels([self.tr("日期"), self.tr("事项"), self.tr("详情")])
        self.timeline.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        setup_table(self.timeline, stretch_column=2)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._form_page(), self.tr("基本信息"))
        self.tabs.addTab(self._tags_page(), self.tr("人群类别"))
        self.tabs.addTab(self.timeline, self.tr("变动记录"))
        self.household_button = QPushButton(self.tr("打开户卡…"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        self.buttons.addButton(self.household_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)
        self.household_button.clicked.connect(self.open_household)
        self.house_button.clicked.connect(self.change_house)
        self.save_tags_button.clicked.connect(self.try_save_tags)
        self.tags.currentItemChanged.connect(
            lambda item, _old: self.group_fields.show_kind(item.data(Qt.ItemDataRole.UserRole) if item else None))
        self.id_number.textChanged.connect(self._id_typed)
        self.id_type.currentIndexChanged.connect(lambda _i: (self._id_typed(self.id_number.text()),
                                                             self._category_changed()))
        self.combos["category"].currentIndexChanged.connect(lambda _i: (self._category_changed(), self.show_notice()))
        self.arrival.currentIndexChanged.connect(lambda _i: self._arrival_changed())
        self.dates["birth_date"].textChanged.connect(lambda _t: self._arrival_changed())
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(self.buttons)
        self.load()

    # -- layout ----------------------------------------------------------
    def _form_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        left, right = QFormLayout(), QFormLayout()
        left.addRow(self.tr("姓名*"), self.name)
        left.addRow(self.tr("证件类型"), self.id_type)
        left.addRow(self.tr("证件号码"), self.id_number)
        left.addRow("", self.id_hint)
        left.addRow(self.tr("性别"), self.combos["gender"])
        left.addRow(self.tr("出生日期"), self.dates["birth_date"])
        left.addRow(self.tr("民族"), self.combos["ethnicity"])
        left.addRow(self.tr("联系电话"), self.phone)
        left.addRow(self.tr("其他电话"), self.other_phone)
        left.addRow(self.tr("户籍地"), self.texts["hukou_place"])
        left.addRow(self.tr("人口类别"), self.combos["category"])
        left.addRow(self.tr("人户状态"), self.combos["residence_status"])
        right.addRow(self.tr("所在户"), self.household_label)
        house = QHBoxLayout()
        house.setContentsMargins(0, 0, 0, 0)
        house.addWidget(self.house_label, 1)
        house.addWidget(self.house_button)
        right.addRow(self.tr("现住房屋"), house)
        relation = QHBoxLayout()
        relation.setContentsMargins(0, 0, 0, 0)
        relation.addWidget(self.relation_label)
        relation.addWidget(self.relation, 1)
        right.addRow(self.tr("与户主关系"), relation)
        right.addRow(self.tr("状态"), self.status_label)
        self.arrival_label = QLabel(self.tr("登记方式"))
        right.addRow(self.arrival_label, self.arrival)
        right.addRow(self.effective_label, self.effective_day)
        right.addRow("", self.late)
        right.addRow(self.tr("政治面貌"), self.combos["political_status"])
        right.addRow(self.tr("文化程度"), self.combos["education"])
        right.addRow(self.tr("婚姻状况"), self.combos["marital_status"])
        right.addRow(self.tr("职业"), self.texts["occupation"])
        right.addRow(self.tr("工作单位"), self.texts["employer"])
        right.addRow(self.tr("备注"), self.texts["note"])
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        self.overseas_box = QGroupBox(self.tr("境外人员信息"))
        overseas = QHBoxLayout(self.overseas_box)
        for label, widget in ((self.tr("国籍"), self.texts["nationality"]),
                              (self.tr("证件有效期至"), self.dates["document_valid_until"])):
            overseas.addWidget(QLabel(label))
            overseas.addWidget(widget, 1)
        grid.addWidget(self.overseas_box, 1, 0, 1, 2)
        grid.addWidget(self.floating_box, 2, 0, 1, 2)
        self.form_layouts = (left, right, self.overseas_box.layout(), self.floating_box.layout())
        set_form_tab_order(*self.form_layouts)  # down the left column, the right one, then 流动人口信息
        grid.setRowStretch(3, 1)
        return page

    def _floating_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("流动人口信息"))
        grid = QGridLayout(box)
        cells = [(self.tr("流入时间"), self.dates["inflow_date"]), (self.tr("流入原因"), self.texts["inflow_reason"]),
                 (self.tr("来源地"), self.texts["origin_place"]), (self.tr("居住处所"), self.texts["dwelling_type"]),
                 (self.tr("居住证号"), self.texts["residence_permit_no"]),
                 (self.tr("居住证有效期"), self.dates["residence_permit_expires"])]
        for position, (label, widget) in enumerate(cells):
            r, c = divmod(position, 2)
            grid.addWidget(QLabel(label), r, c * 2)
            grid.addWidget(widget, r, c * 2 + 1)
        self.texts["dwelling_type"].setPlaceholderText(self.tr("如：租赁房屋、单位宿舍"))
        return box

    def _tags_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(self.tr("勾选此人所属的特殊人群、重点人员或关怀对象类别（可多选）；取消勾选即从所选日期起退出。"
                                        "老年人、高龄老人按出生日期计算，不需勾选。")))
        lists = QHBoxLayout()
        lists.addWidget(self.tags, 1)
        lists.addWidget(self.group_fields, 1)
        layout.addLayout(lists, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("变更日期")))
        row.addWidget(self.tag_day)
        row.addWidget(self.save_tags_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.tags_note)
        return page

    @classmethod
    def new_member(cls, db: Database, household_id: int, parent: QWidget | None = None) -> ResidentDialog:
        """The empty form of a new resident of ``household_id`` (新增居民)."""
        return cls(db, None, parent, household_id=household_id)

    @classmethod
    def at_house(cls, db: Database, house_id: int, parent: QWidget | None = None) -> ResidentDialog:
        """The empty form of a new resident without a 户 at ``house_id``."""
        return cls(db, None, parent, house_id=house_id)

    @property
    def is_new(self) -> bool:
        return self.person_id is None

    def _blank_record(self) -> ResidentRecord:
        """An unsaved resident of ``new_household_id`` (category 户籍人口),
        or without a 户 at ``new_house_id`` (category 流动人口)."""
        if self.new_house_id is not None:
            house = load_house(self.db, self.new_house_id)
            return ResidentRecord(
                id=0, version=0, data=ResidentData(name="", category=CATEGORY_FLOATING), household_id=None,
                household_no="", area_id=house.data.area_id, area_label=house.area_label, relation=None,
                status=PERSON_ACTIVE, registered_on=None, moved_out_on=None, moved_out_to="", died_on=None,
                house_id=house.id, house_address=house.data.address)
        card = load_household(self.db, self.new_household_id)
        return ResidentRecord(
            id=0, version=0, data=ResidentData(name="", category="1"), household_id=card.id,
            household_no=card.data.household_no, area_id=card.data.area_id, area_label=card.area_label,
            relation=None, status=PERSON_ACTIVE, registered_on=None, moved_out_on=None, moved_out_to="",
            died_on=None)

    # -- loading ---------------------------------------------------------
    def load(self) -> None:
        new = self.is_new
        self.record = self._blank_record() if new else load_resident(self.db, self.person_id)
        r, data = self.record, self.record.data
        if new and self.new_house_id is not None:
            self.setWindowTitle(self.tr("新增居民（无户）：{address}").format(address=r.house_address))
        else:
            self.setWindowTitle(self.tr("新增居民：户 {no}").format(no=r.household_no) if new
                                else self.tr("居民信息：{name}").format(name=data.name))
        self.name.setText(data.name)
        self.id_number.blockSignals(True)
        self.id_type.blockSignals(True)
        self.id_type.setCurrentIndex(max(0, self.id_type.findData(data.id_type or ID_CARD)))
        self.id_type.blockSignals(False)
        self.id_number.setText(data.id_number if self.full else mask_id_number(data.id_number))
        self.id_number.blockSignals(False)
        self.id_number.setReadOnly(not (self.full or new))
        self.id_type.setEnabled(self.full or new)
        self.phone.setText(data.phone if self.full else mask_phone(data.phone))
        self.phone.setReadOnly(not (self.full or new))
        self.other_phone.setText(data.other_phone if self.full else mask_phone(data.other_phone))
        self.other_phone.setReadOnly(not (self.full or new))
        for key, combo in self.combos.items():
            combo.setCurrentIndex(max(0, combo.findData(getattr(data, key) or "")))
        for key, edit in self.texts.items():
            edit.setText(getattr(data, key))
        for key, edit in self.dates.items():
            edit.setText(_date_text(getattr(data, key)))
        self.household_label.setText(f"{r.household_no}（{r.area_label}）" if r.household_no
                                     else self.tr("无（流动人口、境外人员、未落户人口不需要户）"))
        self.house_label.setText(f"{r.house_address}（{r.area_label}）" if r.house_address and not r.household_no
                                 else r.house_address or self.tr("未登记"))
        self.house_button.setVisible(not new)
        relation = dict(self.choices["relation"]).get(r.relation or "", r.relation or "")
        self.relation_label.setText(relation or self.tr("（未填）"))
        self.relation_label.setVisible(not new)
        self.relation.setVisible(new and self.new_house_id is None)
        status = r.status if not new else self.tr("保存后登记为在册")
        if r.moved_out_on:
            status += self.tr("（{day} 迁往 {to}）").format(day=r.moved_out_on.isoformat(), to=r.moved_out_to)
        if r.died_on:
            status += self.tr("（{day}）").format(day=r.died_on.isoformat())
        self.status_label.setText(status)
        self.household_button.setEnabled(r.household_id is not None and not new)
        self.arrival.setVisible(new)
        self.arrival_label.setVisible(new)
        self.effective_label.setText(self.tr("登记日期") if new else self.tr("变更生效日期"))
        self.effective_day.setDate(QDate.currentDate())
        self._id_typed(self.id_number.text())
        self._category_changed()
        self.show_notice()
        for tab in (1, 2):  # tags and timeline belong to a saved person
            self.tabs.setTabEnabled(tab, not new)
        if new:
            self.tags_held = set()
            self.name.setFocus()
            return
        self._load_tags()
        self._load_timeline()

    def _load_tags(self) -> None:
        held_tags = person_tags(self.db, self.person_id)
        held = {t.kind_id for t in held_tags}
        kinds = group_kinds(self.db)
        self.group_fields.load(kinds, held_tags)
        self.tags.clear()
        for kind in kinds:
            name = f"{kind.family_name} · {kind.name}" + (self.tr("（敏感）") if kind.sensitive else "")
            if kind.age is not None:
                name += self.tr("（按出生日期计算）")
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, kind.id)
            if kind.age is None:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            else:  # shown, not editable
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Checked if kind.id in held else Qt.CheckState.Unchecked)
            self.tags.addItem(item)
        self.tags_held = held

    def _load_timeline(self) -> None:
        entries = resident_history(self.db, self.person_id)
        self.timeline.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            for column, text in enumerate((_date_text(entry.day), entry.kind, entry.detail)):
                self.timeline.setItem(row, column, QTableWidgetItem(text))

    # -- reactions -------------------------------------------------------
    def _category_changed(self) -> None:
        """The 流动人口 fields (流入时间 …) are shown for that category and 境外人员; 国籍 and
        证件有效期 for 境外人员 and anyone registered by another document."""
        category = self.combos["category"].currentData()
        self.floating_box.setVisible(category in INFLOW_CATEGORIES)
        self.overseas_box.setVisible(category == CATEGORY_OVERSEAS or self.id_type.currentData() != ID_CARD)

    def _arrival_changed(self) -> None:
        """A newborn is registered from the birth date (the report counts
        them in the month of birth, whenever they are entered)."""
        if not self.is_new or self.arrival.currentData() != "出生":
            self.effective_day.setEnabled(True)
            return
        try:
            birth = parse_form_date(self.dates["birth_date"].text(), _DATES["birth_date"], "birth_date")
        except ServiceError:
            birth = None
        if birth is not None:
            self.effective_day.setDate(QDate(birth.year, birth.month, birth.day))
        self.effective_day.setEnabled(False)

    def _id_typed(self, text: str) -> None:
        """Fill birth date and gender from a complete number; flag a bad one."""
        if not (self.full or self.is_new):
            self.id_hint.setText("")
            return
        if self.id_type.currentData() != ID_CARD:  # the number tells neither: typed by the clerk
            self.id_hint.setStyleSheet("color: #666;")
            self.id_hint.setText(self.tr("请填写出生日期和性别（{kind}号码不含这些信息）").format(
                kind=self.id_type.currentText()))
            return
        show_id_facts(self.id_hint, text, self.dates["birth_date"], self.combos["gender"])

    # -- saving ----------------------------------------------------------
    def typed(self) -> ResidentData:
        """What the form holds (``ValidationError`` on a bad date)."""
        stored = self.record.data
        values = {key: combo.currentData() or None for key, combo in self.combos.items()}
        values.update({key: edit.text() for key, edit in self.texts.items()})
        values.update({key: parse_form_date(edit.text(), _DATES[key], key) for key, edit in self.dates.items()})
        typed_numbers = self.full or self.is_new  # a new person's numbers are typed, not masked
        return ResidentData(name=self.name.text(),
                            id_number=self.id_number.text() if typed_numbers else stored.id_number,
                            id_type=self.id_type.currentData() if typed_numbers else stored.id_type,
                            phone=self.phone.text() if typed_numbers else stored.phone,
                            other_phone=self.other_phone.text() if typed_numbers else stored.other_phone, **values)

    def show_notice(self) -> str | None:
        """The submitted-month notice for the effective date, when it dates
        a change the report counts: a new person's arrival, a saved
        person's new 人口类别."""
        record = getattr(self, "record", None)
        counted = record is not None and (self.is_new or (self.combos["category"].currentData() or None)
                                          != (record.data.category or None))
        text = None
        if counted:
            try:
                text = submitted_month_notice(self.db, self.effective_day.date().toPython(), record.area_id)
            except ServiceError:
                text = None
        self.late.setText(text or "")
        self.late.setVisible(bool(text))
        return text

    def try_save(self, *, confirmed: bool = False) -> bool:
        """Save the form (a new member: register them, then go on as their
        form); False, with the refusal shown, when nothing was saved."""
        was_new = self.is_new
        try:
            if self.is_new and self.new_house_id is not None:
                self.person_id = add_resident_at_house(self.db, self.typed(), self.new_house_id,
                                                       on=self.effective_day.date().toPython(),
                                                       arrival=self.arrival.currentData())
                self.new_house_id = None
            elif self.is_new:
                self.person_id = add_resident(self.db, self.new_household_id, self.typed(),
                                              self.relation.currentData() or None, confirmed=confirmed,
                                              on=self.effective_day.date().toPython(),
                                              arrival=self.arrival.currentData())
                self.new_household_id = None
            else:
                save_resident(self.db, self.person_id, self.typed(), expected_version=self.record.version,
                              on=self.effective_day.date().toPython())
        except PlausibilityError as exc:
            answer = QMessageBox.question(self, self.tr("请核对"), exc.message + self.tr("\n\n仍然保存吗？"))
            return answer == QMessageBox.StandardButton.Yes and self.try_save(confirmed=True)
        except ServiceError as exc:
            self.tabs.setCurrentIndex(0)
            show_error(self.error, exc.message)
            return False
        show_error(self.error, "")
        self.changed = True
        self.load()
        if was_new and not self.record.household_no:  # 无户登记: at a house
            self.saved_message = self.tr("已登记新居民“{name}”（现住 {house}）。").format(
                name=self.record.data.name, house=self.record.house_address)
        else:
            self.saved_message = (self.tr("已登记新居民“{name}”（户 {no}）。") if was_new else
                                  self.tr("已保存“{name}”的信息。")).format(name=self.record.data.name,
                                                                         no=self.record.household_no)
        self.notice.setText(self.saved_message)
        self.notice.show()
        return True

    def checked_tags(self) -> set[int]:
        return {self.tags.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.tags.count())
                if self.tags.item(i).checkState() == Qt.CheckState.Checked
                and self.tags.item(i).flags() & Qt.ItemFlag.ItemIsEnabled}

    def try_save_tags(self) -> bool:
        try:
            checked = self.checked_tags()
            added, ended = set_person_tags(self.db, self.person_id, checked, self.tag_day.date().toPython(),
                                           details=self.group_fields.collect(checked))
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return False
        show_error(self.error, "")
        parts = ([self.tr("加入：") + "、".join(added)] if added else []) + \
                ([self.tr("退出：") + "、".join(ended)] if ended else [])
        self.tags_note.setText("；".join(parts) or self.tr("已保存。"))
        self.changed = True
        self._load_tags()
        self._load_timeline()
        return True

    def change_house(self) -> bool:
        """更换现住房屋: choose the house, recorded as a move on the 变更生效日期."""
        from gridadmin.ui.register.house_picker import ChooseHouseDialog

        chooser = ChooseHouseDialog(self.db, self, area_id=self.record.area_id)
        accepted = chooser.exec() == QDialog.DialogCode.Accepted
        house_id = chooser.house_id
        chooser.deleteLater()
        if not accepted or house_id is None:
            return False
        try:
            move_house(self.db, self.person_id, house_id, self.effective_day.date().toPython(),
                       expected_version=self.record.version)
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return False
        show_error(self.error, "")
        self.changed = True
        self.load()
        return True

    def open_household(self) -> None:
        if self.record.household_id is None:
            return
        from gridadmin.ui.register.household_dialog import HouseholdDialog

        dialog = HouseholdDialog(self.db, self.record.household_id, self)
        dialog.exec()
        if dialog.changed:
            self.changed = True
            self.load()
        dialog.deleteLater()
