"""Certificates service: validation, edits, removal, permissions, audit and
the "expiring in the next 90 days" list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from gridadmin.models import AuditLog, Certificate
from gridadmin.models.access import ROLE_OFFICIAL
from gridadmin.services.roster import assignments
from gridadmin.services.roster import certificates
from gridadmin.services.access.permissions import Actor, PermissionDeniedError
from gridadmin.services.roster.certificates import CertificateInput
from gridadmin.services.common.errors import ConflictError, NotFoundError, ValidationError
from tests.staffdata import TODAY, add, grids


@pytest.fixture
def setup(township_db):
    db = township_db
    ids = grids(db)
    zhang = add(db, "张三", seq=11)
    assignments.assign(db, zhang, ids["第一网格"], "fulltime", date(2020, 2, 1))
    return db, ids, zhang


def _cert(name="社会工作者职业资格证书", **kw) -> CertificateInput:
    values = dict(name=name, number="SG2021001", issuer="民政部", issued_on=date(2021, 6, 1),
                  expires_on=date(2026, 6, 1))
    values.update(kw)
    return CertificateInput(**values)


def test_add_list_update_remove_with_audit(setup):
    db, _ids, zhang = setup
    cert_id = certificates.add_certificate(db, zhang, _cert("  网格员技能证书 "), today=TODAY)
    certificates.add_certificate(db, zhang, _cert("急救证", expires_on=None), today=TODAY)
    rows = certificates.list_certificates(db, zhang)
    assert [r.name for r in rows] == ["网格员技能证书", "急救证"]  # life-long last, names trimmed
    assert rows[0].state(TODAY) == certificates.STATE_VALID
    assert rows[1].state(TODAY) == certificates.STATE_LIFELONG
    certificates.update_certificate(db, cert_id, _cert("网格员技能证书", expires_on=date(2025, 8, 1)),
                                    expected_version=rows[0].version, today=TODAY)
    changed = certificates.list_certificates(db, zhang)[0]
    assert changed.expires_on == date(2025, 8, 1) and changed.state(TODAY) == certificates.STATE_EXPIRING
    assert changed.version == rows[0].version + 1
    certificates.remove_certificate(db, cert_id, expected_version=changed.version)
    assert [r.name for r in certificates.list_certificates(db, zhang)] == ["急救证"]
    with db.session() as s:
        log = s.execute(select(AuditLog.action, AuditLog.summary).where(AuditLog.entity == "certificate")
                        .order_by(AuditLog.id)).all()
    assert [a for a, _ in log] == ["create", "create", "update", "delete"]
    assert "张三" in log[-1].summary and "网格员技能证书" in log[-1].summary


@pytest.mark.parametrize("data, field, words", [
    (_cert(""), "name", ["证书名称不能为空"]),
    (_cert("证" * 81), "name", ["证书名称", "最多 80 字"]),
    (_cert(number="1" * 61), "number", ["证书编号", "1" * 61]),
    (_cert(issued_on=date(2021, 6, 1), expires_on=date(2021, 6, 1)), "expires_on",
     ["有效期至 2021-06-01", "发证日期 2021-06-01"]),
    (_cert(issued_on=date(2021, 6, 1), expires_on=date(2020, 1, 1)), "expires_on", ["2020-01-01", "应晚于"]),
    (_cert(issued_on=TODAY + timedelta(days=1)), "issued_on", ["发证日期 2025-07-01", "晚于今天"]),
])
def test_bad_input_is_refused_naming_field_and_value(setup, data, field, words):
    db, _ids, zhang = setup
    with pytest.raises(ValidationError) as caught:
        certificates.add_certificate(db, zhang, data, today=TODAY)
    assert caught.value.field == field
    for word in words:
        assert word in caught.value.message
    assert certificates.list_certificates(db, zhang) == []


def test_stale_version_unknown_ids_and_permission(setup):
    db, _ids, zhang = setup
    cert_id = certificates.add_certificate(db, zhang, _cert(), today=TODAY)
    with pytest.raises(ConflictError):
        certificates.update_certificate(db, cert_id, _cert("新名称"), expected_version=99, today=TODAY)
    with pytest.raises(ConflictError):
        certificates.remove_certificate(db, cert_id, expected_version=99)
    with pytest.raises(NotFoundError):
        certificates.add_certificate(db, 9999, _cert(), today=TODAY)
    with pytest.raises(NotFoundError):
        certificates.remove_certificate(db, 9999)
    official = db.as_actor(Actor(None, "ld", "领导", frozenset({ROLE_OFFICIAL})))
    with pytest.raises(PermissionDeniedError):
        certificates.add_certificate(official, zhang, _cert(), today=TODAY)
    with pytest.raises(PermissionDeniedError):
        certificates.remove_certificate(official, cert_id)
    assert [r.name for r in certificates.list_certificates(db, zhang)] == ["社会工作者职业资格证书"]


def test_expiring_within_90_days_with_staff_and_grid(setup):
    db, ids, zhang = setup
    li = add(db, "李四", seq=22)
    assignments.assign(db, li, ids["粮行网格"], "parttime", date(2021, 1, 1))
    assignments.assign(db, li, ids["第二网格"], "volunteer", date(2021, 1, 1))
    wang = add(db, "王五", seq=33, status="离职", left_on=date(2024, 1, 1))
    for staff_id, name, expires in ((zhang, "今天到期", TODAY), (zhang, "第90天", TODAY + timedelta(days=90)),
                                    (zhang, "第91天", TODAY + timedelta(days=91)),
                                    (zhang, "昨天过期", TODAY - timedelta(days=1)),
                                    (li, "一个月后", TODAY + timedelta(days=30)),
                                    (wang, "离职人员", TODAY + timedelta(days=5)),
                                    (li, "长期", None)):
        certificates.add_certificate(db, staff_id, _cert(name, issued_on=date(2020, 1, 1), expires_on=expires),
                                     today=TODAY)
    rows = certificates.expiring_certificates(db, today=TODAY)
    assert [(r.name, r.staff_name, r.days_left) for r in rows] == [
        ("今天到期", "张三", 0), ("一个月后", "李四", 30), ("第90天", "张三", 90)]
    assert rows[0].grids == "第一网格" and rows[0].community == "河街社区"
    assert set(rows[1].grids.split("、")) == {"粮行网格", "第二网格"}
    assert set(rows[1].community.split("、")) == {"粮行社区", "河街社区"}
    columns = certificates.expiring_columns()
    assert [c.text(rows[0]) for c in columns][-2:] == [TODAY.isoformat(), "0"]
    assert certificates.expiring_certificates(db, today=TODAY, days=10)[-1].name == "今天到期"


def test_removing_keeps_other_staff_certificates(setup):
    db, _ids, zhang = setup
    li = add(db, "李四", seq=22)
    mine = certificates.add_certificate(db, zhang, _cert("A"), today=TODAY)
    certificates.add_certificate(db, li, _cert("B"), today=TODAY)
    certificates.remove_certificate(db, mine)
    with db.session() as s:
        assert s.scalars(select(Certificate.name)).all() == ["B"]
