"""Filling a grid with households and writing them: household, person,
event and tag rows, with the household-level circumstances (低保, 困难,
民族, 流入原因, 居住处所).

People without a 户 (以房管人): a 流动人口 family renting here is written
without any 户 or 户主 — its members live at the 出租房 (``house_id``),
their events name the house — and a few members of local families are
未落户人口 (no 户口: a child born outside the plan, a person who lost
theirs), living at the family's house outside its 户口本. Those choices
draw from a random source of their own (``UNREGISTERED_RATE``), so the
rest of the township stays the same. A few tenants of the 出租房 are 境外人员
(passport or 通行证, ``overseas``), drawn from a source of their own too."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from gridadmin.models.base import local_now
from gridadmin.models.household import EVENT_TRANSFER, PERSON_ACTIVE
from gridadmin.services.demo.addresses import Addresses
from gridadmin.services.demo.areas import Grid
from gridadmin.services.demo.context import Context
from gridadmin.services.demo.houses import Houses
from gridadmin.services.demo.households import (
    NOTE_DIED_ALONE, Composed, compose_dissolved, compose_household, household_row,
)
from gridadmin.services.demo.overseas import CATEGORY_OVERSEAS, OVERSEAS_RATE, overseas_person
from gridadmin.services.demo.persons import person_row
from gridadmin.services.demo.picking import weighted
from gridadmin.services.demo.plan import CITY, VILLAGE, GridPlan
from gridadmin.services.demo.tags import Tagger

_INFLOW_REASONS = weighted((("务工", 50), ("经商", 15), ("投靠亲友", 10), ("婚嫁", 5), ("就学", 5), ("随迁家属", 15)))
_ETHNIC_OTHER = ("02", "06", "08", "11", "15", "04")
_VILLAGE_MAX_RESIDENTS = 500  # a village under 500 residents is one grid
UNREGISTERED_RATE = 0.006  # 未落户人口 among the members (not heads) of local families: ≈0.4 % of the register
UNREGISTERED = "5"  # 人口类别 未落户人口


class Register:
    """Writes the households of each grid; counts residents for progress."""

    def __init__(self, ctx: Context, tag_ids: dict[str, int]):
        self.ctx = ctx
        self.addresses = Addresses(ctx)
        self.tagger = Tagger(ctx, tag_ids)
        self.houses = Houses(ctx)
        self.placing = random.Random(ctx.seed * 104729 + 5)
        self.abroad = random.Random(ctx.seed * 15485863 + 11)  # 境外人员: a source of its own
        self.resident_count = 0

    def fill_grid(self, grid: Grid, plan: GridPlan) -> None:
        """Households of a city/rural grid (``plan.amount`` of them) or of a
        whole small village (about ``plan.amount`` residents, under 500),
        plus a few households dissolved within the window."""
        ctx = self.ctx
        rng = ctx.rng
        urban = plan.kind == CITY
        force_micro = ctx.spec.sample_communities and urban
        with_micro = force_micro or rng.random() < (0.15 if urban else 0.06)
        clan = [rng.choice(ctx.names.top[:30]) for _ in range(2)] if not urban else []
        if grid.clan:
            clan[0] = grid.clan
        households = plan.amount if plan.kind != VILLAGE else round(plan.amount / 2.8)
        next_address = self.addresses.for_grid(grid, households, with_micro)
        seq = 0

        def household_no() -> str:
            nonlocal seq
            seq += 1
            return f"{grid.code}{seq:04d}"

        if plan.kind == VILLAGE:
            residents = 0
            while True:
                household = compose_household(ctx, urban, household_no, next_address, clan)
                active = sum(1 for m in household.members if m.status == PERSON_ACTIVE)
                if residents + active >= _VILLAGE_MAX_RESIDENTS:
                    break
                self._write(household, grid, urban)
                residents += active
                if residents >= plan.amount:
                    break
        else:
            for _ in range(households):
                self._write(compose_household(ctx, urban, household_no, next_address, clan), grid, urban)
        # dissolved households: a lone elder who died, a family that moved away
        dissolved = int(households * rng.uniform(0.008, 0.022)) + (1 if rng.random() < 0.5 else 0)
        for _ in range(dissolved):
            household = compose_dissolved(ctx, grid.id, urban, household_no, next_address)
            if household is not None:
                self._write(household, grid, urban)

    def _write(self, household: Composed, grid: Grid, urban: bool) -> None:
        ctx = self.ctx
        rng = ctx.rng
        members, hh, flow = household.members, household.row, household.flow
        hh_id = hh["id"]
        comm = grid.community
        hukou_here = f"{comm.town.plan.full}{comm.name}"
        active = [m for m in members if m.status == PERSON_ACTIVE]
        alone = len(active) == 1
        dissolved = hh["dissolved_on"] is not None
        died_alone = hh["note"] == NOTE_DIED_ALONE
        # household-level circumstances
        is_dibao = not flow and not dissolved and \
            rng.random() < (0.15 if (alone and ctx.age(active[0].birth) >= 60) else 0.035)
        is_poor = not flow and not dissolved and (rng.random() < 0.015 or (is_dibao and rng.random() < 0.3))
        hh["is_dibao"], hh["is_poor"] = is_dibao, is_poor
        ethnicity = "01"
        r = rng.random()
        if r < 0.011:
            ethnicity = "03"
        elif r < 0.014:
            ethnicity = rng.choice(_ETHNIC_OTHER)
        flow_reason = ctx.pick(_INFLOW_REASONS) if flow else None
        if flow_reason == "就学" and len(members) > 1:
            flow_reason = "务工"
        dwelling = None
        if flow:
            dwelling = rng.choices(("租赁房屋", "单位内部", "自购房", "借住"), (70, 10, 10, 10))[0] if urban else \
                rng.choices(("租赁房屋", "工地现场", "借住"), (50, 20, 30))[0]
        rows = []
        house_id = self.houses.house_of(hh, flow, len(active))
        # a renting 流动人口 family needs no 户 (its members live at the 出租房)
        houseless = flow and house_id is not None and not household.moved_in \
            and not any(e[0] == EVENT_TRANSFER for m in members for e in m.events)
        for m in members:
            # a local family's member without 户口 (未落户人口) lives at its house outside the 户口本
            unregistered = not flow and house_id is not None and m.status == PERSON_ACTIVE and m.rel != "02" \
                and m.cat == "1" and not any(e[0] == EVENT_TRANSFER for e in m.events) \
                and self.placing.random() < UNREGISTERED_RATE
            alone_here = houseless or unregistered
            row = person_row(ctx, m, None if alone_here else hh_id, urban, flow, hukou_here, ethnicity, flow_reason,
                             dwelling, household.origin)
            row["house_id"] = house_id if m.status == PERSON_ACTIVE or alone_here else None
            if alone_here:
                row["relation"] = None
            if unregistered:
                row.update(category=UNREGISTERED, residence_status=None, hukou_place=None)
            elif houseless and m.status == PERSON_ACTIVE and self.abroad.random() < OVERSEAS_RATE:
                # a tenant holding a passport or 通行证 (境外人员), its validity a year or two ahead
                row.update(overseas_person(self.abroad, row["id"], m.gender), category=CATEGORY_OVERSEAS,
                           residence_status=None, hukou_place=None, residence_permit_no=None,
                           residence_permit_expires=None, origin_place=None,
                           document_valid_until=date.fromordinal(ctx.T + self.abroad.randint(60, 720)))
            rows.append(row)
            ctx.add("person", row)
            for kind, day, from_hh, to_hh, place, note in m.events:
                event_id = ctx.new_id("person_event")
                to_house = house_id if to_hh == hh_id and row["house_id"] is not None else None
                from_house = house_id if alone_here and from_hh == hh_id else None
                ctx.add("person_event", {"id": event_id, "person_id": row["id"],
                                         "kind": kind, "event_date": date.fromordinal(day),
                                         "from_household_id": None if alone_here else from_hh,
                                         "to_household_id": None if alone_here else to_hh,
                                         "from_house_id": from_house, "to_house_id": to_house,
                                         "place": place, "note": note,
                                         "created_at": entered_at(event_id, day, ctx.T)})
            self.tagger.person(m, row["id"], alone, active, hh, is_dibao, died_alone)
            if m.status == PERSON_ACTIVE:
                self.resident_count += 1
                ctx.progress_done += 1
                if row["political_status"] in ("01", "02"):
                    hh["is_party"] = True
                if hh["phone"] is None and row["phone"] and m.rel == "02":
                    hh["phone"] = row["phone"]
        if hh["phone"] is None:
            hh["phone"] = next((p["phone"] for p in rows if p["phone"] and p["status"] == PERSON_ACTIVE), None)
        if not houseless:
            ctx.add("household", hh)
        # the former households of parents who moved in with this one
        for former_id, registered, left, parent in household.moved_in:
            if parent not in members:
                continue
            addr = self.addresses.former_home(grid)
            addr["area_id"] = hh["area_id"]
            ctx.add("household", household_row(former_id, f"{hh['household_no']}-1", addr, registered,
                                               dissolved=left, note="户主迁入子女户，户已注销"))


def entered_at(event_id: int, day: int, today: int) -> datetime:
    """When a clerk typed the event in: on a working hour of the day it
    happened or up to two weeks later (never after today), so the demo's
    register has changes entered late, as a real one has. Derived from the
    ids (no random draw: the rest of the township stays the same); one
    typed "today" is stamped before the moment the demo is made."""
    lag = (event_id * 7919) % 15
    minutes = 8 * 60 + 30 + (event_id * 37) % 480
    entered = min(day + lag, today)
    at = datetime.combine(date.fromordinal(entered), time()) + timedelta(minutes=minutes)
    if entered == today:  # typed today: not later than now (a report submitted next must not see it as late)
        at = min(at, local_now().replace(microsecond=0) - timedelta(seconds=1))
    return at
