"""Per-database settings (key/value): township, signatories, hours …"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gridadmin.models import Setting

KEY_TOWNSHIP_CODE = "township_code"
KEY_TOWNSHIP_NAME = "township_name"


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Setting, key)
    return default if row is None or row.value is None else row.value


def set_setting(session: Session, key: str, value: str | None) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
