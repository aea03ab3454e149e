"""What the import wizard shows before the dry run: the file's sheets, the
sheet the pipeline would pick, its header row and the automatic column
mapping — without refusing when a required column is not matched (the
user maps it by hand; ``load_table`` then gets the choice as overrides).

No Qt here; the wizard calls ``inspect_file`` in a worker thread.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from openpyxl.utils import get_column_letter

from gridadmin.services.importing.filing_unit import added_column
from gridadmin.services.importing.headers import find_header_row, header_score
from gridadmin.services.importing.mapping import FieldSpec, KindSpec, map_columns, missing_fields
from gridadmin.services.importing.pipeline import FileRead, kind_of, read_file
from gridadmin.services.importing.reading import SheetData
from gridadmin.services.importing.samples import read_as
from gridadmin.services.importing.sniff import FileRefused
from gridadmin.services.common.progress import Job, Progress

SAMPLE_ROWS = 30


@dataclass(frozen=True)
class FileOverview:
    """``columns``: field key → 0-based column of the automatic mapping;
    ``samples``: the first non-empty value under each header (as text)."""

    path: str
    file_name: str
    kind: str
    sheet_names: tuple[str, ...]
    sheet_name: str
    detected_sheet: str
    header_row: int  # Excel row number
    headers: tuple[str, ...]
    columns: dict[str, int]
    samples: tuple[str, ...]
    data_rows: int
    note: str = ""  # about a reshaped layout (side-by-side sign-in groups), for the mapping step
    letters: tuple[str, ...] = ()  # a reshaped layout's columns as the file has them ('' = not in the file)
    households: int = 0  # the wide household layout: households (``data_rows`` counts people)
    read: FileRead | None = field(default=None, compare=False, repr=False)  # for ``load_table(read=…)``
    duplicates: tuple[tuple[str, int], ...] = ()  # (field, column) also naming a field of ``columns``
    raw_samples: tuple = ()  # the cells behind ``samples``, as read

    def sample(self, column: int, key: str | None) -> str:
        """The first value under ``column`` as the import reads it for the
        field ``key`` (or the refusal the import would give; see ``samples``)."""
        if column >= len(self.raw_samples):
            return self.samples[column] if column < len(self.samples) else ""
        return read_as(kind_of(self.kind).spec, key, self.raw_samples[column], self.headers[column])

    def field_of(self, column: int) -> str | None:
        """The field the column maps to; a second column naming the same
        field shows it too, so the mapping step shows the clash to resolve."""
        found = next((key for key, index in self.columns.items() if index == column), None)
        return found or next((key for key, index in self.duplicates if index == column), None)


def kind_fields(kind: str) -> tuple[FieldSpec, ...]:
    return kind_of(kind).spec.fields


def missing_required(kind: str, chosen: dict[str, int]) -> list[FieldSpec]:
    """Required fields of ``kind`` not in ``chosen`` (field key → column)."""
    return missing_fields(kind_of(kind).spec, chosen)


def overrides_for(kind: str, chosen: dict[str, int]) -> dict[str, int | None]:
    """The user's whole mapping as ``load_table`` overrides: every field is
    either the chosen column or explicitly unmapped."""
    return {f.key: chosen.get(f.key) for f in kind_fields(kind)}


def _detect(spec: KindSpec, sheets: list[SheetData]) -> SheetData:
    """The sheet ``pick_table`` would choose: the one whose header names
    most fields (the first on a tie; the first sheet when none has one)."""
    scored = []
    for order, sheet in enumerate(sheets):
        index = find_header_row(spec, sheet.rows)
        if index is not None:
            scored.append((-header_score(spec, sheet.rows[index]), order, sheet))
    return min(scored, key=lambda t: t[:2])[2] if scored else sheets[0]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return " ".join(str(value).split())


def overview_of(spec: KindSpec, sheet: SheetData, path, detected: str) -> FileOverview:
    index = find_header_row(spec, sheet.rows)
    if index is None:
        names = "、".join(f.label for f in spec.fields if f.required) or spec.fields[0].label
        raise FileRefused(f"文件“{sheet.file_name}”的工作表“{sheet.sheet_name}”中找不到{spec.label}表头"
                          f"（前 12 行中没有包含 {names} 等列名的行）。请换一个工作表，或检查导入类型是否选对。",
                          field="header", value=sheet.sheet_name)
    mapping = map_columns(spec, sheet.rows[index])
    width = len(mapping.headers)
    raw = [None] * width
    for r in range(index + 1, min(len(sheet.rows), index + 1 + SAMPLE_ROWS)):
        row = sheet.rows[r]
        for c in range(min(width, len(row))):
            if raw[c] is None and (r, c) not in sheet.problems and _text(row[c]):
                raw[c] = row[c]
    by_column = {c: key for key, c in mapping.columns.items()}
    samples = [read_as(spec, by_column.get(c), raw[c], mapping.headers[c]) for c in range(width)]
    data_rows = sum(1 for row in sheet.rows[index + 1:] if any(_text(v) for v in row))
    return FileOverview(str(path), Path(path).name, spec.key, tuple(sheet.sheet_names), sheet.sheet_name, detected,
                        index + 1, tuple(mapping.headers), dict(mapping.columns), tuple(samples), data_rows,
                        "\n".join(n for n in (getattr(sheet.layout, "note", ""),
                                              sheet.footer.note + "。" if sheet.footer is not None else "") if n),
                        tuple(getattr(sheet.layout, "letters", ())) or _letters(mapping.headers),
                        getattr(sheet.layout, "households", 0), duplicates=tuple(mapping.duplicates),
                        raw_samples=tuple(raw))


def _letters(headers) -> tuple[str, ...]:
    """Column letters when a column was added from the 填报单位 block or the
    title (it has no letter in the file: "填报单位"/"表名" stands in); ()
    otherwise (the letters follow from the positions)."""
    added = [added_column(h) for h in headers]
    if not any(added):
        return ()
    return tuple(a or get_column_letter(c + 1) for c, a in enumerate(added))


def inspect_file(path: str | os.PathLike, kind: str, sheet: str | None = None) -> FileOverview:
    """Read the file (``FileRefused`` with the reason when it cannot be
    read or ``sheet`` has no recognisable header) and map its columns."""
    spec = kind_of(kind).spec
    read = read_file(path, kind, sheet)
    sheets = read.sheets
    detected = _detect(spec, sheets).sheet_name if sheet is None else sheet
    chosen = next(s for s in sheets if s.sheet_name == detected)
    return replace(overview_of(spec, chosen, path, detected), read=read)


def inspect_job(path: str | os.PathLike, kind: str, sheet: str | None = None) -> Job[FileOverview]:
    """``inspect_file`` as a progress job for the UI's worker thread."""
    yield Progress(0, 1, f"正在读取“{Path(path).name}”…")
    return inspect_file(path, kind, sheet)
