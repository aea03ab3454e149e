"""A tool bar row that wraps: its widgets stand side by side while they fit
and continue on the next line when the page is narrow (a 1024x768 screen),
so no filter or button is pushed off screen and the row never forces the
window wider than the widest single widget."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    """Lays its items out left to right, wrapping to a new line when the
    next one does not fit. Items whose horizontal size policy can expand
    (a search box) share the room left over on their line."""

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6, margin: int = 0):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(margin, margin, margin, margin)

    # -- QLayout interface ---------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def spacing(self) -> int:
        return self._spacing

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Everything on one line."""
        visible = self._visible()
        width = sum(item.sizeHint().width() for item in visible) + self._spacing * max(0, len(visible) - 1)
        height = max((item.sizeHint().height() for item in visible), default=0)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        """The widest single item: everything else can wrap."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    # -- layout --------------------------------------------------------------
    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def lines(self, width: int) -> list[list[QLayoutItem]]:
        """The items of each line at ``width`` (for tests and layout)."""
        margins = self.contentsMargins()
        room = max(1, width - margins.left() - margins.right())
        lines: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            hint = min(item.sizeHint().width(), room)
            if lines[-1] and used + self._spacing + hint > room:
                lines.append([])
                used = 0
            used += (self._spacing if lines[-1] else 0) + hint
            lines[-1].append(item)
        return [line for line in lines if line]

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        margins = self.contentsMargins()
        left, top = rect.x() + margins.left(), rect.y() + margins.top()
        room = max(1, rect.width() - margins.left() - margins.right())
        y = top
        for line in self.lines(rect.width()):
            widths = [max(item.minimumSize().width(), min(item.sizeHint().width(), room)) for item in line]
            height = max(item.sizeHint().height() for item in line)
            spare = room - sum(widths) - self._spacing * (len(line) - 1)
            growing = [i for i, item in enumerate(line)
                       if item.widget() is not None
                       and item.widget().sizePolicy().expandingDirections() & Qt.Orientation.Horizontal]
            if spare > 0 and growing:
                share, rest = divmod(spare, len(growing))
                for n, i in enumerate(growing):
                    widths[i] += share + (1 if n < rest else 0)
            if apply:
                x = left
                for item, width in zip(line, widths):
                    item_height = min(height, max(item.minimumSize().height(), item.sizeHint().height()))
                    item.setGeometry(QRect(QPoint(x, y + (height - item_height) // 2), QSize(width, item_height)))
                    x += width + self._spacing
            y += height + self._spacing
        return max(0, y - self._spacing - top) + margins.top() + margins.bottom()


def flow_row(*widgets: QWidget, spacing: int = 6) -> FlowLayout:
    """A wrapping row holding ``widgets`` in order."""
    layout = FlowLayout(spacing=spacing)
    for widget in widgets:
        layout.addWidget(widget)
    return layout


def joined(*widgets: QWidget) -> QWidget:
    """``widgets`` kept together on one line of a flow row (a label and
    its field)."""
    from PySide6.QtWidgets import QHBoxLayout

    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for widget in widgets:
        layout.addWidget(widget)
    return box
