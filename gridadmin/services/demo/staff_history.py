"""Finishing the staff: rehiring some who left, leave (休假) spells, the
status each ends with, qualifications and certificates — then the staff,
status-event, assignment and certificate rows."""

from __future__ import annotations

from datetime import date

from gridadmin.models.staff import (
    ROLE_FULLTIME, ROLE_LEADER, STATUS_LEAVE, STATUS_LEFT, STATUS_ON_POST, STATUS_RESIGNED,
)
from gridadmin.services.demo.areas import GRID_SPECIAL, Town
from gridadmin.services.demo.context import Context
from gridadmin.services.demo.dates import add_years, ordinal_date
from gridadmin.services.demo.staff import StaffBuilder, StaffInfo

_SKILL_LABELS = {"4": "四级/中级工", "3": "三级/高级工", "2": "二级/技师"}


def rehire_and_leave(builder: StaffBuilder, towns: list[Town]) -> None:
    """Some who left are hired again for another grid of their town; some
    on post take leave (病假/产假/事假), a few are on leave today."""
    ctx = builder.ctx
    rng = ctx.rng
    T, W0 = ctx.T, ctx.W0
    grids_of_town = {t.index: [g for c in t.communities for g in c.grids if g.grid_type != GRID_SPECIAL]
                     for t in towns}
    for info, left, role, town in builder.leavers:
        if rng.random() < 0.15:
            back = left + rng.randint(60, 400)
            if back < T - 5 and grids_of_town[town.index]:
                grid = rng.choice(grids_of_town[town.index])
                info.events.append((back, STATUS_ON_POST, "重新聘用"))
                builder.assign(info, grid.id, grid.community, role, back, "重新聘用")
    for info in builder.staff:
        if not info.serving:
            continue
        last_start = max(e[0] for e in info.events)
        r = rng.random()
        if r < 0.04 and last_start < T - 120:
            d1 = rng.randint(max(W0, last_start + 30), T - 70)
            d2 = min(d1 + rng.randint(7, 60), T - 1)
            info.events.append((d1, STATUS_LEAVE, rng.choice(("病假", "产假", "事假"))))
            info.events.append((d2, STATUS_ON_POST, "销假"))
            info.leave_spans.append((d1, d2))
        elif r < 0.055 and info.role not in (ROLE_FULLTIME, ROLE_LEADER) and last_start < T - 60:
            d1 = rng.randint(T - 60, T - 1)
            info.events.append((d1, STATUS_LEAVE, rng.choice(("病假", "事假"))))
            info.leave_spans.append((d1, T + 1))


def write_staff(ctx: Context, staff: list[StaffInfo]) -> None:
    """Staff rows (status and dates from the events), their status events,
    assignments and certificates. At least one 上岗证 expires within 90 days."""
    rng = ctx.rng
    expiring = 0
    for info in staff:
        row = info.row
        info.events.sort(key=lambda e: e[0])
        status = hired = None
        for day, st, _note in info.events:
            if st == STATUS_ON_POST and status in (None, STATUS_LEFT, STATUS_RESIGNED):
                hired = day
            status = st
        row["status"] = status
        row["hired_on"] = date.fromordinal(hired)
        row["left_on"] = date.fromordinal(info.events[-1][0]) if status in (STATUS_LEFT, STATUS_RESIGNED) else None
        ctx.add("staff", row)
        for day, st, note in info.events:
            ctx.add("staff_status_event", {"id": ctx.new_id("staff_status_event"), "staff_id": row["id"],
                                           "status": st, "event_date": date.fromordinal(day), "note": note})
        for a in info.assignments:
            ctx.add("staff_assignment", dict(a, start_date=date.fromordinal(a["start_date"]),
                                             end_date=ordinal_date(a["end_date"])))
        if any(st == STATUS_ON_POST and note == "重新聘用" for _day, st, note in info.events):
            row["note"] = "曾离职，后重新聘用"
        first_hire = info.events[0][0]
        if info.role == ROLE_FULLTIME:
            if rng.random() < 0.35:
                level = rng.choices(("4", "3", "2"), (60, 30, 10))[0]
                row["skill_level"] = level
                issued = ctx.between(max(first_hire, ctx.T - 4 * 365), ctx.T - 30)
                _certificate(ctx, row["id"], f"城市管理网格员职业技能等级证书（{_SKILL_LABELS[level]}）",
                             f"S{date.fromordinal(issued).year}41{rng.randrange(10**10):010d}",
                             "河南省人力资源和社会保障厅（评价机构）", issued, None)
            if rng.random() < 0.6 or (expiring == 0 and status == STATUS_ON_POST):
                if rng.random() < 0.15 or (expiring == 0 and status == STATUS_ON_POST):
                    issued = add_years(ctx.T + rng.randint(5, 85), -2)  # expires within 90 days
                    expiring += 1
                else:
                    issued = ctx.between(max(first_hire, ctx.T - 5 * 365), ctx.T - 10)
                _certificate(ctx, row["id"], "网格员上岗证",
                             f"WG{date.fromordinal(issued).year}{rng.randrange(10**6):06d}",
                             f"{ctx.county_name}委政法委", issued, add_years(issued, 2))
        if info.role in (ROLE_FULLTIME, ROLE_LEADER) and \
                rng.random() < (0.25 if info.role == ROLE_FULLTIME else 0.15):
            level = "社会工作师" if rng.random() < 0.3 else "助理社会工作师"
            row["social_work_cert"] = level
            issued = rng.randint(ctx.T - 8 * 365, ctx.T - 60)
            expires = add_years(issued, 3)
            while expires < ctx.T - 200:
                expires = add_years(expires, 3)
            _certificate(ctx, row["id"], f"社会工作者职业资格证书（{level}）",
                         f"{date.fromordinal(issued).year}0341{rng.randrange(10**8):08d}",
                         "人力资源和社会保障部 民政部", issued, expires)


def _certificate(ctx: Context, staff_id: int, name: str, number: str, issuer: str, issued: int,
                 expires: int | None) -> None:
    ctx.add("certificate", {"id": ctx.new_id("certificate"), "staff_id": staff_id, "name": name,
                            "number": number, "issuer": issuer, "issued_on": date.fromordinal(issued),
                            "expires_on": ordinal_date(expires), "version": 1})
