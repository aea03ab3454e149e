"""Training sessions, attendance and the annual hour requirement."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridadmin.models.base import Base, TimestampMixin, VersionedMixin

ATTEND_PRESENT = "present"  # 出席
ATTEND_ABSENT = "absent"  # 缺席
ATTEND_EXCUSED = "excused"  # 请假
ATTENDANCE_LABELS = {ATTEND_PRESENT: "出席", ATTEND_ABSENT: "缺席", ATTEND_EXCUSED: "请假"}


class TrainingSession(VersionedMixin, TimestampMixin, Base):
    """A training class or session (培训班/场次).

    ``category`` and ``form`` are codes of the ``training_category`` and
    ``training_form`` lists. A cancelled session keeps its record.
    """

    __tablename__ = "training_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str | None] = mapped_column(String(16))
    form: Mapped[str | None] = mapped_column(String(16))
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float, default=0)
    organizer: Mapped[str | None] = mapped_column(String(80))
    trainer: Mapped[str | None] = mapped_column(String(80))
    place: Mapped[str | None] = mapped_column(String(120))
    target_group: Mapped[str | None] = mapped_column(Text)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)


class Attendance(VersionedMixin, TimestampMixin, Base):
    """One staff member at one session: status, hours credited, exam."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "staff_id"),
        # Covers hours per person over a date range of sessions (compliance, monthly report).
        Index("ix_attendance_session_status_staff", "session_id", "status", "staff_id", "hours_credited"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default=ATTEND_PRESENT)
    hours_credited: Mapped[float] = mapped_column(Float, default=0)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    certificate_no: Mapped[str | None] = mapped_column(String(60))


class TrainingRequirement(VersionedMixin, Base):
    """Annual hour requirement; ``role`` None is the township default."""

    __tablename__ = "training_requirement"
    __table_args__ = (UniqueConstraint("year", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    role: Mapped[str | None] = mapped_column(String(16))
    hours: Mapped[float] = mapped_column(Float)
