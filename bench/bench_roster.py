"""Roster page at 1,000 / 10,000 / 100,000 staff (same run): open the page
and show the first rows, apply a filter, type one search character, scroll
to the end; then sort by 所属网格 (the first rows), scroll to the end and
apply a filter in that order. The page reads no saved column or sort
layout of the user: the settings are a fresh file for the run
(``fresh_settings``). Staff are bulk-inserted (one assignment each) so the three
sizes are built in seconds; the 1,000-staff figure is the baseline of the
bigger ones, so the ratio shows whether a step grows with the roster."""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.common import Figure

SIZES = (1_000, 10_000, 100_000)
TARGET = "< 100 ms, not growing with the number of staff"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"


def build(path: str, n: int, seed: int = 7) -> None:
    """A township with 200 grids and ``n`` staff, each with one assignment."""
    from sqlalchemy import insert

    from gridadmin.db import open_database
    from gridadmin.models import Area, Staff, StaffAssignment
    from gridadmin.services.common.idcard import make_id_number
    from gridadmin.services.common.pinyin import name_pinyin
    from gridadmin.services.areas.setup import init_township

    rng = random.Random(seed)
    db = open_database(path)
    init_township(db, "411302001")
    with db.session() as s:
        communities = [a.id for a in s.query(Area).filter(Area.level == "community")]
        start = (s.query(Area.id).order_by(Area.id.desc()).first()[0]) + 1
        grid_rows = [{"id": start + i, "parent_id": communities[i % len(communities)], "level": "grid",
                      "name": f"第{i + 1}网格", "grid_code": f"G{i:04d}", "active": True, "sort_order": i,
                      "version": 1} for i in range(200)]
        s.execute(insert(Area), grid_rows)
        staff, posts = [], []
        roles = ("fulltime", "parttime", "leader", "instructor", "building", "volunteer")
        for i in range(1, n + 1):
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            full, initials = name_pinyin(name)
            born = date(rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28))
            status = "在岗" if rng.random() < 0.88 else rng.choice(("离职", "休假", "卸任"))
            staff.append({"id": i, "name": name, "name_pinyin": full, "name_initials": initials,
                          "id_number": make_id_number("411302", born, rng.randint(0, 999)),
                          "gender": rng.choice("12"), "birth_date": born, "phone": f"13{rng.randint(0, 10**9 - 1):09d}",
                          "employment_type": rng.choice(("专职", "兼职")), "political_status": rng.choice(("01", "13")),
                          "education": rng.choice(("20", "30", "60")), "status": status,
                          "hired_on": date(2020, 1, 1), "left_on": date(2024, 1, 1) if status in ("离职", "卸任") else None,
                          "version": 1})
            posts.append({"staff_id": i, "area_id": start + rng.randrange(200), "role": rng.choice(roles),
                          "start_date": date(2020, 1, 1),
                          "end_date": date(2024, 1, 1) if status in ("离职", "卸任") else None, "version": 1})
        for chunk in range(0, n, 20_000):
            s.execute(insert(Staff), staff[chunk:chunk + 20_000])
            s.execute(insert(StaffAssignment), posts[chunk:chunk + 20_000])
    db.dispose()


def fresh_settings(folder: str) -> None:
    """Point the program's per-user settings (column layouts, sort order,
    window placement) at an empty file in ``folder`` for this process, so a
    layout the user saved is neither measured nor changed."""
    from PySide6.QtCore import QSettings

    from gridadmin.ui.shell import pc_settings

    path = str(Path(folder) / "bench-settings.ini")
    pc_settings.app_settings = lambda: QSettings(path, QSettings.Format.IniFormat)


def _ms(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def measure(path: str) -> dict[str, float]:
    """Median of three of each step on the roster page over ``path``."""
    from PySide6.QtCore import Qt

    from gridadmin.db import open_database
    from gridadmin.ui.shell.app import create_application
    from gridadmin.ui.roster.roster_page import RosterPage

    app = create_application()
    db = open_database(path)
    results: dict[str, list[float]] = {}
    try:
        for _ in range(3):
            holder = {}

            def open_page():
                page = RosterPage(db)
                page.resize(1300, 700)
                page.show()
                app.processEvents()
                holder["page"] = page

            results.setdefault("open", []).append(_ms(open_page))
            page = holder["page"]

            def pick_filter():
                page.employment.setCurrentIndex(page.employment.findData("专职"))
                app.processEvents()

            results.setdefault("filter", []).append(_ms(pick_filter))
            page.employment.setCurrentIndex(0)
            app.processEvents()
            results.setdefault("search_char", []).append(_ms(lambda: (page.search.setText("z"), app.processEvents())))
            page.search.setText("")
            app.processEvents()
            results.setdefault("scroll_end", []).append(
                _ms(lambda: (page.table.scrollToBottom(), app.processEvents())))
            page.table.scrollToTop()
            app.processEvents()
            grids = page.model.column_index("grids")
            results.setdefault("sort_grids", []).append(
                _ms(lambda: (page.table.sortByColumn(grids, Qt.SortOrder.AscendingOrder), app.processEvents())))
            results.setdefault("sort_grids_scroll_end", []).append(
                _ms(lambda: (page.table.scrollToBottom(), app.processEvents())))
            page.table.scrollToTop()
            app.processEvents()
            results.setdefault("sort_grids_filter", []).append(_ms(pick_filter))
            page.employment.setCurrentIndex(0)
            page.table.sortByColumn(page.model.column_index("name"), Qt.SortOrder.AscendingOrder)
            app.processEvents()
            page.close()
            page.deleteLater()
            app.processEvents()
    finally:
        db.dispose()
    return {k: sorted(v)[len(v) // 2] for k, v in results.items()}


def run() -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    by_size: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        fresh_settings(tmp)
        for n in SIZES:
            path = str(Path(tmp) / f"roster{n}.db")
            build(path, n)
            by_size[n] = measure(path)
    figures = []
    base = by_size[SIZES[0]]
    for n in SIZES:
        for step, value in by_size[n].items():
            figures.append(Figure(f"roster_{step}_{n // 1000}k", value, "ms",
                                  None if n == SIZES[0] else base[step], TARGET))
    return figures
