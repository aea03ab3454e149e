"""Grid staff on the "1+3+N" pattern with two years of history: per grid a
leader (the village/community secretary, or the director in big ones), a
full-time and a part-time grid worker and a township cadre as instructor,
plus police, doctor, building heads and volunteers; holders leave and are
replaced, cadres are reassigned."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from gridadmin.models.staff import STATUS_LEFT, STATUS_ON_POST
from gridadmin.services.demo import posts
from gridadmin.services.demo.areas import GRID_SPECIAL, SPECIAL_KINDS, Community, Town
from gridadmin.services.demo.context import Context
from gridadmin.services.demo.dates import add_years
from gridadmin.services.demo.posts import Post


@dataclass
class StaffInfo:
    """One staff member while being composed; dates are ordinals."""

    row: dict
    role: str
    town: Town
    events: list[tuple[int, str, str | None]] = field(default_factory=list)  # (ordinal, status, note)
    assignments: list[dict] = field(default_factory=list)
    communities: dict[int, int] = field(default_factory=dict)  # assignment id -> community id
    leave_spans: list[tuple[int, int]] = field(default_factory=list)
    absent_rate: float = 0.05  # share of training sessions missed

    @property
    def serving(self) -> bool:
        return any(a["end_date"] is None for a in self.assignments)


class StaffBuilder:
    """Composes the staff of all towns; rows are written by
    :func:`gridadmin.services.demo.staff_history.write_staff`."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.staff: list[StaffInfo] = []
        self.leavers: list[tuple[StaffInfo, int, str, Town]] = []  # (who, left on, role, town)

    def hire(self, town: Town, post: Post, hired: int, urban: bool, position: str | None = None) -> StaffInfo:
        """A new person for ``post``, on post from ``hired``."""
        ctx = self.ctx
        rng = ctx.rng
        if position is None:
            options = post.village if (post.village and not urban) else post.city
            position = (options[0] if len(options) == 1 else rng.choice(options)).format(town=town.name)
        contract = rng.choices(*zip(*post.contracts))[0] if post.contracts else None
        gender = "1" if rng.random() < post.male_p else "2"
        birth = min(ctx.born(rng.randint(*post.age)), add_years(hired, -20))  # old enough when hired
        surname, given, py, initials = ctx.names.full(gender, date.fromordinal(birth).year)
        region = ctx.county_code if rng.random() < 0.9 else ctx.regions.elsewhere(0.9)
        row = {
            "id": ctx.new_id("staff"), "name": surname + given, "name_pinyin": py, "name_initials": initials,
            "id_number": ctx.id_number(region, birth, gender == "1"), "gender": gender,
            "birth_date": date.fromordinal(birth), "ethnicity": "01" if rng.random() < 0.985 else "03",
            "phone": ctx.phone(), "employment_type": post.employment,
            "political_status": rng.choices(*zip(*post.political))[0],
            "education": rng.choices(*zip(*post.education_for(urban)))[0], "position": position,
            "hired_on": None, "left_on": None, "status": STATUS_ON_POST, "contract_type": contract,
            "social_work_cert": None, "skill_level": None, "note": None, "version": 1,
        }
        info = StaffInfo(row, post.role, town)
        info.events.append((hired, STATUS_ON_POST, "入职"))
        info.absent_rate = 0.04 if rng.random() < 0.88 else 0.3
        self.staff.append(info)
        return info

    def assign(self, info: StaffInfo, area_id: int, comm: Community, role: str, start: int,
               note: str | None = None) -> dict:
        row = {"id": self.ctx.new_id("staff_assignment"), "staff_id": info.row["id"], "area_id": area_id,
               "role": role, "start_date": start, "end_date": None, "note": note, "version": 1}
        info.assignments.append(row)
        info.communities[row["id"]] = comm.id
        return row

    @staticmethod
    def end(info: StaffInfo, rows: list[dict], day: int, status: str | None, note: str) -> None:
        """End ``rows`` on ``day``; ``status`` (离职/卸任) when nothing is left."""
        for row in rows:
            if row["end_date"] is None:
                row["end_date"] = day
        if status is not None and not info.serving:
            info.events.append((day, status, note))

    def slot(self, comm: Community, post: Post, areas: list[int], position: str | None = None) -> None:
        """Holders of one post over time: hired before the window; some
        leave within it and are replaced after a short gap."""
        ctx = self.ctx
        rng = ctx.rng
        T, W0 = ctx.T, ctx.W0
        town, urban = comm.town, comm.urban
        start = rng.randint(W0 - 5 * 365, W0 - 30)
        holder = self.hire(town, post, start, urban, position)
        rows = [self.assign(holder, a, comm, post.role, start) for a in areas]
        changes = 0
        while rng.random() < (post.turnover if changes == 0 else post.turnover / 3):
            lo = max(W0, start + 60)
            if lo >= T - 20:
                break
            left = rng.randint(lo, T - 20)
            reason = rng.choice(("个人原因辞职", "考取公务员/事业编", "家庭原因", "合同期满不再续签")) \
                if post.leave_status == STATUS_LEFT else rng.choice(("换届卸任", "工作调整", "年龄原因"))
            self.end(holder, rows, left, post.leave_status, reason)
            if post.leave_status == STATUS_LEFT:
                self.leavers.append((holder, left, post.role, town))
            start = min(left + rng.randint(0, post.gap_max), T - 1)
            holder = self.hire(town, post, start, urban, position)
            rows = [self.assign(holder, a, comm, post.role, start) for a in areas]
            changes += 1

    def build(self, towns: list[Town]) -> None:
        """Staff for every community with grids, town by town."""
        for town in towns:
            cadres: list[StaffInfo] = []
            for comm in town.communities:
                if comm.grids:
                    self._community(comm, cadres)

    def _community(self, comm: Community, cadres: list[StaffInfo]) -> None:
        rng = self.ctx.rng
        urban = comm.urban
        regular = [g for g in comm.grids if g.grid_type != GRID_SPECIAL]
        specials = [g for g in comm.grids if g.grid_type == GRID_SPECIAL]
        # leaders: the secretary leads the grids (the director helps in big communities)
        halves = [regular] if len(regular) <= 4 else [regular[: len(regular) // 2], regular[len(regular) // 2:]]
        for post, group in zip((posts.SECRETARY, posts.DIRECTOR), halves):
            self.slot(comm, post, [g.id for g in group])
        self._instructor(comm, cadres)
        if rng.random() < 0.8:
            self.slot(comm, posts.POLICE, [g.id for g in regular])
        if rng.random() < 0.6:
            self.slot(comm, posts.DOCTOR, [g.id for g in regular])
        for grid in regular:
            self.slot(comm, posts.FULLTIME, [grid.id])
            self.slot(comm, posts.PARTTIME, [grid.id])
            # N: building heads (micro-grids where they exist) and volunteers
            for area_id in grid.micro_ids or [grid.id] * rng.randint(0, 3 if urban else 1):
                self.slot(comm, posts.BUILDING, [area_id])
            for _ in range(rng.choices((0, 1, 2), (40, 40, 20))[0]):
                self.slot(comm, posts.VOLUNTEER, [grid.id])
        for grid in specials:
            self.slot(comm, posts.UNIT_HEAD, [grid.id], position=SPECIAL_KINDS[grid.special_kind][2])
            self.slot(comm, posts.UNIT_SECURITY, [grid.id])

    def _instructor(self, comm: Community, cadres: list[StaffInfo]) -> None:
        """A township cadre for all grids of ``comm``; sometimes another
        cadre takes over (调整) and the first moves to another community."""
        ctx = self.ctx
        rng = ctx.rng
        town = comm.town
        role = posts.INSTRUCTOR.role

        def new_cadre(hired: int) -> StaffInfo:
            info = self.hire(town, posts.INSTRUCTOR, hired, comm.urban)
            cadres.append(info)
            return info

        start = rng.randint(ctx.W0 - 4 * 365, ctx.W0 - 30)
        cadre = new_cadre(start)
        rows = [self.assign(cadre, g.id, comm, role, start) for g in comm.grids]
        if rng.random() >= 0.15:
            return
        d = rng.randint(ctx.W0, ctx.T - 20)
        self.end(cadre, rows, d, None, "")
        others = [c for c in cadres if c is not cadre]
        successor = rng.choice(others) if others and rng.random() < 0.5 else new_cadre(d)
        for g in comm.grids:
            self.assign(successor, g.id, comm, role, d, "包联调整")
        if not cadre.serving:  # the cadre now serves another community
            target = rng.choice([c for c in town.communities if c.grids])
            for g in target.grids:
                self.assign(cadre, g.id, target, role, d, "包联调整")
