"""A DataTable whose rows can leave, and arrive on top, in one pass each.

Textual's `remove_row` renumbers every row for each row it removes, and `add_row` only appends: the
invoice window that drops a page and gains another used to clear the table and add its 300 rows
again (each measured again), the slowest frame of a held PageDown. These two methods change only
the rows that come or go, through the row order the way `DataTable.sort` does (Textual is pinned).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._two_way_dict import TwoWayDict
from textual.widgets import DataTable
from textual.widgets.data_table import CellKey, RowKey


class WindowTable(DataTable[object]):
    """A DataTable with `remove_rows` and `move_to_top`."""

    def _order(self) -> list[RowKey]:
        locations = self._row_locations
        return [locations.get_key(index) for index in range(self.row_count)]  # type: ignore[misc]

    def _reorder(self, order: list[RowKey]) -> None:
        self._row_locations = TwoWayDict({key: index for index, key in enumerate(order)})
        self._update_count += 1  # the caches of rows, lines and offsets are keyed by it

    def remove_rows(self, keys: Iterable[str]) -> None:
        """Take these rows away (unknown keys are ignored); the others keep their order and cells."""
        gone = {RowKey(key) for key in keys if key in self._row_locations}
        if not gone:
            return
        order = [key for key in self._order() if key not in gone]
        for key in gone:
            for column_key in self._data[key]:
                self._updated_cells.discard(CellKey(key, column_key))
            del self.rows[key]
            del self._data[key]
        self._new_rows -= gone
        self._reorder(order)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate  # clamped to the rows left
        self.hover_coordinate = self.hover_coordinate
        self.check_idle()
        self.refresh(layout=True)

    def move_to_top(self, keys: Iterable[str]) -> None:
        """Put these rows (added last, say) above all the others, in the order given."""
        top = [RowKey(key) for key in keys if key in self._row_locations]
        if not top:
            return
        moved = set(top)
        self._reorder(top + [key for key in self._order() if key not in moved])
        self.refresh()
