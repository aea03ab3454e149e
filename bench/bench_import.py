"""Import figures (issue 6): a 100,000-resident workbook (15 columns, messy
but valid, written by the bench itself) imported into an empty SQLite
database (东关街道 set up with ``init_township``, 5 grids per community).

Baselines measured in the same run on the same file: the bare parse with
python-calamine (the floor; target ≤ 3×, issue 21); openpyxl's read-only
parse time is printed as a reference only (no ratio: on Excel-saved files
it would ask for less than parse plus any insert). The import runs
``BENCH_IMPORT_REPEAT`` times (default 3; the median is the figure) and the
dry run once, in a fresh child process. Peak memory is the child's own
high-water mark (``VmHWM``, reset through ``/proc/self/clear_refs`` before
each import; target < 600 MB): ``ru_maxrss`` would not do, it carries the
parent's peak over the ``exec`` on Linux. Export: the 100,000 imported
residents written by ``export_kind`` (the ``export`` command) against
openpyxl's write-only mode writing the same rows (the same strings) to a
file, both in the child process.

The least possible import (reported, no target): the bare calamine parse
plus the SQLite floor. The floor is SQLite alone writing the rows the
import must write into another empty database: its import batch,
households, persons, their 登记 events and its audit rows, each table
binding only the columns the import filled, as tuples straight to the
driver, indexes dropped and rebuilt, row triggers on (they keep the
stored tallies), no checks. No import that keeps GridAdmin's schema can
take less, whatever language its checks are written in.
``BENCH_IMPORT_ROWS`` overrides the row count (quick runs while profiling).
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Figure, median_time, peak_memory_mb, reset_peak_memory  # noqa: E402

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
REPEAT = int(os.environ.get("BENCH_IMPORT_REPEAT", "3"))
FLOOR_TABLES = ("import_batch", "household", "person", "person_event", "audit_log")
TODAY = date(2025, 6, 1)
TOWNSHIP = "411302001"  # 东关街道
GRIDS_PER_COMMUNITY = 5
HEADERS = ["序号", "社区*", "网格*", "户号*", "与户主\n关系*", "姓  名*", "公民身份号码*", "性别", "出生日期",
           "民族", "政治面貌", "文化程度", "婚姻状况", "人口类别", "联系电话"]
GRID_NAMES = ["第一网格", "第二网格", "第三网格", "第四网格", "第五网格"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华红玉梅建国志文斌辉鹏云飞海燕雪琳晨宇浩然子涵欣怡"
REGIONS = ("411302", "411302", "411302", "411303", "411321", "411323", "411381", "410105", "420106", "130102")


# ---- the workbook ---------------------------------------------------------
def _person_rows(rng: random.Random, count: int):
    """Rows of 15 values: households of 1–5 persons, the community and grid
    written only on the household's first row (group-filled)."""
    from gridadmin.services.common.idcard import make_id_number

    communities = [v.name for v in _villages()]
    used_ids: set[str] = set()
    n, household = 0, 0

    def pid(birth: date, male: bool) -> str:
        while True:
            seq = rng.randrange(0, 999, 2) + (1 if male else 0)
            number = make_id_number(rng.choice(REGIONS), birth, seq)
            if number not in used_ids:
                used_ids.add(number)
                return number

    def birth_between(y0: int, y1: int) -> date:
        return date(rng.randint(y0, y1), rng.randint(1, 12), rng.randint(1, 28))

    while n < count:
        household += 1
        size = min(count - n, rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)))
        head_birth = birth_between(1940, 1995)
        head_male = rng.random() < 0.8
        members = [("户主", head_birth, head_male)]
        if size > 1:
            members.append((rng.choice(("妻", "妻子", "配偶")) if head_male else rng.choice(("夫", "丈夫", "配偶")),
                            birth_between(head_birth.year - 3, head_birth.year + 3), not head_male))
        for _ in range(size - len(members)):
            if rng.random() < 0.8 and head_birth.year < 1990:
                male = rng.random() < 0.5
                rel = rng.choice(("子", "儿子", "长子")) if male else rng.choice(("女", "女儿", "长女"))
                members.append((rel, birth_between(head_birth.year + 20, min(head_birth.year + 35, 2024)), male))
            else:
                male = rng.random() < 0.5
                members.append(("父亲" if male else "母亲",
                                birth_between(max(head_birth.year - 35, 1920), head_birth.year - 20), male))
        community = communities[household % len(communities)]
        grid = GRID_NAMES[(household // len(communities)) % GRIDS_PER_COMMUNITY]
        no = f"{TOWNSHIP}{household:06d}" if household % 7 else f"HH-{household:05d}"
        for i, (rel, birth, male) in enumerate(members):
            n += 1
            yield _row(rng, n, community if i == 0 else None, grid if i == 0 else None, no, rel, birth, male,
                       pid(birth, male))


def _row(rng, n, community, grid, no, rel, birth, male, number) -> list:
    surname, given = rng.choice(SURNAMES), "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    name = f"{surname}  {given}" if rng.random() < 0.05 else (f" {surname}{given}" if rng.random() < 0.02
                                                                 else surname + given)
    if number.endswith("X") and rng.random() < 0.5:
        number = number[:-1] + "x"
    elif rng.random() < 0.02:
        number = f" {number} "
    r = rng.random()
    birth_cell = (birth if r < 0.35 else f"{birth.year}.{birth.month:02d}.{birth.day:02d}" if r < 0.55
                  else f"{birth.year}-{birth.month}-{birth.day}" if r < 0.65
                  else f"{birth.year}年{birth.month}月{birth.day}日" if r < 0.72
                  else float(birth.year * 10000 + birth.month * 100 + birth.day) if r < 0.8 else None)
    gender = ("男" if male else "女") if rng.random() < 0.9 else (("男性", "M")[n % 2] if male else ("女性", "F")[n % 2])
    age = TODAY.year - birth.year
    education = rng.choice(("小学", "初中", "初中", "高中", "中专", "大专", "本科", "大学本科", "研究生")) \
        if age >= 16 else rng.choice(("小学", "学龄前"))
    marital = rng.choice(("已婚", "已婚", "已婚", "丧偶", "离异", "初婚")) if age >= 25 else "未婚"
    political = rng.choice(("群众", "群众", "群众", "群众", "中共党员", "党员", "共青团员", "团员")) if age >= 14 \
        else "群众"
    phone = None
    if age >= 16:
        mobile = f"1{rng.choice('3456789')}{rng.randrange(10 ** 9):09d}"
        p = rng.random()
        phone = (mobile if p < 0.5 else float(mobile) if p < 0.75 else f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
                 if p < 0.85 else f"0377-6{rng.randrange(10 ** 6):06d}" if p < 0.95 else None)
    return [float(n), community, grid, no, rel, name, number, gender, birth_cell,
            rng.choice(("汉", "汉族", "汉族", "回族", "满")), political, education, marital,
            rng.choice(("户籍", "户籍人口", "户籍", "户籍", "流动人口")), phone]


def _villages():
    from gridadmin.services.areas import divisions
    from gridadmin.services.areas.setup import community_short_name

    class V:
        def __init__(self, name):
            self.name = name

    return [V(community_short_name(v.name)) for v in divisions.villages_of(TOWNSHIP)]


def write_workbook(path: Path, rows: int, seed: int = 6) -> Path:
    """A plain .xlsx written straight as XML (shared strings, date cells
    with a date style, numbers as numbers): openpyxl would take longer to
    write it than the import to read it."""
    strings: dict[str, int] = {}
    letters = [get_column_letter(i + 1) for i in range(len(HEADERS))]
    epoch = date(1899, 12, 30).toordinal()

    def cells(r: int, values) -> str:
        out = [f'<row r="{r}">']
        for letter, v in zip(letters, values):
            if v is None:
                continue
            if isinstance(v, str):
                out.append(f'<c r="{letter}{r}" t="s"><v>{strings.setdefault(v, len(strings))}</v></c>')
            elif isinstance(v, date):
                out.append(f'<c r="{letter}{r}" s="1"><v>{v.toordinal() - epoch}</v></c>')
            else:
                out.append(f'<c r="{letter}{r}"><v>{v!r}</v></c>')
        out.append("</row>")
        return "".join(out)

    body = [cells(1, ["东关街道人口登记表"]), cells(2, ["填报单位：东关街道网格中心（盖章）"]), cells(3, HEADERS)]
    rng = random.Random(seed)
    body.extend(cells(i + 4, row) for i, row in enumerate(_person_rows(rng, rows)))
    last = rows + 3
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
             f'openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:{letters[-1]}{last}"/><sheetData>'
             + "".join(body) + '</sheetData><mergeCells count="1"><mergeCell ref="A1:O1"/></mergeCells></worksheet>')
    shared = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats'
              f'.org/spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'
              + "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings) + "</sst>")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
        'org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
        '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+'
        'xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application'
        '/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="人口" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
        f'Type="{rel}/styles" Target="styles.xml"/><Relationship Id="rId3" Type="{rel}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>',
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{main}"><fonts count="1"><font>'
        '<sz val="11"/><name val="宋体"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/>'
        '</fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs><cellStyles count="1">'
        '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
        "xl/sharedStrings.xml": shared,
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return path


# ---- the database and the measurements -------------------------------------
def make_database(path: Path):
    from gridadmin.db import open_database
    from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
    from gridadmin.services.areas.setup import init_township

    db = open_database(str(path))
    init_township(db, TOWNSHIP)
    for community in load_tree(db):
        if community.level == "community":
            for k, name in enumerate(GRID_NAMES[:GRIDS_PER_COMMUNITY]):
                add_area(db, community.id, AreaInput(name, grid_code=f"{community.division_code}{k + 1:03d}"))
    return db


def calamine_parse(path: Path) -> int:
    import python_calamine as calamine

    with calamine.CalamineWorkbook.from_path(str(path)) as workbook:
        return len(workbook.get_sheet_by_index(0).to_python())


def openpyxl_parse(path: Path) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return len(rows)


def _child(book: str, tmp: str) -> None:
    """In a fresh process: the import ``REPEAT`` times, each into an empty
    database (timed, with its own peak memory), then the dry run into
    another empty database."""
    import gc
    import statistics

    from gridadmin.services.importing import import_job
    from gridadmin.services.common.progress import run_to_end

    times, peaks = [], []
    for k in range(REPEAT):
        db = make_database(Path(tmp) / f"a{k}.db")
        reset_peak_memory()
        start = time.perf_counter()
        result = run_to_end(import_job(db, book, "residents", today=TODAY))
        times.append(time.perf_counter() - start)
        peaks.append(peak_memory_mb())
        if k == 0:
            db_a, summary = db, result.to_dict()
        else:
            db.dispose()
        del result  # else the next import's peak would carry this one's 100,000 row plans
        gc.collect()
    seconds = statistics.median(times)
    peak = max(peaks)
    db_b = make_database(Path(tmp) / "b.db")
    start = time.perf_counter()
    dry = run_to_end(import_job(db_b, book, "residents", today=TODAY, dry_run=True))
    dry_seconds = time.perf_counter() - start
    export_seconds, export_rows, write_only_seconds = _export(db_a, Path(tmp))
    floor_seconds = _sqlite_floor(db_a, Path(tmp))
    print(json.dumps({"seconds": seconds, "times": times, "sqlite_floor_seconds": floor_seconds, "peak_mb": peak,
                      "dry_seconds": dry_seconds, "inserted": summary["inserted"],
                      "committed": summary["committed"], "errors": summary["errors"][:5],
                      "dry_new": dry.plan.counts()["inserted"], "export_seconds": export_seconds,
                      "export_rows": export_rows, "write_only_seconds": write_only_seconds}, ensure_ascii=False))


def _export(db, tmp: Path) -> tuple[float, int, float]:
    """(seconds of ``export_kind`` residents, rows, seconds of openpyxl
    write-only writing the same header and rows)."""
    from openpyxl import Workbook

    from gridadmin.services.importing.export import _Context, _residents, export_kind

    start = time.perf_counter()
    rows = export_kind(db, "residents", tmp / "export.xlsx")
    seconds = time.perf_counter() - start
    with db.session() as session:
        headers, values = _residents(session, _Context(db, session, False))
        values = list(values)
    start = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人口")
    sheet.append(headers)
    for row in values:
        sheet.append(row)
    workbook.save(str(tmp / "write_only.xlsx"))
    return seconds, rows, time.perf_counter() - start


def _sqlite_floor(db, tmp: Path) -> float:
    """Seconds SQLite alone takes to write the rows the import wrote into
    ``db`` (``FLOOR_TABLES``, the rows after the set-up's) into a fresh
    bench database, binding only the columns the import filled, the way a
    bulk path does at its fastest: the SQLite floor of the module docstring."""
    import sqlite3
    from itertools import chain

    from gridadmin.db import sqlite_path

    target = make_database(tmp / "floor.db")
    target_path = sqlite_path(target.url)
    target.engine.dispose()
    loads = []
    with sqlite3.connect(target_path) as fresh, sqlite3.connect(sqlite_path(db.url)) as source:
        for table in FLOOR_TABLES:
            after = fresh.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]
            cursor = source.execute(f"SELECT * FROM {table} WHERE rowid > ? ORDER BY rowid", (after,))
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            filled = [i for i in range(len(names)) if any(r[i] is not None for r in rows)]
            loads.append((table, [names[i] for i in filled], [tuple(r[i] for i in filled) for r in rows]))
    conn = sqlite3.connect(target_path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-131072")
        conn.execute("PRAGMA foreign_keys=ON")
        indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                               f"AND tbl_name IN ({', '.join('?' * len(FLOOR_TABLES))})", FLOOR_TABLES).fetchall()
        start = time.perf_counter()
        conn.execute("BEGIN")
        for name, _sql in indexes:
            conn.execute(f"DROP INDEX {name}")
        for table, columns, rows in loads:
            if not rows:
                continue
            width = len(columns)
            group = f"({', '.join('?' * width)})"
            per = 32_000 // width
            for at in range(0, len(rows), per):
                chunk = rows[at:at + per]
                conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([group] * len(chunk))}",
                             tuple(chain.from_iterable(chunk)))
        for _name, sql in indexes:
            conn.execute(sql)
        conn.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        conn.close()


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        book = write_workbook(Path(tmp) / "人口.xlsx", ROWS)
        assert calamine_parse(book) == ROWS + 3
        floor = median_time(lambda: calamine_parse(book), repeat=3)
        start = time.perf_counter()
        assert openpyxl_parse(book) == ROWS + 3
        openpyxl_seconds = time.perf_counter() - start
        out = subprocess.run([sys.executable, __file__, "--child", str(book), tmp], capture_output=True, text=True,
                             cwd=ROOT, check=False)
        if out.returncode:
            raise RuntimeError(f"import child failed:\n{out.stderr[-4000:]}")
        child = json.loads(out.stdout.strip().splitlines()[-1])
    if not child["committed"] or child["inserted"] != ROWS or child["dry_new"] != ROWS or child["export_rows"] != ROWS:
        raise RuntimeError(f"the bench workbook did not import cleanly: {child}")
    n = f"{ROWS // 1000}k"
    return [
        Figure(f"import_residents_{n}", child["seconds"], "s", floor,
               f"≤ 3× the bare calamine parse (median of {REPEAT})"),
        Figure(f"import_residents_{n}_peak_memory", child["peak_mb"], "MB", None, "< 600 MB (the child's own peak)"),
        Figure(f"import_residents_{n}_dry_run", child["dry_seconds"], "s", child["seconds"], "≤ 1× the import"),
        Figure(f"import_residents_{n}_least_possible", floor + child["sqlite_floor_seconds"], "s", floor,
               "report: bare parse + SQLite floor (filled columns; events and audit rows), vs the bare parse"),
        Figure(f"openpyxl_parse_{n}", openpyxl_seconds, "s", None, "reference only (no target)"),
        Figure(f"export_residents_{n}", child["export_seconds"], "s", child["write_only_seconds"],
               "report vs openpyxl write-only (same rows)"),
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], sys.argv[3])
    else:
        for figure in run():
            print(figure.describe(), flush=True)
