"""The dashboard's and the grid tree's totals are the user's: a user serving
some communities sees their figures only — the other communities and the
township above hers carry no figures (``AreaNode.figures`` False, counts
0) — for every role, in the world of the read-scope matrix (one resident,
one household and one staff member in 河街社区, the same in 粮行社区; the
clerk, 人事 and 领导 serve 河街社区)."""

from __future__ import annotations

from datetime import date

import pytest

from gridadmin.models.training import ATTEND_PRESENT
from gridadmin.services.areas.tree import load_tree
from gridadmin.services.reports.dashboard import dashboard_figures
from gridadmin.services.training import sessions as training
from tests.test_read_scope_matrix import ON, ROLES, world  # noqa: F401  (the matrix's fixture)


@pytest.fixture
def trained(world):  # noqa: F811
    """Both staff members attended the February session: 4 h and 3 h."""
    admin = world.actors["admin"]
    training.set_attendance(admin, world.session_id, world.staff["in"], status=ATTEND_PRESENT, hours=4)
    training.set_attendance(admin, world.session_id, world.staff["out"], status=ATTEND_PRESENT, hours=3)
    return world


@pytest.mark.parametrize("role", ROLES)
def test_grid_tree_counts_only_the_users_areas(world, role):  # noqa: F811
    nodes = {n.name: n for n in load_tree(world.actors[role], today=ON)}
    township = next(n for n in nodes.values() if n.parent_id is None)
    mine, other = nodes["河街社区"], nodes["粮行社区"]
    assert (mine.figures, mine.households, mine.residents, mine.staff_on_post) == (True, 1, 1, 1)
    assert nodes["第一网格"].households == 1 and nodes["第二网格"].figures
    if role == "admin":
        assert (township.households, township.residents, township.staff_on_post) == (2, 2, 2)
        assert (other.households, other.residents, other.staff_on_post) == (1, 1, 1)
        assert all(n.figures for n in nodes.values())
        return
    # another community, its grid and the township above: listed, without figures
    for node in (other, nodes["粮行网格"], township):
        assert not node.figures
        assert (node.households, node.residents, node.staff_on_post, node.warning) == (0, 0, 0, None)
    assert sum(n.households for n in nodes.values() if n.figures and n.level == "community") == 1


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_figures_are_the_users_areas(trained, role):
    figures = dashboard_figures(trained.actors[role], today=ON)
    everything = role == "admin"
    assert figures.scoped == (not everything)
    assert (figures.households, figures.residents, figures.staff_on_post) == ((2, 2, 2) if everything else (1, 1, 1))
    bars = {bar.name: bar for bar in figures.communities}
    assert "河街社区" in bars and bars["河街社区"].residents == 1
    assert ("粮行社区" in bars) == everything
    assert all(bar.area_id in {n.id for n in load_tree(trained.actors[role], today=ON) if n.figures}
               for bar in figures.communities)
    # grids: 第一网格 and 第二网格 of 河街社区 (and 粮行网格 for the administrator); no full-time worker
    # runs 第二网格
    assert figures.grids == (3 if everything else 2)
    assert figures.grids_lacking_responsible == 1
    # the trend: registered on 2025-01-01, so nobody before the end of 2024
    trend = {v.key: v.value for v in figures.residents_trend}
    assert trend["2024-12"] == 0 and trend["2025-01"] == trend["2025-03"] == (2 if everything else 1)
    hours = {v.key: v.value for v in figures.training_by_month}
    assert hours["2025-02"] == (7 if everything else 4)


def test_dashboard_imports_are_the_users_own_for_a_scoped_user(world, tmp_path):  # noqa: F811
    """An import batch has no area: a scoped user's tile counts their own."""
    from gridadmin.services.common.progress import run_to_end
    from gridadmin.services.importing import import_job
    from tests.test_read_scope_matrix import _export_rows  # an exported file imports back

    admin, clerk = world.actors["admin"], world.actors["clerk"]
    today = date.today()
    before = dashboard_figures(clerk, today=today).imports_month
    _export_rows(world, "admin", "residents", full_numbers=True)
    result = run_to_end(import_job(admin, world.tmp / "residents-admin.xlsx", "residents", today=today))
    assert result.batch_id is not None, result
    assert dashboard_figures(admin, today=today).imports_month >= 1
    assert dashboard_figures(clerk, today=today).imports_month == before


def test_pages_of_a_scoped_clerk_show_only_her_figures(qtbot, trained):
    """The grid tree shows the other community and the township without
    figures; the dashboard's tiles and bars are 河街社区's."""
    from gridadmin.ui.areas.area_tree_model import COL_HOUSEHOLDS, COL_RESIDENTS, COL_STAFF, NODE_ROLE
    from gridadmin.ui.areas.grids_page import GridsPage
    from gridadmin.ui.reports.dashboard_page import DashboardPage

    clerk = trained.actors["clerk"]
    page = GridsPage(clerk)
    qtbot.addWidget(page)
    shown = {}
    for index in page._all_indexes():
        node = page.proxy.data(index, NODE_ROLE)
        shown[node.name] = [page.proxy.data(index.siblingAtColumn(c)) for c in (COL_HOUSEHOLDS, COL_RESIDENTS,
                                                                                 COL_STAFF)]
    assert shown["河街社区"] == ["1", "1", "1"]
    assert shown["粮行社区"] == ["", "", ""] and shown["东关街道"] == ["", "", ""]
    assert page.summary.text().startswith("您负责的区域：") and "1 户，1 人" in page.summary.text()
    page.select_area(next(n.id for n in page.nodes if n.name == "粮行社区"))
    assert "不显示统计" in page.details.text() and not page.delete_button.isEnabled()

    dashboard = DashboardPage(clerk)
    qtbot.addWidget(dashboard)
    qtbot.waitUntil(lambda: dashboard.figures is not None and not dashboard.busy, timeout=60_000)
    assert dashboard.tiles["households"].value.text() == "1"
    assert dashboard.tiles["residents"].value.text() == "1"
    assert dashboard.community_names() == ["河街社区"]
    assert "本人本月" in dashboard.tiles["imports"].toolTip()
