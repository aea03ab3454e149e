"""Group families (特殊人群, 重点人员, 关怀对象), age-defined groups computed
from the birth date, and the upgrade of a database holding today's tags —
on SQLite and, with GRIDADMIN_TEST_DB, on PostgreSQL."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest
from sqlalchemy import create_engine, select, text, update

from gridadmin.models import AuditLog, Person, PersonTag, TagKind
from gridadmin.services.access.permissions import Actor, PermissionDeniedError
from gridadmin.services.common import code_lists
from gridadmin.services.common.codes import seed_code_lists
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.register.age_groups import age_thresholds, save_age_thresholds
from gridadmin.services.register.residents import ResidentFilter, resident_columns, resident_source
from gridadmin.services.register.special_groups import special_group_counts
from gridadmin.services.register.tags import person_tags, set_person_tags, tag_choices
from gridadmin.services.reports.monthly_figures import monthly_figures
from gridadmin.services.reports.monthly_pdf import monthly_report_pdf
from tests.test_monthly_report import D, OLD, _pdf_text, tiny  # noqa: F401
from tests.test_register_services import reg  # noqa: F401

OFFICIAL = Actor(7, "lead", "领导", frozenset({"official"}))


def _kinds(db) -> dict[str, TagKind]:
    with db.session() as s:
        return {k.code: k for k in s.scalars(select(TagKind))}


def _rows(db, f):
    source = resident_source(db)
    query = PageQuery(f)
    return source.window(query, 0, source.count(query))


# --- the families -------------------------------------------------------------------------

def test_every_kind_has_its_family_and_the_management_ones_are_sensitive(township_db):
    kinds = _kinds(township_db)
    special = {k.name for k in kinds.values() if k.family == "special"}
    assert special == {"刑满释放人员", "社区矫正人员", "严重精神障碍患者", "吸毒人员", "艾滋病危险人员", "重点青少年"}
    assert {k.name for k in kinds.values() if k.family == "key"} == {"重点上访人员"}
    care = {k.name for k in kinds.values() if k.family == "care"}
    assert {"老年人", "高龄老人", "独居老人", "空巢老人", "残疾人", "低保对象", "留守儿童", "优抚对象"} <= care
    assert all(k.sensitive for k in kinds.values() if k.family in ("special", "key"))
    assert not any(k.sensitive for k in kinds.values() if k.family == "care")
    # the township adds kinds within a family: sensitive by default in 特殊人群 / 重点人员
    new_key = code_lists.add_item(township_db, code_lists.TAG_LIST, "涉稳重点人员", family="key")
    new_care = code_lists.add_item(township_db, code_lists.TAG_LIST, "失独家庭", family="care")
    items = {it.id: it for it in code_lists.list_items(township_db, code_lists.TAG_LIST)}
    assert (items[new_key].family, items[new_key].sensitive) == ("key", True)
    assert (items[new_care].family, items[new_care].sensitive) == ("care", False)
    with pytest.raises(ValidationError, match="没有名为“welfare”的人群分类"):
        code_lists.add_item(township_db, code_lists.TAG_LIST, "某类", family="welfare")
    # the choices read by family, in the families' order, 特殊人群 and 重点人员 only for who may see them
    choices = [name for _id, name in tag_choices(township_db)]
    families = [name.split(" · ")[0] for name in choices]
    assert families == sorted(families, key=["特殊人群", "重点人员", "关怀对象"].index)
    assert "特殊人群 · 社区矫正人员（敏感）" in choices and "重点人员 · 涉稳重点人员（敏感）" in choices
    hidden = [name for _id, name in tag_choices(township_db.as_actor(OFFICIAL))]
    assert hidden and all(name.startswith("关怀对象") for name in hidden)


def test_the_residents_list_shows_and_filters_by_family(reg):  # noqa: F811
    db, _ids, kinds, people = reg
    today = date(2026, 1, 1)
    set_person_tags(db, people["张三"], {kinds["corrections"], kinds["petition"], kinds["dibao"]}, date(2025, 2, 1),
                    today=today)
    with db.session() as s:  # 张三 is 85 on the day: 老年人 and 高龄老人 without any tag
        s.execute(update(Person).where(Person.id == people["张三"]).values(birth_date=date(1940, 6, 1)))
    rows = {r.name: r for r in _rows(db, ResidentFilter(today=today))}
    zhang = rows["张三"]
    assert (zhang.special, zhang.key_people, zhang.care) == ("社区矫正人员", "重点上访人员", "老年人、高龄老人、低保对象")
    assert [c.title for c in resident_columns()][-3:] == ["特殊人群", "重点人员", "关怀对象"]
    old = [r.name for r in _rows(db, ResidentFilter(today=today, tag_kind_id=kinds["elder_80"]))]
    assert old == ["张三"]
    # an official sees the 关怀对象 only: the sensitive families stay empty and filter nobody
    seen = {r.name: r for r in _rows(db.as_actor(OFFICIAL), ResidentFilter(today=today))}["张三"]
    assert (seen.special, seen.key_people) == ("", "") and "低保对象" in seen.care
    assert _rows(db.as_actor(OFFICIAL), ResidentFilter(today=today, tag_kind_id=kinds["corrections"])) == []
    held = person_tags(db, people["张三"], today)
    assert [(t.name, t.family, t.computed) for t in held][:2] == [("社区矫正人员", "special", False),
                                                                  ("重点上访人员", "key", False)]
    assert ("高龄老人", True) in [(t.name, t.computed) for t in held]
    assert [t.name for t in person_tags(db.as_actor(OFFICIAL), people["张三"], today)] == [
        "老年人", "高龄老人", "低保对象"]


# --- age-defined groups -------------------------------------------------------------------

def test_age_groups_come_from_the_birth_date_on_the_day_and_the_township_thresholds(reg):  # noqa: F811
    db, ids, kinds, people = reg
    with db.session() as s:
        s.execute(update(Person).where(Person.id == people["张三"]).values(birth_date=date(1946, 3, 10)))
        s.execute(update(Person).where(Person.id == people["李四"]).values(birth_date=date(1963, 7, 1)))
    today = date(2026, 6, 1)

    def counts(on):
        table = {r.name: r.total for r in special_group_counts(db, on, today=today).rows}
        return table["老年人"], table["高龄老人"]

    assert counts(today) == (2, 1)  # 李四 turned 60 on 2023-07-01, 张三 80 on 2026-03-10
    assert counts(date(2026, 3, 10)) == (2, 1) and counts(date(2026, 3, 9)) == (2, 0)
    assert counts(date(2025, 1, 2)) == (2, 0)
    with pytest.raises(ValidationError, match="按出生日期计算，不能手工设置"):
        set_person_tags(db, people["李四"], {kinds["elder_60"]}, date(2025, 2, 1), today=today)
    # the thresholds are the township's
    save_age_thresholds(db, {"elder_60": 65})
    with db.session() as s:
        assert age_thresholds(s) == {"elder_60": 65, "elder_80": 80}
    assert counts(today) == (1, 1)
    with pytest.raises(ValidationError, match="老年人年龄下限“200”无效"):
        save_age_thresholds(db, {"elder_60": 200})
    with pytest.raises(PermissionDeniedError):
        save_age_thresholds(db.as_actor(OFFICIAL), {"elder_60": 60})


# --- the monthly report -------------------------------------------------------------------

def _present(db, person_id: int, on: date) -> bool:
    with db.session() as s:
        return bool(s.execute(text(
            "SELECT count(*) FROM person WHERE id = :p AND registered_on <= :d AND (moved_out_on IS NULL OR "
            "moved_out_on > :d) AND (died_on IS NULL OR died_on > :d)"), {"p": person_id, "d": on}).scalar_one())


def test_the_monthly_report_counts_by_family_age_groups_and_not_past_due_ends(tiny, tmp_path):  # noqa: F811
    db, ids = tiny
    ends = (D("2026-03-31"), D("2026-02-28"), D("2025-03-31"))
    with db.session() as s:
        seed_code_lists(s)
        kinds = {k.code: k.id for k in s.scalars(select(TagKind))}
        s.execute(update(Person).where(Person.id == ids["p1"]).values(birth_date=date(1946, 3, 15)))
        # 矫正期满 on 2026-03-15, not yet confirmed by anyone: not counted from that day
        s.add(PersonTag(person_id=ids["p1"], tag_kind_id=kinds["corrections"], start_date=OLD,
                        due_end=D("2026-03-15")))
        s.add(PersonTag(person_id=ids["p1"], tag_kind_id=kinds["dibao"], start_date=OLD))
    present = [_present(db, ids["p1"], on) for on in ends]
    f = monthly_figures(db, 2026, 3)
    tags = {t.name: t for t in f.tags}
    assert [t.family for t in f.tags] == sorted((t.family for t in f.tags),
                                                key=["特殊人群", "重点人员", "关怀对象"].index)
    corrections = tags["社区矫正人员"]
    assert (corrections.current, corrections.previous, corrections.last_year) == (0, int(present[1]),
                                                                                  int(present[2]))
    assert corrections.family == "特殊人群" and tags["低保对象"].family == "关怀对象"
    very_old = tags["高龄老人"]  # p1 is 80 from 2026-03-15
    assert (very_old.current, very_old.previous, very_old.last_year) == (int(present[0]), 0, 0)
    with db.session() as s:
        expected_elder = [s.execute(text(
            "SELECT count(*) FROM person WHERE registered_on <= :d AND (moved_out_on IS NULL OR moved_out_on > :d)"
            " AND (died_on IS NULL OR died_on > :d) AND birth_date <= :b"),
            {"d": on, "b": on.replace(year=on.year - 60)}).scalar_one() for on in ends]
    elder = tags["老年人"]
    assert [elder.current, elder.previous, elder.last_year] == expected_elder
    hidden = monthly_figures(db.as_actor(Actor(None, "lingdao", "领导甲", frozenset({"official"}))), 2026, 3)
    assert {t.family for t in hidden.tags} == {"关怀对象"}
    out = tmp_path / "m.pdf"
    monthly_report_pdf(db, 2026, 3, out)
    pdf = _pdf_text(out)
    assert "七、特殊人群、重点人员和关怀对象情况" in pdf and "分类" in pdf
    assert "特殊人群情况" not in pdf.replace("特殊人群、重点人员和关怀对象情况", "")


# --- the upgrade of a database holding today's tags ---------------------------------------

OLD_KINDS = [  # as seeded before the families: (code, name, sensitive)
    ("elder_alone", "独居老人", False), ("empty_nest", "空巢老人", False), ("elder_80", "高龄老人", False),
    ("disabled", "残疾人", False), ("dibao", "低保对象", False), ("tekun", "特困人员", False),
    ("left_child", "留守儿童", False), ("needy_child", "困境儿童", False), ("veteran", "退役军人", False),
    ("youfu", "优抚对象", False), ("fertile_woman", "育龄妇女", False), ("corrections", "社区矫正", True),
    ("released", "刑满释放人员（本镇）", True),  # renamed by the township: kept
    ("mental", "严重精神障碍", True), ("drug", "吸毒人员", True), ("petition", "重点上访", True),
    ("x01", "涉邪教人员", True), ("x02", "助残对象", False), ("x03", "重点青少年", False), ("x04", "其他关注", True),
]


def _old_database(url: str) -> dict[str, int]:
    """A database of schema 0015 holding today's tags; returns code → kind id."""
    from alembic import command

    from gridadmin.migrations import alembic_config
    from tests.conftest import _empty_server_database

    if url.startswith("postgresql"):
        _empty_server_database(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0015")
        conn.execute(text("INSERT INTO area (id, level, name, active, sort_order, version) VALUES "
                          "(1, 'township', '老镇', true, 0, 1), (2, 'community', '老社区', true, 0, 1)"))
        conn.execute(text("INSERT INTO household (id, household_no, area_id, is_dibao, is_tekun, is_party, "
                          "is_veteran, is_disabled, is_poor, version) VALUES "
                          "(1, 'H1', 2, false, false, false, false, false, false, 1)"))
        conn.execute(text("INSERT INTO person (id, household_id, name, birth_date, status, registered_on, version) "
                          "VALUES (1, 1, '甲', '1941-02-03', '在册', '2020-01-01', 1), "
                          "(2, 1, '乙', '1980-05-06', '在册', '2020-01-01', 1), "
                          "(3, 1, '丙', NULL, '在册', '2020-01-01', 1)"))
        for i, (code, name, sensitive) in enumerate(OLD_KINDS, start=1):
            conn.execute(text("INSERT INTO tag_kind (id, code, name, sensitive, sort_order, active, version) "
                              "VALUES (:i, :c, :n, :s, :i, true, 1)"), {"i": i, "c": code, "n": name, "s": sensitive})
        ids = {code: i for i, (code, _n, _s) in enumerate(OLD_KINDS, start=1)}
        for person, code in ((1, "elder_80"), (3, "elder_80"), (2, "corrections"), (2, "x01"), (1, "dibao")):
            conn.execute(text("INSERT INTO person_tag (person_id, tag_kind_id, start_date) VALUES (:p, :k, :d)"),
                         {"p": person, "k": ids[code], "d": date(2021, 1, 1)})
    engine.dispose()
    return ids


def test_upgrade_moves_todays_tags_into_their_families(tmp_path):
    from gridadmin.db import open_database

    url = os.environ.get("GRIDADMIN_TEST_DB") or f"sqlite:///{tmp_path / 'old.db'}"
    ids = _old_database(url)
    db = open_database(url)
    try:
        kinds = {k.code: k for k in _kinds(db).values()}
        assert (kinds["corrections"].name, kinds["corrections"].family) == ("社区矫正人员", "special")
        assert (kinds["mental"].name, kinds["petition"].name) == ("严重精神障碍患者", "重点上访人员")
        assert (kinds["released"].name, kinds["released"].family) == ("刑满释放人员（本镇）", "special")
        assert kinds["petition"].family == "key" and kinds["dibao"].family == "care"
        assert kinds["x01"].family == "key"  # 涉邪教: by its name
        assert (kinds["x02"].family, kinds["x04"].family) == ("care", "key")  # by the sensitive flag
        assert "x03" not in kinds and kinds["youth"].id == ids["x03"]  # the township's 重点青少年 is the built-in one
        assert kinds["youth"].family == "special" and not kinds["youth"].sensitive  # the flag stays the kind's
        assert {"aids_risk", "elder_60", "unemployed"} <= set(kinds)  # the kinds that were missing
        assert kinds["aids_risk"].sensitive and kinds["aids_risk"].family == "special"
        with db.session() as s:
            stored = {(t.person_id, t.tag_kind_id) for t in s.scalars(select(PersonTag))}
            trail = s.scalars(select(AuditLog).where(AuditLog.entity == "tag_kind")).one()
        assert stored == {(2, ids["corrections"]), (2, ids["x01"]), (1, ids["dibao"])}  # 高龄老人 converted
        assert "人群类别按特殊人群、重点人员、关怀对象归类" in trail.summary
        listed = json.loads(trail.changes)
        assert listed["社区矫正"] == ["社区矫正", "特殊人群·社区矫正人员"]
        assert listed["其他关注"] == ["其他关注", "重点人员·其他关注"]
        assert listed["高龄老人（标签记录）"] == [2, 0]
        # 甲 (born 1941) is 高龄老人 by the birth date now; 丙 (no birth date) no longer counts
        names = {r.name: r for r in _rows(db, ResidentFilter(today=date(2026, 1, 1)))}
        assert "高龄老人" in names["甲"].care and names["丙"].care == ""
        assert names["乙"].special == "社区矫正人员" and names["乙"].key_people == "涉邪教人员"
    finally:
        db.dispose()


def test_the_upgrade_command_prints_what_it_mapped(tmp_path, capsys):
    from gridadmin.cli import main as cli_main

    path = tmp_path / "old.db"
    _old_database(f"sqlite:///{path}")
    assert cli_main(["upgrade", "--db", str(path), "--backup-dir", str(tmp_path / "b"), "--as-system"]) == 0
    out = capsys.readouterr().out
    assert "人群类别已按特殊人群、重点人员、关怀对象归类" in out
    assert "社区矫正：社区矫正 → 特殊人群·社区矫正人员" in out and "高龄老人（标签记录）：2 → 0" in out
