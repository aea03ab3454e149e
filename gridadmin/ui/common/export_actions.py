"""Export or print the list on screen (its filter, order and columns),
off the UI thread. ``model`` is anything with ``source``, ``query`` and
``columns`` — a ``LazyTableModel``, or a small view over a computed list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from gridadmin import APP_TITLE
from gridadmin.db import Database
from gridadmin.services.common.errors import ServiceError, file_not_written, scrub_personal_data
from gridadmin.services.common.progress import Progress
from gridadmin.services.reports.toolkit import DocumentInfo
from gridadmin.services.areas.setup import township_of_database
from gridadmin.services.common.table_export import export_table_pdf, export_table_xlsx
from gridadmin.ui.common.file_dialogs import ask_save_path
from gridadmin.ui.common.jobs import run_job
from gridadmin.ui.common.lazy_table_model import LazyTableModel

translate = QCoreApplication.translate  # texts below are in the "export_actions" context


def export_xlsx(parent: QWidget, db: Database, model: LazyTableModel, what: str, *, full_numbers: bool) -> Path | None:
    """Ask where, then write the list to xlsx; returns the file or None."""
    path = ask_save_path(parent, translate("export_actions", "导出到 Excel"), f"{what}_{date.today():%Y%m%d}.xlsx",
                         translate("export_actions", "Excel 文件 (*.xlsx)"))
    if not path:
        return None

    def job():
        yield Progress(0, 1, translate("export_actions", "正在导出{what}…").format(what=what))
        return export_table_xlsx(db, model.source, model.query, model.columns, Path(path), what=what,
                                 full_numbers=full_numbers)

    return _finish(parent, run_job(parent, translate("export_actions", "导出"), job), path,
                   translate("export_actions", "已导出 {n} 行到 {path}"))


def export_kind_xlsx(parent: QWidget, db: Database, kind: str, what: str, *, full_numbers: bool,
                     **options) -> Path | None:
    """Ask where, then write ``kind`` in its import template's columns (so
    the file can be corrected and imported again); ``options`` go to
    ``export_kind`` (e.g. ``roster_filter``). Returns the file or None."""
    from gridadmin.services.importing.export import export_kind

    path = ask_save_path(parent, translate("export_actions", "导出到 Excel（导入模板格式）"),
                         f"{what}_{date.today():%Y%m%d}.xlsx", translate("export_actions", "Excel 文件 (*.xlsx)"))
    if not path:
        return None

    def job():
        yield Progress(0, 1, translate("export_actions", "正在导出{what}…").format(what=what))
        return export_kind(db, kind, path, full_numbers=full_numbers, **options)

    return _finish(parent, run_job(parent, translate("export_actions", "导出"), job), path,
                   translate("export_actions", "已导出 {n} 行到 {path}"))


def print_pdf(parent: QWidget, db: Database, model: LazyTableModel, what: str, *, full_numbers: bool,
              landscape: bool = True) -> Path | None:
    """Ask where, then print the list as a PDF (header, page numbers,
    signature line) and open it in the PDF viewer; returns the file or None."""
    path = ask_save_path(parent, translate("export_actions", "保存 PDF"), f"{what}_{date.today():%Y%m%d}.pdf",
                         translate("export_actions", "PDF 文件 (*.pdf)"))
    if not path:
        return None
    township = township_of_database(db)
    info = DocumentInfo(title=what, unit=(township[1] if township else "") + "网格化服务管理中心", landscape=landscape)

    def job():
        yield Progress(0, 1, translate("export_actions", "正在生成{what}…").format(what=what))
        return export_table_pdf(db, model.source, model.query, model.columns, Path(path), what=what, info=info,
                                full_numbers=full_numbers)

    return _finish(parent, run_job(parent, translate("export_actions", "打印"), job), path,
                   translate("export_actions", "已生成 {n} 页：{path}"), preview=what)


def _finish(parent: QWidget, outcome, path: str, message: str, *, preview: str | None = None) -> Path | None:
    """Say what was written (or why not); a PDF (``preview`` is its title)
    opens in the PDF viewer with the message under it instead."""
    if outcome.cancelled:
        return None
    if outcome.error is not None:
        error = outcome.error
        if isinstance(error, OSError):  # e.g. the PDF's folder is gone or the file is open elsewhere
            error = file_not_written(path, error)
        text = error.message if isinstance(error, ServiceError) else scrub_personal_data(error)
        QMessageBox.warning(parent, APP_TITLE, text)
        return None
    if preview is not None:
        from gridadmin.ui.common.pdf_viewer import show_pdf

        show_pdf(parent, path, preview, message.format(n=outcome.result, path=path))
    else:
        QMessageBox.information(parent, APP_TITLE, message.format(n=outcome.result, path=path))
    return Path(path)
