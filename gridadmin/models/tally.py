"""Stored per-area counts of the register, kept exact by database triggers.

Counting the residents of every grid means reading every person row, which
grows with the register (half a million rows in a county). These
tables hold the current counts instead; triggers on ``person``,
``household`` and ``person_tag`` (migration 0008, one set for SQLite and one for PostgreSQL)
adjust them inside the same transaction as every insert, update and
delete, whichever program path or import writes the rows, so they can
never drift from the tables. ``gridadmin.services.register.tallies`` recounts and
compares them from scratch.

On PostgreSQL, where several clerks write at once, the triggers do not
update these rows (each update would hold its row lock until commit, so a
clerk's save would wait for a long import in the same area and two writers
could deadlock): they append signed changes to the ``*_delta`` tables.
Readers add base and deltas; ``tallies.fold`` moves the deltas into the
base rows. On SQLite (one writer at a time) the deltas stay empty.

Definitions (the grid tree's and the report's): a household counts in its area while
``dissolved_on`` is empty; a person counts in their household's area
while ``status`` is 在册 (without a household: in their house's area; with neither: nowhere),
under their current ``category`` ('' when empty); a special-group
membership counts there, under its tag kind, while it has no end date and
its person counts.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
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


class TagTally(Base):
    """Open special-group memberships (no end date) of persons 在册, per
    area of their household and tag kind."""

    __tablename__ = "tag_tally"

    area_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tag_kind_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holders: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


_DELTA_ID = BigInteger().with_variant(Integer(), "sqlite")


class HouseholdTallyDelta(Base):
    """A signed change of ``HouseholdTally`` not folded in yet (PostgreSQL)."""

    __tablename__ = "household_tally_delta"

    id: Mapped[int] = mapped_column(_DELTA_ID, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, nullable=False)
    households: Mapped[int] = mapped_column(Integer, nullable=False)


class ResidentTallyDelta(Base):
    """A signed change of ``ResidentTally`` not folded in yet (PostgreSQL)."""

    __tablename__ = "resident_tally_delta"

    id: Mapped[int] = mapped_column(_DELTA_ID, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, nullable=False)
    category: Mapped[str] = mapped_column(String(2), nullable=False)
    residents: Mapped[int] = mapped_column(Integer, nullable=False)


class TagTallyDelta(Base):
    """A signed change of ``TagTally`` not folded in yet (PostgreSQL)."""

    __tablename__ = "tag_tally_delta"

    id: Mapped[int] = mapped_column(_DELTA_ID, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, nullable=False)
    tag_kind_id: Mapped[int] = mapped_column(Integer, nullable=False)
    holders: Mapped[int] = mapped_column(Integer, nullable=False)
