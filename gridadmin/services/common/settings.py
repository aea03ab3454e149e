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


def apply_settings(session: Session, new: dict[str, str | None]) -> dict[str, list]:
    """Set the settings whose value differs; ``{key: [old, new]}`` of those
    changed (for the audit row)."""
    changes = {}
    for key, value in new.items():
        old = get_setting(session, key)
        if old != value:
            set_setting(session, key, value)
            changes[key] = [old, value]
    return changes


# 常规 settings (系统设置 → 常规). Signatories are printed in the footer of
# the monthly report and the printed lists (``reports.toolkit.signature_block``);
# unset ones stay blank lines to be filled in by hand.
KEY_BACKUP_FOLDER = "backup_folder"
# How many safety copies (恢复前-*.gadb, made before each restore) are kept in
# the backup folder; older ones are deleted after the next restore.
KEY_SAFETY_KEEP = "safety_copies_keep"
DEFAULT_SAFETY_KEEP = 5
MAX_SAFETY_KEEP = 100
# The monthly report names the staff behind on training hours by more than
# this many months' shares of their annual requirement (the count per
# community is always given; December lists everyone behind).
KEY_TRAINING_BEHIND_MONTHS = "training_behind_months"
DEFAULT_BEHIND_MONTHS = 1.0
SIGNATORY_KEYS = {"单位负责人": "signatory_head", "审核人": "signatory_reviewer", "制表人": "signatory_preparer",
                  "联系电话": "signatory_phone"}
MAX_SETTING_LENGTH = 200


def signatories(db) -> dict[str, str]:
    """``{label: value}`` of the signatories that are set (单位负责人, 审核人,
    制表人, 联系电话); labels not set are left out."""
    with db.session() as session:
        values = {label: get_setting(session, key) or "" for label, key in SIGNATORY_KEYS.items()}
    return {label: value for label, value in values.items() if value}


def print_signatories(db) -> dict[str, str]:
    """The signatories a printout carries: those set in 常规, and 制表人 —
    when not set there — the user printing it, by display name (the name
    people know, never the login name)."""
    from gridadmin.services.access.permissions import acting

    values = signatories(db)
    actor = acting(db)
    if not values.get("制表人") and actor.user_id is not None and (actor.display_name or "").strip():
        values["制表人"] = actor.display_name.strip()
    return values


def backup_folder_setting(db) -> str | None:
    """The backup folder chosen in 常规, or None for the default."""
    with db.session() as session:
        return get_setting(session, KEY_BACKUP_FOLDER) or None


def safety_keep(db) -> int:
    """Safety copies made before restores to keep (default ``DEFAULT_SAFETY_KEEP``)."""
    with db.session() as session:
        try:
            value = int(get_setting(session, KEY_SAFETY_KEEP) or DEFAULT_SAFETY_KEEP)
        except ValueError:
            return DEFAULT_SAFETY_KEEP
    return value if 1 <= value <= MAX_SAFETY_KEEP else DEFAULT_SAFETY_KEEP


def behind_threshold(db) -> float:
    """Months' shares of training hours behind which the monthly report
    names a person (default 1)."""
    with db.session() as session:
        return behind_threshold_in(session)


def behind_threshold_in(session: Session) -> float:
    try:
        return float(get_setting(session, KEY_TRAINING_BEHIND_MONTHS) or DEFAULT_BEHIND_MONTHS)
    except ValueError:
        return DEFAULT_BEHIND_MONTHS


def save_general_settings(db, *, backup_folder: str | None = None,
                          signatories: dict[str, str] | None = None, behind_months: float | None = None,
                          keep_safety: int | None = None) -> None:
    """Save 常规 settings in one transaction (needs 修改系统设置). ``None``
    leaves a group unchanged; an empty value clears a setting."""
    from gridadmin.services.access import audit
    from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting, require
    from gridadmin.services.common.errors import ValidationError
    from gridadmin.services.common.text import clean_text

    new: dict[str, str | None] = {}
    if behind_months is not None:
        if not 0 <= behind_months <= 12:
            raise ValidationError(f"学时落后阈值“{behind_months:g}”无效，应在 0–12 个月之间。",
                                  field="学时落后阈值", value=behind_months)
        new[KEY_TRAINING_BEHIND_MONTHS] = f"{behind_months:g}"
    if keep_safety is not None:
        if not 1 <= keep_safety <= MAX_SAFETY_KEEP:
            raise ValidationError(f"恢复前副本保留份数“{keep_safety}”无效，应在 1–{MAX_SAFETY_KEEP} 之间。",
                                  field="恢复前副本保留份数", value=keep_safety)
        new[KEY_SAFETY_KEEP] = str(keep_safety)
    if backup_folder is not None:
        new[KEY_BACKUP_FOLDER] = backup_folder.strip() or None
    for label, value in (signatories or {}).items():
        if label not in SIGNATORY_KEYS:
            raise ValidationError(f"没有名为“{label}”的落款项。", field="落款", value=label)
        value = clean_text(value or "")
        if len(value) > MAX_SETTING_LENGTH:
            raise ValidationError(f"{label}“{value[:20]}…”太长（最多 {MAX_SETTING_LENGTH} 字）。",
                                  field=label, value=value)
        new[SIGNATORY_KEYS[label]] = value or None
    with db.session() as session:
        require(session, acting(db), MANAGE_SETTINGS)
        changes = apply_settings(session, new)
        if changes:
            audit.record(session, acting(db), audit.ACTION_UPDATE, "setting", None, changes=changes,
                         summary="修改常规设置")
