"""The names nearest to a mistyped one, for "did you mean" messages:
the same pinyin (东官社区 for 东关社区), or a small edit distance on the
characters or on their pinyin, once the committee words (社区, 村, 居委会 …)
are set aside."""

from __future__ import annotations

import re

from gridadmin.services.common.pinyin import char_pinyin
from gridadmin.services.common.text import clean_text

_PLACE_WORDS = re.compile(r"(社区居民委员会|居民委员会|村民委员会|居委会|村委会|社区|村)$")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, replace one character)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _stem(name: str) -> str:
    text = clean_text(name).replace(" ", "")
    return _PLACE_WORDS.sub("", text) or text


def _pinyin(text: str) -> str:
    return " ".join(char_pinyin(c) for c in text)


def nearest_names(text: str, candidates, limit: int = 3) -> list[str]:
    """Up to ``limit`` of ``candidates`` close to ``text``, nearest first:
    the same name but for 社区/村, the same pinyin, then names at most a
    third of their characters (at least one) apart, or whose pinyin is at
    most two letters apart."""
    stem = _stem(text)
    if not stem:
        return []
    sound = _pinyin(stem)
    scored: list[tuple[float, str]] = []
    for name in dict.fromkeys(candidates):
        other = _stem(name)
        if not other or clean_text(name).replace(" ", "") == clean_text(text).replace(" ", ""):
            continue
        if other == stem:
            score = 0.0
        elif _pinyin(other) == sound:
            score = 0.5
        else:
            chars = edit_distance(stem, other)
            letters = edit_distance(sound.replace(" ", ""), _pinyin(other).replace(" ", ""))
            if chars <= max(1, max(len(stem), len(other)) // 3):
                score = 1.0 + chars
            elif letters <= 2:
                score = 1.5 + letters
            else:
                continue
        scored.append((score, name))
    scored.sort()
    return [name for _, name in scored[:limit]]
