"""Text lengths checked in the services, from the model: every ``String(n)``
column refuses a longer value with a Chinese ``ValidationError`` naming the
field and its limit, on SQLite (which would store it) and PostgreSQL (which
would fail with a raw driver error) alike.

``install_length_checks(sessionmaker)`` checks every object a unit of work
flushes (``Database`` does it for all its sessions); ``check_rows`` checks
the rows of a bulk insert (``services/common/bulk.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import String, Table, event, inspect
from sqlalchemy.orm import Session

from gridadmin.services.common.errors import ValidationError

# Chinese field names by column name (the same name means the same thing in
# every table); a column may override with ``info={"label": …}``.
FIELD_LABELS = {
    "name": "名称", "status": "状态", "category": "类别", "username": "用户名", "role": "角色", "phone": "联系电话",
    "code": "代码", "political_status": "政治面貌", "place": "地点", "list_key": "代码表", "kind": "类型",
    "id_number": "公民身份号码", "gender": "性别", "ethnicity": "民族", "education": "文化程度",
    "village_group": "村民小组", "unit": "单位", "trainer": "授课人", "summary": "摘要",
    "social_work_cert": "社工证", "skill_level": "技能等级", "scope_name": "统计范围", "room": "室",
    "residence_status": "居住状态", "residence_permit_no": "居住证号", "relation": "与户主关系", "position": "职务",
    "origin_place": "来源地", "organizer": "主办单位", "occupation": "职业", "number": "编号",
    "moved_out_to": "迁往地", "month": "月份", "mode": "方式", "marital_status": "婚姻状况", "level": "层级",
    "label": "名称", "key": "键", "issuer": "发证机关", "inflow_reason": "流入原因", "hukou_place": "户籍地",
    "household_type": "户别", "household_no": "户号", "grid_type": "网格类型", "grid_code": "网格编码",
    "form": "培训形式", "file_path": "文件路径", "file_name": "文件名", "entity": "对象", "employment_type": "专兼职",
    "employer": "工作单位", "dwelling_type": "住所类型", "door_no": "门牌号", "division_code": "区划代码",
    "display_name": "姓名", "contract_type": "合同类型", "community_kind": "社区类型", "certificate_no": "证书编号",
    "building": "楼栋", "alias": "别名", "address": "地址", "action": "操作", "note": "备注", "title": "名称",
    "topic": "培训内容", "source": "来源",
}
# Per table, where a column name means something more specific.
TABLE_LABELS = {("person", "name"): "姓名", ("staff", "name"): "姓名", ("area", "name"): "区域名称",
                ("attendance", "name"): "姓名", ("training_session", "name"): "培训名称"}


def field_label(table: str, column) -> str:
    """The Chinese name of ``table``.``column`` (a Column)."""
    return (column.info.get("label") or TABLE_LABELS.get((table, column.name))
            or FIELD_LABELS.get(column.name) or column.name)


def limit_of(column) -> int | None:
    """The length limit of a ``String(n)`` column (None for other types)."""
    return column.type.length if isinstance(column.type, String) and column.type.length else None


def too_long(table: str, column, value: str) -> ValidationError:
    label, limit = field_label(table, column), limit_of(column)
    shown = value if len(value) <= 20 else value[:20] + "…"
    return ValidationError(f"“{label}”最多 {limit} 个字，填写的内容有 {len(value)} 个字（{shown}），请删减后再保存。",
                           field=label, value=value)


def check_object(obj: object) -> None:
    """Raise ``ValidationError`` when a text attribute of the mapped ``obj``
    is longer than its column allows."""
    mapper = inspect(obj).mapper
    for attr in mapper.column_attrs:
        for column in attr.columns:
            limit = limit_of(column) if hasattr(column, "type") else None
            if limit is None:
                continue
            value = getattr(obj, attr.key, None)
            if isinstance(value, str) and len(value) > limit:
                raise too_long(column.table.name, column, value)


def _before_flush(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        check_object(obj)


def install_length_checks(target) -> None:
    """Check lengths before every flush of sessions made by ``target`` (a
    ``sessionmaker`` or a ``Session``); a second call on the same target
    changes nothing.

    The mark is an attribute of the target, not ``event.contains``: SQLAlchemy
    keys its registry of class-level listeners by ``id()`` of the
    sessionmaker's Session subclass and keeps the entry after that class is
    collected, so a new sessionmaker whose class reuses the address would be
    reported as already listening and left without the check."""
    if getattr(target, "_gridadmin_length_checks", False):
        return
    event.listen(target, "before_flush", _before_flush)
    target._gridadmin_length_checks = True


def check_rows(table: Table, keys: Iterable[str], columns: Iterable[Iterable]) -> None:
    """Bulk rows given column by column (``columns`` in the order of
    ``keys``): ``ValidationError`` for the first value too long."""
    for key, values in zip(keys, columns):
        column = table.c[key]
        limit = limit_of(column)
        if limit is None:
            continue
        distinct = set(values)
        try:  # text and None, the common case: the longest measured in C
            if max(map(len, filter(None, distinct)), default=0) <= limit:
                continue
        except TypeError:  # other values too: one by one
            pass
        for value in distinct:
            if isinstance(value, str) and len(value) > limit:
                raise too_long(table.name, column, value)
