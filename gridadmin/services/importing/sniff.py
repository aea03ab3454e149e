"""What a file really is, checked before any parser sees it.

The extension is not trusted: a renamed .docx, random bytes, an empty
file, a password-protected workbook and a zip bomb disguised as .xlsx are
all refused here with a Chinese reason. Only the zip directory (declared
sizes) and the first bytes are read, so a bomb never gets decompressed.
"""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

from gridadmin.services.common.errors import ValidationError

FORMAT_XLSX = "xlsx"  # also .xlsm (same container)
FORMAT_XLS = "xls"
FORMAT_ODS = "ods"
FORMAT_CSV = "csv"

MAX_FILE_BYTES = 200 * 1024 * 1024  # on disk
MAX_MEMBER_BYTES = 400 * 1024 * 1024  # one part of the zip, uncompressed
MAX_TOTAL_BYTES = 800 * 1024 * 1024  # all parts, uncompressed
MAX_RATIO = 250  # uncompressed / compressed, for parts above RATIO_FLOOR
RATIO_FLOOR = 2 * 1024 * 1024

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_NAMES = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"


LYING_ZIP = ("文件已损坏或被篡改：zip 目录中声明的大小与实际数据不符（可能下载或拷贝不完整）。"
             "请重新获取原文件，或在 Excel 中打开后另存为新的 .xlsx 再导入。")


class FileRefused(ValidationError):
    """The file cannot be read as a spreadsheet; ``message`` names the file
    and the reason (exit code 2 on the command line)."""


def refuse(path: str | os.PathLike, reason: str) -> FileRefused:
    return FileRefused(f"无法读取文件“{Path(path).name}”：{reason}", field="file", value=str(path))


def detect_format(path: str | os.PathLike) -> str:
    """One of the FORMAT_* constants, or raise :class:`FileRefused`."""
    p = Path(path)
    try:
        size = p.stat().st_size
        with open(p, "rb") as handle:
            head = handle.read(8192)
    except FileNotFoundError:
        raise refuse(p, "文件不存在。") from None
    except OSError as exc:
        raise refuse(p, f"无法打开（{exc.strerror or exc}）。") from None
    if size == 0:
        raise refuse(p, "文件是空的（0 字节）。")
    if size > MAX_FILE_BYTES:
        raise refuse(p, f"文件过大（{size / 1048576:.0f} MB），最多 {MAX_FILE_BYTES // 1048576} MB。")
    if head.startswith(_ZIP_MAGIC) or head.startswith(_EMPTY_ZIP_MAGIC):
        return _check_zip(p, size)
    if head.startswith(_CFB_MAGIC):
        if _is_encrypted_cfb(p):
            raise refuse(p, "工作簿设置了打开密码（已加密），请在 Excel 中取消密码后另存再导入。")
        return FORMAT_XLS
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") and _looks_like_text(_utf16_sample(head)):
        if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            raise refuse(p, f"扩展名是 {p.suffix}，但内容是 UTF-16 编码的纯文本（Excel 的“Unicode 文本”），"
                            "不是 Excel 工作簿：请把扩展名改为 .txt 或 .csv 后再导入。")
        return FORMAT_CSV
    if _looks_like_text(head):
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            raise refuse(p, f"扩展名是 {p.suffix}，但内容是纯文本，不是 Excel 工作簿（如是 CSV，请改扩展名为 .csv）。")
        return FORMAT_CSV
    raise refuse(p, "不是表格文件：内容既不是 Excel 工作簿（.xlsx/.xls），也不是 CSV 文本。")


def _check_zip(p: Path, size: int) -> str:
    try:
        with zipfile.ZipFile(p) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, KeyError):
        raise refuse(p, "文件已损坏：是 zip 压缩格式，但目录无法读取。") from None
    if not _sizes_agree(p, infos, size):
        raise refuse(p, LYING_ZIP)
    if "word/document.xml" in names:
        raise refuse(p, "这是 Word 文档（.docx），不是 Excel 表格。")
    if "ppt/presentation.xml" in names:
        raise refuse(p, "这是 PowerPoint 演示文稿，不是 Excel 表格。")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
            raise refuse(p, f"解压后体积异常（声明 {total / 1048576:.0f} MB 以上），疑似“压缩炸弹”，已拒绝。")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise refuse(p, f"压缩比异常（{info.filename} 约 {info.file_size // max(info.compress_size, 1)} 倍），"
                            "疑似“压缩炸弹”，已拒绝。")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse(p, f"使用了不支持的压缩方式（{info.compress_type}）。")
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
            raise refuse(p, "这是 Excel 二进制工作簿（.xlsb），请另存为 .xlsx 后导入。")
        return FORMAT_XLSX
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return FORMAT_ODS
    raise refuse(p, "是 zip 压缩文件，但不是 Excel 工作簿（缺少 xl/workbook.xml）。")


def _sizes_agree(p: Path, infos: list, size: int) -> bool:
    """Whether every part's local header agrees with the zip directory on
    its sizes (the directory is what the bomb check reads; a reader
    inflates what the local header and the data say) and the parts fit in
    the file without overlapping."""
    spans = []
    with open(p, "rb") as handle:
        for info in infos:
            handle.seek(info.header_offset)
            local = handle.read(30)
            if len(local) < 30 or local[:4] != b"PK\x03\x04":
                return False
            flags, method = struct.unpack("<HH", local[6:10])
            compressed, uncompressed = struct.unpack("<II", local[18:26])
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            if method != info.compress_type:
                return False
            if not flags & 0x08 and (compressed, uncompressed) != (info.compress_size, info.file_size) \
                    and 0xFFFFFFFF not in (compressed, uncompressed):
                return False
            start = info.header_offset + 30 + name_len + extra_len
            spans.append((start, start + info.compress_size))
    spans.sort()
    return all(end <= size for _, end in spans) and all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def _is_encrypted_cfb(p: Path) -> bool:
    """An encrypted .xlsx is an OLE container with EncryptionInfo and
    EncryptedPackage streams; their names sit in the directory sectors."""
    with open(p, "rb") as handle:
        data = handle.read(min(p.stat().st_size, 64 * 1024 * 1024))
    return all(name in data for name in _ENCRYPTED_NAMES)


def _utf16_sample(head: bytes) -> bytes:
    """The start of a UTF-16 text (with BOM) as UTF-8, for the text test."""
    return head[:len(head) // 2 * 2].decode("utf-16", "replace").encode("utf-8")


def _looks_like_text(head: bytes) -> bool:
    """Text in UTF-8 or GB18030 without NUL and with few other control
    characters. A few stray ones (a bell or escape pasted into a cell) are
    still text: the rows holding them are reported cell by cell later, so
    the allowance is 16 or one character in 20, whichever is more."""
    if b"\x00" in head:
        return False
    sample = head
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = sample.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            if exc.start >= len(sample) - 4:  # a character cut at the end of the sample
                sample = sample[:exc.start]
                try:
                    text = sample.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
    else:
        return False
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    return control <= max(16, len(text) // 20)
