"""Personal names for the demo: surnames by real frequency, given names by
gender and generation, and their pinyin (full and initials)."""

from __future__ import annotations

import csv
import random
from bisect import bisect
from itertools import accumulate

from pypinyin import lazy_pinyin

from gridadmin.services.common.pinyin import SURNAME_PINYIN

from gridadmin.paths import resource

_OLD_MALE = "国建明军华平伟强德福海林志成文金新春长振保全山玉东青永庆忠学光红卫兵民生富贵贤有中朝发宝顺喜运才"
_OLD_FEMALE = "秀英兰芳桂珍玉梅凤霞华红丽敏艳云琴莲菊荣翠花娟萍春香素爱彩银月巧娥枝"
_MID_MALE = "伟磊勇军涛鹏超辉刚杰斌强明亮峰波建华飞浩宏俊松鑫龙雷毅健锋冬晓阳"
_MID_FEMALE = "丽静燕娜敏霞艳芳娟玲婷雪慧晶洁红琳颖倩丹莉萍娇蕾玉梅丽晓迎春"

_SURNAME_PINYIN = SURNAME_PINYIN


class Names:
    """Surnames by frequency; given names by gender and generation; pinyin
    with a per-character cache. ``top`` holds the 60 commonest surnames."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        surnames, weights = [], []
        with resource("names", "surnames.csv").open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                name, tf = (row.get("surname") or "").strip(), (row.get("tf") or "0").strip()
                if name and tf.isdigit() and int(tf) > 0:
                    surnames.append(name)
                    weights.append(int(tf))
        self.surnames = surnames
        self.cum = list(accumulate(weights))
        self.top = surnames[:60]
        chars: dict[tuple[str, str], list[str]] = {}
        with resource("names", "given_name_chars.csv").open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                sheet, column, char = (row.get(k, "").strip() for k in ("sheet", "column", "char"))
                if not char or column == "NameB":  # NameB holds surnames
                    continue
                gender = "2" if sheet.endswith("女孩") else "1"
                chars.setdefault((gender, column), []).append(char)
        self.modern = {g: {c: chars.get((g, c)) or chars.get((g, "NameE")) or list(_MID_MALE)
                           for c in ("NameD", "NameE", "NameF")} for g in ("1", "2")}
        self.old = {"1": _OLD_MALE, "2": _OLD_FEMALE}
        self.mid = {"1": _MID_MALE, "2": _MID_FEMALE}
        self._py: dict[str, str] = {}

    def surname(self) -> str:
        """A surname drawn by its real frequency."""
        return self.surnames[bisect(self.cum, self.rng.random() * self.cum[-1])]

    def given(self, gender: str, birth_year: int) -> str:
        """A given name (one or two characters) typical of the generation."""
        r = self.rng.random
        choice = self.rng.choice
        if birth_year < 1965:
            pool = self.old[gender]
            return choice(pool) + choice(pool) if r() < 0.65 else choice(pool)
        if birth_year < 1988:
            a = self.mid[gender] if r() < 0.6 else self.old[gender]
            b = self.mid[gender]
            return choice(a) + choice(b) if r() < 0.55 else choice(b)
        modern = self.modern[gender]
        if r() < 0.8:
            return choice(modern["NameE"]) + choice(modern["NameF"])
        return choice(modern["NameD"])

    def full(self, gender: str, birth_year: int) -> tuple[str, str, str, str]:
        """(surname, given, pinyin, initials) of a new person."""
        surname = self.surname()
        given = self.given(gender, birth_year)
        return (surname, given, *self.pinyin(surname, given))

    def pinyin(self, surname: str, given: str) -> tuple[str, str]:
        """("zhangsan", "zs") for 张 + 三."""
        cache = self._py
        parts = list(_SURNAME_PINYIN.get(surname) or (cache.get(c) or self._char(c) for c in surname))
        initials = "".join(p[0] for p in parts)
        for c in given:
            p = cache.get(c) or self._char(c)
            parts.append(p)
            initials += p[0]
        return "".join(parts), initials

    def _char(self, c: str) -> str:
        p = self._py.get(c)
        if p is None:
            p = (lazy_pinyin(c) or [c])[0].lower() or "x"
            self._py[c] = p
        return p
