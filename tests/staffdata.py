"""Small staff fixtures shared by the roster tests: a township with two
grids and a helper that saves a staff member through the service."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from gridadmin.services.areas import tree as areas
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.roster.staff import StaffInput, save_staff

TODAY = date(2025, 6, 30)


def grids(db) -> dict[str, int]:
    """Two grids in 河街社区 and one in 粮行社区; returns name → id."""
    nodes = {n.name: n for n in areas.load_tree(db)}
    hejie, liangxing = nodes["河街社区"].id, nodes["粮行社区"].id
    return {
        "河街社区": hejie, "粮行社区": liangxing,
        "第一网格": areas.add_area(db, hejie, areas.AreaInput(name="第一网格")),
        "第二网格": areas.add_area(db, hejie, areas.AreaInput(name="第二网格")),
        "粮行网格": areas.add_area(db, liangxing, areas.AreaInput(name="粮行网格")),
    }


def person(name: str = "张三", *, born: date = date(1985, 3, 2), seq: int = 123, **changes) -> StaffInput:
    """A valid form for ``name`` (male when ``seq`` is odd)."""
    data = StaffInput(name=name, id_number=make_id_number("411302", born, seq), phone="13812345678",
                      employment_type="专职", political_status="01", education="30", hired_on=date(2020, 1, 1))
    return replace(data, **changes)


def add(db, name: str = "张三", **kw) -> int:
    return save_staff(db, person(name, **kw), today=TODAY)
