"""Code lists: seeded from the standards, spellings mapped onto codes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gridadmin.models import CodeItem, TagKind
from gridadmin.services.common.codes import CodeBook, seed_code_lists
from gridadmin.services.common.text import clean_name, clean_text, to_halfwidth


@pytest.fixture
def book(db):
    with db.session() as session:
        seed_code_lists(session)
    with db.session() as session:
        return CodeBook.load(session)


@pytest.mark.parametrize("list_key, typed, code", [
    ("gender", "男", "1"), ("gender", "男性", "1"), ("gender", "M", "1"), ("gender", "m", "1"),
    ("gender", 1, "1"), ("gender", 1.0, "1"), ("gender", "女 ", "2"), ("gender", "Ｆ", "2"),
    ("ethnicity", "汉", "01"), ("ethnicity", "汉族", "01"), ("ethnicity", "1", "01"), ("ethnicity", "回族", "03"),
    ("ethnicity", "维吾尔", "05"), ("ethnicity", "98", "98"),
    ("political", "党员", "01"), ("political", "中共党员", "01"), ("political", "团员", "03"),
    ("political", "群众", "13"), ("political", "九三学社", "10"),
    ("education", "大专", "30"), ("education", "专科", "30"), ("education", "博士", "10"),
    ("education", "硕士", "10"), ("education", "中专", "40"), ("education", "高中", "60"),
    ("education", "文盲", "90"), ("education", "本科", "20"),
    ("marital", "已婚", "20"), ("marital", "离异", "40"), ("marital", 10, "10"),
    ("relation", "户主", "02"), ("relation", "妻子", "12"), ("relation", "儿子", "20"), ("relation", "长女", "32"),
    ("staff_role", "专职网格员", "fulltime"), ("staff_role", "包联干部", "instructor"),
    ("resident_category", "流动人口", "3"),
])
def test_typed_spellings_map_to_codes(book, list_key, typed, code):
    assert book.lookup(list_key, typed) == code


@pytest.mark.parametrize("list_key, typed", [("gender", "不知道"), ("ethnicity", "火星族"), ("education", ""),
                                             ("education", None)])
def test_unknown_spellings_map_to_none(book, list_key, typed):
    assert book.lookup(list_key, typed) is None


def test_labels_and_all_lists_seeded(book, db):
    assert book.label("ethnicity", "56") == "基诺族"
    assert book.label("gender", "9") == "未说明"
    assert book.label("gender", None) == ""
    assert len(book.items("ethnicity")) == 58
    assert len(book.items("political")) == 13
    with db.session() as session:
        sensitive = session.scalars(select(TagKind.name).where(TagKind.sensitive.is_(True))).all()
        assert set(sensitive) == {"社区矫正人员", "刑满释放人员", "严重精神障碍患者", "吸毒人员", "艾滋病危险人员",
                                  "重点青少年", "重点上访人员"}
        assert session.scalar(select(func.count()).select_from(TagKind)) == 20


def test_seeding_twice_keeps_local_edits(db):
    with db.session() as session:
        seed_code_lists(session)
        session.add(CodeItem(list_key="skill_level", code="5", label="五级/初级工", sort_order=9))
    with db.session() as session:
        seed_code_lists(session)
        count = session.scalar(select(func.count()).select_from(CodeItem).where(CodeItem.list_key == "skill_level"))
        assert count == 5


def test_text_normalisers():
    assert to_halfwidth("１３８　ＡＢ（测试）") == "138 AB（测试）"
    assert clean_text(" 李\u3000\u3000云\x07 ") == "李 云"
    assert clean_name("李  云") == "李云"
    assert clean_name("John  Smith") == "John Smith"
    assert clean_text(13800138000.0) == "13800138000"
    assert clean_text(None) == ""
