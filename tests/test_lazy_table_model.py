"""The generic lazy table model, without a window: counts, block fetches,
cache bound, SQL sort from the header, filter and column changes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt

from gridadmin.services.common.paging import ALIGN_RIGHT, Column, PageQuery
from gridadmin.ui.common.lazy_table_model import ROW_ROLE, SORT_KEY_ROLE, LazyTableModel


@dataclass(frozen=True)
class Item:
    id: int
    name: str


class FakeSource:
    """A PageSource over 1,000 items that records what it was asked."""

    def __init__(self, n=1000):
        self.items = [Item(i, f"item{i:04d}") for i in range(n)]
        self.calls: list[tuple] = []

    def _rows(self, query):
        rows = [r for r in self.items if not query.filter or query.filter in r.name]
        if query.sort == "name":
            rows.sort(key=lambda r: r.name, reverse=query.descending)
        return rows

    def count(self, query):
        self.calls.append(("count", query))
        return len(self._rows(query))

    def window(self, query, offset, limit):
        self.calls.append(("window", offset, limit))
        return self._rows(query)[offset:offset + limit]


COLUMNS = (Column("id", "编号", lambda r: str(r.id), align=ALIGN_RIGHT),
           Column("name", "名称", lambda r: r.name, sort="name"))


@pytest.fixture
def model(qapp):
    source = FakeSource()
    return LazyTableModel(source, COLUMNS, block_size=50, max_blocks=3), source


def test_counts_without_fetching_rows(model):
    m, source = model
    assert m.rowCount() == 1000 and m.columnCount() == 2
    assert [c[0] for c in source.calls] == ["count"]
    assert m.headerData(1, Qt.Orientation.Horizontal) == "名称"
    assert m.headerData(1, Qt.Orientation.Horizontal, SORT_KEY_ROLE) == "name"


def test_rows_fetched_in_blocks_on_demand(model):
    m, source = model
    assert m.data(m.index(0, 1)) == "item0000"
    assert m.data(m.index(49, 1)) == "item0049"
    assert m.data(m.index(999, 0)) == "999"
    assert [c for c in source.calls if c[0] == "window"] == [("window", 0, 50), ("window", 950, 50)]
    assert m.data(m.index(3, 0), ROW_ROLE) == Item(3, "item0003")
    assert m.data(m.index(3, 0), Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight


def test_cache_stays_bounded(model):
    m, _ = model
    for row in range(0, 1000, 50):
        m.data(m.index(row, 0))
    assert m.fetches == 20 and m.cached_rows == 150


def test_header_sort_goes_to_the_source(model):
    m, source = model
    m.sort(1, Qt.SortOrder.DescendingOrder)
    assert m.query == PageQuery(None, "name", True)
    assert m.data(m.index(0, 1)) == "item0999"
    assert m.sort_column() == 1
    calls = len(source.calls)
    m.sort(0)  # no sort key: ignored
    assert len(source.calls) == calls and m.query.sort == "name"


def test_filter_change_recounts_and_keeps_sort(model, qtbot):
    m, _ = model
    m.sort(1, Qt.SortOrder.DescendingOrder)
    with qtbot.waitSignal(m.countChanged) as signal:
        m.set_filter("item00")
    assert signal.args == [100] and m.rowCount() == 100
    assert m.data(m.index(0, 1)) == "item0099"


def test_set_columns_changes_text_without_refetch(model):
    m, _ = model
    m.data(m.index(0, 1))
    fetches = m.fetches
    m.set_columns((COLUMNS[0], Column("name", "名称", lambda r: r.name.upper(), sort="name")))
    assert m.data(m.index(0, 1)) == "ITEM0000" and m.fetches == fetches


def test_out_of_range_rows_are_empty(model):
    m, _ = model
    assert m.row_at(1000) is None and m.row_at(-1) is None


def test_windows_read_from_the_end_match_the_forward_order(township_db):
    """A window in the second half of a counted list is read backwards from
    the end; it must hold exactly the rows the forward order has there,
    also with equal and empty sort values (NULLs) and descending sorts."""
    from sqlalchemy import select

    from gridadmin.models import Area
    from gridadmin.services.common.paging import PageQuery, SqlPager

    db = township_db
    pager = SqlPager(db=db, keys=lambda s, f: select(Area.id), tiebreak=Area.id,
                     sorts={"code": [Area.grid_code], "level": [Area.level, Area.name]},
                     load=lambda s, ids, q: list(ids))
    forward = SqlPager(db=db, keys=lambda s, f: select(Area.id), tiebreak=Area.id,
                       sorts={"code": [Area.grid_code], "level": [Area.level, Area.name]},
                       load=lambda s, ids, q: list(ids))
    for query in (PageQuery(None, "code"), PageQuery(None, "level", True), PageQuery(None, None)):
        total = pager.count(query)  # counted: later windows may come from the end
        assert total > 10
        everything = forward.window(query, 0, total)  # never counted: always forward
        for offset, limit in ((total - 3, 3), (total - 2, 10), (total // 2 + 1, 4), (total - 1, 1)):
            assert pager.window(query, offset, limit) == everything[offset:offset + limit]
