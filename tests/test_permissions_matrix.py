"""Every role against every write service, in and out of the user's area:
the service layer refuses what the role may not do, whatever the UI shows,
and changes nothing when it refuses."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from gridadmin.models import AuditLog
from gridadmin.services.areas import tree as areas
from gridadmin.services.roster import assignments
from gridadmin.services.roster import certificates
from gridadmin.services.training import sessions as training
from gridadmin.services.training import compliance as training_compliance
from gridadmin.services.access.permissions import PermissionDeniedError
from gridadmin.services.roster.staff import save_staff
from gridadmin.services.access.users import authenticate, create_user
from tests import staffdata

PASSWORD = "wangge2026"
ROLES = ("admin", "clerk", "hr", "official")


@pytest.fixture
def world(township_db):
    db = township_db
    places = staffdata.grids(db)
    staff_id = staffdata.add(db, "张三")
    session_id = training.create_session(db, training.SessionInput(
        name="消防培训", start_date=date(2025, 5, 1), end_date=date(2025, 5, 1), hours=4, category="06", form="1"))
    create_user(db, "admin", "王管理", PASSWORD, ["admin"])
    admin = db.as_actor(authenticate(db, "admin", PASSWORD))
    for role in ("clerk", "hr", "official"):
        create_user(admin, role, f"{role}用户", PASSWORD, [role], scope=[places["河街社区"]])
    actors = {role: db.as_actor(authenticate(db, role, PASSWORD)) for role in ROLES}
    return db, places, staff_id, session_id, actors


WRITES = {
    # name: (callable(db, places, staff_id, session_id), roles allowed)
    "add_area_in_scope": (lambda db, p, s, t: areas.add_area(db, p["河街社区"], areas.AreaInput(name="新网格")),
                          {"admin", "clerk"}),
    "add_area_out_of_scope": (lambda db, p, s, t: areas.add_area(db, p["粮行社区"], areas.AreaInput(name="新网格")),
                              {"admin"}),
    "deactivate_area": (lambda db, p, s, t: areas.set_area_active(db, p["第二网格"], False), {"admin", "clerk"}),
    "save_staff": (lambda db, p, s, t: save_staff(db, staffdata.person("李四", seq=125), today=staffdata.TODAY),
                   {"admin", "hr"}),
    "assign": (lambda db, p, s, t: assignments.assign(db, s, p["第一网格"], "fulltime", date(2024, 1, 1)),
               {"admin", "hr"}),
    "add_certificate": (lambda db, p, s, t: certificates.add_certificate(
        db, s, certificates.CertificateInput(name="社工证"), today=staffdata.TODAY), {"admin", "hr"}),
    "create_session": (lambda db, p, s, t: training.create_session(db, training.SessionInput(
        name="新培训", start_date=date(2025, 6, 1), end_date=date(2025, 6, 1), hours=2)), {"admin", "hr"}),
    "cancel_session": (lambda db, p, s, t: training.set_session_cancelled(db, t), {"admin", "hr"}),
    "add_attendees": (lambda db, p, s, t: training.add_attendees(db, t, [s]), {"admin", "hr"}),
    "set_requirement": (lambda db, p, s, t: training_compliance.set_requirement(db, 2025, 24), {"admin", "hr"}),
    "create_user": (lambda db, p, s, t: create_user(db, "newuser", "新人", PASSWORD, ["official"]), {"admin"}),
    "import_grids": (lambda db, p, s, t: _import_grids(db), {"admin", "clerk"}),
}


def _import_grids(db):
    import tempfile
    from pathlib import Path

    from gridadmin.services.importing.pipeline import import_job
    from gridadmin.services.common.progress import run_to_end

    folder = Path(tempfile.mkdtemp())
    path = folder / "grids.csv"
    path.write_text("社区/村,网格名称,网格编码,网格类型\n河街社区,导入网格,411302001001099,城市社区网格\n",
                    encoding="utf-8")
    result = run_to_end(import_job(db, path, "grids", mode="insert"))
    assert result is not None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(WRITES))
def test_role_may_or_may_not(world, role, action):
    db, places, staff_id, session_id, actors = world
    call, allowed = WRITES[action]
    actor_db = actors[role]
    with db.session() as s:
        audit_before = s.scalar(select(func.count()).select_from(AuditLog))
    if role in allowed:
        call(actor_db, places, staff_id, session_id)
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(AuditLog)) > audit_before  # audited
    else:
        with pytest.raises(PermissionDeniedError):
            call(actor_db, places, staff_id, session_id)
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(AuditLog)) == audit_before  # nothing written
