"""The ``staff`` kind: a roster (花名册) with one row per person.

Contract:
- cells are read with the shared value parsers (names, dates, phones, code
  lists, the ID service), then every row goes through
  ``services.staff.validate_staff`` — the same rules as the staff form —
  with the person's stored values under the cells the file leaves blank or
  does not have;
- people are matched by ID number (a serving record first); the same ID
  twice in the file is an error on both rows, naming each other;
- a new person needs a grid (code, or name qualified by 社区/村) and gets a
  running assignment there from the hire date in the row's 网格岗位 (or
  专职/兼职网格员 from 专兼职), through the assignments service's rules;
- an update changes the staff fields only; a grid or 网格岗位 other than
  the person's running posts (a departed person's last post) is a warning
  on that column (transfers and role changes are made on the roster page);
  a status change to 离职/卸任 ends the running assignments as the form
  does (a 离职时间 before one of their starts is a row error);
- 再次入职: a 离职/卸任 person's row with 在岗/休假 and a new 入职时间 later
  than the stored 离职时间 (the row's 离职时间 blank) brings the status back,
  clears 离职时间 and starts an assignment in the row's grid, as for a new
  person;
- dates: 入职时间 before the birth date or under 18 at hire is refused, over
  70 at a new hire is a warning; a 离职时间 after today is refused; a changed
  入职时间 later than the start of an assignment of the current employment
  is refused;
- 1+3+N: a row that would start a 网格长 assignment in a grid that has a
  serving one (or that another row also names) is an error on 网格岗位;
- every rule the commit applies is checked here, so a clean dry run commits;
- every created or changed record gets an audit row linked to the batch
  (ended assignments too), so the batch can be undone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import Staff, StaffAssignment, StaffStatusEvent
from gridadmin.models.staff import EMPLOYMENT_FULL, ROLE_FULLTIME, ROLE_LEADER, ROLE_PARTTIME
from gridadmin.services.roster.assignments import assign_in_session
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.errors import ConflictError, ValidationError
from gridadmin.services.common.idcard import check_id_number
from gridadmin.services.importing.areaindex import AreaIndex
from gridadmin.services.importing.headers import Table
from gridadmin.services.importing.mapping import FieldSpec, KindSpec
from gridadmin.services.importing.plan import (
    ERROR, MODE_UPDATE, NEW, SKIP, UPDATE, ImportPlan, RowIssue, RowPlan, RowReader, label_existing,
    batch_audit, mark_duplicates, shown,
)
from gridadmin.services.importing.residents import month_only_column
from gridadmin.services.importing.values import (
    CellError, code_text_value, code_value, date_value, is_blank, name_value, phone_value, text_value,
)
from gridadmin.services.common.pinyin import name_pinyin
from gridadmin.services.roster.listing import SERVING, age_on
from gridadmin.services.roster.staff import StaffInput, record_status_change, validate_staff

F = FieldSpec
STAFF = KindSpec("staff", "网格员花名册", (
    F("seq", "序号", ("编号",)),
    F("community", "社区/村", ("社区", "村", "所属社区", "社区名称", "所属社区村", "村社区", "社区村", "村名"),
      fill_down=True),
    F("grid", "所属网格", ("网格", "网格名称", "网格名", "所在网格"), fill_down=True),
    F("grid_code", "网格编码", ("网格代码", "网格编号"), fill_down=True, max_length=24),
    F("name", "姓名", ("名字", "人员姓名", "网格员姓名"), required=True, max_length=50),
    F("id_number", "身份证号码", ("身份证号", "公民身份号码", "证件号码", "身份证", "公民身份证号码", "证件号"),
      required=True, max_length=40),
    F("gender", "性别"),
    F("birth_date", "出生年月", ("出生日期", "出生年月日", "生日")),
    F("ethnicity", "民族"),
    F("phone", "联系电话", ("电话", "手机", "手机号", "手机号码", "联系方式"), max_length=40),
    F("employment_type", "专兼职", ("专职/兼职", "专兼职情况", "用工性质", "人员性质"), required=True),
    F("political_status", "政治面貌", ("政治身份",), required=True),
    F("education", "文化程度", ("学历", "最高学历"), required=True),
    F("role", "网格岗位", ("网格职务", "岗位类别", "网格角色", "任职岗位")),
    F("position", "职务/岗位", ("职务", "岗位", "职务岗位"), max_length=50),
    F("hired_on", "入职(登记)时间", ("入职时间", "入职日期", "登记时间", "入职登记时间", "聘用时间"), required=True),
    F("left_on", "离职时间", ("离职日期",)),
    F("status", "状态", ("在岗状态", "人员状态")),
    F("contract_type", "合同类型", ("合同形式", "用工形式"), max_length=20),
    F("social_work_cert", "社工证", ("社会工作者职业资格", "社工资格", "社会工作者证书"), max_length=30),
    F("skill_level", "技能等级", ("网格员技能等级", "职业技能等级")),
    F("note", "备注", ("说明",), max_length=500),
))
CODE_COLUMNS = {"gender": ("gender", "性别"), "ethnicity": ("ethnicity", "民族"),
                "political_status": ("political", "政治面貌"), "education": ("education", "文化程度"),
                "skill_level": ("skill_level", "技能等级"), "role": ("staff_role", "网格岗位")}
TEXT_COLUMNS = ("employment_type", "status", "position", "contract_type", "social_work_cert", "note")
INPUT_FIELDS = tuple(f.name for f in fields(StaffInput))
TEXT_INPUTS = ("name", "id_number", "phone", "position", "contract_type", "social_work_cert", "note")
LIST_OF = {"gender": "gender", "ethnicity": "ethnicity", "political_status": "political", "education": "education",
           "skill_level": "skill_level"}
FIELD_OF_LIST = {"political": "political_status"}  # validate_staff names code errors by list
_GENDER = {"男": "1", "女": "2"}
CHUNK = 500
# Age at hire: under 18 is refused; above 70 for a new hire is worth a look.
MIN_HIRE_AGE, MAX_HIRE_AGE = 18, 70


def _parse(reader: RowReader, book: CodeBook, areas: AreaIndex, allow_month: bool, today: date) -> dict:
    columns = reader.table.mapping.columns
    rec = {"name": reader.get("name", name_value, required=True, label="姓名")}
    raw_id = reader.raw("id_number")
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        if not reader._has_problem("id_number"):
            reader.error("id_number", raw_id, "身份证号码不能为空")
    else:
        check = check_id_number(raw_id, today=today)
        if not check.valid:
            reader.error("id_number", raw_id, check.error)
        else:
            rec["id_number"] = check.normalized
            for warning in check.warnings:
                reader.warn("id_number", raw_id, warning)
    for key, (list_key, what) in CODE_COLUMNS.items():
        if key in columns:
            rec[key] = reader.cached(key, partial(code_value, book, list_key, what=what))
    birth = reader.get("birth_date", date_value, allow_month=allow_month)
    if "id_number" in rec:
        check = check_id_number(rec["id_number"], today=today)
        if birth is not None:
            value, month_only = birth
            same = (value.year, value.month) == (check.birth_date.year, check.birth_date.month) if month_only \
                else value == check.birth_date
            if not same:
                reader.error("birth_date", reader.raw("birth_date"),
                             f"出生日期与身份证号码中的 {check.birth_date.isoformat()} 不符")
        if rec.get("gender") and rec["gender"] != _GENDER[check.gender]:
            reader.error("gender", reader.raw("gender"), f"性别与身份证号码不符（号码显示为{check.gender}）")
        rec["birth_date"], rec["gender"] = check.birth_date, _GENDER[check.gender]
    rec["phone"] = reader.get("phone", phone_value)
    for key in ("hired_on", "left_on"):
        parsed = reader.get(key, date_value)
        rec[key] = parsed[0] if parsed else None
    for key in TEXT_COLUMNS:
        if key in columns:
            rec[key] = reader.get(key, text_value, STAFF.field(key).max_length)
    code = reader.get("grid_code", code_text_value, 24, "网格编码")
    name, community = (reader.get(k, text_value, 100) for k in ("grid", "community"))
    rec["area_id"] = None
    if code or name:
        key = "grid_code" if code else "grid"
        try:
            rec["area_id"], rec["area_refusal"] = _find_grid(areas, code, name, community)
        except CellError as exc:
            reader.error(key, code or name, exc.message)
        rec["grid_cell"] = (key, code or name)
    return rec


def _find_grid(areas: AreaIndex, code, name, community) -> tuple[int, str | None]:
    """The grid a row names and, for a grid that is no longer active, the
    refusal a new assignment there gets (a departed person's last grid may
    be inactive and is still named by the export). Raises ``CellError``."""
    try:
        return areas.find_grid(code, name, community), None
    except CellError as exc:
        refused = exc
    try:
        area_id = areas.find_grid(code, name, community, active_only=False)
    except CellError:
        raise refused from None
    return area_id, refused.message


def _stored(row) -> StaffInput:
    values = {k: getattr(row, k) for k in INPUT_FIELDS}
    values.update({k: values[k] or "" for k in TEXT_INPUTS})
    return StaffInput(**values)


def _load_existing(session: Session, id_numbers: set[str]) -> dict:
    """ID number → the stored staff row (a serving one first, else the newest)."""
    found: dict = {}
    keys = sorted(id_numbers)
    for start in range(0, len(keys), CHUNK):
        query = (select(Staff.id, Staff.version, *(getattr(Staff, k) for k in INPUT_FIELDS))
                 .where(Staff.id_number.in_(keys[start:start + CHUNK])).order_by(Staff.id))
        for row in session.execute(query):
            old = found.get(row.id_number)
            if old is None or old.status not in ("在岗", "休假"):
                found[row.id_number] = row
    return found


def plan_staff(session: Session, table: Table, mode: str, today: date) -> tuple[list[RowPlan], dict]:
    book = CodeBook.load(session)
    areas = AreaIndex.load(session)
    mapping = table.mapping
    allow_month = "birth_date" in mapping.columns and month_only_column(mapping.header_of("birth_date"))
    rows, cache = [], {}
    for excel_row, cells in table.rows:
        row = RowPlan(excel_row, cells)
        row.record = _parse(RowReader(table, row, cache), book, areas, allow_month, today)
        rows.append(row)
    mark_duplicates(rows, lambda r: r.record.get("id_number"), mapping.header_of("id_number"), "身份证号码")
    existing = _load_existing(session, {r.record["id_number"] for r in rows if r.record.get("id_number")})
    posts = _assignments(session, [s.id for s in existing.values()])
    ctx = _Ctx(session, book, areas, table, mode, today, posts)
    for row in rows:
        if not row.errors:
            _plan_row(ctx, row, existing.get(row.record["id_number"]))
        if row.errors:
            row.status = ERROR
    _check_leaders(session, ctx, rows)
    versions = {s.id: s.version for s in existing.values()}
    return rows, {"versions": versions}


@dataclass(frozen=True)
class _Post:
    """One stored assignment of a matched person."""

    id: int
    area_id: int
    role: str
    start_date: date
    end_date: date | None


@dataclass
class _Ctx:
    session: Session
    book: CodeBook
    areas: AreaIndex
    table: Table
    mode: str
    today: date
    posts: dict[int, list[_Post]]

    def header(self, key: str) -> str:
        return self.table.mapping.header_of(key) if key in self.table.mapping.columns else ""

    def issue(self, row: RowPlan, key: str, value, message: str, *, warning: bool = False) -> None:
        """A message on ``key``'s column showing the cell as typed (or
        ``value`` when the file has no such column)."""
        index = self.table.mapping.columns.get(key)
        shown_value = shown(row.cells[index]) if index is not None and not is_blank(row.cells[index]) else shown(value)
        (row.warnings if warning else row.errors).append(RowIssue(row.row, self.header(key), shown_value, message))

    def grid_name(self, area_id: int) -> str:
        """"建设东路社区·第一网格" (the area's full name)."""
        return self.areas.full_name(area_id) if area_id in self.areas.areas else str(area_id)

    def role_label(self, role: str) -> str:
        return self.book.label("staff_role", role) or role


def _assignments(session: Session, staff_ids: list[int]) -> dict[int, list[_Post]]:
    found: dict[int, list[_Post]] = {}
    for start in range(0, len(staff_ids), CHUNK):
        for a in session.execute(
                select(StaffAssignment.id, StaffAssignment.staff_id, StaffAssignment.area_id, StaffAssignment.role,
                       StaffAssignment.start_date, StaffAssignment.end_date)
                .where(StaffAssignment.staff_id.in_(staff_ids[start:start + CHUNK]))
                .order_by(StaffAssignment.id)):
            found.setdefault(a.staff_id, []).append(_Post(a.id, a.area_id, a.role, a.start_date, a.end_date))
    return found


def last_post(posts: list[_Post]):
    """The post a departed person's row names (the export writes it too):
    the assignment that ended last."""
    ended = [p for p in posts if p.end_date is not None]
    return max(ended, key=lambda p: (p.end_date, p.start_date, p.id), default=None)


def _check_hire(ctx: _Ctx, row: RowPlan, clean: StaffInput, new_hire: bool) -> None:
    """Hire date against the birth date (from the ID number)."""
    hired, birth = clean.hired_on, clean.birth_date
    if hired is None or birth is None:
        return
    if hired < birth:
        ctx.issue(row, "hired_on", hired, f"入职时间 {hired.isoformat()} 早于出生日期 {birth.isoformat()}")
        return
    age = age_on(birth, hired)
    if age < MIN_HIRE_AGE:
        ctx.issue(row, "hired_on", hired, f"入职时 {age} 岁（出生于 {birth.isoformat()}），未满 {MIN_HIRE_AGE} 周岁")
    elif new_hire and age > MAX_HIRE_AGE:
        ctx.issue(row, "hired_on", hired, f"入职时已 {age} 岁（出生于 {birth.isoformat()}），请核对入职时间和身份证号码",
                  warning=True)


def _plan_row(ctx: _Ctx, row: RowPlan, found) -> None:
    rec, today = row.record, ctx.today
    overlay = {k: rec[k] for k in INPUT_FIELDS if rec.get(k) is not None}
    rehire = (found is not None and found.status not in SERVING and overlay.get("status") in SERVING)
    if rehire and rec.get("left_on") is None:
        overlay["left_on"] = None  # 再次入职: the stored 离职时间 is cleared, as on the staff form
    data = replace(_stored(found) if found is not None else StaffInput(), **overlay)
    try:
        clean = validate_staff(ctx.session, ctx.book, data, staff_id=found.id if found is not None else None,
                               today=today)
    except ValidationError as exc:
        key = FIELD_OF_LIST.get(exc.field, exc.field)
        ctx.issue(row, key, exc.value, exc.message.rstrip("。"))
        return
    rec["clean"] = clean
    if clean.left_on is not None and clean.left_on > today:
        ctx.issue(row, "left_on", clean.left_on, f"离职时间 {clean.left_on.isoformat()} 晚于今天；离职请在离职后办理")
    if found is None:
        if ctx.mode == MODE_UPDATE:
            row.status = SKIP
            row.warnings.append(RowIssue(row.row, "", "", "数据库中没有此人，“仅更新”模式不新增"))
            return
        _check_hire(ctx, row, clean, True)
        if row.errors:
            return
        if not _plan_post(ctx, row, clean, "新登记的人员"):
            return
        row.status = NEW
        return
    row.target_id = found.id
    posts = ctx.posts.get(found.id, [])
    if rehire:
        _plan_rehire(ctx, row, found, clean)
    else:
        if clean.hired_on != found.hired_on:
            _check_hire(ctx, row, clean, False)
            _check_hire_against_posts(ctx, row, found, clean, posts)
        if found.status in SERVING and clean.status not in SERVING:
            day = clean.left_on or today
            for post in posts:
                if post.end_date is None and post.start_date > day:
                    ctx.issue(row, "left_on", day,
                              f"离职时间 {day.isoformat()} 早于在“{ctx.grid_name(post.area_id)}”任"
                              f"{ctx.role_label(post.role)}的开始日期 {post.start_date.isoformat()}；"
                              "请核对离职时间，或先在花名册中调整该任职")
        _warn_post(ctx, row, found, posts)
    if row.errors:
        return
    for key in INPUT_FIELDS:
        old, new = getattr(found, key), getattr(clean, key)
        if (old or None) == (new or None):
            continue
        label = STAFF.field(key).label if key in {f.key for f in STAFF.fields} else key
        if key in LIST_OF:
            row.changes[key] = (label, ctx.book.label(LIST_OF[key], old) if old else "",
                                ctx.book.label(LIST_OF[key], new))
        else:
            row.changes[key] = (label, shown(old), shown(new))
        row.previous[key] = old
    label_existing(row, ctx.mode, "此人已登记")


def _plan_post(ctx: _Ctx, row: RowPlan, clean: StaffInput, who: str) -> bool:
    """The assignment a new (or rehired) person gets: its grid, role and
    the rules ``assign_in_session`` applies at commit. False on an error."""
    rec = row.record
    if rec["area_id"] is None:
        key = "grid" if "grid" in ctx.table.mapping.columns else "grid_code"
        ctx.issue(row, key, "", f"{who}须填写所属网格（名称或编码）")
        return False
    if rec.get("area_refusal"):
        ctx.issue(row, rec["grid_cell"][0], rec["grid_cell"][1], rec["area_refusal"])
        return False
    rec["role"] = rec.get("role") or (ROLE_FULLTIME if clean.employment_type == EMPLOYMENT_FULL else ROLE_PARTTIME)
    if clean.status not in SERVING:
        ctx.issue(row, "status", clean.status, f"{who}状态为“{clean.status}”，不能任职到网格")
        return False
    rec["assign"] = True
    return True


def _plan_rehire(ctx: _Ctx, row: RowPlan, found, clean: StaffInput) -> None:
    """再次入职 (a 离职/卸任 person's row says 在岗 or 休假): the status comes
    back, 离职时间 is cleared and the row's grid gets a new assignment from
    the new hire date, as for a new person."""
    left = found.left_on
    if left is not None and (clean.hired_on is None or clean.hired_on <= left):
        ctx.issue(row, "hired_on", clean.hired_on,
                  f"此人已于 {left.isoformat()} {found.status}；再次入职请填写新的入职时间（晚于 {left.isoformat()}）")
        return
    _check_hire(ctx, row, clean, True)
    if row.errors:
        return
    _plan_post(ctx, row, clean, "再次入职的人员")


def _check_hire_against_posts(ctx: _Ctx, row: RowPlan, found, clean: StaffInput, posts: list[_Post]) -> None:
    """A later 入职时间 must not leave an assignment of this employment
    starting before it (the assignments service refuses that state)."""
    hired = clean.hired_on
    since = found.hired_on
    for post in sorted(posts, key=lambda p: p.start_date):
        current = since is None or post.end_date is None or post.end_date >= since
        if current and post.start_date < hired:
            ctx.issue(row, "hired_on", hired,
                      f"入职时间 {hired.isoformat()} 晚于在“{ctx.grid_name(post.area_id)}”任{ctx.role_label(post.role)}"
                      f"的开始日期 {post.start_date.isoformat()}；任职不能早于入职，请核对入职时间或先在花名册中调整该任职")
            return


def _warn_post(ctx: _Ctx, row: RowPlan, found, posts: list[_Post]) -> None:
    """The import does not change assignments: a grid or role in the row
    that differs from the person's posts is a warning on that column."""
    rec = row.record
    area_id, role = rec.get("area_id"), rec.get("role")
    running = [p for p in posts if p.end_date is None]
    if not running and found.status not in SERVING:
        last = last_post(posts)
        running = [last] if last is not None else []
    if area_id is not None and all(p.area_id != area_id for p in running):
        key, value = rec["grid_cell"]
        where = "、".join(dict.fromkeys(f"“{ctx.grid_name(p.area_id)}”" for p in running))
        now = f"任职于{where}" if where else "未在任何网格任职"
        ctx.issue(row, key, value, f"此人当前不在“{ctx.grid_name(area_id)}”任职（{now}）；"
                                   "导入不改变任职，调动请在花名册中办理“调动”", warning=True)
        return
    if role is None:
        return
    held = [p for p in running if area_id is None or p.area_id == area_id]
    if held and all(p.role != role for p in held):
        now = "、".join(dict.fromkeys(f"“{ctx.grid_name(p.area_id)}”{ctx.role_label(p.role)}" for p in held))
        ctx.issue(row, "role", role, f"此人当前任{now}，文件中为{ctx.role_label(role)}；"
                                     "导入不改变任职；岗位调整请在花名册中办理“调岗”", warning=True)


def _check_leaders(session: Session, ctx: _Ctx, rows: list[RowPlan]) -> None:
    """1+3+N: one 网格长 per grid. A row that would start a 网格长
    assignment in a grid with a serving leader (not leaving in this file
    before the new one starts), or with another such row, is an error on
    网格岗位 naming the other."""
    new_leaders = [r for r in rows if r.status in (NEW, UPDATE) and r.record.get("assign")
                   and r.record.get("role") == ROLE_LEADER]
    if not new_leaders:
        return
    leaving = {r.target_id: (r.record["clean"].left_on or ctx.today) for r in rows
               if r.status == UPDATE and "clean" in r.record
               and r.record["clean"].status not in SERVING}
    area_ids = sorted({r.record["area_id"] for r in new_leaders})
    current: dict[int, list] = {}
    for area_id, staff_id, name, start in session.execute(
            select(StaffAssignment.area_id, Staff.id, Staff.name, StaffAssignment.start_date)
            .join(Staff, Staff.id == StaffAssignment.staff_id)
            .where(StaffAssignment.area_id.in_(area_ids), StaffAssignment.role == ROLE_LEADER,
                   StaffAssignment.end_date.is_(None), Staff.status.in_(SERVING))):
        current.setdefault(area_id, []).append((staff_id, name, start))
    by_area: dict[int, list[RowPlan]] = {}
    for row in new_leaders:
        area_id = row.record["area_id"]
        hired = row.record["clean"].hired_on
        for staff_id, name, start in current.get(area_id, []):
            if staff_id in leaving and leaving[staff_id] < hired:
                continue
            ctx.issue(row, "role", ROLE_LEADER,
                      f"“{ctx.grid_name(area_id)}”已有网格长{name}（{start.isoformat()} 起在任），每个网格只设一名网格长；"
                      "更换网格长请先结束其任职")
        by_area.setdefault(area_id, []).append(row)
    for group in by_area.values():
        if len(group) > 1:
            for row in group:
                others = "、".join(str(o.row) for o in group if o is not row)
                ctx.issue(row, "role", ROLE_LEADER, f"与第 {others} 行都是“{ctx.grid_name(row.record['area_id'])}”"
                                                    "的网格长，每个网格只设一名网格长")
    for row in new_leaders:
        if row.errors:
            row.status = ERROR


def _status_change(session: Session, staff: Staff, old_status, clean: StaffInput, today: date, batch_id: int) -> None:
    """The form's status bookkeeping (event; ended assignments on leaving),
    with the event and each ended assignment linked to the batch."""
    running = dict(session.execute(select(StaffAssignment.id, StaffAssignment.end_date)
                                   .where(StaffAssignment.staff_id == staff.id,
                                          StaffAssignment.end_date.is_(None))).all())
    record_status_change(session, staff, old_status, clean, today)
    event = session.scalars(select(StaffStatusEvent).where(StaffStatusEvent.staff_id == staff.id)
                            .order_by(StaffStatusEvent.id.desc()).limit(1)).first()
    event.note = f"{event.note or ''}（导入批次 {batch_id}）"
    for assignment_id in running:
        ended = session.get(StaffAssignment, assignment_id)
        if ended.end_date is not None:
            session.add(batch_audit("update", "staff_assignment", assignment_id, batch_id, f"导入：{staff.name}离任，结束任职",
                               {"old": {"end_date": None}, "new": {"end_date": ended.end_date}}))


def write_staff(session: Session, plan: ImportPlan, rows: list[RowPlan], batch_id: int,
                today: date) -> Iterator[int]:
    """Yields the number of rows written so far."""
    done = 0
    for row in rows:
        clean: StaffInput = row.record["clean"]
        if row.status == NEW:
            staff = Staff(**asdict(clean))
            staff.name_pinyin, staff.name_initials = name_pinyin(clean.name)
            session.add(staff)
            session.flush()
            session.add(batch_audit("insert", "staff", staff.id, batch_id, f"导入新增网格员 {clean.name}"))
            _status_change(session, staff, None, clean, today, batch_id)
            assignment_id = assign_in_session(session, staff.id, row.record["area_id"], row.record["role"],
                                    clean.hired_on or today, f"导入批次 {batch_id}")
            session.add(batch_audit("insert", "staff_assignment", assignment_id, batch_id, f"导入新增任职 {clean.name}"))
        elif row.status == UPDATE:
            staff = session.get(Staff, row.target_id)
            if staff is None or staff.version != plan.extra["versions"][row.target_id]:
                raise ConflictError(f"导入期间网格员“{clean.name}”被其他用户修改，已全部撤销，请重新导入。")
            old_status = staff.status
            values = {k: getattr(clean, k) for k in row.changes}
            if "name" in values:
                values["name_pinyin"], values["name_initials"] = name_pinyin(clean.name)
            for key, value in values.items():
                setattr(staff, key, value)
            session.flush()
            session.add(batch_audit("update", "staff", staff.id, batch_id, f"导入更新网格员 {clean.name}",
                               {"old": row.previous, "new": values}))
            if old_status != clean.status:
                _status_change(session, staff, old_status, clean, today, batch_id)
            if row.record.get("assign"):  # 再次入职: a new assignment, as for a new person
                assignment_id = assign_in_session(session, staff.id, row.record["area_id"], row.record["role"],
                                                  clean.hired_on or today, f"导入批次 {batch_id}")
                session.add(batch_audit("insert", "staff_assignment", assignment_id, batch_id,
                                        f"导入再次入职任职 {clean.name}"))
        done += 1
        if done % 200 == 0:
            yield done
    session.flush()
    yield done
