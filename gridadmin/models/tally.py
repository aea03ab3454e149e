"""Stored per-area counts of the register, kept exact by database triggers.

Counting the residents of every grid means reading every person row, which
grows with the register (half a million rows in a county). These two
tables hold the current counts instead; triggers on ``person`` and
``household`` (migration 0008, one set for SQLite and one for PostgreSQL)
adjust them inside the same transaction as every insert, update and
delete, whichever program path or import writes the rows, so they can
never drift from the tables. ``gridadmin.services.tallies`` recounts and
compares them from scratch.

Definitions (the grid tree's): a household counts in its area while
``dissolved_on`` is empty; a person counts in their household's area
while ``status`` is 在册 (a person without a household counts nowhere),
under their current ``category`` ('' when empty).
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gridadmin.models.base import Base


class HouseholdTally(Base):
    """Households not dissolved, per area (no row: none)."""

    __tablename__ = "household_tally"

    area_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    households: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ResidentTally(Base):
    """Persons 在册 per area of their household and resident category."""

    __tablename__ = "resident_tally"

    area_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    category: Mapped[str] = mapped_column(String(2), primary_key=True)
    residents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
