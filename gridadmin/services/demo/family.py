"""Composing a family: the members of a household (ages, genders,
relations to the head by GB/T 4761, marital status) before they get names,
ID numbers and rows. Relations: 02 head, 11/12 husband/wife, 20–34
children, 28/38 son-/daughter-in-law, 41–44 grandchildren, 51/52 parents."""

from __future__ import annotations

from gridadmin.models.household import EVENT_REGISTERED, EVENT_TRANSFER, PERSON_ACTIVE, PERSON_DECEASED, \
    PERSON_MOVED_OUT
from gridadmin.services.demo.context import Context
from gridadmin.services.demo.dates import add_years


class Member:
    """One household member while a household is being composed. Dates are
    ordinals; ``leave`` is the day of 迁出/死亡; ``events`` are
    (kind, ordinal, from household, to household, place, note)."""

    __slots__ = ("gender", "birth", "rel", "surname", "status", "leave", "place", "reg",
                 "marital", "res", "cat", "region", "events", "left_behind", "note", "alone_since",
                 "student_away")

    def __init__(self, gender: str, birth: int, rel: str, surname: str):
        self.gender = gender
        self.birth = birth
        self.rel = rel
        self.surname = surname
        self.status = PERSON_ACTIVE
        self.leave: int | None = None
        self.place: str | None = None  # 迁出 destination
        self.reg: int | None = None
        self.marital = "10"
        self.res = "1"  # 人户状态
        self.cat = "1"  # 人口类别
        self.region: str | None = None  # county code of the ID number
        self.events: list[tuple] = []
        self.left_behind = False
        self.note: str | None = None
        self.alone_since: int | None = None
        self.student_away = False


def head_age(ctx: Context, flow: bool) -> int:
    """Age of a household head (流动人口 heads are younger)."""
    rng = ctx.rng
    if flow:
        band = rng.choices(((20, 29), (30, 39), (40, 49), (50, 60)), (30, 35, 25, 10))[0]
    else:
        band = rng.choices(((22, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 79), (80, 93)),
                           (7, 16, 19, 22, 19, 11, 6))[0]
    return rng.randint(*band)


def household_kind(ctx: Context, age: int, urban: bool, flow: bool) -> str:
    """single, couple, nuclear, single_parent, with_parents, three_gen or
    adult_child, by the head's age."""
    if flow:
        table = (("single", 45), ("couple", 20), ("nuclear", 35)) if age < 30 else \
            (("single", 25), ("couple", 15), ("nuclear", 60))
    elif age < 30:
        table = (("single", 30), ("couple", 20), ("nuclear", 40), ("with_parents", 10))
    elif age < 45:
        table = (("single", 7), ("couple", 4), ("nuclear", 57), ("single_parent", 5),
                 ("with_parents", 27 if urban else 33))
    elif age < 60:
        table = (("single", 7), ("couple", 17), ("nuclear", 41), ("single_parent", 3),
                 ("with_parents", 10), ("three_gen", 12 if urban else 17), ("adult_child", 8))
    elif age < 75:
        table = (("single", 18), ("couple", 38), ("three_gen", 24 if urban else 32), ("adult_child", 12))
    else:
        table = (("single", 42), ("couple", 36), ("three_gen", 22))
    return ctx.rng.choices([k for k, _ in table], [w for _, w in table])[0]


def spouse_birth(ctx: Context, head: Member) -> int:
    gap = max(-3, min(10, round(ctx.rng.gauss(2.5, 2.5))))
    age = ctx.age(head.birth)
    age = age - gap if head.gender == "1" else age + gap
    age = max(age, 22 if head.gender == "2" else 20)
    return ctx.born(min(age, 100))


def spouse_of(ctx: Context, head: Member) -> Member:
    """A husband or wife for ``head`` (not yet added to the household)."""
    g = "2" if head.gender == "1" else "1"
    return Member(g, spouse_birth(ctx, head), "12" if g == "2" else "11", ctx.names.surname())


def kids_births(ctx: Context, mother: int | None, father: int | None, k: int, adult_ok: bool = True) -> list[int]:
    """Birth dates of ``k`` children (fewer if impossible): mother 21–40,
    father 22–40 at each birth."""
    rng = ctx.rng
    parent = mother if mother is not None else father
    lo = add_years(parent, 21)
    hi = add_years(parent, 40)
    if father is not None:
        lo = max(lo, add_years(father, 22))
        hi = min(hi, add_years(father, 40))
    hi = min(hi, ctx.T)
    births = []
    b = lo + int(rng.triangular(0, 10, 3) * 365)
    for _ in range(k):
        if b > hi:
            break
        births.append(b)
        b += rng.randint(500, 7 * 365)
    if not adult_ok:
        births = [x for x in births if ctx.T - x < 18 * 365]
    return births


def set_child_relations(ctx: Context, kids: list[Member], grand: bool = False, via_daughter: bool = False) -> None:
    """Relation codes of children (20/30 or 21–24/31–34 by birth order) or
    grandchildren (41/42 via a son, 43/44 via a daughter)."""
    if grand:
        for k in kids:
            k.rel = ("43" if k.gender == "1" else "44") if via_daughter else ("41" if k.gender == "1" else "42")
        return
    detailed = ctx.rng.random() < 0.55
    if detailed and len(kids) == 1:
        kids[0].rel = "21" if kids[0].gender == "1" else "31"
        return
    sons = daughters = 0
    for k in sorted(kids, key=lambda x: x.birth):
        if k.gender == "1":
            k.rel = ("22", "23", "24")[sons] if detailed and sons < 3 else "20"
            sons += 1
        else:
            k.rel = ("32", "33", "34")[daughters] if detailed and daughters < 3 else "30"
            daughters += 1


def add_parents(ctx: Context, head: Member, members: list[Member], hh_id: int, allow_transfer: bool,
                ghosts: list[tuple]) -> None:
    """The head's parents (both, or a widowed one; the other may have died
    within the window). A widowed parent may have moved in from their own
    household (户间迁移): (ghost household id, registered, dissolved, parent)
    is appended to ``ghosts``."""
    rng = ctx.rng
    T, W0 = ctx.T, ctx.W0
    h_age = ctx.age(head.birth)
    father_age = h_age + rng.randint(23, 33)
    mother_age = father_age - max(-3, min(8, round(rng.gauss(2.5, 2))))
    mother_age = max(mother_age, h_age + 21)
    both = rng.random() < 0.55 and father_age <= 95 and mother_age <= 97
    if father_age > 95 and mother_age > 97:
        return
    father = Member("1", ctx.born(father_age), "51", head.surname)
    mother = Member("2", ctx.born(mother_age), "52", ctx.names.surname())
    # parents are older than the head by at least 21 years
    father.birth = min(father.birth, add_years(head.birth, -22))
    mother.birth = min(mother.birth, add_years(head.birth, -21))
    if both:
        father.marital = mother.marital = "20"
        members.extend((father, mother))
        return
    alive, other = (mother, father) if rng.random() < 0.65 or father_age > 95 else (father, mother)
    if ctx.age(alive.birth) > 97:
        return
    alive.marital = "30"
    members.append(alive)
    r = rng.random()
    if r < 0.2:
        other.status, other.leave = PERSON_DECEASED, rng.randint(W0, T - 1)
        other.marital = "20"
        members.append(other)
    elif r < 0.45 and allow_transfer:
        d = rng.randint(W0, T - 5)
        ghost_id = ctx.new_id("household")
        ghost_reg = rng.randint(W0 - 5 * 365, W0 - 1)
        alive.reg = ghost_reg
        alive.alone_since = d
        alive.events.append((EVENT_REGISTERED, ghost_reg, None, ghost_id, None, None))
        alive.events.append((EVENT_TRANSFER, d, ghost_id, hh_id, None, "投靠子女"))
        alive.note = "由原住户迁入投靠子女"
        ghosts.append((ghost_id, ghost_reg, d, alive))


def add_next_generation(ctx: Context, head: Member, spouse: Member | None, members: list[Member],
                        kids: list[Member]) -> None:
    """Three generations: a (usually married) son or daughter of the head
    with partner and young children."""
    rng = ctx.rng
    mother = head if head.gender == "2" else spouse
    father = head if head.gender == "1" else spouse
    births = kids_births(ctx, mother.birth if mother else None, father.birth if father else None, 2)
    births = [b for b in births if ctx.T - b >= 22 * 365] or births[:1]
    if not births:
        return
    via_daughter = rng.random() < 0.12
    child_gender = "2" if via_daughter else "1"
    child = Member(child_gender, births[0], "22" if child_gender == "1" else "32", (father or head).surname)
    if rng.random() < 0.4:
        child.rel = "20" if child_gender == "1" else "30"
    members.append(child)
    kids.append(child)
    if ctx.T - child.birth < 22 * 365:
        child.marital = "10"
        return
    partner_gender = "1" if via_daughter else "2"
    gap = max(-3, min(8, round(rng.gauss(2, 2))))
    child_age = ctx.age(child.birth)
    partner_age = child_age + gap if via_daughter else child_age - gap
    partner_age = max(partner_age, 22 if partner_gender == "1" else 20)
    partner_age = min(partner_age, ctx.age(head.birth) - 16)
    partner = Member(partner_gender, ctx.born(partner_age), "28" if via_daughter else "38", ctx.names.surname())
    child.marital = partner.marital = rng.choices(("20", "21"), (70, 30))[0]
    members.append(partner)
    gm = partner if partner_gender == "2" else child
    gf = child if partner_gender == "2" else partner
    g_births = kids_births(ctx, gm.birth, gf.birth, rng.choices((1, 2), (55, 45))[0], adult_ok=False)
    grandkids = [Member("1" if rng.random() < 0.52 else "2", b, "41", gf.surname) for b in g_births]
    set_child_relations(ctx, grandkids, grand=True, via_daughter=via_daughter)
    members.extend(grandkids)


def add_dead_spouse(ctx: Context, head: Member, members: list[Member], died: int) -> None:
    """A husband or wife who died on ``died`` (the head lives alone since)."""
    dead = spouse_of(ctx, head)
    dead.status, dead.leave, dead.marital = PERSON_DECEASED, died, "20"
    members.append(dead)
    head.alone_since = died


def add_moved_child(ctx: Context, head: Member, spouse: Member, members: list[Member]) -> None:
    """A grown child who moved away within the window (study, marriage, work)."""
    rng = ctx.rng
    mother = head if head.gender == "2" else spouse
    father = spouse if head.gender == "2" else head
    births = [b for b in kids_births(ctx, mother.birth, father.birth, 3) if 19 * 365 <= ctx.T - b <= 36 * 365]
    if not births:
        return
    b = births[-1]
    gender = "1" if rng.random() < 0.5 else "2"
    kid = Member(gender, b, "20" if gender == "1" else "30", father.surname)
    d = rng.randint(max(ctx.W0, add_years(b, 18)), ctx.T - 1)
    age_then = (d - b) / 365.2425
    kid.status, kid.leave = PERSON_MOVED_OUT, d
    if age_then < 21 and rng.random() < 0.7:
        kid.note, kid.place = "升学", ctx.regions.move_out_place()
    elif gender == "2" and rng.random() < 0.6:
        kid.note, kid.place = "婚迁", ctx.regions.home_township()
        kid.marital = "20"
    else:
        kid.note, kid.place = "工作", ctx.regions.move_out_place()
    members.append(kid)
