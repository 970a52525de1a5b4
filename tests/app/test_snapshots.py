"""Snapshots of the main screens at 80x24 (and home at 120x40), against the demo backend.

The demo clock is fixed (2026-11-15) and the screens shown carry no token, id or wall-clock time,
so the pictures only change when the screens do. Update with `pytest tests/app --snapshot-update`.
"""

from __future__ import annotations

from textual.widgets import DataTable, Input

from tests.app.conftest import make_app, on_home, on_screen, wait_for
from tui.screens.clerk.identity import IdentityCheckScreen
from tui.screens.clerk.search import ClerkSearchScreen
from tui.screens.invoice_detail import InvoiceDetailScreen
from tui.screens.login import LoginScreen
from tui.screens.verify_code import VerifyCodeScreen
from tui.widgets.invoice_table import InvoiceTable

SMALL = (80, 24)


def drawn(table: DataTable) -> bool:
    """The table has laid out the rows it holds: DataTable sizes its columns and rows when the app is
    next idle, so a picture taken before that shows the old layout (a pause is no guarantee under load)."""
    header = table.header_height if table.show_header else 0
    return table.row_count > 0 and table.virtual_size.height == header + table.row_count


async def home_drawn(pilot) -> None:  # type: ignore[no-untyped-def]
    """Home with its data loaded (on_home) and the open tab's table laid out."""
    await on_home(pilot)
    table = pilot.app.screen.query_one("#invoices-open", InvoiceTable)
    await wait_for(pilot, lambda: drawn(table.table), "the open invoices drawn")


def test_login(snap_compare, live_server) -> None:
    async def ready(pilot) -> None:
        await on_screen(pilot, LoginScreen)
        await pilot.pause()

    assert snap_compare(make_app(live_server.base_url), run_before=ready, terminal_size=SMALL)


def test_verify_code(snap_compare, live_server) -> None:
    async def ready(pilot) -> None:
        await on_screen(pilot, LoginScreen)
        await pilot.app.push_screen(VerifyCodeScreen("dana@example.com"))  # no code is sent
        await on_screen(pilot, VerifyCodeScreen)
        await pilot.press("4", "2")
        await pilot.pause()

    assert snap_compare(make_app(live_server.base_url), run_before=ready, terminal_size=SMALL)


def test_home_open_tab(snap_compare, live_server, tokens) -> None:
    async def ready(pilot) -> None:
        await home_drawn(pilot)
        await pilot.pause()

    app = make_app(live_server.base_url, tokens["dana@example.com"])
    assert snap_compare(app, run_before=ready, terminal_size=SMALL)


def test_home_open_tab_large(snap_compare, live_server, tokens) -> None:
    async def ready(pilot) -> None:
        await on_home(pilot)
        await pilot.press("e")  # unfold the multi-site invoice's sites
        table = pilot.app.screen.query_one("#invoices-open", InvoiceTable)
        await wait_for(pilot, lambda: table.table.row_count > len(table.rows), "the site rows")
        await wait_for(pilot, lambda: drawn(table.table), "the site rows drawn")
        await pilot.pause()

    app = make_app(live_server.base_url, tokens["dana@example.com"])

    # The first open row is the newest invoice; move to the multi-site parent first.
    async def before(pilot) -> None:
        await home_drawn(pilot)
        table = pilot.app.screen.query_one("#invoices-open", InvoiceTable)
        parent = next(i for i, row in enumerate(table.rows) if row.children_count)
        table.table.move_cursor(row=parent)
        await ready(pilot)

    assert snap_compare(app, run_before=before, terminal_size=(120, 40))


def test_invoice_detail(snap_compare, live_server, tokens) -> None:
    async def ready(pilot) -> None:
        await on_home(pilot)
        table = pilot.app.screen.query_one("#invoices-open", InvoiceTable)
        past_due = next(i for i, row in enumerate(table.rows) if row.past_due)  # no payments: stable
        table.table.move_cursor(row=past_due)
        await pilot.press("enter")
        detail = await on_screen(pilot, InvoiceDetailScreen)
        await wait_for(pilot, lambda: detail.invoice is not None, "the invoice")
        await pilot.pause()

    app = make_app(live_server.base_url, tokens["dana@example.com"])
    assert snap_compare(app, run_before=ready, terminal_size=SMALL)


def test_clerk_search(snap_compare, live_server, tokens) -> None:
    async def ready(pilot) -> None:
        screen = await on_screen(pilot, ClerkSearchScreen)
        screen.query_one("#email", Input).value = "dana@example.com"
        screen.query_one("#email", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.matches, "the search results")
        # The one match opens the identity check by itself; Escape comes back to the row.
        await on_screen(pilot, IdentityCheckScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "back to the search")
        await wait_for(pilot, lambda: drawn(screen.query_one("#results", DataTable)), "the row drawn")
        await pilot.pause()

    app = make_app(live_server.base_url, tokens["clerk@example.com"])
    assert snap_compare(app, run_before=ready, terminal_size=SMALL)
