"""Submitted months (issue 16 part 2): `report submit` stores the figures and
the PDF; a submitted month stays what was submitted; late changes are
named; the next month starts from the submitted figures with a 更正; the
warnings of forms, life events and imports; withdraw; concurrency."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from gridadmin.models import AuditLog, GeneratedReport, Person, SubmittedReport
from gridadmin.models.access import ROLE_CLERK, ROLE_OFFICIAL
from gridadmin.services.access.permissions import Actor, PermissionDeniedError
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.common.errors import ConflictError, NotFoundError, ValidationError
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.register import life_events
from gridadmin.services.reports.history import get_report
from gridadmin.services.reports.monthly_figures import monthly_figures
from gridadmin.services.reports.monthly_pdf import monthly_report_pdf
from gridadmin.services.reports.submission import (
    report_diff, submission_of, submit_monthly_report, submitted_month_notice, withdraw_submission,
)
from tests.test_import_support import person, pid, write_workbook


def _months_back(n: int) -> tuple[int, int]:
    today = date.today()
    index = today.year * 12 + today.month - 1 - n
    return index // 12, index % 12 + 1


M2 = _months_back(2)  # M−2: imported, submitted, then a late 迁出
M1 = _months_back(1)  # M−1: starts from the submitted M−2


@pytest.fixture
def register(township_db, tmp_path):
    """河街社区 with two grids; two households imported on the 5th of M−2."""
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11), person("H1", "妻", "王芳", date(1981, 3, 4), 22),
            person("H1", "子", "李小云", date(2010, 5, 6), 33), person("H2", "户主", "张三", date(1960, 5, 6), 35)]
    path = write_workbook(tmp_path / "人口.xlsx", rows)
    result = run_to_end(import_job(township_db, path, "residents", today=date(*M2, 5)))
    assert result.committed
    return township_db, community.id


def _person(db, name: str) -> Person:
    with db.session() as s:
        p = s.scalar(select(Person).where(Person.name == name))
        s.expunge(p)
        return p


def _submit(db, ym, scope=None, **kw):
    return run_to_end(submit_monthly_report(db, *ym, scope, **kw))


def test_scenario_late_move_out_after_submitting(register, tmp_path):
    db, community_id = register
    before = monthly_figures(db, *M2)
    assert (before.total.households.current, before.total.residents.current) == (2, 4)
    info = _submit(db, M2, folder=tmp_path)
    assert info.month == "%04d-%02d" % M2 and info.username == "system"
    pdf = get_report(db, info.generated_report_id)
    assert pdf.exists and pdf.month == info.month
    with db.session() as s:
        stored = s.scalar(select(SubmittedReport))
        assert json.loads(stored.figures)["totals"]["residents"] == 4
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "submit")) == 1

    # A 迁出 dated in M−2, entered now: accepted, with the notice.
    wang = _person(db, "王芳")
    notice = life_events.move_out(db, wang.id, date(*M2, 20), "北京市")
    assert notice == f"该变动属于已上报的{M2[0]}年{M2[1]}月，将作为更正计入下月报表"

    # Regenerating M−2: the submitted figures, today's beside them, the late change named.
    again = monthly_figures(db, *M2)
    assert again.submission is not None and again.total.residents.current == 4
    assert again.now_totals["residents"] == 3
    assert [(c.name, c.change, c.effective_date, c.residents) for c in again.late] == \
        [("王芳", "迁出", date(*M2, 20), -1)]
    assert again.late[0].id_number == pid(date(1981, 3, 4), 22)[:6] + "********" + pid(date(1981, 3, 4), 22)[-4:]
    assert again.late[0].entered_by == "system"
    diff = report_diff(db, *M2).to_dict()
    assert diff["month"] == info.month and diff["submitted"]["residents"] == 4 and diff["now"]["residents"] == 3
    assert [c["person"] for c in diff["changes"]] == ["王芳"]
    assert sum(c["effect"]["residents"] for c in diff["changes"]) == diff["now"]["residents"] - 4
    # What the register says today about M−2 (not the submitted figures):
    assert monthly_figures(db, *M2, as_submitted=False).total.residents.current == 3

    # M−1 starts from the submitted M−2: 上月末 = submitted, 更正 −1, it adds up.
    nxt = monthly_figures(db, *M1)
    flow = nxt.total.residents
    assert (flow.previous, flow.correction, flow.increase, flow.decrease, flow.current) == (4, -1, 0, 0, 3)
    assert flow.balanced and nxt.total.households.balanced
    assert nxt.previous_submission.id == info.id
    for c in nxt.communities:
        assert c.residents.balanced and c.households.balanced
    for per in nxt.category_flows.values():
        assert all(f.balanced for f in per.values())
    as_json = nxt.to_dict()["totals"]["flows"]["residents"]
    assert as_json == {"previous": 4, "previous_submitted": 4, "corrections": -1, "increase": 0, "decrease": 0,
                       "current": 3}

    # The PDFs: M−2 prints the submitted figures and a 更正说明 page; M−1 a 更正 column.
    out = tmp_path / "m2.pdf"
    monthly_report_pdf(db, *M2, out)
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "更正说明" in text and "王芳" in text and "已上报" in text
    out1 = tmp_path / "m1.pdf"
    monthly_report_pdf(db, *M1, out1)
    text1 = "".join(page.extract_text() for page in PdfReader(out1).pages).replace("\n", "")
    assert "上月末已报" in text1 and "更正" in text1


def test_submit_rules_twice_withdraw_and_roles(register, tmp_path):
    db, community_id = register
    today = date.today()
    with pytest.raises(ValidationError, match="尚未结束"):
        _submit(db, (today.year, today.month), folder=tmp_path)
    clerk = db.as_actor(Actor(None, "clerk1", "业务员甲", frozenset({ROLE_CLERK})))
    official = db.as_actor(Actor(None, "ld", "领导", frozenset({ROLE_OFFICIAL})))
    with pytest.raises(PermissionDeniedError):
        _submit(official, M2, folder=tmp_path)
    info = _submit(clerk, M2, folder=tmp_path)
    assert info.username == "clerk1"
    with pytest.raises(ConflictError, match="不能重复上报"):
        _submit(db, M2, folder=tmp_path)
    with pytest.raises(PermissionDeniedError):
        withdraw_submission(clerk, *M2, reason="数字有误")
    with pytest.raises(ValidationError, match="原因"):
        withdraw_submission(db, *M2, reason="  ")
    withdrawn = withdraw_submission(db, *M2, reason="县里退回重报")
    assert withdrawn.id == info.id and submission_of(db, *M2) is None
    with pytest.raises(NotFoundError):
        withdraw_submission(db, *M2, reason="再撤一次")
    again = _submit(db, M2, folder=tmp_path)
    assert again.id != info.id and submission_of(db, *M2).id == again.id
    with db.session() as s:
        old = s.get(SubmittedReport, info.id)
        assert (old.withdrawn_by, old.withdraw_reason) == ("system", "县里退回重报")
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "withdraw")) == 1
    # a community's report is its own scope; the township's submission covers its notices
    assert submitted_month_notice(db, date(*M2, 9), community_id)
    assert submitted_month_notice(db, date(*M1, 9), community_id) is None
    assert submitted_month_notice(db, None, community_id) is None
    with pytest.raises(NotFoundError, match="没有上报"):
        report_diff(db, *M1)


def test_community_submission_covers_only_that_community(register, tmp_path):
    db, community_id = register
    other = next(n for n in load_tree(db) if n.level == "community" and n.id != community_id)
    _submit(db, M2, community_id, folder=tmp_path)
    assert submitted_month_notice(db, date(*M2, 9), community_id)
    assert submitted_month_notice(db, date(*M2, 9), other.id) is None
    # The community's next report starts from its own submission.
    wang = _person(db, "王芳")
    life_events.move_out(db, wang.id, date(*M2, 20), "北京市")
    flow = monthly_figures(db, *M1, community_id).total.residents
    assert (flow.previous, flow.correction, flow.current) == (4, -1, 3) and flow.balanced


def test_township_submission_starts_a_community_report_by_grid(register, tmp_path):
    """One community's report is broken down by its grids; after the
    township's submission its 合计 starts from the community's submitted row
    (the late 迁出 is the 更正), its grids from the register."""
    db, community_id = register
    _submit(db, M2, folder=tmp_path)
    life_events.move_out(db, _person(db, "王芳").id, date(*M2, 20), "北京市")
    f = monthly_figures(db, *M1, community_id)
    assert f.by_grid and [c.name for c in f.communities] == ["一网格"] and f.previous_submission is not None
    flow = f.total.residents
    assert (flow.previous, flow.correction, flow.current) == (4, -1, 3) and flow.balanced
    assert f.communities[0].residents.current == 3 and f.category_flows[None]
    staff = f.staff_flows[None]
    assert staff.balanced


def test_import_preview_warns_for_a_submitted_month(register, tmp_path):
    db, _community = register
    _submit(db, M2, folder=tmp_path)
    path = write_workbook(tmp_path / "补录.xlsx", [person("H3", "户主", "赵四", date(1970, 2, 3), 41)])
    plan = plan_import(db, path, "residents", today=date(*M2, 28))
    notice = f"该变动属于已上报的{M2[0]}年{M2[1]}月，将作为更正计入下月报表"
    assert [w.message for r in plan.rows for w in r.warnings] == [notice]
    later = plan_import(db, path, "residents", today=date(*M1, 3))
    assert not [w for r in later.rows for w in r.warnings]
    # committed: the late 登记 is listed and M−1 corrects by +1
    assert run_to_end(import_job(db, path, "residents", today=date(*M2, 28))).committed
    late = monthly_figures(db, *M2).late
    assert [(c.name, c.change, c.residents, c.households) for c in late] == [("赵四", "登记（新立户）", 1, 1)]
    nxt = monthly_figures(db, *M1).total
    assert (nxt.residents.correction, nxt.households.correction) == (1, 1)
    assert nxt.residents.balanced and nxt.households.balanced


def test_cli_submit_diff_withdraw(register, tmp_path, capsys, cli_login):
    from gridadmin.cli import main

    db, _community = register
    url, month = db.url, "%04d-%02d" % M2
    login = cli_login(db)
    assert main(["report", "submit", "--db", url, "--month", month, *login]) == 0
    assert "已上报" in capsys.readouterr().out
    assert main(["report", "submit", "--db", url, "--month", month, *login]) == 2
    assert "不能重复上报" in capsys.readouterr().err
    life_events.move_out(db, _person(db, "王芳").id, date(*M2, 20), "北京市")
    assert main(["report", "diff", "--db", url, "--month", month, "--json", *login]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert set(diff) >= {"month", "submitted", "now", "changes"}
    assert (diff["submitted"]["residents"], diff["now"]["residents"]) == (4, 3)
    assert diff["changes"][0]["person"] == "王芳" and diff["changes"][0]["change"] == "迁出"
    assert main(["report", "monthly", "--db", url, "--month", "%04d-%02d" % M1, "--out", str(tmp_path / "x.pdf"),
                 "--json", *login]) == 0
    flows = json.loads(capsys.readouterr().out)["totals"]["flows"]
    assert flows["residents"]["previous_submitted"] == 4 and flows["residents"]["corrections"] == -1
    assert main(["report", "withdraw", "--db", url, "--month", month, "--reason", "重报", *login]) == 0
    assert "已撤回" in capsys.readouterr().out
    assert main(["report", "diff", "--db", url, "--month", month, *login]) == 2
    assert "没有上报" in capsys.readouterr().err


def test_two_clerks_submitting_at_once_one_wins(register, tmp_path):
    db, _community = register
    outcomes: list = []
    barrier = threading.Barrier(2)

    def submit(name):
        actor = db.as_actor(Actor(None, name, name, frozenset({ROLE_CLERK})))
        job = submit_monthly_report(actor, *M2, folder=tmp_path)
        try:
            next(job)
            barrier.wait(timeout=30)
            while True:
                next(job)
        except StopIteration as done:
            outcomes.append(done.value)
        except ConflictError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=submit, args=(n,)) for n in ("clerk1", "clerk2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == 2
    assert sum(isinstance(o, ConflictError) for o in outcomes) == 1
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SubmittedReport)) == 1
        # the loser's PDF is not recorded
        assert s.scalar(select(func.count()).select_from(GeneratedReport)) == 1


def test_scenario_from_the_issue_with_a_changes_file(township_db, tmp_path):
    """Issue #16's walk, all through imports: residents imported with an
    effective date in M−2, M−2 submitted, a 人口变动 file with a back-dated
    迁出 in M−2 imported (its preview warns), M−2 regenerated (submitted
    figures unchanged, the diff names the person), M−1 reported (上月末 =
    submitted, 更正 −1, totals add up)."""
    from tests.test_import_changes import changes_file

    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11), person("H1", "妻", "王芳", date(1981, 3, 4), 22),
            person("H2", "户主", "张三", date(1960, 5, 6), 35)]
    imported = run_to_end(import_job(township_db, write_workbook(tmp_path / "人口.xlsx", rows), "residents",
                                     effective_date=date(*M2, 3)))
    assert imported.committed
    info = _submit(township_db, M2, folder=tmp_path)
    assert monthly_figures(township_db, *M2).total.residents.current == 3

    late_day = date(*M2, 25)
    path = changes_file(tmp_path / "变动.xlsx", [(pid(date(1981, 3, 4), 22), "王芳", "迁出", late_day.isoformat(),
                                                 "北京市", None, None, None)])
    preview = plan_import(township_db, path, "changes")
    warnings = [w.message for row in preview.rows for w in row.warnings]
    assert any(f"已上报的{M2[0]}年{M2[1]}月" in w for w in warnings), warnings
    assert run_to_end(import_job(township_db, path, "changes")).committed

    again = monthly_figures(township_db, *M2)
    assert again.total.residents.current == 3 and again.now_totals["residents"] == 2
    diff = report_diff(township_db, *M2).to_dict()
    assert diff["submitted"]["residents"] == 3 and diff["now"]["residents"] == 2
    assert [(c["person"], c["change"]) for c in diff["changes"]] == [("王芳", "迁出")]

    nxt = monthly_figures(township_db, *M1)
    flow = nxt.total.residents
    assert (flow.previous, flow.correction, flow.current) == (3, -1, 2) and flow.balanced
    assert nxt.previous_submission.id == info.id
    assert all(c.residents.balanced and c.households.balanced for c in nxt.communities)
