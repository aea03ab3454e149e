"""Where a person counts: their household's area (户籍人口 and anyone in a
户), or without a household their house's (流动人口, 境外人员, 未落户人口 live
at a house and need no 户). One rule for scope checks, permissions and the
stored counts (migration 0019's triggers)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import House, Household, Person
from gridadmin.services.common.code_seed import CATEGORY_HUKOU
from gridadmin.services.common.errors import ValidationError


def area_of(session: Session, household_id: int | None, house_id: int | None) -> int | None:
    """The area a person with this household and house counts in."""
    if household_id is not None:
        return session.scalar(select(Household.area_id).where(Household.id == household_id))
    if house_id is not None:
        return session.scalar(select(House.area_id).where(House.id == house_id))
    return None


def person_area(session: Session, person_id: int) -> tuple[str, int | None] | None:
    """``(name, area id)`` of a person, or None when there is none."""
    row = session.execute(select(Person.name, Person.household_id, Person.house_id)
                          .where(Person.id == person_id)).one_or_none()
    if row is None:
        return None
    return row.name, area_of(session, row.household_id, row.house_id)


def check_placement(name: str, category: str | None, household_id: int | None, house_id: int | None) -> None:
    """Refuse a person the register could not place: a 户籍人口 needs a 户;
    anyone without a 户 needs a house (现住房屋)."""
    if household_id is not None:
        return
    if category == CATEGORY_HUKOU:
        raise ValidationError(f"“{name}”是户籍人口，须登记在户中（请在户卡中添加，或改选流动人口、境外人员、"
                              f"未落户人口）。", field="人口类别", value="户籍人口")
    if house_id is None:
        raise ValidationError(f"“{name}”没有户，须填写现住房屋（现住地址）。", field="现住房屋", value="")
