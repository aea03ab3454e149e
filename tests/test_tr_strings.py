"""Every user-visible string in gridadmin/ui goes through tr(), so that an
English (or any other) translation can be added with pyside6-lupdate (see
resources/i18n/README.md).

The scan reads gridadmin/ui/**/*.py with ``ast`` and flags Chinese string
literals (plain, f-strings, concatenations, ``"...".format()``) passed
straight to Qt text setters and constructors — setText, setWindowTitle,
QLabel(...), QPushButton(...), addTab, setPlaceholderText, setToolTip,
QMessageBox.*, addItem, addRow … — instead of ``self.tr("...")``.
Strings built in services are data and messages and are out of scope.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "gridadmin" / "ui"
# Chinese words; strings of only full-width punctuation (“（）”, “：”) are layout, not counted
CJK = re.compile(r"[\u3400-\u9fff]")

# method name → which positional arguments carry text (slice), keywords too
TEXT_METHODS: dict[str, slice] = {
    **{name: slice(0, 1) for name in (
        "setText", "setWindowTitle", "setPlaceholderText", "setToolTip", "setStatusTip", "setWhatsThis",
        "setTitle", "setLabelText", "setInformativeText", "setDetailedText", "showMessage", "addItem",
        "addRow", "setSuffix", "setPrefix", "setSpecialValueText", "setCancelButtonText", "setNameFilter",
        "setHorizontalHeaderLabels", "setVerticalHeaderLabels", "setHeaderLabels", "setHeaderLabel",
        "addItems", "setWindowIconText", "setAccessibleName", "setAccessibleDescription",
        "setSubTitle", "setFormat")},
    **{name: slice(1, None) for name in ("setItemText", "setTabText", "setTabToolTip", "insertItem",
                                          "addTab", "insertItems", "setButtonText")},
    "insertTab": slice(2, None),
    "addAction": slice(0, None),
    "addMenu": slice(0, None),
    "addButton": slice(0, 1),
}
TEXT_KEYWORDS = {"text", "title", "caption", "filter", "toolTip", "placeholderText", "windowTitle", "label"}
# constructors whose positional arguments are captions
WIDGETS = {"QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QMenu",
           "QToolButton", "QCommandLinkButton", "QProgressDialog", "QMessageBox", "QWizardPage"}
# static dialogs: every argument after the parent
STATIC_DIALOGS = {"QMessageBox": {"information", "warning", "critical", "question", "about"},
                  "QFileDialog": {"getOpenFileName", "getOpenFileNames", "getSaveFileName",
                                  "getExistingDirectory"},
                  "QInputDialog": {"getText", "getInt", "getDouble", "getItem", "getMultiLineText"}}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    call: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.call}({self.text!r})"


def is_tr_call(node: ast.AST) -> bool:
    """``self.tr(...)``, ``tr(...)``, ``X.translate(ctx, ...)``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in {"tr", "translate", "qsTr"}


def bare_chinese(node: ast.AST | None) -> str | None:
    """The untranslated Chinese text ``node`` puts on screen, if any."""
    if node is None or is_tr_call(node):
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if CJK.search(node.value) else None
    if isinstance(node, ast.JoinedStr):
        text = "".join(part.value for part in node.values
                       if isinstance(part, ast.Constant) and isinstance(part.value, str))
        return text if CJK.search(text) else None
    if isinstance(node, ast.BinOp):
        return bare_chinese(node.left) or bare_chinese(node.right)
    if isinstance(node, ast.IfExp):
        return bare_chinese(node.body) or bare_chinese(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            found = bare_chinese(element)
            if found:
                return found
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {"format", "join"}:
        return bare_chinese(node.func.value)
    return None


def text_arguments(call: ast.Call) -> tuple[str, list[ast.AST]] | None:
    """The name of the Qt text sink ``call`` is, and its text arguments."""
    func = call.func
    keywords = [kw.value for kw in call.keywords if kw.arg in TEXT_KEYWORDS]
    if isinstance(func, ast.Name) and func.id in WIDGETS:
        return func.id, list(call.args) + keywords
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        if owner in STATIC_DIALOGS and func.attr in STATIC_DIALOGS[owner]:
            return f"{owner}.{func.attr}", list(call.args[1:]) + keywords
        if func.attr in TEXT_METHODS:
            return func.attr, list(call.args[TEXT_METHODS[func.attr]]) + keywords
    return None


def scan_source(source: str, path: str = "<string>") -> list[Violation]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        sink = text_arguments(node)
        if sink is None:
            continue
        name, arguments = sink
        for argument in arguments:
            text = bare_chinese(argument)
            if text:
                found.append(Violation(path, argument.lineno, name, text))
    return found


def scan_ui() -> list[Violation]:
    violations = []
    for path in sorted(UI.rglob("*.py")):
        violations += scan_source(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    return violations


def test_scanner_finds_untranslated_text_and_accepts_tr():
    source = '''
class W(QWidget):
    def build(self, n):
        QLabel("姓名")                                   # 1
        QLabel(self.tr("姓名"))
        self.button.setText(f"共 {n} 人")                # 2
        self.button.setText(self.tr("共 {n} 人").format(n=n))
        self.box.addItem("全部", None)                   # 3
        self.box.addItem(self.tr("全部"), "在岗")
        QMessageBox.warning(self, APP_TITLE, "不能保存：" + str(n))   # 4
        QMessageBox.warning(self, APP_TITLE, self.tr("不能保存：{e}").format(e=n))
        self.tabs.addTab(page, "人员")                   # 5
        self.table.setHorizontalHeaderLabels(["姓名", "性别"])   # 6
        self.label.setText("{n} 人".format(n=n))          # 7
        self.label.setStyleSheet("font-size: 11pt;")
        self.label.setText(name)
        QLabel("ID")
'''
    found = scan_source(source)
    assert [v.call for v in found] == ["QLabel", "setText", "addItem", "QMessageBox.warning", "addTab",
                                       "setHorizontalHeaderLabels", "setText"]


def dynamic_tr_calls(source: str, path: str = "<string>") -> list[Violation]:
    """``self.tr(variable)``: translated at run time, but pyside6-lupdate
    cannot see the text, so it never reaches the .ts file (mark the
    constants with QT_TRANSLATE_NOOP or call tr() on the literal)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if is_tr_call(node):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            arguments = node.args[1:] if name == "translate" else node.args
            if arguments and not isinstance(arguments[0], ast.Constant):
                found.append(Violation(path, node.lineno, name, ast.unparse(arguments[0])))
    return found


def test_dynamic_tr_calls_are_found():
    source = 'self.tr(spec.title)\nself.tr("网格")\nQCoreApplication.translate("Ctx", text)\n'
    assert [(v.line, v.text) for v in dynamic_tr_calls(source)] == [(1, "spec.title"), (3, "text")]


def test_every_user_visible_string_in_ui_goes_through_tr():
    violations = scan_ui()
    assert not violations, (f"{len(violations)} user-visible Chinese strings do not go through tr():\n"
                            + "\n".join(str(v) for v in violations))


def test_translated_texts_are_visible_to_lupdate():
    calls = []
    for path in sorted(UI.rglob("*.py")):
        calls += dynamic_tr_calls(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not calls, (f"{len(calls)} tr() calls take a variable (pyside6-lupdate cannot extract them):\n"
                       + "\n".join(f"{c.path}:{c.line}: {c.call}({c.text})" for c in calls))


def test_english_translation_pipeline(tmp_path, qapp):
    """The .ts made by pyside6-lupdate compiles with lrelease and a
    QTranslator loaded from it turns the Chinese menu into English."""
    import shutil
    import subprocess
    import sys

    from PySide6.QtCore import QCoreApplication, QTranslator

    from gridadmin.paths import resource

    ts = resource("i18n", "gridadmin_en.ts")
    assert ts.is_file()
    folder = Path(sys.executable).parent
    lrelease = next((str(p) for p in (folder / "pyside6-lrelease", folder / "pyside6-lrelease.exe") if p.exists()),
                    shutil.which("pyside6-lrelease"))
    if lrelease is None:
        pytest.skip("pyside6-lrelease not installed")
    qm = tmp_path / "gridadmin_en.qm"
    subprocess.run([lrelease, str(ts), "-qm", str(qm)], check=True, capture_output=True, timeout=120)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        assert QCoreApplication.translate("MainWindow", "文件(&F)") == "&File"
    finally:
        QCoreApplication.removeTranslator(translator)
