"""Code lists as data (GB/T lists and the editable local lists)."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridadmin.models.base import Base


class CodeItem(Base):
    """One value of a code list: ``(list_key, code) → label``.

    ``list_key`` names the list (``gender``, ``ethnicity``, ``staff_role`` …).
    National-standard items are ``builtin``; local lists (roles beyond the
    core four, skill levels, training categories) are editable.
    """

    __tablename__ = "code_item"
    __table_args__ = (UniqueConstraint("list_key", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_key: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)


class CodeAlias(Base):
    """A spelling people type that means a code: 男性 → gender 1."""

    __tablename__ = "code_alias"
    __table_args__ = (UniqueConstraint("list_key", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_key: Mapped[str] = mapped_column(String(32), index=True)
    alias: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(16))
