"""Migration 0009 on a database written before the register's identities
were enforced (by two clerks at once): duplicate 在册 ID numbers stop the
upgrade with a Chinese list (numbers masked, person ids) and change
nothing — after the pre-upgrade backup on SQLite; duplicate open
memberships of one group are ended but the earliest, audited."""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import func, insert, select, text

from gridadmin.db import SCHEMA_HEAD, make_engine, open_database, resolve_url, stamped_revision
from gridadmin.migrations import upgrade_to_head
from gridadmin.models import Area, AuditLog, Household, Person, PersonTag, TagKind
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.idcard import make_id_number, mask_id_number
from gridadmin.services.maintenance.backup import upgrade_with_backup, verify_backup
from gridadmin.services.register import tallies
from tests.conftest import _empty_server_database
from tests.test_open_checks import make_old_database

TWICE = make_id_number("411302", date(1980, 1, 1), 11)
ALSO_TWICE = make_id_number("411302", date(1990, 2, 2), 22)
ONCE = make_id_number("411302", date(1985, 3, 3), 33)


def old_database_url(tmp_path, revision: str) -> str:
    """A database at ``revision`` (SQLite file, or the PostgreSQL test database)."""
    server = os.environ.get("GRIDADMIN_TEST_DB")
    if server:
        _empty_server_database(server)
        url = server
    else:
        url = resolve_url(str(tmp_path / "old.db"))
    make_old_database(url, revision)
    return url


@pytest.fixture
def old_url(tmp_path):
    """A database at revision 0008."""
    return old_database_url(tmp_path, "0008")


def _fill(url, *, duplicates: bool) -> dict[str, int]:
    """Households and people as two clerks at once left them; returns ids."""
    engine = make_engine(url)
    ids = {}
    with engine.begin() as conn:
        area = conn.execute(insert(Area.__table__).values(level="community", name="河街社区")).inserted_primary_key[0]
        household = conn.execute(insert(Household.__table__).values(household_no="H1", area_id=area)
                                 ).inserted_primary_key[0]
        people = [("张三", TWICE, "在册"), ("张三", TWICE if duplicates else ONCE, "在册"), ("李四", ALSO_TWICE, "在册"),
                  ("李四", ALSO_TWICE if duplicates else None, "在册"), ("王五", ONCE if duplicates else None, "迁出"),
                  ("王五", ONCE if duplicates else None, "在册")]
        for n, (name, number, status) in enumerate(people):
            ids[f"{name}{n}"] = conn.execute(insert(Person.__table__).values(
                household_id=household, name=name, id_number=number, status=status)).inserted_primary_key[0]
        kind = conn.execute(insert(TagKind.__table__).values(code="dibao", name="低保对象")).inserted_primary_key[0]
        first = ids["张三0"]
        for start in (date(2024, 3, 1), date(2024, 1, 1), date(2024, 3, 1)):
            conn.execute(insert(PersonTag.__table__).values(person_id=first, tag_kind_id=kind, start_date=start))
        ids["kind"] = kind
    engine.dispose()
    return ids


def test_duplicate_residents_stop_the_upgrade_with_their_masked_numbers_and_ids(old_url, tmp_path):
    ids = _fill(old_url, duplicates=True)
    folder = tmp_path / "backups"
    with pytest.raises(ValidationError) as refused:
        upgrade_with_backup(old_url, folder)
    message = refused.value.message
    assert message.startswith("数据库中有 2 个公民身份号码同时登记给了多位在册人员") and "没有升级，数据保持原样" in message
    assert f"{mask_id_number(TWICE)}：人员编号 {ids['张三0']}、{ids['张三1']}" in message
    assert f"{mask_id_number(ALSO_TWICE)}：人员编号 {ids['李四2']}、{ids['李四3']}" in message
    assert TWICE not in message and mask_id_number(ONCE) not in message  # one 在册 and one 迁出 is no duplicate
    engine = make_engine(old_url)
    try:
        assert stamped_revision(engine) == "0008"
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Person)).scalar() == 6
            assert conn.execute(select(func.count()).select_from(PersonTag)
                                .where(PersonTag.end_date.is_(None))).scalar() == 3
    finally:
        engine.dispose()
    if not os.environ.get("GRIDADMIN_TEST_DB"):  # SQLite: backed up before trying
        backups = list(folder.glob("升级前-0008-*.gadb"))
        assert len(backups) == 1 and verify_backup(backups[0]).ok
    with pytest.raises(ValidationError, match="同时登记给了多位在册人员"):
        open_database(old_url).dispose()


def test_once_resolved_the_upgrade_runs_and_ends_duplicate_memberships(old_url):
    ids = _fill(old_url, duplicates=False)
    engine = make_engine(old_url)
    try:
        upgrade_to_head(engine)
        assert stamped_revision(engine) == SCHEMA_HEAD
        with engine.connect() as conn:
            rows = conn.execute(select(PersonTag.start_date, PersonTag.end_date).where(
                PersonTag.person_id == ids["张三0"]).order_by(PersonTag.id)).all()
            assert rows == [(date(2024, 3, 1), date(2024, 3, 1)), (date(2024, 1, 1), None),
                            (date(2024, 3, 1), date(2024, 3, 1))]
            assert "2 条重复的特殊人群成员资格已结束" in conn.execute(
                select(AuditLog.summary).where(AuditLog.entity == "person_tag")).scalar()
    finally:
        engine.dispose()
    db = open_database(old_url)
    try:
        with db.session() as s:
            assert tallies.mismatches(s) == []
            assert sum(n for (_a, k), n in tallies.holders_per_area_kind(s).items() if k == ids["kind"]) == 1
            s.execute(text("SELECT 1"))
    finally:
        db.dispose()
