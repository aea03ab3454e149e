"""Users, roles and scopes, the audit log, import batches and settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, func, text
from sqlalchemy.orm import Mapped, mapped_column

from gridadmin.models.base import Base, TimestampMixin, VersionedMixin, local_now

ROLE_ADMIN = "admin"  # 管理员
ROLE_CLERK = "clerk"  # 业务员
ROLE_HR = "hr"  # 人事
ROLE_OFFICIAL = "official"  # 领导
ROLE_LABELS = {ROLE_ADMIN: "管理员", ROLE_CLERK: "业务员", ROLE_HR: "人事", ROLE_OFFICIAL: "领导"}


class User(VersionedMixin, TimestampMixin, Base):
    """A person who logs in. ``password_hash`` is a memory-hard hash."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # 全部: the user reads and works in every area (chosen explicitly; with
    # False only the areas in user_scope, none when there is none).
    # deferred: a login (the command line's ``upgrade``) must work on a
    # database from before this column (migration 0015); an administrator's
    # actor never reads it
    all_areas: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False,
                                            deferred=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class UserRole(Base):
    """A role held by a user (a user may hold several)."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))


class UserScope(Base):
    """An area a user serves; it grants everything below it."""

    __tablename__ = "user_scope"
    __table_args__ = (UniqueConstraint("user_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))


class AuditLog(Base):
    """Who did what to which record, with old and new values (JSON text).

    Written in the same transaction as the change; never edited by the app.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=local_now, server_default=func.now(), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    username: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(16), index=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[str | None] = mapped_column(Text)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    summary: Mapped[str | None] = mapped_column(String(200))


class ImportBatch(Base):
    """One import of one file: what, how, by whom, with which outcome."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=local_now, server_default=func.now())
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)


class RunningImport(Base):
    """An import under way (one row from its start to its end, written in a
    transaction of its own so every PC sees it): who, which kind, since
    when. The lock itself is the database's (``services.importing.lock``);
    this row only lets a second import say who it is waiting for."""

    __tablename__ = "running_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    user_name: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str | None] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=local_now)


class Setting(Base):
    """Key/value settings of this database (township, signatories …)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


class GeneratedReport(Base):
    """One generated report file (the reports page's history): which month
    and scope, who made it and when, where the PDF is and its SHA-256."""

    __tablename__ = "generated_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    scope_area_id: Mapped[int | None] = mapped_column(Integer)
    scope_name: Mapped[str] = mapped_column(String(100))
    file_path: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    username: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=local_now, server_default=func.now())


class SubmittedReport(Base):
    """A month's report as sent up (已上报): its figures (the snapshot of
    every table's numbers, JSON), who submitted it and when, and the PDF
    generated at that moment (``generated_report_id``). Submitted figures
    never change; a 管理员 may withdraw a submission (with the reason) so
    the month can be submitted again. At most one submission per month
    and scope is not withdrawn (``scope_key`` is the scope's area id, 0
    for the whole register)."""

    __tablename__ = "submitted_report"
    __table_args__ = (
        Index("ux_submitted_report_current", "month", "scope_key", unique=True,
              sqlite_where=text("withdrawn_at IS NULL"), postgresql_where=text("withdrawn_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    scope_key: Mapped[int] = mapped_column(Integer, default=0)
    scope_area_id: Mapped[int | None] = mapped_column(Integer)
    scope_name: Mapped[str] = mapped_column(String(100))
    figures: Mapped[str] = mapped_column(Text)
    generated_report_id: Mapped[int | None] = mapped_column(ForeignKey("generated_report.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    username: Mapped[str] = mapped_column(String(40))
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=local_now, server_default=func.now())
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(40))
    withdraw_reason: Mapped[str | None] = mapped_column(String(200))
