"""A small reader of Windows PE files for the Windows CI job (.ci/windows.sh).

Standard library only. It reads what the job needs and nothing more:
the machine, the imported DLLs and functions (normal and delay-load
imports), the exported names (with forwarders), wine's API-set table
(``apisetschema.dll``: ``api-ms-win-crt-math-l1-1-0`` → ``ucrtbase``) and
which exports of a wine builtin DLL are stubs (``@ stub`` in wine's spec
files: exported, but the process aborts with "Unimplemented function"
when one is called).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path


class NotPE(ValueError):
    pass


@dataclass
class Section:
    name: str
    rva: int
    vsize: int
    offset: int
    rawsize: int


@dataclass
class PE:
    path: Path
    data: bytes
    machine: int
    pe32plus: bool
    subsystem: int  # 2 GUI, 3 console
    sections: list[Section]
    directories: list[tuple[int, int]]
    imports: dict[str, set[str]] = field(default_factory=dict)  # dll (lower case) → names ("#n" for ordinals)
    exports: dict[str, int] = field(default_factory=dict)  # name → RVA (0 for a forwarder)
    forwarders: dict[str, str] = field(default_factory=dict)  # name → "dll.function"

    def offset(self, rva: int) -> int:
        for s in self.sections:
            if s.rva <= rva < s.rva + max(s.vsize, s.rawsize):
                return s.offset + rva - s.rva
        raise NotPE(f"{self.path}: RVA {rva:#x} is in no section")

    def u16(self, rva: int) -> int:
        return struct.unpack_from("<H", self.data, self.offset(rva))[0]

    def u32(self, rva: int) -> int:
        return struct.unpack_from("<I", self.data, self.offset(rva))[0]

    def u64(self, rva: int) -> int:
        return struct.unpack_from("<Q", self.data, self.offset(rva))[0]

    def cstr(self, rva: int) -> str:
        start = self.offset(rva)
        end = self.data.index(b"\0", start)
        return self.data[start:end].decode("latin-1")

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)


def read(path: str | Path) -> PE:
    path = Path(path)
    data = path.read_bytes()
    if data[:2] != b"MZ" or len(data) < 0x40:
        raise NotPE(f"{path}: not an MZ file")
    pe_at = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe_at:pe_at + 4] != b"PE\0\0":
        raise NotPE(f"{path}: no PE signature")
    machine, nsections, _, _, _, optsize, _ = struct.unpack_from("<HHIIIHH", data, pe_at + 4)
    opt = pe_at + 24
    magic = struct.unpack_from("<H", data, opt)[0]
    pe32plus = magic == 0x20B
    subsystem = struct.unpack_from("<H", data, opt + 68)[0]
    ndirs_at = opt + (108 if pe32plus else 92)
    ndirs = struct.unpack_from("<I", data, ndirs_at)[0]
    directories = [struct.unpack_from("<II", data, ndirs_at + 4 + 8 * i) for i in range(min(ndirs, 16))]
    sections = []
    table = opt + optsize
    for i in range(nsections):
        name, vsize, rva, rawsize, offset = struct.unpack_from("<8sIIII", data, table + 40 * i)
        sections.append(Section(name.rstrip(b"\0").decode("latin-1"), rva, vsize, offset, rawsize))
    pe = PE(path, data, machine, pe32plus, subsystem, sections, directories)
    _read_exports(pe)
    _read_imports(pe)
    return pe


def _read_exports(pe: PE) -> None:
    if len(pe.directories) < 1 or not pe.directories[0][0]:
        return
    start, size = pe.directories[0]
    (_, _, _, _, _, _base, nfunctions, nnames, functions, names, ordinals) = struct.unpack_from(
        "<IIHHIIIIIII", pe.data, pe.offset(start))
    for i in range(nnames):
        name = pe.cstr(pe.u32(names + 4 * i))
        index = pe.u16(ordinals + 2 * i)
        rva = pe.u32(functions + 4 * index) if index < nfunctions else 0
        if start <= rva < start + size:
            pe.forwarders[name] = pe.cstr(rva)
            pe.exports[name] = 0
        else:
            pe.exports[name] = rva


def _thunk_names(pe: PE, thunks: int) -> set[str]:
    names = set()
    step, flag = (8, 1 << 63) if pe.pe32plus else (4, 1 << 31)
    while True:
        value = pe.u64(thunks) if pe.pe32plus else pe.u32(thunks)
        if not value:
            return names
        names.add(f"#{value & 0xFFFF}" if value & flag else pe.cstr((value & 0x7FFFFFFF) + 2))
        thunks += step


def _read_imports(pe: PE) -> None:
    if len(pe.directories) > 1 and pe.directories[1][0]:
        at = pe.directories[1][0]
        while True:
            original, _, _, name, first = struct.unpack_from("<IIIII", pe.data, pe.offset(at))
            if not name:
                break
            pe.imports.setdefault(pe.cstr(name).lower(), set()).update(_thunk_names(pe, original or first))
            at += 20
    if len(pe.directories) > 13 and pe.directories[13][0]:  # delay-load imports
        at = pe.directories[13][0]
        while True:
            _, name, _, _, names, _, _, _ = struct.unpack_from("<IIIIIIII", pe.data, pe.offset(at))
            if not name:
                break
            pe.imports.setdefault(pe.cstr(name).lower(), set()).update(_thunk_names(pe, names))
            at += 32


def apisets(schema: str | Path) -> dict[str, str]:
    """wine's API-set table: ``api-ms-win-crt-math-l1-1-0`` (no ``.dll``,
    lower case) → the host DLL (``ucrtbase.dll``). Format version 6, as in
    Windows 10's apisetschema.dll."""
    pe = read(schema)
    section = pe.section(".apiset")
    if section is None:
        raise NotPE(f"{schema}: no .apiset section")
    base = section.offset
    data = pe.data
    version, _, _, count, entries = struct.unpack_from("<IIIII", data, base)
    if version != 6:
        raise NotPE(f"{schema}: API set schema version {version}, expected 6")
    table = {}
    for i in range(count):
        _, name_at, name_len, _, values_at, nvalues = struct.unpack_from("<IIIIII", data, base + entries + 24 * i)
        name = data[base + name_at:base + name_at + name_len].decode("utf-16-le").lower()
        host = ""
        for j in range(nvalues):
            _, _, _, value_at, value_len = struct.unpack_from("<IIIII", data, base + values_at + 20 * j)
            if value_len:
                host = data[base + value_at:base + value_at + value_len].decode("utf-16-le").lower()
        if host:
            table[name.removesuffix(".dll")] = host
    return table


def resolve_apiset(dll: str, table: dict[str, str]) -> str | None:
    """The host DLL of an ``api-ms-*``/``ext-ms-*`` name, or None."""
    stem = dll.lower().removesuffix(".dll")
    if stem in table:
        return table[stem]
    # Windows matches up to the last hyphen (the minor version may differ)
    prefix = stem.rsplit("-", 1)[0]
    for name, host in table.items():
        if name.rsplit("-", 1)[0] == prefix:
            return host
    return None


def wine_stubs(pe: PE) -> set[str]:
    """The exports of a wine builtin DLL that are ``@ stub`` entries.

    winebuild emits every stub as the same few instructions that load the
    function's name and call ``__wine_spec_unimplemented_stub``; the stubs
    of one DLL therefore share their code up to the two RIP-relative
    operands. We find them by the name each stub's code points at: a stub
    loads the address of a string equal to its own export name."""
    text = pe.section(".text")
    stubs = set()
    if text is None:
        return stubs
    for name, rva in pe.exports.items():
        if not rva or not text.rva <= rva < text.rva + text.vsize:
            continue
        code = pe.data[pe.offset(rva):pe.offset(rva) + 32]
        for at in range(len(code) - 7):
            # lea rdx/rcx/r8, [rip + disp32]  (48/4c 8d 15/0d/05)
            if code[at] in (0x48, 0x4C) and code[at + 1] == 0x8D and code[at + 2] & 0xC7 == 0x05:
                target = rva + at + 7 + struct.unpack_from("<i", code, at + 3)[0]
                try:
                    if pe.cstr(target) == name:
                        stubs.add(name)
                        break
                except (NotPE, ValueError):
                    continue
    return stubs
