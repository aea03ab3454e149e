"""Day arithmetic on ordinals (the generator keeps dates as ``toordinal()``
ints while composing rows)."""

from __future__ import annotations

from datetime import date


def add_years(ordinal: int, years: int) -> int:
    """The day ``years`` after ``ordinal`` (29 Feb → 1 Mar), as an ordinal."""
    d = date.fromordinal(ordinal)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:
        return date(d.year + years, 3, 1).toordinal()


def age_on(birth: date, on: date) -> int:
    """Completed years of age on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def ordinal_date(ordinal: int | None) -> date | None:
    """``date.fromordinal`` that passes None through."""
    return date.fromordinal(ordinal) if ordinal is not None else None
