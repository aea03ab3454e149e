"""Houses (实有房屋): the standard addresses people live at ("以房管人").

A house sits in a grid or micro-grid. Its address is urban (小区/街路巷,
楼栋, 单元, 室) or rural (村民小组, 门牌号); ``address_key`` is those parts
normalised and joined, and one area holds one house per key (a unique
index: two clerks cannot record the same address twice). A 出租房 (用途
出租) adds 房主 and phone, 出租间数 and 限住人数; its 承租人数 is derived
from the people living there (``person.house_id``), never stored.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from gridadmin.models.base import Base, TimestampMixin, VersionedMixin

# 房屋用途
USE_OWN = "自住"
USE_RENTED = "出租"
USE_VACANT = "闲置"
USE_BUSINESS = "经营"
USE_OTHER = "其他"
HOUSE_USES = (USE_OWN, USE_RENTED, USE_VACANT, USE_BUSINESS, USE_OTHER)


# more residents than the house's limit (a limit of NULL: never); the 超员 list's partial index
OVERCROWDED_SQL = "residents > occupancy_limit"


class House(VersionedMixin, TimestampMixin, Base):
    """One house or rented dwelling at a standard address in one area."""

    __tablename__ = "house"
    __table_args__ = (
        # one house per standard address within a grid (or micro-grid)
        Index("uq_house_area_address", "area_id", "address_key", unique=True),
        # the house list: one area's houses by use, in address order
        Index("ix_house_area_purpose", "area_id", "purpose", "address"),
        Index("ix_house_purpose_address", "purpose", "address"),
        # the 超员 list: only houses with more residents than their limit (migration 0025)
        Index("ix_house_overcrowded", "address", "id", sqlite_where=text(OVERCROWDED_SQL),
              postgresql_where=text(OVERCROWDED_SQL)),
        # The monthly report's houses recorded after a date: one range, covering (migration 0026).
        Index("ix_house_registered", "registered_on", "area_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    house_no: Mapped[str] = mapped_column(String(30), unique=True, info={"label": "房屋编号"})
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    compound: Mapped[str | None] = mapped_column(String(60), info={"label": "小区/街路巷"})
    building: Mapped[str | None] = mapped_column(String(20), info={"label": "楼栋"})
    unit: Mapped[str | None] = mapped_column(String(20), info={"label": "单元"})
    room: Mapped[str | None] = mapped_column(String(20), info={"label": "室"})
    village_group: Mapped[str | None] = mapped_column(String(40), info={"label": "村民小组"})
    door_no: Mapped[str | None] = mapped_column(String(20), info={"label": "门牌号"})
    address: Mapped[str] = mapped_column(String(200), index=True, info={"label": "地址"})
    address_key: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(4), default=USE_OWN, info={"label": "房屋用途"})
    owner: Mapped[str | None] = mapped_column(String(50), info={"label": "产权人"})
    landlord: Mapped[str | None] = mapped_column(String(50), info={"label": "房主"})
    landlord_pinyin: Mapped[str | None] = mapped_column(String(120), index=True)
    landlord_initials: Mapped[str | None] = mapped_column(String(20), index=True)
    landlord_phone: Mapped[str | None] = mapped_column(String(20), info={"label": "房主电话"})
    rooms_let: Mapped[int | None] = mapped_column(Integer)
    occupancy_limit: Mapped[int | None] = mapped_column(Integer)
    # persons 在册 living here (person.house_id), kept by database triggers on
    # person (migration 0025); never written by the program
    # kept by the triggers; no Python default: an insert through the table
    # into an older schema (an upgrade test) must not name the column
    residents: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    hazard_note: Mapped[str | None] = mapped_column(Text)
    registered_on: Mapped[date | None] = mapped_column(Date)
