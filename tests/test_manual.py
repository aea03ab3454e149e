"""帮助 → 使用手册 opens the manual inside the program; F1 opens the
current page's section; links inside the manual jump to their heading."""

from __future__ import annotations

from PySide6.QtCore import QUrl

from gridadmin.paths import docs_dir
from gridadmin.ui.shell.main_window import MainWindow, page_titles
from gridadmin.ui.shell.manual import ManualWindow, heading_slug, show_manual


def test_every_page_has_its_section_in_the_manual(qtbot):
    window = ManualWindow()
    qtbot.addWidget(window)
    headings = window.headings()
    missing = [title for title in page_titles().values() if title not in headings]
    assert missing == []


def test_heading_anchors_are_githubs():
    assert heading_slug("1. 导入社区文件") == "1-导入社区文件"
    assert heading_slug("多台电脑共用数据（PostgreSQL）") == "多台电脑共用数据postgresql"


def test_help_menu_opens_the_manual_and_f1_opens_the_pages_section(qtbot, township_db):
    main = MainWindow(township_db)
    qtbot.addWidget(main)
    main.show()
    help_menu = next(a.menu() for a in main.menuBar().actions() if a.text().startswith("帮助"))
    manual_action = next(a for a in help_menu.actions() if a.text().startswith("使用手册"))
    assert manual_action.shortcut().toString() == "F1"
    main.show_page("roster")
    manual_action.trigger()
    window = main._manual_window
    qtbot.addWidget(window)
    assert window.isVisible() and window.current_heading() == "人员花名册"
    assert window.browser.verticalScrollBar().value() > 0  # scrolled down to the section
    main.show_page("import")
    manual_action.trigger()
    assert main._manual_window is window and window.current_heading() == "数据导入"


def test_links_jump_to_their_heading_and_open_the_glossary(qtbot):
    window = show_manual(None)
    qtbot.addWidget(window)
    window.follow(QUrl("#备份与恢复"))
    assert window.current_heading() == "备份与恢复"
    window.follow(QUrl("glossary.md"))
    assert window.file == "glossary.md" and window.headings()
    window = show_manual(None, "数据导入")
    qtbot.addWidget(window)
    assert window.file == "manual.md" and window.current_heading() == "数据导入"


def test_the_manuals_pictures_are_found(qtbot):
    """The screenshots the manual shows resolve from the docs folder (the
    bundle carries docs/screenshots/1366x768 beside manual.md)."""
    assert (docs_dir() / "screenshots" / "1366x768" / "dashboard.png").exists()
    window = ManualWindow()
    qtbot.addWidget(window)
    image = window.browser.loadResource(2, QUrl("screenshots/1366x768/dashboard.png"))  # 2: ImageResource
    assert image is not None and not getattr(image, "isNull", lambda: False)()
    window.resize(960, 640)  # fits a 1024x768 screen
    window.show()
    window.go_to("窗口的样子")
    qtbot.waitUntil(lambda: window.browser.verticalScrollBar().maximum() > 0)
    assert window.browser.horizontalScrollBar().maximum() == 0  # pictures shrink to the text column


def test_contents_list_goes_to_a_heading(qtbot):
    window = ManualWindow()
    qtbot.addWidget(window)
    item = next(window.contents.item(i) for i in range(window.contents.count())
                if window.contents.item(i).text().strip() == "常见问题")
    window.contents.itemClicked.emit(item)
    assert window.current_heading() == "常见问题"
