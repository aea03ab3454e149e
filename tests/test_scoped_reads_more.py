"""Reads found open to a user of some communities after the read-scope
matrix (issue 19, as an attacker and as a narrower clerk): the monthly
reports kept in the history (their PDFs name people) and the per-grid
staffing table (网格配备情况). In the matrix's world: the clerk, 人事 and
领导 serve 河街社区; 粮行社区 is outside."""

from __future__ import annotations

import pytest

from gridadmin.services.access.permissions import PermissionDeniedError
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.reports.history import generate_monthly_report, get_report, list_reports, save_copy
from gridadmin.services.roster.staffing import grid_staffing
from tests.test_read_scope_matrix import ON, ROLES, world  # noqa: F401  (the matrix's fixture)


@pytest.fixture
def reports(world, tmp_path):  # noqa: F811
    """February's report for the township, for 河街社区 and for 粮行社区, made
    by the administrator."""
    admin = world.actors["admin"]
    return {where: run_to_end(generate_monthly_report(admin, 2025, 2, scope, folder=tmp_path)).id
            for where, scope in (("township", None), ("in", world.places["河街社区"]),
                                 ("out", world.places["粮行社区"]))}


@pytest.mark.parametrize("role", ROLES)
def test_report_history_holds_only_the_users_areas(world, reports, role, tmp_path):  # noqa: F811
    actor = world.actors[role]
    listed = {r.id for r in list_reports(actor)}
    if role == "admin":
        assert listed == set(reports.values())
        return
    assert listed == {reports["in"]}
    assert get_report(actor, reports["in"]).scope_name == "河街社区"
    for where in ("township", "out"):
        with pytest.raises(PermissionDeniedError, match="不在当前用户"):
            get_report(actor, reports[where])
        with pytest.raises(PermissionDeniedError):
            save_copy(actor, reports[where], tmp_path / f"copy-{where}.pdf")
        assert not (tmp_path / f"copy-{where}.pdf").exists()


@pytest.mark.parametrize("role", ROLES)
def test_staffing_table_lists_only_the_users_grids(world, role):  # noqa: F811
    grids = {g.name: g for g in grid_staffing(world.actors[role], today=ON).grids}
    expected = {"第一网格", "第二网格"} | ({"粮行网格"} if role == "admin" else set())
    assert set(grids) == expected
    assert grids["第一网格"].households == 1 and grids["第一网格"].fulltime == 1
