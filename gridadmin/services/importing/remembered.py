"""Remembered column mappings: when the user corrects the automatic
mapping in the wizard and imports, the mapping is stored per import kind
and header set in this database's settings (so every PC working on the
database shares it) and offered again when the same header set appears.

Contract: the key is the kind plus a digest of the normalised headers
(``*``, spaces, full-width forms and line breaks ignored, as when
matching); the value is JSON ``{"columns": {field: column}}``. A stored
mapping that no longer fits (unknown field, column out of range) is
ignored. Storing the automatic mapping itself removes the entry.
"""

from __future__ import annotations

import hashlib
import json

from gridadmin.db import Database
from gridadmin.services.importing.mapping import normalize_header
from gridadmin.services.importing.pipeline import kind_of
from gridadmin.services.common.settings import get_setting, set_setting

PREFIX = "import_map"


def mapping_key(kind: str, headers) -> str:
    """The setting key of ``kind`` with this header set (at most 64 chars)."""
    joined = "\x1f".join(normalize_header(h) for h in headers)
    return f"{PREFIX}:{kind}:{hashlib.sha256(joined.encode('utf-8')).hexdigest()[:40]}"


def recall_mapping(db: Database, kind: str, headers) -> dict[str, int] | None:
    """The mapping remembered for ``kind`` and ``headers`` (field → 0-based
    column), or None."""
    with db.session() as session:
        stored = get_setting(session, mapping_key(kind, headers))
    if not stored:
        return None
    try:
        columns = json.loads(stored)["columns"]
    except (ValueError, KeyError, TypeError):
        return None
    fields = {f.key for f in kind_of(kind).spec.fields}
    if not isinstance(columns, dict) or any(k not in fields or not isinstance(v, int) or not 0 <= v < len(headers)
                                            for k, v in columns.items()):
        return None
    return dict(columns)


def remember_mapping(db: Database, kind: str, headers, chosen: dict[str, int], automatic: dict[str, int]) -> bool:
    """Store ``chosen`` for ``kind`` and ``headers`` when it differs from
    the ``automatic`` mapping (else forget any stored one). Returns whether
    a mapping is now remembered."""
    keep = dict(chosen) != dict(automatic)
    with db.session() as session:
        key = mapping_key(kind, headers)
        if keep:
            set_setting(session, key, json.dumps({"columns": chosen}, ensure_ascii=False, sort_keys=True))
        elif get_setting(session, key) is not None:
            set_setting(session, key, None)
    return keep
