"""A person's rename (更名): a dated event with the old and new name and an
audit row with action 更名 — written the same way by the resident form,
the household card and the imports."""

from __future__ import annotations

from datetime import date

from gridadmin.models import Person, PersonEvent
from gridadmin.models.household import EVENT_RENAME
from gridadmin.services.access import audit


def record_rename(session, actor, person: Person, old_name: str, on: date, changes: dict, *,
                  note: str | None = None) -> None:
    """A name change: a dated 更名 event (old and new name) and an audit
    row with action 更名 carrying ``changes``."""
    session.add(PersonEvent(person_id=person.id, kind=EVENT_RENAME, event_date=on, old_value=old_name[:60],
                            new_value=person.name[:60], entered_by=actor.username, note=note))
    audit.record(session, actor, audit.ACTION_RENAME, "person", person.id, changes=changes,
                 summary=f"更名：{old_name} → {person.name}")
