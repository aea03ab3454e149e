"""The import wizard: 选择文件 → 核对列 → 预览检查 → 完成. Reading, the
dry run, the import and the error report run in a worker thread through
``run_job``; a refusal keeps the file, the mapping and the preview."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from gridadmin.db import Database
from gridadmin.services.access.permissions import PermissionDeniedError, acting
from gridadmin.services.common.errors import ServiceError, ValidationError
from gridadmin.services.importing import KINDS, ImportResult, file_sha256, import_job
from gridadmin.services.importing.overview import FileOverview, inspect_job, overrides_for
from gridadmin.services.importing.remembered import recall_mapping, remember_mapping
from gridadmin.services.importing.report import write_error_report
from gridadmin.services.importing.template import write_template
from gridadmin.services.common.progress import Progress
from gridadmin.ui.importing.common import FILE_FILTER_EXTENSIONS, kind_label, outcome_message, show_message
from gridadmin.ui.importing.file_step import FileStep
from gridadmin.ui.importing.mapping_step import MappingStep
from gridadmin.ui.importing.preview_step import PreviewStep
from gridadmin.ui.importing.result_step import ResultStep
from gridadmin.ui.common.jobs import run_job
from gridadmin.ui.common.file_dialogs import ask_open_path, ask_save_path

STEP_FILE, STEP_MAPPING, STEP_PREVIEW, STEP_RESULT = range(4)


class ImportWizard(QWidget):
    """``imported(batch_id)`` after a committed import;
    ``history_wanted`` when the user asks for the import history."""

    imported = Signal(int)
    history_wanted = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.path: str | None = None
        self.overview: FileOverview | None = None
        self.detected_sheet: str | None = None  # the sheet the first look at the file chose
        self.plan = None
        self.result: ImportResult | None = None
        self.file_step = FileStep()
        self.mapping_step = MappingStep()
        self.preview_step = PreviewStep()
        self.result_step = ResultStep()
        self.stack = QStackedWidget()
        for step in (self.file_step, self.mapping_step, self.preview_step, self.result_step):
            self.stack.addWidget(step)
        self.step_titles = [self.tr("① 选择文件"), self.tr("② 核对列"), self.tr("③ 预览检查"), self.tr("④ 完成")]
        self.step_labels = [QLabel(t) for t in self.step_titles]
        self.back_button = QPushButton(self.tr("< 上一步(&B)"))
        self.next_button = QPushButton()
        self.next_button.setMinimumWidth(140)

        steps = QHBoxLayout()
        for i, label in enumerate(self.step_labels):
            if i:
                steps.addWidget(QLabel("›"))
            steps.addWidget(label)
        steps.addStretch(1)
        nav = QHBoxLayout()
        nav.addStretch(1)
        nav.addWidget(self.back_button)
        nav.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(steps)
        layout.addWidget(self.stack, 1)
        layout.addLayout(nav)

        self.file_step.choose_requested.connect(self.choose_file)
        self.file_step.template_requested.connect(self.save_template)
        self.file_step.kind_changed.connect(lambda _k: self.path and self.load(self.path))
        self.file_step.sheet_chosen.connect(lambda name: self.path and self.load(self.path, name))
        self.mapping_step.changed.connect(self._update_buttons)
        self.preview_step.mode_changed.connect(lambda _m: self.preview())
        self.preview_step.create_communities_changed.connect(lambda _on: self.preview())
        self.preview_step.recheck_requested.connect(self.recheck)
        self.preview_step.export_requested.connect(self.export_errors)
        self.result_step.export_button.clicked.connect(self.export_errors)
        self.result_step.history_button.clicked.connect(self.history_wanted)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.forward)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # Enter on the column step goes on, as 下一步 does
            shortcut = QShortcut(QKeySequence(key), self.mapping_step)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda: self.step() == STEP_MAPPING and self.forward())
        actor = acting(db)
        self.file_step.set_allowed({key: actor.can(kind.permission) for key, kind in KINDS.items()},
                                   f"{actor.display_name}（{actor.role_labels}）")
        self.go(STEP_FILE)

    # -- navigation --------------------------------------------------------
    def step(self) -> int:
        return self.stack.currentIndex()

    def go(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        for i, label in enumerate(self.step_labels):
            label.setStyleSheet("font-weight: bold; color: #1f5fbf;" if i == step else "color: #777;")
        texts = {STEP_FILE: self.tr("下一步(&N) >"), STEP_MAPPING: self.tr("下一步：检查数据(&N) >"),
                 STEP_PREVIEW: self.tr("导入(&I)"), STEP_RESULT: self.tr("导入其他文件(&N)")}
        self.next_button.setText(texts[step])
        self.back_button.setVisible(step in (STEP_MAPPING, STEP_PREVIEW))
        self._update_buttons()

    def _update_buttons(self) -> None:
        step = self.step()
        enabled = True
        if step == STEP_FILE:
            enabled = self.overview is not None
        elif step == STEP_MAPPING:
            enabled = not self.mapping_step.problem()
        self.next_button.setEnabled(enabled)

    def back(self) -> None:
        if self.step() in (STEP_MAPPING, STEP_PREVIEW):
            self.go(self.step() - 1)

    def forward(self) -> None:
        step = self.step()
        if step == STEP_FILE and self.overview is not None:
            self.go(STEP_MAPPING)
        elif step == STEP_MAPPING:
            problem = self.mapping_step.problem()
            if problem:  # the button is disabled; keyboard users get the reason
                self.mapping_step.show_error(problem)
            elif self.preview():
                self.go(STEP_PREVIEW)
        elif step == STEP_PREVIEW:
            self.commit()
        elif step == STEP_RESULT:
            self.start_over()

    def start_over(self) -> None:
        self.path = self.overview = self.plan = self.result = None
        self.file_step.show_path("")
        self.file_step.show_overview(None)
        self.file_step.show_error("")
        self.preview_step.skip_errors.setChecked(False)
        self.go(STEP_FILE)

    # -- step 1: the file ----------------------------------------------------
    def choose_file(self) -> None:
        path = ask_open_path(self, self.tr("选择要导入的文件"),
                             self.tr("表格文件 ({ext});;所有文件 (*)").format(ext=FILE_FILTER_EXTENSIONS))
        if path:
            self.load(path)

    def save_template(self, kind: str) -> str | None:
        """Ask where to save ``kind``'s template and write it; returns the path."""
        name = f"{kind_label(kind, short=True)}导入模板.xlsx"
        path = ask_save_path(self, self.tr("保存导入模板"), name, self.tr("Excel 工作簿 (*.xlsx)"))
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        try:
            write_template(kind, path, self.db)
        except OSError as exc:
            self.file_step.show_error(self.tr("无法保存模板“{path}”：{why}").format(path=path,
                                                                                 why=exc.strerror or exc))
            return None
        self.file_step.show_info(self.tr("已保存模板：{path}。填好后点“选择文件…”导入。").format(path=path))
        return path

    def load(self, path: str, sheet: str | None = None) -> bool:
        """Read ``path`` (in a worker thread) and show its columns; the
        pipeline's reason when it cannot be read."""
        if sheet is None or path != self.path:
            self.detected_sheet = None  # what the first look at this file chose (set below)
        if path != self.path:  # creating communities is chosen for one file, never carried over
            self.preview_step.create_communities.blockSignals(True)
            self.preview_step.create_communities.setChecked(False)
            self.preview_step.create_communities.blockSignals(False)
        self.path = path
        self.file_step.show_path(path)
        kind = self.file_step.kind()
        outcome = run_job(self, self.tr("正在读取文件"), lambda: inspect_job(path, kind, sheet))
        if not outcome.ok:
            self.overview = None
            if sheet is None:
                self.file_step.show_overview(None)
            self.file_step.show_error(outcome_message(outcome))
            self._update_buttons()
            return False
        self.overview = outcome.result
        self.file_step.show_error("")
        if sheet is None:
            self.detected_sheet = self.overview.detected_sheet
        self.file_step.show_overview(self.overview, detected=self.detected_sheet)
        self.mapping_step.set_overview(self.overview)
        remembered = recall_mapping(self.db, kind, self.overview.headers)
        if remembered is not None and remembered != self.overview.columns:
            self.mapping_step.apply_mapping(remembered, self.tr(
                "已按上次导入同样表头的文件时核对过的列对应关系填好，请再核对一遍后点“下一步”。"))
        self._update_buttons()
        return True

    # -- step 3: dry run -------------------------------------------------------
    def _job_args(self) -> dict:
        return {"mode": self.preview_step.current_mode(), "sheet": self.overview.sheet_name,
                "overrides": overrides_for(self.overview.kind, self.mapping_step.chosen()),
                "effective_date": self.file_step.effective_date(),
                "create_communities": (KINDS[self.overview.kind].creates_communities
                                       and self.preview_step.create_communities.isChecked())}

    def preview(self) -> bool:
        """Plan the import (nothing written) and show it."""
        path, kind, args = self.path, self.overview.kind, self._job_args()
        read = self.overview.read  # the first look's cells: not read again while the file is unchanged
        db = self.db  # the worker reads no widget (``run_job``)
        outcome = run_job(self, self.tr("正在检查数据"),
                          lambda: import_job(db, path, kind, dry_run=True, read=read, **args))
        if not outcome.ok:
            message = self.tr("已取消检查。") if outcome.cancelled else outcome_message(outcome)
            (self.preview_step if self.step() == STEP_PREVIEW else self.mapping_step).show_error(message)
            return False
        self.plan = outcome.result.plan
        self.preview_step.set_plan(self.plan)
        return True

    def recheck(self) -> None:
        """Read the (corrected) file again; if its header changed the user
        checks the mapping again."""
        headers = self.overview.headers
        if not self.load(self.path, self.overview.sheet_name):
            self.go(STEP_FILE)
        elif self.overview.headers != headers:
            self.go(STEP_MAPPING)
            self.mapping_step.show_error(self.tr("文件的表头已改变，请重新核对各列。"))
        else:
            self.preview()

    # -- step 4: commit --------------------------------------------------------
    def commit(self) -> None:
        plan = self.plan
        skip = self.preview_step.skip_errors.isChecked()
        if plan.error_rows and not skip:
            self.preview_step.show_error(self.tr(
                "有 {n:,} 行错误，没有导入任何数据（默认全部正确才导入）。请改正文件后点“重新检查”，"
                "或勾选“跳过错误行，只导入正确的行”。").format(n=len(plan.error_rows)))
            return
        path, kind, args = self.path, self.overview.kind, self._job_args()
        user_id = acting(self.db).user_id
        expected = plan.sha256
        read = self.overview.read
        db = self.db  # the worker reads no widget (``run_job``)

        def job():
            yield Progress(0, 0, "正在核对文件…")
            try:
                now = file_sha256(path)
            except OSError:
                raise ValidationError(f"文件“{Path(path).name}”已不在原来的位置（被移动、改名或删除），没有导入。"
                                      "请重新选择文件。", field="file", value=path) from None
            if now != expected:
                raise ValidationError(f"文件“{Path(path).name}”在预览之后被修改过，没有导入。请点“重新检查”后再导入。",
                                      field="file", value=path)
            return (yield from import_job(db, path, kind, skip_errors=skip, user_id=user_id, read=read, **args))

        outcome = run_job(self, self.tr("正在导入"), job)
        if not outcome.ok:
            fixable = isinstance(outcome.error, ServiceError) and not isinstance(outcome.error, PermissionDeniedError)
            self.preview_step.show_error(outcome_message(outcome) + (
                self.tr("文件和列的对应都已保留，可改正后重试。") if fixable else ""))
            return
        result = outcome.result
        if not result.committed:
            self.plan = result.plan
            self.preview_step.set_plan(self.plan)
            self.preview_step.show_error(self.tr("每一行都有错误，没有可导入的行，没有写入任何数据。") if skip
                                         else self.tr("有错误行，没有导入任何数据。"))
            return
        self.result = result
        self.plan = result.plan
        self.overview = replace(self.overview, read=None)  # imported: the file's cells are not needed any more
        remember_mapping(self.db, kind, self.overview.headers, self.mapping_step.chosen(), self.overview.columns)
        self.result_step.set_result(result)
        self.go(STEP_RESULT)
        self.imported.emit(result.batch_id)

    def export_errors(self) -> None:
        """Write the error rows with a 错误说明 column (worker thread)."""
        plan = self.plan
        if plan is None or not plan.error_rows:
            return
        source = Path(plan.path)
        suggested = str(source.with_name(f"{source.stem}_错误行.xlsx"))
        out, _filter = QFileDialog.getSaveFileName(self, self.tr("导出错误行"), suggested,
                                                   self.tr("Excel 工作簿 (*.xlsx)"))
        if not out:
            return
        if not out.lower().endswith(".xlsx"):
            out += ".xlsx"

        def job():
            yield Progress(0, 0, "正在导出错误行…")
            return write_error_report(plan, out)

        outcome = run_job(self, self.tr("导出错误行"), job)
        target = self.preview_step.status if self.step() == STEP_PREVIEW else self.result_step.summary
        if outcome.ok:
            message = self.tr("已把 {n:,} 行错误导出到“{path}”（含“错误说明”列）。").format(n=outcome.result, path=out)
            if self.step() == STEP_PREVIEW:
                show_message(target, message, "ok")
            else:
                target.setText(target.text() + "\n" + message)
        elif isinstance(outcome.error, OSError):
            show_message(self.preview_step.status, self.tr("无法写入“{path}”：{reason}").format(
                path=out, reason=outcome.error.strerror or outcome.error))
        else:
            show_message(self.preview_step.status, outcome_message(outcome))
