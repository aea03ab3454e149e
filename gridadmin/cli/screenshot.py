"""``screenshot --db DB --page PAGE [--tab TITLE] --out FILE.png [--size WxH]``:
render a page of the main window (and one of its tabs, by title) offscreen
to PNG (docs and visual checks)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from gridadmin.cli import CliError, open_cli_database
from gridadmin.cli.login import add_login_arguments

PAGE_HELP = "dashboard, grids, roster, training, residents, import, reports, settings, audit, reminders"


def register(sub) -> None:
    parser = sub.add_parser("screenshot", help="把主窗口的某一页离屏截图为 PNG")
    parser.add_argument("--db", required=True, help="数据库文件或 URL")
    parser.add_argument("--page", required=True, help=f"页面：{PAGE_HELP}")
    parser.add_argument("--tab", help="页面中的选项卡标题，如 --page residents --tab 房屋")
    parser.add_argument("--out", required=True, help="输出 PNG 文件")
    parser.add_argument("--size", default="1366x768", help="窗口大小，如 1024x768（默认 1366x768）")
    add_login_arguments(parser)
    parser.set_defaults(func=run)


def parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,5})[xX×](\d{3,5})", text.strip())
    if not match:
        raise CliError(f"窗口大小“{text}”格式不对，应为 宽x高，如 1366x768。")
    return int(match.group(1)), int(match.group(2))


def run(args) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    width, height = parse_size(args.size)
    from gridadmin.ui.shell.main_window import page_names

    if args.page not in page_names():
        raise CliError(f"没有名为“{args.page}”的页面。可用页面：{', '.join(page_names())}")
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise CliError(f"输出文件“{out}”应以 .png 结尾。")
    from gridadmin.ui.shell.app import create_application
    from gridadmin.ui.shell.main_window import MainWindow

    if "://" not in args.db and not Path(args.db).exists():
        raise CliError(f"找不到数据库文件“{args.db}”。")
    app = create_application()
    db = open_cli_database(args)
    try:
        window = MainWindow(db)
        window.resize(width, height)
        page = window.show_page(args.page)
        window.show()
        from gridadmin.ui.common.background import wait_for_background

        wait_for_background()  # figures computed off the UI thread (the dashboard) are drawn before the shot
        for _ in range(3):
            app.processEvents()
        if args.tab:
            _show_tab(page, args.tab)
            for _ in range(3):
                app.processEvents()
        out.parent.mkdir(parents=True, exist_ok=True)
        shot = window.grab()
        if not shot.save(str(out), "PNG"):
            raise CliError(f"无法写入“{out}”。")
        logical = window.size()  # the PNG has more pixels on a scaled (HiDPI) screen
        window.close()
    finally:
        db.dispose()
    size = f"{shot.width()}x{shot.height()}"
    wider = "" if (logical.width(), logical.height()) == (width, height) else \
        f"，窗口最小需要 {logical.width()}x{logical.height()}，未能缩到 {width}x{height}"
    print(f"已保存截图：{out}（{size}{wider}）")
    return 0


def _show_tab(page, title: str) -> None:
    """Select the tab titled ``title`` of the first tab widget on ``page``;
    ``CliError`` naming the titles there when there is none such."""
    from PySide6.QtWidgets import QTabWidget

    tabs = page.findChild(QTabWidget)
    titles = [tabs.tabText(i).replace("&", "") for i in range(tabs.count())] if tabs is not None else []
    if title not in titles:
        where = f"可用选项卡：{', '.join(titles)}" if titles else "该页面没有选项卡"
        raise CliError(f"页面上没有名为“{title}”的选项卡。{where}")
    tabs.setCurrentIndex(titles.index(title))
