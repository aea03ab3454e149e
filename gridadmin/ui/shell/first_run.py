"""The first-run wizard, shown when the program starts with an empty data
folder: 欢迎 → 选择乡镇/街道 and where the database lives → 创建管理员 →
网格 (import a template, enter later, or demo data) → 完成.

The database is created when the administrator page is committed (Back is
no longer possible after it); the wizard's ``database`` is then bound to
the new administrator, so no log-in follows.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QRadioButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget, QWizard, QWizardPage,
)

from gridadmin import APP_TITLE
from gridadmin.db import Database, open_database, sqlite_path
from gridadmin.paths import data_dir
from gridadmin.services.areas import divisions
from gridadmin.services.common.errors import ServiceError, describe_db_error
from gridadmin.services.areas.setup import init_township, township_of_database
from gridadmin.ui.common.jobs import run_job
from gridadmin.ui.common.file_dialogs import ask_open_path, ask_save_path
from gridadmin.ui.shell.township_picker import TownshipPicker
from gridadmin.ui.common.widgets import error_label, setup_table, show_error


GRIDS_IMPORT, GRIDS_LATER, GRIDS_DEMO = "import", "later", "demo"


def needs_first_run(db_arg: str | None = None) -> bool:
    """True when nothing tells which database to open: no ``--db``, no
    last database that still exists, no database file in the data folder."""
    if db_arg:
        return False
    from gridadmin.ui.shell.pc_settings import SETTINGS_LAST_DB, app_settings

    last = app_settings().value(SETTINGS_LAST_DB, "")
    if last and ("://" in last or Path(last).exists()):
        return False
    folder = data_dir()
    return not any(folder.glob("*.db")) and not any(folder.glob("*.sqlite"))


def _intro(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class WelcomePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("欢迎使用网格中心管理系统"))
        layout = QVBoxLayout(self)
        layout.addWidget(_intro(self.tr(
            "这是本机第一次运行本程序。接下来几步会：\n\n"
            "1. 选择本中心所属的乡镇/街道（官方区划名单），并确定数据库保存的位置；\n"
            "2. 创建管理员账号；\n"
            "3. 导入社区/村和网格，或以后再录入；也可以生成演示数据先试用。\n\n"
            "以后可以在“文件 → 新建或打开数据库”中切换到其他数据库。")))
        layout.addStretch(1)


class TownshipPage(QWizardPage):
    """Township from the official list, and a database file or a
    PostgreSQL URL."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("选择乡镇/街道"))
        self.setSubTitle(self.tr("按省、市、县逐级选择，或直接输入名称搜索。"))
        self.picker = TownshipPicker()
        self.use_file = QRadioButton(self.tr("本机数据库文件（单机使用，推荐）"))
        self.use_server = QRadioButton(self.tr("PostgreSQL 服务器（多台电脑共用）"))
        self.use_file.setChecked(True)
        self.path = QLineEdit()
        self.path.setPlaceholderText(self.tr("选定乡镇后自动填写"))
        self.browse = QPushButton(self.tr("浏览…"))
        self.url = QLineEdit()
        self.url.setPlaceholderText(self.tr("postgresql+psycopg://用户:密码@服务器/库名"))
        self.url.setEnabled(False)
        self.error = error_label()
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addSpacing(6)
        layout.addWidget(QLabel(self.tr("数据库保存在：")))
        layout.addWidget(self.use_file)
        layout.addLayout(file_row)
        layout.addWidget(self.use_server)
        layout.addWidget(self.url)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.picker.changed.connect(self._township_changed)
        self.use_file.toggled.connect(self._kind_changed)
        self.path.textChanged.connect(self.completeChanged)
        self.url.textChanged.connect(self.completeChanged)
        self.browse.clicked.connect(self._browse)

    def _township_changed(self, code: str) -> None:
        if code and (not self.path.text() or self.path.property("auto")):
            self.path.setText(str(data_dir() / f"{divisions.township(code).name}_{code}.db"))
            self.path.setProperty("auto", True)
        self.completeChanged.emit()

    def _kind_changed(self) -> None:
        file = self.use_file.isChecked()
        self.path.setEnabled(file)
        self.browse.setEnabled(file)
        self.url.setEnabled(not file)
        self.completeChanged.emit()

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("数据库文件位置"), self.path.text(),
                                              self.tr("网格中心数据库 (*.db *.sqlite);;所有文件 (*)"))
        if path:
            self.path.setText(path)
            self.path.setProperty("auto", False)

    def location(self) -> str:
        return (self.path.text() if self.use_file.isChecked() else self.url.text()).strip()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return bool(self.picker.code and self.location())

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        location = self.location()
        if self.use_file.isChecked():
            if "://" in location:
                show_error(self.error, self.tr("请填写文件位置；服务器连接串请选“PostgreSQL 服务器”。"))
                return False
            if Path(location).exists():
                show_error(self.error, self.tr("文件“{p}”已存在。请换一个名称；要使用已有的数据库，请取消向导后打开它。")
                           .format(p=location))
                return False
        elif not location.startswith("postgresql"):
            show_error(self.error, self.tr("连接串应以 postgresql+psycopg:// 开头。"))
            return False
        show_error(self.error, "")
        return True


class AdminPage(QWizardPage):
    """The administrator; committing this page creates the database."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("创建管理员"))
        self.setSubTitle(self.tr("管理员可以添加其他用户、分配角色和负责区域。点击“创建”后建立数据库。"))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("创建(&C)"))
        self.username = QLineEdit("admin")
        self.display_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = error_label()
        form = QFormLayout()
        form.addRow(self.tr("用户名"), self.username)
        form.addRow(self.tr("姓名"), self.display_name)
        form.addRow(self.tr("密码"), self.password)
        form.addRow(self.tr("再次输入密码"), self.repeat)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_intro(self.tr("密码至少 8 位，须同时包含字母和数字。请牢记密码：忘记后只能由其他管理员重置。")))
        layout.addWidget(self.error)
        layout.addStretch(1)
        for field in (self.username, self.password, self.repeat):
            field.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return bool(self.username.text().strip() and self.password.text() and self.repeat.text())

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if self.password.text() != self.repeat.text():
            show_error(self.error, self.tr("两次输入的密码不一致。"))
            return False
        wizard: FirstRunWizard = self.wizard()
        try:
            wizard.create_database(self.username.text(), self.display_name.text(), self.password.text())
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return False
        except Exception as exc:  # noqa: BLE001 - any driver error is shown to the user
            mapped = describe_db_error(exc)
            show_error(self.error, self.tr("无法建立数据库：{e}").format(e=mapped.message if mapped else exc))
            return False
        show_error(self.error, "")
        return True


class GridsPage(QWizardPage):
    """Communities/villages and grids: from a template, later, or demo data."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("社区/村和网格"))
        self.setSubTitle(self.tr("官方名单中的社区/村已自动建立；网格可以从导入模板导入，也可以以后录入。"))
        self.plan = None
        self.choice_import = QRadioButton(self.tr("从导入模板导入网格（Excel 文件）"))
        self.choice_later = QRadioButton(self.tr("以后在“网格管理”中录入或导入"))
        self.choice_demo = QRadioButton(self.tr("不建立本乡镇的数据，生成演示数据试用"))
        self.choice_later.setChecked(True)
        self.group = QButtonGroup(self)
        for button in (self.choice_import, self.choice_later, self.choice_demo):
            self.group.addButton(button)
        self.file = QLineEdit()
        self.file.setPlaceholderText(self.tr("网格导入模板文件"))
        self.browse = QPushButton(self.tr("选择文件…"))
        self.template = QPushButton(self.tr("保存空白模板…"))
        self.check = QPushButton(self.tr("检查文件"))
        self.create_communities = QCheckBox(self.tr("文件中有、官方名单中没有的社区/村予以新建"))
        self.create_communities.setToolTip(self.tr("不勾选时，这样的行是错误行（并提示相近的名称）"))
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.errors = QTableWidget(0, 3)
        self.errors.setHorizontalHeaderLabels([self.tr("行"), self.tr("列"), self.tr("问题")])
        setup_table(self.errors, stretch_column=2)
        self.errors.setMinimumHeight(120)
        self.errors.hide()
        self.demo_size = QComboBox()
        self.demo_size.addItem(self.tr("小型：约 2,000 人（几秒）"), "small")
        self.demo_size.addItem(self.tr("乡镇规模：约 5 万人、100 个网格"), "township")
        self.demo_note = _intro(self.tr("演示数据使用镇平县几个乡镇的虚构人员，与上一步选择的乡镇无关；"
                                        "公民身份号码符合校验规则但并不存在。正式使用时请另建数据库。"))
        self.error = error_label()
        file_row = QHBoxLayout()
        file_row.setContentsMargins(24, 0, 0, 0)
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.browse)
        file_row.addWidget(self.template)
        file_row.addWidget(self.check)
        demo_row = QHBoxLayout()
        demo_row.setContentsMargins(24, 0, 0, 0)
        demo_row.addWidget(QLabel(self.tr("规模")))
        demo_row.addWidget(self.demo_size, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.choice_import)
        layout.addLayout(file_row)
        create_row = QHBoxLayout()
        create_row.setContentsMargins(24, 0, 0, 0)
        create_row.addWidget(self.create_communities)
        layout.addLayout(create_row)
        layout.addWidget(self.result)
        layout.addWidget(self.errors, 1)
        layout.addWidget(self.choice_later)
        layout.addWidget(self.choice_demo)
        layout.addLayout(demo_row)
        layout.addWidget(self.demo_note)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.browse.clicked.connect(self._browse)
        self.template.clicked.connect(self._save_template)
        self.check.clicked.connect(self.check_file)
        self.file.textChanged.connect(self._file_changed)
        self.create_communities.toggled.connect(self._file_changed)
        self.group.buttonToggled.connect(self._choice_changed)
        self._choice_changed()

    def choice(self) -> str:
        if self.choice_import.isChecked():
            return GRIDS_IMPORT
        return GRIDS_DEMO if self.choice_demo.isChecked() else GRIDS_LATER

    def _choice_changed(self, *_args) -> None:
        importing = self.choice_import.isChecked()
        for widget in (self.file, self.browse, self.template, self.check, self.create_communities):
            widget.setEnabled(importing)
        self.demo_size.setEnabled(self.choice_demo.isChecked())
        self.setButtonText(QWizard.WizardButton.NextButton,
                           self.tr("导入(&I)") if importing else self.tr("下一步(&N) >"))

    def _file_changed(self) -> None:
        self.plan = None
        self.result.clear()
        self.errors.hide()
        if self.file.text():
            self.choice_import.setChecked(True)

    def _browse(self) -> None:
        path = ask_open_path(self, self.tr("选择网格导入模板"),
                             self.tr("Excel 表格 (*.xlsx *.xls *.csv);;所有文件 (*)"))
        if path:
            self.file.setText(path)

    def _save_template(self) -> None:
        from gridadmin.services.importing.template import write_template

        path = ask_save_path(self, self.tr("保存空白模板"), "网格导入模板.xlsx", self.tr("Excel 表格 (*.xlsx)"),
                             ".xlsx")
        if path:
            wizard: FirstRunWizard = self.wizard()
            wizard.ensure_township()
            write_template("grids", path, wizard.database)
            self.result.setText(self.tr("已保存模板：{p}。填好后在上面选择该文件。").format(p=path))

    def check_file(self) -> bool:
        """Plan the import (nothing written) and show row errors. True when
        the file can be imported."""
        from gridadmin.services.importing import FileRefused, plan_import

        path = self.file.text().strip()
        if not path:
            show_error(self.error, self.tr("请选择网格导入模板文件。"))
            return False
        wizard: FirstRunWizard = self.wizard()
        try:
            wizard.ensure_township()
            self.plan = plan_import(wizard.database, path, "grids",
                                    create_communities=self.create_communities.isChecked())
        except (FileRefused, ServiceError, OSError) as exc:
            self.plan = None
            show_error(self.error, self.tr("无法读取该文件：{e}").format(e=getattr(exc, "message", None) or exc))
            return False
        show_error(self.error, "")
        counts = self.plan.counts()
        issues = self.plan.errors
        self.errors.setRowCount(len(issues))
        for row, issue in enumerate(issues):
            for column, value in enumerate((str(issue.row), issue.column, issue.message)):
                self.errors.setItem(row, column, QTableWidgetItem(value))
        self.errors.setVisible(bool(issues))
        if issues:
            self.result.setText(self.tr("共 {rows} 行，其中 {bad} 行有错误。请在文件中改正后重新检查；"
                                        "有错误时不会导入任何一行。").format(rows=counts["rows"], bad=counts["errors"]))
        else:
            notes = "".join(f"\n{note}。" for note in self.plan.extra.get("notes") or [])  # 新建社区/村 …
            self.result.setText(self.tr("共 {rows} 行：新增 {new} 个网格，更新 {upd} 个，无变化 {same} 个。没有错误，可以导入。")
                                .format(rows=counts["rows"], new=counts["inserted"], upd=counts["updated"],
                                        same=counts["unchanged"]) + notes)
        return not issues

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        wizard: FirstRunWizard = self.wizard()
        choice = self.choice()
        try:
            if choice == GRIDS_LATER:
                wizard.ensure_township()
                wizard.outcome = self.tr("网格可以以后在“网格管理”中录入，或在“数据导入”中导入。")
                return True
            if choice == GRIDS_IMPORT:
                return self._import(wizard)
            return self._demo(wizard)
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return False

    def _import(self, wizard: FirstRunWizard) -> bool:
        from gridadmin.services.importing import import_job

        if not self.check_file():
            return False
        path = self.file.text().strip()
        database = wizard.database  # the worker reads no widget (``run_job``)
        user_id = getattr(database.actor, "user_id", None)
        create = self.create_communities.isChecked()
        outcome = run_job(self, self.tr("正在导入网格"), lambda: import_job(database, path, "grids", user_id=user_id,
                                                                            create_communities=create))
        if outcome.error is not None:
            show_error(self.error, self.tr("导入失败：{e}").format(e=getattr(outcome.error, "message", outcome.error)))
            return False
        if not outcome.ok or not outcome.result.committed:
            return False
        counts = outcome.result.to_dict()
        wizard.outcome = self.tr("已导入网格：新增 {new} 个，更新 {upd} 个。").format(
            new=counts.get("inserted", 0), upd=counts.get("updated", 0))
        return True

    def _demo(self, wizard: FirstRunWizard) -> bool:
        from gridadmin.services.demo import generate_demo

        if wizard.township_done:
            show_error(self.error, self.tr("本数据库已按所选乡镇建立了社区/村，不能再生成演示数据。"
                                           "请选择其他方式，或以后另建一个演示数据库。"))
            return False
        size = self.demo_size.currentData()
        database = wizard.database  # the worker reads no widget (``run_job``)
        outcome = run_job(self, self.tr("正在生成演示数据"), lambda: generate_demo(database, size=size))
        if outcome.error is not None:
            show_error(self.error, self.tr("生成演示数据失败：{e}").format(
                e=getattr(outcome.error, "message", outcome.error)))
            return False
        if not outcome.ok:
            return False
        wizard.mark_demo_township()
        summary = outcome.result
        wizard.outcome = self.tr("已生成演示数据（{n} 个网格）。").format(n=getattr(summary, "grids", "—"))
        return True


class FinishPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("完成"))
        self.summary = _intro("")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        wizard: FirstRunWizard = self.wizard()
        from gridadmin.services.areas.setup import township_of_database

        township = township_of_database(wizard.database)
        lines = [
            self.tr("数据库：{p}").format(p=wizard.database.display_location),
            self.tr("乡镇/街道：{t}").format(t=township[1] if township else "—"),
            self.tr("管理员：{u}").format(u=wizard.admin_name),
            wizard.outcome,
            "",
            self.tr("点击“完成”进入主窗口。常用设置（备份文件夹、年度学时要求、报表落款）在“系统设置 → 常规”中。"),
        ]
        self.summary.setText("\n".join(lines))


class FirstRunWizard(QWizard):
    """``database`` is the new database bound to the new administrator once
    the administrator page is committed (None before, or when cancelled)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("初次使用向导") + " — " + APP_TITLE)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setMinimumSize(640, 560)
        self.database: Database | None = None
        self.admin_name = ""
        self.outcome = ""
        self.township_done = False
        self._created_file: Path | None = None
        self.welcome = WelcomePage()
        self.township = TownshipPage()
        self.admin = AdminPage()
        self.grids = GridsPage()
        self.finish = FinishPage()
        for page in (self.welcome, self.township, self.admin, self.grids, self.finish):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步(&B)"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步(&N) >"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成(&F)"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("取消"))

    def create_database(self, username: str, display_name: str, password: str) -> None:
        """Create (or open the empty server) database and its administrator,
        and bind ``database`` to the administrator."""
        from gridadmin.services.access.users import authenticate, create_user, needs_first_admin

        if self.database is None:
            location = self.township.location()
            db = open_database(location)
            if not needs_first_admin(db):
                db.dispose()
                raise ServiceError(self.tr("该数据库中已有用户，不能再用向导建立。请取消向导后打开它。"))
            self.database = db
            path = sqlite_path(db.url)
            self._created_file = Path(path) if path is not None else None
        try:
            create_user(self.database, username, display_name, password, ["admin"])
        except ServiceError:
            raise
        actor = authenticate(self.database, username, password)
        self.database = self.database.as_actor(actor)
        self.admin_name = actor.display_name

    def ensure_township(self) -> None:
        if not self.township_done:
            init_township(self.database, self.township.picker.code)
            self.township_done = True

    def mark_demo_township(self) -> None:
        """The demo job records its first township as this database's
        township (``init_township``); later starts need not ask for one."""
        self.township_done = township_of_database(self.database) is not None

    def reject(self) -> None:
        """Cancelling after the database was made removes a new file (it
        holds only the administrator)."""
        if self.database is not None:
            self.database.dispose()
            self.database = None
            if self._created_file is not None:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(self._created_file) + suffix).unlink(missing_ok=True)
        super().reject()


def run_first_run(parent: QWidget | None = None) -> Database | None:
    """Show the wizard; the new database bound to its administrator, or
    None when the user cancelled."""
    wizard = FirstRunWizard(parent)
    if wizard.exec() != QWizard.DialogCode.Accepted:
        return None
    return wizard.database
