"""The posts of the "1+3+N" grid staff: who holds them (age, gender,
political status, education), what they are called, how often holders
change and how long a post stays empty."""

from __future__ import annotations

from dataclasses import dataclass

from gridadmin.models.staff import (
    EMPLOYMENT_FULL, EMPLOYMENT_PART, ROLE_FULLTIME, ROLE_INSTRUCTOR, ROLE_LEADER, ROLE_PARTTIME,
    STATUS_LEFT, STATUS_RESIGNED,
)

ROLE_BUILDING = "building"
ROLE_POLICE = "police"
ROLE_DOCTOR = "doctor"
ROLE_VOLUNTEER = "volunteer"

_PARTY_HIGH = (("01", 92), ("13", 8))
_PARTY_MID = (("01", 40), ("03", 12), ("13", 48))
_PARTY_LOW = (("01", 25), ("13", 75))
_EDU_HIGH = (("10", 10), ("20", 65), ("30", 25))
_EDU_MID = (("20", 35), ("30", 50), ("40", 10), ("60", 5))
_EDU_LOW = (("30", 15), ("40", 15), ("60", 40), ("70", 30))


@dataclass(frozen=True)
class Post:
    """One kind of post. ``city``/``village``: the position title in a 社区
    or a 村 (several: one is drawn; ``{town}`` is the township name).
    ``turnover``: chance the first holder leaves within the two years;
    ``leave_status``: 离职 or 卸任; ``gap_max``: days the post may stay empty."""

    role: str
    age: tuple[int, int]
    male_p: float
    political: tuple
    education: tuple
    city: tuple[str, ...]
    village: tuple[str, ...] | None = None
    employment: str = EMPLOYMENT_PART
    contracts: tuple | None = None
    turnover: float = 0.1
    leave_status: str = STATUS_RESIGNED
    gap_max: int = 30

    village_education: tuple | None = None  # in a 村, when it differs

    def education_for(self, urban: bool) -> tuple:
        return self.village_education if (self.village_education and not urban) else self.education


SECRETARY = Post(ROLE_LEADER, (35, 58), 0.7, _PARTY_HIGH, _EDU_MID, ("社区党委书记",), ("村党支部书记",),
                 village_education=_EDU_LOW, turnover=0.06, gap_max=10)
DIRECTOR = Post(ROLE_LEADER, (35, 58), 0.7, _PARTY_HIGH, _EDU_MID, ("社区居委会主任",), ("村委会主任",),
                village_education=_EDU_LOW, turnover=0.06, gap_max=10)
INSTRUCTOR = Post(ROLE_INSTRUCTOR, (26, 55), 0.6, (("01", 85), ("13", 15)), _EDU_HIGH,
                  ("{town}干部", "{town}综治中心干部", "{town}党政办干部", "{town}社会事务办干部"))
POLICE = Post(ROLE_POLICE, (26, 55), 0.85, (("01", 70), ("13", 30)), _EDU_MID, ("社区民警", "辅警"))
DOCTOR = Post(ROLE_DOCTOR, (28, 62), 0.5, _PARTY_LOW, _EDU_MID, ("社区卫生服务站医生",), ("村医",), turnover=0.05)
FULLTIME = Post(ROLE_FULLTIME, (22, 48), 0.4, _PARTY_MID, _EDU_MID, ("专职网格员",), employment=EMPLOYMENT_FULL,
                contracts=(("劳动合同", 50), ("劳务派遣", 30), ("公益性岗位", 20)),
                turnover=0.25, leave_status=STATUS_LEFT, gap_max=20)
PARTTIME = Post(ROLE_PARTTIME, (30, 64), 0.55, _PARTY_MID, _EDU_LOW, ("社区两委委员", "社区工作者", "居民小组长"),
                ("村民小组长", "村两委委员", "村文书"), turnover=0.12, leave_status=STATUS_LEFT, gap_max=45)
BUILDING = Post(ROLE_BUILDING, (40, 72), 0.5, _PARTY_LOW, _EDU_LOW, ("楼栋长",), ("微网格员",),
                turnover=0.08, gap_max=60)
VOLUNTEER = Post(ROLE_VOLUNTEER, (20, 70), 0.45, _PARTY_MID, _EDU_LOW, ("网格志愿者",), turnover=0.15, gap_max=90)
# special grids (专属网格): led by someone of the unit (the title comes from the unit's kind)
UNIT_HEAD = Post(ROLE_LEADER, (38, 58), 0.6, _PARTY_HIGH, _EDU_HIGH, ("",), turnover=0.05, gap_max=20)
UNIT_SECURITY = Post(ROLE_PARTTIME, (28, 58), 0.7, _PARTY_MID, _EDU_MID, ("安保负责人",),
                     leave_status=STATUS_LEFT)
