"""Resident rows → typed records, a column at a time.

Every parser of a plain field depends on the cell value alone, so each
distinct value of a column is parsed once per file (code lists, dates,
names, text; ID numbers are unique and are checked for the whole column
at once, as array arithmetic: ``idcard.fast_check_many``). Only the rows
with something wrong are read cell by cell, and word it. Columns are
processed in the order of the fields, so each row's messages come out in
the same order as reading the row field by field would give: name, household number, code lists, text fields, phone,
identity (ID problem, birth date, ID, cross-checks), grid.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from itertools import repeat
from operator import itemgetter

from gridadmin.services.common.code_seed import CATEGORY_OVERSEAS
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.id_types import ID_CARD, ID_TYPES, DocumentError, check_document, id_type_of, label_of
from gridadmin.services.common.idcard import check_id_number, fast_check_many
from gridadmin.services.importing.areaindex import AreaIndex
from gridadmin.services.importing.headers import Table
from gridadmin.services.importing.plan import RowIssue, RowPlan, shown
from gridadmin.services.importing.residents import (
    CODE_FIELDS, DATE_FIELDS, HOUSEHOLD_FIELDS, RESIDENTS, TEXT_FIELDS, household_no_value,
)
from gridadmin.services.importing.values import (
    CellError, CellProblem, code_text_value, code_value, date_value, name_value, phone_value, text_value,
)

OVERSEAS_ID_HINT = ("（境外人员的护照、通行证等证件：请在“证件类型”列填写证件类型，如护照、"
                    "港澳居民来往内地通行证）")
MEMO_LIMIT = 200_000  # distinct values remembered per column
_GENDER_CODE = {"男": "1", "女": "2"}
_MISSING = object()
_TEXT_OR_NONE = frozenset((str, type(None)))


def _blank(raw) -> bool:
    return raw is None or (raw.__class__ is str and (not raw or raw.isspace())) or \
        (isinstance(raw, str) and not raw.strip())


class ResidentParser:
    """Parses the rows of one table; ``memo`` per column: value → result."""

    def __init__(self, table: Table, book: CodeBook, areas: AreaIndex, *, allow_month: bool, today: date):
        self.table = table
        self.columns = table.mapping.columns
        self.problems = table.problems
        self.areas = areas
        self.today = today
        self.memo: dict[str, dict] = {}
        self.fields: list[tuple[str, object, bool, str]] = [  # key, parse, required, label for "不能为空"
            ("name", name_value, True, "姓名"), ("household_no", household_no_value, False, "户号")]
        for key, (list_key, what) in CODE_FIELDS.items():
            if key in self.columns:  # 与户主关系 is required of rows with a 户号 (``resident_houses``)
                self.fields.append((key, partial(code_value, book, list_key, what=what), False, what))
        if "house_no" in self.columns:
            self.fields.append(("house_no", _house_no, False, ""))
        for key in TEXT_FIELDS + HOUSEHOLD_FIELDS:
            if key in self.columns:
                self.fields.append((key, partial(text_value, max_length=RESIDENTS.field(key).max_length), False, ""))
        for key in DATE_FIELDS:
            if key in self.columns:
                self.fields.append((key, _day, False, ""))
        if "id_type" in self.columns:
            self.fields.append(("id_type", _id_type, False, ""))
        self.fields.append(("phone", phone_value, False, ""))
        if "other_phone" in self.columns:
            self.fields.append(("other_phone", phone_value, False, ""))
        self.birth = partial(date_value, allow_month=allow_month)

    # ---- one cell ---------------------------------------------------------
    def error(self, plan: RowPlan, key: str, value, message: str) -> None:
        header = self.table.mapping.header_of(key) if key else ""
        plan.errors.append(RowIssue(plan.row, header, shown(value), message))

    def raw(self, plan: RowPlan, key: str):
        """The cell, or None with the cell's problem (#N/A …) noted."""
        index = self.columns.get(key)
        if index is None:
            return None
        if self.problems:
            problem = self.problems.get((plan.row - 1, index))
            if problem is not None:
                self.error(plan, key, "", problem)
                return None
        value = plan.cells[index]
        if value.__class__ is CellProblem:  # a member group's cell of the wide layout (``wide``)
            self.error(plan, key, "", value.message)
            return None
        return value

    def _has_problem(self, plan: RowPlan, key: str) -> bool:
        index = self.columns.get(key)
        return index is not None and ((plan.row - 1, index) in self.problems
                                      or plan.cells[index].__class__ is CellProblem)

    def value(self, plan: RowPlan, key: str, parse, required: bool = False, label: str = ""):
        """``parse(cell)`` (remembered per distinct value), or None with an
        error noted; an empty required cell is an error."""
        raw = self.raw(plan, key)
        if _blank(raw):
            if required and not self._has_problem(plan, key):
                self.error(plan, key, raw, f"{label or self.table.mapping.header_of(key)}不能为空")
            return None
        memo = self.memo.setdefault(key, {})
        try:
            memo_key = raw if raw.__class__ is str else (raw.__class__, raw)
            found = memo.get(memo_key, _MISSING)
        except TypeError:  # unhashable
            memo_key, found = None, _MISSING
        if found is _MISSING:
            try:
                found = parse(raw)
            except CellError as exc:
                found = exc
            if memo_key is not None and len(memo) < MEMO_LIMIT:
                memo[memo_key] = found
        if found.__class__ is CellError:
            self.error(plan, key, raw, found.message)
            return None
        return found

    # ---- whole columns ----------------------------------------------------
    def parse(self, rows: list[RowPlan]) -> None:
        """Fill ``record`` (and ``errors``/``warnings``) of every row."""
        cells = [plan.cells for plan in rows]
        keys = [key for key, *_ in self.fields]
        columns = [self.column(rows, cells, *spec) for spec in self.fields]
        for plan, values in zip(rows, zip(*columns)):
            plan.record = dict(zip(keys, values))
        if "other_phone" in self.columns:
            for plan in rows:
                _two_phones(plan.record)
        if not self.problems and "id_number" in self.columns:  # else per row: messages in row order
            births = self.column(rows, cells, "birth_date", self.birth) if "birth_date" in self.columns \
                else repeat(None)
            self._identities(rows, map(itemgetter(self.columns["id_number"]), cells), births)
        else:
            for plan in rows:
                self._identity(plan, _MISSING)
        for plan in rows:
            plan.record["id_type"] = plan.record.get("id_type") or ID_CARD
        grid = [self.column(rows, cells, key, parse) if key in self.columns else [None] * len(rows)
                for key, parse in (("grid_code", _grid_code), ("grid", _name_100), ("community", _name_100))]
        places = list(zip(*grid))
        memo = self.memo.setdefault("_area", {})
        for place in set(places):
            if place[0] or place[1]:
                try:
                    memo[place] = self.areas.find_grid(*place)
                except CellError as exc:
                    memo[place] = exc
        for plan, place in zip(rows, places):  # the common case inline; a row whose grid is not found: _grid
            found = memo.get(place) if place[0] or place[1] else None
            if isinstance(found, CellError):
                self._grid(plan, *place)
            else:
                plan.record["area_id"] = found

    def column(self, rows: list[RowPlan], cells: list[list], key: str, parse, required: bool = False,
               label: str = "") -> list:
        """:meth:`value` for every row. Each distinct value (of each type:
        1, 1.0 and True stay apart) is parsed once and looked up in C; only
        the rows whose value is an error, or needs the row (a required
        blank, a cell problem), go cell by cell through :meth:`value`."""
        index = self.columns.get(key)
        if index is None or self.problems:  # the general path, cell by cell
            return [self.value(plan, key, parse, required, label) for plan in rows]
        raws = list(map(itemgetter(index), cells))
        plain = set(map(type, raws)) <= _TEXT_OR_NONE
        keys = raws if plain else list(zip(map(type, raws), raws))  # text and None cannot be equal
        try:
            distinct = set(keys)
        except TypeError:  # an unhashable value: cell by cell
            return [self.value(plan, key, parse, required, label) for plan in rows]
        found: dict = {}
        by_row = False
        for item in distinct:
            kind, raw = (type(item), item) if plain else item
            if raw is None or (kind is str and (not raw or raw.isspace() or not raw.strip())):
                result = _MISSING if required else None  # required: the row's own message
            elif kind is CellProblem:
                result = _MISSING
            else:
                try:
                    result = parse(raw)
                except CellError:  # worded on the row by :meth:`value`
                    result = _MISSING
            by_row = by_row or result is _MISSING
            found[item] = result
        out = list(map(found.__getitem__, keys))
        if by_row:
            for i in [i for i, result in enumerate(out) if result is _MISSING]:
                out[i] = self.value(rows[i], key, parse, required, label)
        return out

    def _identities(self, rows: list[RowPlan], raws, births) -> None:
        """:meth:`_identity` for every row, with the common case checked for
        the whole column at once (``fast_check_many``): a clean valid ID
        that agrees with the row's birth date and gender. Any other row
        takes :meth:`_identity`, which words what is wrong."""
        raws = list(raws)
        born_of, male_of = fast_check_many(raws, self.today)
        for plan, raw, birth, born, male in zip(rows, raws, births, born_of, male_of):
            if born is None or plan.record.get("id_type", ID_CARD) not in (None, ID_CARD):
                self._identity(plan, birth)
                continue
            if birth is not None and ((birth[0].year, birth[0].month) != (born.year, born.month) if birth[1]
                                      else birth[0] != born):
                self._identity(plan, birth)
                continue
            rec = plan.record
            gender = "1" if male else "2"
            if rec.get("gender") in ("1", "2") and rec["gender"] != gender:
                self._identity(plan, birth)
                continue
            rec["id_number"], rec["birth_date"], rec["gender"] = raw, born, gender

    def _identity(self, plan: RowPlan, birth) -> None:
        """ID number, then the birth date (``birth``: already parsed, or
        _MISSING) and gender cross-checked with it."""
        rec = plan.record
        raw = self.raw(plan, "id_number")
        if birth is _MISSING:
            birth = self.value(plan, "birth_date", self.birth) if "birth_date" in self.columns else None
        id_type = rec.get("id_type") or ID_CARD
        if rec.get("id_type") is None and "id_type" in self.columns \
                and not _blank(plan.cells[self.columns["id_type"]]):
            return  # a 证件类型 refused: the number cannot be checked
        if _blank(raw):
            if not self._has_problem(plan, "id_number"):
                self.error(plan, "id_number", raw, "公民身份号码不能为空" if id_type == ID_CARD
                           else f"{label_of(id_type)}号码不能为空")
            return
        if id_type != ID_CARD:
            self._document(plan, raw, birth, id_type)
            return
        check = check_id_number(raw, today=self.today)
        if not check.valid:
            overseas = rec.get("category") == CATEGORY_OVERSEAS
            self.error(plan, "id_number", raw, check.error + (OVERSEAS_ID_HINT if overseas else ""))
            return
        for warning in check.warnings:
            header = self.table.mapping.header_of("id_number")
            plan.warnings.append(RowIssue(plan.row, header, shown(raw), warning))
        rec["id_number"] = check.normalized
        self._agrees(plan, birth, check.birth_date, check.gender, "身份证号码")

    def _agrees(self, plan: RowPlan, birth, born: date, gender: str, what: str) -> None:
        """The row's birth date (``birth``: parsed, or None) and gender
        checked against those the number tells (``born``, ``gender`` 男/女),
        then taken from it."""
        rec = plan.record
        if birth is not None:
            value, month_only = birth
            same = (value.year, value.month) == (born.year, born.month) if month_only else value == born
            if not same:
                shown_birth = f"{value.year}.{value.month:02d}" if month_only else value.isoformat()
                self.error(plan, "birth_date", self.raw(plan, "birth_date"),
                           f"出生日期 {shown_birth} 与{what}中的 {born.isoformat()} 不符")
        rec["birth_date"] = born
        id_gender = _GENDER_CODE[gender]
        if rec.get("gender") in ("1", "2") and rec["gender"] != id_gender:
            self.error(plan, "gender", self.raw(plan, "gender"), f"性别与{what}不符（号码显示为{gender}）")
        rec["gender"] = id_gender

    def _document(self, plan: RowPlan, raw, birth, id_type: str) -> None:
        """A 护照, 通行证 or 外国人永久居留身份证 number: its shape checked; the
        birth date and gender are the row's own (an 18-digit 永久居留身份证
        tells them: cross-checked as for a 居民身份证)."""
        rec = plan.record
        try:
            check = check_document(id_type, raw, self.today)
        except DocumentError as exc:
            self.error(plan, "id_number", raw, str(exc))
            return
        rec["id_number"] = check.number
        if check.birth_date is None:
            rec["birth_date"] = birth[0] if birth is not None else None
            if rec["birth_date"] is not None and rec["birth_date"] > self.today:
                self.error(plan, "birth_date", self.raw(plan, "birth_date"),
                           f"出生日期 {rec['birth_date'].isoformat()} 晚于今天")
            return
        self._agrees(plan, birth, check.birth_date, check.gender, "证件号码")

    def _grid(self, plan: RowPlan, code, name, community) -> None:
        plan.record["area_id"] = None
        if not (code or name):
            return
        memo = self.memo.setdefault("_area", {})
        found = memo.get((code, name, community))
        if found is None:
            try:
                found = self.areas.find_grid(code, name, community)
            except CellError as exc:
                found = exc
            memo[(code, name, community)] = found
        if isinstance(found, CellError):
            key = "grid_code" if code else ("community" if community and "下没有" not in found.message
                                            and "社区/村" in found.message else "grid")
            self.error(plan, key, code or (community if key == "community" else name), found.message)
            return
        plan.record["area_id"] = found


_ID_TYPE_WORDS = "、".join(label for _code, label, _aliases in ID_TYPES)


def _id_type(value) -> str | None:
    code = id_type_of(value)
    if code is None:
        raise CellError(f"证件类型“{shown(value)}”无效：应为{_ID_TYPE_WORDS}之一")
    return code


def _two_phones(rec: dict) -> None:
    """联系电话 and a second number (联系手机, 固定电话): the mobile one is
    kept as 联系电话, the other as 其他电话; the same number once."""
    phone, other = rec.get("phone"), rec.get("other_phone")
    if other is not None and (phone is None or (not _is_mobile(phone) and _is_mobile(other))):
        phone, other = other, phone
    rec["phone"], rec["other_phone"] = phone, (None if other == phone else other)


def _is_mobile(number: str) -> bool:
    return len(number) == 11 and number.startswith("1") and number.isdigit()


def _house_no(value) -> str | None:
    text = code_text_value(value, 30, "房屋编号")
    return text.replace(" ", "") if text else None


def _day(value) -> date | None:
    found = date_value(value)
    return found[0] if found else None


def _grid_code(value) -> str | None:
    return code_text_value(value, 24, "网格编码")


def _name_100(value) -> str | None:
    return text_value(value, 100)
