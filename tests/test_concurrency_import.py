"""Two imports of the same file at once, from two connections (SQLite file
or PostgreSQL): the second waits for the first and then finds everyone
already registered (exactly one set of residents results), or — when it
may not wait that long — is refused with who is importing since when."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from gridadmin.models import Area, Household, Person, RunningImport
from gridadmin.services.access.permissions import Actor
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.common.errors import ConflictError
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job
from tests.concurrency import held_at, in_thread, second_clerk, wait_reached
from tests.test_import_support import person, write_workbook

TODAY = date(2025, 6, 1)
WANG = Actor(None, "wangfang", "王芳", frozenset({"admin"}))
LI = Actor(None, "lilei", "李雷", frozenset({"admin"}))
SURNAMES = "赵钱孙李周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何"
GIVEN = "伟敏静丽强磊军洋勇艳杰涛明超霞平刚英华玉兰萍鹏辉建国红梅琳博"


@pytest.fixture
def two_importers(township_db, tmp_path):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    rows = []
    for h in range(30):
        no = f"H{h:03d}"
        surname, given = SURNAMES[h % len(SURNAMES)], GIVEN[h % len(GIVEN)]
        rows.append(person(no, "户主", surname + given, date(1960 + h % 30, 1, 2), 2 * h + 1))
        rows.append(person(no, "妻", "王" + given + "芳", date(1962 + h % 30, 3, 4), 2 * h + 100))
        rows.append(person(no, "子", surname + "小" + given, date(2000 + h % 20, 5, 6), 2 * h + 301))
    path = write_workbook(tmp_path / "河街社区.xlsx", rows)
    first = township_db.as_actor(WANG)
    second = second_clerk(township_db).as_actor(LI)
    yield first, second, path, len(rows)
    second.dispose()


def _counts(db):
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(Person)),
                s.scalar(select(func.count(func.distinct(Person.id_number))).select_from(Person)),
                s.scalar(select(func.count()).select_from(Household)),
                s.scalar(select(func.count()).select_from(RunningImport)))


def _drive(job, messages):
    """Run a job to its end, keeping its progress messages."""
    try:
        while True:
            messages.append(next(job).message)
    except StopIteration as done:
        return done.value


def test_a_second_import_of_the_same_file_waits_then_updates_nothing_twice(two_importers):
    first, second, path, rows = two_importers
    messages: list[str] = []
    with held_at(first, "INSERT INTO import_batch ") as go:
        early = in_thread(lambda: run_to_end(import_job(first, path, "residents", today=TODAY)))
        wait_reached(go, early)  # the first has planned every row as new and is writing
        late = in_thread(lambda: _drive(import_job(second, path, "residents", today=TODAY, lock_wait=60), messages))
        for _ in range(600):  # the second says whom it waits for
            if any("王芳" in m for m in messages) or late.done.is_set():
                break
            late.done.wait(0.05)
        assert any(m.startswith("正在等待：王芳 自 ") and "正在导入人口数据（河街社区.xlsx）" in m for m in messages), messages
        assert not late.done.is_set()
        go()
        assert early.result().to_dict()["inserted"] == rows
        result = late.result().to_dict()
    assert (result["inserted"], result["updated"]) == (0, 0)
    assert result["unchanged"] == rows
    assert _counts(first) == (rows, rows, 30, 0)


def test_a_second_import_that_may_not_wait_is_refused_naming_who_imports(two_importers):
    first, second, path, rows = two_importers
    with held_at(first, "INSERT INTO import_batch ") as go:
        early = in_thread(lambda: run_to_end(import_job(first, path, "residents", today=TODAY)))
        wait_reached(go, early)
        with pytest.raises(ConflictError) as refused:
            run_to_end(import_job(second, path, "residents", today=TODAY, lock_wait=0.5))
        go()
        early.result()
    message = refused.value.message
    assert message.startswith("王芳 自 ") and "起正在导入人口数据（河街社区.xlsx），请等其完成后再导入。" in message
    assert _counts(first) == (rows, rows, 30, 0)


def test_imports_one_after_the_other_and_a_dry_run_take_no_lock_from_each_other(two_importers):
    first, second, path, rows = two_importers
    with held_at(first, "INSERT INTO import_batch ") as go:
        early = in_thread(lambda: run_to_end(import_job(first, path, "residents", today=TODAY)))
        wait_reached(go, early)
        preview = run_to_end(import_job(second, path, "residents", today=TODAY, dry_run=True, lock_wait=0))
        assert preview.to_dict()["inserted"] == rows and not preview.committed
        go()
        early.result()
    again = run_to_end(import_job(second, path, "residents", today=TODAY, lock_wait=0))
    assert again.to_dict()["unchanged"] == rows
    assert _counts(first) == (rows, rows, 30, 0)


def test_a_clerk_registering_someone_of_the_file_during_the_import_ends_in_one_record(two_importers):
    from gridadmin.services.common.errors import IdentityConflict
    from gridadmin.services.common.idcard import mask_id_number
    from gridadmin.services.register.households import HouseholdData, MemberData, save_household
    from tests.test_import_support import pid

    first, clerk, path, rows = two_importers
    number = pid(date(1960, 1, 2), 1)  # the first head of the file
    with first.session() as s:
        area = s.scalar(select(Area.id).where(Area.level == "community").order_by(Area.id))
    with held_at(first, "INSERT INTO import_batch ") as go_import, held_at(clerk, "INSERT INTO household ") as go_clerk:
        importing = in_thread(lambda: run_to_end(import_job(first, path, "residents", today=TODAY)))
        wait_reached(go_import, importing)  # planned under the lock: that head is new
        registering = in_thread(lambda: save_household(clerk, None, HouseholdData("Z001", area),
                                                       [MemberData(None, "赵伟", number, relation="02")], today=TODAY))
        wait_reached(go_clerk, registering)  # the clerk has checked the number too
        go_clerk()
        registering.done.wait(2)  # PostgreSQL: the clerk commits; SQLite: waits for the import's write lock
        go_import()
        outcomes = []
        for job in (importing, registering):
            try:
                outcomes.append(job.result())
            except IdentityConflict as exc:
                outcomes.append(exc)
    refused = [o for o in outcomes if isinstance(o, IdentityConflict)]
    assert len(refused) == 1
    assert refused[0].message.startswith(f"公民身份号码 {mask_id_number(number)} 已登记为在册人员 ")
    with first.session() as s:
        assert s.scalar(select(func.count()).select_from(Person).where(Person.id_number == number)) == 1
        assert s.scalar(select(func.count()).select_from(Person)) in (rows, 1)
