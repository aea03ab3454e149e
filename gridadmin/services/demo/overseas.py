"""境外人员 in the demo: a few people living at a rented house without a 户
hold a passport or a 通行证 instead of a resident ID number, with a
nationality (GB/T 2659 short names). Numbers are fictitious, derived from
the person's id (one per id, so no two people share one); names of
passport holders are romanised as on their passport."""

from __future__ import annotations

import random

from gridadmin.services.common.id_types import HK_MACAU_PERMIT, PASSPORT, TAIWAN_PERMIT
from gridadmin.services.common.pinyin import name_pinyin

OVERSEAS_RATE = 0.01  # of the members of renting 流动人口 families: ≈0.1 % of the register
CATEGORY_OVERSEAS = "4"
# (nationality, weight, surnames, given names) of passport holders
_PASSPORTS = (
    ("韩国", 30, ("KIM", "LEE", "PARK", "CHOI"), ("MIN JUN", "SEO YEON", "JI HOON", "HYE JIN")),
    ("日本", 15, ("SATO", "SUZUKI", "TANAKA"), ("HIROSHI", "YUKI", "KENJI", "AYAKA")),
    ("越南", 20, ("NGUYEN", "TRAN", "LE"), ("VAN AN", "THI MAI", "DUC MINH")),
    ("美国", 10, ("SMITH", "JOHNSON", "BROWN"), ("JOHN", "EMILY", "MICHAEL")),
    ("德国", 5, ("MUELLER", "SCHMIDT"), ("ANNA", "LUKAS")),
    ("俄罗斯", 8, ("IVANOV", "PETROVA"), ("DMITRY", "OLGA")),
    ("缅甸", 12, ("AUNG", "MYA"), ("KYAW", "THIDA")),
)
# 港澳台: their own Chinese names, a 通行证 number
_PERMITS = ((HK_MACAU_PERMIT, "中国香港", "H", 60), (HK_MACAU_PERMIT, "中国澳门", "M", 10),
            (TAIWAN_PERMIT, "中国台湾", "", 30))


def fictitious_number(id_type: str, person_id: int, prefix: str = "E") -> str:
    """A passport (``prefix`` + 8 digits), 港澳 (H/M + 8 digits) or 台湾
    (8 digits) number unique to ``person_id`` (< 10**8) for its type."""
    digits = f"{(person_id * 7919 + 1000003) % 10 ** 8:08d}"
    if id_type == TAIWAN_PERMIT:
        return digits
    return prefix + digits


def overseas_person(rng: random.Random, person_id: int, gender: str) -> dict:
    """The fields of a 境外人员 (to update a person row with): 证件类型,
    number, 国籍, and for a passport holder the romanised name."""
    if rng.random() < 0.6:
        nationality, _w, surnames, given = rng.choices(_PASSPORTS, [p[1] for p in _PASSPORTS])[0]
        name = f"{rng.choice(surnames)} {rng.choice(given)}"
        full, initials = name_pinyin(name)
        return {"id_type": PASSPORT, "id_number": fictitious_number(PASSPORT, person_id, rng.choice("EGKMPS")),
                "nationality": nationality, "name": name, "name_pinyin": full, "name_initials": initials,
                "ethnicity": None}  # 民族 (GB 3304) is for Chinese citizens
    id_type, nationality, prefix, _w = rng.choices(_PERMITS, [p[3] for p in _PERMITS])[0]
    return {"id_type": id_type, "id_number": fictitious_number(id_type, person_id, prefix),
            "nationality": nationality}
