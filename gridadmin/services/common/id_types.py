"""证件类型: the kind of identity document a person is registered by.

Codes are the public-security certificate codes (常用证件代码) the county
systems use: 111 居民身份证 (the default; every person registered before
this list existed), 414 护照, 553 外国人永久居留身份证, 516 港澳居民来往内地
通行证, 511 台湾居民来往大陆通行证, 990 其他证件. The county platform's own
words (its 证件种类 dictionary: 护照, 港澳出入证, 台胞证, 旅游证) are
aliases.

``check_document`` checks a number for its type: a 居民身份证 takes the
full check of ``idcard.check_id_number`` (checksum, birth date, gender);
the others a sane shape (length and characters, a Chinese message naming
what is expected). Only a 居民身份证 (and an 18-digit 外国人永久居留身份证,
which follows the same layout) tells the birth date and gender; for the
others they come from their own columns. Pure Python, no Qt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from gridadmin.services.common.idcard import KIND_FOREIGN, _HALF_WIDTH, check_id_number
from gridadmin.services.common.text import code_key, drop_invisible

ID_CARD = "111"
PASSPORT = "414"
FOREIGN_PR = "553"
HK_MACAU_PERMIT = "516"
TAIWAN_PERMIT = "511"
OTHER = "990"

# (code, label, aliases): the labels in display order
ID_TYPES = [
    (ID_CARD, "居民身份证", ("身份证", "公民身份证", "公民身份号码", "二代身份证", "港澳台居民居住证", "居住证")),
    (PASSPORT, "护照", ("普通护照", "外国护照", "PASSPORT")),
    (FOREIGN_PR, "外国人永久居留身份证", ("外国人永久居留证", "永久居留证", "永久居留身份证", "绿卡")),
    (HK_MACAU_PERMIT, "港澳居民来往内地通行证", ("港澳出入证", "港澳通行证", "回乡证", "港澳居民通行证")),
    (TAIWAN_PERMIT, "台湾居民来往大陆通行证", ("台胞证", "台湾通行证", "台湾居民通行证")),
    (OTHER, "其他证件", ("其他", "旅游证", "旅行证")),
]
LABELS = {code: label for code, label, _aliases in ID_TYPES}
_SPELLINGS = {code_key(s): code for code, label, aliases in ID_TYPES for s in (code, label, *aliases)}

_SHAPES = {  # code → (pattern, what it should look like)
    PASSPORT: (re.compile(r"(?=.*\d)[A-Z0-9]{5,17}"), "应为 5–17 位字母或数字（如 E12345678）"),
    FOREIGN_PR: (re.compile(r"[A-Z]{3}\d{12}"),
                 "应为 18 位数字（2023 年版，以 9 开头）或 3 个字母加 12 位数字（旧版）"),
    HK_MACAU_PERMIT: (re.compile(r"[HM]\d{8}(\d{2})?"), "应为 H 或 M 加 8 位数字（如 H12345678）"),
    TAIWAN_PERMIT: (re.compile(r"\d{8}|\d{10}[A-Z]?"), "应为 8 位数字（旧版 10 位）"),
    OTHER: (re.compile(r"[A-Z0-9-]{4,18}"), "应为 4–18 位字母、数字或“-”"),
}


@dataclass(frozen=True)
class DocumentCheck:
    """A checked number: ``number`` cleaned; ``birth_date`` and ``gender``
    ("男"/"女") when the number tells them (else None); ``warnings`` as
    ``IdCheck.warnings``."""

    number: str
    birth_date: date | None = None
    gender: str | None = None
    warnings: tuple[str, ...] = ()


class DocumentError(ValueError):
    """A number refused for its type; ``str()`` is the Chinese reason."""


def id_type_of(value: object) -> str | None:
    """The code a typed 证件类型 means (居民身份证, 台胞证, 414 …), or None."""
    key = code_key(value)
    return _SPELLINGS.get(key) if key else None


def label_of(code: str | None) -> str:
    """The label of a 证件类型 code ('' for None = 居民身份证 in old rows)."""
    return LABELS.get(code or ID_CARD, code or "")


def tells_birth(code: str | None) -> bool:
    """Whether numbers of this type carry the birth date and gender."""
    return (code or ID_CARD) == ID_CARD


def clean_document(value: object) -> str:
    """The number as stored: spaces and invisible characters removed,
    full-width made half-width, letters upper-case."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "".join(c for c in drop_invisible(str(value)) if not c.isspace())
    return text.translate(_HALF_WIDTH).upper()


def check_document(code: str | None, value: object, today: date | None = None) -> DocumentCheck:
    """Check ``value`` as a number of 证件类型 ``code`` (None: 居民身份证);
    ``DocumentError`` with the Chinese reason when it is not one."""
    code = code or ID_CARD
    if code == ID_CARD:
        check = check_id_number(value, today=today)
        if not check.valid:
            raise DocumentError(check.error)
        return DocumentCheck(check.normalized, check.birth_date, check.gender, tuple(check.warnings))
    label = LABELS.get(code)
    if label is None:
        raise DocumentError(f"证件类型“{code}”无效")
    if isinstance(value, float) and not value.is_integer():
        raise DocumentError(f"{label}号码被 Excel 存成了数字，已无法还原，请在原始资料中核对")
    text = clean_document(value)
    if not text:
        raise DocumentError(f"{label}号码为空")
    if code == FOREIGN_PR and len(text) == 18 and text[:17].isdigit():
        check = check_id_number(text, today=today)
        if not check.valid or check.kind != KIND_FOREIGN:
            raise DocumentError(f"18 位的外国人永久居留身份证号码有误：{check.error or '应以 9 开头'}")
        return DocumentCheck(check.normalized, check.birth_date, check.gender)
    pattern, expected = _SHAPES[code]
    if not pattern.fullmatch(text):
        bad = "".join(dict.fromkeys(c for c in text if not (c.isascii() and (c.isalnum() or c == "-"))))
        why = f"含有非法字符 {''.join(f'「{c}」' for c in bad)}，" if bad else f"共 {len(text)} 位，"
        raise DocumentError(f"{label}号码“{text}”{why}{expected}")
    return DocumentCheck(text)


# 国籍: GB/T 2659 short names of the countries and regions most often seen; the field takes any
# other name too (no full list is bundled)
COMMON_NATIONALITIES = (
    "中国香港", "中国澳门", "中国台湾", "韩国", "日本", "朝鲜", "越南", "缅甸", "老挝", "泰国", "柬埔寨", "菲律宾",
    "马来西亚", "新加坡", "印度尼西亚", "印度", "巴基斯坦", "蒙古", "俄罗斯", "哈萨克斯坦", "美国", "加拿大",
    "英国", "法国", "德国", "意大利", "西班牙", "澳大利亚", "新西兰", "巴西", "尼日利亚", "南非",
)
