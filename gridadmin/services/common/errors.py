"""Errors the services raise; each carries a Chinese message for the user."""

from __future__ import annotations

import re
from datetime import datetime


class ServiceError(Exception):
    """A refusal the user must read: ``message`` is Chinese and names the
    field and value where there is one. The data is left unchanged."""

    def __init__(self, message: str, *, field: str | None = None, value: object = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.value = value

    def __str__(self) -> str:
        return self.message


class ValidationError(ServiceError):
    """Input that breaks a rule (format, uniqueness, dates)."""


class NotFoundError(ServiceError):
    """The record asked for does not exist (any more)."""


class ConflictError(ServiceError):
    """Someone else changed the record since it was read.

    ``changed_by`` (display name) and ``changed_at`` say who changed it
    last and when, when the audit trail knows (else None); ``entity`` and
    ``entity_id`` name the record. Build it with
    ``gridadmin.services.access.audit.stale_record`` so the message says so."""

    def __init__(self, message: str, *, field: str | None = None, value: object = None,
                 changed_by: str | None = None, changed_at: datetime | None = None,
                 entity: str | None = None, entity_id: int | None = None):
        super().__init__(message, field=field, value=value)
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.entity = entity
        self.entity_id = entity_id


class IdentityConflict(ConflictError):
    """Another record already holds an identity of the register (a 在册
    person's ID number, a household's 户号, an open membership of a group),
    usually saved by another clerk at the same moment; the message names
    that record (``entity`` / ``entity_id``). Reloading the form would not
    help: the user corrects what they typed. Built by
    ``services.common.identities``."""


class StorageError(ServiceError):
    """The database could not do what was asked (disk full, read-only file,
    server gone, file damaged, locked). ``kind`` is one of the ``STORAGE_*``
    constants; the transaction was rolled back as a whole, so nothing of
    the action was written."""

    def __init__(self, message: str, kind: str):
        super().__init__(message, field="数据库", value=kind)
        self.kind = kind


STORAGE_FULL = "full"
STORAGE_READ_ONLY = "read_only"
STORAGE_DISCONNECTED = "disconnected"
STORAGE_CORRUPT = "corrupt"
STORAGE_LOCKED = "locked"
STORAGE_OTHER = "other"

_NOT_SAVED = "刚才的操作没有保存，数据库中的数据保持原样。"
STORAGE_MESSAGES = {
    STORAGE_FULL: "磁盘空间不足，" + _NOT_SAVED + "请清理磁盘（或请管理员扩充数据库服务器的空间）后重试。",
    STORAGE_READ_ONLY: "数据库是只读的，不能保存修改；" + _NOT_SAVED + "请检查数据库文件及其所在文件夹的写入权限，或联系管理员。",
    STORAGE_DISCONNECTED: "与数据库服务器的连接中断了，" + _NOT_SAVED + "请检查网络和服务器后重试，程序会自动重新连接。",
    STORAGE_CORRUPT: "数据库文件已损坏，" + _NOT_SAVED + "请关闭程序后重新打开，按提示从备份恢复。",
    STORAGE_LOCKED: "数据库正被其他程序或用户占用，" + _NOT_SAVED + "请稍后重试。",
}

# (kind, words found in the driver's message, lower case); first match wins.
_STORAGE_PATTERNS = (
    (STORAGE_FULL, ("database or disk is full", "no space left", "disk full", "could not extend file")),
    (STORAGE_READ_ONLY, ("readonly database", "read-only", "read only", "query_only")),
    (STORAGE_CORRUPT, ("malformed", "file is not a database", "file is encrypted")),
    (STORAGE_LOCKED, ("database is locked", "database table is locked")),
    (STORAGE_DISCONNECTED, ("server closed the connection", "terminating connection", "connection refused",
                            "connection is closed", "could not connect", "connection timed out",
                            "consuming input failed", "the connection is lost", "ssl syscall error",
                            "connection reset", "server connection", "no connection to the server")),
)


def file_not_written(path, exc: BaseException) -> ValidationError:
    """The Chinese refusal for a file that could not be written (``exc``:
    the OSError, or a writer's error raised while handling one): names the
    file and the likely cause. Nothing in the database changed."""
    import errno
    from pathlib import Path

    inner = exc if isinstance(exc, OSError) else (exc.__cause__ or exc.__context__)
    code = inner.errno if isinstance(inner, OSError) else None
    cause = {errno.ENOENT: "所选文件夹不存在", errno.ENOSPC: "磁盘空间不足",
             errno.EACCES: "没有写入权限，或文件正在 Excel/WPS 中打开",
             errno.EPERM: "没有写入权限，或文件正在 Excel/WPS 中打开"}.get(
        code, "文件可能正在 Excel/WPS 中打开，或所选文件夹不可写")
    return ValidationError(f"无法写入文件“{Path(path).name}”：{cause}。请关闭该文件或另选保存位置后重试。",
                           field="文件", value=str(path))


def describe_db_error(exc: BaseException) -> StorageError | None:
    """The Chinese ``StorageError`` for a database driver error (SQLAlchemy
    ``DBAPIError`` or a raw sqlite3/psycopg error), or None when ``exc`` is
    not one of the known storage faults (a bug, which must stay visible).

    The one place that maps disk full, read-only, server gone, damaged file
    and locked database to messages; ``Database.session`` applies it to
    every unit of work."""
    orig = getattr(exc, "orig", None) or exc
    text = f"{orig} {exc}".lower()
    for kind, words in _STORAGE_PATTERNS:
        if any(w in text for w in words):
            return StorageError(STORAGE_MESSAGES[kind], kind)
    if getattr(exc, "connection_invalidated", False):
        return StorageError(STORAGE_MESSAGES[STORAGE_DISCONNECTED], STORAGE_DISCONNECTED)
    return None


# Personal data a driver or SQLAlchemy may put into an error's text: ID
# numbers, phones and other long digit runs; PostgreSQL's DETAIL values
# ("Key (id_number)=(…)", "Failing row contains (…)"); SQLAlchemy's
# "[parameters: …]" (engines are made with hide_parameters=True, this is
# the second line of defence).
_HIDDEN = "＊"
_SCRUBS = (
    (re.compile(r"\[parameters: .*?\](?=\s*(?:\(Background on this error|$))", re.S), "[parameters hidden]"),
    (re.compile(r"(Key \(.*?\))=\(.*?\)(?=\s+(?:already exists|is not present|conflicts|is still referenced))", re.S),
     r"\1=(" + _HIDDEN + ")"),
    (re.compile(r"(Failing row contains )\(.*\)", re.S), r"\1(" + _HIDDEN + ")"),
    (re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15}|1[3-9]\d{9}|0\d{2,3}-\d{7,8}|\d{9,})(?![0-9A-Za-z])"), _HIDDEN * 4),
)


def scrub_personal_data(text: object) -> str:
    """``text`` without the personal data an error message may carry (see
    ``_SCRUBS``): for logs, error dialogs and error workbooks."""
    result = str(text)
    for pattern, replacement in _SCRUBS:
        result = pattern.sub(replacement, result)
    return result
