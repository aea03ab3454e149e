"""Draw the GridAdmin icon (a grid map with a location pin) with QPainter:
gridadmin.png (256 px), gridadmin_<size>.png and gridadmin.ico (Windows,
via Pillow, which is needed only here, not at run time).

    QT_QPA_PLATFORM=offscreen python resources/icons/make_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen

HERE = Path(__file__).resolve().parent
SIZES = (16, 24, 32, 48, 64, 128, 256)


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256
    # tile: rounded square, blue
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#1f5fa8"))
    p.drawRoundedRect(QRectF(8 * s, 8 * s, 240 * s, 240 * s), 44 * s, 44 * s)
    # the grid (3 x 3 cells), light lines
    inner = QRectF(40 * s, 56 * s, 176 * s, 160 * s)
    p.setBrush(QColor("#e8f1fb"))
    p.drawRoundedRect(inner, 10 * s, 10 * s)
    pen = QPen(QColor("#1f5fa8"))
    pen.setWidthF(max(1.0, 7 * s))
    p.setPen(pen)
    for i in (1, 2):
        x = inner.left() + inner.width() * i / 3
        y = inner.top() + inner.height() * i / 3
        p.drawLine(QPointF(x, inner.top()), QPointF(x, inner.bottom()))
        p.drawLine(QPointF(inner.left(), y), QPointF(inner.right(), y))
    # one highlighted cell
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#ffd27a"))
    cw, ch = inner.width() / 3, inner.height() / 3
    p.drawRect(QRectF(inner.left() + cw + 4 * s, inner.top() + ch + 4 * s, cw - 8 * s, ch - 8 * s))
    # the map pin over that cell
    cx, top, r = 128 * s, 40 * s, 40 * s
    pin = QPainterPath()
    pin.moveTo(cx, top + 2.55 * r)
    pin.cubicTo(cx - 0.35 * r, top + 1.9 * r, cx - r, top + 1.45 * r, cx - r, top + r)
    pin.arcTo(QRectF(cx - r, top, 2 * r, 2 * r), 180, -180)
    pin.cubicTo(cx + r, top + 1.45 * r, cx + 0.35 * r, top + 1.9 * r, cx, top + 2.55 * r)
    outline = QPen(QColor("#ffffff"))
    outline.setWidthF(max(1.0, 6 * s))
    p.setPen(outline)
    p.setBrush(QColor("#d93a2b"))
    p.drawPath(pin)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#ffffff"))
    p.drawEllipse(QPointF(cx, top + r), 0.42 * r, 0.42 * r)
    p.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - needed by QPainter text
    for size in SIZES:
        draw(size).save(str(HERE / f"gridadmin_{size}.png"))
    draw(256).save(str(HERE / "gridadmin.png"))
    try:
        from PIL import Image
    except ImportError:
        print("Pillow is not installed: gridadmin.ico not written (pip install Pillow)")
        return 0
    Image.open(HERE / "gridadmin_256.png").save(HERE / "gridadmin.ico", sizes=[(s, s) for s in SIZES])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
