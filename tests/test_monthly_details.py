"""The monthly report's further figures on the tiny register with known
history (tests/test_monthly_report.py): resident categories, staff flows and
changes, special groups with 环比/同比, 12-month trends, who is behind on
hours, and that the PDF prints them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from gridadmin.models import Person, PersonTag, Staff, TagKind
from gridadmin.services.access.permissions import Actor
from gridadmin.services.common.codes import seed_code_lists
from gridadmin.services.reports.monthly_figures import StockFlow, monthly_figures
from gridadmin.services.reports.monthly_pdf import monthly_report_pdf
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.training.compliance import set_requirement
from tests.test_monthly_report import OLD, D, _pdf_text, tiny  # noqa: F401


@pytest.fixture
def known(tiny):  # noqa: F811 - the fixture imported above
    """Categories, tags, hire and leave dates and a requirement on top of
    the tiny register."""
    db, ids = tiny
    with db.session() as s:
        seed_code_lists(s)  # the register's labels, as every real database has them
        for keys, cat in ((("p1", "p2", "p3", "p4"), "1"), (("p5", "p6"), "3"), (("p7",), "4")):
            s.execute(update(Person).where(Person.id.in_([ids[k] for k in keys])).values(category=cat))
        s.execute(update(Staff).where(Staff.id == ids["s4"]).values(hired_on=D("2026-03-05")))
        s.execute(update(Staff).where(Staff.id == ids["s3"]).values(left_on=D("2026-03-10")))
        s.execute(update(TagKind).values(active=False))  # only the two groups below
        lonely = TagKind(code="t01", name="测试独居", sensitive=False, sort_order=0)
        watched = TagKind(code="t90", name="测试矫正", sensitive=True, sort_order=1)
        s.add_all([lonely, watched])
        s.flush()
        s.add_all([PersonTag(person_id=ids["p1"], tag_kind_id=lonely.id, start_date=OLD),
                   PersonTag(person_id=ids["p4"], tag_kind_id=lonely.id, start_date=D("2026-03-12")),
                   PersonTag(person_id=ids["p7"], tag_kind_id=lonely.id, start_date=OLD),
                   PersonTag(person_id=ids["p2"], tag_kind_id=watched.id, start_date=OLD)])
    set_requirement(db, 2026, 10)
    return db, ids


def test_resident_categories_add_up_per_community(known):
    db, ids = known
    f = monthly_figures(db, 2026, 3)
    by_name = {c.name: c for c in f.communities}
    a, b = f.category_flows[ids["A"]], f.category_flows[ids["B"]]
    assert a["1"] == StockFlow(3, 1, 2, 2) and a["4"] == StockFlow(1, 0, 1, 0)  # p7 left 甲 by transfer
    assert b["3"] == StockFlow(1, 1, 1, 1) and b["4"] == StockFlow(0, 1, 0, 1)
    for comm in ("甲社区", "乙村"):
        flows = f.category_flows[by_name[comm].area_id]
        assert sum(flows.values(), StockFlow()) == by_name[comm].residents
    assert sum(f.category_flows[None].values(), StockFlow()) == f.total.residents


def test_staff_stock_and_flow_by_community_and_role(known):
    db, ids = known
    f = monthly_figures(db, 2026, 3)
    assert f.staff_flows[ids["A"]] == StockFlow(2, 1, 0, 3)  # s4 joined 甲
    assert f.staff_flows[ids["B"]] == StockFlow(2, 0, 1, 1)  # s3's post in 乙 ended
    assert f.staff_flows[None] == StockFlow(3, 1, 1, 3)  # s2 serves both: counted once
    assert f.staff_role_flows["fulltime"] == StockFlow(1, 1, 0, 2)
    assert f.staff_role_flows["parttime"] == StockFlow(1, 0, 1, 0)
    assert f.staff_role_flows["leader"] == StockFlow(1, 0, 0, 1)
    assert [(c.kind, c.on, c.name, c.before, c.after) for c in f.staff_changes] == [
        ("入职", D("2026-03-05"), "s4", "", "甲社区·甲一网格·甲一微网格（专职网格员）"),
        ("离职", D("2026-03-10"), "s3", "乙村·乙一网格（兼职网格员）", ""),
    ]


def test_special_groups_month_and_year_on_year(known):
    db, ids = known
    f = monthly_figures(db, 2026, 3)
    tags = {t.name: t for t in f.tags}
    assert (tags["测试独居"].current, tags["测试独居"].previous, tags["测试独居"].last_year) == (3, 2, 2)
    assert (tags["测试矫正"].current, tags["测试矫正"].previous, tags["测试矫正"].month_change) == (0, 1, -1)
    # in 甲社区 alone p7 counts last month (household h1) but not this month (moved to 乙村)
    a = {t.name: t for t in monthly_figures(db, 2026, 3, ids["A"]).tags}["测试独居"]
    assert (a.current, a.previous, a.last_year) == (2, 2, 2)
    # an official may not see sensitive groups: not listed at all
    official = db.as_actor(Actor(None, "lingdao", "领导甲", frozenset({"official"})))
    hidden = monthly_figures(official, 2026, 3)
    assert [t.name for t in hidden.tags] == ["测试独居"] and not hidden.sensitive_shown


def test_twelve_month_trends(known):
    db, _ids = known
    f = monthly_figures(db, 2026, 3)
    assert [(p.year, p.month) for p in f.trend][0] == (2025, 4) and len(f.trend) == 12
    assert [p.residents for p in f.trend] == [6] * 10 + [5, 4]  # p8 left 02-28; March as reported
    assert f.trend[-1].residents == f.total.residents.current
    hours = {(p.year, p.month): p.training_hours for p in f.trend}
    assert hours[(2026, 1)] == 2 and hours[(2026, 3)] == 4 and hours[(2026, 2)] == 0  # cancelled t3 not counted


def test_behind_on_hours_are_staff_on_post(known):
    """10 h a year: by the end of March 2.5 h are due (3 months), 1 h for s4
    hired on 03-05 (one month on post); s1 has 4 h and is on track."""
    db, _ids = known
    f = monthly_figures(db, 2026, 3)
    assert [b.name for b in f.behind][0] == "s2"  # nothing done: the largest shortfall
    assert {b.name for b in f.behind} == {"s2", "s4"}  # s3 left in March, s1 on track
    s2 = next(b for b in f.behind if b.name == "s2")
    assert (s2.hours, s2.required, s2.months) == (0, 2.5, 3.0)
    assert f.behind_total == 2 and f.behind_threshold == 1.0 and not f.behind_listed_all
    assert sum(n for _name, n in f.behind_by_community) >= 2


def test_behind_names_only_beyond_the_township_threshold(known):
    from gridadmin.services.common.settings import behind_threshold, save_general_settings

    db, _ids = known
    save_general_settings(db, behind_months=2)
    assert behind_threshold(db) == 2
    f = monthly_figures(db, 2026, 3)
    assert f.behind_total == 2 and [b.name for b in f.behind] == ["s2"]  # s4 is 1.2 months behind
    with pytest.raises(ValidationError, match="学时落后阈值"):
        save_general_settings(db, behind_months=13)
    december = monthly_figures(db, 2026, 12)
    assert december.behind_listed_all and len(december.behind) == december.behind_total


def test_pdf_prints_the_further_sections(known, tmp_path):
    db, _ids = known
    path = tmp_path / "m.pdf"
    monthly_report_pdf(db, 2026, 3, path, printed_on=date(2026, 4, 2))
    text = _pdf_text(path)
    for heading in ("二、人口类别增减情况", "三、网格力量在岗情况", "四、人员变动情况", "六、培训情况",
                    "七、特殊人群、重点人员和关怀对象情况", "附：统计图", "各社区/村人口（本月末）", "近 12 个月培训学时"):
        assert heading in text, heading
    assert "甲一微网格（专职网格员）" in text and "测试矫正" in text
    assert "培训学时落后于进度" in text and "的 2 人" in text
    official = db.as_actor(Actor(None, "lingdao", "领导甲", frozenset({"official"})))
    monthly_report_pdf(official, 2026, 3, path, printed_on=date(2026, 4, 2))
    text = _pdf_text(path)
    assert "测试矫正" not in text and "涉及敏感信息的类别按权限未列出" in text
