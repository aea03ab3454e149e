"""Code lists: seeding, labels and mapping typed spellings onto codes.

The lists live in the database (``code_item``/``code_alias``) so a center
can extend the editable ones; ``CodeBook`` is an in-memory snapshot for
fast lookups during validation, import and display.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import CodeAlias, CodeItem, TagKind
from gridadmin.services.common.code_seed import CODE_LISTS, EDITABLE_LISTS, RETIRED_CODES, TAG_KINDS
from gridadmin.services.common.text import code_key


def seed_code_lists(session: Session) -> None:
    """Insert the standard lists and tag kinds that are not there yet
    (idempotent: existing items and local edits are kept)."""
    have = set(session.execute(select(CodeItem.list_key, CodeItem.code)).all())
    have_alias = set(session.execute(select(CodeAlias.list_key, CodeAlias.alias)).all())
    for list_key, (_title, items) in CODE_LISTS.items():
        for order, (code, label, aliases) in enumerate(items):
            if (list_key, code) not in have:
                session.add(CodeItem(list_key=list_key, code=code, label=label, sort_order=order,
                                     builtin=list_key not in EDITABLE_LISTS))
            for alias in aliases:
                key = code_key(alias)
                if (list_key, key) not in have_alias:
                    have_alias.add((list_key, key))
                    session.add(CodeAlias(list_key=list_key, alias=key, code=code))
    for list_key, code, label in RETIRED_CODES:
        if (list_key, code) not in have:
            session.add(CodeItem(list_key=list_key, code=code, label=label, sort_order=99, builtin=True,
                                 active=False))
    have_tags = set(session.scalars(select(TagKind.code)))
    have_names = set(session.scalars(select(TagKind.name)))
    for order, (code, name, sensitive, family) in enumerate(TAG_KINDS):
        if code not in have_tags and name not in have_names:
            session.add(TagKind(code=code, name=name, sensitive=sensitive, sort_order=order, family=family))
    session.flush()


@dataclass
class CodeBook:
    """Snapshot of all code lists: ``label()`` for display, ``lookup()`` for
    mapping what people type. Build with ``CodeBook.load(session)``."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    spellings: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> CodeBook:
        book = cls()
        rows = session.execute(
            select(CodeItem.list_key, CodeItem.code, CodeItem.label)
            .where(CodeItem.active.is_(True))
            .order_by(CodeItem.list_key, CodeItem.sort_order)
        )
        for list_key, code, label in rows:
            book.labels.setdefault(list_key, {})[code] = label
            spell = book.spellings.setdefault(list_key, {})
            spell[code_key(code)] = code
            spell[code_key(label)] = code
            if code.isdigit():
                spell[str(int(code))] = code  # "1" for "01"
        for list_key, (_title, seeded) in CODE_LISTS.items():
            # The spellings this program knows for its own codes hold in a database
            # seeded by an older version too (platform words such as 人户一致).
            active, spell = book.labels.get(list_key, {}), book.spellings.setdefault(list_key, {})
            for code, _label, aliases in seeded:
                if code in active:
                    for alias in aliases:
                        spell.setdefault(code_key(alias), code)
        for list_key, alias, code in session.execute(
            select(CodeAlias.list_key, CodeAlias.alias, CodeAlias.code)
        ):
            book.spellings.setdefault(list_key, {})[alias] = code
        return book

    def items(self, list_key: str) -> list[tuple[str, str]]:
        """``[(code, label), ...]`` in display order."""
        return list(self.labels.get(list_key, {}).items())

    def label(self, list_key: str, code: str | None) -> str:
        """The label of ``code``; '' for None, the code itself if unknown."""
        if code is None or code == "":
            return ""
        return self.labels.get(list_key, {}).get(code, code)

    def lookup(self, list_key: str, value: object) -> str | None:
        """The code a typed spelling means, or None if it means none."""
        key = code_key(value)
        if not key:
            return None
        return self.spellings.get(list_key, {}).get(key)
