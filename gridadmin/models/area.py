"""The area tree: township → community/village → grid → micro-grid."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridadmin.models.base import Base, TimestampMixin, VersionedMixin

# Levels, top to bottom. A child is always exactly one level below its parent.
LEVEL_TOWNSHIP = "township"
LEVEL_COMMUNITY = "community"
LEVEL_GRID = "grid"
LEVEL_MICROGRID = "microgrid"
LEVELS = (LEVEL_TOWNSHIP, LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID)
LEVEL_LABELS = {
    LEVEL_TOWNSHIP: "乡镇/街道",
    LEVEL_COMMUNITY: "社区/村",
    LEVEL_GRID: "网格",
    LEVEL_MICROGRID: "微网格",
}

# Kinds of community and grid.
COMMUNITY_KINDS = ("社区", "村")
GRID_TYPES = ("城市社区网格", "农村网格", "专属网格")


class Area(VersionedMixin, TimestampMixin, Base):
    """One node of the township's own subtree.

    ``division_code`` is the official 12-digit statistical code (township and
    community/village level); ``grid_code`` is the local code given to grids
    and micro-grids (usually community code + 3 digits). Both are unique
    where present. Areas are deactivated, never deleted, once they hold
    people.
    """

    __tablename__ = "area"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    level: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(100))
    division_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    grid_code: Mapped[str | None] = mapped_column(String(24), unique=True)
    community_kind: Mapped[str | None] = mapped_column(String(8))
    grid_type: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)

    parent: Mapped[Area | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent")

    @property
    def code(self) -> str | None:
        """The code shown to users: local grid code, else the official one."""
        return self.grid_code or self.division_code
