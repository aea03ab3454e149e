"""A Qt table model over a ``PageSource``: the row count comes from one
COUNT query, rows are fetched in blocks when the view asks for them and
kept in a small cache; clicking a header sorts in SQL.

A source with ``first_count(query)`` (a ``QuickCount``) is asked that
instead: an exact count when it is cheap, else an estimate that the model
shows at once (``count_estimate``) while the exact count (the source's
``exact_count`` or ``count``) runs in a worker thread; when it arrives the
rows past it are added or removed and ``countChanged`` is emitted again.

Columns are data (``gridadmin.services.common.paging.Column``), so the roster,
households and residents pages share this model. Nothing here knows about
any particular table.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from gridadmin.services.common.paging import ALIGN_CENTER, ALIGN_RIGHT, Column, PageQuery, PageSource, QuickCount
from gridadmin.ui.common.background import call_in_background, wait_for_background

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row object of the source
SORT_KEY_ROLE = Qt.ItemDataRole.UserRole + 2  # the column's sort key (header)

_ALIGN = {
    ALIGN_RIGHT: Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    ALIGN_CENTER: Qt.AlignmentFlag.AlignCenter,
}
_DEFAULT_ALIGN = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class LazyTableModel(QAbstractTableModel):
    """Rows of ``source`` for the current ``PageQuery``.

    - ``rowCount`` is the COUNT for the filter (queried on reset only);
    - ``data`` fetches the block of ``block_size`` rows holding the asked
      row on first use; at most ``max_blocks`` blocks stay cached (least
      recently used dropped first), so memory does not grow with the table;
    - ``sort(column, order)`` re-queries in the column's SQL order (columns
      without a sort key are ignored);
    - ``set_filter`` / ``refresh`` re-count and drop the cache.

    ``countChanged(int)`` is emitted after every reset, and again when an
    exact count replaces an estimate (``count_estimate``)."""

    countChanged = Signal(int)
    _counted = Signal(int, object)  # (generation, exact count or the error), from the worker

    def __init__(self, source: PageSource, columns: Sequence[Column], *, query: PageQuery | None = None,
                 block_size: int = 200, max_blocks: int = 20, parent=None):
        super().__init__(parent)
        self._source = source
        self._columns: tuple[Column, ...] = tuple(columns)
        self._query = query or PageQuery()
        self._block_size = block_size
        self._max_blocks = max_blocks
        self._blocks: OrderedDict[int, Sequence[Any]] = OrderedDict()
        self._count = 0
        self._estimate: QuickCount | None = None  # the count shown is this estimate until the exact one arrives
        self._generation = 0  # which query an exact count in the worker belongs to
        self.fetches = 0  # block queries made so far (tests and benchmarks read it)
        self._counted.connect(self._exact_count_arrived, Qt.ConnectionType.QueuedConnection)
        # Raised by every read of new data (a new filter, a refresh), not by a
        # new sort: what is derived from the rows regardless of their order
        # (a summary line) can be kept while it stays the same.
        self.data_generation = 0
        self._recount()

    # -- state -----------------------------------------------------------
    @property
    def query(self) -> PageQuery:
        return self._query

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    @property
    def source(self) -> PageSource:
        """Where the rows come from (exports read the same rows)."""
        return self._source

    @property
    def count_estimate(self) -> QuickCount | None:
        """The estimate shown as the row count while the exact count is
        still running, or None when the row count is exact."""
        return self._estimate

    @property
    def cached_rows(self) -> int:
        return sum(len(b) for b in self._blocks.values())

    def set_query(self, query: PageQuery) -> None:
        """Show ``query`` (new filter and/or sort): re-count, drop the cache."""
        if query == self._query or query.filter != self._query.filter:
            self.data_generation += 1
        self.beginResetModel()
        self._query = query
        self._blocks.clear()
        self._recount()
        self.endResetModel()
        self.countChanged.emit(self._count)

    def set_filter(self, filter_value) -> None:
        """Keep the sort, change the filter."""
        self.set_query(PageQuery(filter_value, self._query.sort, self._query.descending))

    def refresh(self) -> None:
        """Re-read from the database (after an edit), same query."""
        self.set_query(self._query)

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Change how rows are shown (e.g. masked / full numbers) without
        re-querying; the number of columns must stay the same."""
        columns = tuple(columns)
        if len(columns) != len(self._columns):
            self.beginResetModel()
            self._columns = columns
            self.endResetModel()
            return
        self._columns = columns
        if self._count:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(columns) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(columns) - 1)

    def column_index(self, key: str) -> int:
        """The position of the column with ``key`` (ValueError if none)."""
        for position, column in enumerate(self._columns):
            if column.key == key:
                return position
        raise ValueError(key)

    def sort_column(self) -> int:
        """The column position sorted by now, -1 for the default order."""
        for position, column in enumerate(self._columns):
            if column.sort is not None and column.sort == self._query.sort:
                return position
        return -1

    def row_at(self, row: int):
        """The source row shown at ``row`` (fetching its block), or None."""
        if not 0 <= row < self._count:
            return None
        block = self._block(row // self._block_size)
        offset = row % self._block_size
        return block[offset] if offset < len(block) else None

    # -- Qt overrides ----------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
                return str(section + 1)
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == SORT_KEY_ROLE:
            return column.sort
        if role == Qt.ItemDataRole.ToolTipRole and column.sort is None:
            return self.tr("此列不能排序")
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.column() < len(self._columns):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.TextAlignmentRole,
                        ROW_ROLE):
            return None
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN.get(column.align, _DEFAULT_ALIGN)
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(row) if column.tooltip else None
        return column.text(row)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns) or self._columns[column].sort is None:
            return
        query = PageQuery(self._query.filter, self._columns[column].sort, order == Qt.SortOrder.DescendingOrder)
        if query != self._query:  # QTableView.sortByColumn asks twice: the second would read it all again
            self.set_query(query)

    # -- internals -------------------------------------------------------
    def _recount(self) -> None:
        self._generation += 1
        first_count = getattr(self._source, "first_count", None)
        if first_count is None:
            self._count, self._estimate = self._source.count(self._query), None
            return
        quick = first_count(self._query)
        self._count, self._estimate = quick.n, (None if quick.exact else quick)
        if not quick.exact:
            self._count_in_worker()

    def _count_in_worker(self) -> None:
        """Start the exact count of the current query in a worker thread
        (``background.call_in_background``)."""
        count = getattr(self._source, "exact_count", None) or self._source.count
        query = self._query
        call_in_background(lambda: count(query), self._counted, self._generation)

    def _exact_count_arrived(self, generation: int, result: object) -> None:
        if generation != self._generation or self._estimate is None:
            return  # the filter changed since: a later count is on its way
        if isinstance(result, BaseException):
            raise result
        n, old = int(result), self._count
        self._estimate = None
        if n > old:
            self.beginInsertRows(QModelIndex(), old, n - 1)
            self._count = n
            self.endInsertRows()
        elif n < old:
            self.beginRemoveRows(QModelIndex(), n, old - 1)
            self._count = n
            self.endRemoveRows()
        self.countChanged.emit(self._count)

    def _block(self, number: int) -> Sequence[Any]:
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
            return block
        block = tuple(self._source.window(self._query, number * self._block_size, self._block_size))
        self.fetches += 1
        self._blocks[number] = block
        while len(self._blocks) > self._max_blocks:
            self._blocks.popitem(last=False)
        return block


def wait_for_counts(timeout_ms: int = 30_000) -> None:
    """Wait until every exact count started by a model has finished (tests,
    closing the program); the results still arrive through the event loop."""
    wait_for_background(timeout_ms)
