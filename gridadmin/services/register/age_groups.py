"""Age-defined groups (老年人 ≥ 60, 高龄老人 ≥ 80): computed from the birth
date as of a day, never tagged. The thresholds are township settings
(系统设置 → 常规); the kinds are the tag kinds with the codes in
``AGE_KINDS`` (so they keep their place, family and visibility in lists).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import Person, TagKind
from gridadmin.services.common.settings import get_setting
from gridadmin.services.roster.listing import _years_before

# kind code → (setting key, default threshold in whole years)
AGE_KINDS = {"elder_60": ("group_age_elder", 60), "elder_80": ("group_age_very_old", 80)}
AGE_LABELS = {"elder_60": "老年人年龄下限", "elder_80": "高龄老人年龄下限"}


def age_thresholds(session: Session) -> dict[str, int]:
    """``{kind code: years}`` as set for the township (defaults 60 and 80)."""
    out = {}
    for code, (key, default) in AGE_KINDS.items():
        try:
            out[code] = int(get_setting(session, key) or default)
        except ValueError:
            out[code] = default
    return out


def age_threshold_values(db) -> dict[str, int]:
    """``age_thresholds`` in its own session (settings forms)."""
    with db.session() as session:
        return age_thresholds(session)


def computed_kinds(session: Session) -> dict[int, tuple[str, int]]:
    """``{tag kind id: (name, years)}`` of the age-defined kinds."""
    years = age_thresholds(session)
    return {kind_id: (name, years[code]) for kind_id, code, name in session.execute(
        select(TagKind.id, TagKind.code, TagKind.name).where(TagKind.code.in_(list(AGE_KINDS))))}


def born_by(day: date, years: int) -> date:
    """The last birth date of someone ``years`` old or more on ``day``."""
    return _years_before(day, years)


def reaches(birth: date | None, day: date, years: int) -> bool:
    return birth is not None and birth <= born_by(day, years)


def turned_on(birth: date, years: int) -> date:
    """The day someone born on ``birth`` turns ``years`` (28 February for 29 February)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return birth.replace(year=birth.year + years, day=28)


def age_condition(day: date, years: int):
    """SQL: the person is ``years`` old or more on ``day``."""
    return Person.birth_date <= born_by(day, years)


def family_mapping(db) -> list[str]:
    """The lines the upgrade to the group families (migration 0018) wrote
    to the audit trail: "old → family·new" per kind; [] if none."""
    import json

    from gridadmin.models import AuditLog

    with db.session() as session:
        changes = session.scalar(select(AuditLog.changes).where(
            AuditLog.entity == "tag_kind", AuditLog.username == "系统升级").order_by(AuditLog.id.desc()).limit(1))
    found = json.loads(changes) if changes else {}
    return [f"{name}：{old if old is not None else '（新增）'} → {new}" for name, (old, new) in found.items()]


def save_age_thresholds(db, values: dict[str, int]) -> None:
    """Set the thresholds (needs 修改系统设置; audited). 40–120 years."""
    from gridadmin.services.access import audit
    from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting, require
    from gridadmin.services.common.errors import ValidationError
    from gridadmin.services.common.settings import set_setting

    for code, years in values.items():
        if code not in AGE_KINDS:
            raise ValidationError(f"没有名为“{code}”的按年龄计算的人群。", field="人群", value=code)
        if not isinstance(years, int) or not 40 <= years <= 120:
            raise ValidationError(f"{AGE_LABELS[code]}“{years}”无效，应为 40–120 之间的整数。",
                                  field=AGE_LABELS[code], value=years)
    with db.session() as session:
        require(session, acting(db), MANAGE_SETTINGS)
        old = age_thresholds(session)
        changes = {}
        for code, years in values.items():
            if old[code] != years:
                set_setting(session, AGE_KINDS[code][0], str(years))
                changes[AGE_KINDS[code][0]] = [old[code], years]
        if changes:
            audit.record(session, acting(db), audit.ACTION_UPDATE, "setting", None, changes=changes,
                         summary="修改按年龄计算的人群的年龄下限")
