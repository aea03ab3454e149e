"""实有人口 as centers count it, for the dashboard and the reports: people 在册
by category (户籍人口, 流动人口, 境外人员, 未落户人口; 实有人口 is their sum),
户籍户 (households not dissolved: what 户数 means everywhere), houses,
出租房 and their 承租人数 (the people living in them), and 人户分离 — the
register's 人户状态 (人户同在 / 户在人不在 / 人在户不在), counted apart from the
categories. Only the acting user's areas count; the stored per-area counts
(``tallies``) give categories and 户籍户 without reading the register."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from gridadmin.db import Database
from gridadmin.models import House, Household, Person
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.access.permissions import acting, visible_areas
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.register import tallies
from gridadmin.services.register.houses import rental_counts

SEPARATED = ("2", "3")  # 户在人不在, 人在户不在


@dataclass(frozen=True)
class Census:
    categories: tuple[tuple[str, str, int], ...]  # (code, label, people) in code-list order
    households: int  # 户籍户
    houses: int
    rentals: int  # 出租房
    tenants: int  # 承租人数
    residence: tuple[tuple[str, str, int], ...]  # (code, label, people) per 人户状态

    @property
    def total(self) -> int:
        """实有人口: the sum of the categories (uncategorised people included)."""
        return sum(n for _code, _label, n in self.categories)

    @property
    def separated(self) -> int:
        """人户分离: 户在人不在 + 人在户不在."""
        return sum(n for code, _label, n in self.residence if code in SEPARATED)

    def text(self) -> str:
        """One line for the dashboard: 实有人口 … ；户籍户 …；房屋 …；人户分离 …"""
        parts = "、".join(f"{label} {n:,}" for _code, label, n in self.categories if n or _code != "")
        separated = "、".join(f"{label} {n:,}" for code, label, n in self.residence if code in SEPARATED)
        return (f"实有人口 {self.total:,}（{parts}）；户籍户 {self.households:,} 户；房屋 {self.houses:,} 处，"
                f"出租房 {self.rentals:,} 处（承租 {self.tenants:,} 人）；人户分离 {self.separated:,}（{separated}）")


def census(db: Database, area_ids=None) -> Census:
    """The census of the acting user's areas (``area_ids``: only these)."""
    with db.session() as session:
        visible = visible_areas(session, acting(db))
        wanted = visible if area_ids is None else (set(area_ids) if visible is None else set(area_ids) & visible)
        book = CodeBook.load(session)
        by_category: dict[str, int] = {}
        for (area_id, category), n in tallies.residents_per_area_category(session).items():
            if wanted is None or area_id in wanted:
                by_category[category or ""] = by_category.get(category or "", 0) + n
        categories = [(code, label, by_category.pop(code, 0)) for code, label in book.items("resident_category")]
        categories += [(code, book.label("resident_category", code) or "未填类别", n)
                       for code, n in sorted(by_category.items()) if n]
        households = sum(n for area_id, n in tallies.households_per_area(session).items()
                         if wanted is None or area_id in wanted)
        houses, rentals, tenants = rental_counts(session, wanted)
        # grouped by the column itself: an ordered walk of ix_person_status_residence, no sort
        query = (select(Person.residence_status, func.count()).where(Person.status == PERSON_ACTIVE)
                 .group_by(Person.residence_status))
        if wanted is not None:
            area = func.coalesce(Household.area_id, House.area_id)
            query = (query.outerjoin(Household, Household.id == Person.household_id)
                     .outerjoin(House, House.id == Person.house_id).where(area.in_(sorted(wanted))))
        counts: dict[str, int] = {}
        for code, n in session.execute(query):
            counts[code or ""] = counts.get(code or "", 0) + n
        residence = tuple((code, label, counts.get(code, 0)) for code, label in book.items("residence_status"))
        return Census(tuple(categories), households, houses, rentals, tenants, residence)
