"""Knowing, without reading the whole file, whether an SQLite database
needs its integrity check at open.

Each program that opens the file (app, command, test) holds a marker file
in ``<database>-opened/`` with an OS lock on it while it runs, and removes
it when it closes the database or exits normally. A marker nobody holds a
lock on was left by a program that did not close cleanly (killed, crashed,
power cut): the next open checks the file. The OS drops a dead process's
locks, so a marker still locked is a program still running, not a crash.

A second cheap sign is the header: the page count SQLite keeps there
times the page size must fit in the file (a truncated copy does not).
Neither sign is a verdict: each only makes ``open_database`` run the check.
"""

from __future__ import annotations

import atexit
import os
import secrets
from pathlib import Path

if os.name == "nt":  # pragma: no cover - exercised by the Windows job
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)  # every program locks the same first byte
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            pass


_held: dict[object, tuple[int, Path]] = {}  # engine → (locked descriptor, marker file)


def marker_folder(database: Path) -> Path:
    """The folder of the open markers of ``database``."""
    database = Path(database)
    return database.with_name(database.name + "-opened")


def _others(database: Path) -> list[Path]:
    folder = marker_folder(database)
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    own = {marker for _fd, marker in _held.values()}
    return [p for p in entries if p.is_file() and p not in own]


def _abandoned(marker: Path) -> bool:
    """True when no running program holds ``marker``'s lock."""
    try:
        fd = os.open(marker, os.O_RDWR)
    except OSError:
        return False  # gone meanwhile (closed cleanly), or not ours to judge
    try:
        if not _try_lock(fd):
            return False
        _unlock(fd)
        return True
    finally:
        os.close(fd)


def unclean_shutdown(database: Path) -> bool:
    """True when a program that had ``database`` open did not close it."""
    return any(_abandoned(marker) for marker in _others(database))


def clear_stale_markers(database: Path) -> None:
    """Remove the markers left by programs that did not close cleanly (the
    file was checked, or found sound, since)."""
    for marker in _others(database):
        if _abandoned(marker):
            try:
                marker.unlink()
            except OSError:
                pass


def hold_open_marker(engine: object, database: Path) -> None:
    """Mark ``database`` open by this program until ``release_open_marker``
    (or a normal exit). A folder that cannot be written (read-only media)
    gets no marker: opening still works, the sign is lost."""
    folder = marker_folder(database)
    marker = folder / f"{os.getpid()}-{secrets.token_hex(4)}"
    try:
        folder.mkdir(exist_ok=True)
        fd = os.open(marker, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return
    os.write(fd, b"\0")
    if not _try_lock(fd):
        os.close(fd)
        return
    _held[engine] = (fd, marker)


def release_open_marker(engine: object) -> None:
    """This program closed the database of ``engine``: remove its marker
    (and the folder, when no one else has the file open)."""
    held = _held.pop(engine, None)
    if held is None:
        return
    fd, marker = held
    _unlock(fd)
    os.close(fd)
    try:
        marker.unlink()
        marker.parent.rmdir()
    except OSError:
        pass  # another program has it open (its marker is there), or already gone


@atexit.register
def _release_all() -> None:
    """A normal exit closes SQLite cleanly: not a crash."""
    for engine in list(_held):
        release_open_marker(engine)


def header_matches_size(database: Path) -> bool:
    """False when ``database`` does not start with an SQLite header, or its
    header counts more pages than the file holds."""
    try:
        with open(database, "rb") as f:
            header = f.read(100)
        size = Path(database).stat().st_size
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    counted = header[92:96] == header[24:28] and pages > 0  # the page count is valid
    return not counted or size >= pages * page_size
