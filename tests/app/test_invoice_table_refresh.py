"""The invoice table asks again for its first page and draws it over the rows on screen (home, back from
another screen): no loading state, the cursor on the same invoice, the selection kept where still payable.
A fake source stands in for the server (the live-server test is tests/app/test_home_refresh.py).
"""

from __future__ import annotations

from tests.app.conftest import wait_for
from tests.app.test_widget_sources import FakeSource, TableApp
from tui.widgets.invoice_table import InvoiceTable


async def _loaded(pilot, table: InvoiceTable, count: int) -> None:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: len(table.rows) == count and not table.loading_more, f"{count} rows")


async def test_changed_rows_are_drawn_in_place_and_a_row_gone_keeps_the_cursor_on_its_invoice() -> None:
    source = FakeSource(5)
    app = TableApp(source)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(InvoiceTable)
        table.ensure_loaded()
        await _loaded(pilot, table, 5)
        data = table.table
        data.focus()
        data.move_cursor(row=3)
        await pilot.press("space")  # INV-00004 selected
        loading: list[bool] = []
        table.watch(data, "loading", lambda on: on and loading.append(on), init=False)

        # Paid elsewhere: INV-00002 has no balance left; the same invoices, new cells.
        source.rows[1] = source.rows[1].model_copy(update={"balance_cents": 0, "status": "paid"})
        table.refresh_in_place()
        await wait_for(pilot, lambda: table.rows[1].status == "paid", "the new status")
        assert "Paid" in str(data.get_row("2")) and table.current_row().number == "INV-00004"

        # INV-00001 leaves the list: INV-00004 keeps the cursor and stays selected.
        del source.rows[0]
        table.refresh_in_place()
        await _loaded(pilot, table, 4)
        assert table.current_row().number == "INV-00004" and list(table.selected) == [4]
        assert "1 selected" in str(table.query_one(".count").render())

        # The cursor's invoice itself goes: the cursor stays at its place; nothing left to pay is unselected.
        del source.rows[2]
        table.refresh_in_place()
        await _loaded(pilot, table, 3)
        assert table.current_row().number == "INV-00005" and table.selected == {}
        assert loading == []
