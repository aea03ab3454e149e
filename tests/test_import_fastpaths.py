"""The import's fast paths give what the general paths give: ID numbers,
names, phones, half-width text, bulk inserts, memoised columns and
problem cells (one message per problem cell)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import select

from gridadmin.models import Household, Person
from gridadmin.services.common import idcard
from gridadmin.services.common.bulk import insert_returning_ids, insert_tuples
from gridadmin.services.common.idcard import check_id_number, make_id_number
from gridadmin.services.importing import plan_import
from gridadmin.services.importing.values import name_value, phone_value
from gridadmin.services.common.text import to_halfwidth
from tests.test_import_residents import grid_db  # noqa: F401 - fixture
from tests.test_import_support import pid

TODAY = date(2025, 6, 1)


def _full_path(value, today):
    """check_id_number without its fast path."""
    result = idcard.IdCheck(input="" if value is None else str(value))
    text, error, from_number = idcard._prepare(value)
    if error is None:
        error = idcard._check(text, today, from_number, result)
    if error is not None:
        result.error, result.valid = error, False
        result.normalized = result.birth_date = result.gender = result.kind = None
    else:
        result.valid = True
    return result


def test_id_fast_path_agrees_with_the_full_check():
    rng = random.Random(11)
    regions = ["411302", "110101", "419999", "810000", "830000", "999999", "000000", "912345"]
    for _ in range(20000):
        birth = date(rng.randint(1890, 2030), rng.randint(1, 12), rng.randint(1, 28))
        number = make_id_number(rng.choice(regions), birth, rng.randint(0, 999))
        roll = rng.random()
        if roll < 0.3:
            number = number[:17] + rng.choice("0123456789Xx")
        elif roll < 0.4:
            number = number[:6] + f"{rng.randint(1800, 2100)}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}" + number[14:]
        elif roll < 0.45:
            number = " " + number
        assert check_id_number(number, today=TODAY) == _full_path(number, TODAY), number


@pytest.mark.parametrize("value", ["李云", "李  云", " 王芳", "Mary Ann", "张三3", "ＡＢ", "欧阳娜娜", "李\u3000云", "x" * 60])
def test_name_fast_path_matches_the_cleaning(value):
    from gridadmin.services.importing.values import CellError, text_value
    from gridadmin.services.common.text import clean_name

    try:
        text = text_value(value, max_length=50)
        expected = clean_name(text)
        expected = CellError("姓名中不应有数字") if any(ch.isdigit() for ch in expected) else expected
    except CellError as exc:
        expected = exc
    try:
        got = name_value(value)
    except CellError as exc:
        got = exc
    assert (got.message if isinstance(got, CellError) else got) == \
        (expected.message if isinstance(expected, CellError) else expected)


def test_phone_fast_path():
    assert phone_value("13800138000") == "13800138000"
    assert phone_value(13800138000.0) == "13800138000"
    assert phone_value("138 0013 8000") == "13800138000"
    assert phone_value("+86 138-0013-8000") == "13800138000"
    assert phone_value("0377-63123456") == "0377-63123456"


def test_halfwidth_by_table():
    assert to_halfwidth("１２３ＡＢＣ（）\u3000x") == "123ABC（） x"
    assert to_halfwidth("１２３（）", punctuation=True) == "123()"
    assert to_halfwidth("plain") == "plain"


def test_bulk_insert_fills_defaults_and_stores_dates_as_sqlalchemy_does(township_db):
    with township_db.session() as s:
        area_id = s.scalar(select(Household.area_id).limit(1)) or 2
        ids = insert_returning_ids(s, Household.__table__, ("household_no", "area_id", "registered_on"),
                                   [("B1", area_id, date(2025, 6, 1)), ("B2", area_id, None)])
        insert_tuples(s, Person.__table__, ("name", "household_id", "status", "birth_date"),
                      [("李云", ids[0], "在册", date(1980, 1, 2))])
    with township_db.session() as s:
        b1 = s.get(Household, ids[0])
        assert (b1.household_no, b1.registered_on, b1.version, b1.is_dibao) == ("B1", date(2025, 6, 1), 1, False)
        assert s.get(Household, ids[1]).registered_on is None
        person = s.scalar(select(Person).where(Person.name == "李云"))
        assert (person.birth_date, person.version, person.household_id) == (date(1980, 1, 2), 1, ids[0])


def test_a_problem_cell_in_a_code_column_gives_one_message(grid_db, tmp_path):  # noqa: F811
    head = pid(date(1980, 1, 2), 11)
    path = tmp_path / "a.csv"
    path.write_text("社区,网格,户号,与户主关系,姓名,公民身份号码,民族\n"
                    f"河街社区,一网格,H1,户主,李云,{head},#N/A\n", encoding="utf-8")
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    [row] = plan.rows
    assert [(e.column, e.message) for e in row.errors] == [("民族", "单元格是 Excel 错误值 #N/A（通常是公式出错），请改为正确的值")]


def test_repeated_values_are_parsed_once_and_rows_keep_their_own_messages(grid_db, tmp_path):  # noqa: F811
    lines = ["社区,网格,户号,与户主关系,姓名,公民身份号码,文化程度"]
    for i in range(6):
        lines.append(f"河街社区,一网格,H{i},户主,李云,{pid(date(1980, 1, 2 + i), 11)},{'大专' if i % 2 else '大砖'}")
    path = tmp_path / "a.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    assert [r.status for r in plan.rows] == ["error", "new"] * 3
    assert [len(r.errors) for r in plan.rows] == [1, 0] * 3
    assert plan.rows[0].errors[0].row == 2 and plan.rows[4].errors[0].row == 6
    assert all(r.record["education"] == "30" for r in plan.rows[1::2])


@pytest.mark.parametrize("birth_header", ["出生日期", "出生年月"])
def test_identity_column_fast_path_gives_what_the_row_by_row_check_gives(grid_db, tmp_path,  # noqa: F811
                                                                           monkeypatch, birth_header):
    """Clean IDs that agree with the row take the inline path; every other
    row (mismatched birth date or gender, spaces, lower-case x, 15 digits,
    an unknown county, numbers, blanks) must come out exactly as the
    row-by-row check words it."""
    from gridadmin.services.importing.resident_parse import ResidentParser

    rng = random.Random(5)
    lines = [f"社区,网格,户号,与户主关系,姓名,公民身份号码,性别,{birth_header}"]
    for i in range(300):
        birth = date(rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28))
        seq = rng.randrange(1000)
        number = make_id_number(rng.choice(("411302", "411399", "110101", "411302")), birth, seq)
        male = seq % 2 == 1
        shown_birth = f"{birth.year}.{birth.month:02d}" if birth_header == "出生年月" else birth.isoformat()
        gender = "男" if male else "女"
        r = rng.random()
        if r < 0.1:
            shown_birth = f"{birth.year - 1}.{birth.month:02d}.{birth.day:02d}"
        elif r < 0.2:
            gender = "女" if male else "男"
        elif r < 0.25:
            number = number.replace("X", "x") if number.endswith("X") else f" {number} "
        elif r < 0.3:
            number = number[:6] + number[8:17]  # 15-digit old number
        elif r < 0.35:
            number, gender, shown_birth = "", "", ""
        elif r < 0.4:
            shown_birth = ""
        lines.append(f"河街社区,一网格,H{i},户主,李云,{number},{gender},{shown_birth}")
    path = tmp_path / "a.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def outcome():
        plan = plan_import(grid_db, path, "residents", today=TODAY)
        return [(r.status, r.record, [(e.column, e.value, e.message) for e in r.errors],
                 [(w.column, w.value, w.message) for w in r.warnings]) for r in plan.rows]

    inline = outcome()
    monkeypatch.setattr(ResidentParser, "_identities",
                        lambda self, rows, raws, births: [self._identity(p, b) for p, b in zip(rows, births)])
    assert inline == outcome()
    assert {status for status, *_ in inline} == {"new", "error"}


def test_gc_pause_restores_the_collector_and_cycles_made_meanwhile_are_still_collected():
    import gc
    import weakref

    from gridadmin.services.importing.pipeline import gc_paused

    class Node:
        pass

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        node = Node()
        node.me = node
        ref = weakref.ref(node)
        del node
    assert gc.isenabled() and ref() is not None
    gc.collect()
    assert ref() is None
