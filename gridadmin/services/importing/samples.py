"""A cell as the import will read it, for the mapping step's 第一行数据
column: the same value parsers the kinds use (ID numbers through
``check_id_number``, identifiers through ``code_text_value``, dates,
phones, names, text), or the refusal the import would give. A number cell
holding an ID number (4.113241975031212e+17) shows the refusal, not the
float."""

from __future__ import annotations

from functools import partial

from gridadmin.services.common.idcard import check_id_number
from gridadmin.services.importing.mapping import KindSpec
from gridadmin.services.importing.plan import shown
from gridadmin.services.importing.residents import household_no_value, month_only_column
from gridadmin.services.importing.values import (
    CellError, code_text_value, date_value, is_blank, name_value, phone_value, text_value,
)

REFUSED = "无法导入："
SAMPLE_CHARS = 60

_IDENTIFIERS = {"household_no": household_no_value, "grid_code": partial(code_text_value, max_length=24, what="网格编码"),
                "certificate_no": partial(code_text_value, max_length=60, what="证书编号"),
                "parent_code": partial(code_text_value, max_length=24, what="上级编码")}


def _id_number(value) -> str:
    check = check_id_number(value)
    if not check.valid:
        raise CellError(check.error)
    return check.normalized


def _date(value, allow_month: bool) -> str:
    found = date_value(value, allow_month=allow_month)
    if found is None:
        return ""
    day, month_only = found
    return f"{day.year}.{day.month:02d}" if month_only else day.isoformat()


def read_as(spec: KindSpec, key: str | None, value, header: str = "") -> str:
    """``value`` as the field ``key`` of ``spec`` reads it (shown as text),
    or "无法导入：" and the reason; a column not imported shows the cell."""
    if is_blank(value):
        return ""
    try:
        if key is None:
            text = shown(value)
        elif key == "id_number":
            text = _id_number(value)
        elif key == "name":
            text = name_value(value) or ""
        elif key == "phone":
            text = phone_value(value) or ""
        elif key in _IDENTIFIERS:
            text = _IDENTIFIERS[key](value) or ""
        elif spec.field(key).takes_formula and (key.endswith("date") or key.endswith("_on")):
            text = _date(value, key == "birth_date" and month_only_column(header))
        elif spec.field(key).takes_formula:
            text = shown(value)
        else:
            text = text_value(value, spec.field(key).max_length) or ""
    except CellError as exc:
        return REFUSED + exc.message
    except (KeyError, ValueError, TypeError):
        text = shown(value)
    text = " ".join(str(text).split())
    return text if len(text) <= SAMPLE_CHARS else text[:SAMPLE_CHARS] + "…"

