"""Builders of the messy workbooks the import tests use (made here with
openpyxl and zipfile, never stored), plus checks of the builders."""

from __future__ import annotations

import struct
import zipfile
from datetime import date
from pathlib import Path

import openpyxl

from gridadmin.services.common.idcard import make_id_number

REGION = "411302"  # 宛城区
HEADERS = ["序号", "社区*", "网格*", "户号*", "与户主\n关系*", "姓  名*", "公民身份号码*", "性别", "出生日期",
           "民族", "政治面貌", "文化程度", "婚姻状况", "人口类别", "联系电话"]


def pid(birth: date, seq: int) -> str:
    return make_id_number(REGION, birth, seq)


def person(no: str, relation: str, name: str, birth: date, seq: int, **extra) -> dict:
    values = {"户号*": no, "与户主\n关系*": relation, "姓  名*": name, "公民身份号码*": pid(birth, seq),
              "性别": "男" if seq % 2 else "女", "出生日期": birth, "民族": "汉", "政治面貌": "群众",
              "文化程度": "高中", "婚姻状况": "已婚", "人口类别": "户籍", "联系电话": "13800138000"}
    values.update(extra)
    return values


def write_workbook(path: Path, rows: list[dict], *, headers=HEADERS, titles=("东关街道人口登记表", "填报单位：东关街道"),
                   community=("河街社区", "一网格"), merge_community: bool = True, empty_formatted_rows: int = 0,
                   sheet_title: str = "人口", extra_sheets=()) -> Path:
    """A residents workbook: title rows, ``*``/line-break headers, the
    community and grid columns written only on the first data row (merged
    when ``merge_community``), optional formatted empty rows at the end."""
    wb = openpyxl.Workbook()
    for name in extra_sheets:
        wb.create_sheet(name).append(["说明", "本表为下拉列表"])
    ws = wb.active
    ws.title = sheet_title
    if extra_sheets:
        wb.move_sheet(ws, offset=len(extra_sheets))
    for title in titles:
        ws.append([title])
    ws.append(list(headers))
    first = len(titles) + 2
    for i, row in enumerate(rows):
        values = {"序号": float(i + 1), "社区*": community[0] if i == 0 else None,
                  "网格*": community[1] if i == 0 else None, **row}
        ws.append([values.get(h) for h in headers])
    if merge_community and len(rows) > 1:
        last = first + len(rows) - 1
        ws.merge_cells(start_row=first, start_column=2, end_row=last, end_column=2)
    for r in range(first + len(rows), first + len(rows) + empty_formatted_rows):
        ws.cell(r, 7).number_format = "@"
    wb.save(path)
    return path


def zip_bomb(path: Path, size_mb: int = 1024, level: int = 1) -> Path:
    """A small .xlsx-looking zip whose sheet inflates to ``size_mb``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"<c>" + b"0" * (1024 * 1024 - 3)
            for _ in range(size_mb):
                member.write(block)
    return path


def encrypted_workbook(path: Path) -> Path:
    """An OLE compound file with EncryptionInfo / EncryptedPackage streams:
    what Excel writes for a workbook with an open password."""
    sector = 512
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    info = b"\x04\x00\x04\x00" + b"\x00" * (4096 - 4)  # agile encryption header, padded to 4096
    package = struct.pack("<Q", 8000) + b"\x5a" * (4096 - 8)
    # sectors: 0 FAT, 1 directory, 2..9 EncryptionInfo, 10..17 EncryptedPackage
    fat = [fat_sect, end] + list(range(3, 10)) + [end] + list(range(11, 18)) + [end]
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, child=free, right=free) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1) + struct.pack("<III", free, right, child)
                + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", start, size))

    directory = (entry("Root Entry", 5, end, 0, child=1) + entry("EncryptionInfo", 2, 2, len(info), right=2)
                 + entry("EncryptedPackage", 2, 10, len(package)) + entry("", 0, free, 0))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIII", 0, 1, 1, 0, 4096, end, 0, end) + struct.pack("<I", free))
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    path.write_bytes(header.ljust(sector, b"\0") + struct.pack("<128I", *fat) + directory + info + package)
    return path


def renamed_docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return path


def test_builders_make_what_they_say(tmp_path):
    book = write_workbook(tmp_path / "a.xlsx", [person("H1", "户主", "李  云", date(1990, 1, 2), 11)])
    assert openpyxl.load_workbook(book).active["A3"].value == "序号"
    assert (tmp_path / "b.xlsx").exists() is False
    assert zipfile.ZipFile(zip_bomb(tmp_path / "b.xlsx", 8)).infolist()[-1].file_size == 8 * 1024 * 1024
    assert encrypted_workbook(tmp_path / "c.xlsx").read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
