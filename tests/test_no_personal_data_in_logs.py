"""Logs, error dialogs and the command line never carry personal data: the
engines hide statement parameters, every log line and dialog text is
scrubbed of ID numbers, phones and PostgreSQL's DETAIL values; texts longer
than their column are refused in the services, naming field and limit."""

from __future__ import annotations

import logging
import sys
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from gridadmin.models import Setting
from gridadmin.services.common.errors import ValidationError, scrub_personal_data
from gridadmin.services.common.idcard import make_id_number

ID_NUMBER = make_id_number("411302", date(1986, 7, 9), 41)
PHONE = "13912345678"


def _integrity_error(db) -> IntegrityError:
    """A real IntegrityError whose statement carried an ID number and a
    phone (a duplicate primary key, on SQLite and PostgreSQL alike)."""
    with db.session() as s:
        s.add(Setting(key=ID_NUMBER, value=PHONE))
    with pytest.raises(IntegrityError) as caught:
        with db.session() as s:
            s.add(Setting(key=ID_NUMBER, value=PHONE))
    return caught.value


def test_statement_parameters_are_hidden(db):
    error = _integrity_error(db)
    assert error.params and ID_NUMBER in str(error.params)  # the driver had them …
    assert ID_NUMBER not in scrub_personal_data(error) and PHONE not in scrub_personal_data(error)
    assert PHONE not in str(error)  # … SQLAlchemy does not print them (hide_parameters)


def test_an_unexpected_database_error_leaves_no_number_in_the_log_or_the_dialog(qapp, db, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from gridadmin.logs import log_path
    from gridadmin.ui.shell.app import install_excepthook
    from tests.uihelpers import when_modal

    error = _integrity_error(db)
    saved_hook = sys.excepthook
    monkeypatch.setattr(sys, "excepthook", saved_hook)  # put back after the test
    install_excepthook()
    texts = []

    def read_and_close(box):
        texts.append(box.text())
        box.button(QMessageBox.StandardButton.Ok).click()

    when_modal(read_and_close, kind=QMessageBox)
    try:
        raise error
    except IntegrityError:
        sys.excepthook(*sys.exc_info())
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_path().read_text(encoding="utf-8")
    assert "IntegrityError" in logged and "Traceback" in logged  # the support information is there …
    assert texts and "意外错误" in texts[0]
    for shown in (logged, texts[0]):  # … the personal data is not
        assert ID_NUMBER not in shown and ID_NUMBER[:17] not in shown and PHONE not in shown
    if hasattr(log_path().stat(), "st_mode") and sys.platform != "win32":
        assert log_path().stat().st_mode & 0o077 == 0


def test_scrubbing_removes_numbers_and_detail_values():
    text = ("(psycopg.errors.UniqueViolation) duplicate key value violates unique constraint \"uq_person\"\n"
            f"DETAIL:  Key (id_number)=({ID_NUMBER}) already exists.\n"
            "[SQL: INSERT INTO person (name, id_number) VALUES (%(name)s, %(id_number)s)]\n"
            f"[parameters: {{'name': '张三', 'id_number': '{ID_NUMBER}', 'phone': '{PHONE}'}}]\n"
            "(Background on this error at: https://sqlalche.me/e/20/gkpj)")
    clean = scrub_personal_data(text)
    assert ID_NUMBER not in clean and PHONE not in clean and "张三" not in clean
    assert "Key (id_number)=(" in clean and "uq_person" in clean and "INSERT INTO person" in clean
    row = scrub_personal_data('DETAIL:  Failing row contains (7, 张三, 男, null).')
    assert "张三" not in row and "Failing row contains" in row
    assert scrub_personal_data(f"电话 {PHONE}，身份证 {ID_NUMBER[:15]}，第 12 行") == "电话 ＊＊＊＊，身份证 ＊＊＊＊，第 12 行"


def test_a_command_line_bug_prints_and_logs_no_personal_data(db, monkeypatch, capsys):
    """An unexpected error in a command: the scrubbed traceback and the log
    file's path, exit 1."""
    from gridadmin import cli
    from gridadmin.logs import log_path

    error = _integrity_error(db)

    def broken(_args):
        raise error

    real = cli.build_parser

    def parser_with_broken_command():
        parser = real()
        parser._subparsers._group_actions[0].choices["check-id"].set_defaults(func=broken)
        return parser

    monkeypatch.setattr(cli, "build_parser", parser_with_broken_command)
    assert cli.main(["check-id", "1"]) == 1
    err = capsys.readouterr().err
    assert "意外错误" in err and "IntegrityError" in err and str(log_path()) in err
    for shown in (err, log_path().read_text(encoding="utf-8")):
        assert ID_NUMBER not in shown and PHONE not in shown


def test_an_over_long_occupation_is_refused_naming_field_and_limit(township_db):
    from sqlalchemy import select

    from gridadmin.models import Area, Person
    from gridadmin.services.register.households import HouseholdData, MemberData, save_household
    from gridadmin.services.register.resident_record import load_resident, save_resident
    from dataclasses import replace

    with township_db.session() as s:
        community = s.scalar(select(Area.id).where(Area.level == "community").order_by(Area.id).limit(1))
    save_household(township_db, None, HouseholdData("4113020010010001", community),
                   [MemberData(None, "张三", ID_NUMBER, relation="02")], today=date(2025, 1, 1))
    with township_db.session() as s:
        person_id = s.scalar(select(Person.id))
    record = load_resident(township_db, person_id)
    with pytest.raises(ValidationError) as refused:
        save_resident(township_db, person_id, replace(record.data, occupation="农" * 61),
                      expected_version=record.version)
    assert "职业" in refused.value.message and "60" in refused.value.message and refused.value.field == "职业"
    assert load_resident(township_db, person_id).data.occupation == ""


def test_bulk_rows_are_length_checked_too(township_db):
    from gridadmin.models import Setting as SettingModel
    from gridadmin.services.common.bulk import insert_tuples

    with pytest.raises(ValidationError, match="最多 64 个字"):
        with township_db.session() as s:
            insert_tuples(s, SettingModel.__table__, ["key", "value"], [("k" * 65, "v")])


def test_every_new_sessionmaker_checks_lengths_even_when_an_old_one_was_collected(db):
    """SQLAlchemy remembers class-level listeners by the address of the
    sessionmaker's class; once a sessionmaker is collected, a new one may get
    the same address. Each must still refuse an over-long text (this failed
    for about half of the sessionmakers before the fix)."""
    import gc

    from sqlalchemy.orm import sessionmaker

    from gridadmin.services.common.lengths import install_length_checks

    for _attempt in range(20):
        maker = sessionmaker(db.engine)
        install_length_checks(maker)
        install_length_checks(maker)  # twice changes nothing
        with pytest.raises(ValidationError, match="最多 64 个字"):
            with maker() as s:
                s.add(Setting(key="k" * 65, value="v"))
                s.flush()
        del maker
        gc.collect()
