"""Group memberships (several per person, with start and end dates):
育龄妇女, 独居/空巢老人, 留守/困境儿童, 低保, 特困, 残疾, 退役军人,
优抚, and the rare sensitive management groups."""

from __future__ import annotations

import json
from datetime import date

from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.demo.context import Context
from gridadmin.services.demo.dates import add_years
from gridadmin.services.demo.family import Member


class Tagger:
    """Writes tag rows; ``tag_ids`` maps tag codes to TagKind ids."""

    def __init__(self, ctx: Context, tag_ids: dict[str, int]):
        self.ctx = ctx
        self.tag_ids = tag_ids
        self._open: set[tuple[int, str]] = set()  # (person, code) with a running tag

    def tag(self, m: Member, person_id: int, code: str, start: int, end: int | None = None, *,
            details: str | None = None, due_end: int | None = None) -> bool:
        """A tag from ``start`` (not before registration) to ``end`` (not
        after leaving), with the kind's fields (JSON) and the day it is due
        to end; False when nothing of it is left or the person already has
        a running tag of this group (困境儿童 both as 留守 and as a 低保 child)."""
        ctx = self.ctx
        start = max(start, m.reg)
        if m.leave is not None:
            end = m.leave if end is None else min(end, m.leave)
        if start > ctx.T or (end is not None and end <= start):
            return False
        if end is None:  # one running membership per person and group (the database enforces it)
            if (person_id, code) in self._open:
                return False
            self._open.add((person_id, code))
        ctx.add("person_tag", {"id": ctx.new_id("person_tag"), "person_id": person_id,
                               "tag_kind_id": self.tag_ids[code], "start_date": date.fromordinal(start),
                               "end_date": date.fromordinal(end) if end is not None else None, "note": None,
                               "details": details,
                               "due_end": date.fromordinal(due_end) if due_end is not None else None})
        return True

    def person(self, m: Member, pid: int, alone: bool, active: list[Member], hh: dict, is_dibao: bool,
               died_alone: bool) -> None:
        """The tags of person ``pid``; sets the household's 特困/残疾/退役军人
        flags. ``alone``: the only active member; ``died_alone``: the
        household was dissolved when its lone head died."""
        ctx = self.ctx
        tag = self.tag
        rng = ctx.rng
        T, W0 = ctx.T, ctx.W0
        birth = m.birth
        until = m.leave if m.leave is not None else T
        age_until = int((until - birth) / 365.2425)
        is_active = m.status == PERSON_ACTIVE
        r = rng.random
        if age_until >= 79:
            # 高龄老人 is computed from the birth date, not tagged; the draw
            # keeps the rest of the demo population as it was
            d80 = add_years(birth, 80)
            if d80 <= until:
                r()
        if m.gender == "2" and 14 <= age_until <= 52:
            d15, d50 = add_years(birth, 15), add_years(birth, 50)
            if d15 <= until and d50 > W0 and r() < 0.95:
                tag(m, pid, "fertile_woman", d15, d50 if d50 <= T else None)
        if age_until >= 60:
            d60 = add_years(birth, 60)
            if is_active and alone and r() < 0.85:
                tag(m, pid, "elder_alone", max(d60, m.alone_since or 0))
                if r() < 0.06:
                    tag(m, pid, "tekun", max(d60, m.reg + rng.randint(0, 400)))
                    hh["is_tekun"] = True
            elif not is_active and m.rel == "02" and died_alone and r() < 0.8:
                tag(m, pid, "elder_alone", d60)
            elif is_active and len(active) == 2 and all(T - x.birth >= 60 * 365.25 for x in active) \
                    and r() < 0.7:
                tag(m, pid, "empty_nest", d60)
        if is_active and m.left_behind and T - birth < 16 * 365:
            tag(m, pid, "left_child", max(birth, T - rng.randint(30, 900)))
            if r() < 0.05:
                tag(m, pid, "needy_child", T - rng.randint(30, 700))
        if is_dibao and is_active:
            if r() < 0.9:
                start = m.reg if r() < 0.5 else ctx.between(m.reg, T - 1)
                tag(m, pid, "dibao", start)
            if T - birth < 18 * 365 and r() < 0.3:
                tag(m, pid, "needy_child", ctx.between(m.reg, T - 1))
        disabled_p = 0.005 if age_until < 18 else (0.013 if age_until < 60 else 0.05)
        if r() < disabled_p:
            start = max(birth, m.reg) if r() < 0.7 else ctx.between(max(birth, m.reg), until)
            if tag(m, pid, "disabled", start):
                hh["is_disabled"] = hh["is_disabled"] or is_active
        if m.gender == "1" and 22 <= age_until <= 85 and r() < 0.03:
            if tag(m, pid, "veteran", max(add_years(birth, 21), m.reg)):
                hh["is_veteran"] = hh["is_veteran"] or is_active
                if r() < 0.2:
                    tag(m, pid, "youfu", ctx.between(m.reg, T - 1))
        elif m.gender == "2" and age_until >= 70 and m.marital == "30" and r() < 0.005:
            tag(m, pid, "youfu", m.reg)
        if is_active and 18 <= age_until <= 75:
            self._sensitive(m, pid)

    def _sensitive(self, m: Member, pid: int) -> None:
        """At most one of 社区矫正, 刑满释放, 严重精神障碍, 吸毒, 重点上访 (rare)."""
        ctx = self.ctx
        T, W0 = ctx.T, ctx.W0
        x = ctx.rng.random()
        if x < 0.0004:
            start = ctx.between(max(m.reg, W0 - 365), T - 30)
            end = ctx.between(start + 1, T - 1) if ctx.rng.random() < 0.3 else None
            # a two-year 缓刑: open ones past it show on the 待办提醒 page
            until = start + 730
            details = json.dumps({"correction_start": date.fromordinal(start).isoformat(),
                                  "correction_end": date.fromordinal(until).isoformat(),
                                  "correction_type": "缓刑", "control_level": "普管"}, sort_keys=True)
            self.tag(m, pid, "corrections", start, end, details=details, due_end=until)
        elif x < 0.0014:
            self.tag(m, pid, "released", ctx.between(m.reg, T - 1))
        elif x < 0.0054:
            self.tag(m, pid, "mental", ctx.between(m.reg, T - 1))
        elif x < 0.0059:
            self.tag(m, pid, "drug", ctx.between(m.reg, T - 1))
        elif x < 0.0063:
            self.tag(m, pid, "petition", ctx.between(max(m.reg, W0), T - 1))
