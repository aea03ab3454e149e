"""One person row: name and pinyin, ID number, 政治面貌, 文化程度, 职业,
phone, and the 流动人口 fields (流入时间/原因, 来源地, 居住证)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from gridadmin.models.household import PERSON_DECEASED, PERSON_MOVED_OUT
from gridadmin.services.demo.context import Context
from gridadmin.services.demo.family import Member
from gridadmin.services.demo.picking import weighted

_EDU_COHORTS = tuple((year, weighted(pairs)) for year, pairs in (  # (born before year, weights)
    (1950, (("90", 25), ("80", 45), ("70", 22), ("60", 7), ("30", 1))),
    (1965, (("90", 5), ("80", 30), ("70", 45), ("60", 15), ("40", 3), ("30", 2))),
    (1980, (("80", 10), ("70", 50), ("60", 20), ("40", 10), ("30", 7), ("20", 3))),
    (1995, (("80", 3), ("70", 35), ("60", 15), ("40", 15), ("30", 18), ("20", 12), ("10", 2))),
    (9999, (("70", 18), ("60", 15), ("40", 20), ("30", 27), ("20", 17), ("10", 3))),
))
_EDU_UP = {"90": "80", "80": "70", "70": "60", "60": "30", "40": "30", "30": "20", "20": "10", "10": "10"}
_RURAL_JOBS = weighted((("务农", 45), ("个体经营", 8), ("企业职工", 12), ("灵活就业", 15), ("无业", 8),
                        ("玉器加工", 12)))
_URBAN_JOBS = weighted((("企业职工", 30), ("个体工商户", 15), ("机关事业单位人员", 8), ("教师", 5),
                        ("医护人员", 4), ("灵活就业", 18), ("自由职业", 6), ("无业", 8), ("快递员", 3), ("司机", 3)))
_EMPLOYER_JOBS = frozenset({"企业职工", "机关事业单位人员", "教师", "医护人员", "快递员"})
_FLOW_JOBS = {"务工": "务工人员", "经商": "个体工商户", "就学": "学生"}


@lru_cache(maxsize=8)
def _employers(county: str) -> tuple[str, ...]:
    return (
        f"{county}人民医院", f"{county}第一高级中学", f"{county}人民政府", f"{county}玉雕大世界",
        "河南玉神珠宝有限公司", f"中国邮政{county}分公司", f"国网{county}供电公司", "南阳宛西制药有限公司",
        f"{county}实验小学", "河南天冠集团", f"{county}农村商业银行", "镇平县石佛寺玉雕市场",
        "南阳二机石油装备集团", "牧原食品股份有限公司", "南阳防爆集团", "顺丰速运", "中通快递",
    )


def person_row(ctx: Context, m: Member, hh_id: int, urban: bool, flow: bool, hukou_here: str, ethnicity: str,
               flow_reason: str | None, dwelling: str | None, origin: str | None) -> dict:
    """The person row of ``m`` in household ``hh_id`` (a new id)."""
    rng = ctx.rng
    birth_date = date.fromordinal(m.birth)
    year = birth_date.year
    age = ctx.age(m.birth)
    given = ctx.names.given(m.gender, year)
    py, initials = ctx.names.pinyin(m.surname, given)
    number = ctx.id_number(m.region or ctx.county_code, m.birth, m.gender == "1")
    political = _political(ctx, age, m.gender, urban)
    education = _education(ctx, age, year, urban, m.student_away)
    occupation, employer = _occupation(ctx, age, urban, flow, flow_reason, m)
    if age >= 18:
        phone = ctx.phone() if rng.random() < (0.93 if age < 80 else 0.6) else None
    elif age >= 14:
        phone = ctx.phone() if rng.random() < 0.5 else None
    else:
        phone = None
    hukou = hukou_here if m.cat == "1" else ctx.regions.text(m.region)
    moved_out = m.status == PERSON_MOVED_OUT
    row = {
        "id": ctx.new_id("person"), "household_id": hh_id, "name": m.surname + given, "name_pinyin": py,
        "name_initials": initials, "id_number": number, "gender": m.gender, "birth_date": birth_date,
        "ethnicity": ethnicity, "relation": m.rel, "hukou_place": hukou, "category": m.cat,
        "residence_status": m.res, "political_status": political, "education": education,
        "marital_status": m.marital if age >= 18 else "10", "occupation": occupation, "employer": employer,
        "phone": phone, "status": m.status, "registered_on": date.fromordinal(m.reg),
        "moved_out_on": date.fromordinal(m.leave) if moved_out else None,
        "moved_out_to": m.place if moved_out else None,
        "died_on": date.fromordinal(m.leave) if m.status == PERSON_DECEASED else None,
        "inflow_date": None, "inflow_reason": None, "origin_place": None, "residence_permit_no": None,
        "residence_permit_expires": None, "dwelling_type": None, "note": m.note, "version": 1,
        "id_type": "111", "nationality": None, "document_valid_until": None, "other_phone": None,
    }
    if flow:
        inflow = m.reg - rng.randint(0, 60) if m.birth <= m.reg - 60 else m.reg
        row["inflow_date"] = date.fromordinal(max(inflow, m.birth))
        row["inflow_reason"] = "随迁家属" if age < 16 else flow_reason
        row["origin_place"] = origin or ctx.regions.text(m.region)
        row["dwelling_type"] = dwelling
        if age >= 16 and ctx.T - m.reg > 180 and rng.random() < 0.7:
            row["residence_permit_no"] = number
            row["residence_permit_expires"] = date.fromordinal(ctx.T + rng.randint(-60, 330))
    elif m.cat == "3":  # 户口 elsewhere, living in a local 户 (married in, family): 流动人口 too
        row["inflow_date"] = date.fromordinal(max(m.reg, m.birth))
        row["inflow_reason"] = "投亲靠友"
        row["origin_place"] = hukou
        row["dwelling_type"] = "居民家中"
    return row


def _political(ctx: Context, age: int, gender: str, urban: bool) -> str:
    """政治面貌 (GB/T 4762): 01 党员, 02 预备党员, 03 团员, 04–12 民主党派/无党派, 13 群众."""
    if age < 14:
        return "13"
    rng = ctx.rng
    r = rng.random()
    party = 0.0
    if age >= 18:
        party = 0.11 if (gender == "1" and age >= 45) else 0.05
        if urban:
            party += 0.03
    if r < party:
        return "01"
    if r < party + 0.004 and age >= 18:
        return "02"
    if age <= 28 and r < party + 0.33:
        return "03"
    if age >= 25 and urban and r > 0.997:
        return rng.choice(("04", "05", "06", "07", "08", "09", "10", "12"))
    return "13"


def _education(ctx: Context, age: int, year: int, urban: bool, student_away: bool) -> str:
    """文化程度 (GB/T 4658) by age and birth cohort; a step up in towns."""
    if age < 6:
        return "90"
    if age < 12:
        return "80"
    if age < 15:
        return "70"
    if age < 18:
        return "60" if ctx.rng.random() < 0.75 else "40"
    education = next(ctx.pick(weights) for limit, weights in _EDU_COHORTS if year < limit)
    if urban and ctx.rng.random() < 0.3:
        education = _EDU_UP[education]
    return "60" if student_away else education


def _occupation(ctx: Context, age: int, urban: bool, flow: bool, flow_reason: str | None,
                m: Member) -> tuple[str | None, str | None]:
    """(职业, 工作单位)."""
    if age < 6:
        return None, None
    if age < 18 or m.student_away:
        return "学生", None
    if flow:
        return _FLOW_JOBS.get(flow_reason, "灵活就业"), None
    rng = ctx.rng
    if age >= 60:
        return ("退休" if (urban or rng.random() < 0.1) else ("务农" if age < 75 else "无")), None
    if m.res == "2":
        return "外出务工", None
    occupation = ctx.pick(_URBAN_JOBS if urban else _RURAL_JOBS)
    employer = rng.choice(_employers(ctx.county_name)) if occupation in _EMPLOYER_JOBS else None
    return occupation, employer
