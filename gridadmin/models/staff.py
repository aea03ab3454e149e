"""Grid staff (网格力量), their assignments, status history and certificates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridadmin.models.base import Base, TimestampMixin, VersionedMixin

STATUS_ON_POST = "在岗"
STATUS_LEFT = "离职"
STATUS_RESIGNED = "卸任"
STATUS_LEAVE = "休假"
STAFF_STATUSES = (STATUS_ON_POST, STATUS_LEAVE, STATUS_LEFT, STATUS_RESIGNED)

EMPLOYMENT_FULL = "专职"
EMPLOYMENT_PART = "兼职"

# Codes of the staff_role code list; the first four are the "1+3" core.
ROLE_LEADER = "leader"  # 网格长
ROLE_FULLTIME = "fulltime"  # 专职网格员
ROLE_PARTTIME = "parttime"  # 兼职网格员
ROLE_INSTRUCTOR = "instructor"  # 网格指导员/包联干部
CORE_ROLES = (ROLE_LEADER, ROLE_FULLTIME, ROLE_PARTTIME, ROLE_INSTRUCTOR)


class Staff(VersionedMixin, TimestampMixin, Base):
    """A person serving in one or more grids (one roster row).

    Code-valued columns hold the code (``gender`` '1'/'2', ``ethnicity`` '01',
    ``political_status`` '13', ``education`` '30'); labels live in
    ``code_item``. ``name_pinyin``/``name_initials`` are stored for search.
    """

    __tablename__ = "staff"
    __table_args__ = (
        Index("ix_staff_status_name", "status", "name"),
        # The roster's default order (pinyin) with the columns its common
        # filters and search read, so a window is an index-only scan.
        Index("ix_staff_roster", "name_pinyin", "name_initials", "status", "employment_type"),
        # The roster sorted by 所属网格, with the same filter columns (migration 0020).
        Index("ix_staff_grid_sort", "grid_sort", "status", "employment_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    name_pinyin: Mapped[str | None] = mapped_column(String(120), index=True)
    name_initials: Mapped[str | None] = mapped_column(String(20), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    gender: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[date | None] = mapped_column(Date)
    ethnicity: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    employment_type: Mapped[str | None] = mapped_column(String(8))
    political_status: Mapped[str | None] = mapped_column(String(2))
    education: Mapped[str | None] = mapped_column(String(2))
    position: Mapped[str | None] = mapped_column(String(50))
    hired_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default=STATUS_ON_POST)
    contract_type: Mapped[str | None] = mapped_column(String(20))
    social_work_cert: Mapped[str | None] = mapped_column(String(30))
    skill_level: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    # The smallest code (else name) of the grids of the open assignments: the
    # roster's 所属网格 order. Kept by database triggers (migration 0020) on
    # every write to staff_assignment and on a grid's code or name; never
    # written by the program.
    grid_sort: Mapped[str | None] = mapped_column(String(100))

    assignments: Mapped[list[StaffAssignment]] = relationship(
        back_populates="staff", order_by="StaffAssignment.start_date"
    )


class StaffAssignment(VersionedMixin, TimestampMixin, Base):
    """Who served which grid in which role from ``start_date`` to ``end_date``.

    ``end_date`` is None while the assignment runs. One person may hold
    several assignments at once (several grids or roles).
    """

    __tablename__ = "staff_assignment"
    __table_args__ = (Index("ix_assignment_area_dates", "area_id", "start_date", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    role: Mapped[str] = mapped_column(String(16), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    staff: Mapped[Staff] = relationship(back_populates="assignments")


class StaffStatusEvent(TimestampMixin, Base):
    """Employment status history: hired, on leave, left, rehired."""

    __tablename__ = "staff_status_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    status: Mapped[str] = mapped_column(String(8))
    event_date: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)


class Certificate(VersionedMixin, TimestampMixin, Base):
    """A certificate a staff member holds (社工证, skill certificate …)."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    number: Mapped[str | None] = mapped_column(String(60))
    issuer: Mapped[str | None] = mapped_column(String(80))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
