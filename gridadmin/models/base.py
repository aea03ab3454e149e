"""Declarative base, naming convention and shared column mixins (no Qt)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table; constraint names are stable for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def local_now() -> datetime:
    """The PC's local wall-clock time, to the second. Timestamps are written
    from Python, not the server: SQLite's CURRENT_TIMESTAMP is UTC, so a
    clerk in China would read every time eight hours early. (The server
    default stays in the schema for rows written outside the app.)"""
    return datetime.now().replace(microsecond=0)


class TimestampMixin:
    """``created_at`` / ``updated_at`` in local time, set by the app."""

    created_at: Mapped[datetime] = mapped_column(DateTime, default=local_now, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, default=local_now, server_default=func.now(), onupdate=local_now
    )


class VersionedMixin:
    """Optimistic locking: a stale save raises ``StaleDataError``.

    Every editable table carries ``version``; SQLAlchemy adds
    ``WHERE version = :old`` to each UPDATE so a lost update is impossible
    when two clerks edit the same record on different PCs.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:  # noqa: N805 - SQLAlchemy directive
        return {"version_id_col": cls.version}
