"""The user manual inside the program (帮助 → 使用手册, F1): ``docs/manual.md``
rendered in a window with its table of contents, pictures and links. F1 on
a page opens that page's section (a heading equal to the page's title).

Links inside the manual (``#1-导入社区文件``, GitHub's heading anchors) jump
to the heading; a link to another bundled Markdown file (``glossary.md``)
opens it in the same window; web links open in the browser."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QTextCursor, QTextDocument
from PySide6.QtWidgets import QDialog, QHBoxLayout, QListWidget, QListWidgetItem, QTextBrowser, QWidget

from gridadmin.paths import docs_dir

MANUAL = "manual.md"


def heading_slug(text: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped,
    spaces as hyphens (``1. 导入社区文件`` → ``1-导入社区文件``)."""
    kept = "".join(ch for ch in text.strip().lower() if ch.isalnum() or ch in " -_")
    return re.sub(r" ", "-", kept)


class ManualWindow(QDialog):
    """A non-modal window showing one Markdown file of the manual."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("使用手册"))
        self.contents = QListWidget()
        self.contents.setMaximumWidth(220)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setSearchPaths([str(docs_dir())])
        self.browser.anchorClicked.connect(self.follow)
        self.contents.itemActivated.connect(lambda item: self.go_to(item.data(Qt.ItemDataRole.UserRole)))
        self.contents.itemClicked.connect(lambda item: self.go_to(item.data(Qt.ItemDataRole.UserRole)))
        layout = QHBoxLayout(self)
        layout.addWidget(self.contents)
        layout.addWidget(self.browser, 1)
        self.file = ""
        self.load(MANUAL)

    def load(self, name: str) -> None:
        """Show ``docs/<name>`` and list its headings on the left."""
        path = docs_dir() / name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = self.tr("# 找不到使用手册\n\n程序文件夹中缺少 {p}，请重新安装程序。").format(p=path)
        self.file = name
        self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(docs_dir()) + "/"))
        self.browser.setMarkdown(text)
        self._fit_images(660)
        self.contents.clear()
        block = self.browser.document().begin()
        while block.isValid():
            level = block.blockFormat().headingLevel()
            if level in (1, 2, 3):
                item = QListWidgetItem(("    " if level == 3 else "") + block.text())
                item.setData(Qt.ItemDataRole.UserRole, heading_slug(block.text()))
                self.contents.addItem(item)
            block = block.next()

    def _fit_images(self, width: int) -> None:
        """Show the screenshots at most ``width`` pixels wide (aspect kept),
        so the text column never needs a horizontal scroll bar."""
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                image = fragment.charFormat().toImageFormat()
                if fragment.isValid() and image.isValid():
                    picture = document.resource(QTextDocument.ResourceType.ImageResource, QUrl(image.name()))
                    if picture is None or getattr(picture, "isNull", lambda: True)():
                        picture = QImage(str(docs_dir() / image.name()))
                    if not picture.isNull() and picture.width() > width:
                        image.setWidth(width)
                        image.setHeight(picture.height() * width / picture.width())
                        cursor = QTextCursor(document)
                        cursor.setPosition(fragment.position())
                        cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                        cursor.setCharFormat(image)
                it += 1
            block = block.next()

    def headings(self) -> list[str]:
        """The text of every heading, in order."""
        found, block = [], self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel():
                found.append(block.text())
            block = block.next()
        return found

    def go_to(self, slug_or_title: str) -> bool:
        """Scroll the heading with this anchor (or this exact title) to the
        top; False when there is none."""
        wanted = heading_slug(slug_or_title)
        block = self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() and heading_slug(block.text()) == wanted:
                cursor = QTextCursor(block)
                self.browser.setTextCursor(cursor)
                top = self.browser.document().documentLayout().blockBoundingRect(block).top()
                self.browser.verticalScrollBar().setValue(int(top))
                return True
            block = block.next()
        return False

    def current_heading(self) -> str:
        """The heading the cursor sits on (after ``go_to``)."""
        return self.browser.textCursor().block().text()

    def follow(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            return
        target = url.toString()
        name, _, anchor = target.partition("#")
        if name and name.endswith(".md") and name != self.file:
            self.load(name.split("/")[-1])
        if anchor:
            self.go_to(QUrl.fromPercentEncoding(anchor.encode()))


def show_manual(parent: QWidget | None = None, section: str | None = None) -> ManualWindow:
    """Open (or raise) the manual window at ``section`` (a heading's title
    or anchor); returns the window."""
    window = getattr(parent, "_manual_window", None) if parent is not None else None
    if window is None:
        window = ManualWindow(parent)
        window.resize(960, 640)
        if parent is not None:
            parent._manual_window = window
    if window.file != MANUAL:
        window.load(MANUAL)
    window.show()
    window.raise_()
    if section:
        window.go_to(section)
    return window
