"""A person's history as a timeline (履历): years as branches, dated events
under them (入职, 开始任职, 调动, 结束任职, 离职 …) with the grid, the role
and the span of each assignment. Read-only; refreshed on demand."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from gridadmin.db import Database
from gridadmin.services.roster import assignments
from gridadmin.services.roster.assignments import (
    EVENT_END, EVENT_START, EVENT_STATUS, EVENT_TRANSFER, TimelineEvent,
)

HEADERS = ("日期", "事项", "社区/网格", "岗位", "任职期间")
KIND_COLOURS = {EVENT_STATUS: "#1565c0", EVENT_START: "#2e7d32", EVENT_TRANSFER: "#6a1b9a", EVENT_END: "#616161"}
KIND_MARKS = {EVENT_STATUS: "●", EVENT_START: "▶", EVENT_TRANSFER: "⇄", EVENT_END: "■"}


class TimelinePanel(QWidget):
    """The tree of events; ``refresh()`` re-reads them."""

    def __init__(self, db: Database, staff_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.staff_id = staff_id
        self.events: list[TimelineEvent] = []
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(HEADERS))
        self.tree.setHeaderLabels([self.tr("日期"), self.tr("事项"), self.tr("社区/网格"), self.tr("岗位"), self.tr("任职期间")])
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # the place takes what is left
        header.setStretchLastSection(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.tree, 1)
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        if self.staff_id is None:
            self.events = []
            self.hint.setText(self.tr("保存人员信息后，这里按时间顺序显示入职、任职、调动和离职记录。"))
            return
        self.events = assignments.staff_timeline(self.db, self.staff_id)
        years: dict[int, QTreeWidgetItem] = {}
        bold = QFont(self.font())
        bold.setBold(True)
        for event in self.events:
            year = years.get(event.day.year)
            if year is None:
                year = QTreeWidgetItem([self.tr("{y} 年").format(y=event.day.year)])
                year.setFont(0, bold)
                self.tree.addTopLevelItem(year)
                years[event.day.year] = year
            item = QTreeWidgetItem([event.day.isoformat(), f"{KIND_MARKS[event.kind]} {event.title}", event.place,
                                    event.role_label, event.detail])
            item.setForeground(1, QBrush(QColor(KIND_COLOURS[event.kind])))
            item.setToolTip(2, event.place)
            year.addChild(item)
        for year in years.values():
            year.setText(4, self.tr("{n} 项").format(n=year.childCount()))
        self.tree.expandAll()
        if self.events:
            first, last = self.events[0].day, self.events[-1].day
            self.hint.setText(self.tr("按时间先后排列：{a} 至 {b}，共 {n} 项。").format(
                a=first.isoformat(), b=last.isoformat(), n=len(self.events)))
        else:
            self.hint.setText(self.tr("暂无履历记录。"))

    def texts(self) -> list[tuple[str, ...]]:
        """The event rows as shown (date, event, place, role, span) — for tests."""
        out = []
        for y in range(self.tree.topLevelItemCount()):
            year = self.tree.topLevelItem(y)
            for c in range(year.childCount()):
                item = year.child(c)
                out.append(tuple(item.text(i) for i in range(len(HEADERS))))
        return out
