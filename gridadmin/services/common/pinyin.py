"""Pinyin of people's names for search-as-you-type (``zs`` or ``zhangsan``
finds 张三). Surnames with a special reading (曾 zeng, 单 shan …) are read
as surnames; compound surnames (欧阳, 尉迟 …) are recognised."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import lazy_pinyin

SURNAME_PINYIN = {  # surnames read differently from the character's usual reading
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "仇": ("qiu",), "区": ("ou",), "朴": ("piao",),
    "查": ("zha",), "盖": ("ge",), "乐": ("yue",), "缪": ("miao",), "覃": ("qin",), "翟": ("zhai",),
    "尉": ("yu",), "员": ("yun",), "秘": ("bi",), "繁": ("po",), "种": ("chong",), "召": ("shao",),
    "黑": ("he",), "句": ("gou",), "折": ("she",), "能": ("nai",), "薄": ("bo",), "柏": ("bai",),
    "祭": ("zhai",), "隗": ("wei",), "便": ("pian",), "卜": ("bu",), "万俟": ("mo", "qi"), "尉迟": ("yu", "chi"),
    "单于": ("chan", "yu"), "长孙": ("zhang", "sun"), "澹台": ("tan", "tai"),
}


@lru_cache(maxsize=20000)
def char_pinyin(ch: str) -> str:
    """Toneless lower-case pinyin of one character; the character itself
    (lower-cased) when it has none (Latin letters, digits)."""
    return ((lazy_pinyin(ch) or [ch])[0] or ch).lower()


def name_pinyin(name: str) -> tuple[str, str]:
    """``("zhangsan", "zs")`` for 张三; surname readings respected.

    Characters without pinyin are kept as they are (lower-cased) so that
    foreign names remain searchable; spaces are dropped."""
    name = "".join(name.split())
    if not name:
        return "", ""
    surname = name[:2] if name[:2] in SURNAME_PINYIN else name[:1]
    parts = list(SURNAME_PINYIN.get(surname) or [char_pinyin(c) for c in surname])
    parts += [char_pinyin(c) for c in name[len(surname):]]
    return "".join(parts), "".join(p[0] for p in parts if p)
