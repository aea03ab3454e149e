"""The monthly report's houses, 出租房, 承租人数 and 人户分离 (section 八),
stock and flow per community (or grid) like the residents:

- a house (实有房屋) exists at D when it was recorded by then
  (``registered_on <= D``, unknown: always), in its current area; a
  出租房 is a house whose 用途 is 出租 (the 用途 has no dated history:
  the current one counts);
- 承租人数: people present at D (``person_present``) whose house at D
  (``placed_at``: the one their first later 住所变更 left, else the
  current one) is a 出租房, counted where the person counts at D (their
  household's area, or without one their house's);
- 人在户不在 / 户在人不在: people present at D with that 人户状态 (the
  status has no dated history: the current one counts), placed as above.

增加 / 减少 within a community are those who are counted at the month's
end but were not at the previous one (in that community) and the
reverse, so 上月末 + 增加 − 减少 = 本月末. Only those who moved after the
previous month's end are placed one by one (``placed_at``); the rest are
counted per household and house, and the few who arrived or left
corrected (see ``census_counts``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from gridadmin.models import House, Person
from gridadmin.models.house import USE_RENTED
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.reports import placed_at as placed
from gridadmin.services.reports import presence
from gridadmin.services.reports.monthly_counts import StockFlow, person_present

AWAY, ABSENT = "3", "2"  # 人户状态: 人在户不在, 户在人不在
KEYS = ("houses", "rentals", "tenants", "away", "absent")
LABELS = {"houses": "实有房屋（处）", "rentals": "出租房（处）", "tenants": "承租人数（人）",
          "away": "人在户不在（人）", "absent": "户在人不在（人）"}


def _one(condition):
    return case((condition, 1), else_=0)


def _house_exists(on: date):
    return or_(House.registered_on.is_(None), House.registered_on <= on)


def census_counts(session: Session, prev: date, end: date, community_ids: list[int], parts: dict) -> dict:
    """``{community id: {key: StockFlow}}`` for ``KEYS`` (see the module doc)."""
    in_scope = set(community_ids)
    out: dict[int, dict[str, list[int]]] = {}

    def add(key: str, area_prev, area_end, was: bool, now: bool, n: int = 1) -> None:
        c_prev = parts.get(area_prev, (None, None))[0] if was else None
        c_end = parts.get(area_end, (None, None))[0] if now else None
        stayed = was and now and c_prev == c_end
        if now and c_end in in_scope:
            flow = out.setdefault(c_end, {}).setdefault(key, [0, 0, 0, 0])
            flow[3] += n
            flow[1] += 0 if stayed else n
        if was and c_prev in in_scope:
            flow = out.setdefault(c_prev, {}).setdefault(key, [0, 0, 0, 0])
            flow[0] += n
            flow[2] += 0 if stayed else n

    # Houses: every house taken as there at both dates (by area and 用途, inside
    # ix_house_area_purpose); those recorded after prev (ix_house_registered) replaced
    # by what they were at each date.
    rented = _one(House.purpose == USE_RENTED).label("rented")
    for area_id, is_rented, n in session.execute(
            select(House.area_id, rented, func.count()).group_by(House.area_id, House.purpose)):
        add("houses", area_id, area_id, True, True, n)
        if is_rented:
            add("rentals", area_id, area_id, True, True, n)
    # grouped by labels (PostgreSQL: an expression with parameters in GROUP BY is not the selected one)
    flags = (rented, _one(_house_exists(prev)).label("was"), _one(_house_exists(end)).label("now"))
    for area_id, is_rented, h_was, h_now, n in session.execute(
            select(House.area_id, *flags, func.count()).where(House.registered_on > prev)
            .group_by(House.area_id, *flags)):
        for key in ("houses", "rentals") if is_rented else ("houses",):
            add(key, area_id, area_id, True, True, -n)
            add(key, area_id, area_id, bool(h_was), bool(h_now), n)

    # People, as the age groups in ``monthly_details``: everyone 在册 taken as present at
    # both dates in their current area, counted per household and house (the tenants from
    # the 出租房, the 人户状态 inside ix_person_status_residence); then the few not simply
    # there at both dates (``presence.unsteady_parts``) replaced by their real presence,
    # and the few who moved after prev taken out, to be placed exactly below.
    was, now = person_present(prev), person_present(end)
    changed = placed.changed_after(prev)
    rentals = select(House.id).where(House.purpose == USE_RENTED)
    code = case((Person.residence_status.in_((AWAY, ABSENT)), Person.residence_status), else_="").label("code")
    # the tenants from the 出租房 (few), the person's status grouped rather than filtered:
    # as a condition it would lead the planner to walk every 在册 person instead
    tenants = (select(Person.household_id, Person.house_id, literal("").label("code"), Person.status,
                      func.count().label("n"))
               .select_from(House).join(Person, Person.house_id == House.id).where(House.purpose == USE_RENTED)
               .group_by(Person.household_id, Person.house_id, Person.status))
    away = (select(Person.household_id, Person.house_id, code, Person.status, func.count().label("n"))
            .where(Person.status == PERSON_ACTIVE, Person.residence_status.in_((AWAY, ABSENT)))
            .group_by(Person.status, Person.residence_status, Person.household_id, Person.house_id))
    for key, counted in (("tenants", tenants), (None, away)):
        groups = counted.subquery(f"census_{key or 'away'}")
        query, area = placed.place_groups(groups)
        for area_id, status, person_status, n in session.execute(
                query.add_columns(area.label("area"), groups.c.code, groups.c.status, func.sum(groups.c.n))
                .group_by("area", groups.c.code, groups.c.status)):
            if person_status != PERSON_ACTIVE:
                continue
            for k in (key,) if key else ({AWAY: "away", ABSENT: "absent"}[status],):
                add(k, area_id, area_id, True, True, int(n))  # a sum: Decimal on PostgreSQL
    flags = (_one(Person.house_id.in_(rentals)).label("tenant"), code, _one(was).label("was"), _one(now).label("now"))

    def grouped(where, sign: int, active: bool = False) -> None:
        query, area = placed.place_now(select().select_from(Person).where(
            where, or_(Person.house_id.in_(rentals), Person.residence_status.in_((AWAY, ABSENT)))))
        for area_id, is_tenant, status, p_was, p_now, n in session.execute(
                query.add_columns(area.label("area"), *flags, func.count()).group_by("area", *flags)):
            for key, wanted in (("tenants", is_tenant), ("away", status == AWAY), ("absent", status == ABSENT)):
                if wanted:
                    if active:
                        add(key, area_id, area_id, True, True, -n)
                    add(key, area_id, area_id, bool(p_was), bool(p_now), sign * n)

    for active, condition in presence.unsteady_parts(prev):
        grouped(condition, +1, active)
    grouped(changed, -1)
    # those who moved after prev: their area and house at each date
    query = select().select_from(Person).where(changed, or_(was, now))
    query, area_prev, house_prev = placed.place_at(query, prev, "c_prev")
    query, area_end, house_end = placed.place_at(query, end, "c_end")
    r_prev, r_end = House.__table__.alias("r_prev"), House.__table__.alias("r_end")
    query = (query.outerjoin(r_prev, and_(r_prev.c.id == house_prev, r_prev.c.purpose == USE_RENTED))
             .outerjoin(r_end, and_(r_end.c.id == house_end, r_end.c.purpose == USE_RENTED)))
    for a_prev, a_end, rent_prev, rent_end, status, p_was, p_now in session.execute(
            query.add_columns(area_prev, area_end, r_prev.c.id, r_end.c.id, Person.residence_status,
                              _one(was), _one(now))):
        add("tenants", a_prev, a_end, bool(p_was) and rent_prev is not None, bool(p_now) and rent_end is not None)
        for key, code in (("away", AWAY), ("absent", ABSENT)):
            if status == code:
                add(key, a_prev, a_end, bool(p_was), bool(p_now))
    return {comm: {key: StockFlow(*flow) for key, flow in per.items()} for comm, per in out.items()}


def census_flows(counts: dict, shown: set, before: dict | None, *, regrid_scope: int | None = None) -> dict:
    """The section's flows of the shown rows and their 合计 (key None).
    ``before``: the previous month's submitted ``census_flows`` (None or
    empty: not submitted, or submitted before this section existed) — each
    row then starts from its submitted 本月末, the difference being 更正
    (``StockFlow.from_submitted``); ``regrid_scope``: a community's report
    by grid after a submission by community starts its 合计 from that
    community's submitted row."""
    flows = {comm: dict(per) for comm, per in counts.items() if comm in shown}
    if before and regrid_scope is None:
        for comm in shown:
            mine, theirs = flows.get(comm, {}), before.get(comm, {})
            flows[comm] = {key: mine.get(key, StockFlow()).from_submitted(
                theirs[key].current if key in theirs else 0) for key in set(mine) | set(theirs)}
    total: dict[str, StockFlow] = {}
    for per in flows.values():
        for key, flow in per.items():
            total[key] = total.get(key, StockFlow()) + flow
    if before and regrid_scope is not None:
        prior = before.get(regrid_scope, {})
        total = {key: flow.from_submitted(prior[key].current if key in prior else 0) for key, flow in total.items()}
    flows[None] = total
    return flows
