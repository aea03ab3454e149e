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


# Control characters, Unicode format characters (zero-width spaces and
# joiners, U+202E and the other direction marks, the BOM U+FEFF, soft
# hyphens: invisible, so "李\u200b云" would pass for a second 李云) and
# lone surrogates (no database stores them).
_INVISIBLE = frozenset(("Cc", "Cf", "Cs"))


def drop_invisible(text: str) -> str:
    """``text`` without control, format (category Cf), surrogate and
    noncharacter code points (U+FFFE, U+10FFFF …); tabs and line breaks stay."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch for ch in text if ch in "\t\n" or not (unicodedata.category(ch) in _INVISIBLE or _nonchar(ch)))


def _nonchar(ch: str) -> bool:
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


MAX_SEARCH_CHARS = 100


def search_text(value: object) -> str:
    """What was typed (or pasted) into a search box, safe to look up:
    cleaned like any field (``clean_text``) and cut to its first
    ``MAX_SEARCH_CHARS`` characters (a pasted page searches for its start;
    the search boxes say so and take no more)."""
    text = "" if value is None else str(value)
    return clean_text(text[:MAX_SEARCH_CHARS * 4])[:MAX_SEARCH_CHARS].strip()


def clean_text(value: object) -> str:
    """A cell or field as trimmed text: half-width, no control or invisible
    format characters (see ``drop_invisible``), runs of white space folded
    to one space. None → ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = drop_invisible(to_halfwidth(str(value)))
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
