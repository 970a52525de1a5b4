"""Pages entering and leaving the invoice table's window (issue 11, "Speed": a PageDown across a page
costs little) keep the table exact: the rows on screen are the right invoices in order, the cursor's
line is the invoice the table says is under it, and the mouse (which finds its row through the row
index each drawn cell carries) clicks and hovers the invoice drawn where it points, though a kept
row's drawing is reused with only its index changed.

The first test drives the 10,000-invoice account against the real server; the second compares the
WindowTable with Textual's own DataTable holding the same rows after a window shift.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tests.app.conftest import make_app, on_screen, screen_text, wait_for
from tests.app.test_invoice_window import (
    BIG,
    HELD_AT_MOST,
    SIZE,
    all_tab,
    numbers_on_server,
    scroll_until,
    under_cursor,
)
from tests.app.test_start_and_table_speed import drawn
from tests.conftest import login
from tests.support.stub import StubServer, serve_stub
from tui.screens.home import HomeScreen
from tui.screens.invoice_detail import InvoiceDetailScreen
from tui.widgets.invoice_table import PAGE_SIZE, InvoiceTable
from tui.widgets.window_table import WindowTable

NUMBER = re.compile(r"INV-[\d-]+\d")


@pytest.fixture(scope="module")
def large_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StubServer]:
    workdir = tmp_path_factory.mktemp("pages")
    with serve_stub(f"sqlite:///{workdir / 'large.db'}", workdir, seed="large") as server:
        yield server


def numbers_on_screen(app: Any, table: InvoiceTable) -> list[str]:
    """The invoice numbers the table's rows show on screen, top to bottom (the header left out)."""
    region = table.table.region
    lines = screen_text(app).splitlines()[region.y + table.table.header_height : region.bottom]
    found = [NUMBER.search(line) for line in lines]
    return [match.group(0) for match in found if match]


def line_of(table: InvoiceTable, row_index: int) -> int:
    """Where the row at `row_index` is drawn, in the table's own lines (the header is line 0)."""
    return table.table.header_height + row_index - round(table.table.scroll_y)


async def a_page_in(pilot: Any, table: InvoiceTable, key: str) -> None:
    """Press `key` until a page comes into the window (below on PageDown, above on PageUp)."""
    start, step = table.window_start, 1 if key == "pagedown" else -1
    await scroll_until(pilot, table, key, lambda: (table.window_start - start) * step > 0, f"a page ({key})")


async def check_what_is_shown(pilot: Any, table: InvoiceTable, expected: list[str]) -> None:
    """The rows on screen are the window's, from the server's order; the cursor's line shows its invoice."""
    app, data = pilot.app, table.table
    await wait_for(pilot, lambda: not table.loading_more, "the page on its way")
    start, top = table.window_start, round(data.scroll_y)
    shown = numbers_on_screen(app, table)
    assert len(shown) >= data.size.height - data.header_height - 1
    assert shown == expected[start + top : start + top + len(shown)]
    assert under_cursor(table) == expected[start + data.cursor_row]
    assert shown[data.cursor_row - top] == under_cursor(table)
    end = start + len(table.rows)
    assert f"{f'{start + 1}–{end}' if start else end} of 10000 loaded" in screen_text(app)
    assert data.row_count <= HELD_AT_MOST


async def test_across_pages_down_and_up_the_screen_the_cursor_and_the_mouse_show_the_right_invoice(
    large_server: StubServer,
) -> None:
    token = login(large_server.base_url, BIG)
    app = make_app(large_server.base_url, token)
    async with app.run_test(size=SIZE) as pilot:
        home, table = await all_tab(pilot)
        expected = numbers_on_server(large_server, token, home.account.id, 8 * PAGE_SIZE)

        # Down through pages 1 to 6: after every page that came in, the screen shows the right rows.
        starts = {0}
        while table.window_start < 4 * PAGE_SIZE:
            await a_page_in(pilot, table, "pagedown")
            starts.add(table.window_start)
            await check_what_is_shown(pilot, table, expected)
        assert len(starts) >= 4

        # Just after a page came in (the rows on screen kept, their indices shifted by a page): a click
        # on a row puts the cursor on the invoice drawn there, and Enter opens it.
        data = table.table
        top = round(data.scroll_y)
        target = min(data.cursor_row + 3, top + data.size.height - 2)
        clicked = expected[table.window_start + target]
        await pilot.hover(data, offset=(4, line_of(table, target)))
        await wait_for(pilot, lambda: data.hover_coordinate.row == target, "the row under the mouse")
        await pilot.click(data, offset=(4, line_of(table, target)))
        await wait_for(pilot, lambda: under_cursor(table) == clicked, "the clicked invoice under the cursor")
        assert data.cursor_row == target
        await pilot.press("enter")
        detail = await on_screen(pilot, InvoiceDetailScreen)
        await wait_for(
            pilot, lambda: f"Invoice {clicked}" in screen_text(app), "the clicked invoice's detail"
        )
        assert detail is app.screen
        await pilot.press("escape")
        await on_screen(pilot, HomeScreen)
        await wait_for(pilot, lambda: not table.loading_more and under_cursor(table) == clicked, "the place")

        # Back up: each page asked again comes in on top, and the screen stays right.
        while table.window_start > 0:
            await a_page_in(pilot, table, "pageup")
            await check_what_is_shown(pilot, table, expected)
        # A click after the pages above came back selects the invoice drawn where it points too.
        top = round(data.scroll_y)
        target = top + 2
        await pilot.click(data, offset=(4, line_of(table, target)))
        await wait_for(pilot, lambda: data.cursor_row == target, "the cursor on the clicked row")
        assert under_cursor(table) == expected[table.window_start + target]
        assert numbers_on_screen(app, table)[target - top] == under_cursor(table)


# ---- the WindowTable beside Textual's DataTable ------------------------------------------------------

ROWS = 300


def cells(n: int, *, mark: bool = False) -> tuple[Text, ...]:
    number = ("● " if mark else "") + f"INV-{n:05d}"
    return Text(number), Text("Nov 22"), Text(f"${n}.70", justify="right")


class Tables(App[None]):
    """Textual's DataTable and the WindowTable side by side, each given the same rows."""

    CSS = "DataTable { height: 12; width: 60; }"
    AUTO_FOCUS = None

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True, id="stock")
        yield WindowTable(cursor_type="row", zebra_stripes=True, id="window")

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_columns("Number", "Due", "Amount")
            for n in range(ROWS):
                table.add_row(*cells(n), key=str(n))


async def test_a_window_shift_draws_no_kept_row_again_and_each_line_says_its_row_as_textual_does() -> None:
    app = Tables()
    async with app.run_test(size=(60, 30)) as pilot:
        stock, window = app.query_one("#stock", DataTable), app.query_one("#window", WindowTable)
        for table in (stock, window):
            table.move_cursor(row=150, animate=False, scroll=False)
            table.scroll_to(y=145, animate=False)  # rows 145-155 on show, the cursor in the middle
        await pilot.pause()
        before = drawn(window)
        assert drawn(stock) == before

        rows_drawn: list[Any] = []
        draw_row = WindowTable._draw_row_line

        def counted(self: WindowTable, row_key: Any, *args: Any, **kwargs: Any) -> Any:
            rows_drawn.append(row_key.value)
            return draw_row(self, row_key, *args, **kwargs)

        WindowTable._draw_row_line = counted  # type: ignore[method-assign]
        try:
            # The window's first page leaves and the next one comes at the bottom, as InvoiceTable
            # shifts it: the rows on screen stay where they were, 100 places up in the table.
            scroll_y = round(window.scroll_y)
            window.remove_rows([str(n) for n in range(100)])
            for n in range(ROWS, ROWS + 100):
                window.add_row(*cells(n), key=str(n))
            window.move_cursor(row=50, animate=False, scroll=False)
            window.set_scroll(None, scroll_y - 100)
            # Textual's table holding the same rows, filled afresh.
            stock.clear()
            for n in range(100, ROWS + 100):
                stock.add_row(*cells(n), key=str(n))
            await pilot.pause()
            stock.move_cursor(row=50, animate=False, scroll=False)
            stock.set_scroll(None, scroll_y - 100)
            await pilot.pause()
            assert window.scroll_y == stock.scroll_y == scroll_y - 100
            after = drawn(window)
            assert rows_drawn == [], "a kept row is drawn again"
            assert after == drawn(stock), "each line says its new row index, as Textual's does"
            assert after != before  # the same text, each cell's row index a page less
            assert [segment.text for line in after for segment in line] == [
                segment.text for line in before for segment in line
            ]

            # One row changes (a selection mark): only it is drawn again.
            for table in (stock, window):
                table.update_cell("152", table.ordered_columns[0].key, cells(152, mark=True)[0])
            await pilot.pause()
            assert drawn(window) == drawn(stock)
            assert rows_drawn == ["152"]

            # The mouse over a kept row: it and the row it left are drawn, as Textual draws them.
            rows_drawn.clear()
            for table in (stock, window):
                table.hover_coordinate = table.cursor_coordinate.down()
            await pilot.pause()
            assert drawn(window) == drawn(stock)
            assert set(rows_drawn) <= {"150", "151"}
        finally:
            WindowTable._draw_row_line = draw_row  # type: ignore[method-assign]
