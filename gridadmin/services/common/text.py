"""Small text normalisers shared by validation and import (no Qt)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


_HALF_ALL = {0x3000: " ", **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}}
_HALF_ALNUM = {code: half for code, half in _HALF_ALL.items() if code == 0x3000 or chr(half).isalnum()}


def to_halfwidth(text: str, *, punctuation: bool = False) -> str:
    """Full-width digits and letters (１２３ＡＢＣ) and the ideographic space
    → half-width. Chinese punctuation （）、， is kept unless
    ``punctuation`` is true."""
    if text.isascii():
        return text
    return text.translate(_HALF_ALL if punctuation else _HALF_ALNUM)


def clean_text(value: object) -> str:
    """A cell or field as trimmed text: half-width, no control characters,
    runs of white space folded to one space. None → ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = to_halfwidth(str(value))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\t\n")
    return _SPACES.sub(" ", text).strip()


def clean_name(value: object) -> str:
    """A person's name: padding spaces removed ("李  云" → "李云"); a space
    between Latin words (foreign names) is kept."""
    text = clean_text(value)
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


def code_key(value: object) -> str:
    """The lookup key for a code-list spelling: half-width, no spaces,
    upper-case, a float like 1.0 read as 1."""
    return to_halfwidth(clean_text(value), punctuation=True).replace(" ", "").upper()
