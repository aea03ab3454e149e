"""Every service that reads people, for every role, in and out of the
user's areas, with a sensitive and an ordinary special group: what leaves
the service is what the role may see (rows present or absent, numbers
whole or masked, sensitive groups present or absent) — whatever the UI
asks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from gridadmin.models import Person, TagKind
from gridadmin.services.access.permissions import PermissionDeniedError
from gridadmin.services.access.users import authenticate, create_user
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.importing.export import export_kind
from gridadmin.services.register.household_list import HouseholdFilter, household_source
from gridadmin.services.register.households import HouseholdData, MemberData, find_household, load_household, \
    save_household
from gridadmin.services.register.dwellers import move_house
from gridadmin.services.register.house_list import HouseFilter, house_source
from gridadmin.services.register.houses import HouseData, find_houses, load_house, save_house
from gridadmin.services.register.life_events import resident_history
from gridadmin.services.register.resident_record import load_resident
from gridadmin.services.register.residents import ResidentFilter, resident_source
from gridadmin.services.register.special_groups import special_group_counts
from gridadmin.services.register.age_groups import AGE_KINDS
from gridadmin.services.register.tags import person_tags, set_person_tags
from gridadmin.services.reports.monthly_figures import monthly_figures
from gridadmin.services.roster import assignments, certificates
from gridadmin.services.roster.listing import RosterFilter, roster_source
from gridadmin.services.roster.staff import get_staff
from gridadmin.services.training import compliance as training_compliance
from gridadmin.services.training import sessions as training
from gridadmin.services.training.targets import find_staff
from tests import staffdata

PASSWORD = "wangge2026"
ROLES = ("admin", "clerk", "hr", "official")
FULL_NUMBERS = {"admin", "clerk", "hr"}
SENSITIVE = {"admin", "clerk"}
ON = date(2025, 3, 1)

RESIDENT = {"in": ("张三", make_id_number("411302", date(1970, 5, 6), 13), "13812345678"),
            "out": ("王芳", make_id_number("411302", date(1990, 8, 8), 26), "13987654321")}
STAFF = {"in": ("赵六", make_id_number("411302", date(1985, 3, 2), 123), "13812345678"),
         "out": ("钱七", make_id_number("411302", date(1986, 4, 3), 135), "13812345678")}


@dataclass
class World:
    actors: dict
    places: dict
    people: dict  # "in"/"out" → person id
    households: dict  # "in"/"out" → household id
    houses: dict  # "in"/"out" → house id (the resident lives there; the landlord's phone is theirs)
    staff: dict  # "in"/"out" → staff id
    session_id: int
    sensitive: tuple[int, str]
    ordinary: tuple[int, str]
    tmp: object


@dataclass
class Seen:
    """What a service gave about one person: None when absent."""

    numbers: tuple[str, ...] = ()
    tags: frozenset[str] | None = None  # None: the service shows no tags


@pytest.fixture
def world(township_db, tmp_path):
    db = township_db
    places = staffdata.grids(db)
    create_user(db, "admin", "王管理", PASSWORD, ["admin"])
    admin = db.as_actor(authenticate(db, "admin", PASSWORD))
    for role in ("clerk", "hr", "official"):
        create_user(admin, role, f"{role}用户", PASSWORD, [role], scope=[places["河街社区"]])
    actors = {role: db.as_actor(authenticate(db, role, PASSWORD)) for role in ROLES}
    households, people = {}, {}
    for where, grid, number in (("in", "第一网格", "4113020010010001"), ("out", "粮行网格", "4113020020010001")):
        name, id_number, phone = RESIDENT[where]
        households[where] = save_household(admin, None, HouseholdData(number, places[grid], compound="幸福小区",
                                                                     phone=phone),
                                           [MemberData(None, name, id_number, relation="02", phone=phone)],
                                           today=date(2025, 1, 1))
    with db.session() as s:
        people = {w: s.scalar(select(Person.id).where(Person.name == RESIDENT[w][0])) for w in RESIDENT}
        kinds = s.execute(select(TagKind.id, TagKind.name, TagKind.sensitive).where(
            TagKind.active.is_(True), TagKind.code.not_in(list(AGE_KINDS))).order_by(TagKind.sort_order)).all()
    houses = {}
    for where, grid in (("in", "第一网格"), ("out", "粮行网格")):
        houses[where] = save_house(admin, None, HouseData(places[grid], compound="幸福小区", room="101", purpose="出租",
                                                          landlord="房东", landlord_phone=RESIDENT[where][2]),
                                   today=date(2025, 1, 1))
        move_house(admin, people[where], houses[where], date(2025, 1, 1), today=ON)
    sensitive = next((k.id, k.name) for k in kinds if k.sensitive)
    ordinary = next((k.id, k.name) for k in kinds if not k.sensitive)
    for person_id in people.values():
        set_person_tags(admin, person_id, [sensitive[0], ordinary[0]], on=date(2025, 1, 2), today=ON)
    staff = {}
    for where, grid, seq in (("in", "第一网格", 123), ("out", "粮行网格", 135)):
        name, _id, _phone = STAFF[where]
        staff[where] = staffdata.add(admin, name, seq=seq, born=date(1985, 3, 2) if seq == 123 else date(1986, 4, 3))
        assignments.assign(admin, staff[where], places[grid], "fulltime", date(2024, 1, 1))
        certificates.add_certificate(admin, staff[where], certificates.CertificateInput(
            name="社工证", issued_on=date(2020, 1, 1), expires_on=date(2025, 3, 20)), today=ON)
    session_id = training.create_session(admin, training.SessionInput(
        name="消防培训", start_date=date(2025, 2, 1), end_date=date(2025, 2, 1), hours=4, category="06", form="1"))
    training.add_attendees(admin, session_id, list(staff.values()))
    return World(actors, places, people, households, houses, staff, session_id, sensitive, ordinary, tmp_path)


def _window(source, f):
    query = PageQuery(f)
    return source.window(query, 0, source.count(query))


def _tag_set(text: str) -> frozenset[str]:
    return frozenset(t for t in text.split("、") if t)


def _denied(call):
    try:
        return call()
    except PermissionDeniedError:
        return None


# --- residents: (world, role, where) → Seen | None ---------------------------------------

def residents_list(w, role, where):
    rows = _window(resident_source(w.actors[role]), ResidentFilter(search=RESIDENT[where][0], today=ON))
    row = next((r for r in rows if r.name == RESIDENT[where][0]), None)
    return row and Seen((row.id_number, row.phone), _tag_set(row.tags))


def residents_by_sensitive_group(w, role, where):
    rows = _window(resident_source(w.actors[role]), ResidentFilter(tag_kind_id=w.sensitive[0], today=ON))
    row = next((r for r in rows if r.name == RESIDENT[where][0]), None)
    # listed by the sensitive group: the membership itself shows
    return row and Seen((row.id_number, row.phone), _tag_set(row.tags) | {w.sensitive[1]})


def residents_by_area(w, role, where):
    grid = w.places["第一网格" if where == "in" else "粮行网格"]
    rows = _window(resident_source(w.actors[role]), ResidentFilter(area_id=grid, today=ON))
    row = next((r for r in rows if r.name == RESIDENT[where][0]), None)
    return row and Seen((row.id_number, row.phone), _tag_set(row.tags))


def resident_record(w, role, where):
    record = _denied(lambda: load_resident(w.actors[role], w.people[where]))
    if record is None:
        return None
    tags = _denied(lambda: person_tags(w.actors[role], w.people[where], ON))
    return Seen((record.data.id_number, record.data.phone), frozenset(t.name for t in tags))


def resident_timeline(w, role, where):
    entries = _denied(lambda: resident_history(w.actors[role], w.people[where]))
    if entries is None:
        return None
    return Seen((), frozenset(e.detail.split("：", 1)[1] for e in entries if e.kind == "人群类别"))


def households_list(w, role, where):
    rows = _window(household_source(w.actors[role]), HouseholdFilter())
    row = next((r for r in rows if r.head == RESIDENT[where][0]), None)
    return row and Seen((row.phone,))


def household_card(w, role, where):
    card = _denied(lambda: load_household(w.actors[role], w.households[where]))
    if card is None:
        return None
    member = card.members[0]
    return Seen((member.id_number, member.phone, card.data.phone))


def household_lookup(w, role, where):
    number = "4113020010010001" if where == "in" else "4113020020010001"
    return Seen() if find_household(w.actors[role], number) else None


def special_group_count(w, role, where):
    counts = special_group_counts(w.actors[role], ON, today=ON)
    community = w.places["河街社区" if where == "in" else "粮行社区"]
    if community not in {c.id for c in counts.communities}:
        return None
    tags = frozenset(r.name.removesuffix("（敏感）") for r in counts.rows
                     if r.tag_kind_id is not None and r.count(community))
    return Seen((), tags) if any(r.count(community) for r in counts.rows) else None


def _export_rows(w, role, kind, **kw):
    path = w.tmp / f"{kind}-{role}.xlsx"
    export_kind(w.actors[role], kind, path, **kw)
    sheet = openpyxl.load_workbook(path).active
    rows = [[c or "" for c in r] for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if any(str(c).startswith("姓名") or c == "户主姓名" for c in r))
    return rows[header], rows[header + 1:]


def _numbers_of(header, row):
    return tuple(str(v) for h, v in zip(header, row) if "身份号码" in str(h) or "电话" in str(h))


def residents_export(w, role, where):
    header, rows = _export_rows(w, role, "residents", full_numbers=True and role in FULL_NUMBERS)
    row = next((r for r in rows if RESIDENT[where][0] in r), None)
    return row and Seen(_numbers_of(header, row))


def households_export(w, role, where):
    header, rows = _export_rows(w, role, "households", full_numbers=role in FULL_NUMBERS)
    row = next((r for r in rows if RESIDENT[where][0] in r), None)
    return row and Seen(_numbers_of(header, row))


def house_card(w, role, where):
    card = _denied(lambda: load_house(w.actors[role], w.houses[where]))
    if card is None:
        return None
    occupant = card.occupants[0]
    return Seen((card.data.landlord_phone, occupant.id_number, occupant.phone))


def house_list(w, role, where):
    rows = _window(house_source(w.actors[role]), HouseFilter())
    row = next((r for r in rows if r.id == w.houses[where]), None)
    return row and Seen((row.landlord_phone,))


def house_search(w, role, where):
    picks = find_houses(w.actors[role], "幸福小区")
    return Seen() if any(p.id == w.houses[where] for p in picks) else None


# --- staff -------------------------------------------------------------------------------

def roster_list(w, role, where):
    rows = _window(roster_source(w.actors[role]), RosterFilter(statuses=(), today=ON))
    row = next((r for r in rows if r.name == STAFF[where][0]), None)
    return row and Seen((row.id_number, row.phone))


def staff_record(w, role, where):
    record = _denied(lambda: get_staff(w.actors[role], w.staff[where]))
    return record and Seen((record.data.id_number, record.data.phone))


def staff_search(w, role, where):
    picks = find_staff(w.actors[role], STAFF[where][0], on=ON, full_numbers=True)  # asks for whole numbers
    pick = next((p for p in picks if p.name == STAFF[where][0]), None)
    return pick and Seen((pick.phone,))


def attendance_list(w, role, where):
    rows = training.session_attendance(w.actors[role], w.session_id)
    row = next((r for r in rows if r.name == STAFF[where][0]), None)
    return row and Seen((row.phone,))


def staff_export(w, role, where):
    header, rows = _export_rows(w, role, "staff", full_numbers=role in FULL_NUMBERS)
    row = next((r for r in rows if STAFF[where][0] in r), None)
    return row and Seen(_numbers_of(header, row))


def attendance_export(w, role, where):
    header, rows = _export_rows(w, role, "attendance", full_numbers=role in FULL_NUMBERS,
                                session=str(w.session_id))
    row = next((r for r in rows if STAFF[where][0] in r), None)
    return row and Seen(_numbers_of(header, row))


def compliance_list(w, role, where):
    rows = training_compliance.compliance(w.actors[role], 2025, today=ON)
    return Seen() if any(r.name == STAFF[where][0] for r in rows) else None


def expiring_certificates(w, role, where):
    rows = certificates.expiring_certificates(w.actors[role], today=ON)
    return Seen() if any(r.staff_name == STAFF[where][0] for r in rows) else None


def staff_assignments(w, role, where):
    return _denied(lambda: assignments.staff_timeline(w.actors[role], w.staff[where], today=ON)) and Seen()


def staff_certificates(w, role, where):
    return _denied(lambda: certificates.list_certificates(w.actors[role], w.staff[where])) and Seen()


def staff_training_history(w, role, where):
    return _denied(lambda: training_compliance.staff_history(w.actors[role], w.staff[where])) and Seen()


RESIDENT_READS = [residents_list, residents_by_sensitive_group, residents_by_area, resident_record,
                  resident_timeline, households_list, household_card, household_lookup, special_group_count,
                  residents_export, households_export, house_card, house_search,
                  house_list]
STAFF_READS = [roster_list, staff_record, staff_search, attendance_list, staff_export, attendance_export,
               compliance_list, expiring_certificates, staff_assignments, staff_certificates, staff_training_history]


def _check(seen: Seen | None, role: str, where: str, truth: tuple[str, str, str], w: World, *,
           sensitive_listing: bool = False) -> None:
    visible = role == "admin" or where == "in"
    if sensitive_listing:
        visible = visible and role in SENSITIVE
    assert (seen is not None) == visible, f"{role} {where}: present={seen is not None}"
    if seen is None:
        return
    _name, id_number, phone = truth
    for value in seen.numbers:
        if not value:
            continue
        if role in FULL_NUMBERS:
            assert value in (id_number, phone), value
        else:
            assert "*" in value and value not in (id_number, phone), value
    if seen.tags is not None and seen.tags:
        assert (w.sensitive[1] in seen.tags) == (role in SENSITIVE), seen.tags
        assert w.ordinary[1] in seen.tags


@pytest.mark.parametrize("where", ["in", "out"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("read", RESIDENT_READS, ids=lambda f: f.__name__)
def test_resident_reads(world, read, role, where):
    seen = read(world, role, where)
    _check(seen, role, where, RESIDENT[where], world, sensitive_listing=read is residents_by_sensitive_group)
    if seen is not None and read in (residents_list, resident_record, residents_by_area, resident_timeline,
                                     special_group_count):
        assert seen.tags, "the ordinary group is always shown"


@pytest.mark.parametrize("where", ["in", "out"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("read", STAFF_READS, ids=lambda f: f.__name__)
def test_staff_reads(world, read, role, where):
    _check(read(world, role, where), role, where, STAFF[where], world)


@pytest.mark.parametrize("role", ROLES)
def test_asking_for_full_numbers_gives_them_only_to_roles_that_may(world, role):
    """The list's 显示完整号码 is a request: the rows already carry what the
    role may see, and an export asking for whole numbers is refused."""
    rows = _window(resident_source(world.actors[role]), ResidentFilter(search="张三", today=ON))
    assert (rows[0].id_number == RESIDENT["in"][1]) == (role in FULL_NUMBERS)
    path = world.tmp / "asked.xlsx"
    if role in FULL_NUMBERS:
        assert export_kind(world.actors[role], "residents", path, full_numbers=True) >= 1
    else:
        with pytest.raises(PermissionDeniedError):
            export_kind(world.actors[role], "residents", path, full_numbers=True)


@pytest.mark.parametrize("role", ROLES)
def test_monthly_report_only_for_the_users_areas(world, role):
    actor = world.actors[role]
    if role == "admin":
        assert monthly_figures(actor, 2025, 2) is not None
        return
    with pytest.raises(PermissionDeniedError, match="只负责部分区域"):
        monthly_figures(actor, 2025, 2)
    with pytest.raises(PermissionDeniedError):
        monthly_figures(actor, 2025, 2, world.places["粮行社区"])
    figures = monthly_figures(actor, 2025, 2, world.places["河街社区"])
    assert figures is not None


def test_group_export_and_reminders_follow_the_actor(world):
    """The ``groups`` export and the 待办提醒: only the actor's areas, only
    the kinds they may see, numbers masked as for every export; register
    reminders for who edits the register, certificate ones for who edits
    staff."""
    from sqlalchemy import update

    from gridadmin.models import PersonTag
    from gridadmin.services.register.reminders import due_reminders

    with world.actors["admin"].session() as s:
        s.execute(update(PersonTag).where(PersonTag.tag_kind_id == world.sensitive[0]).values(due_end=date(2025, 2, 1)))
        s.execute(update(Person).values(residence_permit_expires=date(2025, 3, 15)))
    for role in ROLES:
        header, rows = _export_rows(world, role, "groups", full_numbers=role in FULL_NUMBERS)
        for where in ("in", "out"):
            mine = [dict(zip(header, r)) for r in rows if RESIDENT[where][0] in r]
            seen = Seen((mine[0]["公民身份号码"],), frozenset(r["人群类别"] for r in mine)) if mine else None
            _check(seen, role, where, RESIDENT[where], world)
        reminders = {(r.kind, r.subject) for r in due_reminders(world.actors[role], ON)}
        names = {where: RESIDENT[where][0] for where in RESIDENT}
        staff = {where: STAFF[where][0] for where in STAFF}
        register_seen = {"admin": ("in", "out"), "clerk": ("in",)}.get(role, ())
        staff_seen = {"admin": ("in", "out"), "hr": ("in",)}.get(role, ())
        expected = ({("group_end", names[w]) for w in register_seen} | {("permit", names[w]) for w in register_seen}
                    | {("certificate", staff[w]) for w in staff_seen})
        assert reminders == expected, role
