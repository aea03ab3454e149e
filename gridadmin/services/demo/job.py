"""The demo job: ``generate_demo`` drives the parts in order inside one
transaction and reports progress; ``create_demo_database`` runs it to the end."""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gridadmin.db import Database, open_database
from gridadmin.models import Area, Attendance, Household, Person, PersonEvent, PersonTag, Staff, TagKind, \
    TrainingSession
from gridadmin.models.area import LEVEL_GRID, LEVEL_MICROGRID
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.models.staff import STATUS_ON_POST
from gridadmin.services.register import tallies
from gridadmin.services.demo.areas import Town, build_towns, make_grids
from gridadmin.services.demo.context import Context
from gridadmin.services.demo.plan import SPECIAL, plan_demo
from gridadmin.services.demo.register import Register
from gridadmin.services.demo.sizes import DEMO_SIZES, DemoSize, DemoSummary
from gridadmin.services.demo.staff import StaffBuilder
from gridadmin.services.demo.staff_history import rehire_and_leave, write_staff
from gridadmin.services.demo.training import add_training
from gridadmin.services.demo.writer import Writer, one_transaction
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.progress import Job, Progress, run_to_end
from gridadmin.services.areas.setup import init_township

_FLUSH_PERSONS = 25_000


def generate_demo(db: Database, size: str = "small", seed: int = 1, today: date | None = None) -> Job[DemoSummary]:
    """Fill an empty database with demo data of ``size`` (a key of
    :data:`DEMO_SIZES`). Progress job: yields ``Progress``, returns
    ``DemoSummary``. Raises ``ValidationError`` for an unknown size or a
    database that already holds areas (before writing anything). All writes
    are one transaction: closing the job early leaves the database as it
    was. The same size, seed and ``today`` give the same data."""
    spec = DEMO_SIZES.get(size)
    if spec is None:
        raise ValidationError(f"演示数据规模“{size}”无效，可选：{'、'.join(DEMO_SIZES)}。",
                              field="size", value=size)
    started = time.perf_counter()
    with one_transaction(db) as (conn, session):
        if session.scalar(select(func.count()).select_from(Area)):
            raise ValidationError("该数据库中已有区域数据，演示数据只能生成到空数据库中。",
                                  field="db", value=db.display_location)
        summary = yield from _run(db, conn, session, spec, seed, today or date.today())
    tallies.fold_committed(db)
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary


def create_demo_database(url_or_path: str, size: str = "small", seed: int = 1, *,
                         today: date | None = None, on_progress=None) -> DemoSummary:
    """Open (create/upgrade) the database and generate demo data into it."""
    db = open_database(url_or_path)
    try:
        return run_to_end(generate_demo(db, size, seed, today), on_progress)
    finally:
        db.dispose()


def _run(db: Database, conn, session: Session, spec: DemoSize, seed: int, today: date):
    writer = Writer(session)
    ctx = Context(spec, seed, today, writer)
    yield Progress(0, 1, "正在建立乡镇和社区…")
    proxy = Database(db.url, db.engine, sessionmaker(bind=conn, expire_on_commit=False))
    init_township(proxy, spec.townships[0], with_communities=not spec.sample_communities)
    writer.start_ids()
    tag_ids = dict(session.execute(select(TagKind.code, TagKind.id)).all())
    plans = plan_demo(spec, ctx.rng)
    towns = build_towns(ctx, session, plans)
    planned = sum(c.residents for t in plans for c in t.communities)
    ctx.progress_total = planned + planned // 8 + 10
    yield Progress(0, ctx.progress_total, "正在划分网格…")

    register = Register(ctx, tag_ids)
    for comm in (c for t in towns for c in t.communities):
        make_grids(ctx, comm)
        for grid, plan in zip(comm.grids, comm.plan.grids):
            if plan.kind == SPECIAL:
                continue
            register.fill_grid(grid, plan)
            if writer.pending("person") >= _FLUSH_PERSONS:
                writer.flush()
            step = ctx.maybe_progress(f"正在生成住户和人口…（已生成 {register.resident_count:,} 人）")
            if step is not None:
                yield step
        if spec.sample_communities:
            yield ctx.step(f"正在生成住户和人口…（{comm.name}）")
    writer.flush()
    yield ctx.step("正在生成网格力量…")
    builder = StaffBuilder(ctx)
    builder.build(towns)
    rehire_and_leave(builder, towns)
    write_staff(ctx, builder.staff)
    ctx.progress_done += planned // 16
    yield ctx.step("正在生成培训记录…")
    add_training(ctx, towns, builder.staff)
    ctx.progress_done += planned // 16
    yield ctx.step("正在写入数据库…")
    writer.flush()
    writer.fix_sequences()
    summary = _count(session, spec, seed, towns)
    yield Progress(ctx.progress_total, ctx.progress_total, "演示数据已生成")
    return summary


def _count(s: Session, spec: DemoSize, seed: int, towns: list[Town]) -> DemoSummary:
    def count(model, *where) -> int:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return DemoSummary(
        size=spec.key, seed=seed, townships=len(towns), township_names=[t.name for t in towns],
        communities=sum(len(t.communities) for t in towns),
        grids=count(Area, Area.level == LEVEL_GRID),
        microgrids=count(Area, Area.level == LEVEL_MICROGRID),
        households=count(Household, Household.dissolved_on.is_(None)),
        household_rows=count(Household),
        residents=count(Person, Person.status == PERSON_ACTIVE),
        person_rows=count(Person),
        person_events=count(PersonEvent),
        person_tags=count(PersonTag),
        staff=count(Staff),
        staff_on_post=count(Staff, Staff.status == STATUS_ON_POST),
        sessions=count(TrainingSession),
        attendances=count(Attendance),
    )
