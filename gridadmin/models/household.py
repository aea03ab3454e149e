"""Households, residents, their life events and special-group tags."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from gridadmin.models.base import Base, TimestampMixin, VersionedMixin

PERSON_ACTIVE = "在册"
PERSON_MOVED_OUT = "迁出"
PERSON_DECEASED = "死亡"
PERSON_STATUSES = (PERSON_ACTIVE, PERSON_MOVED_OUT, PERSON_DECEASED)

# The rows the register's identity indexes cover (partial unique indexes).
ACTIVE_WITH_ID = "status = '在册'"  # NULL ID numbers never collide
OPEN_TAG = "end_date IS NULL"

# Kinds of person events (never deletions).
EVENT_REGISTERED = "登记"  # first entered in the register
EVENT_BORN = "出生"
EVENT_MOVED_IN = "迁入"
EVENT_TRANSFER = "户间迁移"  # moved to another household in the township
EVENT_MOVED_OUT = "迁出"
EVENT_DIED = "死亡"
EVENT_CATEGORY = "类别变更"  # 人口类别 changed (old_value → new_value, codes)
EVENT_RENAME = "更名"  # name changed (old_value → new_value)
# 登记日期 corrected (old_value → new_value, ISO dates; event_date: the new date)
EVENT_REGISTRATION_CORRECTED = "登记日期更正"
EVENT_HOUSE = "住所变更"  # moved into / out of a house (from_house_id → to_house_id)
# Events that bring a person into the register (their date is registered_on).
ARRIVAL_EVENTS = (EVENT_REGISTERED, EVENT_BORN, EVENT_MOVED_IN)


class Household(VersionedMixin, TimestampMixin, Base):
    """A household (户) living in one grid or micro-grid.

    Address parts: urban (小区/楼栋/单元/室) or rural (村民小组/门牌号).
    ``dissolved_on`` is set when its last member left; households are
    never deleted.
    """

    __tablename__ = "household"
    __table_args__ = (
        Index("ix_household_area_dissolved", "area_id", "dissolved_on"),
        # The monthly report reads only households registered or dissolved
        # lately. Neither index leads with dissolved_on for the households that
        # are not dissolved: the households list ("dissolved_on IS NULL" in
        # household-number order) would then sort every household instead of
        # walking the household-number index.
        Index("ix_household_registered", "registered_on", "dissolved_on", "area_id"),
        Index("ix_household_dissolved", "dissolved_on", "area_id", "registered_on",
              sqlite_where=text("dissolved_on IS NOT NULL"), postgresql_where=text("dissolved_on IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_no: Mapped[str] = mapped_column(String(30), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    household_type: Mapped[str | None] = mapped_column(String(16))
    compound: Mapped[str | None] = mapped_column(String(60))
    building: Mapped[str | None] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(20))
    room: Mapped[str | None] = mapped_column(String(20))
    village_group: Mapped[str | None] = mapped_column(String(40))
    door_no: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    is_dibao: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    is_tekun: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    is_party: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    is_veteran: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    is_poor: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    registered_on: Mapped[date | None] = mapped_column(Date)
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class Person(VersionedMixin, TimestampMixin, Base):
    """A resident. 户籍人口 belong to one household (户) at a time
    (``household_id``); 流动人口, 境外人员 and 未落户人口 need no 户 but live
    at a house (``house_id``, 现住房屋; anyone may have one). A person
    counts in their household's area, or without one in their house's.

    ``status`` is 在册/迁出/死亡; the dates say when. Code-valued columns hold
    codes (gender, ethnicity, relation, category, residence_status, political,
    education, marital). 流动人口 fields are filled for that category only.
    """

    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_household_relation", "household_id", "relation"),
        Index("ix_person_status_name", "status", "name"),
        # Covers the per-area resident counts (grid tree, reports).
        Index("ix_person_status_household", "status", "household_id"),
        # The residents page: one status in pinyin order, pinyin/initials search.
        Index("ix_person_register", "status", "name_pinyin", "name_initials"),
        # Per-area resident counts (grid tree): each household's 在册 members, one seek;
        # a search limited to some areas: their households' people by pinyin, in the index
        # (migration 0016).
        Index("ix_person_household_name", "household_id", "status", "name_pinyin", "name_initials"),
        # Presence at a date (dashboard trend): those who never left are one range.
        Index("ix_person_presence", "status", "moved_out_on", "died_on", "registered_on"),
        # The occupants of a house (house card, 承租人数) and people placed by their house.
        Index("ix_person_house_status", "house_id", "status"),
        # A user of some areas: their people in name order, their search's matches
        # inside the index (migration 0025: ``area_id`` is stored).
        Index("ix_person_area_name", "area_id", "status", "name_pinyin", "name_initials"),
        # The residents list sorted by a column, one status: each index gives the order
        # (id the tiebreak), so a page reads 200 entries instead of sorting the register;
        # (status, birth_date) also counts an age band inside the index (migration 0023).
        Index("ix_person_status_birth", "status", "birth_date", "id"),
        Index("ix_person_status_id_number", "status", "id_number", "id"),
        Index("ix_person_status_phone", "status", "phone", "id"),
        Index("ix_person_status_gender", "status", "gender", "id"),
        Index("ix_person_status_category", "status", "category", "id"),
        # The monthly report's age groups: people of an age counted per household and
        # house inside the index, each household looked up once (migration 0026).
        Index("ix_person_status_birth_place", "status", "birth_date", "household_id", "house_id"),
        # … and its 人在户不在 / 户在人不在 counts likewise (migration 0026).
        Index("ix_person_status_residence", "status", "residence_status", "household_id", "house_id"),
        # One person, one record: no two 在册 persons share a document (证件类型 and
        # number), whichever clerk, import or PC writes (migrations 0009, 0024).
        Index("uq_person_active_id_number", "id_type", "id_number", unique=True,
              sqlite_where=text(ACTIVE_WITH_ID), postgresql_where=text(ACTIVE_WITH_ID)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    house_id: Mapped[int | None] = mapped_column(ForeignKey("house.id"))
    # The area (grid) the person counts in: their household's, or without one
    # their house's. Kept by database triggers (migration 0025) on every write
    # to person.household_id/house_id and on a household's or house's area;
    # never written by the program.
    area_id: Mapped[int | None] = mapped_column()
    name: Mapped[str] = mapped_column(String(50), index=True)
    name_pinyin: Mapped[str | None] = mapped_column(String(120), index=True)
    name_initials: Mapped[str | None] = mapped_column(String(20), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    # 证件类型 (``services.common.id_types``): 111 居民身份证, 414 护照, 553 外国人永久居留身份证 …
    # No Python-side default: an insert through this table into an older schema must not name it.
    id_type: Mapped[str] = mapped_column(String(3), server_default="111", nullable=False)
    gender: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[date | None] = mapped_column(Date, index=True)
    ethnicity: Mapped[str | None] = mapped_column(String(2))
    relation: Mapped[str | None] = mapped_column(String(2))
    hukou_place: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str | None] = mapped_column(String(2), index=True)
    residence_status: Mapped[str | None] = mapped_column(String(2))
    political_status: Mapped[str | None] = mapped_column(String(2))
    education: Mapped[str | None] = mapped_column(String(2))
    marital_status: Mapped[str | None] = mapped_column(String(2))
    occupation: Mapped[str | None] = mapped_column(String(60))
    employer: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    # a second number (固定电话 beside 联系手机 …), so nothing a file gives is lost
    other_phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(4), default=PERSON_ACTIVE)
    registered_on: Mapped[date | None] = mapped_column(Date)
    moved_out_on: Mapped[date | None] = mapped_column(Date)
    moved_out_to: Mapped[str | None] = mapped_column(String(120))
    died_on: Mapped[date | None] = mapped_column(Date)
    # 流动人口
    inflow_date: Mapped[date | None] = mapped_column(Date)
    inflow_reason: Mapped[str | None] = mapped_column(String(60))
    origin_place: Mapped[str | None] = mapped_column(String(120))
    residence_permit_no: Mapped[str | None] = mapped_column(String(40))
    residence_permit_expires: Mapped[date | None] = mapped_column(Date)
    dwelling_type: Mapped[str | None] = mapped_column(String(40))
    # 境外人员: 国籍 (GB/T 2659 name) and how long their document (证件, 签证/居留) holds
    nationality: Mapped[str | None] = mapped_column(String(60))
    document_valid_until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class PersonEvent(TimestampMixin, Base):
    """A dated change of the register: registered, born, moved in/out,
    transfer, died, category change, rename, change of house (住所变更).

    ``event_date`` is the effective date (the day it happened, what the
    monthly report counts by); ``created_at`` is the moment it was entered
    and ``entered_by`` the user who entered it (username; None for rows
    older than the column). A change entered late is one whose
    ``event_date`` falls in a month and ``created_at`` after a given time.
    The register "as of date D" is derived from these rows.
    """

    __tablename__ = "person_event"
    __table_args__ = (Index("ix_person_event_date_kind", "event_date", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    event_date: Mapped[date] = mapped_column(Date)
    from_household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    to_household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    from_house_id: Mapped[int | None] = mapped_column(ForeignKey("house.id"), index=True)  # 住所变更: left
    to_house_id: Mapped[int | None] = mapped_column(ForeignKey("house.id"), index=True)  # … moved into
    place: Mapped[str | None] = mapped_column(String(120))
    old_value: Mapped[str | None] = mapped_column(String(60))  # 类别变更 / 更名: before
    new_value: Mapped[str | None] = mapped_column(String(60))  # … and after
    entered_by: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)


class TagKind(VersionedMixin, Base):
    """A group kind (社区矫正人员, 独居老人 …) of one family
    (``models.groups.FAMILIES``: 特殊人群, 重点人员, 关怀对象). ``sensitive``
    ones are only visible to roles allowed to see sensitive personal
    information."""

    __tablename__ = "tag_kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # no Python-side default: an insert through this table into an older schema must not name it
    family: Mapped[str] = mapped_column(String(8), server_default="care", nullable=False)


class PersonTag(TimestampMixin, Base):
    """A person's membership of a special group from ``start_date`` to
    ``end_date`` (None while it holds), so month-on-month counts are
    reproducible. The dates are effective dates; the start was entered at
    ``created_at`` by ``entered_by``, the end at ``ended_at`` by
    ``ended_by``."""

    __tablename__ = "person_tag"
    __table_args__ = (
        Index("ix_person_tag_kind_dates", "tag_kind_id", "start_date", "end_date"),
        # The holders of one group (residents page tag filter), covering.
        Index("ix_person_tag_holders", "tag_kind_id", "person_id", "start_date", "end_date", "due_end"),
        # The monthly report reads only memberships begun or ended lately (covering).
        Index("ix_person_tag_end_start", "end_date", "start_date", "tag_kind_id", "person_id"),
        # Open memberships due to end by a date (report, 待办提醒): one range (migration 0026).
        Index("ix_person_tag_open_due", "end_date", "due_end"),
        # One open membership per person and group (migration 0009).
        Index("uq_person_tag_open", "person_id", "tag_kind_id", unique=True,
              sqlite_where=text(OPEN_TAG), postgresql_where=text(OPEN_TAG)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    tag_kind_id: Mapped[int] = mapped_column(ForeignKey("tag_kind.id"))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    entered_by: Mapped[str | None] = mapped_column(String(50))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_by: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)
    # The kind's fields (矫正期满日期, 残疾等级 …) as JSON (``services.register.group_fields``)
    details: Mapped[str | None] = mapped_column(Text)
    # The day the membership is due to end (矫正期满, 安置帮教期满, 35th birthday):
    # proposed on the 待办提醒 page, not counted from that day on
    due_end: Mapped[date | None] = mapped_column(Date)
