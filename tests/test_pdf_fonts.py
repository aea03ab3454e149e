"""The bundled font works in reportlab: Chinese text is embedded and
extractable from the PDF."""

from __future__ import annotations

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from gridadmin.services.common.pdf_fonts import register_cjk_font


def test_chinese_text_is_embedded_and_extractable(tmp_path):
    name = register_cjk_font()
    path = tmp_path / "font.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont(name, 14)
    pdf.drawString(72, 760, "网格中心管理系统 月报 玉都街道 第一网格 412 户")
    pdf.save()
    reader = PdfReader(str(path))
    assert "网格中心管理系统 月报 玉都街道 第一网格 412 户" in reader.pages[0].extract_text()
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    cjk = [f for f in fonts if "WenQuanYi" in f["/BaseFont"]]
    assert cjk and all("/FontFile2" in f["/FontDescriptor"].get_object() for f in cjk)  # outlines embedded
