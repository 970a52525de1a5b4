"""A DataTable whose rows can leave, and arrive on top, in one pass each, and whose rows are not drawn
again when the cursor passes them.

Textual's `remove_row` renumbers every row for each row it removes, and `add_row` only appends: the
invoice window that drops a page and gains another used to clear the table and add its 300 rows
again (each measured again), the slowest frame of a held PageDown. These two methods change only
the rows that come or go, through the row order the way `DataTable.sort` does (Textual is pinned).

Textual keys its caches of drawn rows and lines by the table's update count, which every row added
or moved bumps, and the drawn cells carry their row's index (the mouse finds its row through it): a
page entering the window drew every row on screen again (cProfile: over half of the slow frames of a
held PageDown), and every move of the row cursor drew every row on screen too. Here a row is drawn and cached
by what it looks like (its cells' version, whether the cursor or the mouse is on it, its stripe, the
widths, the focus), and its index is put into the segments' meta when its line is made: rows that
stay draw once however the window shifts, a cursor move draws the two rows it changes, a scroll
only the rows that come in. `_render_line` and the drawing of a row and a cell are Textual 8.2.8's
with that change (tests/app/test_invoice_window.py, test_start_and_table_speed.py and the snapshots
draw it beside Textual's own).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain, count
from typing import Any

from rich.cells import cell_len
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._segment_tools import line_crop
from textual._two_way_dict import TwoWayDict
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.renderables.styled import Styled
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import default_cell_formatter
from textual.widgets.data_table import CellKey, CellType, Column, ColumnKey, RowKey

_EMPTY = Text(no_wrap=True, end="")  # an empty cell, as Textual draws it
# Lines drawn ahead per step while nothing else waits: a few milliseconds, so a key waits little.
WARM_STEP_LINES = 4
# What the caches keep: the lines of two screenfuls (the lines drawn ahead are kept as rows), the
# rows of a window of 300 and their sites, and the cells they share. With Textual's 1,000 lines,
# 1,000 rows and 10,000 cells the collector's oldest generation held 174,000 objects after 60
# PageDowns, 90,000 with 300/400/3,000: each of its full passes walks them all (55-110 ms, a held
# PageDown's slowest frames).
LINES_KEPT = 100
ROWS_KEPT = 400
CELLS_KEPT = 1500


class WindowTable(DataTable[object]):
    """A DataTable with `remove_rows` and `move_to_top`, drawing only the rows a cursor move changes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._line_cache = LRUCache(LINES_KEPT)
        self._row_render_cache = LRUCache(ROWS_KEPT)
        self._cell_render_cache = LRUCache(CELLS_KEPT)
        self._row_renderable_cache = LRUCache(ROWS_KEPT)  # Textual's, read when rows are measured
        self._warming = 0  # the latest warm-up; an older one stops at its next step
        # The lines drawn ahead, and what they were drawn for (a change of rows, width or focus
        # draws them again).
        self._warmed: set[int] = set()
        self._warmed_for: tuple[Any, ...] = ()
        # Each row's version: a new one when it is added or a cell of it changes. Its drawing is
        # cached by it, so a row that only moves (a page in or out of the window) is not drawn again.
        self._versions: dict[RowKey, int] = {}
        self._version_numbers = count()
        # The bumps of Textual's update count that only added rows, moved them or changed one row.
        self._row_moves = 0

    # Textual's DataTable asks `rich_style` for every line it draws, and each ask walks the table's
    # ancestors blending their colours (a tenth of a PageDown's frame): asked once a frame here.
    _frame_style: Style | None = None

    @property
    def rich_style(self) -> Style:
        return self._frame_style if self._frame_style is not None else super().rich_style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_style = super().rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

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
            if self._by_content():
                # The row only: its line (a Strip of some 30 objects the collector walks) is made
                # when shown, from the row drawn here, in a few microseconds.
                try:
                    row_key, line_no = self._get_offsets(y)
                except LookupError:
                    continue
                self._row_line(row_key, self._index_of(row_key), line_no, style)
            else:
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

    @property
    def _cells_count(self) -> int:
        """Textual's update count less the bumps that only added or moved rows: what every row's
        drawing depends on (a column added, a resize, a sort)."""
        return self._update_count - self._row_moves

    def _by_content(self) -> bool:
        """Rows are drawn by content, their place added at draw time: the table as Paydesk has it
        (a row cursor, no fixed rows or columns, no labels); any other is drawn as Textual does."""
        return (
            self.cursor_type == "row"
            and not self.fixed_rows
            and not self.fixed_columns
            and not self._should_render_row_labels
        )

    def _look(self, row_key: RowKey, index: int, line_no: int, base_style: Style) -> tuple[Any, ...]:
        """Everything a row's line looks like besides its place: its cells (their version), whether
        the cursor or the mouse is on it, its stripe, the widths, the focus."""
        return (
            self._versions.get(row_key, -1),
            line_no,
            base_style,
            self.cursor_coordinate.row == index,
            self.hover_coordinate.row == index,
            index % 2 if self.zebra_stripes else 0,
            self.show_cursor,
            self._show_hover_cursor,
            self._cells_count,
            tuple(column.get_render_width(self) for column in self.ordered_columns),
            self.size.width,
            self._pseudo_class_state,
        )

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        # Textual 8.2.8's DataTable._render_line, its cache keyed by the row's look and place rather
        # than by the line's y and the table's update count.
        if not self._by_content():
            return super()._render_line(y, x1, x2, base_style)
        width = self.size.width
        try:
            row_key, y_offset_in_row = self._get_offsets(y)
        except LookupError:
            return Strip.blank(width, base_style)
        index = self._index_of(row_key)
        cache_key = (self._look(row_key, index, y_offset_in_row, base_style), index, x1, x2)
        if cache_key in self._line_cache:
            return self._line_cache[cache_key]
        _, scrollable = self._render_line_in_row(
            row_key,
            y_offset_in_row,
            base_style,
            cursor_location=self.cursor_coordinate,
            hover_location=self.hover_coordinate,
        )
        segments = line_crop(list(chain.from_iterable(scrollable)), x1, x2, width)
        strip = Strip(segments).adjust_cell_length(width, base_style).simplify()
        self._line_cache[cache_key] = strip
        return strip

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[list[list[Segment]], list[list[Segment]]]:
        if not self._by_content():
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        index = self._index_of(row_key)
        return [], _placed(self._row_line(row_key, index, line_no, base_style), index)

    def _row_line(self, row_key: RowKey, index: int, line_no: int, base_style: Style) -> list[list[Segment]]:
        """The row's line as it looks now, without its place: drawn once for each look."""
        look = self._look(row_key, index, line_no, base_style)
        if look not in self._row_render_cache:
            self._row_render_cache[look] = self._draw_row_line(row_key, index, line_no, base_style, look)
        return self._row_render_cache[look]

    def _draw_row_line(
        self, row_key: RowKey, index: int, line_no: int, base_style: Style, look: tuple[Any, ...]
    ) -> list[list[Segment]]:
        """One line of a row, its cells and the space after them, without the place (`_placed`)."""
        _, _, _, cursor, hover, *_ = look
        header = index == -1
        row_style = self._get_row_style(index, base_style)
        columns = self.ordered_columns
        renderables = [column.label for column in columns] if header else self._renderables(row_key)
        cells = [
            self._draw_cell(row_key, column, renderable, row_style, cursor, hover, header)[line_no]
            for column, renderable in zip(columns, renderables, strict=True)
        ]
        # The row's colours carried to the table's right edge, as Textual does.
        table_width = sum(column.get_render_width(self) for column in columns)
        extend_style, _ = self._get_styles_to_render_cell(
            header, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor, False, False
        )
        cells.append([Segment(" " * max(0, self.size.width - table_width), row_style + extend_style)])
        return cells

    def _renderables(self, row_key: RowKey) -> list[Any]:
        """The row's cells as Textual formats them to draw (a string read as markup, None as empty)."""
        row, data = self.rows[row_key], self._data[row_key]
        wrap = row.height != 1
        return [
            _EMPTY if (cell := data.get(column.key)) is None
            else default_cell_formatter(cell, wrap=wrap, height=row.height) or _EMPTY
            for column in self.ordered_columns
        ]  # fmt: skip

    def _draw_cell(
        self,
        row_key: RowKey,
        column: Column,
        renderable: Any,
        style: Style,
        cursor: bool,
        hover: bool,
        header: bool,
    ) -> list[list[Segment]]:
        """Textual 8.2.8's DataTable._render_cell for a row-cursor table, without the cell's place in
        its styles, cached by what it shows (a Text: the same date, amount or status in many rows is
        drawn once) or else by its row's version and column, instead of its row index."""
        width = column.get_render_width(self)
        height = self.header_height if header else self.rows[row_key].height
        shown = _text_key(renderable)
        cache_key = (
            (self._versions.get(row_key, -1), column.key) if shown is None else shown,
            style,
            cursor,
            hover,
            self.show_cursor,
            self._show_hover_cursor,
            self._cells_count,
            self._pseudo_class_state,
            width,
            height,
        )
        if cache_key in self._cell_render_cache:
            return self._cell_render_cache[cache_key]
        component_style, post_style = self._get_styles_to_render_cell(
            header,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        options = self.app.console_options
        # A row of auto height not measured yet (height 0) is drawn whole, to be measured.
        options = options.update_dimensions(width, height) if height else options.update_width(width)
        if height == 1:
            options = options.update(no_wrap=True)
        padded = Padding(renderable, (0, self.cell_padding))
        rendered = self.app.console.render_lines(
            Styled(padded, pre_style=style + component_style, post_style=post_style), options
        )
        # Padding and text in one style are one segment (the line is simplified so when drawn): a third
        # of the segments to keep and to place.
        lines = [list(Segment.simplify(line)) for line in rendered]
        self._cell_render_cache[cache_key] = lines
        return lines

    def add_row(
        self,
        *cells: CellType,
        height: int | None = 1,
        key: str | None = None,
        label: Any = None,
    ) -> RowKey:
        before = self._update_count
        row_key = super().add_row(*cells, height=height, key=key, label=label)
        self._row_moves += self._update_count - before
        self._versions[row_key] = next(self._version_numbers)
        return row_key

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: CellType,
        *,
        update_width: bool = False,
    ) -> None:
        before = self._update_count
        super().update_cell(row_key, column_key, value, update_width=update_width)
        self._row_moves += self._update_count - before
        # Only this row is drawn again (a width it changes is in every row's look).
        self._versions[RowKey(row_key) if isinstance(row_key, str) else row_key] = next(self._version_numbers)

    def clear(self, columns: bool = False) -> WindowTable:
        self._versions.clear()
        return super().clear(columns)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # Textual measures every cell of the new rows through Rich (a page's 100 rows: 6-15 ms at the
        # idle after it arrives). A one-line row of Text cells, as the invoice rows are, is measured
        # as Rich measures such a Text (its longest line); any other row is Textual's to measure.
        others = []
        columns = self.ordered_columns
        for row_key in new_rows:
            row, data = self.rows.get(row_key), self._data.get(row_key)
            if row is None or data is None or row_key not in self._row_locations:
                continue  # removed before this idle
            cells = [data.get(column.key) for column in columns]
            if row.height != 1 or row.label is not None or any(type(cell) is not Text for cell in cells):
                others.append(row_key)
                continue
            for column, cell in zip(columns, cells, strict=True):
                width = max((cell_len(line) for line in cell.plain.splitlines()), default=0)
                if width > column.content_width:
                    column.content_width = width
        super()._update_dimensions(others)

    def _order(self) -> list[RowKey]:
        locations = self._row_locations
        return [locations.get_key(index) for index in range(self.row_count)]  # type: ignore[misc]

    def _reorder(self, order: list[RowKey]) -> None:
        self._row_locations = TwoWayDict({key: index for index, key in enumerate(order)})
        self._update_count += 1  # Textual's offsets and row order are keyed by it
        self._row_moves += 1  # the rows' drawings are not

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
            self._versions.pop(key, None)
        self._new_rows -= gone
        self._reorder(order)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate  # clamped to the rows left
        self.hover_coordinate = self.hover_coordinate
        self.check_idle()
        # The table's height is set on idle with the rows measured (a change of it lays out again).
        self.refresh()

    def move_to_top(self, keys: Iterable[str]) -> None:
        """Put these rows (added last, say) above all the others, in the order given."""
        top = [RowKey(key) for key in keys if key in self._row_locations]
        if not top:
            return
        moved = set(top)
        self._reorder(top + [key for key in self._order() if key not in moved])
        self.refresh()


def _text_key(renderable: Any) -> tuple[Any, ...] | None:
    """Everything a Text draws from (equal keys draw equal segments); None for any other renderable."""
    if type(renderable) is not Text:
        return None
    text = renderable
    layout = (text.justify, text.overflow, text.no_wrap, text.end, text.tab_size)
    return (text.plain, text.style, tuple(text.spans), *layout)


def _placed(line: list[list[Segment]], index: int) -> list[list[Segment]]:
    """A row's line with its place in the segments' meta, as Textual's cells carry it: the row index
    and column of each cell, and the space after them out of bounds (the mouse reads them)."""
    placed = []
    for column, segments in enumerate(line[:-1]):
        meta = Style.from_meta({"row": index, "column": column})
        placed.append([_with(segment, meta) for segment in segments])
    beyond = Style.from_meta({"row": index, "column": 0, "out_of_bounds": True})
    placed.append([_with(segment, beyond) for segment in line[-1]])
    return placed


def _with(segment: Segment, meta: Style) -> Segment:
    text, style, control = segment
    return Segment(text, meta if style is None else style + meta, control)
