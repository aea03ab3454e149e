"""Columns → fields: per-kind field lists with the header spellings people
use, and the mapping (automatic, overridable by the user)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from gridadmin.services.common.text import to_halfwidth

_BRACKETS = re.compile(r"[(\[【{<].*?[)\]】}>]")
_DROP = re.compile(r"[\s*:：_\-—·.。、/]+")


def normalize_header(value: object) -> str:
    """The comparable form of a header cell: half-width, no spaces, line
    breaks, ``*`` required markers or punctuation; lower-case."""
    if value is None:
        return ""
    text = to_halfwidth(str(value), punctuation=True)
    return _DROP.sub("", text).lower()


def _without_brackets(value: object) -> str:
    text = to_halfwidth(str(value or ""), punctuation=True)
    return _DROP.sub("", _BRACKETS.sub("", text)).lower()


@dataclass(frozen=True)
class FieldSpec:
    """One importable field. ``synonyms`` are header spellings (compared in
    their normalised form); ``fill_down`` fields (community, grid) may be
    written only on the first row of a group."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    fill_down: bool = False
    max_length: int = 100
    # spellings that name the field only when no column has one of the others: the platform's
    # 联系手机 is the phone of a file without 联系电话, and no clash when it has both
    fallbacks: tuple[str, ...] = ()
    # False: read from other templates (the county platform's), not in GridAdmin's own or its export
    own_template: bool = True

    @property
    def takes_formula(self) -> bool:
        """A number or date field, whose value a formula may compute; an
        identifier or text never comes from a formula (its cached result
        may be a placeholder: XlsxWriter writes 0)."""
        return self.key in ("seq", "hours", "hours_credited", "score", "residence_permit_expires") or \
            self.key.endswith(("date", "_on"))

    def spellings(self) -> set[str]:
        return {normalize_header(s) for s in (self.label, *self.synonyms)}


@dataclass(frozen=True)
class KindSpec:
    """A kind's fields. ``anchor``: a field the header row must name (a
    title row such as "培训名称：… 日期：…" names fields too, but no 姓名)."""

    key: str
    label: str
    fields: tuple[FieldSpec, ...]
    anchor: str | None = None
    # (a, b): a file with a column for field a must have one for b too (户号 → 与户主关系)
    together: tuple[tuple[str, str], ...] = ()

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(key)

    def lookup(self) -> dict[str, str]:
        """normalised header → field key."""
        table: dict[str, str] = {}
        for spec in self.fields:
            for spelling in spec.spellings():
                table.setdefault(spelling, spec.key)
        return table


@dataclass
class ColumnMap:
    """``columns``: field key → 0-based column; ``headers``: the header text
    of every column as the user sees it."""

    headers: list[str]
    columns: dict[str, int] = field(default_factory=dict)
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (field, ignored column)

    def header_of(self, key: str) -> str:
        index = self.columns.get(key)
        return self.headers[index] if index is not None else key

    def unmapped(self) -> list[int]:
        used = set(self.columns.values())
        return [i for i, h in enumerate(self.headers) if h and i not in used]


def match_header(spec: KindSpec, header: object, table: dict[str, str] | None = None) -> str | None:
    """The field a header cell means, or None."""
    table = table if table is not None else spec.lookup()
    key = normalize_header(header)
    if not key:
        return None
    found = table.get(key)
    if found is None:
        found = table.get(_without_brackets(header))
    return found


def map_columns(spec: KindSpec, headers: list[str], overrides: dict[str, object] | None = None) -> ColumnMap:
    """Map header cells to fields; the first column wins when two mean the
    same field. ``overrides``: field key → column index, header text, or
    None to leave the field unmapped (what the user corrected in the wizard)."""
    table = spec.lookup()
    result = ColumnMap(headers=[display_header(h) for h in headers])
    for index, header in enumerate(headers):
        key = match_header(spec, header, table)
        if key is None:
            continue
        if key in result.columns:
            result.duplicates.append((key, index))
        else:
            result.columns[key] = index
    for field_spec in spec.fields:  # each fallback in its order: 联系手机 before 固定电话
        for spelling in field_spec.fallbacks if field_spec.key not in result.columns else ():
            wanted = normalize_header(spelling)
            used = set(result.columns.values())
            index = next((i for i, h in enumerate(headers) if i not in used
                          and wanted in (normalize_header(h), _without_brackets(h))), None)
            if index is not None:
                result.columns[field_spec.key] = index
                break
    for key, target in (overrides or {}).items():
        spec.field(key)  # KeyError for an unknown field
        result.columns.pop(key, None)
        if target is None:
            continue
        index = target if isinstance(target, int) else _find_header(result.headers, str(target))
        if index is None or not 0 <= index < len(headers):
            raise ValueError(f"找不到列“{target}”")
        for other, col in list(result.columns.items()):
            if col == index:
                del result.columns[other]
        result.columns[key] = index
    if overrides:  # the user chose these fields' columns: no clash left to report
        result.duplicates = [(key, index) for key, index in result.duplicates if key not in overrides]
    return result


def duplicate_columns(spec: KindSpec, mapping: ColumnMap, letters=()) -> list[str]:
    """One Chinese sentence part per field that two or more columns name:
    "“公民身份号码”：G 列“公民身份号码”和 H 列“身份证号”" (``letters``: a
    reshaped layout's own column letters)."""
    def name(index: int) -> str:
        letter = letters[index] if index < len(letters) and letters[index] else get_column_letter(index + 1)
        return f"{letter} 列“{mapping.headers[index]}”"

    found: dict[str, list[int]] = {}
    for key, index in mapping.duplicates:
        first = mapping.columns.get(key)
        found.setdefault(key, [first] if first is not None else []).append(index)
    return [f"“{spec.field(key).label}”：{'和 '.join(name(i) for i in sorted(columns))}"
            for key, columns in found.items()]


def missing_required(spec: KindSpec, mapping: ColumnMap) -> list[FieldSpec]:
    return missing_fields(spec, mapping.columns)


def missing_required_keys(spec: KindSpec, columns) -> list[str]:
    """The keys of the required fields not among ``columns`` (field keys),
    with those ``spec.together`` requires of the fields present."""
    keys = [f.key for f in spec.fields if f.required and f.key not in columns]
    keys += [b for a, b in spec.together if a in columns and b not in columns and b not in keys]
    return keys


def missing_fields(spec: KindSpec, columns) -> list[FieldSpec]:
    return [spec.field(k) for k in missing_required_keys(spec, columns)]


def display_header(header: object) -> str:
    """A header cell as ``ColumnMap.headers`` (and so every message) shows
    it: whole numbers without ".0", runs of spaces and line breaks as one space."""
    if header is None:
        return ""
    if isinstance(header, float) and header.is_integer():
        header = int(header)
    return " ".join(str(header).split())


def _find_header(headers: list[str], text: str) -> int | None:
    wanted = normalize_header(text)
    for index, header in enumerate(headers):
        if header == text or normalize_header(header) == wanted:
            return index
    return None
