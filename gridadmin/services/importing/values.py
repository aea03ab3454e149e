"""Cell values → typed values: text, names, dates, phones, code-list
spellings. Each parser returns the value (None for an empty cell) or
raises :class:`CellError` with a Chinese message; nothing is guessed."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from gridadmin.services.common.code_seed import AMBIGUOUS
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.text import clean_name, clean_text, to_halfwidth
from gridadmin.services.common.xlsx import FORMULA_START

MAX_CELL_CHARS = 500
EXCEL_EPOCH = date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1900, 2100
EXACT_FLOAT_LIMIT = 2 ** 53  # from here on a float cannot hold every integer: digits are lost
EXCEL_DIGITS_LIMIT = 10 ** 15  # Excel keeps 15 significant digits; a 16th typed digit becomes 0


@dataclass(frozen=True)
class CellProblem:
    """A cell that cannot be used (#N/A, an uncached formula, a formula in a
    text column) of an unfolded sheet (side-by-side sign-in groups, the wide
    household layout), carried in the cell itself: the people of one Excel
    row share its row number, so ``SheetData.problems`` (keyed by row and
    column) cannot tell them apart. Shown as an empty cell (preview, error
    export); the readers turn it into ``message`` on the row. ``written``:
    the cell holds what someone wrote (a formula), so its place is not empty
    (an error cell alone does not make an attendee)."""

    message: str
    written: bool = False

    def __str__(self) -> str:
        return ""


class CellError(ValueError):
    """A cell that cannot be used; ``message`` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


QUOTED_CHARS = 30


def quote(value) -> str:
    """A value as a message quotes it: at most ``QUOTED_CHARS`` characters
    (the cell itself is shown and copied in full beside the message)."""
    text = str(value)
    return text if len(text) <= QUOTED_CHARS else text[:QUOTED_CHARS] + "…"


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_PLAIN = re.compile(r"[\u0021-\u007e\u4e00-\u9fff]+(?: [\u0021-\u007e\u4e00-\u9fff]+)*")


def text_value(value, max_length: int = 100) -> str | None:
    """Trimmed text: half-width digits/letters, control characters removed,
    white space folded; refused when longer than ``max_length``. The
    apostrophe an export puts before = + - @ is dropped."""
    if is_blank(value):
        return None
    if type(value) is str and value[:1] == "'" and value[1:2] in FORMULA_START:
        value = value[1:]  # neutralised on export (services.xlsx.safe_cell): the text itself
    if type(value) is str and len(value) <= max_length and _PLAIN.fullmatch(value):
        return value  # already clean: ASCII and common CJK, single spaces
    if isinstance(value, float) and not (math.isfinite(value) and abs(value) < EXACT_FLOAT_LIMIT):
        raise lost_digits(value)
    if isinstance(value, (datetime, date)):
        value = value.isoformat()
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS * 4:
        raise CellError(f"内容过长（{len(value)} 字），最多 {max_length} 字")
    text = clean_text(value)
    if len(text) > max_length:
        raise CellError(f"内容过长（{len(text)} 字），最多 {max_length} 字")
    return text or None


# ---- identifiers (户号, 网格编码, 证书编号 …) -----------------------------------
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE]\+\d{1,3}")  # 4.11324E+18: how Excel shows a long number


def _shown_number(value) -> str:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < EXCEL_DIGITS_LIMIT:
        return str(int(value))
    if isinstance(value, float) and math.isfinite(value) and abs(value) >= EXCEL_DIGITS_LIMIT:
        return f"{value:.15G}"  # as Excel shows it (4.1132400300101E+18)
    return str(value)


def lost_digits(value, what: str = "") -> CellError:
    """The refusal of a number cell whose digits Excel (or a float) could not
    keep: nothing is repaired, the clerk re-types it in a text column."""
    return CellError(f"{what}“{_shown_number(value)}”被 Excel 存成了数字（科学计数法），超过 15 位的数字末尾几位已丢失，"
                     f"无法恢复；请把这一列的单元格格式设为“文本”，再按原始资料重新填写")


def code_text_value(value, max_length: int = 30, what: str = "") -> str | None:
    """An identifier kept as text (户号, 网格编码, 证书编号 …). A number cell is
    used only when its float holds the number exactly (12345.0 → "12345");
    one with a fractional part, one beyond 2**53 or a 16-digit one ending in
    0 (Excel's 15-digit cut) lost digits, and scientific text (4.11324E+18,
    a CSV saved by Excel) is refused the same way. ``what`` names the
    column in the message (户号)."""
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= EXACT_FLOAT_LIMIT or \
                (value.is_integer() and abs(value) >= EXCEL_DIGITS_LIMIT and value % 10 == 0):
            raise lost_digits(value, what)
        if not value.is_integer():
            raise CellError(f"{what}“{value!r}”是带小数的数字，不是编码：Excel 把它当成了数字（开头或末尾的 0 可能已丢失）；"
                            f"请把这一列的单元格格式设为“文本”，再按原始资料重新填写")
        value = int(value)
    text = text_value(value, max_length)
    if text is not None and _SCIENTIFIC.fullmatch(text):
        raise lost_digits(text, what)
    return text


_PLAIN_NAME = re.compile(r"[\u0021-\u002f\u003a-\u007e\u4e00-\u9fff]+")  # no digits, no spaces


def name_value(value, max_length: int = 50) -> str | None:
    """A person's name, padding removed ("李  云" → 李云)."""
    if type(value) is str and len(value) <= max_length and _PLAIN_NAME.fullmatch(value):
        return value  # already clean
    text = text_value(value, max_length=max_length)
    if text is None:
        return None
    name = clean_name(text)
    if any(ch.isdigit() for ch in name):
        raise CellError("姓名中不应有数字")
    return name


# ---- dates ---------------------------------------------------------------
_FULL = re.compile(r"(\d{4})\s*[./\-年]\s*(\d{1,2})\s*[./\-月]\s*(\d{1,2})\s*日?(?:\s+0{1,2}:0{2}(?::0{2})?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH = re.compile(r"(\d{4})\s*[./\-年]\s*(\d{1,2})\s*月?")
_COMPACT_MONTH = re.compile(r"(\d{4})(\d{2})")
# 19900102.0 as text: a number cell turned into text by a program that wrote
# it with its decimal point (a CSV from a script); read as the number would be.
_COMPACT_DECIMAL = re.compile(r"(\d{8}|\d{6})\.0+")
_SHORT_YEAR = re.compile(r"(\d{2})\s*[./\-年]\s*(\d{1,2})(?:\s*[./\-月]\s*(\d{1,2})\s*日?)?")
_YEAR_LAST = re.compile(r"(\d{1,2})\s*[./\-]\s*(\d{1,2})\s*[./\-]\s*(\d{4})")
_YEAR_LAST_SHORT = re.compile(r"(\d{1,2})\s*[./\-]\s*(\d{1,2})\s*[./\-]\s*(\d{2})")


def _make(year: int, month: int, day: int, shown: str) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CellError(f"日期“{shown}”的年份 {year} 不合理")
    if not 1 <= month <= 12:
        raise CellError(f"日期“{shown}”的月份 {month} 无效")
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"日期“{shown}”不存在：{year} 年 {month} 月没有 {day} 日") from None


def _two_digit_year(shown: str) -> CellError:
    return CellError(f"日期“{shown}”的年份只有两位，无法确定是哪个世纪，请写四位年份（如 1990.01.02）")


def _six_digits(text: str, allow_month: bool) -> tuple[date, bool]:
    """199001 is a year and month; 900102 (year, month, day with a two-digit
    year) is refused, never guessed."""
    year, month = int(text[:4]), int(text[4:])
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        if 1 <= int(text[2:4]) <= 12 and 1 <= int(text[4:]) <= 31:
            raise _two_digit_year(text)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CellError(f"“{quote(text)}”不是可识别的日期（可写 1990.01.02、1990-1-2、1990年1月2日 或 19900102）")
    if not allow_month:
        raise CellError(f"日期“{text}”只有年和月，缺少日")
    return _make(year, month, 1, text), True


def date_value(value, *, allow_month: bool = False) -> tuple[date, bool] | None:
    """``(date, month_only)``; ``month_only`` dates are the 1st of the month
    and only allowed where ``allow_month`` (出生年月 columns). There a date
    cell is read as its year and month too: Excel keeps 1988年4月 typed into
    a cell as the date 1988-04-01."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date(), allow_month
    if isinstance(value, date):
        return value, allow_month
    if isinstance(value, bool):
        raise CellError(f"“{quote(value)}”不是日期")
    if isinstance(value, (int, float)):
        return _date_from_number(value, allow_month)
    if not isinstance(value, str):
        raise CellError(f"“{quote(value)}”不是日期")
    text = to_halfwidth(value, punctuation=True).strip()
    if m := _COMPACT_DECIMAL.fullmatch(text):
        text = m[1]
    if m := _FULL.fullmatch(text):
        return _make(int(m[1]), int(m[2]), int(m[3]), text), False
    if m := _COMPACT.fullmatch(text):
        return _make(int(m[1]), int(m[2]), int(m[3]), text), False
    if _COMPACT_MONTH.fullmatch(text):
        return _six_digits(text, allow_month)
    if m := _MONTH.fullmatch(text):
        if not allow_month:
            raise CellError(f"日期“{text}”只有年和月，缺少日")
        return _make(int(m[1]), int(m[2]), 1, text), True
    if _SHORT_YEAR.fullmatch(text) or _YEAR_LAST_SHORT.fullmatch(text):
        raise _two_digit_year(text)
    if m := _YEAR_LAST.fullmatch(text):
        a, b = int(m[1]), int(m[2])
        if a <= 12 and b <= 12 and a != b:
            raise CellError(f"日期“{text}”无法确定哪个是月、哪个是日，请写成 {m[3]}.月.日 的形式")
        month, day = (a, b) if b > 12 else (b, a)
        return _make(int(m[3]), month, day, text), False
    raise CellError(f"“{quote(text)}”不是可识别的日期（可写 1990.01.02、1990-1-2、1990年1月2日 或 19900102）")


def _date_from_number(value, allow_month: bool) -> tuple[date, bool]:
    if isinstance(value, float) and not value.is_integer():
        shown = repr(value)
        year, _, frac = shown.partition(".")
        if allow_month and len(year) == 4 and len(frac) <= 2:
            if len(frac) == 1 and frac != "0":
                raise CellError(f"“{shown}”是数字单元格，可能是 {year} 年 {frac} 月，也可能是 {frac}0 月"
                                f"（末尾的 0 被 Excel 去掉了），请改为文本 {year}.0{frac} 或 {year}.{frac}0")
            return _make(int(year), int(frac), 1, shown), True
        if 1 <= value < 2958466 and not allow_month:
            value = int(value)  # a serial with a time of day
        else:
            raise CellError(f"“{quote(shown)}”不是日期")
    number = int(value)
    if 19000101 <= number <= 21001231:
        text = str(number)
        return _make(int(text[:4]), int(text[4:6]), int(text[6:]), text), False
    if 100000 <= number <= 999999:
        return _six_digits(str(number), allow_month)
    if 1 <= number <= 73050:  # Excel serial up to 2099-12-31
        return EXCEL_EPOCH + timedelta(days=number), False
    raise CellError(f"“{quote(number)}”不是日期")


# ---- phones --------------------------------------------------------------
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_PHONE_NOISE = re.compile(r"[\s()（）]")
_PHONE_DECIMAL = re.compile(r"(\d{7,12})\.0+")
_LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?|(\d{7,8})")


def phone_value(value) -> str | None:
    """A phone number as text: 13800138000.0 → "13800138000"; mobile
    numbers lose +86 and separators; landlines keep ``area-number``."""
    if type(value) is str and _PLAIN_MOBILE.fullmatch(value):
        return value  # the common case: an 11-digit mobile number as text
    if is_blank(value):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"“{quote(value)}”不是电话号码")
        value = int(value)
    text = to_halfwidth(str(value), punctuation=True).strip()
    if m := _PHONE_DECIMAL.fullmatch(text):  # 13800138000.0 as text (see _COMPACT_DECIMAL)
        text = m[1]
    compact = _PHONE_NOISE.sub("", text)
    if m := _MOBILE.fullmatch(compact.replace("-", "")):
        return m[1]
    if m := _LANDLINE.fullmatch(compact):
        if m[4]:
            return m[4]
        return f"{m[1]}-{m[2]}" + (f"-{m[3]}" if m[3] else "")
    raise CellError(f"“{quote(text)}”不是有效的电话号码（手机 11 位，座机如 0377-63123456；一格只填一个号码）")


# ---- code lists ----------------------------------------------------------
def code_value(book: CodeBook, list_key: str, value, what: str) -> str | None:
    """The code a spelling means (男 → '1', 大专 → '30')."""
    if is_blank(value):
        return None
    code = book.lookup(list_key, value)
    if code is None:
        labels = [label for _code, label in book.items(list_key)]
        shown = "、".join(labels[:8]) + ("等" if len(labels) > 8 else "")
        both = AMBIGUOUS.get(list_key, {}).get(re.sub(r"[\\/、|,，或及和\s]", "", clean_text(value)))
        if both:
            raise CellError(f"“{quote(clean_text(value))}”可能是{'，也可能是'.join(both)}，无法确定：请改填其中之一"
                            f"（可填：{shown}）")
        raise CellError(f"“{quote(clean_text(value))}”不是有效的{what}（可填：{shown}）")
    return code
