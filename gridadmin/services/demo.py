"""Demo data: real townships of 镇平县 (南阳市) with grids, households,
residents, staff on the "1+3+N" pattern and two years of training.

For trying the program out, screenshots, reports and load tests. Everything
is made up except the division names and codes; the data follow the rules
in DOMAIN.md (grid sizes, ID numbers, code lists, plausible families).

``generate_demo(db, size, seed, today)`` is a progress job (see
:mod:`gridadmin.services.progress`): it yields ``Progress`` and returns a
``DemoSummary``. All writes happen on one connection in one transaction,
so a driver that stops iterating and calls ``close()`` leaves the database
as it was. Rows are built as plain dicts and written with Core
``executemany``; primary keys are assigned here (max(id) + 1), so no
``RETURNING`` is needed. The same seed and ``today`` give the same data.
"""

from __future__ import annotations

import csv
import random
import time
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from pypinyin import lazy_pinyin
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from gridadmin.db import Database, open_database
from gridadmin.models import (
    Area, Attendance, Certificate, Household, Person, PersonEvent, PersonTag, Staff,
    StaffAssignment, StaffStatusEvent, TagKind, TrainingRequirement, TrainingSession,
)
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID, LEVEL_TOWNSHIP
from gridadmin.models.household import (
    EVENT_BORN, EVENT_DIED, EVENT_MOVED_IN, EVENT_MOVED_OUT, EVENT_REGISTERED, EVENT_TRANSFER,
    PERSON_ACTIVE, PERSON_DECEASED, PERSON_MOVED_OUT,
)
from gridadmin.models.staff import (
    EMPLOYMENT_FULL, EMPLOYMENT_PART, ROLE_FULLTIME, ROLE_INSTRUCTOR, ROLE_LEADER, ROLE_PARTTIME,
    STATUS_LEAVE, STATUS_LEFT, STATUS_ON_POST, STATUS_RESIGNED,
)
from gridadmin.models.training import ATTEND_ABSENT, ATTEND_EXCUSED, ATTEND_PRESENT
from gridadmin.paths import resource
from gridadmin.services import divisions
from gridadmin.services.errors import ValidationError
from gridadmin.services.idcard import make_id_number
from gridadmin.services.progress import Progress, run_to_end
from gridadmin.services.setup import community_kind, community_short_name, init_township

GRID_CITY = "城市社区网格"
GRID_RURAL = "农村网格"
GRID_SPECIAL = "专属网格"

ROLE_BUILDING = "building"
ROLE_POLICE = "police"
ROLE_DOCTOR = "doctor"
ROLE_VOLUNTEER = "volunteer"


# --------------------------------------------------------------------------- sizes

@dataclass(frozen=True)
class DemoSize:
    """One demo size: about ``residents`` people in ``townships`` (9-digit
    codes, all in ``county``). ``sample_communities`` limits the small size
    to the first community and the first two villages of the township."""

    key: str
    label: str
    residents: int
    county: str
    townships: tuple[str, ...]
    sample_communities: bool = False


_ZHENPING = "411324"
DEMO_SIZES: dict[str, DemoSize] = {
    "small": DemoSize("small", "小型：1 个街道的 3 个社区/村，约 2,000 人", 2_000, _ZHENPING,
                      ("411324003",), sample_communities=True),
    "township": DemoSize("township", "街道：镇平县玉都街道全部社区/村，约 5 万人", 50_000, _ZHENPING,
                         ("411324003",)),
    "county": DemoSize("county", "县级：镇平县 8 个乡镇/街道，约 50 万人", 500_000, _ZHENPING,
                       ("411324001", "411324002", "411324003", "411324101", "411324102",
                        "411324103", "411324104", "411324105")),
}


@dataclass
class DemoSummary:
    """What ``generate_demo`` wrote. ``households``/``residents`` count the
    current register (not dissolved / 在册); ``*_rows`` count every row."""

    size: str = ""
    seed: int = 0
    townships: int = 0
    communities: int = 0
    grids: int = 0
    microgrids: int = 0
    households: int = 0
    residents: int = 0
    staff: int = 0
    sessions: int = 0
    attendances: int = 0
    household_rows: int = 0
    person_rows: int = 0
    person_events: int = 0
    person_tags: int = 0
    staff_on_post: int = 0
    seconds: float = 0.0
    township_names: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- word lists

_OLD_MALE = "国建明军华平伟强德福海林志成文金新春长振保全山玉东青永庆忠学光红卫兵民生富贵贤有中朝发宝顺喜运才"
_OLD_FEMALE = "秀英兰芳桂珍玉梅凤霞华红丽敏艳云琴莲菊荣翠花娟萍春香素爱彩银月巧娥枝"
_MID_MALE = "伟磊勇军涛鹏超辉刚杰斌强明亮峰波建华飞浩宏俊松鑫龙雷毅健锋冬晓阳"
_MID_FEMALE = "丽静燕娜敏霞艳芳娟玲婷雪慧晶洁红琳颖倩丹莉萍娇蕾玉梅丽晓迎春"

_SURNAME_PINYIN = {  # surnames read differently from the character's usual reading
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "仇": ("qiu",), "区": ("ou",), "朴": ("piao",),
    "查": ("zha",), "盖": ("ge",), "乐": ("yue",), "缪": ("miao",), "覃": ("qin",), "翟": ("zhai",),
    "尉": ("yu",), "员": ("yun",), "秘": ("bi",), "繁": ("po",), "种": ("chong",), "召": ("shao",),
    "黑": ("he",), "句": ("gou",), "折": ("she",), "能": ("nai",), "薄": ("bo",), "柏": ("bai",),
    "祭": ("zhai",), "隗": ("wei",), "便": ("pian",), "万俟": ("mo", "qi"), "尉迟": ("yu", "chi"),
    "单于": ("chan", "yu"), "长孙": ("zhang", "sun"), "澹台": ("tan", "tai"),
}

_MOBILE_PREFIXES = ("130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
                    "166 173 175 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199").split()

_NUMERALS = "一二三四五六七八九十"

_COMPOUND_HEADS = ("幸福 锦绣 阳光 和谐 建业 桂园 新华 书香 翰林 滨河 玉都 玉雕 涅阳 世纪 金色 "
                   "明珠 御景 凤凰 紫金 丹桂 中央 香榭 文苑 天润 盛世 名门 福地 东方 龙城 怡和 "
                   "恒大 碧桂 清华 水岸 金桥 百合 银河 春天 城市 国际").split()
_COMPOUND_TAILS = "小区 花园 家园 名苑 佳苑 华府 新村 公馆 嘉园 雅居 一品 府邸 丽景 花城".split()
_NATURAL_TAILS = "庄 营 岗 洼 湾 寨 店 沟 坡 楼 园 桥 河 堂 屯".split()
_NATURAL_HEADS = "前 后 东 西 南 北 大 小 上 下 新 老".split()

_MOVE_OUT_PLACES = (
    ("广东省深圳市", 12), ("广东省广州市", 6), ("广东省东莞市", 5), ("浙江省杭州市", 5),
    ("浙江省宁波市", 3), ("江苏省苏州市", 5), ("上海市", 6), ("北京市", 5), ("河南省郑州市", 14),
    ("河南省南阳市宛城区", 8), ("河南省南阳市卧龙区", 8), ("湖北省武汉市", 5), ("陕西省西安市", 3),
    ("天津市", 2), ("福建省厦门市", 2),
)
_INFLOW_REASONS = (("务工", 50), ("经商", 15), ("投靠亲友", 10), ("婚嫁", 5), ("就学", 5), ("随迁家属", 15))
_OUTSIDE_PROVINCES = (("42", 12), ("34", 6), ("37", 5), ("61", 5), ("13", 3), ("51", 4), ("43", 3),
                      ("36", 2), ("14", 2), ("32", 2), ("50", 2), ("52", 2), ("45", 1), ("53", 1), ("23", 1))
_ETHNIC_OTHER = ("02", "06", "08", "11", "15", "04")

_EDU_COHORTS = (  # (born before year, [(code, weight)])
    (1950, (("90", 25), ("80", 45), ("70", 22), ("60", 7), ("30", 1))),
    (1965, (("90", 5), ("80", 30), ("70", 45), ("60", 15), ("40", 3), ("30", 2))),
    (1980, (("80", 10), ("70", 50), ("60", 20), ("40", 10), ("30", 7), ("20", 3))),
    (1995, (("80", 3), ("70", 35), ("60", 15), ("40", 15), ("30", 18), ("20", 12), ("10", 2))),
    (9999, (("70", 18), ("60", 15), ("40", 20), ("30", 27), ("20", 17), ("10", 3))),
)
_EDU_UP = {"90": "80", "80": "70", "70": "60", "60": "30", "40": "30", "30": "20", "20": "10", "10": "10"}

_RURAL_JOBS = (("务农", 45), ("个体经营", 8), ("企业职工", 12), ("灵活就业", 15), ("无业", 8), ("玉器加工", 12))
_URBAN_JOBS = (("企业职工", 30), ("个体工商户", 15), ("机关事业单位人员", 8), ("教师", 5), ("医护人员", 4),
               ("灵活就业", 18), ("自由职业", 6), ("无业", 8), ("快递员", 3), ("司机", 3))
_EMPLOYER_JOBS = frozenset({"企业职工", "机关事业单位人员", "教师", "医护人员", "快递员"})

_SPECIAL_KINDS = (
    ("小学", "学校", "校长"), ("中学", "学校", "副校长"), ("幼儿园", "学校", "园长"),
    ("农贸市场", "市场", "市场管理办主任"), ("卫生院", "医院", "副院长"), ("工业园", "园区", "园区管委会副主任"),
)

_TOPICS = {
    "01": ("网格化服务管理政策解读", "《民法典》进网格宣讲", "《信访工作条例》学习", "基层治理法律法规培训",
           "反电信网络诈骗宣传培训"),
    "02": ("人口信息采集规范培训", "出租房屋和流动人口登记培训", "特殊人群信息核查培训", "基础信息采集与更新培训"),
    "03": ("矛盾纠纷排查化解实务", "人民调解技巧培训", "邻里纠纷调解案例研讨", "“枫桥经验”学习交流"),
    "04": ("社会心理服务基础培训", "心理危机识别与干预", "网格员心理减压与沟通技巧"),
    "05": ("防汛应急处置培训", "突发事件信息报送培训", "应急避险演练", "地质灾害防范应对培训"),
    "06": ("消防安全知识培训", "“九小场所”消防检查培训", "电动自行车消防安全培训", "冬季防火安全培训"),
    "07": ("网格化管理信息系统操作培训", "综治平台事件上报操作培训", "移动采集终端使用培训", "数据质量核查培训"),
    "99": ("网格员岗位职责与工作规范", "网格工作部署会", "网格员沟通礼仪培训", "优秀网格员经验交流会"),
}
_CATEGORY_WEIGHTS = (("01", 16), ("02", 18), ("03", 14), ("04", 8), ("05", 12), ("06", 10), ("07", 14), ("99", 8))
_TRAINER_UNITS = {
    "01": ("县司法局", "县委政法委", "县人民法院"), "02": ("县公安局", "县委政法委", "县统计局"),
    "03": ("县司法局", "县人民调解委员会"), "04": ("县人民医院心理科", "县社会心理服务中心"),
    "05": ("县应急管理局", "县水利局"), "06": ("县消防救援大队",), "07": ("县网格化服务管理中心",),
    "99": ("县委政法委", "县网格化服务管理中心", "县民政局"),
}
_TARGETS = (  # (label, roles, weight); the roles invited
    ("全体专职网格员", (ROLE_FULLTIME,), 30),
    ("网格长、专职和兼职网格员", (ROLE_LEADER, ROLE_FULLTIME, ROLE_PARTTIME), 25),
    ("网格长、专职网格员", (ROLE_LEADER, ROLE_FULLTIME), 12),
    ("网格指导员", (ROLE_INSTRUCTOR,), 8),
    ("兼职网格员、楼栋长", (ROLE_PARTTIME, ROLE_BUILDING), 10),
    ("全体网格力量", (ROLE_LEADER, ROLE_FULLTIME, ROLE_PARTTIME, ROLE_INSTRUCTOR, ROLE_BUILDING,
                    ROLE_POLICE, ROLE_DOCTOR, ROLE_VOLUNTEER), 15),
)
_HOURS = ((2, 40), (3, 20), (4, 15), (6, 5), (8, 12), (16, 8))


def _weighted(pairs):
    """(values, cumulative weights) for :meth:`_Gen.pick`."""
    values = tuple(v for v, _ in pairs)
    return values, tuple(accumulate(w for _, w in pairs))


def _issues_ids(county: divisions.Division) -> bool:
    """Counties whose code appears on ID numbers (not development zones,
    whose codes end in 7x, nor placeholders)."""
    return county.code[4] != "7" and county.name != "市辖区" and not county.name.endswith(("开发区", "示范区"))


# --------------------------------------------------------------------------- dates

def _add_years(ordinal: int, years: int) -> int:
    """The day ``years`` after ``ordinal`` (29 Feb → 1 Mar), as an ordinal."""
    d = date.fromordinal(ordinal)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:
        return date(d.year + years, 3, 1).toordinal()


def age_on(birth: date, on: date) -> int:
    """Completed years of age on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --------------------------------------------------------------------------- names

class _Names:
    """Surnames by frequency; given names by gender and generation; pinyin
    with a per-character cache."""

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
        return self.surnames[bisect(self.cum, self.rng.random() * self.cum[-1])]

    def given(self, gender: str, birth_year: int) -> str:
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


# --------------------------------------------------------------------------- members

class _M:
    """One household member while a household is being composed."""

    __slots__ = ("gender", "birth", "rel", "surname", "status", "leave", "place", "reg",
                 "marital", "res", "cat", "region", "events", "left_behind", "note", "alone_since",
                 "student_away", "id_number")

    def __init__(self, gender: str, birth: int, rel: str, surname: str):
        self.gender = gender
        self.birth = birth
        self.rel = rel
        self.surname = surname
        self.status = PERSON_ACTIVE
        self.leave: int | None = None  # 迁出/死亡 date
        self.place: str | None = None  # 迁出 destination
        self.reg: int | None = None
        self.marital = "10"
        self.res = "1"
        self.cat = "1"
        self.region: str | None = None
        self.events: list[tuple] = []  # (kind, ordinal, from_hh, to_hh, place, note)
        self.left_behind = False
        self.note: str | None = None
        self.alone_since: int | None = None
        self.student_away = False
        self.id_number: str | None = None


@dataclass
class _Grid:
    id: int
    code: str
    name: str
    grid_type: str
    community: _Community
    row: dict = field(default_factory=dict)
    special_kind: int | None = None
    natural: str | None = None
    micro_ids: list[int] = field(default_factory=list)


@dataclass
class _Community:
    id: int
    code: str
    name: str
    kind: str
    town: _Town
    order: int
    grids: list[_Grid] = field(default_factory=list)


@dataclass
class _Town:
    index: int
    id: int
    code: str
    name: str
    full: str  # "河南省南阳市镇平县玉都街道"
    communities: list[_Community] = field(default_factory=list)
    cadres: list[int] = field(default_factory=list)


@dataclass
class _StaffInfo:
    row: dict
    role: str
    town: _Town
    events: list[tuple[int, str, str | None]] = field(default_factory=list)  # (ordinal, status, note)
    assignments: list[dict] = field(default_factory=list)
    communities: dict[int, int] = field(default_factory=dict)  # assignment id -> community id
    leave_spans: list[tuple[int, int]] = field(default_factory=list)
    absent_rate: float = 0.05


# --------------------------------------------------------------------------- the job

def generate_demo(db: Database, size: str = "small", seed: int = 1,
                  today: date | None = None):
    """Fill an empty database with demo data of ``size`` (a key of
    :data:`DEMO_SIZES`). Progress job: yields ``Progress``, returns
    ``DemoSummary``. Raises ``ValidationError`` for an unknown size or a
    database that already holds areas (before writing anything)."""
    spec = DEMO_SIZES.get(size)
    if spec is None:
        raise ValidationError(f"演示数据规模“{size}”无效，可选：{'、'.join(DEMO_SIZES)}。",
                              field="size", value=size)
    started = time.perf_counter()
    with db.engine.connect() as conn:
        trans = conn.begin()
        session = Session(bind=conn, expire_on_commit=False)
        try:
            if session.scalar(select(func.count()).select_from(Area)):
                raise ValidationError("该数据库中已有区域数据，演示数据只能生成到空数据库中。",
                                      field="db", value=db.display_location)
            gen = _Gen(db, conn, session, spec, seed, today or date.today())
            summary = yield from gen.run()
            session.close()
            trans.commit()
        except BaseException:
            session.close()
            if trans.is_active:
                trans.rollback()
            raise
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary


def create_demo_database(url_or_path: str, size: str = "small", seed: int = 1, *,
                         today: date | None = None, on_progress=None) -> DemoSummary:
    """Open (create/upgrade) the database and generate demo data into it."""
    db = open_database(url_or_path)
    try:
        return run_to_end(generate_demo(db, size, seed, today), on_progress)
    finally:
        db.dispose()


_TABLES = {
    "area": Area.__table__, "household": Household.__table__, "person": Person.__table__,
    "person_event": PersonEvent.__table__, "person_tag": PersonTag.__table__,
    "staff": Staff.__table__, "staff_assignment": StaffAssignment.__table__,
    "staff_status_event": StaffStatusEvent.__table__, "certificate": Certificate.__table__,
    "training_session": TrainingSession.__table__, "attendance": Attendance.__table__,
    "training_requirement": TrainingRequirement.__table__,
}
_FLUSH_ORDER = tuple(_TABLES)
_NOTE_DIED_ALONE = "独居户主去世，户已注销"
_FLUSH_PERSONS = 25_000
_PROGRESS_EVERY = 5_000


class _Gen:
    def __init__(self, db: Database, conn, session: Session, spec: DemoSize, seed: int, today: date):
        self.db = db
        self.conn = conn
        self.session = session
        self.spec = spec
        self.seed = seed
        self.rng = random.Random(f"gridadmin-demo:{spec.key}:{seed}")
        self.today = today
        self.T = today.toordinal()
        self.W0 = _add_years(self.T, -2)
        self.names = _Names(self.rng)
        self.used_ids: set[str] = set()
        self.buffers: dict[str, list[dict]] = {name: [] for name in _TABLES}
        self.next_id: dict[str, int] = {}
        self.summary = DemoSummary(size=spec.key, seed=seed)
        self.towns: list[_Town] = []
        self.grids: list[_Grid] = []
        self._spans = {}
        for age in range(0, 111):
            hi = _add_years(self.T, -age)
            lo = _add_years(self.T, -(age + 1)) + 1
            self._spans[age] = (lo, hi)
        self.county_code = spec.county
        county = divisions.county(spec.county)
        self.county_name = county.name if county else "本县"
        self._region_text_cache: dict[str, str] = {}
        self._setup_regions()
        self.w_flow_reason = _weighted(_INFLOW_REASONS)
        self.w_move_place = _weighted(_MOVE_OUT_PLACES)
        self.w_rural_jobs = _weighted(_RURAL_JOBS)
        self.w_urban_jobs = _weighted(_URBAN_JOBS)
        self.w_edu = [(year, _weighted(pairs)) for year, pairs in _EDU_COHORTS]
        self.w_category = _weighted(_CATEGORY_WEIGHTS)
        self.w_hours = _weighted(_HOURS)
        self.w_targets = _weighted([((label, roles), w) for label, roles, w in _TARGETS])
        self.employers = (
            f"{self.county_name}人民医院", f"{self.county_name}第一高级中学", f"{self.county_name}人民政府",
            f"{self.county_name}玉雕大世界", "河南玉神珠宝有限公司", f"中国邮政{self.county_name}分公司",
            f"国网{self.county_name}供电公司", "南阳宛西制药有限公司", f"{self.county_name}实验小学",
            "河南天冠集团", f"{self.county_name}农村商业银行", "镇平县石佛寺玉雕市场",
            "南阳二机石油装备集团", "牧原食品股份有限公司", "南阳防爆集团", "顺丰速运", "中通快递",
        )
        self.progress_done = 0
        self.progress_total = 1
        self._next_progress = _PROGRESS_EVERY
        self.resident_count = 0
        self._compound_names: set[str] = set()
        self._group_counter: dict[int, int] = {}
        self._pending_ghosts: list[tuple] = []
        self.staff: list[_StaffInfo] = []
        self.leavers: list[tuple] = []

    # ------------------------------------------------------------ helpers

    def pick(self, weighted):
        values, cum = weighted
        return values[bisect(cum, self.rng.random() * cum[-1])]

    def born(self, age: int) -> int:
        lo, hi = self._spans[max(0, min(110, age))]
        return self.rng.randint(lo, hi)

    def between(self, lo: int, hi: int) -> int:
        """A random day in [lo, hi] (lo when the range is empty)."""
        return lo if hi <= lo else self.rng.randint(lo, hi)

    def age(self, birth: int) -> int:
        return int((self.T - birth) / 365.2425)

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def add(self, table: str, row: dict) -> None:
        self.buffers[table].append(row)

    def id_number(self, region: str, birth: int, male: bool) -> str:
        bd = date.fromordinal(birth)
        rng = self.rng
        while True:
            seq = rng.randrange(500) * 2 + 1 if male else rng.randrange(1, 500) * 2
            number = make_id_number(region, bd, seq)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"

    def _setup_regions(self) -> None:
        """County codes for ID numbers: own county, the rest of 南阳/河南, and
        other provinces (weighted) for people from elsewhere."""
        nanyang, henan = [], []
        for city in divisions.cities_of("41"):
            for c in divisions.counties_of(city.code):
                if c.code == self.county_code or not _issues_ids(c):
                    continue
                (nanyang if c.code.startswith("4113") else henan).append(c.code)
        self.regions_nanyang = nanyang or [self.county_code]
        self.regions_henan = henan or [self.county_code]
        outside = []
        for code, weight in _OUTSIDE_PROVINCES:
            counties = [c.code for city in divisions.cities_of(code) for c in divisions.counties_of(city.code)
                        if _issues_ids(c)]
            if counties:
                outside.append((tuple(counties), weight))
        self.w_outside = _weighted(outside) if outside else _weighted([((self.county_code,), 1)])
        self.county_townships = [t.name for t in divisions.townships_of(self.county_code)] or ["城关镇"]

    def outside_region(self, henan_share: float = 0.55) -> str:
        r = self.rng.random()
        if r < henan_share * 0.45:
            return self.rng.choice(self.regions_nanyang)
        if r < henan_share:
            return self.rng.choice(self.regions_henan)
        return self.rng.choice(self.pick(self.w_outside))

    def region_text(self, code6: str) -> str:
        cached = self._region_text_cache.get(code6)
        if cached is None:
            parts = []
            c = divisions.county(code6)
            if c is not None:
                ci = divisions.city(code6[:4])
                pr = divisions.province(code6[:2])
                if pr:
                    parts.append(pr.name)
                if ci and ci.name not in divisions.PLACEHOLDER_CITY_NAMES and (not pr or ci.name != pr.name):
                    parts.append(ci.name)
                parts.append(c.name)
            cached = "".join(parts) or code6
            self._region_text_cache[code6] = cached
        return cached

    def step(self, message: str) -> Progress:
        return Progress(min(self.progress_done, self.progress_total), self.progress_total, message)

    def maybe_progress(self, message: str):
        if self.progress_done >= self._next_progress:
            self._next_progress = self.progress_done + _PROGRESS_EVERY
            return self.step(message)
        return None

    def flush(self) -> None:
        for name in _FLUSH_ORDER:
            rows = self.buffers[name]
            if rows:
                self.session.execute(insert(_TABLES[name]), rows)
                self.buffers[name] = []

    # ------------------------------------------------------------ run

    def run(self):
        spec = self.spec
        yield Progress(0, 1, "正在建立乡镇和社区…")
        proxy = Database(self.db.url, self.db.engine, sessionmaker(bind=self.conn, expire_on_commit=False))
        init_township(proxy, spec.townships[0], with_communities=not spec.sample_communities)
        for name, table in _TABLES.items():
            self.next_id[name] = (self.session.scalar(select(func.max(table.c.id))) or 0) + 1
        self.tag_ids = dict(self.session.execute(select(TagKind.code, TagKind.id)).all())
        self._build_towns()
        plans = self._plan()
        planned_residents = sum(p[2] for p in plans)
        self.progress_total = planned_residents + planned_residents // 8 + 10
        yield Progress(0, self.progress_total, "正在划分网格…")

        for comm, grid_plans, _residents in plans:
            self._make_grids(comm, grid_plans)
            for grid, plan in zip(comm.grids, grid_plans):
                if plan[0] == "special":
                    continue
                self._fill_grid(grid, plan)
                if len(self.buffers["person"]) >= _FLUSH_PERSONS:
                    self.flush()
                step = self.maybe_progress(f"正在生成住户和人口…（已生成 {self.resident_count:,} 人）")
                if step is not None:
                    yield step
            if spec.sample_communities:
                yield self.step(f"正在生成住户和人口…（{comm.name}）")
        self.flush()
        yield self.step("正在生成网格力量…")
        self._staff()
        self.progress_done += planned_residents // 16
        yield self.step("正在生成培训记录…")
        self._training()
        self.progress_done += planned_residents // 16
        yield self.step("正在写入数据库…")
        self.flush()
        self._fix_sequences()
        self._count()
        yield Progress(self.progress_total, self.progress_total, "演示数据已生成")
        return self.summary

    # ------------------------------------------------------------ areas

    def _build_towns(self) -> None:
        spec = self.spec
        s = self.session
        for index, code9 in enumerate(spec.townships):
            division = divisions.township(code9)
            if division is None:
                raise ValidationError(f"找不到乡镇/街道 {code9}。", field="township", value=code9)
            full = divisions.display_name(code9).replace(" ", "")
            area_id = s.scalar(select(Area.id).where(Area.division_code == code9 + "000"))
            if area_id is None:
                area_id = self.new_id("area")
                self.add("area", self._area_row(area_id, None, LEVEL_TOWNSHIP, division.name,
                                                code9 + "000", None, None, None, index))
            town = _Town(index, area_id, code9, division.name, full)
            self.towns.append(town)
            villages = divisions.villages_of(code9)
            if spec.sample_communities:
                first_comm = [v for v in villages if community_kind(v.name) == "社区"][:1]
                first_vill = [v for v in villages if community_kind(v.name) == "村"][:2]
                villages = sorted(first_comm + first_vill, key=lambda v: v.code)
            existing = dict(s.execute(select(Area.division_code, Area.id)
                                      .where(Area.parent_id == area_id)).all())
            all_codes = [v.code for v in divisions.villages_of(code9)]
            for v in villages:
                short = community_short_name(v.name)
                kind = community_kind(v.name)
                comm_id = existing.get(v.code)
                order = all_codes.index(v.code)
                if comm_id is None:
                    comm_id = self.new_id("area")
                    self.add("area", self._area_row(comm_id, area_id, LEVEL_COMMUNITY, short, v.code,
                                                    None, kind, None, order))
                town.communities.append(_Community(comm_id, v.code, short, kind, town, order))
        self.flush()

    @staticmethod
    def _area_row(area_id, parent_id, level, name, division_code, grid_code, kind, grid_type, order):
        return {"id": area_id, "parent_id": parent_id, "level": level, "name": name,
                "division_code": division_code, "grid_code": grid_code, "community_kind": kind,
                "grid_type": grid_type, "active": True, "sort_order": order, "note": None, "version": 1}

    def _plan(self) -> list[tuple[_Community, list[tuple], int]]:
        """Per community: a list of grid plans and its expected residents.

        Grid plan: ("city", households) / ("rural", households) /
        ("village", residents) for a village under 500 people / ("special", kind).
        """
        rng = self.rng
        comms = [c for t in self.towns for c in t.communities]
        plans = []
        if self.spec.sample_communities:
            for c in comms:
                if c.kind == "社区":
                    grid_plans = [("city", rng.randint(320, 360)), ("special", 0)]
                elif not any(p[0][0] == "rural" for _, p, _ in plans if p):
                    grid_plans = [("rural", rng.randint(310, 340))]
                else:
                    grid_plans = [("village", rng.randint(400, 470))]
                plans.append((c, grid_plans, 0))
        else:
            base = []
            for c in comms:
                if c.kind == "社区":
                    base.append((c, rng.uniform(2600, 6500), False))
                elif rng.random() < 0.07:
                    base.append((c, rng.uniform(260, 470), True))
                else:
                    base.append((c, rng.uniform(1100, 3800), False))
            fixed = sum(b for _, b, small in base if small)
            scale = max(0.2, (self.spec.residents - fixed) / max(1.0, sum(b for _, b, small in base if not small)))
            industrial = {t.index: False for t in self.towns}
            for c, b, small in base:
                if small:
                    plans.append((c, [("village", int(b))], 0))
                    continue
                residents = b * scale
                urban = c.kind == "社区"
                households = residents / (2.6 if urban else 2.95)
                n = max(1, round(households / 400))
                grid_plans = []
                for _ in range(n):
                    hh = int(households / n * rng.uniform(0.9, 1.1))
                    grid_plans.append(("city" if urban else "rural", max(310, min(490, hh))))
                if rng.random() < (0.3 if urban else 0.07):
                    grid_plans.append(("special", 0))
                if not industrial[c.town.index] and not urban and rng.random() < 0.3:
                    industrial[c.town.index] = True
                    grid_plans.append(("special", 5))
                plans.append((c, grid_plans, 0))
        result = []
        for c, grid_plans, _ in plans:
            expected = 0
            for kind, n in grid_plans:
                expected += int(n * 2.7) if kind in ("city", "rural") else (n if kind == "village" else 0)
            result.append((c, grid_plans, expected))
        return result

    def _make_grids(self, comm: _Community, grid_plans: list[tuple]) -> None:
        rng = self.rng
        urban = comm.kind == "社区"
        base_name = comm.name[:-2] if comm.name.endswith("社区") else comm.name.rstrip("村")
        used_names: set[str] = set()
        regular = [p for p in grid_plans if p[0] != "special"]
        seq = 0
        special_seq = 0
        for order, plan in enumerate(grid_plans):
            kind = plan[0]
            special_kind = natural = None
            if kind == "special":
                special_seq += 1
                code = f"{comm.code}9{special_seq:02d}"
                index = plan[1] if plan[1] else rng.randrange(5)
                suffix, _unit_kind, _head = _SPECIAL_KINDS[index]
                if index == 5:
                    name = f"{self.county_name.rstrip('县')}玉文化产业园专属网格"
                elif index == 4:
                    name = f"{comm.town.name}卫生院专属网格" if not urban else f"{base_name}社区卫生服务站专属网格"
                else:
                    name = f"{base_name}{suffix}专属网格"
                grid_type = GRID_SPECIAL
                special_kind = index
            else:
                seq += 1
                code = f"{comm.code}{seq:03d}"
                if urban:
                    grid_type = GRID_CITY
                    name = f"第{_NUMERALS[seq - 1] if seq <= 10 else seq}网格"
                elif len(regular) == 1:
                    grid_type = GRID_RURAL
                    name = f"{comm.name}网格"
                else:
                    grid_type = GRID_RURAL
                    natural = self._natural_name(comm, used_names)
                    name = f"{natural}网格"
            if name in used_names:
                name = f"{name[:-2]}{seq}网格"
            used_names.add(name)
            grid_id = self.new_id("area")
            row = self._area_row(grid_id, comm.id, LEVEL_GRID, name, None, code, None, grid_type, order)
            self.add("area", row)
            grid = _Grid(grid_id, code, name, grid_type, comm, row, special_kind, natural)
            comm.grids.append(grid)
            self.grids.append(grid)

    def _natural_name(self, comm: _Community, used: set[str]) -> str:
        rng = self.rng
        for _ in range(30):
            surname = rng.choice(self.names.top[:40])
            if rng.random() < 0.3:
                name = rng.choice(_NATURAL_HEADS) + surname + rng.choice(_NATURAL_TAILS)
            else:
                name = surname + rng.choice(_NATURAL_TAILS)
            if name + "网格" not in used:
                return name
        return f"{comm.name}{len(used) + 1}"

    def _micro(self, grid: _Grid, index: int, name: str) -> int:
        area_id = self.new_id("area")
        self.add("area", self._area_row(area_id, grid.id, LEVEL_MICROGRID, name, None,
                                        f"{grid.code}{index:02d}", None, None, index))
        grid.micro_ids.append(area_id)
        return area_id

    # ------------------------------------------------------------ households

    def _fill_grid(self, grid: _Grid, plan: tuple) -> None:
        rng = self.rng
        kind, amount = plan
        comm = grid.community
        urban = kind == "city"
        force_micro = self.spec.sample_communities and urban
        with_micro = force_micro or rng.random() < (0.15 if urban else 0.06)
        hh_seq = [0]
        clan = [rng.choice(self.names.top[:30]) for _ in range(2)] if not urban else []
        if grid.natural and grid.natural[0] in self.names.top and not urban:
            clan[0] = grid.natural[0]

        if urban:
            addresses = self._urban_addresses(grid, amount, with_micro)
            address_iter = iter(addresses)

            def next_address():
                return next(address_iter)
        else:
            groups = self._rural_groups(grid, amount, with_micro)
            doors = [0] * len(groups)

            def next_address():
                gi = rng.randrange(len(groups))
                doors[gi] += rng.randint(1, 3)
                group, area_id = groups[gi]
                door = f"{doors[gi]}号"
                return {"compound": None, "building": None, "unit": None, "room": None,
                        "village_group": group, "door_no": door,
                        "address": f"{comm.name}{group}{door}", "area_id": area_id}

        def household_no():
            hh_seq[0] += 1
            return f"{grid.code}{hh_seq[0]:04d}"

        residents = 0
        if kind == "village":
            target_res = amount
            while True:
                members, hh = self._household(grid, urban, household_no, next_address, clan)
                active = sum(1 for m in members if m.status == PERSON_ACTIVE)
                if residents + active >= 500:
                    self._discard(members, hh)
                    break
                self._commit_household(members, hh, grid, urban)
                residents += active
                if residents >= target_res:
                    break
            count = 0
        else:
            count = amount
            for _ in range(count):
                members, hh = self._household(grid, urban, household_no, next_address, clan)
                self._commit_household(members, hh, grid, urban)
        # dissolved households: a lone elder who died, a family that moved away
        households = count or 150
        ghosts = int(households * rng.uniform(0.008, 0.022)) + (1 if rng.random() < 0.5 else 0)
        for _ in range(ghosts):
            members, hh = self._ghost_household(grid, urban, household_no, next_address)
            if members:
                self._commit_household(members, hh, grid, urban)

    def _urban_addresses(self, grid: _Grid, households: int, with_micro: bool) -> list[dict]:
        """Distinct 小区/楼栋/单元/室 for ``households`` (+ spare for dissolved
        households); micro-grids by building groups of the first compound."""
        rng = self.rng
        needed = int(households * 1.06) + 10
        n_compounds = 1 if needed < 200 else rng.choices((1, 2, 3), (50, 35, 15))[0]
        compound_names = []
        for _ in range(n_compounds):
            for _ in range(40):
                name = rng.choice(_COMPOUND_HEADS) + rng.choice(_COMPOUND_TAILS)
                if name not in self._compound_names:
                    break
            else:
                for phase in "二三四五六七八九":
                    if f"{name}{phase}期" not in self._compound_names:
                        name = f"{name}{phase}期"
                        break
            self._compound_names.add(name)
            compound_names.append(name)
        if rng.random() < 0.4:  # named after its main compound
            grid.name = grid.row["name"] = f"{compound_names[0]}网格"
        pools: list[list[dict]] = []
        share = needed // n_compounds + 1
        for ci, compound in enumerate(compound_names):
            floors, units, rooms = rng.choice(((6, 3, 2), (6, 2, 2), (11, 2, 2), (18, 2, 4), (26, 2, 4)))
            per_building = floors * units * rooms
            n_buildings = max(1, -(-int(share * 1.25) // per_building))
            micro_of_building: dict[int, int | None] = {}
            if with_micro and ci == 0 and n_buildings >= 2:
                n_micro = min(n_buildings, rng.randint(2, 4))
                bounds = [round(i * n_buildings / n_micro) for i in range(n_micro + 1)]
                for mi in range(n_micro):
                    first, last = bounds[mi] + 1, bounds[mi + 1]
                    label = f"{first}号楼" if first == last else f"{first}-{last}号楼"
                    micro_id = self._micro(grid, mi + 1, f"{compound}{label}微网格")
                    for b in range(first, last + 1):
                        micro_of_building[b] = micro_id
            combos = []
            for b in range(1, n_buildings + 1):
                area_id = micro_of_building.get(b, grid.id)
                for u in range(1, units + 1):
                    for f in range(1, floors + 1):
                        for r in range(1, rooms + 1):
                            combos.append((b, u, f * 100 + r, area_id))
            chosen = rng.sample(combos, min(len(combos), share))
            chosen.sort()
            pools.append([{"compound": compound, "building": f"{b}号楼", "unit": f"{u}单元", "room": str(room),
                           "village_group": None, "door_no": None,
                           "address": f"{compound}{b}号楼{u}单元{room}室", "area_id": area_id}
                          for b, u, room, area_id in chosen])
        result = [a for pool in pools for a in pool]
        rng.shuffle(result)
        return result

    def _rural_groups(self, grid: _Grid, households: int, with_micro: bool) -> list[tuple[str, int]]:
        rng = self.rng
        comm = grid.community
        counter = self._group_counter.setdefault(comm.id, 0)
        n = max(1, min(5, round(households / rng.uniform(90, 160)))) if households else rng.randint(1, 2)
        groups = []
        for i in range(n):
            counter += 1
            label = f"第{_NUMERALS[counter - 1] if counter <= 10 else counter}村民小组"
            area_id = grid.id
            if with_micro and n >= 2:
                area_id = self._micro(grid, i + 1, f"{label}微网格")
            groups.append((label, area_id))
        self._group_counter[comm.id] = counter
        return groups

    def _discard(self, members: list[_M], hh: dict) -> None:
        """Forget a composed household that is not used after all."""
        self._pending_ghosts.clear()

    # -- composing one household ------------------------------------------

    def _head_age(self, flow: bool) -> int:
        rng = self.rng
        if flow:
            band = rng.choices(((20, 29), (30, 39), (40, 49), (50, 60)), (30, 35, 25, 10))[0]
        else:
            band = rng.choices(((22, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 79), (80, 93)),
                               (7, 16, 19, 22, 19, 11, 6))[0]
        return rng.randint(*band)

    def _kind(self, age: int, urban: bool, flow: bool) -> str:
        rng = self.rng
        if flow:
            table = (("single", 45), ("couple", 20), ("nuclear", 35)) if age < 30 else \
                (("single", 25), ("couple", 15), ("nuclear", 60))
        elif age < 30:
            table = (("single", 30), ("couple", 20), ("nuclear", 40), ("with_parents", 10))
        elif age < 45:
            table = (("single", 7), ("couple", 4), ("nuclear", 57), ("single_parent", 5),
                     ("with_parents", 27 if urban else 33))
        elif age < 60:
            table = (("single", 7), ("couple", 17), ("nuclear", 41), ("single_parent", 3),
                     ("with_parents", 10), ("three_gen", 12 if urban else 17), ("adult_child", 8))
        elif age < 75:
            table = (("single", 18), ("couple", 38), ("three_gen", 24 if urban else 32), ("adult_child", 12))
        else:
            table = (("single", 42), ("couple", 36), ("three_gen", 22))
        values = [k for k, _ in table]
        return rng.choices(values, [w for _, w in table])[0]

    def _spouse_birth(self, head: _M) -> int:
        rng = self.rng
        gap = max(-3, min(10, round(rng.gauss(2.5, 2.5))))
        head_age = self.age(head.birth)
        age = head_age - gap if head.gender == "1" else head_age + gap
        age = max(age, 22 if head.gender == "2" else 20)
        return self.born(min(age, 100))

    def _kids(self, mother: int | None, father: int | None, k: int, adult_ok: bool = True) -> list[int]:
        """Birth dates of ``k`` children (fewer if impossible): mother 21–40,
        father 22–40 at each birth."""
        rng = self.rng
        parent = mother if mother is not None else father
        lo = _add_years(parent, 21)
        hi = _add_years(parent, 40)
        if father is not None:
            lo = max(lo, _add_years(father, 22))
            hi = min(hi, _add_years(father, 40))
        hi = min(hi, self.T)
        births = []
        b = lo + int(rng.triangular(0, 10, 3) * 365)
        for _ in range(k):
            if b > hi:
                break
            births.append(b)
            b += rng.randint(500, 7 * 365)
        if not adult_ok:
            births = [x for x in births if self.T - x < 18 * 365]
        return births

    def _child_codes(self, kids: list[_M], grand: bool = False, via_daughter: bool = False) -> None:
        rng = self.rng
        if grand:
            for k in kids:
                k.rel = ("43" if k.gender == "1" else "44") if via_daughter else ("41" if k.gender == "1" else "42")
            return
        detailed = rng.random() < 0.55
        if detailed and len(kids) == 1:
            kids[0].rel = "21" if kids[0].gender == "1" else "31"
            return
        sons = daughters = 0
        for k in sorted(kids, key=lambda x: x.birth):
            if k.gender == "1":
                k.rel = ("22", "23", "24")[sons] if detailed and sons < 3 else "20"
                sons += 1
            else:
                k.rel = ("32", "33", "34")[daughters] if detailed and daughters < 3 else "30"
                daughters += 1

    def _household(self, grid: _Grid, urban: bool, household_no, next_address, clan):
        rng = self.rng
        T, W0 = self.T, self.W0
        flow = rng.random() < (0.15 if urban else 0.05)
        resident_outside = (not flow) and urban and rng.random() < 0.03  # 常住: hukou elsewhere
        hh_id = self.new_id("household")
        if flow:
            in_window = rng.random() < 0.5
        else:
            in_window = rng.random() < 0.04
        hh_reg = rng.randint(W0, T - 5) if in_window else rng.randint(W0 - 5 * 365, W0 - 1)
        head_age = self._head_age(flow)
        kind = self._kind(head_age, urban, flow)
        if flow or resident_outside:
            region = self.outside_region(0.6 if flow else 0.8)
        else:
            region = None  # own county, decided per member
        members: list[_M] = []

        if kind in ("single",):
            male_p = 0.55 if head_age < 60 else 0.4
        elif kind == "single_parent":
            male_p = 0.35
        else:
            male_p = 0.85
        head_gender = "1" if rng.random() < male_p else "2"
        if not flow and clan and rng.random() < 0.45:
            head_surname = rng.choice(clan)
        else:
            head_surname = self.names.surname()
        head = _M(head_gender, self.born(head_age), "02", head_surname)
        members.append(head)
        spouse = None
        kids: list[_M] = []

        def add_spouse():
            nonlocal spouse
            if self.T - head.birth < (23 if head.gender == "1" else 21) * 366:
                head.birth = self.born(rng.randint(23, 27) if head.gender == "1" else rng.randint(21, 25))
            g = "2" if head.gender == "1" else "1"
            spouse = _M(g, self._spouse_birth(head), "12" if g == "2" else "11", self.names.surname())
            code = rng.choices(("20", "21", "22"), (75, 20, 5))[0]
            head.marital = spouse.marital = code
            members.append(spouse)

        def add_kids(k: int, adult_ok: bool = True):
            if spouse is not None:
                mother = head if head.gender == "2" else spouse
                father = spouse if head.gender == "2" else head
                births = self._kids(mother.birth, father.birth, k, adult_ok)
                surname = father.surname
            else:
                births = self._kids(head.birth if head.gender == "2" else None,
                                    head.birth if head.gender == "1" else None, k, adult_ok)
                surname = head.surname if head.gender == "1" or rng.random() < 0.3 else self.names.surname()
            new = [_M("1" if rng.random() < 0.52 else "2", b, "20", surname) for b in births]
            for kid in new:
                if self.T - kid.birth >= 22 * 365 and rng.random() < 0.08:
                    kid.marital = "40"
            kids.extend(new)
            members.extend(new)
            return new

        if kind == "single":
            if head_age < 30:
                head.marital = "10"
            elif head_age < 60:
                head.marital = rng.choices(("10", "40", "30"), (40, 48, 12))[0]
            else:
                head.marital = rng.choices(("30", "40", "10"), (75, 12, 13))[0]
        elif kind == "couple":
            add_spouse()
        elif kind == "nuclear":
            add_spouse()
            add_kids(rng.choices((1, 2, 3), (45, 45, 10))[0], adult_ok=head_age >= 45)
        elif kind == "single_parent":
            head.marital = rng.choices(("40", "30"), (70, 30))[0]
            add_kids(rng.choices((1, 2), (65, 35))[0])
        elif kind == "with_parents":
            if head_age >= 25 or rng.random() < 0.5:
                add_spouse()
                add_kids(rng.choices((0, 1, 2), (20, 45, 35))[0], adult_ok=False)
            self._add_parents(head, members, hh_id, allow_transfer=not in_window)
        elif kind == "three_gen":
            if rng.random() < 0.85:
                add_spouse()
            else:
                head.marital = "30"
            self._add_next_generation(head, spouse, members, kids)
        elif kind == "adult_child":
            if rng.random() < 0.8:
                add_spouse()
            else:
                head.marital = "30"
            new = add_kids(1)
            for kid in new:
                if self.T - kid.birth < 20 * 365:
                    members.remove(kid)
                    kids.remove(kid)
        if kids and kind != "three_gen":
            self._child_codes(kids)
        if len(members) > 6:
            del members[6:]
            kids[:] = [k for k in kids if k in members]

        # a husband or wife who died within the two years
        if kind == "single" and head_age >= 62 and head.marital == "30" and rng.random() < 0.3:
            self._add_dead_spouse(head, members, hh_id, rng.randint(W0, T - 1))
        elif kind == "single_parent" and head.marital == "30" and rng.random() < 0.3:
            self._add_dead_spouse(head, members, hh_id, rng.randint(W0, T - 1))
        # a child who moved away within the two years
        if not flow and 45 <= head_age <= 72 and kind in ("couple", "nuclear", "three_gen", "adult_child") \
                and spouse is not None and rng.random() < 0.13:
            self._add_moved_child(head, spouse, members, hh_id)

        # 留守: parents working away, children under 16 at home
        if not urban and not flow and rng.random() < 0.3:
            young = [m for m in members if m.status == PERSON_ACTIVE and self.T - m.birth < 16 * 365]
            parents = [m for m in members if m.status == PERSON_ACTIVE and m.rel in ("02", "11", "12", "20", "21", "22", "38", "28")
                       and 24 * 365 < self.T - m.birth < 45 * 365]
            elders = [m for m in members if m.status == PERSON_ACTIVE and self.T - m.birth >= 50 * 365]
            if young and parents and elders:
                for p in parents:
                    p.res = "2"
                for y in young:
                    y.left_behind = True

        # registration, categories, regions and events
        moved_in = in_window and not flow
        origin = self.region_text(region) if region else None
        if moved_in and origin is None:
            origin = f"{self.region_text(self.county_code)}{rng.choice(self.county_townships)}"
        for m in members:
            if m.reg is None:
                if m.birth > hh_reg:
                    m.reg = min(T, m.birth + rng.randint(0, 20))
                    m.events.append((EVENT_BORN, m.birth, None, hh_id, None, None))
                    m.events.append((EVENT_REGISTERED, m.reg, None, hh_id, None, None))
                else:
                    m.reg = hh_reg
                    m.events.append((EVENT_REGISTERED, hh_reg, None, hh_id, origin if flow else None,
                                     "流入登记" if flow else None))
                    if moved_in:
                        m.events.append((EVENT_MOVED_IN, hh_reg, None, hh_id, origin, None))
            if flow:
                m.cat, m.res, m.region = "3", "3", region
            elif resident_outside:
                m.cat, m.res, m.region = "2", "3", region
            elif m.region is None:
                m.region = self.county_code if rng.random() < 0.93 else self.outside_region(0.9)
        # nobody leaves before being registered here
        members[:] = [m for m in members if m.leave is None or m.leave > m.reg]
        for m in members:
            if m.status != PERSON_ACTIVE:
                m.events.append((EVENT_DIED if m.status == PERSON_DECEASED else EVENT_MOVED_OUT,
                                 m.leave, hh_id, None, m.place, m.note))

        # a spouse from elsewhere (常住人口, hukou not moved)
        if spouse is not None and not flow and not resident_outside and rng.random() < 0.05:
            spouse.cat, spouse.res = "2", "3"
            spouse.region = self.outside_region(0.7)
        # a spouse who married in within the two years (迁入)
        if spouse is not None and not flow and not in_window and head_age <= 33 and rng.random() < 0.25:
            first_kid = min((k.birth for k in kids), default=T)
            lo = max(W0, hh_reg + 1, _add_years(spouse.birth, 20))
            hi = min(T - 5, first_kid - 1)
            if lo < hi:
                d = rng.randint(lo, hi)
                spouse.reg = d
                place = f"{self.region_text(spouse.region)}" if spouse.region != self.county_code else \
                    f"{self.region_text(self.county_code)}{rng.choice(self.county_townships)}"
                spouse.events = [(EVENT_REGISTERED, d, None, hh_id, None, None),
                                 (EVENT_MOVED_IN, d, None, hh_id, place, "婚迁")]
        # working away / studying away (户在人不在)
        if not flow and not resident_outside:
            away = 0.2 if not urban else 0.06
            for m in members:
                if m.status != PERSON_ACTIVE or m.res != "1":
                    continue
                age = self.age(m.birth)
                if 18 <= age <= 21 and m.marital == "10" and rng.random() < 0.5:
                    m.res, m.student_away = "2", True
                elif 22 <= age <= 50 and rng.random() < away:
                    m.res = "2"

        address = next_address()
        hh = {"id": hh_id, "household_no": household_no(), "area_id": address["area_id"],
              "household_type": "1", "compound": address["compound"], "building": address["building"],
              "unit": address["unit"], "room": address["room"], "village_group": address["village_group"],
              "door_no": address["door_no"], "address": address["address"], "phone": None,
              "is_dibao": False, "is_tekun": False, "is_party": False, "is_veteran": False,
              "is_disabled": False, "is_poor": False, "registered_on": hh_reg, "dissolved_on": None,
              "note": None, "version": 1}
        hh["_flow"] = flow
        hh["_origin"] = origin
        hh["_kind"] = kind
        hh["_in_window"] = in_window
        return members, hh

    def _add_parents(self, head: _M, members: list[_M], hh_id: int, allow_transfer: bool) -> None:
        rng = self.rng
        T, W0 = self.T, self.W0
        head_age = self.age(head.birth)
        father_age = head_age + rng.randint(23, 33)
        mother_age = father_age - max(-3, min(8, round(rng.gauss(2.5, 2))))
        mother_age = max(mother_age, head_age + 21)
        both = rng.random() < 0.55 and father_age <= 95 and mother_age <= 97
        if father_age > 95 and mother_age > 97:
            return
        father = _M("1", self.born(father_age), "51", head.surname)
        mother = _M("2", self.born(mother_age), "52", self.names.surname())
        # parents are older than the head by at least 21 years
        father.birth = min(father.birth, _add_years(head.birth, -22))
        mother.birth = min(mother.birth, _add_years(head.birth, -21))
        if both:
            father.marital = mother.marital = "20"
            members.extend((father, mother))
            return
        alive, other = (mother, father) if rng.random() < 0.65 or father_age > 95 else (father, mother)
        if self.age(alive.birth) > 97:
            return
        alive.marital = "30"
        members.append(alive)
        r = rng.random()
        if r < 0.2:
            other.status, other.leave = PERSON_DECEASED, rng.randint(W0, T - 1)
            other.marital = "20"
            members.append(other)
        elif r < 0.45 and allow_transfer:
            # moved in from their own household, which was then dissolved (户间迁移)
            d = rng.randint(W0, T - 5)
            ghost_id = self.new_id("household")
            ghost_reg = rng.randint(W0 - 5 * 365, W0 - 1)
            alive.reg = ghost_reg
            alive.alone_since = d
            alive.events.append((EVENT_REGISTERED, ghost_reg, None, ghost_id, None, None))
            alive.events.append((EVENT_TRANSFER, d, ghost_id, hh_id, None, "投靠子女"))
            alive.note = "由原住户迁入投靠子女"
            self._pending_ghosts.append((ghost_id, ghost_reg, d, alive))

    def _add_next_generation(self, head: _M, spouse: _M | None, members: list[_M], kids: list[_M]) -> None:
        rng = self.rng
        mother = head if head.gender == "2" else spouse
        father = head if head.gender == "1" else spouse
        births = self._kids(mother.birth if mother else None, father.birth if father else None, 2)
        births = [b for b in births if self.T - b >= 22 * 365] or births[:1]
        if not births:
            return
        via_daughter = rng.random() < 0.12
        child_gender = "2" if via_daughter else "1"
        surname = (father or head).surname
        child = _M(child_gender, births[0], "22" if child_gender == "1" else "32", surname)
        if rng.random() < 0.4:
            child.rel = "20" if child_gender == "1" else "30"
        if self.T - child.birth < 22 * 365:
            child.marital = "10"
            members.append(child)
            kids.append(child)
            return
        members.append(child)
        kids.append(child)
        partner_gender = "1" if via_daughter else "2"
        gap = max(-3, min(8, round(rng.gauss(2, 2))))
        child_age = self.age(child.birth)
        partner_age = child_age + gap if via_daughter else child_age - gap
        partner_age = max(partner_age, 22 if partner_gender == "1" else 20)
        partner_age = min(partner_age, self.age(head.birth) - 16)
        partner = _M(partner_gender, self.born(partner_age), "28" if via_daughter else "38", self.names.surname())
        code = rng.choices(("20", "21"), (70, 30))[0]
        child.marital = partner.marital = code
        members.append(partner)
        gm = partner if partner_gender == "2" else child
        gf = child if partner_gender == "2" else partner
        g_births = self._kids(gm.birth, gf.birth, rng.choices((1, 2), (55, 45))[0], adult_ok=False)
        grandkids = [_M("1" if rng.random() < 0.52 else "2", b, "41", gf.surname) for b in g_births]
        self._child_codes(grandkids, grand=True, via_daughter=via_daughter)
        members.extend(grandkids)

    def _add_dead_spouse(self, head: _M, members: list[_M], hh_id: int, died: int) -> None:
        g = "2" if head.gender == "1" else "1"
        dead = _M(g, self._spouse_birth(head), "12" if g == "2" else "11", self.names.surname())
        dead.status, dead.leave, dead.marital = PERSON_DECEASED, died, "20"
        members.append(dead)
        head.alone_since = died

    def _add_moved_child(self, head: _M, spouse: _M, members: list[_M], hh_id: int) -> None:
        rng = self.rng
        mother = head if head.gender == "2" else spouse
        father = spouse if head.gender == "2" else head
        births = [b for b in self._kids(mother.birth, father.birth, 3) if 19 * 365 <= self.T - b <= 36 * 365]
        if not births:
            return
        b = births[-1]
        gender = "1" if rng.random() < 0.5 else "2"
        kid = _M(gender, b, "20" if gender == "1" else "30", father.surname)
        d = rng.randint(max(self.W0, _add_years(b, 18)), self.T - 1)
        age_then = (d - b) / 365.2425
        kid.status, kid.leave = PERSON_MOVED_OUT, d
        if age_then < 21 and rng.random() < 0.7:
            kid.note, kid.place = "升学", self.pick(self.w_move_place)
        elif gender == "2" and rng.random() < 0.6:
            kid.note = "婚迁"
            kid.place = f"{self.region_text(self.county_code)}{rng.choice(self.county_townships)}"
            kid.marital = "20"
        else:
            kid.note, kid.place = "工作", self.pick(self.w_move_place)
        members.append(kid)

    def _ghost_household(self, grid: _Grid, urban: bool, household_no, next_address):
        """A household dissolved within the two years."""
        rng = self.rng
        T, W0 = self.T, self.W0
        d = rng.randint(W0 + 10, T - 1)
        if rng.random() < 0.5:
            # a lone elder who died
            hh_id = self.new_id("household")
            hh_reg = rng.randint(W0 - 6 * 365, W0 - 1)
            gender = "2" if rng.random() < 0.55 else "1"
            age = rng.randint(72, 96)
            m = _M(gender, self.born(age), "02", self.names.surname())
            m.marital = "30"
            m.status, m.leave = PERSON_DECEASED, d
            m.reg = hh_reg
            m.region = self.county_code
            m.events = [(EVENT_REGISTERED, hh_reg, None, hh_id, None, None),
                        (EVENT_DIED, d, hh_id, None, None, None)]
            members = [m]
            flow = False
            note = _NOTE_DIED_ALONE
        else:
            # a family that moved away (or, for 流动人口, left) as a whole
            members, hh = self._household(grid, urban, lambda: "", lambda: {
                "area_id": grid.id, "compound": None, "building": None, "unit": None, "room": None,
                "village_group": None, "door_no": None, "address": None}, [])
            self._pending_ghosts.clear()
            hh_id = hh["id"]
            flow = hh["_flow"]
            hh_reg = min(hh["registered_on"], d - 30)
            moved_in = hh["_in_window"] and not flow and hh_reg >= W0
            place = self.pick(self.w_move_place) if rng.random() < 0.6 else \
                (hh["_origin"] or self.region_text(self.outside_region()))
            members = [m for m in members if m.birth < d - 1
                       and not any(e[0] == EVENT_TRANSFER for e in m.events)
                       and not (m.status == PERSON_DECEASED and m.leave >= d)]
            if not members or members[0].rel != "02":
                return [], None
            note = "流出" if flow else "全户迁出"
            for m in members:
                if m.birth > hh_reg:
                    m.reg = self.between(m.birth, min(d - 1, m.birth + 20))
                    m.events = [(EVENT_BORN, m.birth, None, hh_id, None, None),
                                (EVENT_REGISTERED, m.reg, None, hh_id, None, None)]
                else:
                    m.reg = hh_reg
                    m.events = [(EVENT_REGISTERED, hh_reg, None, hh_id, None, "流入登记" if flow else None)]
                    if moved_in:
                        m.events.append((EVENT_MOVED_IN, hh_reg, None, hh_id, hh["_origin"], None))
                if m.status == PERSON_DECEASED and m.leave > m.reg:
                    m.events.append((EVENT_DIED, m.leave, hh_id, None, None, None))
                else:
                    m.status, m.leave, m.place, m.note = PERSON_MOVED_OUT, d, place, note
                    m.events.append((EVENT_MOVED_OUT, d, hh_id, None, place, note))
            note = "全户流出，户已注销" if flow else "全户迁出，户已注销"
        address = next_address()
        hh = {"id": hh_id, "household_no": household_no(), "area_id": address["area_id"],
              "household_type": "1", "compound": address["compound"], "building": address["building"],
              "unit": address["unit"], "room": address["room"], "village_group": address["village_group"],
              "door_no": address["door_no"], "address": address["address"], "phone": None,
              "is_dibao": False, "is_tekun": False, "is_party": False, "is_veteran": False,
              "is_disabled": False, "is_poor": False, "registered_on": hh_reg, "dissolved_on": d,
              "note": note, "version": 1, "_flow": flow, "_origin": None, "_kind": "ghost", "_in_window": False}
        return members, hh

    # -- writing one household ------------------------------------------

    def _commit_household(self, members: list[_M], hh: dict, grid: _Grid, urban: bool) -> None:
        rng = self.rng
        flow = hh.pop("_flow")
        origin = hh.pop("_origin")
        hh.pop("_kind")
        hh.pop("_in_window")
        hh_id = hh["id"]
        comm = grid.community
        hukou_here = f"{comm.town.full}{comm.name}"
        active = [m for m in members if m.status == PERSON_ACTIVE]
        alone = len(active) == 1
        dissolved = hh["dissolved_on"] is not None
        # household-level circumstances
        is_dibao = not flow and not dissolved and \
            rng.random() < (0.15 if (alone and self.age(active[0].birth) >= 60) else 0.035)
        is_poor = not flow and not dissolved and (rng.random() < 0.015 or (is_dibao and rng.random() < 0.3))
        hh["is_dibao"], hh["is_poor"] = is_dibao, is_poor
        ethnicity = "01"
        r = rng.random()
        if r < 0.011:
            ethnicity = "03"
        elif r < 0.014:
            ethnicity = rng.choice(_ETHNIC_OTHER)
        if hh["registered_on"] is not None and not isinstance(hh["registered_on"], date):
            hh["registered_on"] = date.fromordinal(hh["registered_on"])
        if hh["dissolved_on"] is not None and not isinstance(hh["dissolved_on"], date):
            hh["dissolved_on"] = date.fromordinal(hh["dissolved_on"])
        flow_reason = self.pick(self.w_flow_reason) if flow else None
        if flow_reason == "就学" and len(members) > 1:
            flow_reason = "务工"
        dwelling = None
        if flow:
            dwelling = rng.choices(("租赁房屋", "单位内部", "自购房", "借住"), (70, 10, 10, 10))[0] if urban else \
                rng.choices(("租赁房屋", "工地现场", "借住"), (50, 20, 30))[0]
        for m in members:
            row = self._person_row(m, hh_id, urban, flow, hukou_here, ethnicity, flow_reason, dwelling, origin)
            self.add("person", row)
            for kind, day, from_hh, to_hh, place, note in m.events:
                self.add("person_event", {"id": self.new_id("person_event"), "person_id": row["id"],
                                          "kind": kind, "event_date": date.fromordinal(day),
                                          "from_household_id": from_hh, "to_household_id": to_hh,
                                          "place": place, "note": note})
            self._person_tags(m, row, alone, active, hh, is_dibao)
            if m.status == PERSON_ACTIVE:
                self.resident_count += 1
                self.progress_done += 1
                if row["political_status"] in ("01", "02"):
                    hh["is_party"] = True
                if hh["phone"] is None and row["phone"] and m.rel == "02":
                    hh["phone"] = row["phone"]
        if hh["phone"] is None:
            hh["phone"] = next((p["phone"] for p in self.buffers["person"][-len(members):]
                                if p["phone"] and p["status"] == PERSON_ACTIVE), None)
        self.add("household", hh)
        # ghost households of parents who moved in with this household
        pending, self._pending_ghosts = self._pending_ghosts, []
        for ghost_id, ghost_reg, d, parent in pending:
            if parent not in members:
                continue
            address = self._ghost_address(grid, urban)
            self.add("household", {
                "id": ghost_id, "household_no": f"{hh['household_no']}-1", "area_id": hh["area_id"],
                "household_type": "1",
                "compound": address.get("compound"), "building": address.get("building"),
                "unit": address.get("unit"), "room": address.get("room"),
                "village_group": address.get("village_group"), "door_no": address.get("door_no"),
                "address": address.get("address"), "phone": None, "is_dibao": False, "is_tekun": False,
                "is_party": False, "is_veteran": False, "is_disabled": False, "is_poor": False,
                "registered_on": date.fromordinal(ghost_reg), "dissolved_on": date.fromordinal(d),
                "note": "户主迁入子女户，户已注销", "version": 1})

    def _ghost_address(self, grid: _Grid, urban: bool) -> dict:
        rng = self.rng
        comm = grid.community
        if urban:  # the parent's old single-storey house
            row, number = rng.randint(1, 30), rng.randint(1, 8)
            return {"address": f"{comm.name}老城区平房{row}排{number}号"}
        door = f"{rng.randint(1, 120)}号"
        return {"village_group": "原宅基地", "door_no": door, "address": f"{comm.name}原宅基地{door}"}

    def _person_row(self, m: _M, hh_id: int, urban: bool, flow: bool, hukou_here: str, ethnicity: str,
                    flow_reason, dwelling, origin) -> dict:
        rng = self.rng
        T = self.T
        names = self.names
        birth_date = date.fromordinal(m.birth)
        year = birth_date.year
        age = self.age(m.birth)
        given = names.given(m.gender, year)
        full = m.surname + given
        py, initials = names.pinyin(m.surname, given)
        number = self.id_number(m.region or self.county_code, m.birth, m.gender == "1")
        m.id_number = number
        # political
        if age < 14:
            political = "13"
        else:
            r = rng.random()
            party = 0.0
            if age >= 18:
                party = 0.11 if (m.gender == "1" and age >= 45) else 0.05
                if urban:
                    party += 0.03
            if r < party:
                political = "01"
            elif r < party + 0.004 and age >= 18:
                political = "02"
            elif age <= 28 and r < party + 0.33:
                political = "03"
            elif age >= 25 and urban and r > 0.997:
                political = rng.choice(("04", "05", "06", "07", "08", "09", "10", "12"))
            else:
                political = "13"
        # education
        if age < 6:
            education = "90"
        elif age < 12:
            education = "80"
        elif age < 15:
            education = "70"
        elif age < 18:
            education = "60" if rng.random() < 0.75 else "40"
        else:
            for limit, weights in self.w_edu:
                if year < limit:
                    education = self.pick(weights)
                    break
            if urban and rng.random() < 0.3:
                education = _EDU_UP[education]
            if m.student_away:
                education = "60"
        # occupation
        employer = None
        if age < 6:
            occupation = None
        elif age < 18 or m.student_away:
            occupation = "学生"
        elif flow:
            occupation = {"务工": "务工人员", "经商": "个体工商户", "就学": "学生"}.get(flow_reason, "灵活就业")
        elif age >= 60:
            occupation = "退休" if (urban or rng.random() < 0.1) else ("务农" if age < 75 else "无")
        elif m.res == "2":
            occupation = "外出务工"
        else:
            occupation = self.pick(self.w_urban_jobs if urban else self.w_rural_jobs)
            if occupation in _EMPLOYER_JOBS:
                employer = rng.choice(self.employers)
        # phone
        if age >= 18:
            phone = self.phone() if rng.random() < (0.93 if age < 80 else 0.6) else None
        elif age >= 14:
            phone = self.phone() if rng.random() < 0.5 else None
        else:
            phone = None
        hukou = hukou_here if m.cat == "1" else self.region_text(m.region)
        row = {
            "id": self.new_id("person"), "household_id": hh_id, "name": full, "name_pinyin": py,
            "name_initials": initials, "id_number": number, "gender": m.gender, "birth_date": birth_date,
            "ethnicity": ethnicity, "relation": m.rel, "hukou_place": hukou, "category": m.cat,
            "residence_status": m.res, "political_status": political, "education": education,
            "marital_status": m.marital if age >= 18 else "10", "occupation": occupation, "employer": employer,
            "phone": phone, "status": m.status, "registered_on": date.fromordinal(m.reg),
            "moved_out_on": date.fromordinal(m.leave) if m.status == PERSON_MOVED_OUT else None,
            "moved_out_to": m.place if m.status == PERSON_MOVED_OUT else None,
            "died_on": date.fromordinal(m.leave) if m.status == PERSON_DECEASED else None,
            "inflow_date": None, "inflow_reason": None, "origin_place": None, "residence_permit_no": None,
            "residence_permit_expires": None, "dwelling_type": None, "note": m.note, "version": 1,
        }
        if flow:
            inflow = m.reg - rng.randint(0, 60) if m.birth <= m.reg - 60 else m.reg
            row["inflow_date"] = date.fromordinal(max(inflow, m.birth))
            row["inflow_reason"] = "随迁家属" if age < 16 else flow_reason
            row["origin_place"] = origin or self.region_text(m.region)
            row["dwelling_type"] = dwelling
            if age >= 16 and T - m.reg > 180 and rng.random() < 0.7:
                row["residence_permit_no"] = number
                row["residence_permit_expires"] = date.fromordinal(T + rng.randint(-60, 330))
        return row

    # -- special-group tags ------------------------------------------------

    def _tag(self, m: _M, person_id: int, code: str, start: int, end: int | None = None,
             note: str | None = None) -> bool:
        start = max(start, m.reg)
        if m.leave is not None:
            end = m.leave if end is None else min(end, m.leave)
        if start > self.T or (end is not None and end <= start):
            return False
        self.add("person_tag", {"id": self.new_id("person_tag"), "person_id": person_id,
                                "tag_kind_id": self.tag_ids[code], "start_date": date.fromordinal(start),
                                "end_date": date.fromordinal(end) if end is not None else None, "note": note})
        return True

    def _person_tags(self, m: _M, row: dict, alone: bool, active: list[_M], hh: dict, is_dibao: bool) -> None:
        rng = self.rng
        T, W0 = self.T, self.W0
        pid = row["id"]
        birth = m.birth
        until = m.leave if m.leave is not None else T
        age_until = int((until - birth) / 365.2425)
        is_active = m.status == PERSON_ACTIVE
        r = rng.random
        if age_until >= 79:
            d80 = _add_years(birth, 80)
            if d80 <= until and r() < 0.95:
                self._tag(m, pid, "elder_80", d80)
        if m.gender == "2" and 14 <= age_until <= 52:
            d15, d50 = _add_years(birth, 15), _add_years(birth, 50)
            if d15 <= until and d50 > W0 and r() < 0.95:
                self._tag(m, pid, "fertile_woman", d15, d50 if d50 <= T else None)
        if age_until >= 60:
            d60 = _add_years(birth, 60)
            if is_active and alone and r() < 0.85:
                self._tag(m, pid, "elder_alone", max(d60, m.alone_since or 0))
                if r() < 0.06:
                    self._tag(m, pid, "tekun", max(d60, m.reg + rng.randint(0, 400)))
                    hh["is_tekun"] = True
            elif not is_active and m.rel == "02" and hh["note"] == _NOTE_DIED_ALONE and r() < 0.8:
                self._tag(m, pid, "elder_alone", d60)
            elif is_active and len(active) == 2 and all(self.T - x.birth >= 60 * 365.25 for x in active) \
                    and r() < 0.7:
                self._tag(m, pid, "empty_nest", d60)
        if is_active and m.left_behind and T - birth < 16 * 365:
            self._tag(m, pid, "left_child", max(birth, T - rng.randint(30, 900)))
            if r() < 0.05:
                self._tag(m, pid, "needy_child", T - rng.randint(30, 700))
        if is_dibao and is_active:
            if r() < 0.9:
                start = m.reg if r() < 0.5 else self.between(m.reg, T - 1)
                self._tag(m, pid, "dibao", start)
            if T - birth < 18 * 365 and r() < 0.3:
                self._tag(m, pid, "needy_child", self.between(m.reg, T - 1))
        disabled_p = 0.005 if age_until < 18 else (0.013 if age_until < 60 else 0.05)
        if r() < disabled_p:
            start = max(birth, m.reg) if r() < 0.7 else self.between(max(birth, m.reg), until)
            if self._tag(m, pid, "disabled", start):
                hh["is_disabled"] = hh["is_disabled"] or is_active
        if m.gender == "1" and 22 <= age_until <= 85 and r() < 0.03:
            if self._tag(m, pid, "veteran", max(_add_years(birth, 21), m.reg)):
                hh["is_veteran"] = hh["is_veteran"] or is_active
                if r() < 0.2:
                    self._tag(m, pid, "youfu", self.between(m.reg, T - 1))
        elif m.gender == "2" and age_until >= 70 and m.marital == "30" and r() < 0.005:
            self._tag(m, pid, "youfu", m.reg)
        if is_active and 18 <= age_until <= 75:
            x = r()
            if x < 0.0004:
                start = self.between(max(m.reg, W0 - 365), T - 30)
                end = self.between(start + 1, T - 1) if r() < 0.3 else None
                self._tag(m, pid, "corrections", start, end)
            elif x < 0.0014:
                self._tag(m, pid, "released", self.between(m.reg, T - 1))
            elif x < 0.0054:
                self._tag(m, pid, "mental", self.between(m.reg, T - 1))
            elif x < 0.0059:
                self._tag(m, pid, "drug", self.between(m.reg, T - 1))
            elif x < 0.0063:
                self._tag(m, pid, "petition", self.between(max(m.reg, W0), T - 1))

    # ------------------------------------------------------------ staff

    def _new_staff(self, town: _Town, role: str, hired: int, *, age: tuple[int, int], male_p: float,
                   position: str, employment: str, political: tuple, education: tuple,
                   contract: str | None = None) -> _StaffInfo:
        rng = self.rng
        gender = "1" if rng.random() < male_p else "2"
        birth = self.born(rng.randint(*age))
        # old enough when hired
        birth = min(birth, _add_years(hired, -20))
        surname = self.names.surname()
        given = self.names.given(gender, date.fromordinal(birth).year)
        py, initials = self.names.pinyin(surname, given)
        region = self.county_code if rng.random() < 0.9 else self.outside_region(0.9)
        sid = self.new_id("staff")
        row = {
            "id": sid, "name": surname + given, "name_pinyin": py, "name_initials": initials,
            "id_number": self.id_number(region, birth, gender == "1"), "gender": gender,
            "birth_date": date.fromordinal(birth), "ethnicity": "01" if rng.random() < 0.985 else "03",
            "phone": self.phone(), "employment_type": employment,
            "political_status": rng.choices(*zip(*political))[0],
            "education": rng.choices(*zip(*education))[0], "position": position,
            "hired_on": None, "left_on": None, "status": STATUS_ON_POST, "contract_type": contract,
            "social_work_cert": None, "skill_level": None, "note": None, "version": 1,
        }
        info = _StaffInfo(row, role, town)
        info.events.append((hired, STATUS_ON_POST, "入职"))
        info.absent_rate = 0.04 if rng.random() < 0.88 else 0.3
        self.staff.append(info)
        return info

    def _assign(self, info: _StaffInfo, area_id: int, comm: _Community, role: str, start: int,
                note: str | None = None) -> dict:
        row = {"id": self.new_id("staff_assignment"), "staff_id": info.row["id"], "area_id": area_id,
               "role": role, "start_date": start, "end_date": None, "note": note, "version": 1}
        info.assignments.append(row)
        info.communities[row["id"]] = comm.id
        return row

    def _end(self, info: _StaffInfo, rows: list[dict], day: int, status: str | None, note: str) -> None:
        for row in rows:
            if row["end_date"] is None:
                row["end_date"] = day
        if status is not None and not any(a["end_date"] is None for a in info.assignments):
            info.events.append((day, status, note))

    def _slot(self, town: _Town, comm: _Community, role: str, areas: list[int], make, turnover: float,
              leave_status: str, gap_max: int, slot_start: int | None = None) -> None:
        """Holders of one post over time: hired before the window; some
        leave within it and are replaced after a short gap."""
        rng = self.rng
        T, W0 = self.T, self.W0
        start = slot_start if slot_start is not None else rng.randint(W0 - 5 * 365, W0 - 30)
        holder = make(start)
        rows = [self._assign(holder, a, comm, role, start) for a in areas]
        changes = 0
        while rng.random() < (turnover if changes == 0 else turnover / 3):
            lo = max(W0, start + 60)
            if lo >= T - 20:
                break
            left = rng.randint(lo, T - 20)
            reason = rng.choice(("个人原因辞职", "考取公务员/事业编", "家庭原因", "合同期满不再续签")) \
                if leave_status == STATUS_LEFT else rng.choice(("换届卸任", "工作调整", "年龄原因"))
            self._end(holder, rows, left, leave_status, reason)
            if leave_status == STATUS_LEFT:
                self.leavers.append((holder, left, role, town))
            start = min(left + rng.randint(0, gap_max), T - 1)
            holder = make(start)
            rows = [self._assign(holder, a, comm, role, start) for a in areas]
            changes += 1

    def _staff(self) -> None:
        rng = self.rng
        T, W0 = self.T, self.W0
        self.staff: list[_StaffInfo] = []
        self.leavers: list[tuple] = []
        party_high = (("01", 92), ("13", 8))
        party_mid = (("01", 40), ("03", 12), ("13", 48))
        party_low = (("01", 25), ("13", 75))
        edu_high = (("10", 10), ("20", 65), ("30", 25))
        edu_mid = (("20", 35), ("30", 50), ("40", 10), ("60", 5))
        edu_low = (("30", 15), ("40", 15), ("60", 40), ("70", 30))
        for town in self.towns:
            cadres: list[_StaffInfo] = []
            for comm in town.communities:
                if not comm.grids:
                    continue
                urban = comm.kind == "社区"
                regular = [g for g in comm.grids if g.grid_type != GRID_SPECIAL]
                specials = [g for g in comm.grids if g.grid_type == GRID_SPECIAL]
                # leaders: the secretary leads the grids (the director helps in big communities)
                halves = [regular] if len(regular) <= 4 else [regular[: len(regular) // 2],
                                                              regular[len(regular) // 2:]]
                for i, group in enumerate(halves):
                    if urban:
                        position = "社区党委书记" if i == 0 else "社区居委会主任"
                    else:
                        position = "村党支部书记" if i == 0 else "村委会主任"

                    def make_leader(hired, position=position):
                        return self._new_staff(town, ROLE_LEADER, hired, age=(35, 58), male_p=0.7,
                                               position=position, employment=EMPLOYMENT_PART,
                                               political=party_high, education=edu_mid if urban else edu_low)
                    self._slot(town, comm, ROLE_LEADER, [g.id for g in group], make_leader, 0.06,
                               STATUS_RESIGNED, 10)
                # instructor: a township cadre for the whole community
                def make_cadre(hired):
                    info = self._new_staff(town, ROLE_INSTRUCTOR, hired, age=(26, 55), male_p=0.6,
                                           position=rng.choice((f"{town.name}干部", f"{town.name}综治中心干部",
                                                                f"{town.name}党政办干部", f"{town.name}社会事务办干部")),
                                           employment=EMPLOYMENT_PART, political=(("01", 85), ("13", 15)),
                                           education=edu_high)
                    cadres.append(info)
                    return info
                instr_start = rng.randint(W0 - 4 * 365, W0 - 30)
                cadre = make_cadre(instr_start)
                rows = [self._assign(cadre, g.id, comm, ROLE_INSTRUCTOR, instr_start) for g in comm.grids]
                if rng.random() < 0.15:
                    # 调整: another cadre takes over these grids; nobody leaves
                    d = rng.randint(W0, T - 20)
                    self._end(cadre, rows, d, None, "")
                    others = [c for c in cadres if c is not cadre]
                    successor = rng.choice(others) if others and rng.random() < 0.5 else make_cadre(d)
                    for g in comm.grids:
                        self._assign(successor, g.id, comm, ROLE_INSTRUCTOR, d, "包联调整")
                    if not any(a["end_date"] is None for a in cadre.assignments):
                        # the cadre now serves another community
                        target = rng.choice([c for c in town.communities if c.grids])
                        for g in target.grids:
                            self._assign(cadre, g.id, target, ROLE_INSTRUCTOR, d, "包联调整")
                # police and doctor for the community
                if rng.random() < 0.8:
                    def make_police(hired):
                        return self._new_staff(town, ROLE_POLICE, hired, age=(26, 55), male_p=0.85,
                                               position=rng.choice(("社区民警", "辅警")), employment=EMPLOYMENT_PART,
                                               political=(("01", 70), ("13", 30)), education=edu_mid)
                    self._slot(town, comm, ROLE_POLICE, [g.id for g in regular], make_police, 0.1,
                               STATUS_RESIGNED, 30)
                if rng.random() < 0.6:
                    def make_doctor(hired):
                        return self._new_staff(town, ROLE_DOCTOR, hired, age=(28, 62), male_p=0.5,
                                               position="社区卫生服务站医生" if urban else "村医",
                                               employment=EMPLOYMENT_PART, political=party_low, education=edu_mid)
                    self._slot(town, comm, ROLE_DOCTOR, [g.id for g in regular], make_doctor, 0.05,
                               STATUS_RESIGNED, 30)
                for grid in regular:
                    def make_full(hired):
                        info = self._new_staff(town, ROLE_FULLTIME, hired, age=(22, 48), male_p=0.4,
                                               position="专职网格员", employment=EMPLOYMENT_FULL,
                                               political=party_mid, education=edu_mid,
                                               contract=rng.choices(("劳动合同", "劳务派遣", "公益性岗位"),
                                                                    (50, 30, 20))[0])
                        return info
                    self._slot(town, comm, ROLE_FULLTIME, [grid.id], make_full, 0.25, STATUS_LEFT, 20)

                    def make_part(hired):
                        position = rng.choice(("社区两委委员", "社区工作者", "居民小组长")) if urban else \
                            rng.choice(("村民小组长", "村两委委员", "村文书"))
                        return self._new_staff(town, ROLE_PARTTIME, hired, age=(30, 64), male_p=0.55,
                                               position=position, employment=EMPLOYMENT_PART,
                                               political=party_mid, education=edu_low)
                    self._slot(town, comm, ROLE_PARTTIME, [grid.id], make_part, 0.12, STATUS_LEFT, 45)
                    # N: building heads (micro-grids where they exist) and volunteers
                    targets = grid.micro_ids or [grid.id] * rng.randint(0, 3 if urban else 1)
                    for area_id in targets:
                        def make_building(hired):
                            return self._new_staff(town, ROLE_BUILDING, hired, age=(40, 72), male_p=0.5,
                                                   position="楼栋长" if urban else "微网格员",
                                                   employment=EMPLOYMENT_PART, political=party_low,
                                                   education=edu_low)
                        self._slot(town, comm, ROLE_BUILDING, [area_id], make_building, 0.08,
                                   STATUS_RESIGNED, 60)
                    for _ in range(rng.choices((0, 1, 2), (40, 40, 20))[0]):
                        def make_volunteer(hired):
                            return self._new_staff(town, ROLE_VOLUNTEER, hired, age=(20, 70), male_p=0.45,
                                                   position="网格志愿者", employment=EMPLOYMENT_PART,
                                                   political=party_mid, education=edu_low)
                        self._slot(town, comm, ROLE_VOLUNTEER, [grid.id], make_volunteer, 0.15,
                                   STATUS_RESIGNED, 90)
                for grid in specials:
                    kind = getattr(grid, "special_kind", 0) or 0
                    head = _SPECIAL_KINDS[kind][2]

                    def make_unit_head(hired, head=head):
                        return self._new_staff(town, ROLE_LEADER, hired, age=(38, 58), male_p=0.6, position=head,
                                               employment=EMPLOYMENT_PART, political=party_high,
                                               education=edu_high)
                    self._slot(town, comm, ROLE_LEADER, [grid.id], make_unit_head, 0.05, STATUS_RESIGNED, 20)

                    def make_unit_part(hired):
                        return self._new_staff(town, ROLE_PARTTIME, hired, age=(28, 58), male_p=0.7,
                                               position="安保负责人", employment=EMPLOYMENT_PART,
                                               political=party_mid, education=edu_mid)
                    self._slot(town, comm, ROLE_PARTTIME, [grid.id], make_unit_part, 0.1, STATUS_LEFT, 30)
            town.cadres = [c.row["id"] for c in cadres]
        self._rehire_and_leave()
        self._finish_staff()

    def _rehire_and_leave(self) -> None:
        rng = self.rng
        T, W0 = self.T, self.W0
        grids_of_town = {t.index: [g for c in t.communities for g in c.grids if g.grid_type != GRID_SPECIAL]
                         for t in self.towns}
        for info, left, role, town in self.leavers:
            if rng.random() < 0.15:
                back = left + rng.randint(60, 400)
                if back < T - 5 and grids_of_town[town.index]:
                    grid = rng.choice(grids_of_town[town.index])
                    info.events.append((back, STATUS_ON_POST, "重新聘用"))
                    self._assign(info, grid.id, grid.community, role, back, "重新聘用")
        for info in self.staff:
            if not any(a["end_date"] is None for a in info.assignments):
                continue
            last_start = max(e[0] for e in info.events)
            r = rng.random()
            if r < 0.04 and last_start < T - 120:
                d1 = rng.randint(max(W0, last_start + 30), T - 70)
                d2 = min(d1 + rng.randint(7, 60), T - 1)
                info.events.append((d1, STATUS_LEAVE, rng.choice(("病假", "产假", "事假"))))
                info.events.append((d2, STATUS_ON_POST, "销假"))
                info.leave_spans.append((d1, d2))
            elif r < 0.055 and info.role not in (ROLE_FULLTIME, ROLE_LEADER) and last_start < T - 60:
                d1 = rng.randint(T - 60, T - 1)
                info.events.append((d1, STATUS_LEAVE, rng.choice(("病假", "事假"))))
                info.leave_spans.append((d1, T + 1))

    def _finish_staff(self) -> None:
        rng = self.rng
        T = self.T
        expiring = 0
        for info in self.staff:
            row = info.row
            info.events.sort(key=lambda e: e[0])
            status = None
            hired = None
            for day, st, _note in info.events:
                if st == STATUS_ON_POST and status in (None, STATUS_LEFT, STATUS_RESIGNED):
                    hired = day
                status = st
            row["status"] = status
            row["hired_on"] = date.fromordinal(hired)
            row["left_on"] = date.fromordinal(info.events[-1][0]) if status in (STATUS_LEFT, STATUS_RESIGNED) else None
            self.add("staff", row)
            for day, st, note in info.events:
                self.add("staff_status_event", {"id": self.new_id("staff_status_event"), "staff_id": row["id"],
                                                "status": st, "event_date": date.fromordinal(day), "note": note})
            for a in info.assignments:
                out = dict(a)
                out["start_date"] = date.fromordinal(a["start_date"])
                out["end_date"] = date.fromordinal(a["end_date"]) if a["end_date"] is not None else None
                self.add("staff_assignment", out)
            if len([e for e in info.events if e[1] == STATUS_ON_POST and e[2] == "重新聘用"]):
                row["note"] = "曾离职，后重新聘用"
            first_hire = info.events[0][0]
            # qualifications and certificates
            if info.role == ROLE_FULLTIME:
                if rng.random() < 0.35:
                    level = rng.choices(("4", "3", "2"), (60, 30, 10))[0]
                    row["skill_level"] = level
                    label = {"4": "四级/中级工", "3": "三级/高级工", "2": "二级/技师"}[level]
                    issued = self.between(max(first_hire, T - 4 * 365), T - 30)
                    self._certificate(row["id"], f"城市管理网格员职业技能等级证书（{label}）",
                                      f"S{date.fromordinal(issued).year}41{rng.randrange(10**10):010d}",
                                      "河南省人力资源和社会保障厅（评价机构）", issued, None)
                if rng.random() < 0.6 or (expiring == 0 and status == STATUS_ON_POST):
                    if rng.random() < 0.15 or (expiring == 0 and status == STATUS_ON_POST):
                        issued = _add_years(T + rng.randint(5, 85), -2)  # expires within 90 days
                        expiring += 1
                    else:
                        issued = self.between(max(first_hire, T - 5 * 365), T - 10)
                    self._certificate(row["id"], "网格员上岗证",
                                      f"WG{date.fromordinal(issued).year}{rng.randrange(10**6):06d}",
                                      f"{self.county_name}委政法委", issued, _add_years(issued, 2))
            if info.role in (ROLE_FULLTIME, ROLE_LEADER) and rng.random() < (0.25 if info.role == ROLE_FULLTIME else 0.15):
                level = "社会工作师" if rng.random() < 0.3 else "助理社会工作师"
                row["social_work_cert"] = level
                issued = rng.randint(T - 8 * 365, T - 60)
                expires = _add_years(issued, 3)
                while expires < T - 200:
                    expires = _add_years(expires, 3)
                self._certificate(row["id"], f"社会工作者职业资格证书（{level}）",
                                  f"{date.fromordinal(issued).year}0341{rng.randrange(10**8):08d}",
                                  "人力资源和社会保障部 民政部", issued, expires)

    def _certificate(self, staff_id, name, number, issuer, issued, expires) -> None:
        self.add("certificate", {"id": self.new_id("certificate"), "staff_id": staff_id, "name": name,
                                 "number": number, "issuer": issuer, "issued_on": date.fromordinal(issued),
                                 "expires_on": date.fromordinal(expires) if expires is not None else None,
                                 "version": 1})

    # ------------------------------------------------------------ training

    def _training(self) -> None:
        rng = self.rng
        T, W0 = self.T, self.W0
        multi = len(self.towns) > 1
        topic_count: dict[str, int] = {}
        start = date.fromordinal(W0)
        year, month = start.year, start.month
        end = self.today
        # assignments by staff, for "on post at the session date"
        staff_assign = []
        for info in self.staff:
            spans = [(a["role"], info.communities[a["id"]], a["start_date"],
                      a["end_date"] if a["end_date"] is not None else T + 1) for a in info.assignments]
            staff_assign.append((info, spans))
        comm_town = {c.id: c.town.index for t in self.towns for c in t.communities}
        while (year, month) <= (end.year, end.month):
            first = max(date(year, month, 1).toordinal(), W0)
            last = min(date(year + (month == 12), month % 12 + 1, 1).toordinal() - 1, T - 1)
            if first <= last:
                # each township center trains its own staff; the county adds a few sessions
                hosts = [(town, rng.choices((2, 3, 4), (35, 40, 25))[0]) for town in self.towns]
                if multi and rng.random() < 0.5:
                    hosts.append((None, 1))
                for town, count in hosts:
                    for _ in range(count):
                        day = rng.randint(first, last)
                        while date.fromordinal(day).weekday() >= 5 and day > first:
                            day -= 1
                        self._session(day, town, topic_count, staff_assign, comm_town)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        for y in range(date.fromordinal(W0).year, self.today.year + 1):
            self.add("training_requirement", {"id": self.new_id("training_requirement"), "year": y,
                                              "role": None, "hours": 24.0, "version": 1})
            self.add("training_requirement", {"id": self.new_id("training_requirement"), "year": y,
                                              "role": ROLE_FULLTIME, "hours": 32.0, "version": 1})

    def _session(self, day: int, host: _Town | None, topic_count: dict, staff_assign, comm_town) -> None:
        """One session hosted by a township center (``host``) or, when None,
        by the county for all townships; attendance for the staff on post."""
        rng = self.rng
        category = self.pick(self.w_category)
        month = date.fromordinal(day).month
        topic = rng.choice(_TOPICS[category])
        for _ in range(5):
            if ("防汛" in topic and month not in (4, 5, 6, 7, 8)) or ("冬季" in topic and month not in (10, 11, 12, 1)):
                topic = rng.choice(_TOPICS[category])
        if "防汛" in topic and month not in (4, 5, 6, 7, 8):
            topic = "突发事件信息报送培训"
        elif "冬季" in topic and month not in (10, 11, 12, 1):
            topic = "消防安全知识培训"
        key = (host.index if host is not None else -1, topic)
        topic_count[key] = topic_count.get(key, 0) + 1
        hours = self.pick(self.w_hours)
        label, roles = self.pick(self.w_targets)
        if "部署会" in topic or "交流会" in topic:
            form = "3"
        else:
            form = rng.choices(("1", "2", "3"), (62, 25, 13))[0]
        if host is None:
            towns = {t.index for t in self.towns}
            organizer = f"{self.county_name}委政法委"
            host = self.towns[0]
            if rng.random() < 0.7:
                form = "2"
        else:
            towns = {host.index}
            organizer = rng.choice((f"{host.name}综治中心", f"{host.name}网格化服务管理中心"))
        if form != "1":
            hours = min(hours, 4)
        days = 2 if hours >= 16 else 1
        communities = None
        area_label = ""
        comm_list = [c for t in self.towns if t.index in towns for c in t.communities if c.grids]
        if roles != (ROLE_INSTRUCTOR,) and len(comm_list) >= 4 and rng.random() < 0.4:
            half = len(comm_list) // 2
            part = rng.randrange(2)
            chosen = comm_list[:half] if part == 0 else comm_list[half:]
            communities = {c.id for c in chosen}
            area_label = f"（第{_NUMERALS[part]}片区）"
        unit = rng.choice(_TRAINER_UNITS[category]).replace("县", self.county_name, 1)
        trainer_gender = "1" if rng.random() < 0.6 else "2"
        trainer_name = self.names.surname() + self.names.given(trainer_gender, 1975)
        trainer = f"{trainer_name}（{unit}）"
        if form == "2":
            place = rng.choice(("线上（腾讯会议）", "线上（钉钉直播）", "线上（学习平台）"))
        elif form == "3":
            place = f"{host.name}办事处一楼会议室" if "街道" in host.name else f"{host.name}人民政府一楼会议室"
        else:
            place = rng.choice((f"{host.name}综治中心培训室", f"{host.name}党群服务中心三楼会议室",
                                f"{rng.choice([c.name for c in host.communities])}党群服务中心"))
        count = topic_count[key]
        name = f"{topic}{area_label}" + (f"（第{count}期）" if count > 1 else "")
        cancelled = rng.random() < 0.03
        has_exam = form == "1" and category in ("01", "02", "05", "07") and rng.random() < 0.5
        with_cert = hours >= 16
        sid = self.new_id("training_session")
        self.add("training_session", {
            "id": sid, "name": name[:120], "category": category, "form": form,
            "start_date": date.fromordinal(day), "end_date": date.fromordinal(day + days - 1),
            "hours": float(hours), "organizer": organizer, "trainer": trainer[:80], "place": place,
            "target_group": label + (area_label and f"，{area_label.strip('（）')}"),
            "cancelled": cancelled, "note": "因天气原因取消" if cancelled else None, "version": 1})
        if cancelled:
            return
        cert_seq = 0
        for info, spans in staff_assign:
            if not any(role in roles and start <= day < end and comm_town[comm] in towns
                       and (communities is None or comm in communities)
                       for role, comm, start, end in spans):
                continue
            if any(a <= day < b for a, b in info.leave_spans):
                continue
            r = rng.random()
            if r < info.absent_rate:
                status = ATTEND_ABSENT
            elif r < info.absent_rate + 0.06:
                status = ATTEND_EXCUSED
            else:
                status = ATTEND_PRESENT
            score = passed = cert = None
            if status == ATTEND_PRESENT and has_exam:
                score = round(max(40.0, min(100.0, rng.gauss(84, 9))) * 2) / 2
                passed = score >= 60
            if status == ATTEND_PRESENT and with_cert and passed is not False:
                cert_seq += 1
                cert = f"PX{date.fromordinal(day):%Y%m}{sid:03d}{cert_seq:03d}"
            self.add("attendance", {"id": self.new_id("attendance"), "session_id": sid,
                                    "staff_id": info.row["id"], "status": status,
                                    "hours_credited": float(hours) if status == ATTEND_PRESENT else 0.0,
                                    "score": score, "passed": passed, "certificate_no": cert, "version": 1})

    # ------------------------------------------------------------ finish

    def _fix_sequences(self) -> None:
        """PostgreSQL: move the id sequences past the ids written here."""
        if self.conn.dialect.name != "postgresql":
            return
        for name in _TABLES:
            self.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))

    def _count(self) -> None:
        s = self.session
        summary = self.summary

        def count(query):
            return s.scalar(query) or 0

        summary.townships = len(self.towns)
        summary.township_names = [t.name for t in self.towns]
        summary.communities = sum(len(t.communities) for t in self.towns)
        summary.grids = count(select(func.count()).select_from(Area).where(Area.level == LEVEL_GRID))
        summary.microgrids = count(select(func.count()).select_from(Area).where(Area.level == LEVEL_MICROGRID))
        summary.households = count(select(func.count()).select_from(Household).where(Household.dissolved_on.is_(None)))
        summary.household_rows = count(select(func.count()).select_from(Household))
        summary.residents = count(select(func.count()).select_from(Person).where(Person.status == PERSON_ACTIVE))
        summary.person_rows = count(select(func.count()).select_from(Person))
        summary.person_events = count(select(func.count()).select_from(PersonEvent))
        summary.person_tags = count(select(func.count()).select_from(PersonTag))
        summary.staff = count(select(func.count()).select_from(Staff))
        summary.staff_on_post = count(select(func.count()).select_from(Staff).where(Staff.status == STATUS_ON_POST))
        summary.sessions = count(select(func.count()).select_from(TrainingSession))
        summary.attendances = count(select(func.count()).select_from(Attendance))
