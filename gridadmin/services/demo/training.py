"""Two years of training: 2–4 sessions a month per township center (the
county adds some when the demo covers several townships), attendance of
the staff on post that each session invites, exam scores, certificates,
and the annual hour requirements."""

from __future__ import annotations

from datetime import date

from gridadmin.models.staff import ROLE_FULLTIME, ROLE_INSTRUCTOR, ROLE_LEADER, ROLE_PARTTIME
from gridadmin.models.training import ATTEND_ABSENT, ATTEND_EXCUSED, ATTEND_PRESENT
from gridadmin.services.demo.areas import Town, chinese_number
from gridadmin.services.demo.context import Context
from gridadmin.services.demo.picking import weighted
from gridadmin.services.demo.posts import ROLE_BUILDING, ROLE_DOCTOR, ROLE_POLICE, ROLE_VOLUNTEER
from gridadmin.services.demo.staff import StaffInfo

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
_CATEGORIES = weighted((("01", 16), ("02", 18), ("03", 14), ("04", 8), ("05", 12), ("06", 10), ("07", 14),
                        ("99", 8)))
_TRAINER_UNITS = {
    "01": ("县司法局", "县委政法委", "县人民法院"), "02": ("县公安局", "县委政法委", "县统计局"),
    "03": ("县司法局", "县人民调解委员会"), "04": ("县人民医院心理科", "县社会心理服务中心"),
    "05": ("县应急管理局", "县水利局"), "06": ("县消防救援大队",), "07": ("县网格化服务管理中心",),
    "99": ("县委政法委", "县网格化服务管理中心", "县民政局"),
}
_TARGETS = weighted((  # ((label, the roles invited), weight)
    (("全体专职网格员", (ROLE_FULLTIME,)), 30),
    (("网格长、专职和兼职网格员", (ROLE_LEADER, ROLE_FULLTIME, ROLE_PARTTIME)), 25),
    (("网格长、专职网格员", (ROLE_LEADER, ROLE_FULLTIME)), 12),
    (("网格指导员", (ROLE_INSTRUCTOR,)), 8),
    (("兼职网格员、楼栋长", (ROLE_PARTTIME, ROLE_BUILDING)), 10),
    (("全体网格力量", (ROLE_LEADER, ROLE_FULLTIME, ROLE_PARTTIME, ROLE_INSTRUCTOR, ROLE_BUILDING,
                 ROLE_POLICE, ROLE_DOCTOR, ROLE_VOLUNTEER)), 15),
))
_HOURS = weighted(((2, 40), (3, 20), (4, 15), (6, 5), (8, 12), (16, 8)))
_FLOOD_MONTHS = (4, 5, 6, 7, 8)
_WINTER_MONTHS = (10, 11, 12, 1)


def add_training(ctx: Context, towns: list[Town], staff: list[StaffInfo]) -> None:
    """Sessions month by month from two years ago to today, their
    attendance, and the hour requirements (24 h, 32 h for full-time workers)."""
    rng = ctx.rng
    T, W0 = ctx.T, ctx.W0
    multi = len(towns) > 1
    topic_count: dict[tuple[int, str], int] = {}
    # (staff, [(role, community id, start, end)]) for "on post at the session date"
    staff_spans = [(info, [(a["role"], info.communities[a["id"]], a["start_date"],
                            a["end_date"] if a["end_date"] is not None else T + 1) for a in info.assignments])
                   for info in staff]
    comm_town = {c.id: c.town.index for t in towns for c in t.communities}
    start = date.fromordinal(W0)
    year, month = start.year, start.month
    while (year, month) <= (ctx.today.year, ctx.today.month):
        first = max(date(year, month, 1).toordinal(), W0)
        last = min(date(year + (month == 12), month % 12 + 1, 1).toordinal() - 1, T - 1)
        if first <= last:
            # each township center trains its own staff; the county adds a few sessions
            hosts = [(town, rng.choices((2, 3, 4), (35, 40, 25))[0]) for town in towns]
            if multi and rng.random() < 0.5:
                hosts.append((None, 1))
            for town, count in hosts:
                for _ in range(count):
                    day = rng.randint(first, last)
                    while date.fromordinal(day).weekday() >= 5 and day > first:
                        day -= 1
                    _session(ctx, towns, day, town, topic_count, staff_spans, comm_town)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    for y in range(start.year, ctx.today.year + 1):
        for role, hours in ((None, 24.0), (ROLE_FULLTIME, 32.0)):
            ctx.add("training_requirement", {"id": ctx.new_id("training_requirement"), "year": y,
                                             "role": role, "hours": hours, "version": 1})


def _topic(ctx: Context, category: str, month: int) -> str:
    """A topic of ``category`` that suits the season (防汛 in summer, 冬季 in winter)."""
    rng = ctx.rng
    topic = rng.choice(_TOPICS[category])
    for _ in range(5):
        if ("防汛" in topic and month not in _FLOOD_MONTHS) or ("冬季" in topic and month not in _WINTER_MONTHS):
            topic = rng.choice(_TOPICS[category])
    if "防汛" in topic and month not in _FLOOD_MONTHS:
        return "突发事件信息报送培训"
    if "冬季" in topic and month not in _WINTER_MONTHS:
        return "消防安全知识培训"
    return topic


def _session(ctx: Context, towns: list[Town], day: int, host: Town | None, topic_count: dict, staff_spans,
             comm_town: dict[int, int]) -> None:
    """One session hosted by a township center (``host``) or, when None,
    by the county for all townships; attendance for the staff on post."""
    rng = ctx.rng
    category = ctx.pick(_CATEGORIES)
    topic = _topic(ctx, category, date.fromordinal(day).month)
    key = (host.index if host is not None else -1, topic)
    topic_count[key] = topic_count.get(key, 0) + 1
    hours = ctx.pick(_HOURS)
    label, roles = ctx.pick(_TARGETS)
    if "部署会" in topic or "交流会" in topic:
        form = "3"
    else:
        form = rng.choices(("1", "2", "3"), (62, 25, 13))[0]
    if host is None:
        invited_towns = {t.index for t in towns}
        organizer = f"{ctx.county_name}委政法委"
        host = towns[0]
        if rng.random() < 0.7:
            form = "2"
    else:
        invited_towns = {host.index}
        organizer = rng.choice((f"{host.name}综治中心", f"{host.name}网格化服务管理中心"))
    if form != "1":
        hours = min(hours, 4)
    days = 2 if hours >= 16 else 1
    communities = None
    area_label = ""
    comm_list = [c for t in towns if t.index in invited_towns for c in t.communities if c.grids]
    if roles != (ROLE_INSTRUCTOR,) and len(comm_list) >= 4 and rng.random() < 0.4:
        half = len(comm_list) // 2
        part = rng.randrange(2)
        communities = {c.id for c in (comm_list[:half] if part == 0 else comm_list[half:])}
        area_label = f"（第{chinese_number(part + 1)}片区）"
    unit = rng.choice(_TRAINER_UNITS[category]).replace("县", ctx.county_name, 1)
    trainer_gender = "1" if rng.random() < 0.6 else "2"
    trainer_name = ctx.names.surname() + ctx.names.given(trainer_gender, 1975)
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
    sid = ctx.new_id("training_session")
    ctx.add("training_session", {
        "id": sid, "name": name[:120], "category": category, "form": form,
        "start_date": date.fromordinal(day), "end_date": date.fromordinal(day + days - 1),
        "hours": float(hours), "organizer": organizer, "trainer": f"{trainer_name}（{unit}）"[:80],
        "place": place, "target_group": label + (area_label and f"，{area_label.strip('（）')}"),
        "cancelled": cancelled, "note": "因天气原因取消" if cancelled else None, "version": 1})
    if cancelled:
        return
    cert_seq = 0
    for info, spans in staff_spans:
        if not any(role in roles and start <= day < end and comm_town[comm] in invited_towns
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
        if status == ATTEND_PRESENT and hours >= 16 and passed is not False:
            cert_seq += 1
            cert = f"PX{date.fromordinal(day):%Y%m}{sid:03d}{cert_seq:03d}"
        ctx.add("attendance", {"id": ctx.new_id("attendance"), "session_id": sid,
                               "staff_id": info.row["id"], "status": status,
                               "hours_credited": float(hours) if status == ATTEND_PRESENT else 0.0,
                               "score": score, "passed": passed, "certificate_no": cert, "version": 1})
