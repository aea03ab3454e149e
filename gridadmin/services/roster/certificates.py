"""Certificates a staff member holds (社工证, 网格员职业技能等级证书 …) and
the list of certificates that expire soon.

Rules (each refusal is a ``ValidationError`` naming the field and value;
nothing is written):

- 证书名称 is required (at most 80 characters); 证书编号 at most 60,
  发证机关 at most 80 characters;
- 发证日期 must not lie in the future;
- 有效期至 must be after 发证日期 (a certificate without an expiry date is
  valid for life);
- a change or removal with a stale ``expected_version`` raises
  ``ConflictError``; an unknown staff member or certificate
  ``NotFoundError``.

Writes need the ``EDIT_STAFF`` permission and go into the audit trail.
Certificates are removed (deleted) when entered by mistake; an expired one
is simply kept with its date, so the history stays.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from gridadmin.db import Database
from gridadmin.models import Area, Certificate, Staff, StaffAssignment
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import EDIT_STAFF, acting, require
from gridadmin.services.common.errors import ConflictError, NotFoundError, ValidationError
from gridadmin.services.common.paging import ALIGN_RIGHT, Column
from gridadmin.services.roster.listing import SERVING
from gridadmin.services.common.text import clean_text

EXPIRY_WARNING_DAYS = 90

STATE_VALID = "有效"
STATE_EXPIRING = "即将到期"
STATE_EXPIRED = "已过期"
STATE_LIFELONG = "长期有效"

_LIMITS = (("name", "证书名称", 80), ("number", "证书编号", 60), ("issuer", "发证机关", 80))


@dataclass(frozen=True)
class CertificateInput:
    """What the certificate form holds."""

    name: str = ""
    number: str = ""
    issuer: str = ""
    issued_on: date | None = None
    expires_on: date | None = None


@dataclass(frozen=True)
class CertificateRow:
    """One certificate of a person, with the ``version`` to hand back."""

    id: int
    staff_id: int
    name: str
    number: str
    issuer: str
    issued_on: date | None
    expires_on: date | None
    version: int

    @property
    def data(self) -> CertificateInput:
        return CertificateInput(self.name, self.number, self.issuer, self.issued_on, self.expires_on)

    def state(self, today: date, warn_days: int = EXPIRY_WARNING_DAYS) -> str:
        """有效 / 即将到期 (within ``warn_days``) / 已过期 / 长期有效."""
        if self.expires_on is None:
            return STATE_LIFELONG
        if self.expires_on < today:
            return STATE_EXPIRED
        if self.expires_on <= today + timedelta(days=warn_days):
            return STATE_EXPIRING
        return STATE_VALID


@dataclass(frozen=True)
class ExpiringCertificate:
    """One line of the "expiring soon" list: the certificate, its holder
    and the grids the holder serves today."""

    certificate_id: int
    staff_id: int
    staff_name: str
    community: str
    grids: str
    name: str
    number: str
    issuer: str
    expires_on: date
    days_left: int


def validate_certificate(data: CertificateInput, *, today: date | None = None) -> CertificateInput:
    """``data`` cleaned (spaces trimmed); ``ValidationError`` on the first
    rule broken (see the module rules)."""
    today = today or date.today()
    values = {key: clean_text(getattr(data, key)) for key, _label, _limit in _LIMITS}
    if not values["name"]:
        raise ValidationError("证书名称不能为空。", field="name", value=data.name)
    for key, label, limit in _LIMITS:
        if len(values[key]) > limit:
            raise ValidationError(f"{label}“{values[key]}”过长（{len(values[key])} 字），最多 {limit} 字。",
                                  field=key, value=values[key])
    if data.issued_on is not None and data.issued_on > today:
        raise ValidationError(f"发证日期 {data.issued_on.isoformat()} 晚于今天（{today.isoformat()}）。",
                              field="issued_on", value=data.issued_on)
    if data.issued_on is not None and data.expires_on is not None and data.expires_on <= data.issued_on:
        raise ValidationError(
            f"有效期至 {data.expires_on.isoformat()} 应晚于发证日期 {data.issued_on.isoformat()}。",
            field="expires_on", value=data.expires_on)
    return CertificateInput(values["name"], values["number"], values["issuer"], data.issued_on, data.expires_on)


def list_certificates(db: Database, staff_id: int) -> list[CertificateRow]:
    """The certificates of ``staff_id``: the ones expiring first on top,
    life-long ones last (refused for staff outside the acting user's areas)."""
    from gridadmin.services.roster.listing import require_staff_readable

    with db.session() as session:
        require_staff_readable(session, acting(db), staff_id)
        rows = session.scalars(select(Certificate).where(Certificate.staff_id == staff_id)).all()
        out = [_row(c) for c in rows]
    return sorted(out, key=lambda r: (r.expires_on is None, r.expires_on or date.max, r.name, r.id))


def add_certificate(db: Database, staff_id: int, data: CertificateInput, *, today: date | None = None) -> int:
    """Record a certificate for ``staff_id``; returns its id."""
    clean = validate_certificate(data, today=today)
    with db.session() as session:
        require(session, acting(db), EDIT_STAFF)
        staff = session.get(Staff, staff_id)
        if staff is None:
            raise NotFoundError("该人员已不存在，请刷新。", field="staff", value=staff_id)
        certificate = Certificate(staff_id=staff_id, **_columns(clean))
        session.add(certificate)
        changes = audit.changes_of(certificate)
        session.flush()
        audit.record(session, acting(db), audit.ACTION_CREATE, "certificate", certificate.id, changes=changes,
                     summary=f"新增网格员“{staff.name}”的证书“{clean.name}”")
        return certificate.id


def update_certificate(db: Database, certificate_id: int, data: CertificateInput, *,
                       expected_version: int | None = None, today: date | None = None) -> None:
    """Change a certificate (see the module rules)."""
    clean = validate_certificate(data, today=today)
    with db.session() as session:
        require(session, acting(db), EDIT_STAFF)
        certificate = _get(session, certificate_id, expected_version)
        for key, value in _columns(clean).items():
            setattr(certificate, key, value)
        changes = audit.changes_of(certificate)
        _flush(session)
        if changes:
            audit.record(session, acting(db), audit.ACTION_UPDATE, "certificate", certificate.id, changes=changes,
                         summary=f"修改网格员“{_staff_name(session, certificate.staff_id)}”的证书“{clean.name}”")


def remove_certificate(db: Database, certificate_id: int, *, expected_version: int | None = None) -> None:
    """Delete a certificate entered by mistake (the audit trail keeps its
    values)."""
    with db.session() as session:
        require(session, acting(db), EDIT_STAFF)
        certificate = _get(session, certificate_id, expected_version)
        old = {key: [value.isoformat() if isinstance(value, date) else value, None]
               for key in ("staff_id", "name", "number", "issuer", "issued_on", "expires_on")
               if (value := getattr(certificate, key)) is not None}
        summary = f"删除网格员“{_staff_name(session, certificate.staff_id)}”的证书“{certificate.name}”"
        session.delete(certificate)
        _flush(session)
        audit.record(session, acting(db), audit.ACTION_DELETE, "certificate", certificate_id, changes=old,
                     summary=summary)


def expiring_certificates(db: Database, *, days: int = EXPIRY_WARNING_DAYS,
                          today: date | None = None) -> list[ExpiringCertificate]:
    """Certificates of serving staff (在岗/休假) that expire from ``today``
    up to ``today + days`` inclusive, soonest first, with the holder's
    community and the grids they serve today. Two queries whatever the
    number of staff. Only staff of the acting user's areas."""
    from gridadmin.services.roster.listing import staff_scope

    today = today or date.today()
    until = today + timedelta(days=days)
    with db.session() as session:
        query = (select(Certificate, Staff.name)
                 .join(Staff, Staff.id == Certificate.staff_id)
                 .where(Staff.status.in_(SERVING), Certificate.expires_on >= today, Certificate.expires_on <= until)
                 .order_by(Certificate.expires_on, Staff.name_pinyin, Certificate.id))
        scope = staff_scope(session, acting(db))
        if scope is not None:
            query = query.where(scope)
        rows = session.execute(query).all()
        places = _running_places(session, {c.staff_id for c, _name in rows}, today)
        out = []
        for certificate, staff_name in rows:
            communities, grids = places.get(certificate.staff_id, ((), ()))
            out.append(ExpiringCertificate(
                certificate.id, certificate.staff_id, staff_name, "、".join(communities), "、".join(grids),
                certificate.name, certificate.number or "", certificate.issuer or "", certificate.expires_on,
                (certificate.expires_on - today).days))
    return out


def expiring_columns() -> tuple[Column, ...]:
    """Columns of the expiring list (screen and xlsx export)."""
    return (
        Column("staff_name", "姓名", lambda r: r.staff_name, width=72),
        Column("community", "社区/村", lambda r: r.community, width=110),
        Column("grids", "网格", lambda r: r.grids, width=150),
        Column("name", "证书名称", lambda r: r.name, width=190),
        Column("number", "证书编号", lambda r: r.number, width=130),
        Column("issuer", "发证机关", lambda r: r.issuer, width=130),
        Column("expires_on", "有效期至", lambda r: r.expires_on.isoformat(), width=90),
        Column("days_left", "剩余天数", lambda r: str(r.days_left), align=ALIGN_RIGHT, width=70),
    )


def _running_places(session: Session, staff_ids: set[int], today: date) -> dict[int, tuple[tuple, tuple]]:
    """``staff_id → (communities, grids)`` of the assignments running today."""
    if not staff_ids:
        return {}
    parent = aliased(Area)
    found: dict[int, tuple[dict, dict]] = defaultdict(lambda: ({}, {}))
    for staff_id, grid, community in session.execute(
            select(StaffAssignment.staff_id, Area.name, parent.name)
            .join(Area, Area.id == StaffAssignment.area_id)
            .outerjoin(parent, parent.id == Area.parent_id)
            .where(StaffAssignment.staff_id.in_(staff_ids), StaffAssignment.start_date <= today,
                   or_(StaffAssignment.end_date.is_(None), StaffAssignment.end_date >= today))
            .order_by(StaffAssignment.start_date, StaffAssignment.id)):
        communities, grids = found[staff_id]
        if community:
            communities[community] = None
        grids[grid] = None
    return {k: (tuple(c), tuple(g)) for k, (c, g) in found.items()}


def _columns(clean: CertificateInput) -> dict:
    return {"name": clean.name, "number": clean.number or None, "issuer": clean.issuer or None,
            "issued_on": clean.issued_on, "expires_on": clean.expires_on}


def _row(c: Certificate) -> CertificateRow:
    return CertificateRow(c.id, c.staff_id, c.name, c.number or "", c.issuer or "", c.issued_on, c.expires_on,
                          c.version)


def _staff_name(session: Session, staff_id: int) -> str:
    return session.scalar(select(Staff.name).where(Staff.id == staff_id)) or ""


def _get(session: Session, certificate_id: int, expected_version: int | None) -> Certificate:
    certificate = session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFoundError("该证书记录已不存在，可能已被其他用户删除，请刷新。", field="certificate",
                            value=certificate_id)
    if expected_version is not None and certificate.version != expected_version:
        raise ConflictError(f"证书“{certificate.name}”已被其他用户修改，请刷新后再改。", field="certificate",
                            value=certificate.name)
    return certificate


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError("该证书记录已被其他用户修改，请刷新后再改。", field="certificate", value=None) from exc
