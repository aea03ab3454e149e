"""Pinyin of names for search."""

import pytest

from gridadmin.services.common.pinyin import name_pinyin


@pytest.mark.parametrize("name, full, initials", [
    ("张三", "zhangsan", "zs"), ("曾小红", "zengxiaohong", "zxh"), ("单田芳", "shantianfang", "stf"),
    ("欧阳娜娜", "ouyangnana", "oynn"), ("尉迟恭", "yuchigong", "ycg"), ("李  云", "liyun", "ly"),
    ("John Smith", "johnsmith", "johnsmith"), ("", "", ""),
])
def test_name_pinyin(name, full, initials):
    assert name_pinyin(name) == (full, initials)
