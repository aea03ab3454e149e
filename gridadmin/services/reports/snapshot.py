"""Submitted monthly reports as stored: the figures snapshot (JSON) and the
look-ups the report, the forms and the imports make ("is this month
submitted for this area?"). The use cases (submit, withdraw, diff) are in
``submission``.

The snapshot holds every number of every table of the report: the
``MonthlyFigures`` dataclass tree, written as JSON with a tag per
dataclass, date and non-text mapping key, so it reads back into the same
``MonthlyFigures`` (fields added later take their defaults), plus a plain
``totals`` object for other readers.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import Area, SubmittedReport
from gridadmin.models.area import LEVEL_TOWNSHIP

SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class SubmissionInfo:
    """Who submitted which month's report for which scope, and when."""

    id: int
    month: str
    scope_area_id: int | None
    scope_name: str
    username: str
    submitted_at: datetime
    generated_report_id: int | None = None
    last_event_id: int | None = None

    @property
    def label(self) -> str:
        """已上报（张三，2026-12-02 09:30）."""
        return f"已上报（{self.username}，{self.submitted_at:%Y-%m-%d %H:%M}）"


def month_label(month_key: str) -> str:
    """``"2026-11"`` → ``"2026年11月"``."""
    year, month = month_key.split("-")
    return f"{int(year)}年{int(month)}月"


def month_key_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


# --- encoding --------------------------------------------------------------------------

_FIGURE_CLASSES: dict[str, type] = {}


def register_figure_classes(*kinds: type) -> None:
    """Make the report's dataclasses decodable from a snapshot (called by
    ``monthly_figures``, which defines or imports them, so this module need
    not import it back)."""
    _FIGURE_CLASSES.update({k.__name__: k for k in kinds})


def _classes() -> dict[str, type]:
    return {**_FIGURE_CLASSES, SubmissionInfo.__name__: SubmissionInfo}


def _encode(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {"$": type(value).__name__}
        for f in dataclasses.fields(value):
            out[f.name] = _encode(getattr(value, f.name))
        return out
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, dict):
        return {"$map": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value, classes: dict[str, type]):
    if isinstance(value, list):
        return tuple(_decode(v, classes) for v in value)
    if not isinstance(value, dict):
        return value
    if "$d" in value:
        return date.fromisoformat(value["$d"])
    if "$dt" in value:
        return datetime.fromisoformat(value["$dt"])
    if "$map" in value:
        return {_decode(k, classes): _decode(v, classes) for k, v in value["$map"]}
    kind = classes[value["$"]]
    names = {f.name for f in dataclasses.fields(kind)}
    return kind(**{k: _decode(v, classes) for k, v in value.items() if k in names})


def encode_figures(figures, last_event_id: int | None = None) -> str:
    """The snapshot JSON of a ``MonthlyFigures`` (without what only a
    regenerated report carries: its own submission, today's totals and
    the late changes); ``last_event_id``: the newest register event the
    figures include."""
    stored = dataclasses.replace(figures, submission=None, now_totals=None, late=())
    return json.dumps({"version": SNAPSHOT_VERSION, "totals": figures.to_dict()["totals"],
                       "last_event_id": last_event_id, "figures": _encode(stored)}, ensure_ascii=False)


def decode_figures(text: str):
    """The ``MonthlyFigures`` a snapshot was taken of."""
    return _decode(json.loads(text)["figures"], _classes())


def snapshot_totals(text: str) -> dict:
    return json.loads(text)["totals"]


# --- look-ups --------------------------------------------------------------------------

def scope_key(session: Session, scope_area_id: int | None) -> int:
    """0 for the whole register (no scope, or the only township), else the
    scope's area id."""
    if scope_area_id is None:
        return 0
    level = session.scalar(select(Area.level).where(Area.id == scope_area_id))
    if level == LEVEL_TOWNSHIP:
        towns = session.scalars(select(Area.id).where(Area.level == LEVEL_TOWNSHIP).limit(2)).all()
        if len(towns) == 1:
            return 0
    return scope_area_id


def info_of(row: SubmittedReport) -> SubmissionInfo:
    last = json.loads(row.figures).get("last_event_id")
    return SubmissionInfo(row.id, row.month, row.scope_area_id, row.scope_name, row.username, row.submitted_at,
                          row.generated_report_id, last)


def current_submission(session: Session, month_key: str, key: int) -> SubmittedReport | None:
    """The submission of ``month_key`` for scope ``key`` not withdrawn."""
    return session.scalar(select(SubmittedReport).where(
        SubmittedReport.month == month_key, SubmittedReport.scope_key == key,
        SubmittedReport.withdrawn_at.is_(None)))


def covering_submission(session: Session, month_key: str, key: int) -> SubmittedReport | None:
    """The submission of ``month_key`` for scope ``key``, else (for a
    community) one for a township or the whole register that contains it."""
    exact = current_submission(session, month_key, key)
    if exact is not None or key == 0:
        return exact
    ancestors = _ancestors(session, key)
    for row in session.scalars(select(SubmittedReport).where(
            SubmittedReport.month == month_key, SubmittedReport.withdrawn_at.is_(None))
            .order_by(SubmittedReport.scope_key)):
        if row.scope_key == 0 or row.scope_key in ancestors:
            return row
    return None


def _ancestors(session: Session, area_id: int | None) -> set[int]:
    parents = dict(session.execute(select(Area.id, Area.parent_id)).all())
    found: set[int] = set()
    while area_id is not None and area_id not in found:
        found.add(area_id)
        area_id = parents.get(area_id)
    return found


class SubmittedMonths:
    """The submitted months and their scopes, loaded once (for an import
    plan's many rows): ``notice(day, area_id)`` is the warning for a change
    effective on ``day`` in ``area_id``."""

    def __init__(self, months: dict[str, set[int]], parents: dict[int, int | None]):
        self.months = months
        self.parents = parents

    @classmethod
    def load(cls, session: Session) -> SubmittedMonths:
        months: dict[str, set[int]] = {}
        for month, key in session.execute(select(SubmittedReport.month, SubmittedReport.scope_key)
                                          .where(SubmittedReport.withdrawn_at.is_(None))):
            months.setdefault(month, set()).add(key)
        parents = dict(session.execute(select(Area.id, Area.parent_id)).all()) if months else {}
        return cls(months, parents)

    def covers(self, day: date, area_id: int | None) -> bool:
        keys = self.months.get(month_key_of(day))
        if not keys:
            return False
        if 0 in keys or area_id is None:
            return True
        current, seen = area_id, set()
        while current is not None and current not in seen:
            if current in keys:
                return True
            seen.add(current)
            current = self.parents.get(current)
        return False

    def notice(self, day: date | None, area_id: int | None) -> str | None:
        if day is None or not self.covers(day, area_id):
            return None
        return late_notice(day)

    def first_notice(self, one: date | None, other: date | None, area_id: int | None) -> str | None:
        """The notice for the first submitted month from the earlier of
        ``one`` and ``other`` to the later (a date moved between them; an
        empty one is the other)."""
        days = [d for d in (one, other) if d is not None]
        if not days:
            return None
        first, last = min(days), max(days)
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            notice = self.notice(date(y, m, 1), area_id)
            if notice:
                return notice
            y, m = (y, m + 1) if m < 12 else (y + 1, 1)
        return None


def late_notice(day: date) -> str:
    return f"该变动属于已上报的{day.year}年{day.month}月，将作为更正计入下月报表"
