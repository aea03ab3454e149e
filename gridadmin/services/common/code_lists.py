"""Editing the local code lists and the special-group (tag) list.

National-standard lists (GB/T) are fixed; the lists in ``EDITABLE_LISTS``
(岗位, 技能等级, 培训类别, 培训形式) and the special groups may be extended
by the administrator. Items are never deleted, only retired (``active`` =
False), so records that already use a code keep their meaning; retired
items disappear from choice lists. Every change checks ``MANAGE_SETTINGS``
and goes into the audit trail in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridadmin.db import Database
from gridadmin.models import CodeItem, TagKind
from gridadmin.models.groups import FAMILIES, FAMILY_CARE, FAMILY_KEY, FAMILY_SPECIAL, family_rank
from gridadmin.models.staff import CORE_ROLES
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting, require
from gridadmin.services.common.code_seed import CODE_LISTS, EDITABLE_LISTS
from gridadmin.services.common.errors import NotFoundError, ValidationError

TAG_LIST = "tag"  # pseudo list key for the special groups
_MAX_LABEL = 40


@dataclass(frozen=True)
class ListItem:
    """One row of an editable list as the editor shows it."""

    id: int
    code: str
    label: str
    active: bool
    sensitive: bool = False  # group kinds only
    protected: bool = False  # may be renamed but not retired
    family: str = ""  # group kinds only: special / key / care (models.groups.FAMILIES)


def editable_lists() -> list[tuple[str, str]]:
    """``[(list_key, title), ...]`` of the lists the editor offers, special
    groups last."""
    lists = [(key, CODE_LISTS[key][0]) for key in CODE_LISTS if key in EDITABLE_LISTS]
    return [*lists, (TAG_LIST, "人群类别")]


def list_title(list_key: str) -> str:
    return dict(editable_lists()).get(list_key, list_key)


def list_items(db: Database, list_key: str) -> list[ListItem]:
    """Every item of ``list_key`` in display order, retired ones included."""
    _check_editable(list_key)
    with db.session() as session:
        if list_key == TAG_LIST:
            rows = session.scalars(select(TagKind).order_by(family_rank(), TagKind.sort_order, TagKind.id))
            return [ListItem(t.id, t.code, t.name, t.active, t.sensitive, family=t.family) for t in rows]
        rows = session.scalars(select(CodeItem).where(CodeItem.list_key == list_key)
                               .order_by(CodeItem.sort_order, CodeItem.id))
        return [ListItem(c.id, c.code, c.label, c.active, protected=_protected(list_key, c.code)) for c in rows]


def add_item(db: Database, list_key: str, label: str, *, sensitive: bool | None = None,
             family: str | None = None) -> int:
    """Append a new item called ``label``; returns its id. The code is made
    up (next free number, or ``x01``… for lists with word codes). A group
    kind goes into ``family`` (关怀对象 unless given); it is sensitive when
    asked, and by default when its family is 特殊人群 or 重点人员."""
    _check_editable(list_key)
    label = _clean_label(label)
    family = family or FAMILY_CARE
    if list_key == TAG_LIST and family not in FAMILIES:
        raise ValidationError(f"没有名为“{family}”的人群分类。", field="人群分类", value=family)
    if sensitive is None:
        sensitive = list_key == TAG_LIST and family in (FAMILY_SPECIAL, FAMILY_KEY)
    with db.session() as session:
        require(session, acting(db), MANAGE_SETTINGS)
        _check_unique(session, list_key, label, None)
        if list_key == TAG_LIST:
            codes = list(session.scalars(select(TagKind.code)))
            order = (session.scalar(select(func.max(TagKind.sort_order))) or 0) + 1
            item = TagKind(code=_next_code(codes), name=label, sensitive=sensitive, sort_order=order, active=True,
                           family=family)
        else:
            codes = list(session.scalars(select(CodeItem.code).where(CodeItem.list_key == list_key)))
            order = (session.scalar(select(func.max(CodeItem.sort_order))
                                    .where(CodeItem.list_key == list_key)) or 0) + 1
            item = CodeItem(list_key=list_key, code=_next_code(codes), label=label, sort_order=order,
                            builtin=False, active=True)
        session.add(item)
        session.flush()
        audit.record(session, acting(db), audit.ACTION_CREATE, _entity(list_key), item.id,
                     changes=audit.changes_of(item), summary=f"{list_title(list_key)}：新增“{label}”")
        return item.id


def update_item(db: Database, list_key: str, item_id: int, *, label: str | None = None,
                active: bool | None = None, sensitive: bool | None = None) -> None:
    """Rename, retire/restore or (special groups) mark sensitive one item."""
    _check_editable(list_key)
    with db.session() as session:
        require(session, acting(db), MANAGE_SETTINGS)
        item = _get(session, list_key, item_id)
        name_attr = "name" if list_key == TAG_LIST else "label"
        current = getattr(item, name_attr)
        if label is not None:
            label = _clean_label(label)
            if label != current:
                _check_unique(session, list_key, label, item_id)
                setattr(item, name_attr, label)
        if active is not None and active != item.active:
            if not active:
                _check_may_retire(session, list_key, item, current)
            item.active = active
        if sensitive is not None and list_key == TAG_LIST:
            item.sensitive = sensitive
        changes = audit.changes_of(item)
        if changes:
            audit.record(session, acting(db), audit.ACTION_UPDATE, _entity(list_key), item.id, changes=changes,
                         summary=f"{list_title(list_key)}：修改“{current}”")


def move_item(db: Database, list_key: str, item_id: int, step: int) -> None:
    """Move an item ``step`` places up (negative) or down in display order."""
    _check_editable(list_key)
    with db.session() as session:
        require(session, acting(db), MANAGE_SETTINGS)
        model = TagKind if list_key == TAG_LIST else CodeItem
        query = select(model).order_by(model.sort_order, model.id)
        if list_key != TAG_LIST:
            query = query.where(CodeItem.list_key == list_key)
        items = list(session.scalars(query))
        index = next((i for i, it in enumerate(items) if it.id == item_id), None)
        if index is None:
            raise NotFoundError("该项目已不存在，请刷新后重试。")
        target = max(0, min(len(items) - 1, index + step))
        items.insert(target, items.pop(index))
        for order, it in enumerate(items):
            it.sort_order = order


def _check_editable(list_key: str) -> None:
    if list_key != TAG_LIST and list_key not in EDITABLE_LISTS:
        title = CODE_LISTS.get(list_key, (list_key,))[0]
        raise ValidationError(f"“{title}”是国家标准代码表，不能修改。", field="代码表", value=title)


def _protected(list_key: str, code: str) -> bool:
    return list_key == "staff_role" and code in CORE_ROLES


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise ValidationError("名称不能为空。", field="名称", value="")
    if len(label) > _MAX_LABEL:
        raise ValidationError(f"名称“{label}”太长（{len(label)} 个字），最多 {_MAX_LABEL} 个字。",
                              field="名称", value=label)
    return label


def _check_unique(session: Session, list_key: str, label: str, item_id: int | None) -> None:
    if list_key == TAG_LIST:
        other = session.scalar(select(TagKind).where(TagKind.name == label))
    else:
        other = session.scalar(select(CodeItem).where(CodeItem.list_key == list_key, CodeItem.label == label))
    if other is not None and other.id != item_id:
        state = "" if other.active else "（已停用，可重新启用）"
        raise ValidationError(f"“{label}”已在“{list_title(list_key)}”中{state}。", field="名称", value=label)


def _check_may_retire(session: Session, list_key: str, item, name: str) -> None:
    if list_key != TAG_LIST and _protected(list_key, item.code):
        raise ValidationError(f"“{name}”是“1+3+N”核心岗位，可以改名，不能停用。", field="状态", value=name)
    model = TagKind if list_key == TAG_LIST else CodeItem
    query = select(func.count()).select_from(model).where(model.active.is_(True))
    if list_key != TAG_LIST:
        query = query.where(CodeItem.list_key == list_key)
    if (session.scalar(query) or 0) <= 1:
        raise ValidationError(f"“{name}”是“{list_title(list_key)}”中最后一个启用的项目，不能停用。",
                              field="状态", value=name)


def _get(session: Session, list_key: str, item_id: int):
    item = session.get(TagKind if list_key == TAG_LIST else CodeItem, item_id)
    if item is None or (list_key != TAG_LIST and item.list_key != list_key):
        raise NotFoundError("该项目已不存在，请刷新后重试。")
    return item


def _entity(list_key: str) -> str:
    return "tag_kind" if list_key == TAG_LIST else "code_item"


def _next_code(codes: list[str]) -> str:
    """The next free code: one more than the largest numeric code, padded
    like the others; ``x01``, ``x02``… when the list uses word codes."""
    numeric = [c for c in codes if c.isdigit()]
    if numeric and len(numeric) == len(codes):
        width = max(len(c) for c in numeric)
        candidate = max(int(c) for c in numeric) + 1
        while str(candidate).zfill(width) in codes:
            candidate += 1
        return str(candidate).zfill(width)
    n = 1
    while f"x{n:02d}" in codes:
        n += 1
    return f"x{n:02d}"
