"""The shared report toolkit: header, page numbers, repeated table headers,
signature block, Chinese text extractable from the PDF."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

from pypdf import PdfReader

from gridadmin.services.reports.toolkit import (
    DocumentInfo, Styles, data_table, render_pdf, render_pdf_bytes, signature_block, title_block,
)


def _rows(n):
    return [[i + 1, f"第{i + 1}网格", "张三" if i % 2 else "李云", 400 + i, 1_200 + i] for i in range(n)]


def test_multi_page_table_has_numbered_pages_and_repeated_header(tmp_path):
    info = DocumentInfo(title="网格力量花名册", unit="玉都街道网格化服务管理中心", subtitle="2026年10月",
                        printed_on=date(2026, 11, 3), landscape=True)
    styles = Styles()
    story = title_block(info, styles) + [
        data_table(["序号", "网格", "网格长", "户数", "人口"], _rows(120), numeric_columns=(3, 4), styles=styles),
        signature_block(styles),
    ]
    path = tmp_path / "roster.pdf"
    pages = render_pdf(path, info, story)
    reader = PdfReader(str(path))
    assert pages == len(reader.pages) >= 3
    texts = [page.extract_text() for page in reader.pages]
    assert "网格力量花名册" in texts[0] and "填报单位：玉都街道网格化服务管理中心" in texts[0]
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} 页 共 {pages} 页" in text
        if re.search(r"第\d+网格", text):  # a page carrying table rows
            assert "序号" in text and "户数" in text  # header row repeated
    assert "1,319" in "".join(texts)  # thousands separators in numeric cells
    assert "单位负责人" in texts[-1] and "（盖章）" in texts[-1]
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape


def test_markup_characters_are_printed_literally():
    info = DocumentInfo(title="测试 <b>&", unit="单位")
    data = render_pdf_bytes(info, title_block(info) + [data_table(["备注"], [["a<b & c>d"]])])
    text = PdfReader(BytesIO(data)).pages[0].extract_text()
    assert "a<b & c>d" in text and "测试 <b>&" in text
