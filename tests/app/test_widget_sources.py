"""Widgets are given what they load: the invoice table pages through a fake source and the autopay
panel saves through a fake call, no server needed.

Fetching and drawing are tested apart (the live-server tests cover the real client).
"""

from __future__ import annotations

import datetime as dt

from textual.app import App, ComposeResult

from tests.app.conftest import wait_for
from tui.api import Account, Autopay, FeeTerms, InvoiceRow, Page, PaymentMethod
from tui.screens.dialogs import QuestionDialog
from tui.widgets.autopay_panel import AutopayPanel, SaveAutopay
from tui.widgets.invoice_table import PAGE_SIZE, InvoiceTable


def _row(n: int) -> InvoiceRow:
    return InvoiceRow(
        id=n,
        number=f"INV-{n:05d}",
        issued_on=dt.date(2026, 1, 1),
        due_on=dt.date(2026, 2, 1),
        amount_cents=1000 + n,
        balance_cents=1000 + n,
        status="open",
    )


class FakeSource:
    """Two pages of open invoices; remembers what it was asked."""

    def __init__(self, total: int) -> None:
        self.rows = [_row(n) for n in range(1, total + 1)]
        self.asked: list[tuple[int, str, str | None]] = []

    async def invoices(
        self, account_id: int, *, status: str, limit: int, cursor: str | None
    ) -> Page[InvoiceRow]:
        self.asked.append((account_id, status, cursor))
        start = int(cursor or 0)
        end = start + limit
        return Page[InvoiceRow](
            items=self.rows[start:end],
            next_cursor=str(end) if end < len(self.rows) else None,
            total_count=len(self.rows),
        )

    async def invoice(self, invoice_id: int) -> object:  # no multi-site rows here
        raise AssertionError("not asked in this test")


class TableApp(App[None]):
    def __init__(self, source: FakeSource) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        yield InvoiceTable(7, "open", "Nothing here.", source=self.source, id="invoices")


async def test_the_table_loads_pages_from_the_source_it_is_given() -> None:
    source = FakeSource(PAGE_SIZE + 5)
    app = TableApp(source)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(InvoiceTable)
        table.ensure_loaded()
        await wait_for(pilot, lambda: len(table.rows) == PAGE_SIZE and not table.loading_more, "page 1")
        assert source.asked == [(7, "open", None)]
        count = str(table.query_one(".count").render())
        assert f"{PAGE_SIZE} of {PAGE_SIZE + 5} loaded" in count

        table.table.focus()
        table.table.move_cursor(row=PAGE_SIZE - 1)  # near the end: the next page is asked for
        await wait_for(pilot, lambda: len(table.rows) == PAGE_SIZE + 5, "page 2")
        assert source.asked[-1] == (7, "open", str(PAGE_SIZE))
        assert table.next_cursor is None


class PanelApp(App[None]):
    def __init__(self, save: SaveAutopay) -> None:
        super().__init__()
        self.save = save

    def compose(self) -> ComposeResult:
        yield AutopayPanel(7, self.save)


async def test_the_autopay_panel_saves_through_the_call_it_is_given() -> None:
    account = Account(id=7, account_number="4100012345", first_name="Dana", last_name="Whitfield")
    visa = PaymentMethod(id=3, type="card", brand="visa", last4="4242", label="Visa •••• 4242")
    saved: list[tuple[int, bool, int | None]] = []

    async def save(account_id: int, enabled: bool, method_id: int | None, terms: FeeTerms | None) -> Account:
        saved.append((account_id, enabled, method_id))
        autopay = Autopay(enabled=enabled, payment_method_id=method_id, method_label="Visa •••• 4242")
        return account.model_copy(update={"autopay": autopay})

    app = PanelApp(save)
    async with app.run_test(size=(100, 30)) as pilot:
        panel = app.screen.query_one(AutopayPanel)
        panel.show(account, [visa])
        await pilot.pause()
        panel.enrol()  # asks first
        await wait_for(pilot, lambda: isinstance(app.screen, QuestionDialog), "the question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: saved, "the save")
        assert saved == [(7, True, 3)]
        line = panel.query_one("#autopay-message")
        await wait_for(pilot, lambda: "Autopay is on" in str(line.render()), "the answer")
