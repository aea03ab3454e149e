"""What of the stored records an import plan carries out of the services.

A plan goes to the wizard's preview, the command line's report and the
error workbook; the "before" side of an update (``RowPlan.changes``) and the
stored values kept for the audit trail (``RowPlan.previous``) come from the
database, so they obey the reading rules (``access.permissions``):

- ID numbers and phones are masked unless the actor may see them whole
  (``changes`` at once: the writers use only its keys; ``previous`` once the
  writers have used it, see ``pipeline``);
- a row refused because it touches a record outside the actor's areas
  (``scope.check_scope``) carries nothing of that record.

Imports carry no special-group (sensitive) data.
"""

from __future__ import annotations

from gridadmin.services.access.permissions import Actor, full_numbers, number_maskers
from gridadmin.services.importing.plan import RowPlan


def _maskers(actor: Actor) -> dict | None:
    if full_numbers(actor):
        return None
    id_text, phone_text = number_maskers(actor)
    return {"id_number": id_text, "phone": phone_text}


def mask_changes(rows: list[RowPlan], actor: Actor) -> None:
    """Mask ID numbers and phones on both sides of every update's changes."""
    masks = _maskers(actor)
    if masks is None:
        return
    for row in rows:
        for key in masks.keys() & row.changes.keys():
            label, old, new = row.changes[key]
            row.changes[key] = (label, masks[key](old) if old else old, masks[key](new) if new else new)


def mask_previous(rows: list[RowPlan], actor: Actor) -> None:
    """Mask the stored ID numbers and phones kept for the audit trail (after
    the write, or in a dry run)."""
    masks = _maskers(actor)
    if masks is None:
        return
    for row in rows:
        if masks.keys() & row.previous.keys():  # a new dict: audit rows not yet flushed may hold the old one
            row.previous = {k: masks[k](str(v)) if k in masks and v else v for k, v in row.previous.items()}


def forget_stored(row: RowPlan) -> None:
    """Drop what a refused row holds of a stored record (out of the actor's
    areas): the update's before/after and the stored values."""
    row.changes = {}
    row.previous = {}
