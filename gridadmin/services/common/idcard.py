"""公民身份号码 (GB 11643-1999): check, normalise and mask ID numbers.

An 18-character number is 6-digit region code + 8-digit birth date
(YYYYMMDD) + 3-digit sequence (odd = male, even = female) + check character.
The check character is ``CHECK_CHARS[sum(digit[i] * WEIGHTS[i]) % 11]`` over
the first 17 digits. The same layout and check are used by

- 港澳居民居住证 (prefix 810000 / 820000) and 台湾居民居住证 (830000);
- the 2023 外国人永久居留身份证: "9", 2-digit province code where issued,
  3-digit nationality code (ISO 3166 numeric), birth date, 3-digit
  sequence, check character.

Old 15-digit numbers (region + YYMMDD + sequence, no check) are accepted and
converted to 18 digits by inserting "19" and computing the check character.

A number that Excel stored as a number has lost its last digits (Excel keeps
15 significant digits). That is reported as an error, never repaired.

Pure Python, no Qt.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import mul

from gridadmin.services.areas import divisions
from gridadmin.services.common.text import drop_invisible

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index: weighted sum mod 11

KIND_RESIDENT = "居民身份证"
KIND_RESIDENT_OLD = "居民身份证（15位旧号）"
KIND_HK_MACAU = "港澳居民居住证"
KIND_TAIWAN = "台湾居民居住证"
KIND_FOREIGN = "外国人永久居留身份证"
PERMIT_PREFIXES = {"810000": KIND_HK_MACAU, "820000": KIND_HK_MACAU, "830000": KIND_TAIWAN}

MIN_BIRTH_YEAR = 1900
ERROR_EMPTY = "身份证号码为空"
ERROR_LOST_DIGITS = "身份证号码被 Excel 存成了数字，末尾几位已丢失，无法恢复，请在原始资料中核对"

_ALLOWED = frozenset("0123456789X")
# Full-width ASCII (U+FF01..U+FF5E) -> half-width; U+3000 is removed as a space.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d*)?E[+-]?\d+", re.IGNORECASE)
_DECIMAL = re.compile(r"(\d+)\.0*")
_WEIGHT_OF_ZEROS = 48 * sum(WEIGHTS)  # the weighted sum of 17 "0" characters' byte values
_CHECK_ENDS = frozenset("0123456789X")


@dataclass
class IdCheck:
    """The result of :func:`check_id_number`.

    ``input`` is the value as given (as text). When ``valid`` is true,
    ``normalized`` is the 18-character form and ``birth_date``, ``gender``
    ("男"/"女") and ``kind`` are filled in; when it is false, ``error`` says
    why in Chinese and the other fields are None. ``warnings`` are notes
    that do not make the number invalid (15-digit conversion, unknown
    county code).
    """

    input: str
    valid: bool = False
    normalized: str | None = None
    birth_date: date | None = None
    gender: str | None = None
    kind: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready dict; ``birth_date`` as "YYYY-MM-DD" or None."""
        return {
            "input": self.input,
            "valid": self.valid,
            "normalized": self.normalized,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "gender": self.gender,
            "kind": self.kind,
            "error": self.error,
            "warnings": list(self.warnings),
        }


def compute_check_char(first17: str) -> str:
    """The check character ("0"-"9" or "X") for the first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"需要 17 位数字，收到 {first17!r}")
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def make_id_number(region6: str, birth: date, sequence3: int) -> str:
    """Build a valid 18-character number (odd ``sequence3`` = male)."""
    if len(region6) != 6 or not (region6.isascii() and region6.isdigit()):
        raise ValueError(f"地区码应为 6 位数字，收到 {region6!r}")
    if not 0 <= sequence3 <= 999:
        raise ValueError(f"顺序码应在 0–999 之间，收到 {sequence3}")
    first17 = f"{region6}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence3:03d}"
    return first17 + compute_check_char(first17)


def check_id_number(value: object, today: date | None = None) -> IdCheck:
    """Check one ID number as it arrives from a form or a spreadsheet cell.

    ``value`` may be str, int, float or None. Text is normalised first:
    spaces (incl. U+3000) removed, full-width characters made half-width,
    "x" upper-cased. ``today`` (default: the real date) bounds the birth
    date. Never raises for bad input; the result says what is wrong.
    """
    if type(value) is str:
        fast = fast_check(value, today or date.today())
        if fast is not None:
            return fast
    result = IdCheck(input="" if value is None else str(value))
    text, error, from_number = _prepare(value)
    if error is None:
        error = _check(text, today or date.today(), from_number, result)
    if error is not None:
        result.error = error
        result.valid = False
        result.normalized = result.birth_date = result.gender = result.kind = None
    else:
        result.valid = True
    return result


def fast_check(value: str, today: date) -> IdCheck | None:
    """The common case in one pass: an 18-character resident ID already
    clean and valid (the same result ``check_id_number`` gives). None means
    "take the full path" (which then finds and words whatever is wrong, or
    handles the rarer kinds)."""
    if len(value) != 18 or not value.isascii() or value[-1] not in _CHECK_ENDS or not value[:17].isdigit():
        return None
    head = value[:6]
    region = _region_note(head)
    if region is None:
        return None
    birth = _birth_of(value[6:14])
    if birth is None or birth > today:
        return None
    if CHECK_CHARS[(sum(map(mul, value[:17].encode(), WEIGHTS)) - _WEIGHT_OF_ZEROS) % 11] != value[17]:
        return None
    return IdCheck(value, True, value, birth, "男" if value[16] in "13579" else "女", KIND_RESIDENT,
                   warnings=[region] if region else [])


def fast_check_many(values: Sequence, today: date) -> tuple[list, list]:
    """:func:`fast_check` for a whole column at once, as array arithmetic
    (numpy, imported here: the app starts without it): checking 100,000
    numbers one by one takes about 0.5 s, this a tenth of it. Returns
    ``(birth_dates, males)``, for each value the birth date and whether
    the sequence digit is odd where ``fast_check`` gives a valid result
    without warnings, else ``None`` and ``None``: such a value takes the
    full path (``check_id_number``), which words what is wrong."""
    import numpy as np

    count = len(values)
    if not count:
        return [], []
    blank = " " * 18  # fails the digit test
    text = "".join([v if v.__class__ is str and len(v) == 18 and v.isascii() else blank for v in values])
    codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(count, 18)
    head = codes[:, :17].astype(np.int32) - 48
    last = codes[:, 17]
    ok = (head.astype(np.uint32) <= 9).all(axis=1) & (((last >= 48) & (last <= 57)) | (last == 88))  # 0-9, X
    head[~ok] = 0
    check_codes = np.frombuffer(CHECK_CHARS.encode("ascii"), dtype=np.uint8)
    ok &= check_codes[(head @ np.array(WEIGHTS, dtype=np.int32)) % 11] == last
    year = head[:, 6:10] @ np.array((1000, 100, 10, 1), dtype=np.int32)
    month = head[:, 10] * 10 + head[:, 11]
    day = head[:, 12] * 10 + head[:, 13]
    ok &= (year >= MIN_BIRTH_YEAR) & (month >= 1) & (month <= 12) & (day >= 1)
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    ok &= day <= ((months + 1).astype("datetime64[M]").astype("datetime64[D]") - first).astype(np.int32)
    births = first + np.where(ok, day - 1, 0).astype("timedelta64[D]")
    ok &= births <= np.datetime64(today, "D")
    region = head[:, :6] @ np.array([10 ** (5 - i) for i in range(6)], dtype=np.int32)
    slow = [code for code in np.unique(region[ok]).tolist() if _region_note(f"{code:06d}") != ""]
    if slow:  # an unknown county (a warning), a permit, a foreigner's number: the full path
        ok &= ~np.isin(region, slow)
    valid = ok.tolist()
    return ([b if k else None for b, k in zip(births.tolist(), valid)],
            [m if k else None for m, k in zip((head[:, 16] % 2 == 1).tolist(), valid)])


@lru_cache(maxsize=4096)
def _region_note(code6: str) -> str | None:
    """'' for a known county, the full path's warning for an unknown one in
    a known province, None when the fast path does not apply."""
    if code6[0] == "9" or code6 in PERMIT_PREFIXES or not divisions.is_known_province(code6[:2]):
        return None
    result = IdCheck(code6)
    result.kind = KIND_RESIDENT
    if _check_region(code6 + "0" * 11, result) is not None:
        return None
    return result.warnings[0] if result.warnings else ""


@lru_cache(maxsize=65536)
def _birth_of(digits: str) -> date | None:
    """The birth date of valid YYYYMMDD digits from MIN_BIRTH_YEAR on."""
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    if year < MIN_BIRTH_YEAR or not 1 <= month <= 12:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _prepare(value: object) -> tuple[str, str | None, bool]:
    """(normalised text, error or None, whether the value was a number)."""
    if value is None:
        return "", ERROR_EMPTY, False
    if isinstance(value, bool):
        return "", f"{value} 不是身份证号码", False
    if isinstance(value, float):
        if math.isnan(value):
            return "", ERROR_EMPTY, False
        if math.isinf(value) or abs(value) >= 1e15:
            return "", ERROR_LOST_DIGITS, True  # 16+ digits cannot survive a float
        if value.is_integer():
            return str(int(value)), None, True
        return repr(value), None, True
    if isinstance(value, int):
        return str(value), None, True
    text = "".join(c for c in drop_invisible(str(value)) if not c.isspace())
    text = text.translate(_HALF_WIDTH).replace("x", "X")
    if not text:
        return "", ERROR_EMPTY, False
    if _SCIENTIFIC.fullmatch(text):
        return text, ERROR_LOST_DIGITS, True
    decimal = _DECIMAL.fullmatch(text)  # "110105491231002.0": a number turned into text
    if decimal:
        digits = decimal.group(1)
        return digits, (ERROR_LOST_DIGITS if len(digits) > 15 else None), True
    return text, None, False


def _check(text: str, today: date, from_number: bool, result: IdCheck) -> str | None:
    """Fill ``result`` from normalised ``text``; return an error or None."""
    bad = "".join(dict.fromkeys(c for c in text if c not in _ALLOWED))
    if bad:
        shown = "".join(f"「{c}」" for c in bad)
        return f"含有非法字符 {shown}：只能是数字，第 18 位可以是 X"
    if len(text) not in (15, 18):
        return f"长度为 {len(text)} 位，应为 18 位（或 15 位旧号）"
    if "X" in text[:-1] or (len(text) == 15 and "X" in text):
        return "X 只能出现在第 18 位（校验码）"

    if len(text) == 15:
        first17 = text[:6] + "19" + text[6:]
        result.kind = KIND_RESIDENT_OLD
    else:
        first17 = text[:17]
        if text[0] == "9":
            result.kind = KIND_FOREIGN
        else:
            result.kind = PERMIT_PREFIXES.get(text[:6], KIND_RESIDENT)

    error = _check_region(first17, result)
    if error is None:
        error = _check_birth(first17[6:14], today, result)
    if error is not None:
        return error

    expected = compute_check_char(first17)
    if len(text) == 18 and text[17] != expected:
        if _looks_rounded(text, from_number):
            return ERROR_LOST_DIGITS
        return f"校验码错误：应为 {expected}，实为 {text[17]}"
    result.normalized = first17 + expected
    result.gender = "男" if int(first17[16]) % 2 else "女"
    if len(text) == 15:
        result.warnings.append(f"15 位旧号已按规则升为 18 位：{result.normalized}")
    return None


def _check_region(first17: str, result: IdCheck) -> str | None:
    if result.kind == KIND_FOREIGN:
        code = first17[1:3]
        if divisions.province(code) is None:
            return (f"省份代码无效：前两位 {first17[:2]} 不是省份代码；按外国人永久居留身份证"
                    f"看第 2–3 位，{code} 也不是省份代码")
        return None
    if result.kind in (KIND_HK_MACAU, KIND_TAIWAN):
        return None
    code = first17[:2]
    if not divisions.is_known_province(code):
        return f"前两位省份代码 {code} 无效（不是任何省、自治区、直辖市）"
    region = first17[:6]
    if not divisions.is_known_county(region):
        result.warnings.append(
            f"地区码 {region} 不在现行县级行政区划表中（可能是已撤并的旧地区），请核对"
        )
    return None


def _check_birth(digits: str, today: date, result: IdCheck) -> str | None:
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    if not 1 <= month <= 12:
        return f"出生日期 {digits} 不存在：月份 {month} 无效"
    try:
        birth = date(year, month, day)
    except ValueError:
        return f"出生日期 {digits} 不存在：{year} 年 {month} 月没有 {day} 日"
    if year < MIN_BIRTH_YEAR:
        return f"出生日期 {birth.isoformat()} 早于 {MIN_BIRTH_YEAR} 年"
    if birth > today:
        return f"出生日期 {birth.isoformat()} 晚于今天（{today.isoformat()}）"
    result.birth_date = birth
    return None


def _looks_rounded(text: str, from_number: bool) -> bool:
    """Does an 18-digit number with a wrong check look like Excel rounding?

    Excel keeps 15 significant digits, so the tail becomes "000"; a value
    that went through a float in a program becomes a float-exact integer.
    """
    if not text.isdigit():
        return False
    if len(text.rstrip("0")) <= 15:
        return True
    return from_number and int(float(text)) == int(text)


def _mask_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(str(value).split())  # every whitespace character dropped (split() is str.isspace's)


def mask_id_number(s: object) -> str:
    """Show the first 6 and last 4 characters: "110101********1234".

    Shorter numbers (passports, 通行证: 6 to 10 characters) show the first
    and the last two: "E******78"; 5 characters or fewer are masked
    completely.
    """
    text = _mask_text(s)
    if len(text) <= 5:
        return "*" * len(text)
    if len(text) <= 10:
        return text[0] + "*" * (len(text) - 3) + text[-2:]
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_phone(s: object) -> str:
    """Show the first 3 and last 4 characters: "138****5678".

    Values of fewer than 8 characters are masked completely.
    """
    text = _mask_text(s)
    if len(text) < 8:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def number_formatters(show_full: bool):
    """``(id_text, phone_text)`` for list columns: full numbers only when
    ``show_full``, else masked (first 6 / last 4; 138****5678)."""
    if show_full:
        return (lambda r: r.id_number or ""), (lambda r: r.phone or "")
    return (lambda r: mask_id_number(r.id_number)), (lambda r: mask_phone(r.phone))
