"""An address written on one line, split into the standard address parts
of a house (小区/街路巷, 楼栋, 单元, 室 or 村民小组, 门牌号).

County platforms keep an address in one cell (房屋准确地址, 临时居所, 现住地址
…); GridAdmin keeps a house by its parts, one house per address in a grid.
``split_address`` reads the common ways of writing it::

    幸福小区3栋2单元301室      → 幸福小区 | 3栋 | 2单元 | 301
    幸福小区3号楼301           → 幸福小区 | 3号楼 | | 301
    建设路18号                 → 建设路 | 门牌号 18号
    建设路18号2栋1单元502室    → 建设路18号 | 2栋 | 1单元 | 502
    三组12号 / 张家村民小组12号 → 村民小组 三组 / 张家村民小组 | 门牌号 12号

The administrative places before it (浙江省嘉兴市嘉善县魏塘街道东门社区 …) are
left out: the row's grid says where the house is. An address that shows no
小区/街路巷 or 村民小组 gives None, so the caller names the cell and says how
to write it; nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gridadmin.services.common.text import clean_text

UNSPLIT_ADDRESS = ("地址中看不出小区/街路巷（或村民小组）：请写成“幸福小区3栋2单元301室”“建设路18号”或“三组12号”"
                   "的样式（前面的省市县、乡镇、社区可写可不写），或分列填写小区、楼栋、单元、室，或填写房屋编号")

# Administrative places at the start (省 市 区/县 乡镇/街道 社区/村 …), dropped.
_PLACE = re.compile(r"^(?:[^省市县区旗]{2,9}?(?:省|自治区|特别行政区))?"
                    r"(?:[^省市县区]{1,9}?(?:市|自治州|州|地区|盟))?"
                    r"(?:[^省市县区]{1,9}?(?:区|县|自治县|旗|市))?"
                    r"(?:[^镇乡道]{1,9}?(?:街道办事处|街道|镇|乡))?"
                    r"(?:[^社村]{1,9}?(?:社区居委会|社区居民委员会|社区|居委会|村委会|村民委员会))?")
_NUMBER = r"[0-9一二三四五六七八九十百零〇]+"
_URBAN = re.compile(rf"^(?P<compound>.+?)(?P<building>{_NUMBER}(?:-{_NUMBER})?(?:号楼|栋|幢|座|楼))"
                    rf"(?:(?P<unit>{_NUMBER}单元))?(?:(?P<room>[0-9A-Za-z\-]+)(?:室|号|房)?)?$")
_GROUP = re.compile(rf"^(?P<group>.*?(?:{_NUMBER}组|村民小组|组))(?P<door>{_NUMBER}号(?:{_NUMBER})?(?:之{_NUMBER})?)?$")
_VILLAGE = re.compile(r"^.{1,8}?村(?!民)(?P<group>.+组)$")
_STREET = re.compile(rf"^(?P<compound>.+?(?:路|街|巷|道|弄|胡同|大街|大道|里))(?P<door>[0-9\-]+号(?:院)?)$")


@dataclass(frozen=True)
class AddressParts:
    compound: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    village_group: str = ""
    door_no: str = ""


def split_address(text: object) -> AddressParts | None:
    """The parts of a one-line address, or None when they do not show
    (see the module)."""
    line = clean_text(text).replace(" ", "")
    if not line:
        return None
    rest = _PLACE.sub("", line, count=1) or line
    for candidate in dict.fromkeys((rest, line)):
        parts = _split(candidate)
        if parts is not None:
            return parts
    return None


def _split(line: str) -> AddressParts | None:
    found = _URBAN.match(line)
    if found and found["compound"] and not found["compound"].endswith(("组", "号楼")):
        compound = found["compound"]
        return AddressParts(compound=compound, building=found["building"], unit=found["unit"] or "",
                            room=found["room"] or "")
    found = _GROUP.match(line)
    if found and found["group"]:
        group = found["group"]
        village = _VILLAGE.match(group)  # 河街村三组: the village is the grid's, the group is 三组
        return AddressParts(village_group=village["group"] if village else group, door_no=found["door"] or "")
    found = _STREET.match(line)
    if found:
        return AddressParts(compound=found["compound"], door_no=found["door"])
    return None
