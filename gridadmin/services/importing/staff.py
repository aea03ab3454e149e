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
- an update changes the staff fields only; a different grid is a warning
  (transfers are made on the roster page); a status change to 离职/卸任
  ends the running assignments as the form does;
- every created or changed record gets an audit row linked to the batch
  (ended assignments too), so the batch can be undone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, fields, replace
from datetime import date
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import Staff, StaffAssignment, StaffStatusEvent
from gridadmin.models.staff import EMPLOYMENT_FULL, ROLE_FULLTIME, ROLE_PARTTIME
from gridadmin.services.assignments import assign_in_session
from gridadmin.services.codes import CodeBook
from gridadmin.services.errors import ConflictError, ValidationError
from gridadmin.services.idcard import check_id_number
from gridadmin.services.importing.areaindex import AreaIndex
from gridadmin.services.importing.headers import Table
from gridadmin.services.importing.mapping import FieldSpec, KindSpec
from gridadmin.services.importing.plan import (
    ERROR, MODE_UPDATE, NEW, SKIP, UPDATE, ImportPlan, RowIssue, RowPlan, RowReader, label_existing,
    batch_audit, mark_duplicates, shown,
)
from gridadmin.services.importing.residents import month_only_column
from gridadmin.services.importing.values import (
    CellError, code_text_value, code_value, date_value, name_value, phone_value, text_value,
)
from gridadmin.services.pinyin import name_pinyin
from gridadmin.services.staff import StaffInput, record_status_change, validate_staff

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
        try:
            rec["area_id"] = areas.find_grid(code, name, community)
        except CellError as exc:
            key = "grid_code" if code else "grid"
            reader.error(key, code or name, exc.message)
    return rec


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
    running = _running_assignments(session, [s.id for s in existing.values()])
    for row in rows:
        if not row.errors:
            _plan_row(session, book, areas, table, row, existing.get(row.record["id_number"]), running, mode, today)
        if row.errors:
            row.status = ERROR
    versions = {s.id: s.version for s in existing.values()}
    return rows, {"versions": versions}


def _running_assignments(session: Session, staff_ids: list[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for start in range(0, len(staff_ids), CHUNK):
        for staff_id, area_id in session.execute(
                select(StaffAssignment.staff_id, StaffAssignment.area_id)
                .where(StaffAssignment.staff_id.in_(staff_ids[start:start + CHUNK]),
                       StaffAssignment.end_date.is_(None))):
            found.setdefault(staff_id, set()).add(area_id)
    return found


def _plan_row(session, book, areas, table, row: RowPlan, found, running, mode: str, today: date) -> None:
    rec = row.record
    overlay = {k: rec[k] for k in INPUT_FIELDS if rec.get(k) is not None}
    data = replace(_stored(found) if found is not None else StaffInput(), **overlay)
    try:
        clean = validate_staff(session, book, data, staff_id=found.id if found is not None else None, today=today)
    except ValidationError as exc:
        key = FIELD_OF_LIST.get(exc.field, exc.field)
        index = table.mapping.columns.get(key)
        value = shown(row.cells[index]) if index is not None else shown(exc.value)
        row.errors.append(RowIssue(row.row, table.mapping.header_of(key) if index is not None else "", value,
                                   exc.message.rstrip("。")))
        return
    rec["clean"] = clean
    if found is None:
        if mode == MODE_UPDATE:
            row.status = SKIP
            row.warnings.append(RowIssue(row.row, "", "", "数据库中没有此人，“仅更新”模式不新增"))
            return
        if rec["area_id"] is None:
            header = table.mapping.header_of("grid" if "grid" in table.mapping.columns else "grid_code")
            row.errors.append(RowIssue(row.row, header, "", "新登记的人员须填写所属网格（名称或编码）"))
            return
        rec["role"] = rec.get("role") or (ROLE_FULLTIME if clean.employment_type == EMPLOYMENT_FULL else ROLE_PARTTIME)
        if clean.hired_on and clean.status not in ("在岗", "休假"):
            row.errors.append(RowIssue(row.row, table.mapping.header_of("status"), clean.status,
                                       f"新登记的人员状态为“{clean.status}”，不能任职到网格"))
            return
        row.status = NEW
        return
    row.target_id = found.id
    for key in INPUT_FIELDS:
        old, new = getattr(found, key), getattr(clean, key)
        if (old or None) == (new or None):
            continue
        label = STAFF.field(key).label if key in {f.key for f in STAFF.fields} else key
        if key in LIST_OF:
            row.changes[key] = (label, book.label(LIST_OF[key], old) if old else "", book.label(LIST_OF[key], new))
        else:
            row.changes[key] = (label, shown(old), shown(new))
        row.previous[key] = old
    if rec["area_id"] is not None and rec["area_id"] not in running.get(found.id, set()):
        row.warnings.append(RowIssue(row.row, table.mapping.header_of("grid" if "grid" in table.mapping.columns
                                                                      else "grid_code"), "",
                                     f"此人当前不在“{areas.areas[rec['area_id']].name}”任职；导入不改变任职，"
                                     "调动请在网格员页面办理"))
    label_existing(row, mode, "此人已登记")


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
        done += 1
        if done % 200 == 0:
            yield done
    session.flush()
    yield done
