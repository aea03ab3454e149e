"""Houses in the demo (以房管人): every current household lives at a house
(实有房屋) at its address; a 流动人口 family's house is a 出租房 with its
房主, 出租间数 and 限住人数 (a few overcrowded). Its tenants live there
without a 户 (``register.Register._write``).

Drawn from a random source of its own, so adding houses changes none of
the draws of the rest of the township (same people, same households)."""

from __future__ import annotations

import random

from gridadmin.models.house import USE_OWN, USE_RENTED
from gridadmin.services.demo.context import Context
from gridadmin.services.register.houses import address_key, compose_address

OVERCROWDED_RATE = 0.12  # rentals whose tenants exceed the 限住人数
_GIVEN = ("建国", "秀英", "桂兰", "志强", "丽", "国华", "红梅", "德明", "玉兰", "海涛", "春生", "淑芬")


class _Parts:
    def __init__(self, row: dict):
        for key in ("compound", "building", "unit", "room", "village_group", "door_no"):
            setattr(self, key, row.get(key))


class Houses:
    """The houses of the run: one per address and area."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.rng = random.Random(ctx.seed * 7919 + 17)
        self.by_place: dict[tuple, int] = {}

    def house_of(self, hh: dict, flow: bool, tenants: int) -> int | None:
        """The house of a household row (None for one dissolved: the family
        is gone); a 流动人口 family's is a 出租房."""
        if hh["dissolved_on"] is not None:
            return None
        parts = _Parts(hh)
        if not (parts.compound or parts.village_group):
            return None
        place = (hh["area_id"], address_key(parts))
        found = self.by_place.get(place)
        if found is not None:
            return found
        ctx, rng = self.ctx, self.rng
        house_id = ctx.new_id("house")
        row = {"id": house_id, "house_no": f"F{hh['household_no']}", "area_id": hh["area_id"],
               "compound": parts.compound, "building": parts.building, "unit": parts.unit, "room": parts.room,
               "village_group": parts.village_group, "door_no": parts.door_no,
               "address": compose_address(parts), "address_key": place[1], "purpose": USE_OWN, "owner": None,
               "landlord": None, "landlord_pinyin": None, "landlord_initials": None, "landlord_phone": None,
               "rooms_let": None, "occupancy_limit": None, "hazard_note": None, "registered_on": hh["registered_on"],
               "version": 1}
        if flow:
            surname = ctx.names.top[rng.randrange(min(30, len(ctx.names.top)))]
            landlord = surname + rng.choice(_GIVEN)
            rooms = rng.randint(1, 3)
            limit = max(1, tenants - 1) if rng.random() < OVERCROWDED_RATE else max(tenants, rooms * 2)
            row.update(purpose=USE_RENTED, owner=landlord, landlord=landlord,
                       landlord_phone=f"139{rng.randrange(10 ** 8):08d}", rooms_let=rooms, occupancy_limit=limit,
                       hazard_note="电动车楼道充电" if rng.random() < 0.05 else None)
            row["landlord_pinyin"], row["landlord_initials"] = ctx.names.pinyin(landlord[0], landlord[1:])
        else:
            row["owner"] = None
        ctx.add("house", row)
        self.by_place[place] = house_id
        return house_id
