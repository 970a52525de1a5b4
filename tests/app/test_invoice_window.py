"""The invoice table keeps a bounded window of rows however deep one scrolls (issue 11, "Speed"): the
10,000-invoice account scrolled far down holds at most WINDOW_PAGES pages, the row under the cursor is
the right invoice, moving back up asks the server again for the pages before the window, and home on
return from another screen refreshes the window in place instead of going back to the first 100 rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from textual.widgets import DataTable

from tests.app.conftest import api_get, make_app, on_home, on_screen, screen_text, wait_for
from tests.conftest import login
from tests.support.stub import StubServer, serve_stub
from tui.screens.home import HomeScreen
from tui.screens.invoice_detail import InvoiceDetailScreen
from tui.widgets.invoice_table import PAGE_SIZE, WINDOW_PAGES, InvoiceTable

SIZE = (100, 40)
BIG = "big@example.com"
HELD_AT_MOST = WINDOW_PAGES * PAGE_SIZE


@pytest.fixture(scope="module")
def large_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StubServer]:
    workdir = tmp_path_factory.mktemp("window")
    with serve_stub(f"sqlite:///{workdir / 'large.db'}", workdir, seed="large") as server:
        yield server


def numbers_on_server(server: StubServer, token: str, account_id: int, count: int) -> list[str]:
    """The All tab's invoice numbers in order, walked page by page over the API."""
    numbers: list[str] = []
    cursor: str | None = None
    while len(numbers) < count:
        params: dict[str, Any] = {"status": "all", "limit": PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        page = api_get(server, token, f"/v1/accounts/{account_id}/invoices", **params)
        numbers += [row["number"] for row in page["items"]]
        cursor = page["next_cursor"]
    return numbers


def under_cursor(table: InvoiceTable) -> str:
    row = table.current_row()
    assert row is not None
    return row.number


async def all_tab(pilot: Any) -> tuple[HomeScreen, InvoiceTable]:
    """Home's All tab, its first page in and its rows focused (the account's id known)."""
    home = await on_home(pilot)
    assert home.account is not None
    await pilot.press("1")
    table = home.query_one("#invoices-all", InvoiceTable)
    await wait_for(pilot, lambda: table.rows and not table.loading_more, "the first page")
    await wait_for(pilot, lambda: isinstance(pilot.app.focused, DataTable), "the rows focused")
    return home, table


async def scroll_until(pilot: Any, table: InvoiceTable, key: str, done: Any, what: str) -> None:
    """Press `key` until `done()`, the table never holding more than its window meanwhile."""
    for _ in range(400):
        if done() and not table.loading_more:
            return
        await pilot.press(key)
        await wait_for(pilot, lambda: not table.loading_more, "the page on its way")
        assert table.table.row_count <= HELD_AT_MOST, "the window is bounded"
        assert len(table.rows) <= HELD_AT_MOST
    raise AssertionError(f"never reached {what}")


async def test_deep_in_the_large_table_the_window_stays_bounded_and_home_keeps_the_place(
    large_server: StubServer,
) -> None:
    token = login(large_server.base_url, BIG)
    app = make_app(large_server.base_url, token)
    async with app.run_test(size=SIZE) as pilot:
        home, table = await all_tab(pilot)
        expected = numbers_on_server(large_server, token, home.account.id, 7 * PAGE_SIZE)

        # Deep down: page 6 and 7 are held, the first pages are not.
        await scroll_until(pilot, table, "pagedown", lambda: table.window_start >= 4 * PAGE_SIZE, "page 5")
        start = table.window_start
        assert start % PAGE_SIZE == 0 and len(table.rows) <= HELD_AT_MOST
        assert [row.number for row in table.rows] == expected[start : start + len(table.rows)]
        assert under_cursor(table) == expected[start + table.table.cursor_row]
        await pilot.press("down", "down")
        assert under_cursor(table) == expected[start + table.table.cursor_row]
        assert f"{start + 1}–{start + len(table.rows)} of 10000 loaded" in screen_text(app)

        # Back from an invoice's detail: the same window, the same invoice under the cursor.
        before = under_cursor(table)
        await pilot.press("enter")
        await on_screen(pilot, InvoiceDetailScreen)
        await pilot.press("escape")
        await on_screen(pilot, HomeScreen)
        await wait_for(pilot, lambda: not table.loading_more and under_cursor(table) == before, "the place")
        assert table.window_start == start and under_cursor(table) == before

        # Back up: the pages before the window are asked for again, and the cursor keeps its invoice.
        await scroll_until(pilot, table, "pageup", lambda: table.window_start < start, "the page before")
        assert under_cursor(table) == expected[table.window_start + table.table.cursor_row]
        assert [row.number for row in table.rows] == expected[
            table.window_start : table.window_start + len(table.rows)
        ]
        await scroll_until(pilot, table, "pageup", lambda: table.window_start == 0, "the top")
        await pilot.press("ctrl+home")
        await wait_for(pilot, lambda: table.table.cursor_row == 0, "the first row")
        assert under_cursor(table) == expected[0]
        assert table.table.row_count <= HELD_AT_MOST


def shown_numbers(table: InvoiceTable) -> list[str]:
    """The invoice numbers the DataTable holds, top to bottom (its first column, without the mark)."""
    rows = table.table.ordered_rows
    return [str(table.table.get_row(row.key)[0]).split()[-1] for row in rows]


async def test_a_page_in_or_out_moves_only_its_rows_and_keeps_the_cursor_on_its_invoice(
    large_server: StubServer,
) -> None:
    # The rows the window keeps are not drawn again (the same row objects), whichever end a page
    # comes in at; the table's rows are the window's, in order, and the cursor stays on its invoice.
    token = login(large_server.base_url, BIG)
    app = make_app(large_server.base_url, token)
    async with app.run_test(size=SIZE) as pilot:
        _, table = await all_tab(pilot)
        await scroll_until(pilot, table, "pagedown", lambda: len(table.rows) == HELD_AT_MOST, "a full window")

        for key, step in (("pagedown", 1), ("pageup", -1)):
            start = table.window_start
            kept = {row.key.value: row for row in table.table.ordered_rows}
            while table.window_start == start:
                await pilot.press(key)
                await wait_for(pilot, lambda: not table.loading_more, "the page on its way")
            assert (table.window_start - start) * step > 0
            assert shown_numbers(table) == [row.number for row in table.rows]
            still = {row.key.value: row for row in table.table.ordered_rows if row.key.value in kept}
            assert len(still) >= PAGE_SIZE and all(row is kept[k] for k, row in still.items())
            # The row under the cursor is the window's row at its place (the table in the window's order).
            assert under_cursor(table) == table.rows[table.table.cursor_row].number
