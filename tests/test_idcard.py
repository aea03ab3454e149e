"""Tests for gridadmin.services.common.idcard and the check-id command."""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest

from gridadmin.cli import check_id as check_id_cli
from gridadmin.services.common.idcard import (
    ERROR_EMPTY,
    ERROR_LOST_DIGITS,
    KIND_FOREIGN,
    KIND_HK_MACAU,
    KIND_RESIDENT,
    KIND_RESIDENT_OLD,
    KIND_TAIWAN,
    IdCheck,
    check_id_number,
    compute_check_char,
    make_id_number,
    mask_id_number,
    mask_phone,
)

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2025, 6, 1)


# --- an independent reference: ISO 7064 MOD 11-2, weights 2^(17-i) mod 11 ---

def ref_check(first17: str) -> str:
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def ref_id(region6: str, birth: str, seq3: str) -> str:
    first17 = region6 + birth + seq3
    return first17 + ref_check(first17)


def with_digit_check(region6: str, birth: str) -> str:
    """A valid number whose check character is a digit (fits in an int)."""
    for seq in range(1, 1000):
        number = ref_id(region6, birth, f"{seq:03d}")
        if number[-1] != "X":
            return number
    raise AssertionError("unreachable")


def check(value, today=TODAY) -> IdCheck:
    return check_id_number(value, today=today)


# --- the reference itself, against published examples ---

@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_reference_agrees_with_published_examples(number):
    assert ref_check(number[:17]) == number[17]


def test_compute_check_char_matches_reference_on_random_numbers():
    rng = random.Random(11643)
    for _ in range(2000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert compute_check_char(first17) == ref_check(first17)


@pytest.mark.parametrize("bad", ["", "1234567890123456", "123456789012345678", "1101051949123100X", "１1010519491231002"])
def test_compute_check_char_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        compute_check_char(bad)


# --- valid numbers ---

@pytest.mark.parametrize(
    "region, birth, seq, gender",
    [
        ("110105", "19491231", "002", "女"),
        ("110101", "19900101", "123", "男"),
        ("411302", "19851120", "457", "男"),
        ("411381", "20000229", "018", "女"),
        ("440305", "20240229", "001", "男"),
        ("650102", "19000101", "990", "女"),
        ("310104", "20250601", "111", "男"),  # born today
    ],
)
def test_valid_resident_numbers(region, birth, seq, gender):
    number = ref_id(region, birth, seq)
    result = check(number)
    assert result.valid, result.error
    assert result.error is None
    assert result.normalized == number
    assert result.birth_date == date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    assert result.gender == gender
    assert result.kind == KIND_RESIDENT
    assert result.warnings == []


def test_published_example():
    result = check("11010519491231002X")
    assert result.valid
    assert (result.birth_date, result.gender) == (date(1949, 12, 31), "女")


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 11010519491231002X ",
        "110105 19491231 002X",
        "\u3000110105\u300019491231002X\u3000",
        "\t11010519491231002X\n",
        "11010519491231002X\u200b",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105１９４９1231 002 x",
    ],
)
def test_normalisation(raw):
    result = check(raw)
    assert result.valid, result.error
    assert result.normalized == "11010519491231002X"
    assert result.input == raw


@pytest.mark.parametrize("seq, gender", [(1, "男"), (2, "女"), (999, "男"), (0, "女"), (510, "女")])
def test_gender_from_17th_digit(seq, gender):
    assert check(ref_id("110101", "19800101", f"{seq:03d}")).gender == gender


# --- errors ---

@pytest.mark.parametrize("value", [None, "", "   ", "\u3000\u3000", float("nan")])
def test_empty(value):
    result = check(value)
    assert not result.valid
    assert result.error == ERROR_EMPTY
    assert result.normalized is None


def test_wrong_check_char_names_both():
    result = check("110105194912310021")
    assert not result.valid
    assert result.error == "校验码错误：应为 X，实为 1"
    assert (result.normalized, result.birth_date, result.gender, result.kind) == (None,) * 4


@pytest.mark.parametrize("last", list("0123456789"))
def test_every_wrong_check_digit_fails(last):
    result = check("11010519491231002" + last)
    assert not result.valid
    assert result.error == f"校验码错误：应为 X，实为 {last}"


@pytest.mark.parametrize("number", ["1", "1101051949123", "1101051949123100", "11010519491231002", "11010519491231002X1", "1101051949123100211"])
def test_wrong_length_says_length(number):
    result = check(number)
    assert not result.valid
    assert f"长度为 {len(number)} 位" in result.error


@pytest.mark.parametrize(
    "number, bad",
    [
        ("11010519491231002A", "A"),
        ("11010519491231002-", "-"),
        ("1101-0519491231002", "-"),
        ("ABC10519491231002X", "A"),
        ("１１０１０５１９４９１２３１００２Ａ", "A"),
        ("11010519491231002ⅹ", "ⅹ"),
    ],
)
def test_illegal_characters_are_named(number, bad):
    result = check(number)
    assert not result.valid
    assert "非法字符" in result.error and f"「{bad}」" in result.error


@pytest.mark.parametrize("number", ["1101051949123100X2", "X10105194912310021", "11010549123100X"])
def test_x_only_as_last_of_18(number):
    result = check(number)
    assert not result.valid
    assert "X" in result.error and "第 18 位" in result.error


@pytest.mark.parametrize(
    "birth, fragment",
    [
        ("19991301", "月份 13"),
        ("19990001", "月份 0"),
        ("19990230", "19990230"),
        ("19990431", "19990431"),
        ("19990100", "19990100"),
        ("19000229", "19000229"),  # 1900 is not a leap year
        ("20230229", "20230229"),
    ],
)
def test_impossible_dates(birth, fragment):
    result = check(ref_id("110101", birth, "001"))
    assert not result.valid
    assert "出生日期" in result.error and fragment in result.error


@pytest.mark.parametrize("birth", ["20000229", "19960229", "20240229"])
def test_leap_days_are_valid(birth):
    assert check(ref_id("110101", birth, "001")).valid


def test_future_birth_date():
    number = ref_id("110101", "20250602", "001")
    result = check(number, today=date(2025, 6, 1))
    assert not result.valid
    assert "2025-06-02" in result.error and "晚于" in result.error
    assert check(number, today=date(2025, 6, 2)).valid


def test_default_today_is_real_today():
    assert not check_id_number(ref_id("110101", "29990101", "001")).valid
    assert check_id_number(ref_id("110101", "19900101", "001")).valid


@pytest.mark.parametrize("number", ["440524188001010014", ref_id("110101", "18991231", "001")])
def test_birth_before_1900(number):
    result = check(number)
    assert not result.valid
    assert "早于 1900" in result.error


@pytest.mark.parametrize("province", ["99", "00", "10", "20", "39", "47", "55", "66", "70", "72", "80", "83", "90"])
def test_unknown_province_is_error(province):
    result = check(ref_id(province + "0101", "19900101", "001"))
    assert not result.valid
    assert province in result.error and "省份代码" in result.error


@pytest.mark.parametrize("region", ["110103", "110104", "440524", "110199", "410101"])
def test_unknown_county_warns_but_is_valid(region):
    result = check(ref_id(region, "19800101", "001"))
    assert result.valid, result.error
    assert len(result.warnings) == 1 and region in result.warnings[0]


@pytest.mark.parametrize("region", ["710000", "810101"])
def test_taiwan_hk_province_codes_are_known(region):
    result = check(ref_id(region, "19800101", "001"))
    assert result.valid
    assert result.kind == KIND_RESIDENT


# --- 15-digit old numbers ---

def test_fifteen_digit_conversion():
    result = check("110105491231002")
    assert result.valid
    assert result.normalized == "11010519491231002X"
    assert result.kind == KIND_RESIDENT_OLD
    assert result.birth_date == date(1949, 12, 31)
    assert result.gender == "女"
    assert len(result.warnings) == 1 and "11010519491231002X" in result.warnings[0]


@pytest.mark.parametrize("old", ["411302850101123", "650102040229002", "１１０１０５４９１２３１００２"])
def test_fifteen_digit_matches_reference(old):
    result = check(old)
    assert result.valid, result.error
    digits = old.translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)})
    assert result.normalized == ref_id(digits[:6], "19" + digits[6:12], digits[12:])


@pytest.mark.parametrize("old, fragment", [("110105491331002", "月份 13"), ("110105990230002", "19990230"), ("990105491231002", "99")])
def test_fifteen_digit_errors(old, fragment):
    result = check(old)
    assert not result.valid and fragment in result.error


# --- permits and foreign cards ---

@pytest.mark.parametrize(
    "prefix, kind",
    [("810000", KIND_HK_MACAU), ("820000", KIND_HK_MACAU), ("830000", KIND_TAIWAN)],
)
def test_residence_permits(prefix, kind):
    number = ref_id(prefix, "19940823", "002")
    result = check(number)
    assert result.valid, result.error
    assert result.kind == kind
    assert result.gender == "女"
    assert result.warnings == []
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert "校验码错误" in check(wrong).error


@pytest.mark.parametrize("province, nationality", [("11", "840"), ("41", "392"), ("31", "250"), ("65", "398")])
def test_foreign_permanent_resident_card(province, nationality):
    number = ref_id("9" + province + nationality, "19900101", "123")
    assert len(number) == 18
    result = check(number)
    assert result.valid, result.error
    assert result.kind == KIND_FOREIGN
    assert result.birth_date == date(1990, 1, 1)
    assert result.gender == "男"
    assert result.warnings == []


@pytest.mark.parametrize("province", ["99", "00", "71", "81"])
def test_foreign_card_with_unknown_province(province):
    result = check(ref_id("9" + province + "840", "19900101", "123"))
    assert not result.valid
    assert f"第 2–3 位，{province}" in result.error and "省份代码" in result.error


def test_foreign_card_bad_date_and_check():
    assert "月份 13" in check(ref_id("911840", "19901301", "123")).error
    good = ref_id("911840", "19900101", "123")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert "校验码错误" in check(bad).error


# --- numbers that went through Excel ---

@pytest.mark.parametrize(
    "value",
    [
        1.10101199001011e17,
        110101199001011234.0,
        1.1e16,
        float("inf"),
        "1.10101199001011E+17",
        "1.10101199001011e+17",
        "1.10101199001011E17",
        " 1.10101199001011E+17 ",
        "１.１０１０１１９９００１０１１Ｅ＋１７",
        "110101199001011000",  # what Excel shows for a numeric cell
        "110101199001011234.0",
        110101199001011008,  # int(1.10101199001011e17)
        110101199001011000,
    ],
)
def test_lost_digits_are_reported_never_guessed(value):
    result = check(value)
    assert not result.valid
    assert result.error == ERROR_LOST_DIGITS
    assert result.normalized is None


def test_lost_digits_message_text():
    assert ERROR_LOST_DIGITS == "身份证号码被 Excel 存成了数字，末尾几位已丢失，无法恢复，请在原始资料中核对"


@pytest.mark.parametrize("region, birth", [("110101", "19900101"), ("411302", "19751012"), ("440305", "20010704")])
def test_eighteen_digit_int_is_fine(region, birth):
    number = with_digit_check(region, birth)
    result = check(int(number))
    assert result.valid, result.error
    assert result.normalized == number
    assert result.input == number


def test_int_ending_in_zeros_with_correct_check_is_fine():
    # Find a real number ending in "000" (sequence x00, check 0): not lossy.
    for day in range(1, 29):
        for hundred in range(1, 10):
            number = ref_id("110101", f"199001{day:02d}", f"{hundred}00")
            if number.endswith("000"):
                assert check(int(number)).valid
                assert check(number).valid
                return
    pytest.fail("no example found")


def test_int_with_wrong_check_not_looking_rounded_is_check_error():
    number = with_digit_check("110101", "19900101")
    wrong = number[:17] + str((int(number[17]) + 1) % 10)
    if int(float(wrong)) == int(wrong):  # float-exact by chance: would look rounded
        wrong = number[:17] + str((int(number[17]) + 2) % 10)
    assert "校验码错误" in check(int(wrong)).error


@pytest.mark.parametrize("value", [110105491231002, 110105491231002.0, "110105491231002.0"])
def test_fifteen_digit_number_survives_as_number(value):
    result = check(value)
    assert result.valid, result.error
    assert result.normalized == "11010519491231002X"
    assert result.kind == KIND_RESIDENT_OLD


@pytest.mark.parametrize("value, fragment", [(12345.0, "长度为 5 位"), (12345, "长度为 5 位"), (-110105491231002, "「-」"), (1.5, "非法字符"), (True, "不是身份证号码")])
def test_other_numbers(value, fragment):
    result = check(value)
    assert not result.valid and fragment in result.error


# --- the result object ---

def test_to_dict_valid():
    d = check("11010519491231002x").to_dict()
    assert d == {
        "input": "11010519491231002x",
        "valid": True,
        "normalized": "11010519491231002X",
        "birth_date": "1949-12-31",
        "gender": "女",
        "kind": "居民身份证",
        "error": None,
        "warnings": [],
    }
    json.dumps(d, ensure_ascii=False)


def test_to_dict_invalid_and_float_input():
    d = check(1.10101199001011e17).to_dict()
    assert set(d) == {f.name for f in fields(IdCheck)}
    assert d["valid"] is False and d["birth_date"] is None and d["error"] == ERROR_LOST_DIGITS
    assert d["input"] == "1.10101199001011e+17"
    assert check(None).to_dict()["input"] == ""
    json.dumps(d, ensure_ascii=False)


# --- make_id_number ---

@pytest.mark.parametrize("region, birth, seq", [("110101", date(1990, 1, 1), 1), ("411302", date(2000, 2, 29), 998), ("650102", date(1955, 7, 9), 0)])
def test_make_id_number(region, birth, seq):
    number = make_id_number(region, birth, seq)
    assert number == ref_id(region, birth.strftime("%Y%m%d"), f"{seq:03d}")
    result = check(number)
    assert result.valid and result.birth_date == birth
    assert result.gender == ("男" if seq % 2 else "女")


@pytest.mark.parametrize("region, seq", [("11010", 1), ("1101011", 1), ("11010a", 1), ("110101", -1), ("110101", 1000)])
def test_make_id_number_rejects_bad_input(region, seq):
    with pytest.raises(ValueError):
        make_id_number(region, date(1990, 1, 1), seq)


# --- masking ---

@pytest.mark.parametrize(
    "value, masked",
    [
        ("110101199001011234", "110101********1234"),
        ("11010519491231002X", "110105********002X"),
        (" 110101199001011234 ", "110101********1234"),
        ("110105491231002", "110105*****1002"),
        (110101199001011234, "110101********1234"),
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    "value, masked",
    [
        ("13812345678", "138****5678"),
        (13812345678, "138****5678"),
        (13812345678.0, "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("0377-63123456", "037******3456"),
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


# --- the check-id command ---

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    check_id_cli.register(sub)
    return parser


def _run(argv, capsys):
    args = _parser().parse_args(argv)
    code = args.func(args)
    return code, capsys.readouterr().out.splitlines()


def test_cli_json_all_valid(capsys):
    code, lines = _run(["check-id", "--json", "11010519491231002X", "110105491231002"], capsys)
    assert code == 0
    rows = [json.loads(line) for line in lines]
    assert [r["normalized"] for r in rows] == ["11010519491231002X"] * 2
    assert set(rows[0]) == {"input", "valid", "normalized", "birth_date", "gender", "kind", "error", "warnings"}


def test_cli_json_one_invalid(capsys):
    code, lines = _run(["check-id", "--json", "11010519491231002X", "110105194912310021"], capsys)
    assert code == 1
    rows = [json.loads(line) for line in lines]
    assert [r["valid"] for r in rows] == [True, False]
    assert "校验码错误" in rows[1]["error"]


def test_cli_text_output(capsys):
    code, lines = _run(["check-id", "11010519491231002x", "12345", "110105491231002"], capsys)
    assert code == 1
    assert len(lines) == 3
    assert "有效" in lines[0] and "11010519491231002X" in lines[0] and "1949-12-31" in lines[0] and "女" in lines[0]
    assert "无效" in lines[1] and "长度为 5 位" in lines[1]
    assert "提示" in lines[2] and "15 位旧号" in lines[2]


def test_cli_reads_stdin(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("11010519491231002X\n\n110105491231002\n"))
    code, lines = _run(["check-id", "--json", "-"], capsys)
    assert code == 0 and len(lines) == 2


def test_cli_requires_a_number():
    with pytest.raises(SystemExit):
        _parser().parse_args(["check-id"])


@pytest.mark.parametrize(
    "numbers, exit_code",
    [(["11010519491231002X"], 0), (["11010519491231002X", "1.10101199001011E+17"], 1)],
)
def test_cli_subprocess(numbers, exit_code):
    """End to end: ``python -m gridadmin check-id --json ...``."""
    proc = subprocess.run(
        [sys.executable, "-m", "gridadmin", "check-id", "--json", *numbers],
        cwd=REPO, capture_output=True, timeout=120,  # a cold start under wine on a loaded machine
    )
    assert proc.returncode == exit_code, proc.stderr.decode("utf-8", "replace")
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(rows) == len(numbers)
    assert rows[0]["normalized"] == "11010519491231002X" and rows[0]["gender"] == "女"
    if exit_code:
        assert rows[1]["error"] == ERROR_LOST_DIGITS


def test_fast_check_many_agrees_with_fast_check_value_by_value():
    """The column check (array arithmetic) gives what ``fast_check`` gives
    for each value, on valid numbers and on every kind of near miss: a
    wrong check character, a month or day that does not exist (29 Feb of
    a common year), a birth before 1900 or after today, an unknown county,
    a permit or foreigner's number, lower-case x, padding, full-width
    digits, a float, None, 17 or 19 characters."""
    from gridadmin.services.common.idcard import CHECK_CHARS, fast_check, fast_check_many

    rng = random.Random(21)
    regions = ["411302", "110105", "810000", "830000", "911302", "990000", "411399", "412999", "000000"]
    values: list = []
    for _ in range(6000):
        born = date(rng.randint(1890, 2030), rng.randint(1, 12), rng.randint(1, 28))
        number = make_id_number(rng.choice(regions), born, rng.randrange(1000))
        damage = rng.randrange(14)
        values.append([
            number, number, number,
            number[:-1] + rng.choice(CHECK_CHARS), number[:10] + "13" + number[12:], number[:12] + "31" + number[14:],
            number[:8] + "0229" + number[12:], number.lower(), " " + number[:17], number[:5] + "Ａ" + number[6:],
            float(number[:15]), None, number[:17], number + "1",
        ][damage])
    today = date(2025, 6, 1)
    births, males = fast_check_many(values, today)
    assert len(births) == len(males) == len(values)
    accepted = 0
    for value, born, male in zip(values, births, males):
        one = fast_check(value, today) if isinstance(value, str) else None
        expected = None if one is None or one.warnings else (one.birth_date, one.gender == "男")
        assert (None if born is None else (born, male)) == expected, value
        accepted += born is not None
    assert accepted > 250  # the valid numbers of known counties are found valid
    assert fast_check_many([], today) == ([], [])
