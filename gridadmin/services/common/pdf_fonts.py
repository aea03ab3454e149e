"""The bundled CJK font for PDFs (reportlab), embedded so printouts render
on any PC and in any viewer without system fonts."""

from __future__ import annotations

from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from gridadmin.paths import resource

CJK_FONT = "WenQuanYiMicroHei"


@lru_cache(maxsize=1)
def register_cjk_font() -> str:
    """Register WenQuanYi Micro Hei (TrueType outlines, subset-embedded by
    reportlab) and return the font name to use in styles and canvases."""
    pdfmetrics.registerFont(TTFont(CJK_FONT, str(resource("fonts", "wqy-microhei.ttc")), subfontIndex=0))
    return CJK_FONT
