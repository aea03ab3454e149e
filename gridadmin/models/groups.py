"""Group families and the decisions taken on the 待办提醒 page."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, Text, case
from sqlalchemy.orm import Mapped, mapped_column

from gridadmin.models.base import Base, local_now

FAMILY_SPECIAL = "special"  # 特殊人群: under management (刑满释放人员, 社区矫正人员 …)
FAMILY_KEY = "key"  # 重点人员: 重点上访人员 and what a county defines
FAMILY_CARE = "care"  # 关怀对象: services and welfare (独居老人, 残疾人, 低保对象 …)
FAMILIES = {FAMILY_SPECIAL: "特殊人群", FAMILY_KEY: "重点人员", FAMILY_CARE: "关怀对象"}


def family_rank():
    """SQL: the families' display order (特殊人群, 重点人员, 关怀对象)."""
    from gridadmin.models.household import TagKind

    return case((TagKind.family == FAMILY_SPECIAL, 0), (TagKind.family == FAMILY_KEY, 1), else_=2)

# Kinds of reminders (``services.register.reminders``)
REMINDER_GROUP_END = "group_end"  # a membership due to end (矫正期满, 帮教期满, 35 岁)
REMINDER_AGE = "age"  # turned 60 / 80 this month
REMINDER_CERTIFICATE = "certificate"  # a staff certificate expiring within 90 days
REMINDER_PERMIT = "permit"  # a 居住证 expiring within 30 days
DECISION_CONFIRM = "confirm"
DECISION_DISMISS = "dismiss"


class ReminderDecision(Base):
    """What a person decided about one reminder (``kind`` of ``ref_id`` due
    on ``due_date``): confirmed (the change it proposed was made) or
    dismissed with a reason. A decided reminder is no longer listed."""

    __tablename__ = "reminder_decision"
    __table_args__ = (Index("uq_reminder_decision", "kind", "ref_id", "due_date", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(50))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=local_now)
