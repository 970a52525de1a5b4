"""A DataTable whose rows can leave, and arrive on top, in one pass each, and whose rows are not drawn
again when the cursor passes them.

Textual's `remove_row` renumbers every row for each row it removes, and `add_row` only appends: the
invoice window that drops a page and gains another used to clear the table and add its 300 rows
again (each measured again), the slowest frame of a held PageDown. These two methods change only
the rows that come or go, through the row order the way `DataTable.sort` does (Textual is pinned).

Textual keys its caches of drawn rows and lines by where the cursor and the mouse are: every move of
the row cursor drew every row on screen again, though only the row it left and the row it reached
change (py-spy: four fifths of a Down). Here a row the cursor (or the mouse) is not on is drawn and
cached as one where it is nowhere, so a move draws two rows and a scroll only the rows that come in.
`_render_line` is Textual 8.2.8's with that one change (tests/app/test_invoice_window.py and the
snapshots draw it).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual._segment_tools import line_crop
from textual._two_way_dict import TwoWayDict
from textual.coordinate import Coordinate
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellKey, RowKey

# Where a row's cursor and mouse are when they are on another row: a row index no row has (the
# header's is -1), so the row is drawn exactly as with the cursor anywhere else.
NOWHERE = Coordinate(-2, 0)
# Lines drawn ahead per step while nothing else waits: a few milliseconds, so a key waits little.
WARM_STEP_LINES = 4


class WindowTable(DataTable[object]):
    """A DataTable with `remove_rows` and `move_to_top`, drawing only the rows a cursor move changes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._warming = 0  # the latest warm-up; an older one stops at its next step
        # The lines drawn ahead, and what they were drawn for (a change of rows, width or focus
        # draws them again).
        self._warmed: set[int] = set()
        self._warmed_for: tuple[Any, ...] = ()

    def warm_around(self) -> None:
        """Draw the screenful of lines below the rows on show, then the one above, into the caches,
        a few lines a step after this frame: the next PageDown (or Down, or PageUp) finds its rows
        drawn, and its frame draws only the lines the cursor left and reached."""
        self._warming += 1
        self._warm_for_now()
        height = self.size.height
        top = round(self.scroll_y) + self.header_height
        ahead = [*range(top + height, top + 2 * height), *range(max(self.header_height, top - height), top)]
        lines = [y for y in ahead if y not in self._warmed]
        if lines:
            self.call_after_refresh(self._warm, self._warming, lines)

    def _warm(self, warming: int, lines: list[int]) -> None:
        if warming != self._warming or not lines or not self.is_attached or not self.row_count:
            return
        if self._require_update_dimensions:
            # Rows came: Textual measures them when the table is idle, and the lines are drawn after.
            self.call_after_refresh(self._warm, warming, lines)
            return
        width, scroll_x, style = self._warm_for_now()
        for y in lines[:WARM_STEP_LINES]:
            self._render_line(y, scroll_x, scroll_x + width, style)
            self._warmed.add(y)
        # The next step waits for the screen's next idle moment: keys, frames and the table's own
        # idle work go first.
        self.call_after_refresh(self._warm, warming, lines[WARM_STEP_LINES:])

    def _warm_for_now(self) -> tuple[int, int, Style]:
        """The width, scroll and style lines are drawn with now; the lines drawn ahead for anything
        else are forgotten."""
        width, scroll_x, style = self.size.width, round(self.scroll_x), self.rich_style
        drawn_for = (self._update_count, width, scroll_x, style, self._pseudo_class_state)
        if drawn_for != self._warmed_for:
            self._warmed_for, self._warmed = drawn_for, set()
        return width, scroll_x, style

    def _index_of(self, row_key: RowKey) -> int:
        """The row's index, as Textual draws it: -1 for the header (and a key no row has)."""
        locations = self._row_locations
        return locations.get(row_key) if row_key in locations else -1  # type: ignore[return-value]

    def _seen_from(self, row_index: int, location: Coordinate) -> Coordinate:
        """`location` (the cursor's or the mouse's) as the row `row_index` is drawn with it."""
        if self.cursor_type != "row" or location.row == row_index:
            return location
        return NOWHERE

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[list[list[Segment]], list[list[Segment]]]:
        index = self._index_of(row_key)
        return super()._render_line_in_row(
            row_key,
            line_no,
            base_style,
            cursor_location=self._seen_from(index, cursor_location),
            hover_location=self._seen_from(index, hover_location),
        )

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        # Textual 8.2.8's DataTable._render_line; its cache is keyed by the cursor and mouse as the row
        # sees them (`_seen_from`).
        width = self.size.width
        try:
            row_key, y_offset_in_row = self._get_offsets(y)
        except LookupError:
            return Strip.blank(width, base_style)
        index = self._index_of(row_key)
        cursor = self._seen_from(index, self.cursor_coordinate)
        hover = self._seen_from(index, self.hover_coordinate)
        cache_key = (
            y,
            x1,
            x2,
            width,
            cursor,
            hover,
            base_style,
            self.cursor_type,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        if cache_key in self._line_cache:
            return self._line_cache[cache_key]
        fixed, scrollable = self._render_line_in_row(
            row_key, y_offset_in_row, base_style, cursor_location=cursor, hover_location=hover
        )
        fixed_columns = self.ordered_columns[: self.fixed_columns]
        fixed_width = sum(column.get_render_width(self) for column in fixed_columns)
        fixed_line: list[Segment] = list(chain.from_iterable(fixed)) if fixed else []
        scrollable_line: list[Segment] = list(chain.from_iterable(scrollable))
        segments = fixed_line + line_crop(scrollable_line, x1 + fixed_width, x2, width)
        strip = Strip(segments).adjust_cell_length(width, base_style).simplify()
        self._line_cache[cache_key] = strip
        return strip

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
