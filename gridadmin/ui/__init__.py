"""The desktop UI (PySide6). Widgets, dialogs and item models that only
call services; the only package allowed to import Qt."""

import sys


def _guard_bools_against_emit_leak() -> None:
    """PySide6 6.12.0's ``SignalInstance.emit()`` returns ``True`` without
    taking a reference, so every Python-side ``emit`` steals one reference
    from ``True``; after enough emits the interpreter aborts at exit
    ("bool_dealloc: deallocating True or False"). Give both bools a huge
    reference count — what Python 3.12+ does anyway (immortal objects)."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    import ctypes

    for value in (True, False):
        ctypes.c_ssize_t.from_address(id(value)).value += 1 << 40


_guard_bools_against_emit_leak()
