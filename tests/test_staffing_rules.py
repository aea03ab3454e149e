"""The township's own staffing rules (网格配备规则): which posts exist, which
post is a grid's responsible worker, whether a grid must have one and the
households per worker — a setting the dashboard, the staffing view and the
monthly report compare with instead of the fixed 1+3+N / 300–500 rule."""

from __future__ import annotations

import io
import re
import json
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from gridadmin.cli import main
from gridadmin.models import AuditLog, Household, Setting
from gridadmin.services.access.permissions import PermissionDeniedError
from gridadmin.services.access.users import authenticate, create_user
from gridadmin.services.areas import tree as areas
from gridadmin.services.areas.tree import AreaInput
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.reports.dashboard import dashboard_figures
from gridadmin.services.reports.monthly_figures import monthly_figures
from gridadmin.services.reports.monthly_pdf import monthly_report_pdf
from gridadmin.services.reports.snapshot import decode_figures, encode_figures
from gridadmin.services.roster import assignments, staffing
from gridadmin.services.roster.staffing_rules import (
    StaffingRule, changed_rule, parse_households, save_staffing_rule, staffing_rule,
)
from tests.staffdata import add, grids

PASSWORD = "wangge2026"
TODAY = date.today()
STARTED = date(2020, 2, 1)


@pytest.fixture
def admin_db(township_db):
    create_user(township_db, "admin", "王管理", PASSWORD, ["admin"])
    return township_db.as_actor(authenticate(township_db, "admin", PASSWORD))


def _households(db, area_id: int, count: int, prefix: str) -> None:
    with db.session() as s:
        for i in range(count):
            s.add(Household(household_no=f"R{prefix}{i:05d}", area_id=area_id, registered_on=date(2020, 1, 1)))


@pytest.fixture
def village(admin_db):
    """第一网格 (120 户): a 兼职网格员 and a 网格长; 第二网格 (400 户): a
    专职网格员 only; 粮行网格 (30 户): a 网格长 only; 医院专属网格: no
    households, no staff."""
    db = admin_db
    ids = grids(db)
    ids["医院专属网格"] = areas.add_area(db, ids["粮行社区"], AreaInput(name="医院专属网格", grid_type="专属网格"))
    _households(db, ids["第一网格"], 120, "a")
    _households(db, ids["第二网格"], 400, "b")
    _households(db, ids["粮行网格"], 30, "c")
    part, lead, full, lead2 = (add(db, n, seq=s) for n, s in (("甲", 11), ("乙", 13), ("丙", 15), ("丁", 17)))
    assignments.assign(db, part, ids["第一网格"], "parttime", STARTED)
    assignments.assign(db, lead, ids["第一网格"], "leader", STARTED)
    assignments.assign(db, full, ids["第二网格"], "fulltime", STARTED)
    assignments.assign(db, lead2, ids["粮行网格"], "leader", STARTED)
    return db, ids


def _by_name(report):
    return {g.name: g for g in report.grids}


def test_default_is_the_old_rule_and_special_grids_without_households_are_not_flagged(village):
    db, _ids = village
    rule = staffing_rule(db)
    assert rule == StaffingRule()  # 1+3+N, 专职网格员 responsible, required, 300–500
    assert (rule.responsible_label, rule.range_text) == ("专职网格员", "300–500 户")
    report = staffing.grid_staffing(db)
    grids_ = _by_name(report)
    assert [g.name for g in report.lacking] == ["第一网格", "粮行网格"]  # not 医院专属网格: no households
    assert grids_["医院专属网格"].note == "" and grids_["第一网格"].note == "无专职网格员"
    assert grids_["第二网格"].note == ""  # 400 per 专职
    figures = dashboard_figures(db)
    assert (figures.grids_lacking_responsible, figures.responsible_label) == (2, "专职网格员")


def test_parttime_township_is_judged_by_its_own_rule(village):
    db, ids = village
    saved = save_staffing_rule(db, changed_rule(db, posts=["网格长", "兼职网格员", "网格指导员"],
                                                responsible="兼职"))
    assert (saved.responsible, saved.min_households, saved.max_households) == ("parttime", None, None)
    assert saved.posts == ("leader", "parttime", "instructor")
    report = staffing.grid_staffing(db)
    grids_ = _by_name(report)
    assert [g.name for g in report.lacking] == ["第二网格", "粮行网格"]
    assert grids_["第二网格"].note == "无兼职网格员" and grids_["第一网格"].note == ""
    assert grids_["第一网格"].households_per_worker == 120 and not report.over_limit
    assert grids_["第一网格"].vacant == ("网格指导员",)  # no 专职网格员 post here: never vacant
    assert grids_["第二网格"].others == 1  # the 专职网格员 counts among "N"
    titles = [c.title for c in staffing.staffing_columns(report)]
    assert "专职网格员" not in titles and "户/兼职网格员" in titles
    assert dashboard_figures(db).grids_lacking_responsible == 2

    save_staffing_rule(db, changed_rule(db, households="-100"))  # the township's own range for 兼职
    report = staffing.grid_staffing(db)
    assert [g.name for g in report.over_limit] == ["第一网格"]
    assert _by_name(report)["第一网格"].note == "每名兼职网格员 120 户，超过 100 户"

    save_staffing_rule(db, changed_rule(db, required=False))
    assert staffing.grid_staffing(db).lacking == () and dashboard_figures(db).grids_lacking_responsible == 0


def test_leader_as_responsible_in_the_monthly_report(village):
    db, ids = village
    save_staffing_rule(db, changed_rule(db, responsible="网格长"))
    figures = monthly_figures(db, TODAY.year, TODAY.month)
    grids_ = {g.name: g for g in figures.grids}
    assert [g.name for g in figures.grids_lacking] == ["第二网格"]
    assert grids_["第一网格"].workers == 1 and grids_["第一网格"].warning == ""
    assert grids_["医院专属网格"].warning == "" and grids_["第二网格"].warning == "无网格长"
    assert figures.staffing_rule.responsible == "leader"
    out = io.BytesIO()
    monthly_report_pdf(db, TODAY.year, TODAY.month, out)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages)
    assert re.search(r"无网格长的网格 1 个：\S+·第二网格。", text)  # printed with its community
    assert "本乡镇未规定每名网格长负责的户数" in text
    assert "户数/网格长" in text and "无专职网格员的网格" not in text
    # a submitted month keeps the rule it was judged by; a snapshot from before the rule reads as 专职 300–500
    again = decode_figures(encode_figures(figures))
    assert again.staffing_rule == figures.staffing_rule and again.grids_lacking == figures.grids_lacking
    old = json.loads(encode_figures(figures))
    old["figures"].pop("staffing_rule")
    for grid in old["figures"]["grids"]:
        grid.pop("responsible_workers")
        grid.pop("rule")
    before = decode_figures(json.dumps(old))
    assert before.staffing_rule is None
    assert {g.name for g in before.grids_lacking} == {"第一网格", "粮行网格"}  # by 专职网格员, as then


@pytest.mark.parametrize("changes, field, value", [
    ({"responsible": "楼栋长"}, "网格责任人岗位", "楼栋长"),
    ({"responsible": "火星员"}, "网格责任人岗位", "火星员"),
    ({"posts": ["网格长", "飞行员"]}, "设置的岗位", "飞行员"),
    ({"posts": ["网格长"]}, "网格责任人岗位", "专职网格员"),
    ({"households": "500-300"}, "每人服务户数下限", 500),
    ({"households": "300-99999"}, "每人服务户数上限", 99999),
    ({"households": "很多"}, "每人服务户数", "很多"),
])
def test_bad_values_are_refused_with_field_and_value(village, changes, field, value):
    db, _ids = village
    with pytest.raises(ValidationError) as caught:
        save_staffing_rule(db, changed_rule(db, **changes))
    assert (caught.value.field, caught.value.value) == (field, value)
    assert str(value) in caught.value.message
    assert staffing_rule(db) == StaffingRule()  # nothing changed
    with db.session() as s:
        assert s.scalars(select(Setting.key).where(Setting.key.like("staffing_%"))).all() == []


def test_direct_bad_rule_and_permission(village):
    db, _ids = village
    with pytest.raises(ValidationError, match="每人服务户数下限“0”无效"):
        save_staffing_rule(db, StaffingRule(min_households=0))
    with pytest.raises(ValidationError, match="设置的岗位不能为空"):
        save_staffing_rule(db, StaffingRule(posts=()))
    assert parse_households("300–500") == (300, 500) and parse_households("不检查") == (None, None)
    create_user(db, "clerk", "李业务", PASSWORD, ["clerk"], all_areas=True)
    clerk = db.as_actor(authenticate(db, "clerk", PASSWORD))
    with pytest.raises(PermissionDeniedError):
        save_staffing_rule(clerk, StaffingRule(responsible="parttime", min_households=None, max_households=None))
    assert staffing_rule(clerk) == StaffingRule()


def test_saving_is_audited(village):
    db, _ids = village
    save_staffing_rule(db, changed_rule(db, responsible="兼职网格员"))
    save_staffing_rule(db, changed_rule(db, responsible="兼职网格员"))  # unchanged: no second row
    with db.session() as s:
        rows = s.scalars(select(AuditLog.summary).where(AuditLog.entity == "setting")).all()
    assert rows == ["修改网格配备规则：责任人 兼职网格员，必须配备，每人 不检查"]


def test_cli_shows_changes_and_refuses(village, capsys, cli_login):
    db, _ids = village
    login = cli_login(db)
    assert main(["staffing-rules", "--db", db.url, *login]) == 0
    assert "网格责任人：专职网格员；每个网格必须配备" in capsys.readouterr().out
    assert main(["staffing-rules", "--db", db.url, "--responsible", "兼职网格员", "--households", "200-400",
                 "--posts", "网格长，兼职网格员", "--json", *login]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["saved"] and out["responsible"] == "parttime" and out["post_labels"] == ["网格长", "兼职网格员"]
    assert (out["min_households"], out["max_households"]) == (200, 400)
    assert main(["staffing-rules", "--db", db.url, "--households", "400-200", *login]) == 2
    assert "每人服务户数下限“400”大于每人服务户数上限“200”" in capsys.readouterr().err
    assert main(["staffing-rules", "--db", db.url, "--required", "也许", *login]) == 2
    assert "每个网格必须配备“也许”无效" in capsys.readouterr().err
    assert staffing_rule(db).max_households == 400


def test_settings_page_tab(qtbot, village, tmp_path):
    from gridadmin.ui.settings.settings_page import SettingsPage

    db, _ids = village
    page = SettingsPage(db)
    qtbot.addWidget(page)
    page.resize(1024, 768)
    page.show()
    tab = page.staffing_tab
    page.tabs.setCurrentWidget(tab)
    assert page.tabs.tabText(page.tabs.indexOf(tab)) == "网格配备"
    assert tab.responsible.currentText() == "专职网格员" and tab.required.isChecked()
    assert (tab.min_households.value(), tab.max_households.value()) == (300, 500)
    tab.post_boxes["fulltime"].setChecked(False)
    tab.save_button.click()
    assert "网格责任人岗位“专职网格员”不在设置的岗位中" in tab.error.text() and staffing_rule(db) == StaffingRule()
    tab.responsible.setCurrentIndex(tab.responsible.findData("parttime"))
    tab.responsible.activated.emit(tab.responsible.currentIndex())
    assert (tab.min_households.text(), tab.max_households.text()) == ("不检查", "不检查")
    tab.save_button.click()
    assert tab.error.text() == "" and "已保存" in tab.message.text()
    rule = staffing_rule(db)
    assert (rule.responsible, rule.min_households, "fulltime" in rule.posts) == ("parttime", None, False)
    tab.min_households.setValue(500)
    tab.max_households.setValue(300)
    tab.save_button.click()
    assert "每人服务户数下限“500”大于每人服务户数上限“300”" in tab.error.text()
    shot = tmp_path / "staffing_tab.png"
    page.grab().save(str(shot))
    assert shot.stat().st_size > 0
    assert staffing_rule(db).min_households is None

    create_user(db, "clerk", "李业务", PASSWORD, ["clerk"], all_areas=True)
    clerk_page = SettingsPage(db.as_actor(authenticate(db, "clerk", PASSWORD)))
    qtbot.addWidget(clerk_page)
    assert not clerk_page.staffing_tab.save_button.isEnabled()
    assert not clerk_page.staffing_tab.responsible.isEnabled()
